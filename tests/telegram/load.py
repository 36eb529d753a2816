"""Load test: a burst of chats asking at once, through the real bot process, with Telegram failing some calls.

    python -m tests.telegram.load [--chats 200] [--per-chat 5] [--fault-rate 0.1] [--flood 50] [--no-reload]
        [--bot-root DIR] [--distinct]

Starts `python -m bot telegram` (the real model) against the fake Bot API on 127.0.0.1. Once it answers, every
chat sends its questions at the same moment; meanwhile one user floods the bot, an admin runs /reload over new
articles, someone asks a 4096-character question, and last a new chat asks one question. With --fault-rate, that
share of sendMessage, sendChatAction and getUpdates calls fails (429 with retry_after, 500, 502, a hung request, a
dropped connection). --bot-root runs another checkout's bot (e.g. /work/main) for a baseline in the same session;
--distinct makes every question's text unique (" (chat.turn)" appended), so no answer cache can help.

Prints: questions answered, lost and duplicated (each answer is a reply to its question, so both are exact),
answers in the wrong chat, error replies, throughput, answer latency p50/p95/p99, the new chat's wait, each chat's
first answer (p50/p95) and the "queued" notices (an answer edited into a notice counts at the edit), what the
flooder got, how answers kept flowing during the rebuild, the faults injected, and the bot's peak RSS.
tests/telegram/test_load.py runs it under the `load` marker and asserts nothing was lost.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.telegram.handlers import SORRY
from tests.conftest import ROOT, SEED
from tests.telegram.fake_api import FAULT_KINDS, FakeTelegram, local_env
from tests.telegram.load_figures import NEWCOMER, NEWCOMER_QUESTION, LoadReport, answer_calls, first_answers, notices

QUESTIONS = [
    "who signed the pact?",
    "what did Seoul, Tokyo and Washington condemn?",
    "when was the agreement signed?",
    "what does the agreement include?",
    "who visited Pyongyang?",
    "what is the recipe for banana bread?",
    "which countries issued a joint statement?",
    "what do the arms transfers violate?",
]
WAIT_PREFIX = "You're asking faster"
ADMIN = {"id": 9001, "is_bot": False, "first_name": "Admin"}
FLOODER = {"id": 9002, "is_bot": False, "first_name": "Flood"}
LONG_ASKER = {"id": 9003, "is_bot": False, "first_name": "Verbose"}
PROBE = {"id": 9004, "is_bot": False, "first_name": "Probe"}  # sends /about (no engine work): the event loop's pulse
STARTUP_TIMEOUT = 300


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def new_articles(corpus: Path, count: int) -> None:
    """`count` small articles for /reload to embed, so the rebuild does real work while chats are answered."""
    for number in range(count):
        paragraphs = [
            f"The council of town {number} approved a budget of {number + 3} million euros for new bridges on Monday.",
            f"Mayor Alex Example{number} said the works on the river crossing {number} would start in the spring.",
            f"Residents of district {number} had asked for safer crossings for years, local reporters wrote.",
        ]
        (corpus / f"load_{number:04d}.txt").write_text(
            f"Town {number} approves bridge budget\n\n" + "\n\n".join(paragraphs) + "\n"
        )


def start_bot(
    fake: FakeTelegram, folder: Path, questions_per_minute: int | None, bot_root: Path = ROOT
) -> tuple[subprocess.Popen, Path]:
    env = local_env({**os.environ, "PYTHONPATH": str(bot_root), "TELEGRAM_BOT_TOKEN": fake.token,
                     "TELEGRAM_ADMIN_IDS": str(ADMIN["id"])})  # fmt: skip
    env.pop("NEWSQA_MODEL", None)
    if questions_per_minute:
        env["TELEGRAM_QUESTIONS_PER_MINUTE"] = str(questions_per_minute)
    log = folder / "bot.log"
    command = [sys.executable, "-m", "bot", "telegram", "--api-base-url", fake.base_url,
               "--corpus", str(folder / "corpus"), "--index", str(folder / "index")]  # fmt: skip
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=stderr, stderr=subprocess.STDOUT)
    return process, log


@dataclass(frozen=True)
class Burst:
    """What the burst sends: `chats` x `per_chat` questions at once, `flood` from one user, /reload over
    `reload_articles` new articles (0: no reload), a 4096-character question; `fault_rate` of calls fail."""

    chats: int = 200
    per_chat: int = 5
    fault_rate: float = 0.0
    flood: int = 50
    reload_articles: int = 40
    long_question: bool = True
    timeout: float = 900  # seconds to wait for every answer
    bot_root: Path = ROOT  # the checkout whose bot runs (another one's, to measure a baseline in the same run)
    distinct: bool = False  # every question's text unique: each one is computed


@dataclass
class Sent:
    """What the burst sent, to match the bot's replies against."""

    started: float
    asked: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)  # (chat, message id) -> (question, at)
    flood_ids: list[int] = field(default_factory=list)
    long_message: dict | None = None
    newcomer: tuple[int, float] | None = None  # (message id, sent at)


