"""The load test's report, and the figures it reads off the fake's record: answers that replaced a "queued" notice,
the new chat's wait and each chat's first answer.

A question that waited may first get a "Queued: N ahead…" reply, later edited into its answer: the answer then
counts at the edit, and a notice never edited counts as no answer at all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from tests.telegram.fake_api import Call

NOTICE_PREFIX = "Queued:"  # bot.messages.ENGLISH.queued; the harness also runs older bots, so it does not import it
NEWCOMER = {"id": 9005, "is_bot": False, "first_name": "Newcomer"}
NEWCOMER_QUESTION = "What is the agreement called?"


def answer_calls(calls: list[Call]) -> list[Call]:
    """The bot's successful sendMessage calls, each notice replaced by the edit that made it an answer (at its time)."""
    edits: dict[tuple[int, int], Call] = {}
    for call in calls:
        if call.ok and call.method == "editMessageText":
            edits.setdefault((int(call.params["chat_id"]), int(call.params["message_id"])), call)
    answers = []
    for call in calls:
        if not (call.ok and call.method == "sendMessage"):
            continue
        if call.result["text"].startswith(NOTICE_PREFIX):
            edit = edits.get((int(call.params["chat_id"]), call.result["message_id"]))
            if edit is None:
                continue
            result = {**edit.result, "reply_to_message": call.result.get("reply_to_message")}
            call = dataclasses.replace(call, result={k: v for k, v in result.items() if v is not None}, at=edit.at)
        answers.append(call)
    return answers


def notices(calls: list[Call]) -> int:
    """How many "queued" notices the bot sent."""
    return sum(1 for call in calls if call.ok and call.method == "sendMessage" and call.result["text"].startswith(NOTICE_PREFIX))


def first_answers(asked: dict[tuple[int, int], tuple[str, float]], replies_to: dict[tuple[int, int], list]) -> list[float]:
    """Per chat, seconds from its first question to its first answer (chats never answered are left out)."""
    first_asked: dict[int, float] = {}
    first_answer: dict[int, float] = {}
    for (chat, message_id), (_, at) in asked.items():
        first_asked[chat] = min(first_asked.get(chat, at), at)
        answers = replies_to.get((chat, message_id))
        if answers:
            first_answer[chat] = min(first_answer.get(chat, answers[0].at), answers[0].at)
    return [first_answer[chat] - first_asked[chat] for chat in first_answer]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@dataclass
class LoadReport:
    """What happened to the burst; `ok` when nothing was lost, duplicated, misdelivered or answered with an error."""

    questions: int
    answered: int
    lost: int
    duplicated: int
    wrong_chat: int
    errors: int
    seconds: float
    latencies: list[float]
    flood_sent: int = 0
    flood_answered: int = 0
    flood_told_to_wait: int = 0
    reload_seconds: float | None = None
    reload_ok: bool = False
    answers_during_reload: int = 0
    longest_gap_during_reload: float | None = None
    long_question_answered: bool | None = None
    probe_latencies: list[float] = field(default_factory=list)
    probe_max_during_reload: float | None = None
    faults: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    exit_code: int | None = None
    token_in_log: bool = False
    newcomer_wait: float | None = None  # seconds the chat that asked last, once, waited for its answer
    first_answer_latencies: list[float] = field(default_factory=list)  # per chat: first question to first answer
    notices: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.wrong_chat == 0
            and self.errors == 0
            and self.exit_code == 0
            and not self.token_in_log
            and self.long_question_answered is not False
            and self.newcomer_wait is not None
        )

    def percentile(self, share: float) -> float:
        return percentile(self.latencies, share)

    def lines(self) -> list[str]:
        lines = [
            f"questions:            {self.questions} ({self.answered} answered, {self.lost} lost, {self.duplicated} duplicated,"
            f" {self.wrong_chat} in a wrong chat, {self.errors} error replies)",
            f"throughput:           {self.answered / self.seconds:.1f} answers/s over {self.seconds:.1f} s",
            f"answer latency:       p50 {self.percentile(0.50):.2f} s, p95 {self.percentile(0.95):.2f} s,"
            f" p99 {self.percentile(0.99):.2f} s, max {max(self.latencies, default=0):.2f} s",
            "new chat's question:  "
            + ("NOT answered" if self.newcomer_wait is None else f"answered in {self.newcomer_wait:.2f} s"),
            f"each chat's 1st answer: p50 {percentile(self.first_answer_latencies, 0.5):.2f} s,"
            f" p95 {percentile(self.first_answer_latencies, 0.95):.2f} s over {len(self.first_answer_latencies)} chats;"
            f" {self.notices} 'queued' notices",
        ]
        if self.flood_sent:
            lines.append(
                f"flooding user:        sent {self.flood_sent} at once: {self.flood_answered} answered,"
                f" {self.flood_told_to_wait} told to wait by the per-user limit"
            )
        if self.reload_seconds is not None:
            gap = self.longest_gap_during_reload
            lines.append(
                f"/reload:              rebuilt in {self.reload_seconds:.1f} s; {self.answers_during_reload} answers to other"
                f" chats meanwhile, longest gap {gap if gap is not None else float('nan'):.2f} s"
            )
        if self.probe_latencies:
            probes = sorted(self.probe_latencies)
            lines.append(
                f"event loop (/about):  {len(probes)} probes during the burst, reply p50 {probes[len(probes) // 2]:.2f} s,"
                f" max {probes[-1]:.2f} s"
                + (f" (max while rebuilding: {self.probe_max_during_reload:.2f} s)" if self.probe_max_during_reload else "")
            )
        if self.long_question_answered is not None:
            lines.append(f"4096-char question:   {'answered' if self.long_question_answered else 'NOT answered'}")
        injected = sum(self.faults.values())
        lines.append(
            f"faults injected:      {injected} ({', '.join(f'{k}: {v}' for k, v in sorted(self.faults.items())) or 'none'})"
        )
        lines.append(
            f"bot peak RSS:         {self.peak_rss_mb:.0f} MB; exit code {self.exit_code}; token in log: {self.token_in_log}"
        )
        return lines
