"""Polite, bounded HTTP GETs: a clear User-Agent, robots.txt honoured, limits on size, time and redirects.

A page that breaks a limit raises FetchError with a message naming the reason, so one bad item never stops a fetch.
"""

from __future__ import annotations

import time
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from embeddings.errors import NewsQAError

USER_AGENT = "NewsQABot/0.1 (news question-answering bot; fetches the feeds its operator lists)"
MAX_PAGE_BYTES = 3_000_000
REQUEST_SECONDS = 15.0
MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500_000


class FetchError(NewsQAError):
    """A page or feed that could not be fetched; the message says why (for the report line)."""


@dataclass(frozen=True)
class Limits:
    """How much one request may take: bytes, whole seconds (not just between bytes) and redirects."""

    max_bytes: int = MAX_PAGE_BYTES
    seconds: float = REQUEST_SECONDS
    redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class Page:
    """A fetched response body; `url` is where it ended up after redirects."""

    url: str
    content_type: str
    body: bytes
    charset: str | None = None

    def text(self) -> str:
        """The body as text: the charset the server declared, else detected (trafilatura's decoder)."""
        if self.charset:
            try:
                return self.body.decode(self.charset)
            except (LookupError, UnicodeDecodeError):
                pass
        from trafilatura.utils import decode_file

        return decode_file(self.body)


def web_address(url: str) -> str:
    """`url` without its #fragment, checked to be an http(s) address; FetchError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"not a web address (http:// or https://): {url[:200]!r}")
    return urlunsplit(parts._replace(fragment=""))


class PoliteClient:
    """One HTTP client for a fetch run, remembering each host's robots.txt."""

    def __init__(self, limits: Limits = Limits(), user_agent: str = USER_AGENT) -> None:
        self.limits = limits
        self.user_agent = user_agent
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            max_redirects=limits.redirects,
            timeout=httpx.Timeout(limits.seconds),
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.close()

    def get(self, url: str, max_bytes: int | None = None) -> Page:
        """The body at `url` (robots.txt permitting); FetchError with the reason when it cannot be had within limits."""
        url = web_address(url)
        if not self.allowed(url):
            raise FetchError("robots.txt does not allow fetching it")
        return self._get(url, max_bytes or self.limits.max_bytes)

    def allowed(self, url: str) -> bool:
        """What the site's robots.txt says about our User-Agent; an unreadable robots.txt allows (it is no refusal)."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        robots = self._robots.get(root)
        if robots is None:
            robots = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                page = self._get(root + "/robots.txt", ROBOTS_MAX_BYTES)
                robots.parse(page.body.decode("utf-8", "replace").splitlines())
            except FetchError as error:
                robots.disallow_all = "HTTP 401" in str(error) or "HTTP 403" in str(error)
                robots.allow_all = not robots.disallow_all
            self._robots[root] = robots
        return robots.can_fetch(self.user_agent, url)

    def _get(self, url: str, max_bytes: int) -> Page:
        deadline = time.monotonic() + self.limits.seconds
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"too large (over {max_bytes:,} bytes)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"too slow (over {self.limits.seconds:g} s)")
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Page(str(response.url), content_type, b"".join(chunks), response.charset_encoding)
        except httpx.TooManyRedirects:
            raise FetchError(f"too many redirects (more than {self.limits.redirects})") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out (over {self.limits.seconds:g} s)") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FetchError(f"could not connect ({error.__class__.__name__}: {error})"[:300]) from None
