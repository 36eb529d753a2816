"""The question-answering engine over a corpus of news articles.

The small typed API the front ends use:

    settings = Settings.from_env(corpus="corpus", index="index")
    ensure_index(settings)                  # build or update when missing or stale
    engine = Engine(settings)
    answer = engine.ask("who signed the pact?")   # -> Answer(answer, abstained, sources=[Source...])
"""

from embeddings.builder import BuildReport, EmptyCorpus, build_index
from embeddings.corpus import CorpusMissing
from embeddings.encoder import Encoder, ModelUnavailable, load_encoder
from embeddings.engine import ArticleSummary, EmptyQuestion, Engine
from embeddings.results import Answer, Source
from embeddings.settings import Settings
from embeddings.store import IndexInfo, IndexNotReady, write_failure
from embeddings.update import ensure_index

__all__ = [
    "Answer",
    "ArticleSummary",
    "BuildReport",
    "CorpusMissing",
    "EmptyCorpus",
    "EmptyQuestion",
    "Encoder",
    "Engine",
    "IndexInfo",
    "IndexNotReady",
    "ModelUnavailable",
    "Settings",
    "Source",
    "build_index",
    "ensure_index",
    "load_encoder",
    "write_failure",
]
