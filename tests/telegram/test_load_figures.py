"""The load harness's reading of the record: an answer edited into a "queued" notice counts once, at the edit."""

from __future__ import annotations

from tests.telegram.fake_api import Call
from tests.telegram.load_figures import answer_calls, first_answers, notices


def _sent(chat: int, message_id: int, text: str, at: float, reply_to: int) -> Call:
    params = {"chat_id": chat, "text": text, "reply_parameters": {"message_id": reply_to}}
    return Call("sendMessage", params, True, {"message_id": message_id, "text": text, "reply_to_message": {}}, at=at)


def test_a_notice_counts_as_the_answer_at_the_time_it_was_edited_and_never_if_it_was_not():
    calls = [
        _sent(1, 10, "Queued: 3 ahead of your question. The answer will appear here.", 1.0, reply_to=5),
        _sent(2, 11, "Queued: 1 ahead of your question. The answer will appear here.", 1.5, reply_to=6),
        _sent(1, 12, "Kim Jong-un", 2.0, reply_to=7),
        Call("editMessageText", {"chat_id": 1, "message_id": 10, "text": "<b>Putin</b>"}, True, {"text": "Putin"}, at=4.0),
    ]
    answers = answer_calls(calls)
    shown = [(call.params["chat_id"], call.result["text"], call.at) for call in answers]
    assert shown == [(1, "Putin", 4.0), (1, "Kim Jong-un", 2.0)]
    assert answers[0].params["reply_parameters"] == {"message_id": 5}
    assert notices(calls) == 2


def test_each_chats_first_answer_is_timed_from_its_first_question():
    asked = {(1, 5): ("q", 0.0), (1, 7): ("q", 0.5), (2, 6): ("q", 1.0)}
    replies = {(1, 7): [Call("sendMessage", {}, True, at=3.0)], (1, 5): [Call("sendMessage", {}, True, at=4.0)]}
    assert first_answers(asked, replies) == [3.0]
