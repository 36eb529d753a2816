"""What every front end does first: read settings, make sure the index is current, open the engine."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from embeddings import Engine, Settings


def quiet_model_loading() -> None:
    """Hide the model library's own progress bars and banners; our build shows its own progress."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def open_engine(
    settings: Settings, log: Callable[[str], None] = lambda m: print(m, file=sys.stderr), mode: str | None = None
) -> Engine:
    """An engine on an index that is up to date with the corpus (built or updated first when needed).

    Questions are embedded by the light ONNX encoder once a build has exported it, so no torch import
    happens here on an index that is up to date; `mode` picks the Engine's pipeline (None: its default).

    Raises a NewsQAError (CorpusMissing, EmptyCorpus, IndexNotReady, ModelUnavailable, ...)
    whose messages tell the user what to do.
    """
    quiet_model_loading()
    return Engine.open(settings, log=log, progress=sys.stderr.isatty(), mode=mode)
