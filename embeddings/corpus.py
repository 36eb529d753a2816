"""The corpus folder as files: what is there, and whether it changed since the index was built."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from embeddings.parsing import is_article_file


@dataclass(frozen=True)
class CorpusFile:
    """A file in the corpus; `name` is its path relative to the corpus root, with forward slashes."""

    name: str
    path: Path
    size: int
    mtime_ns: int

    def read(self) -> tuple[bytes, str]:
        """The file's bytes and their SHA-256."""
        data = self.path.read_bytes()
        return data, hashlib.sha256(data).hexdigest()


class CorpusMissing(Exception):
    """The corpus folder does not exist."""


def scan(root: Path) -> list[CorpusFile]:
    """Every article file under `root`, recursively, sorted by name; hidden folders are skipped."""
    if not root.is_dir():
        raise CorpusMissing(f"corpus folder {root} does not exist: create it and put articles (.txt .md .html .jsonl) in it")
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not is_article_file(path):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # vanished or unreadable: the build reports it when it reads
        if path.is_file():
            files.append(CorpusFile(relative.as_posix(), path, stat.st_size, stat.st_mtime_ns))
    return sorted(files, key=lambda file: file.name)
