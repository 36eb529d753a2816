"""Settings are read once, from the environment and then flags; nothing else reads NEWSQA_* variables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from embeddings import Settings
from tests.conftest import ROOT


def test_environment_then_flags(monkeypatch):
    for name, value in {
        "NEWSQA_CORPUS": "articles",
        "NEWSQA_PRECISION": "fp32",
        "NEWSQA_CACHE": "/tmp/cache",
        "NEWSQA_EXACT_MAX_ROWS": "20",
        "NEWSQA_NPROBE": "8",
        "NEWSQA_RERANK": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NEWSQA_MODEL", raising=False)
    settings = Settings.from_env(index="idx", nprobe=4, model=None)
    assert (settings.corpus, settings.index, settings.model) == (Path("articles"), Path("idx"), Settings.model)
    assert (settings.precision, settings.cache, settings.exact_max_rows, settings.nprobe) == ("fp32", Path("/tmp/cache"), 20, 4)
    assert settings.rerank is False and settings.top_k == 3


def test_defaults_without_environment(monkeypatch):
    for name in ("NEWSQA_PRECISION", "NEWSQA_CACHE", "NEWSQA_EXACT_MAX_ROWS", "NEWSQA_NPROBE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.precision, settings.cache, settings.exact_max_rows, settings.nprobe) == ("auto", None, 50_000, 24)


def test_no_module_reads_the_environment_when_imported():
    script = (
        "import os; os.environ['NEWSQA_EXACT_MAX_ROWS'] = 'not a number'; os.environ['NEWSQA_NPROBE'] = 'x'; "
        "import embeddings, embeddings.cli, embeddings.index.dense as dense; print(dense.EXACT_MAX_ROWS, dense.NPROBE)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["50000", "24"]
