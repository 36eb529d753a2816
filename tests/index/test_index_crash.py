"""`kill -9` of a rebuild at random moments always leaves an index that opens and answers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from embeddings import Engine, Settings, build_index
from tests.conftest import ROOT, WordHashEncoder

BUILD = (
    "import sys; from pathlib import Path; from tests.conftest import WordHashEncoder; "
    "from embeddings import build_index; build_index(Path(sys.argv[1]), Path(sys.argv[2]), WordHashEncoder())"
)


def write_stories(corpus: Path, count: int, topic: str) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (corpus / f"{topic}-{number:04d}.txt").write_text(
            f"{topic} story {number}\n\nThe {topic} report number {number} was published today.\n\n"
            f"Officials said the {topic} work would continue next week.\n",
            "utf-8",
        )


def test_killed_rebuilds_never_break_the_live_index(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_stories(corpus, 300, "harbour")
    build_index(corpus, index, WordHashEncoder())
    write_stories(corpus, 1500, "bridge")  # the rebuild now has real work to do
    settings = Settings(corpus=corpus, index=index)
    rng = random.Random(20261127)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    for _trial in range(10):
        process = subprocess.Popen(
            [sys.executable, "-c", BUILD, str(corpus), str(index)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        engine = Engine(settings, WordHashEncoder())
        answer = engine.ask("harbour report published")
        assert not answer.abstained and "harbour" in answer.sources[0].title
        engine.index.close()

    report = build_index(corpus, index, WordHashEncoder())
    assert report.articles == 1800
    assert not [child for child in index.iterdir() if child.name.startswith(".tmp-")]
    assert len([child for child in index.iterdir() if child.name.startswith("v-")]) <= 2
