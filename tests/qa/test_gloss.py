"""A question in another language glossed word by word into English (qa/gloss.py), and the English pipeline's
ranking of that gloss ordering the cross-lingual path's articles (crosslingual.by_articles)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from embeddings.index.store import PassageRecord
from embeddings.models.multilingual import SecondOpinion, shared_multilingual
from embeddings.qa import crosslingual
from embeddings.qa.gloss import gloss
from embeddings.qa.reader import SURE, Found
from embeddings.qa.retriever import Hit
from tests.qa.test_crosslingual import FakeE5, seed_engine  # noqa: F401  (the module's seed engine fixture)

NEWS = [
    "The rouble is the currency used in Russia, and it fell sharply against the dollar this week.",
    "Officials in Moscow said the central bank would act.",
]


def test_each_word_becomes_the_closest_english_word_of_the_passages_read():
    glossed = gloss("Какая валюта используется в России?", NEWS, shared_multilingual())
    assert glossed is not None
    words = glossed.split()
    assert len(words) == 5 and {"currency", "russia"} <= set(words)  # one English word per word asked
    assert set(words) <= {word.lower().strip(",.") for text in NEWS for word in text.split()} | {"what", "which", "in"}


def test_questions_written_without_spaces_are_not_glossed():
    assert gloss("ロシアの通貨は何ですか？", NEWS, shared_multilingual()) is None
    assert gloss("俄罗斯使用什么货币？", NEWS, shared_multilingual()) is None
    assert gloss("???", NEWS, shared_multilingual()) is None


@dataclass
class FakeCrossLingual:
    vectors: np.ndarray


class FakeIndex:
    """Passages by row: rows 0 and 2 of article 10, rows 1 and 3 of article 20."""

    def __init__(self) -> None:
        self.articles_of = {0: 10, 1: 20, 2: 10, 3: 20}
        self.crosslingual = FakeCrossLingual(np.eye(4, 2, dtype=np.float32))

    def passages(self, rows):
        return [PassageRecord(row, self.articles_of[row], row, None, f"Passage {row} says one thing.") for row in rows]


class FakeEncoder:
    def encode(self, texts):
        return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))

    def encode_query(self, text):
        return np.array([1.0, 0.0], dtype=np.float32)


def scored(row: int, score: float) -> crosslingual.Scored:
    return crosslingual.Scored(Hit(row, score, score, 0.0), score, f"Passage {row} says one thing.", None)


def test_the_gloss_ranking_moves_an_article_ahead_and_an_article_keeps_its_passages_order():
    relevant = [scored(0, 0.5), scored(2, 0.45), scored(1, 0.4)]  # article 10 first on the cross-lingual path
    grouped = crosslingual.by_articles(FakeIndex(), FakeEncoder(), "Вопрос?", relevant, english=[3, 1])
    assert [item.row for item in grouped] == [1, 3, 0, 2]  # article 20 (both rankings name it) first
    assert grouped[1].sentence is not None  # a passage only the English pipeline found is read for its sentence
    scores = [item.score for item in grouped]
    assert scores == sorted(scores, reverse=True)  # never rising: near-ties keep their meaning
    # the English ranking naming article 10's passages the other way round does not reorder them
    same = crosslingual.by_articles(FakeIndex(), FakeEncoder(), "Вопрос?", relevant, english=[2, 0])
    assert [item.row for item in same] == [0, 2, 1]


def test_a_question_is_glossed_for_the_english_ranking_and_answered_as_before(seed_engine):  # noqa: F811
    judge = SecondOpinion()
    judge._model = FakeE5()
    asked: list[str] = []

    def english(text: str, k: int) -> list[int]:
        asked.append(text)
        return list(range(seed_engine.index.info.passages))[::-1][:k]  # the seed's paragraphs backwards

    index, encoder = seed_engine.index, shared_multilingual()
    found, _ = crosslingual.answer(index, encoder, "Кто подписал пакт?", "ru", 3, judge, english=english)
    assert asked and "signed" in asked[0].split()  # "Кто подписал пакт?" read by the English pipeline in English words
    before, _ = crosslingual.answer(index, encoder, "Кто подписал пакт?", "ru", 3, judge)
    shown, kept = [s.paragraph for s in found.sources], [s.paragraph for s in before.sources]
    assert shown[: len(kept)] == kept  # one article: its passages keep their order; the English ranking's come after
    assert found.answer == before.answer and "Kim Jong-un" in found.answer  # no tagger here: the sentence
    asked.clear()
    crosslingual.answer(index, encoder, "協定に署名したのは誰ですか？", "ja", 3, judge, english=english)
    assert asked == []  # not glossed


@pytest.mark.parametrize("question", ["Кто подписал пакт?", "¿Quién firmó el pacto?"])
def test_the_engine_gives_the_cross_lingual_path_its_english_ranking(seed_engine, question, monkeypatch):  # noqa: F811
    read: list[str] = []
    real = seed_engine._rank

    def recording(index, query, k, focus, asked):
        read.append(query)
        return real(index, query, k, focus, asked)

    monkeypatch.setattr(seed_engine, "_rank", recording)
    answer = seed_engine.ask_ranked(question)[0]  # not the answer cache: the path itself
    assert answer.answer == "Vladimir Putin and Kim Jong-un" and read and read[0] != question


class FakeReader:
    """Reads like the English reader: its phrase is the second word of the last passage it is given (None: it would
    give a sentence)."""

    def __init__(self, sure: bool = True) -> None:
        self.sure = sure
        self.read_for: list[tuple[str, list[str], str | None, float]] = []
        self.typed: list[bool] = []

    def read(self, question, passages, contexts=(), topic=None, typed=False, sure=SURE) -> Found | None:
        self.read_for.append((question, list(passages), topic, sure))
        self.typed.append(typed)
        passage = passages[-1]
        start, end = 4, passage.index(" ", 4)
        found = Found(len(passages) - 1, ((start, end),), 0, len(passage), 1.0, passage[start:end], "thing")
        return found if self.sure else None


def test_the_english_reader_answers_a_gloss_when_the_question_words_leave_the_kind_open(seed_engine):  # noqa: F811
    judge = SecondOpinion()
    judge._model = FakeE5()
    index, encoder, reader = seed_engine.index, shared_multilingual(), FakeReader()

    def english(text: str, k: int) -> list[int]:
        return list(range(min(k, index.info.passages)))

    question = "Что намерены укрепить США, Южная Корея и Япония?"  # "what": no kind the question words make clear
    before, _ = crosslingual.answer(index, encoder, question, "ru", 4, judge, english=english)
    found, _ = crosslingual.answer(index, encoder, question, "ru", 4, judge, english=english, reader=reader)
    ((glossed, passages, topic, sure),) = reader.read_for
    assert "strengthen" in glossed.split() and topic == glossed  # the question's gloss, not a follow-up's
    assert sure == crosslingual.GLOSS_SURE > SURE  # a gloss is rougher English than a question asked in English
    shown = [source.quote for source in before.sources]
    assert len(shown) == 4 and passages == shown[: crosslingual.GLOSS_READ] == shown[:3]  # the first sources read
    # the source that holds the phrase comes first, the others keep their order
    assert [source.quote for source in found.sources] == [shown[2], shown[0], shown[1], shown[3]]
    top = found.sources[0]
    assert found.answer == top.quote[4 : top.quote.index(" ", 4)] and found.answer_type == "thing"
    assert top.highlight == (4, len(found.answer) + 4) and top.sentence == (0, len(top.quote))  # the reader's sentence

    # a bare follow-up ("А сколько?" after "Кто подписал пакт?"): its own gloss asks, read with the topic's, and only
    # a phrase of its kind may answer, as on the English path
    topic = "Кто подписал пакт? А сколько?"
    crosslingual.answer(index, encoder, "А сколько?", "ru", 3, judge, english=english, topic=topic, reader=reader)
    (asked, _, read_topic, _) = reader.read_for[-1]
    assert reader.typed == [False, True] and asked != read_topic and "signed" in read_topic.split()


def test_a_gloss_the_english_reader_is_unsure_of_is_answered_with_the_sentence(seed_engine):  # noqa: F811
    judge = SecondOpinion()
    judge._model = FakeE5()
    index, encoder, reader = seed_engine.index, shared_multilingual(), FakeReader(sure=False)
    question = "Что намерены укрепить США, Южная Корея и Япония?"
    unsure, _ = crosslingual.answer(index, encoder, question, "ru", 3, judge, english=lambda text, k: [0, 1], reader=reader)
    before, _ = crosslingual.answer(index, encoder, question, "ru", 3, judge)
    assert reader.read_for and unsure.answer == before.answer and unsure.answer_type is None  # the sentence, as before
    reader.read_for.clear()
    crosslingual.answer(index, encoder, "協定で何を強化しますか？", "ja", 3, judge, english=lambda text, k: [0], reader=reader)
    assert reader.read_for == []  # not glossed: nothing for the English reader to read


def test_the_engine_reads_a_gloss_with_the_english_reader_only_as_sure_as_its_bar(seed_engine, monkeypatch):  # noqa: F811
    asked: list[float] = []
    real = seed_engine.reader.read

    def recording(*args, **kwargs):
        asked.append(kwargs.get("sure", SURE))
        return real(*args, **kwargs)

    monkeypatch.setattr(seed_engine.reader, "read", recording)
    who = seed_engine.ask_ranked("Кто подписал пакт?")[0]
    assert who.answer == "Vladimir Putin and Kim Jong-un" and asked == []  # "Кто" asks for a person: no reader needed
    answer = seed_engine.ask_ranked("Que veulent renforcer les États-Unis, la Corée du Sud et le Japon ?")[0]
    assert asked == [crosslingual.GLOSS_SURE] and crosslingual.GLOSS_SURE > SURE  # a gloss is rougher than English
    assert answer.answer == "diplomatic and security cooperation" and answer.language == "fr"
