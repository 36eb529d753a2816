"""The long run (marker `load`, not in the default run): a burst through the real bot process with the real model.

    python -m pytest -m load                      # all long runs (this one and the 10,000-file corpus)
    LOAD_CHATS=200 python -m pytest -m load       # the full 200 chats x 5 questions

LOAD_CHATS (default 40), LOAD_PER_CHAT (5) and LOAD_FAULT_RATE (0.1) size it; the default keeps CI to a few minutes
on 2 cores. `python -m tests.telegram.load --help` runs the same burst as a benchmark that only prints.
"""

from __future__ import annotations

import os

import pytest

from tests.telegram.fake_api import local_env
from tests.telegram.load import run_load

FLOOD = 30


@pytest.mark.load
def test_a_burst_of_chats_with_ten_percent_of_telegram_calls_failing_loses_and_duplicates_no_question(monkeypatch):
    for key, value in local_env(dict(os.environ)).items():
        monkeypatch.setenv(key, value)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    report = run_load(
        chats=int(os.environ.get("LOAD_CHATS", "40")),
        per_chat=int(os.environ.get("LOAD_PER_CHAT", "5")),
        fault_rate=float(os.environ.get("LOAD_FAULT_RATE", "0.1")),
        flood=FLOOD,
        timeout=float(os.environ.get("LOAD_TIMEOUT", "900")),
    )
    print("\n".join(report.lines()))
    assert (report.lost, report.duplicated, report.wrong_chat, report.errors) == (0, 0, 0, 0)
    assert report.exit_code == 0 and not report.token_in_log
    # The per-user limit (10 a minute) lets each chat's 5 questions through and holds the flooder to 10.
    assert (report.flood_answered, report.flood_told_to_wait) == (10, FLOOD - 10)
    assert report.long_question_answered
    assert report.reload_ok and report.answers_during_reload > 0  # other chats answered meanwhile
    assert report.probe_latencies  # the event loop answered /about during the burst
    if float(os.environ.get("LOAD_FAULT_RATE", "0.1")) > 0:
        assert sum(report.faults.values()) > 0
