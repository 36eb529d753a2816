"""Cold start, measured from outside: a fresh `python -m bot ask` process, and the Telegram bot against a stub Bot API.

The stub answers the Bot API methods python-telegram-bot calls while starting, notes when the first
getUpdates arrives (the bot is ready), hands out one question as an update, and notes when the answer's
sendMessage arrives (the first answer). No network and no Telegram token are involved. `measure_start` runs
both for the bench and reports them next to what `import sentence_transformers` alone costs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.report import Report, timed
from embeddings.settings import Settings

TOKEN = "123456:bench-token"


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "TRANSFORMERS_VERBOSITY": "error"}


def ask_cold_start(index: Path, corpus: Path, question: str, mode: str | None = None) -> tuple[float, float | None]:
    """Seconds from starting `python -m bot ask QUESTION` to its exit (answer printed), and its peak RSS in MiB.

    With `mode`, the same path (open_engine, ask, print JSON) runs with that Engine mode instead of the default.
    The peak RSS comes from GNU time where installed (getrusage in this process would count the bench's own).
    """
    if mode is None:
        command = ["-m", "bot", "ask", "--index", str(index), "--corpus", str(corpus), "--json", question]
    else:
        command = ["-m", "benchmarks.cold_start", str(index), str(corpus), question, mode]
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    prefix = ["/usr/bin/time", "-f", "maxrss=%M"] if gnu_time else []
    started = time.perf_counter()
    process = subprocess.run([*prefix, sys.executable, *command], capture_output=True, text=True, env=_child_env())
    seconds = time.perf_counter() - started
    if process.returncode != 0 or not process.stdout.strip():
        raise RuntimeError(f"`python -m bot ask` failed ({process.returncode}): {process.stderr[-500:]}")
    found = re.search(r"maxrss=(\d+)", process.stderr)
    return seconds, int(found.group(1)) / 1024 if found else None


def ask_with_mode(index: Path, corpus: Path, question: str, mode: str) -> None:
    """What `python -m bot ask --json` does, with an Engine mode chosen (run as a child by ask_cold_start)."""
    from bot.render import to_json
    from bot.session import open_engine
    from embeddings import Settings

    engine = open_engine(Settings.from_env(corpus=corpus, index=index), mode=mode)
    print(json.dumps(to_json(engine.ask(question)), ensure_ascii=False))


class _StubBotApi(BaseHTTPRequestHandler):
    """Enough of the Bot API for python-telegram-bot to start, receive one message and answer it."""

    server: _StubServer

    def log_message(self, format: str, *args: object) -> None:  # the bench prints its own report
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        method = self.path.rsplit("/", 1)[-1]
        self._reply(self.server.handle(method))

    do_GET = do_POST

    def _reply(self, result: object) -> None:
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the bot was stopped mid-poll
            self.wfile.write(body)


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, question: str) -> None:
        super().__init__(("127.0.0.1", 0), _StubBotApi)
        self.question = question
        self.ready_at: float | None = None
        self.answered_at: float | None = None
        self.answered = threading.Event()
        self._delivered = False
        self._lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a stopped bot drops its long poll; nothing to report

    def handle(self, method: str) -> object:
        now = time.perf_counter()
        chat = {"id": 4242, "type": "private", "first_name": "Bench"}
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot",
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}  # fmt: skip
        if method == "getUpdates":
            with self._lock:
                if self.ready_at is None:
                    self.ready_at = now
                if not self._delivered:
                    self._delivered = True
                    message = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": self.question,
                               "from": {"id": 4242, "is_bot": False, "first_name": "Bench"}}  # fmt: skip
                    return [{"update_id": 1, "message": message}]
            time.sleep(0.2)
            return []
        if method.startswith(("send", "edit")) and method != "sendChatAction":
            if method == "sendMessage" and self.answered_at is None:
                self.answered_at = now
                self.answered.set()
            return {"message_id": 2, "date": int(time.time()), "chat": chat, "text": "ok"}
        return True


def telegram_cold_start(index: Path, corpus: Path, question: str, timeout: float = 120.0) -> tuple[float, float]:
    """Seconds from starting `python -m bot telegram` to its first getUpdates (ready) and to its first answer."""
    server = _StubServer(question)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {**_child_env(), "TELEGRAM_BOT_TOKEN": TOKEN}
    env.pop("TELEGRAM_ALLOWED_IDS", None)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "telegram", "--index", str(index), "--corpus", str(corpus), "--api-base-url", base],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        if not server.answered.wait(timeout):
            raise RuntimeError("the Telegram bot did not answer within the timeout")
        assert server.ready_at is not None and server.answered_at is not None
        return server.ready_at - started, server.answered_at - started
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        server.shutdown()


def measure_start(report: Report, settings: Settings, question: str, telegram: bool) -> None:
    """Fresh processes: `bot ask` to its answer, the Telegram bot to ready and to its first answer."""
    baseline = timed(lambda: subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True))
    for mode in (None, "hybrid"):
        try:
            runs = [ask_cold_start(settings.index, settings.corpus, question, mode) for _ in range(3)]
        except RuntimeError as error:
            report.line("start", f"mode {mode}: not measured ({error})")
            continue
        seconds = statistics.median(run[0] for run in runs)
        rss = max((run[1] or 0.0) for run in runs)
        what = "`python -m bot ask`" if mode is None else f"the same with Engine mode {mode}"
        report.line(
            "start",
            f"{what} to its answer: median {seconds:.2f} s of 3 (runs {', '.join(f'{r[0]:.2f}' for r in runs)}), "
            f"peak RSS {rss:.0f} MiB; `import sentence_transformers` alone takes {baseline:.2f} s "
            f"(start/baseline {seconds / baseline:.2f})",
            **{f"ask_{mode or 'default'}_seconds": seconds, f"ask_{mode or 'default'}_peak_rss_mib": rss},
            import_sentence_transformers_seconds=baseline,
        )
    if not telegram:
        return
    try:
        ready, answered = telegram_cold_start(settings.index, settings.corpus, question)
    except (RuntimeError, OSError) as error:
        report.line("start", f"Telegram bot: not measured ({error})")
        return
    report.line(
        "start",
        f"`python -m bot telegram` ready (first getUpdates) after {ready:.2f} s, first answer sent after "
        f"{answered:.2f} s (stub Bot API on localhost)",
        telegram_ready_seconds=ready,
        telegram_first_answer_seconds=answered,
    )


if __name__ == "__main__":
    ask_with_mode(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4])
