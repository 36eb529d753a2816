"""The bot's one rebuild path (/reload, the feed refresh, /add): a separate, lower-priority process, then a switch.

The build (`python -m embeddings build`, or `fetch`, which fetches the feeds and then builds) runs as a child process
under `os.nice`, so its CPU work neither holds this process's GIL nor competes evenly with answering: the event loop
keeps replying. When the child succeeds the engine switches to the new index version (`Engine.reload()`).
One job runs at a time; whoever asks during a job gets the one job queued after it (requests are coalesced), and a
failed job raises RebuildFailed with the child's own error line, for the admin who asked and the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from embeddings import Engine, NewsQAError, Settings
from embeddings.options import index_arguments

logger = logging.getLogger(__name__)

NICENESS = 10
# The child lowers its own priority first (preexec_fn is unsafe in a process with threads, and the bot has some).
CHILD = f"import os, sys; os.nice({NICENESS}); from embeddings.cli import main; sys.exit(main())"


class RebuildFailed(NewsQAError):
    """The build process failed; the message is its error (what to do), the old index keeps serving."""


@dataclass(frozen=True)
class Rebuilt:
    """What a finished job printed (the build summary, the fetch lines) and whether the engine switched versions."""

    output: str
    switched: bool
    seconds: float


def build_command(settings: Settings, feeds: Path | None = None) -> list[str]:
    """The child's command line: `build`, or with a feed list `fetch` (which builds when it added something), with the
    bot's own index settings (folders, model, backend, multilingual) as flags."""
    folders = index_arguments(settings)
    if feeds is not None:
        return [sys.executable, "-c", CHILD, "fetch", "--feeds", str(feeds), *folders]
    return [sys.executable, "-c", CHILD, "build", *folders, "--quiet"]


def _last_error(stderr: str, stdout: str, code: int) -> str:
    """The child's own reason: its `error:` line, else what it reported as failed (fetch), else its last words."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    failed = [line for line in stdout.splitlines() if line.startswith("failed ")]
    return ("; ".join(errors[-1:] or failed[:3]) or (lines or [f"the build process exited with status {code}"])[-1])[:600]


class Rebuilder:
    """Runs build jobs one at a time in a child process and switches `engine` to each new version."""

    def __init__(self, engine: Engine, build: Sequence[str], fetch: Sequence[str] | None = None) -> None:
        self.engine = engine
        self._commands = {False: list(build), True: list(fetch or build)}
        self._current: asyncio.Task[Rebuilt] | None = None
        self._next: asyncio.Future[Rebuilt] | None = None
        self._next_fetches = False
        self._process: asyncio.subprocess.Process | None = None

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    async def rebuild(self, fetch: bool = False) -> Rebuilt:
        """Rebuild (after fetching the feeds, with `fetch`) and switch; RebuildFailed when the job failed.

        The job survives the caller's cancellation (other callers may be waiting for it).
        """
        return await asyncio.shield(self.request(fetch))

    def request(self, fetch: bool = False) -> asyncio.Future[Rebuilt]:
        """Start a job now, or queue the one job that runs after the current one (shared by all who ask meanwhile)."""
        if not self.running:
            self._current = self._start(fetch)
            return self._current
        self._next_fetches = self._next_fetches or fetch
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        return self._next

    def _start(self, fetch: bool) -> asyncio.Task[Rebuilt]:
        task = asyncio.get_running_loop().create_task(self._run(self._commands[fetch]))
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Rebuilt]) -> None:
        if not task.cancelled() and task.exception() is not None:  # retrieved here: nobody may be waiting
            logger.error("Rebuild failed: %s", task.exception())
        waiting, self._next = self._next, None
        if waiting is None:
            return
        fetch, self._next_fetches = self._next_fetches, False
        self._current = self._start(fetch)
        self._current.add_done_callback(lambda done: _settle(waiting, done))

    async def _run(self, command: list[str]) -> Rebuilt:
        started = time.perf_counter()
        process = self._process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            stdout, stderr = await process.communicate()
        except asyncio.CancelledError:  # the bot is stopping: the build is crash-safe, so stop it too
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        finally:
            self._process = None
        if process.returncode != 0:
            decoded = stderr.decode("utf-8", "replace"), stdout.decode("utf-8", "replace")
            raise RebuildFailed(_last_error(*decoded, process.returncode or 0))
        switched = await asyncio.to_thread(self.engine.reload)
        return Rebuilt(stdout.decode("utf-8", "replace").strip(), switched, time.perf_counter() - started)

    async def close(self) -> None:
        """Stop a running job (at shutdown); the last good index stays as it was."""
        for pending in (self._next, self._current):
            if pending is not None and not pending.done():
                pending.cancel()
        if self._current is not None:
            with contextlib.suppress(asyncio.CancelledError, NewsQAError):
                await self._current


def _settle(waiting: asyncio.Future[Rebuilt], done: asyncio.Task[Rebuilt]) -> None:
    if waiting.done():
        return
    if done.cancelled():
        waiting.cancel()
    elif done.exception() is not None:
        waiting.set_exception(done.exception())  # type: ignore[arg-type]
    else:
        waiting.set_result(done.result())
