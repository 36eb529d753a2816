"""The index backend a setting chooses: the FAISS + SQLite folder (default) or a Qdrant collection.

Everything above retrieval sees a PassageStore; only building, opening and noticing a new version differ.
"""

from __future__ import annotations

from collections.abc import Callable

from embeddings.index.builder import BuildReport
from embeddings.index.passage_store import PassageStore
from embeddings.index.store import IndexNotReady, current_version, open_index
from embeddings.index.update import ensure_index, update_index
from embeddings.models.encoder import Encoder
from embeddings.settings import Settings


def open_store(settings: Settings) -> PassageStore:
    """The live version, ready to search; IndexNotReady when there is none."""
    if settings.backend != "qdrant":
        return open_index(settings.index)
    from embeddings.index.qdrant.collections import connect, live_collection
    from embeddings.index.qdrant.store import QdrantStore

    client = connect(settings)
    live = live_collection(client, settings.collection)
    if live is None:
        raise IndexNotReady(
            f"no Qdrant collection {settings.collection}: run `python -m embeddings build --backend qdrant` to build it"
        )
    return QdrantStore(client, live)


def live_version(settings: Settings) -> str | None:
    """The name of the live version (a folder or a collection), to tell whether a reload has anything new."""
    if settings.backend != "qdrant":
        folder = current_version(settings.index)
        return folder.name if folder else None
    from embeddings.index.qdrant.collections import connect, live_collection

    return live_collection(connect(settings), settings.collection)


def build(
    settings: Settings, encoder: Encoder, progress: bool = False, log: Callable[[str], None] = lambda message: None
) -> BuildReport:
    """Bring the live version up to date with the corpus (only new or edited articles are embedded).

    On the qdrant backend without a corpus folder (a bot replica), nothing is built: the report is the live version's.
    """
    if settings.backend != "qdrant":
        return update_index(settings, encoder, progress, log)
    if not settings.corpus.is_dir():
        # A bot replica: one builder elsewhere owns the corpus and moves the alias; here a refresh only reloads.
        info = open_store(settings).info
        return BuildReport(unchanged=info.articles, articles=info.articles, passages=info.passages)
    from embeddings.index.qdrant.build import build_qdrant

    return build_qdrant(settings, encoder, progress=progress, log=log)


def ensure(
    settings: Settings, encoder: Encoder, progress: bool = False, log: Callable[[str], None] = lambda message: None
) -> BuildReport | None:
    """Build or update the live version when it is missing or stale; without a corpus folder, serve what exists."""
    if settings.backend != "qdrant":
        return ensure_index(settings, encoder, progress=progress, log=log)
    if not settings.corpus.is_dir():
        open_store(settings)  # IndexNotReady when there is nothing to serve
        return None
    report = build(settings, encoder, progress=progress, log=log)
    return None if report.up_to_date else report