def run_load(
    chats: int = 200,
    per_chat: int = 5,
    fault_rate: float = 0.0,
    flood: int = 50,
    reload_articles: int = 40,
    long_question: bool = True,
    timeout: float = 900,
    folder: Path | None = None,
    log: bool = True,
    bot_root: Path = ROOT,
    distinct: bool = False,
) -> LoadReport:
    """Run the burst against a fresh bot process; returns the report (the bot is stopped with SIGTERM)."""
    burst = Burst(chats, per_chat, fault_rate, flood, reload_articles, long_question, timeout, bot_root, distinct)
    say = (lambda message: print(message, file=sys.stderr, flush=True)) if log else (lambda message: None)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram(unique_message_ids=True) as fake:
        folder = folder or Path(tmp)
        (folder / "corpus").mkdir(parents=True, exist_ok=True)
        shutil.copy(SEED, folder / "corpus" / SEED.name)
        process, bot_log = start_bot(fake, folder, None, burst.bot_root)
        try:
            say("starting the bot (builds the index with the real model)…")
            fake.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)
            fake.say("who signed the pact?", user={"id": 9000, "is_bot": False, "first_name": "Warm"})
            fake.wait_for("sendMessage", timeout=120)  # the first answer loads the models
            return _burst(fake, process, bot_log, folder, burst, say)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _burst(
    fake: FakeTelegram, process: subprocess.Popen, bot_log: Path, folder: Path, burst: Burst, say: Callable[[str], None]
) -> LoadReport:
    """Send the burst, wait for the replies, count them, then stop the bot and check its exit code and log."""
    sent = _send(fake, folder, burst, say)
    probe_times = _wait_for_replies(fake, burst, sent)
    time.sleep(2)  # a duplicate would arrive now
    elapsed_end = time.monotonic()
    with fake._lock:
        calls = list(fake.calls)
    replies_to, wrong_chat, errors = _replies_by_question(calls)
    report = _count(sent, burst, replies_to, wrong_chat, errors, dict(fake.faults_injected), probe_times)
    report.first_answer_latencies, report.notices = first_answers(sent.asked, replies_to), notices(calls)
    if sent.newcomer and replies_to.get((NEWCOMER["id"], sent.newcomer[0])):
        report.newcomer_wait = replies_to[(NEWCOMER["id"], sent.newcomer[0])][0].at - sent.newcomer[1]
    _add_reload_figures(report, calls, replies_to, probe_times, say)
    report.peak_rss_mb = peak_rss_mb(process.pid)
    process.send_signal(signal.SIGTERM)
    report.exit_code = process.wait(60)
    report.token_in_log = fake.token in bot_log.read_text(errors="replace")
    say(f"burst finished in {elapsed_end - sent.started:.1f} s")
    return report


