"""`python -m tests.telegram.build_child [--gate DIR] [--disk-full] build|fetch ...`: the real `python -m embeddings`
command with the tests' word-hash encoder, for rebuilds in a child process as the bot runs them.

--gate DIR: before embedding a passage about the Zambezi, create DIR/waiting and wait until DIR/open exists (a slow
rebuild the test releases). --disk-full: writing the dense index fails with ENOSPC (a full disk).
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

import embeddings.cli
import embeddings.models.encoder
from bot.telegram.rebuild import Rebuilder
from embeddings import Engine
from embeddings.index import store
from embeddings.options import index_arguments
from tests.conftest import ROOT, WordHashEncoder


class GatedEncoder(WordHashEncoder):
    def __init__(self, gate: Path | None) -> None:
        super().__init__()
        self.gate = gate

    def encode(self, texts, progress: bool = False):
        if self.gate is not None and any("Zambezi" in text for text in texts):
            (self.gate / "waiting").touch()
            deadline = time.monotonic() + 30
            while not (self.gate / "open").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return super().encode(texts, progress)

    def encode_bulk(self, texts, progress: bool = False):  # `fetch` warms the model up through it
        return self.encode(texts, progress)


def command(*options: str) -> list[str]:
    """The child's command line up to the subcommand (append `build ...` or `fetch ...`); it finds this repository
    without PYTHONPATH."""
    start = f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
    start += "from tests.telegram.build_child import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", start, *options]


def rebuilder(engine: Engine, *options: str, feeds: Path | None = None) -> Rebuilder:
    """A Rebuilder whose children build (or fetch `feeds` and build) the engine's index with the word-hash encoder."""
    folders = index_arguments(engine.settings)
    fetch = [*command(*options), "fetch", "--feeds", str(feeds), *folders] if feeds else None
    return Rebuilder(engine, [*command(*options), "build", *folders, "--quiet"], fetch)


def main(argv: list[str]) -> int:
    gate = None
    if argv[:1] == ["--gate"]:
        gate, argv = Path(argv[1]), argv[2:]
    if argv[:1] == ["--disk-full"]:
        argv = argv[1:]

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        store.save_dense_index = disk_full
    encoder = GatedEncoder(gate)
    embeddings.cli.load_encoder = embeddings.models.encoder.load_encoder = lambda *args, **kwargs: encoder
    return embeddings.cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
