"""A short English answer to a question asked in another language, when the question's kind is clear.

The cross-lingual path (crosslingual.py) answers with the best sentence of the quoted passage. When the question
asks for a person, a date, a place or an amount (its question word says so: кто/quién/wer/qui/누가/誰/谁 ...), the
phrase of that kind in that sentence is the answer, as the English reader would give it: spaCy's entities on the
English passage (models/entities.py), of the labels the English reader expects for that kind (answer_types.py),
less those the question already names (the same words, or a translation the multilingual encoder finds close),
joined into one answer when the sentence lists them ("South Korea, Japan and the United States") or joins two
("Putin ... together with Kim Jong-un", reader.py). It is the answer only when it is clear: one candidate (or one
list) of the kind, or one that the multilingual encoder puts clearly closer to the question than the others (the
candidate read in its clause); otherwise the sentence stays the answer. A passage that is not English keeps it too.
Thresholds set on tests/data/seed_questions_multilingual.jsonl (docs/quality.md): 84 questions about one article.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from embeddings.models.entities import EntityTagger, Mention, TaggerUnavailable
from embeddings.models.multilingual import MultilingualEncoder
from embeddings.qa.answer_types import DATE, MONEY, NUMBER, PERCENT, PERSON, PLACE, AnswerType, answer_type
from embeddings.qa.candidates import WORD, content_words
from embeddings.qa.language import question_language
from embeddings.qa.pieces import JOINERS, LIST_GAP

NAMED = 0.62  # multilingual cosine from which a candidate counts as named by the question (a translation of it)
MARGIN = 0.08  # how much closer to the question the winner's clause must be than the runner-up's
JOIN_BAR = 0.48  # cosine of the question to the words joining two names ("who signed the pact together with")

# Per kind, the question words of each language that ask for it; the earliest one in the question decides
# ("Кто посетил Пхеньян, когда ..." asks who). "Which country" forms ask for a place.
_WORDS: list[tuple[str, frozenset[str], str]] = [
    (
        "place",
        PLACE,
        r"какие страны|какая страна|какой стране|qué países|qué país|welche[sn]? (?:länder|land|staat)"
        r"|quels? pays|나라는|어느 나라|어떤 나라|どの国|国はどこ|哪些国家|哪个国家|什么国家",
    ),
    ("amount", MONEY | NUMBER | PERCENT, r"сколько|cuánt[oa]s?|wie viele?|combien|얼마|몇|いくら|何人|何個|何回|多少|几"),
    (
        "date",
        DATE,
        r"когда|cuándo|wann|quand|언제|いつ|什么时候|何时|何時|哪一年|哪年|в каком году|en qué año"
        r"|in welchem jahr|en quelle année|몇 년|何年",
    ),
    ("person", PERSON, r"кто|кого|quién(?:es)?|\bwer\b|\bwem\b|\bwen\b|\bqui\b|누가|누구|誰|谁"),
    ("place", PLACE, r"где|куда|dónde|\bwo\b|\bwohin\b|\boù\b|어디|どこ|哪里|哪儿"),
]
_PATTERNS = [(name, labels, re.compile(words, re.I)) for name, labels, words in _WORDS]
_KINDS = frozenset(name for name, _, _ in _WORDS)
_CLAUSE = re.compile(r"[,;:()“”\"]|\b(?:which|who|that|and|together with|after|before|when)\b")


def question_kind(question: str) -> AnswerType | None:
    """The kind of short answer a non-English question asks for (its earliest question word), or None. An English
    question takes this path as a follow-up to one in another language ("and when?"): its kind is the English
    reader's, when it is one of these."""
    found = [(match.start(), name, labels) for name, labels, pattern in _PATTERNS if (match := pattern.search(question))]
    if not found:
        english = answer_type(question)
        return AnswerType(english.name, english.labels) if english.name in _KINDS else None
    _, name, labels = min(found, key=lambda item: item[0])
    return AnswerType(name, labels)


Unit = tuple[int, int]  # a mention, or a list of them ("South Korea, Japan and the United States"), in the sentence