def _send(fake: FakeTelegram, folder: Path, burst: Burst, say: Callable[[str], None]) -> Sent:
    """Every chat's questions at the same moment, then the flood, /reload and the long question."""
    if burst.fault_rate:
        fake.inject_faults(burst.fault_rate, ("sendMessage", "sendChatAction", "getUpdates"), FAULT_KINDS, seed=2026)
    if burst.reload_articles:
        new_articles(folder / "corpus", burst.reload_articles)
    users = [{"id": 100_000 + number, "is_bot": False, "first_name": f"Reader {number}"} for number in range(burst.chats)]
    say(f"burst: {burst.chats} chats x {burst.per_chat} questions, flood {burst.flood}, fault rate {burst.fault_rate:.0%}")
    sent = Sent(started=time.monotonic())
    for turn in range(burst.per_chat):
        for number, user in enumerate(users):
            question = QUESTIONS[(number + turn) % len(QUESTIONS)] + (f" ({number}.{turn})" if burst.distinct else "")
            message = fake.say(question, user=user)
            sent.asked[(user["id"], message["message_id"])] = (question, time.monotonic())
    sent.flood_ids = [fake.say(f"who signed the pact? ({number})", user=FLOODER)["message_id"] for number in range(burst.flood)]
    if burst.reload_articles:
        fake.say("/reload", user=ADMIN)
    if burst.long_question:
        sent.long_message = fake.say(("who signed the pact? " * 200)[:4096], user=LONG_ASKER)
    sent.newcomer = (fake.say(NEWCOMER_QUESTION, user=NEWCOMER)["message_id"], time.monotonic())
    return sent


def _wait_for_replies(fake: FakeTelegram, burst: Burst, sent: Sent) -> list[tuple[float, float]]:
    """Wait until every question has a reply and /reload is done (or the timeout), probing the event loop with /about.

    Returns each answered probe's (sent, answered) times.
    """
    deadline = sent.started + burst.timeout
    expected = len(sent.asked) + burst.flood + (1 if burst.long_question else 0) + 1  # + the new chat's
    probe_times: list[tuple[float, float]] = []
    probe_sent: float | None = None
    while time.monotonic() < deadline:
        about = [
            call for call in fake.calls if call.ok and call.method == "sendMessage" and call.params["chat_id"] == PROBE["id"]
        ]
        if probe_sent is not None and len(about) > len(probe_times):
            probe_times.append((probe_sent, about[-1].at))
            probe_sent = None
        if probe_sent is None or time.monotonic() - probe_sent > 30:
            probe_sent = time.monotonic()
            fake.say("/about", user=PROBE)
        with fake._lock:
            calls = list(fake.calls)
        replies = [  # answers to the burst (not the warm-up's)
            call for call in answer_calls(calls) if call.params.get("reply_parameters") and call.at >= sent.started
        ]
        edits = [call for call in calls if call.ok and call.method == "editMessageText" and call.params["chat_id"] == ADMIN["id"]]
        reloaded = not burst.reload_articles or bool(edits)
        if len(replies) >= expected and reloaded:
            break
        time.sleep(0.2)
    return probe_times


def _replies_by_question(calls: list) -> tuple[dict[tuple[int, int], list], int, int]:
    """The bot's replies by the (chat, message id) they answer; and how many went to a wrong chat or were errors."""
    replies_to: dict[tuple[int, int], list] = {}
    wrong_chat = errors = 0
    for call in answer_calls(calls):
        if call.result["text"] == SORRY:
            errors += 1
        reply = call.params.get("reply_parameters")
        if not reply:
            continue
        if "reply_to_message" not in call.result:  # the question is not in the chat it was sent to
            wrong_chat += 1
            continue
        replies_to.setdefault((call.params["chat_id"], reply["message_id"]), []).append(call)
    return replies_to, wrong_chat, errors


