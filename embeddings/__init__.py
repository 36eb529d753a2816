"""The question-answering engine over a corpus of news articles.

The small typed API the front ends use:

    settings = Settings.from_env(corpus="corpus", index="index")
    engine = Engine.open(settings)                 # builds or updates the index first when missing or stale
    answer = engine.ask("who signed the pact?")    # -> Answer(answer, abstained, sources=[Source...])
    engine.ask("who resigned this week?", asked=Asked.as_of_day("2022-07-08"))  # the news as it stood that day
    engine.refresh()                               # re-read the corpus (only changes are embedded) and switch

Every error a user can act on is a `NewsQAError` whose message says what to do.
"""

from embeddings.errors import NewsQAError
from embeddings.index.builder import BuildReport, EmptyCorpus, build_index
from embeddings.index.store import IndexInfo, IndexNotReady, write_failure
from embeddings.index.update import ensure_index
from embeddings.ingest.corpus import CorpusMissing
from embeddings.models.encoder import Encoder, ModelUnavailable, load_encoder
from embeddings.qa.engine import EmptyQuestion, Engine
from embeddings.qa.recency import Asked
from embeddings.qa.results import Answer, AnswerDate, ArticleSummary, Source
from embeddings.settings import DEFAULT_TOP_K, Settings

__all__ = [
    "DEFAULT_TOP_K",
    "Answer",
    "AnswerDate",
    "ArticleSummary",
    "Asked",
    "BuildReport",
    "CorpusMissing",
    "EmptyCorpus",
    "EmptyQuestion",
    "Encoder",
    "Engine",
    "IndexInfo",
    "IndexNotReady",
    "ModelUnavailable",
    "NewsQAError",
    "Settings",
    "Source",
    "build_index",
    "ensure_index",
    "load_encoder",
    "write_failure",
]