def short_answer(
    question: str, text: str, span: tuple[int, int], tagger: EntityTagger, encoder: MultilingualEncoder
) -> tuple[str, tuple[tuple[int, int], ...], str] | None:
    """(answer, its pieces in `text`, kind) for the sentence `span` of the quoted passage `text`; None if unclear."""
    kind = question_kind(question)
    sentence = text[span[0] : span[1]]
    if kind is None or question_language(sentence) != "en":  # spaCy's English model reads English passages only
        return None
    try:
        mentions = [m for m in tagger.mentions([sentence])[0] if kind.accepts(m.label)]
    except TaggerUnavailable:
        return None
    units = _unnamed(question, sentence, _lists(sentence, mentions), encoder)
    if not units:
        return None
    scores = _closeness(question, sentence, units, encoder)
    order = np.argsort(-scores)
    best = units[int(order[0])]
    pieces = [best]
    partner = _partner(question, sentence, best, units, encoder)
    if partner is not None:
        pieces = sorted([best, partner])
    rivals = [float(scores[i]) for i in order[1:] if units[i] not in pieces]
    if rivals and float(scores[order[0]]) - max(rivals) < MARGIN:
        return None
    spans = tuple((span[0] + start, span[0] + end) for start, end in pieces)
    return " and ".join(text[start:end] for start, end in spans), spans, kind.name


def _lists(sentence: str, mentions: list[Mention]) -> list[list[Unit]]:
    """The mentions in reading order, those the sentence lists together (", ", " and ") grouped."""
    groups: list[list[Unit]] = []
    for mention in sorted(mentions, key=lambda m: m.start):
        if groups and LIST_GAP.fullmatch(sentence[groups[-1][-1][1] : mention.start]):
            groups[-1].append((mention.start, mention.end))
        else:
            groups.append([(mention.start, mention.end)])
    return groups


def _unnamed(question: str, sentence: str, groups: list[list[Unit]], encoder: MultilingualEncoder) -> list[Unit]:
    """The lists (and single mentions) the question does not name: one of their items is neither one of its words
    nor close to one of its words or word pairs (a translation: "Россией" names "Russia")."""
    asked = content_words(question)
    items = [item for group in groups for item in group]
    texts = [sentence[start:end] for start, end in items]
    pieces = _pieces(question)
    named = np.zeros(len(items))
    if items and pieces:
        vectors = encoder.encode(texts + pieces)
        named = (vectors[: len(items)] @ vectors[len(items) :].T).max(axis=1)
    unnamed = {
        item
        for item, text, value in zip(items, texts, named, strict=True)
        if content_words(text) and not content_words(text) <= asked and value < NAMED
    }
    return [(group[0][0], group[-1][1]) for group in groups if unnamed.intersection(group)]


def _pieces(question: str) -> list[str]:
    """The question's words and word pairs; for scripts without spaces, its runs of two to four characters."""
    words = WORD.findall(question)
    if len(words) <= 2 and len(question) > 6:  # Chinese, Japanese: no spaces between words
        run = "".join(words)
        return list(dict.fromkeys(run[i : i + n] for n in (2, 3, 4) for i in range(len(run) - n + 1)))
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


def _closeness(question: str, sentence: str, units: list[Unit], encoder: MultilingualEncoder) -> np.ndarray:
    """Each unit read in its clause (two clause breaks back, to the next break) against the question."""
    clauses = []
    for start, end in units:
        breaks = [m.end() for m in _CLAUSE.finditer(sentence, 0, start)]
        after = _CLAUSE.search(sentence, end)
        clauses.append(sentence[breaks[-2] if len(breaks) >= 2 else 0 : after.start() if after else len(sentence)])
    return encoder.encode([clause.strip() for clause in clauses]) @ encoder.encode_query(question)


def _partner(question: str, sentence: str, best: Unit, units: list[Unit], encoder: MultilingualEncoder) -> Unit | None:
    """A second name the sentence joins to the best one ("Putin, who signed the pact together with ... Kim"), when
    the joining words answer the question (they do for "who signed?", not for "who visited Pyongyang?")."""
    for other in units:
        left, right = sorted((best, other))
        between = sentence[left[1] : right[0]]
        joiners = list(JOINERS.finditer(between))
        if other == best or not joiners or len(WORD.findall(between)) > 10:
            continue
        relation = between[: joiners[-1].end()].strip(" ,;:")
        if float(encoder.encode([relation])[0] @ encoder.encode_query(question)) >= JOIN_BAR:
            return other
    return None
