"""The bot's one rebuild path: a child process at lower priority, one at a time, requests coalesced, failures raised
with the child's own reason, and the event loop free meanwhile."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import embeddings.cli
from bot.telegram.rebuild import CHILD, NICENESS, Rebuilder, RebuildFailed, build_command
from embeddings import Settings
from embeddings.options import settings_from


class SwitchingEngine:
    """Stands in for Engine: counts the switches to a new index version."""

    def __init__(self) -> None:
        self.switches = 0

    def reload(self) -> bool:
        self.switches += 1
        return True


def job(log: Path, seconds: float = 0.5, code: int = 0, error: str = "") -> list[str]:
    """A child that notes its start in `log`, sleeps, prints, and exits with `code` (after `error` on stderr)."""
    script = (
        f"import sys, time; open({str(log)!r}, 'a').write('run\\n'); time.sleep({seconds}); print('built'); "
        f"sys.stderr.write({error!r}); sys.exit({code})"
    )
    return [sys.executable, "-c", script]


async def test_requests_during_a_rebuild_share_one_more_rebuild_after_it(tmp_path):
    engine = SwitchingEngine()
    rebuilder = Rebuilder(engine, job(tmp_path / "runs"))  # type: ignore[arg-type]
    first = asyncio.create_task(rebuilder.rebuild())
    await asyncio.sleep(0.1)
    assert rebuilder.running
    later = [asyncio.create_task(rebuilder.rebuild()) for _ in range(3)]
    results = await asyncio.gather(first, *later)
    assert (tmp_path / "runs").read_text() == "run\nrun\n"  # 4 requests, 2 builds, one after the other
    assert [result.output for result in results] == ["built"] * 4 and engine.switches == 2
    assert results[1] is results[2] is results[3] and results[0] is not results[1]
    assert not rebuilder.running


async def test_a_failed_rebuild_raises_the_childs_error_line_and_does_not_switch(tmp_path):
    engine = SwitchingEngine()
    failing = job(tmp_path / "runs", 0, code=2, error="Loading...\nerror: corpus folder x does not exist: create it\n")
    with pytest.raises(RebuildFailed, match=r"^corpus folder x does not exist: create it$"):
        await Rebuilder(engine, failing).rebuild()  # type: ignore[arg-type]
    crashed = job(tmp_path / "runs", 0, code=1, error="Traceback (most recent call last):\nMemoryError\n")
    with pytest.raises(RebuildFailed, match=r"^MemoryError$"):
        await Rebuilder(engine, crashed).rebuild()  # type: ignore[arg-type]
    assert engine.switches == 0


async def test_the_event_loop_keeps_answering_while_a_busy_child_rebuilds(tmp_path):
    burn = [sys.executable, "-c", "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass"]
    rebuilder = Rebuilder(SwitchingEngine(), burn)  # type: ignore[arg-type]
    task = asyncio.create_task(rebuilder.rebuild())
    worst = 0.0
    while not task.done():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - started)
    await task
    assert worst < 0.5


async def test_close_stops_a_running_child(tmp_path):
    rebuilder = Rebuilder(SwitchingEngine(), job(tmp_path / "runs", seconds=30))  # type: ignore[arg-type]
    task = asyncio.create_task(rebuilder.rebuild())
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    await rebuilder.close()
    assert time.perf_counter() - started < 5 and not rebuilder.running
    with pytest.raises(asyncio.CancelledError):
        await task


def test_the_child_runs_at_lower_priority_and_the_build_command_is_the_public_cli(tmp_path):
    lowered = CHILD.split("; from")[0] + "; print(os.nice(0))"  # the child's first step, then its priority
    niced = subprocess.run([sys.executable, "-c", lowered], capture_output=True, text=True)
    assert int(niced.stdout) == NICENESS + os.nice(0)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", model="some/model", multilingual=False)
    command = build_command(settings)
    assert command[1:3] == ["-c", CHILD] and command[3:] == [
        "build", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index"), "--model", "some/model",
        "--no-multilingual", "--backend", "faiss", "--collection", settings.collection, "--quiet",
    ]  # fmt: skip
    # The child reads back exactly the bot's settings (a flag given to the bot reaches its rebuilds).
    parsed = embeddings.cli.build_parser().parse_args(command[3:])
    chosen = settings_from(parsed)
    for field in ("corpus", "index", "model", "multilingual", "backend", "collection"):
        assert getattr(chosen, field) == getattr(settings, field)
    feeds = build_command(settings, tmp_path / "feeds.txt")
    assert feeds[3:6] == ["fetch", "--feeds", str(tmp_path / "feeds.txt")]
