"""What the fetcher remembers, in the corpus's hidden `.feeds/` folder (the corpus scan skips it).

Pages saved (by url, also the url they redirected to, and by content hash: never fetched or saved twice), pages
that failed (retried next time, up to MAX_ATTEMPTS), and each feed's last check. Written atomically; one fetch at a
time holds the folder's lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = ".feeds"
MAX_ATTEMPTS = 5  # a page that failed this many fetches in a row is given up on (still listed as failed)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Ledger:
    """The fetcher's memory for one corpus folder; load() it, change it, save() it."""

    folder: Path
    pages: dict[str, dict] = field(default_factory=dict)  # url -> {"file", "hash", "title", "fetched"}
    hashes: dict[str, str] = field(default_factory=dict)  # content hash -> url
    failures: dict[str, dict] = field(default_factory=dict)  # url -> {"error", "attempts", "last"}
    feeds: dict[str, dict] = field(default_factory=dict)  # feed url -> {"title", "checked", "error", "added"}

    @classmethod
    def load(cls, corpus: Path) -> Ledger:
        folder = corpus / FOLDER
        try:
            data = json.loads((folder / "ledger.json").read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        return cls(folder, data.get("pages", {}), data.get("hashes", {}), data.get("failures", {}), data.get("feeds", {}))

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"pages": self.pages, "hashes": self.hashes, "failures": self.failures, "feeds": self.feeds}
        temporary = self.folder / "ledger.json.tmp"
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        os.replace(temporary, self.folder / "ledger.json")

    def known(self, url: str) -> bool:
        """Saved before, or failed too often to try again."""
        return url in self.pages or self.failures.get(url, {}).get("attempts", 0) >= MAX_ATTEMPTS

    def saved(self, urls: list[str], file: str, content: str, title: str) -> None:
        record = {"file": file, "hash": content, "title": title, "fetched": now()}
        for url in urls:
            self.pages[url] = record
            self.failures.pop(url, None)
        self.hashes.setdefault(content, urls[0])  # the first address a text was saved from

    def failed(self, url: str, error: str) -> int:
        """Note a failure; the number of failed attempts so far."""
        attempts = self.failures.get(url, {}).get("attempts", 0) + 1
        self.failures[url] = {"error": error, "attempts": attempts, "last": now()}
        return attempts

    def checked(self, feed: str, title: str | None, error: str | None, added: int) -> None:
        self.feeds[feed] = {"title": title, "checked": now(), "error": error, "added": added}

    @classmethod
    @contextlib.contextmanager
    def opened(cls, corpus: Path) -> Iterator[Ledger]:
        """The ledger, locked (the bot's schedule, /add and a command run may overlap), saved on the way out."""
        folder = corpus / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            ledger = cls.load(corpus)
            try:
                yield ledger
            finally:
                ledger.save()  # what was saved before an error stays remembered
                fcntl.flock(handle, fcntl.LOCK_UN)
