"""A passage under the abstention bar gets a second look, sentence by sentence, with the real models.

Read whole, a paragraph about many things scores as not answering a question about one detail of it; its sentence
that says it, read after the article's title, scores as answering. Off-topic questions still abstain.
"""

from __future__ import annotations

import pytest

from embeddings import Engine, Settings, ensure_index
from embeddings.models.cross_encoder import probability
from embeddings.qa.engine import shared_reranker
from embeddings.qa.reader import SENTENCE_SURE, Reader, thresholds

TITLE = "Town council approves budget"
COUNCIL = (
    "The council approved the budget on Monday after a long debate about parking fees, school meals and the state of "
    "the town's roads. Councillors also discussed the library's opening hours, a proposal to plant trees along the "
    "river and the cost of the Christmas market. Engineer Maria Okafor will lead the repairs to the harbour bridge, the "
    "council said. A decision on the new swimming pool was postponed until autumn, and the mayor thanked volunteers "
    "who cleaned the beach in May."
)
FINAL = "Ostra United won the national cup final on Sunday, beating Port Vell 3-1 in front of 40,000 fans."
DETAIL = "Which engineer was chosen for the bridge?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, real_encoder) -> Engine:
    folder = tmp_path_factory.mktemp("council")
    corpus = folder / "corpus"
    corpus.mkdir()
    for name, title, body in [("council.md", TITLE, COUNCIL), ("final.md", "Ostra United take the cup", FINAL)]:
        (corpus / name).write_text(f"---\ntitle: {title}\nsource: Vell Gazette\ndate: 2024-05-12\n---\n\n{body}\n", "utf-8")
    settings = Settings(corpus=corpus, index=folder / "index")
    ensure_index(settings, real_encoder)
    return Engine(settings, real_encoder)


def test_the_whole_paragraph_reads_under_the_bar_and_its_sentence_over_it(real_encoder):
    """The premise of the second look, checked on the model itself (if it changes, the engine test below means less)."""
    reranker = shared_reranker()
    whole = Reader(real_encoder, reranker).best_sentences(DETAIL, [COUNCIL], [TITLE])
    assert probability(float(reranker.score(DETAIL, [COUNCIL])[0])) < thresholds("rerank")[0]
    assert whole[0] >= SENTENCE_SURE


def test_without_a_cross_encoder_no_sentence_reads_as_answering(real_encoder):
    assert Reader(real_encoder).best_sentences(DETAIL, [COUNCIL, FINAL], [TITLE]) == [0.0, 0.0]


def test_a_question_about_one_detail_of_a_long_paragraph_is_answered_from_it(engine):
    answer = engine.ask(DETAIL, top_k=2)
    assert not answer.abstained
    assert answer.sources[0].quote == COUNCIL and answer.sources[0].title == TITLE
    assert "Maria Okafor" in answer.answer
    assert answer.sources[0].score >= SENTENCE_SURE  # the sentence's score, which let it through


@pytest.mark.parametrize("question", ["Who won the football match in Madrid?", "What is the capital of Peru?"])
def test_off_topic_questions_still_abstain(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and not answer.sources
