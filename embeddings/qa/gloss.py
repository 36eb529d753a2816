"""A word-by-word English gloss of a question in another language, for the English pipeline to read.

No translation model ships offline, and BM25 and the cross-encoder read English only. But the multilingual encoder
places a word near its translation: each word of the question, embedded alone, is replaced by the closest of the
English words of the passages the question is near (plus English question and function words). "Какая валюта
используется в России?" -> "what currency used in russia"; "한국의 대통령은 누구인가요?" -> "korea president who". The
English pipeline, reading such a gloss, tells which articles a question is about better than the multilingual
encoders (docs/quality.md, "On a real corpus"). Japanese and Chinese, written without spaces, are not glossed: cut
into the encoder's word pieces they gloss badly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from embeddings.models.kept import Kept
from embeddings.models.multilingual import MultilingualEncoder

# English words a question needs that a passage may not say ("who", "how many"), so that its question words have
# a counterpart to map to.
FUNCTION_WORDS = tuple(
    "who whom whose what which when where why how many much long old is are was were did does do has have had will "
    "would can could be been the a an of in on at to for from by with about against between and or not".split()
)
CACHED_WORDS = 50_000  # word vectors kept between questions (2 KB each): news questions come back to the same passages
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_NO_SPACES = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and Han: Japanese and Chinese

_VECTORS: Kept[str, np.ndarray] = Kept(CACHED_WORDS)


def gloss(question: str, passages: Sequence[str], encoder: MultilingualEncoder) -> str | None:
    """The question with each word replaced by its closest English word among `passages`' words and FUNCTION_WORDS;
    None for a question written without spaces (Japanese, Chinese) or without words."""
    if _NO_SPACES.search(question):
        return None
    words = _WORD.findall(question)
    if not words:
        return None
    vocabulary = list(dict.fromkeys([*FUNCTION_WORDS, *(word.lower() for text in passages for word in _WORD.findall(text))]))
    asked = _vectors(encoder, words)
    known = _vectors(encoder, vocabulary)
    return " ".join(vocabulary[int(k)] for k in np.argmax(asked @ known.T, axis=1))


def _vectors(encoder: MultilingualEncoder, words: list[str]) -> np.ndarray:
    """The words' vectors, each embedded alone; those of recently read passages' words are kept."""
    return np.stack(_VECTORS.get_many(words, encoder.encode))
