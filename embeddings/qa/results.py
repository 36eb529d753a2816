"""The answer as plain typed data: built by the engine, rendered by the front ends."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from embeddings.qa.links import quote_link


@dataclass(frozen=True)
class ArticleSummary:
    """One indexed article, as front ends list them (`/articles`)."""

    title: str
    outlet: str | None
    date: str | None
    url: str | None
    path: str
    passages: int


@dataclass(frozen=True)
class Source:
    """One quoted passage and the article it comes from.

    `quote` is the passage verbatim; `highlight` is the (start, end) of the answer inside it, when known (the
    short answer: a name, date or number when the reader is sure of it, else the answering sentence);
    `sentence` is the (start, end) of the sentence that holds the answer; `highlights` every piece of the answer
    when it has several ("Vladimir Putin" and "Kim Jong-un"), `highlight` being the first.
    `date` is ISO 8601 (YYYY-MM-DD). `paragraph` counts the article's body paragraphs from 1.
    """

    title: str
    outlet: str | None
    date: str | None
    url: str | None
    path: str
    paragraph: int
    quote: str
    score: float
    heading: str | None = None
    highlight: tuple[int, int] | None = None
    sentence: tuple[int, int] | None = None
    highlights: tuple[tuple[int, int], ...] | None = None

    @property
    def link(self) -> str | None:
        """The url opened at this passage (a `#:~:text=` fragment of the quote's first words); None without a url."""
        return quote_link(self.url, self.quote)


@dataclass(frozen=True)
class AnswerDate:
    """A date in the answer that the article states relative to its own date ("last week"), resolved.

    `first`/`last` are ISO dates (equal for one day); `description` says it in words ("the week of Jun 17, 2024").
    """

    text: str
    first: str
    last: str
    description: str
    article_date: str


@dataclass(frozen=True)
class Answer:
    """The engine's reply to one question. When `abstained`, `answer` is None and `sources` is empty."""

    question: str
    answer: str | None
    abstained: bool
    sources: list[Source] = field(default_factory=list)
    answer_type: str | None = None  # the kind of phrase answered ("person", "place", "date"...); None for a sentence
    answer_date: AnswerDate | None = None  # a relative date in the answer, resolved against its article's date
    language: str = "en"  # the question's language (ISO 639-1), which the front ends answer in

    def to_dict(self) -> dict:
        """The JSON shape of `ask --json` (minus `text`, which the front end adds)."""
        data = asdict(self)
        for source in data["sources"]:
            source["score"] = round(source["score"], 4)
            source["highlight"] = list(source["highlight"]) if source["highlight"] else None
            source["sentence"] = list(source["sentence"]) if source["sentence"] else None
            source["highlights"] = [list(span) for span in source["highlights"]] if source["highlights"] else None
            source["link"] = quote_link(source["url"], source["quote"])
        return data