def _count(
    sent: Sent,
    burst: Burst,
    replies_to: dict[tuple[int, int], list],
    wrong_chat: int,
    errors: int,
    faults: dict[str, int],
    probe_times: list[tuple[float, float]],
) -> LoadReport:
    """The report's counts and latencies: each question's replies, the flooder's, the long question's."""
    latencies, last_answer = [], sent.started
    for key, (_, sent_at) in sent.asked.items():
        answers = replies_to.get(key, [])
        if answers:
            latencies.append(answers[0].at - sent_at)
            last_answer = max(last_answer, answers[0].at)
    counts = [len(replies_to.get(key, [])) for key in sent.asked]
    flood_texts = [replies_to.get((FLOODER["id"], message_id), []) for message_id in sent.flood_ids]
    report = LoadReport(
        questions=len(sent.asked),
        answered=sum(1 for count in counts if count),
        lost=sum(1 for count in counts if count == 0),
        duplicated=sum(count - 1 for count in counts if count > 1),
        wrong_chat=wrong_chat,
        errors=errors,
        seconds=max(last_answer - sent.started, 1e-9),
        latencies=latencies,
        flood_sent=burst.flood,
        flood_answered=sum(1 for texts in flood_texts if len(texts) == 1 and not texts[0].result["text"].startswith(WAIT_PREFIX)),
        flood_told_to_wait=sum(1 for texts in flood_texts if len(texts) == 1 and texts[0].result["text"].startswith(WAIT_PREFIX)),
        faults=faults,
        probe_latencies=[answered - asked for asked, answered in probe_times],
    )
    if sent.long_message is not None:
        report.long_question_answered = len(replies_to.get((LONG_ASKER["id"], sent.long_message["message_id"]), [])) == 1
    return report


def _add_reload_figures(
    report: LoadReport,
    calls: list,
    replies_to: dict[tuple[int, int], list],
    probe_times: list[tuple[float, float]],
    say: Callable[[str], None],
) -> None:
    """How long /reload took, and how answers and /about probes kept flowing while it rebuilt."""
    rebuilding = [call for call in calls if call.ok and call.method == "sendMessage" and call.params["chat_id"] == ADMIN["id"]]
    reloaded = [call for call in calls if call.ok and call.method == "editMessageText" and call.params["chat_id"] == ADMIN["id"]]
    if not (rebuilding and reloaded):
        return
    begin, end = rebuilding[0].at, reloaded[0].at
    report.reload_seconds = end - begin
    during = sorted(replies[0].at for replies in replies_to.values() if begin <= replies[0].at <= end)
    report.answers_during_reload = len(during)
    marks = [begin, *during, end]
    report.longest_gap_during_reload = max(later - earlier for earlier, later in itertools.pairwise(marks))
    overlapping = [answered - sent for sent, answered in probe_times if sent <= end and answered >= begin]
    report.probe_max_during_reload = max(overlapping, default=None)
    report.reload_ok = reloaded[-1].result["text"].startswith("Reloaded.")
    if not report.reload_ok:
        say(f"reload did not succeed: {reloaded[-1].result['text']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=5, help="questions each chat sends at once (default 5)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of Bot API calls that fail (e.g. 0.1)")
    parser.add_argument("--flood", type=int, default=50, help="questions one user sends at once (0: none)")
    parser.add_argument("--no-reload", action="store_true", help="do not run /reload during the burst")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for all answers")
    parser.add_argument("--bot-root", type=Path, default=ROOT, help="checkout whose bot to run (e.g. main, for a baseline)")
    parser.add_argument("--distinct", action="store_true", help="make every question's text unique (no cache hits)")
    args = parser.parse_args()
    os.environ.update(local_env(dict(os.environ)))
    reload_articles = 0 if args.no_reload else 40
    report = run_load(
        args.chats,
        args.per_chat,
        args.fault_rate,
        args.flood,
        reload_articles,
        timeout=args.timeout,
        bot_root=args.bot_root,
        distinct=args.distinct,
    )
    print("\n".join(report.lines()))
    print("RESULT:", "ok (0 lost, 0 duplicated)" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
