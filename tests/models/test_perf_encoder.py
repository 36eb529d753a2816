"""The accelerated encoders give the same vectors as sentence-transformers in fp32, and are picked as configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.models.encoder import Encoder, LightEncoder, choose_precision, native_bf16
from embeddings.settings import DEFAULT_MODEL, Settings

TEXTS = [
    "Who signed the pact?",
    "The harbour reopened on Monday after three months of repairs, and the first ships returned at dawn.",
    "Vladimir Putin and Kim Jong-un signed the Comprehensive Strategic Partnership Agreement in Pyongyang "
    "last week, pledging mutual military assistance if either country is attacked. " * 3,
    "x",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Encoder, Path]:
    """The packaged model in fp32, with its question encoder exported to a cache folder of its own."""
    cache = tmp_path_factory.mktemp("cache")
    encoder = Encoder(DEFAULT_MODEL, precision="fp32", cache_dir=cache)
    encoder.encode_bulk(["warm up"])  # loading the torch model exports the ONNX question encoder
    return encoder, cache


def test_light_encoder_reproduces_sentence_transformers(exported):
    encoder, _ = exported
    light = encoder.light()
    assert isinstance(light, LightEncoder)
    expected = encoder._load().encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    together = light.encode(TEXTS)
    alone = np.stack([light.encode([text])[0] for text in TEXTS])
    assert np.min(np.sum(together * expected, axis=1)) >= 0.999
    assert np.min(np.sum(alone * expected, axis=1)) >= 0.999
    assert np.allclose(together, alone, atol=1e-5)


def test_light_encoder_keeps_the_order_of_texts_of_mixed_lengths(exported):
    """Texts run in groups of one token length: each row still belongs to its own text."""
    encoder, _ = exported
    light = encoder.light()
    texts = ["Pyongyang", "Kim Jong-un", "the pact", "Vladimir Putin", "Pyongyang", "a mutual defence treaty", "x"]
    together = light.encode(texts)
    alone = np.stack([light.encode([text])[0] for text in texts])
    assert together.shape == (len(texts), light.dimension)
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(together[0], together[4], atol=1e-6)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_questions_are_embedded_without_importing_torch(exported):
    _, cache = exported
    script = (
        "import sys; from pathlib import Path; from embeddings.models.encoder import Encoder; "
        f"e = Encoder({DEFAULT_MODEL!r}, cache_dir=Path({str(cache)!r})); v = e.encode_query('who signed the pact?'); "
        "print(len(v), e.dimension, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["384", "384", "False", "False"]


def test_a_damaged_export_falls_back_to_torch(exported, tmp_path):
    encoder, cache = exported
    broken = tmp_path / "cache"
    folder = next(cache.glob("query-*"))
    (broken / folder.name).mkdir(parents=True)
    (broken / folder.name / "model.onnx").write_bytes(b"not a model")
    fallback = Encoder(DEFAULT_MODEL, precision="fp32", cache_dir=broken)
    vector = fallback.encode_query("Who signed the pact?")
    assert fallback.light() is None
    assert float(vector @ encoder.encode_bulk(["Who signed the pact?"])[0]) >= 0.999


def test_another_precision_shares_the_loaded_weights(exported):
    encoder, _ = exported
    fp32, bf16 = encoder.with_precision("fp32"), encoder.with_precision("bf16")
    assert fp32._load() is encoder._load() and bf16._load() is encoder._load()
    assert (fp32.name, fp32.precision, bf16.precision) == (encoder.name, "fp32", "bf16")
    assert np.allclose(fp32.encode_bulk(TEXTS), encoder.encode_bulk(TEXTS), atol=1e-6)


@pytest.mark.skipif(not native_bf16(), reason="this CPU has no native bf16")
def test_bf16_build_vectors_match_fp32(exported):
    encoder, _ = exported
    fast = encoder.with_precision("bf16")
    cosines = np.sum(fast.encode_bulk(TEXTS) * encoder.encode_bulk(TEXTS), axis=1)
    assert cosines.min() >= 0.999


def test_precision_is_chosen_by_the_cpu_unless_set(monkeypatch):
    monkeypatch.delenv("NEWSQA_PRECISION", raising=False)
    assert choose_precision(Settings.from_env().precision) == ("bf16" if native_bf16() else "fp32")
    monkeypatch.setattr("embeddings.models.encoder.native_bf16", lambda: False)
    assert choose_precision("auto") == "fp32"
    monkeypatch.setenv("NEWSQA_PRECISION", "bf16")
    assert choose_precision(Settings.from_env().precision) == "bf16"
    assert choose_precision(Settings.from_env(precision="fp32").precision) == "fp32"  # a flag wins over the environment
    assert Encoder(DEFAULT_MODEL, precision=Settings.from_env().precision, cache_dir=False).precision == "bf16"
    with pytest.raises(ValueError, match="precision must be one of"):
        choose_precision("int4")
