"""What kind of phrase a question asks for: "who" a person, "where" a place, "which park" a place, "how much" money.

The reader prefers candidates of the expected kind (spaCy's entity labels); a question with no clear kind
("what is the biggest threat?") accepts noun phrases, and "why"/"how" questions get the answering sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.models.entities import PHRASE, QUOTE
from embeddings.models.span_head import SPAN

PERSON = frozenset({"PERSON"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
ORGANIZATION = frozenset({"ORG"})
DATE = frozenset({"DATE", "TIME"})
NUMBER = frozenset({"CARDINAL", "QUANTITY"})
MONEY = frozenset({"MONEY"})
PERCENT = frozenset({"PERCENT"})
WORK = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "ORG", QUOTE})  # titles of works are often in quotes: “Grease”
# In news countries and cities act ("South Korea, Japan and the United States condemned the pact"; "Moscow says"):
# they may answer "who", though a person or organization is what the reader expects first.
ACTING_PLACES = frozenset({"GPE"})
# Names that can answer "which X": not NORP ("French", "South Korean"), which qualifies a noun rather than naming one.
ANY_NAME = frozenset({"PERSON", "GPE", "LOC", "FAC", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"})

# The noun after "which"/"what" names the kind: "which country" wants a place, "what company" an organization.
_NOUNS: dict[frozenset[str], str] = {
    PERSON: "person man woman people leader president actor actress singer star celebrity player quarterback athlete "
    "official politician senator governor candidate ceo founder director author writer artist musician rapper comedian "
    "king queen prince princess minister judge lawmaker journalist host coach billionaire investor executive icon legend "
    "figure personality justice chancellor pope emperor general commander boss owner champion winner mayor spokesperson "
    "individual golfer golfer tennis boxer driver pitcher rider swimmer runner skier celebrity monarch successor heir "
    "scientist doctor astronaut lawyer attorney suspect victim",
    PLACE: "country nation state city town region province island county capital territory area continent place village "
    "neighborhood neighbourhood location river lake mountain volcano ocean sea park border port airport destination",
    ORGANIZATION: "company firm organization organisation team agency group party university college school network "
    "airline brand league club retailer chain bank corporation startup manufacturer automaker carrier service restaurant "
    "store newspaper channel band union court committee government department ministry institution platform app website "
    "site studio publisher maker giant nonprofit charity church broadcaster",
    WORK: "show movie film book song album game series novel play musical program programme documentary painting product "
    "device phone car vehicle drug vaccine event award awards prize festival tournament competition championship ceremony "
    "holiday storm hurricane mission spacecraft rocket",
    frozenset({"NORP"}): "nationality religion ethnicity",
    frozenset({"LANGUAGE"}): "language",
    frozenset({"LAW"}): "law bill act legislation amendment treaty",
    DATE: "year date day month decade century time",
    NUMBER: "score scoreline tally",  # "what was the final score?" -> "24–10", a cardinal
    MONEY: "price cost amount sum fee salary fine",
    PERCENT: "percentage percent share proportion",
}
_KIND_OF_NOUN = {noun: labels for labels, nouns in _NOUNS.items() for noun in nouns.split()}

_OPENINGS: list[tuple[re.Pattern[str], str, frozenset[str]]] = [
    (re.compile(r"\b(?:what|which) (?:percentage|percent|share|proportion)\b", re.I), "percent", PERCENT),
    (re.compile(r"\bhow much\b", re.I), "amount", MONEY | NUMBER | PERCENT),
    (re.compile(r"\bhow many\b", re.I), "number", NUMBER | MONEY),
    (
        # "how long is the bridge?" a size; "how long is the trial expected to last?" a duration
        re.compile(
            r"\bhow (?:long|far|tall|high|big|wide|deep|large) (?:is|was|are|were)\b"
            r"(?!.*\b(?:last|lasts|take|takes|stay|stays|remain|remains|continue|continues)\b)",
            re.I,
        ),
        "size",
        frozenset({"QUANTITY"}),
    ),
    (re.compile(r"\bhow (?:long|soon|often)\b", re.I), "duration", DATE | NUMBER),
    (re.compile(r"\bhow old\b", re.I), "age", DATE | NUMBER),
    (re.compile(r"\b(?:when|what time)\b", re.I), "date", DATE),
    (re.compile(r"\b(?:in |during )?(?:what|which) (?:year|date|decade|century|month|day)\b", re.I), "date", DATE),
    (re.compile(r"\bwhere\b", re.I), "place", PLACE | ORGANIZATION),
    (re.compile(r"\bwho(?:m|se)?\b", re.I), "person", PERSON | ORGANIZATION | frozenset({"NORP"})),
    (
        # "call" as naming, not "call for"; "term" as a verb, not "terms" or "terminated"
        re.compile(
            r"\b(?:how|what) (?:did|does|do|has|have|would)\b.*\b(?:describ|characteri[sz]|label"
            r"|call(?:s|ed|ing)?\b(?!\s+(?:for|on|off|in|out|up|back)\b)|term(?:ed)?\b)",
            re.I,
        ),
        "description",
        frozenset({QUOTE}),
    ),
    (re.compile(r"\b(?:why|how)\b", re.I), "reason", frozenset()),
]
_MEASURES = frozenset({"duration", "number", "amount", "percent", "age", "size"})
_ASKS_WHICH_WHAT = re.compile(r"\b(?:which|what)\b", re.I)
_WHICH_NOUN = re.compile(
    r"\b(?:which|what)\s+((?:[\w’'-]+\s+){0,3}?[\w’'-]+)\s+(?:is|are|was|were|did|does|do|has|have|had|will|can|could|would)\b",
    re.I,
)

# What "how many" counts: the first plural among the four words after it ("how many positive monkeypox cases are
# ..." -> cases, "how many people live ..." -> people).
_HOW_MANY = re.compile(r"\bhow many\s+((?:[\w’'-]+\s*){1,4})", re.I)
_IRREGULAR_PLURALS = frozenset("people children men women feet teeth mice geese police staff personnel".split())
_NOT_PLURALS = frozenset("is was has does his hers its this us as thus yes".split())


def counted_noun(question: str) -> str | None:
    """The plural noun a "how many" question counts, lowercased; None when there is none."""
    found = _HOW_MANY.search(question)
    words = [word.lower() for word in re.findall(r"[\w’'-]+", found.group(1))] if found else []
    return next(
        (w for w in words if w in _IRREGULAR_PLURALS or (w.endswith("s") and not w.endswith("ss") and w not in _NOT_PLURALS)),
        None,
    )


NAMES_AND_PHRASES = ANY_NAME | {PHRASE, QUOTE}


@dataclass(frozen=True)
class AnswerType:
    """The kind of answer asked for; `labels` empty means no phrase answers it (show the sentence).

    `phrase` is what a "which/what" question names ("professional basketball player"): any name or noun phrase
    may then answer, those with the expected labels and those whose meaning is close to the phrase first.
    """

    name: str
    labels: frozenset[str]
    phrase: str | None = None
    counted: str | None = None  # what a "how many" question counts ("how many minutes did ..." -> "minutes")
    also: frozenset[str] = frozenset()  # labels that may answer though not the kind expected

    def accepts(self, label: str) -> bool:
        return label in self.labels

    def says(self, label: str) -> bool:
        """Does a mention with this label say what the question asks, on its own? As `accepts`, but a bare count
        answers "how many", not "how much" ("how much?" -> "two", from "its two allies")."""
        return self.accepts(label) and not (self.name == "amount" and label == "CARDINAL")

    def admits(self, label: str) -> bool:
        """May a mention with this label answer at all? Names and phrases may, when the question names a kind; the
        span head's own proposals may whenever a phrase is wanted (their weights say how far to trust them)."""
        if label == SPAN:
            return self.wants_phrase
        return label in self.labels or label in self.also or (self.phrase is not None and label in NAMES_AND_PHRASES)

    @property
    def measures(self) -> bool:
        """Does it ask how long, how many, how much, how old, how big or what percentage: a number or a length of
        time, never a name? ("When" may be answered by a clause: "when the Methodists in America were separated".)"""
        return self.name in _MEASURES

    @property
    def wants_phrase(self) -> bool:
        return bool(self.labels) or self.phrase is not None


