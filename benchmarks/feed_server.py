"""A local news site on 127.0.0.1 for the fetcher's tests and benchmark: feeds, article pages and bad pages.

Serves /rss.xml (RSS 2.0; every item twice, as some feeds repeat items), /atom.xml (Atom), /articles/<n>.html
(a news page whose story names town n and its new bridge), and what a fetcher must survive: /broken.html (500),
/huge.html (bigger than any sane limit), /loop (redirects to itself), /report.pdf (not HTML), /private/* (closed by
robots.txt), /moved/<n> (redirects to article n), /slow.html (drips for longer than a request may take).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

TOWNS = "Ashford Brinley Calder Dunmore Elmsworth Farrow Glenby Harwick Ivel Jarrow Kelby Lorton Marden Norwood Oakham".split()
BAD_PATHS = ("/broken.html", "/huge.html", "/loop", "/report.pdf", "/private/secret.html")
HUGE_BYTES = 8_000_000


def town(number: int) -> str:
    """A made-up, unique town name per article number (Ashford, ..., Oakham, then Ashford-2 ...)."""
    base = TOWNS[number % len(TOWNS)]
    return base if number < len(TOWNS) else f"{base}-{number // len(TOWNS) + 1}"


def bridge(number: int) -> str:
    return f"{TOWNS[(number * 7 + 3) % len(TOWNS)]} Span {number}"


def published(number: int) -> dt.datetime:
    return dt.datetime(2026, 11, 1, 9, tzinfo=dt.timezone.utc) + dt.timedelta(hours=number)


def article_html(number: int) -> str:
    """A realistic page: navigation and footer around an <article> with headline, byline, date and paragraphs."""
    name, span, when = town(number), bridge(number), published(number)
    paragraphs = [
        f"The town of {name} opened a new footbridge on {when:%A}, named the {span}, after two years of building work.",
        f"The mayor of {name} said the {span} would cut the walk to the railway station to five minutes.",
        f"About {300 + number} residents attended the ceremony, which was delayed by rain for an hour.",
        "Engineers said the structure was designed to last a century and to carry bicycles as well as walkers.",
    ]
    body = "\n".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{name} opens the {span} | Local Herald</title>
<meta property="og:site_name" content="Local Herald"><meta name="author" content="Jo Reporter">
<meta property="article:published_time" content="{when.isoformat()}"></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>{name} opens the {span}</h1><p class="byline">By Jo Reporter</p>
<time datetime="{when.isoformat()}">{when:%d %B %Y}</time>{body}</article>
<footer>© Local Herald. All rights reserved.</footer></body></html>"""


def rss(items: list[str], base: str) -> str:
    entries = "".join(
        f"<item><title>Story {index}</title><link>{base}{path}</link>"
        f"<pubDate>{format_datetime(published(index))}</pubDate></item>"
        for index, path in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local Herald</title>{entries}{entries}</channel></rss>'


def atom(items: list[str], base: str) -> str:
    entries = "".join(
        f'<entry><title>Story {index}</title><link href="{base}{path}"/><id>{base}{path}</id>'
        f"<updated>{published(index).isoformat()}</updated><author><name>Jo Reporter</name></author></entry>"
        for index, path in enumerate(items)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    return f"{head}<title>Herald Atom</title>{entries}</feed>"


class NewsSite:
    """The site: `rss_items` / `atom_items` are the paths each feed lists (change them between fetches)."""

    def __init__(self, articles: int = 5) -> None:
        self.rss_items = [f"/articles/{n}.html" for n in range(articles)]
        self.atom_items: list[str] = []
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        self.broken = {"/broken.html"}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(self.path)
                site.user_agents.add(self.headers.get("User-Agent", ""))
                site.respond(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def pages(self) -> list[str]:
        """Requests for article pages and bad pages (not feeds or robots.txt)."""
        return [path for path in self.requests if not path.endswith((".xml", "robots.txt"))]

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path == "/robots.txt":
            return _send(handler, 200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
        if path == "/rss.xml":
            return _send(handler, 200, "application/rss+xml", rss(self.rss_items, self.base).encode())
        if path == "/atom.xml":
            return _send(handler, 200, "application/atom+xml", atom(self.atom_items, self.base).encode())
        if path.startswith("/articles/") and path.endswith(".html") and path[10:-5].isdigit():
            if path in self.broken:
                return _send(handler, 500, "text/html", b"<h1>Internal Server Error</h1>")
            return _send(handler, 200, "text/html; charset=utf-8", article_html(int(path[10:-5])).encode())
        if path.startswith("/moved/"):
            return _redirect(handler, f"/articles/{path[7:]}.html")
        if path == "/loop":
            return _redirect(handler, "/loop")
        if path in self.broken:
            return _send(handler, 500, "text/html", b"<h1>Internal Server Error</h1>")
        if path == "/huge.html":
            filler = b"<p>filler text</p>" * (HUGE_BYTES // 18)
            return _send(handler, 200, "text/html", b"<html><body>" + filler + b"</body></html>")
        if path == "/report.pdf":
            return _send(handler, 200, "application/pdf", b"%PDF-1.4 not a news page")
        if path == "/slow.html":
            return _drip(handler)
        return _send(handler, 404, "text/html", b"<h1>Not Found</h1>")


def _send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    with contextlib.suppress(OSError):  # a client that stops reading a huge page
        handler.wfile.write(body)


def _redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """A page that sends one byte every 0.2 s without a length, for far longer than a request may take."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(300):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass
