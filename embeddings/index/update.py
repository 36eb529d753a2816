"""Keep the index in step with the corpus before answering: build it when missing, update it when stale."""

from __future__ import annotations

from collections.abc import Callable

from embeddings.index.builder import BuildReport, build_index, is_stale
from embeddings.index.store import IndexNotReady, open_index
from embeddings.models.encoder import Encoder
from embeddings.models.multilingual import MultilingualEncoder, shared_multilingual
from embeddings.settings import Settings


def ensure_index(
    settings: Settings,
    encoder: Encoder,
    progress: bool = False,
    log: Callable[[str], None] = lambda message: None,
    multilingual: MultilingualEncoder | None = None,
) -> BuildReport | None:
    """Build or update the index if it is missing, damaged or stale; None when it was already current.

    Without a corpus folder, an existing index is served as it is. With `settings.multilingual`, the index also
    holds the cross-lingual vectors (embedded by `multilingual`, by default the shared one).
    """
    if settings.multilingual and multilingual is None:
        multilingual = shared_multilingual()
    elif not settings.multilingual:
        multilingual = None
    try:
        index = open_index(settings.index)
    except IndexNotReady as error:
        if not settings.corpus.is_dir():
            raise IndexNotReady(f"{error}; there is no corpus folder {settings.corpus} to build it from") from None
        index = None
    if index is not None:
        try:
            named = multilingual.name if multilingual else None
            if not settings.corpus.is_dir() or not is_stale(settings.corpus, index, encoder.name, named):
                return None
        finally:
            index.close()
    return update_index(settings, encoder, progress, log, multilingual)


def update_index(
    settings: Settings,
    encoder: Encoder,
    progress: bool = False,
    log: Callable[[str], None] = lambda message: None,
    multilingual: MultilingualEncoder | None = None,
) -> BuildReport:
    """Build or update the index folder as `settings` say (FAISS layout; the cross-lingual vectors when on)."""
    if settings.multilingual and multilingual is None:
        multilingual = shared_multilingual()
    return build_index(
        settings.corpus,
        settings.index,
        encoder,
        progress=progress,
        log=log,
        exact_max_rows=settings.exact_max_rows,
        nprobe=settings.nprobe,
        multilingual=multilingual if settings.multilingual else None,
    )