def answer_type(question: str, asked_noun: str | None = None, asked_phrase: str | None = None) -> AnswerType:
    """The kind of answer `question` asks for; `asked_noun` is the noun its "which"/"what" determines, when known."""
    noun = asked_noun or _guess_asked_noun(question)
    if noun:
        labels = _KIND_OF_NOUN.get(noun) or _KIND_OF_NOUN.get(noun.rstrip("s")) or _KIND_OF_NOUN.get(noun.removesuffix("es"))
        if labels in (DATE, MONEY, PERCENT):
            return AnswerType(noun, labels)  # "what year", "what price": a date or amount, nothing else
        if labels or asked_phrase:
            return AnswerType(noun, labels or frozenset(), asked_phrase or noun)
    opening = _opening(_asking_sentence(question)) or _opening(question, earliest=False)
    if opening is not None:
        name, labels = opening
        counted = counted_noun(question) if name == "number" else None
        return AnswerType(name, labels, counted=counted, also=ACTING_PLACES if name == "person" else frozenset())
    if _ASKS_WHICH_WHAT.search(question):
        return AnswerType("thing", NAMES_AND_PHRASES)
    return AnswerType("unknown", frozenset())


def _opening(text: str, earliest: bool = True) -> tuple[str, frozenset[str]] | None:
    """The kind the question word of `text` asks for: the one said first ("Who visited Pyongyang when the pact was
    signed?" asks who), or, with `earliest=False`, the first kind in _OPENINGS's order whose words it holds."""
    found = [(match.start(), order) for order, (pattern, _, _) in enumerate(_OPENINGS) if (match := pattern.search(text))]
    if not found:
        return None
    _, order = min(found) if earliest else min(found, key=lambda item: item[1])
    return _OPENINGS[order][1], _OPENINGS[order][2]


def _asking_sentence(question: str) -> str:
    """The sentence that asks: quiz questions often state the news first ("Aaron Judge, who hit ..., broke a record.
    How many home runs ...?"), and a "who" there is not the question's."""
    return re.split(r"(?<=[.!?])\s+(?=\S)", question.strip())[-1]


def _guess_asked_noun(question: str) -> str | None:
    """Without a parser: the last word between "which"/"what" and the verb ("which US national park was" -> park)."""
    match = _WHICH_NOUN.search(question)
    return match.group(1).split()[-1].lower() if match else None
