"""The QA sets `evaluate` reads, in either of two layouts, told apart by the fields of the first question.

SQuAD (v1.1 dev as we keep it): two files.
    articles.jsonl   {"id", "title", "paragraphs": [str]}                (also readable as a corpus)
    questions.jsonl  {"id", "question", "answers": [str], "article": id, "paragraph": index, "split"}
RealTime QA (`extractive-2022.jsonl`): one file, each question with its gold article's whole text.
    {"question_id", "question", "answer_text", "answer_start", "article_url", "article_publish_date", "context"}
    The gold paragraph is the paragraph of `context` (blank-line separated) that holds `answer_start`; the
    article is identified by its url; the dev/test split is a hash of the question id.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from embeddings.errors import NewsQAError

SQUAD = "squad"
REALTIMEQA = "realtimeqa"
_SQUAD_FIELDS = {"question", "answers", "article", "paragraph"}
_REALTIMEQA_FIELDS = {"question_id", "question", "answer_text", "answer_start", "article_url", "context"}
_BLANK_LINES = re.compile(r"\n\s*\n")  # how our .jsonl parser splits `text` into paragraphs


class QASetError(NewsQAError):
    """The questions file is empty or in neither layout."""


@dataclass(frozen=True)
class QAItem:
    """One question with the paragraph that answers it.

    `article` names the gold article within the QA set (SQuAD's id, RealTime QA's url); a source is from the gold
    article when its `url` equals `url` (RealTime QA) or, when `url` is empty, its title equals `title` (SQuAD).
    """

    id: str
    question: str
    answers: tuple[str, ...]
    article: str
    title: str
    paragraph: str
    split: str
    url: str = ""
    asked_on: str = ""  # ISO day the question was asked (RealTime QA's quiz date), "" when the set does not say


def read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a .jsonl or .jsonl.gz file, one a line, blank lines skipped."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def detect_layout(questions: Path) -> str:
    """SQUAD or REALTIMEQA, from the fields of the file's first question."""
    for record in read_jsonl(questions):
        if record.keys() >= _REALTIMEQA_FIELDS:
            return REALTIMEQA
        if record.keys() >= _SQUAD_FIELDS:
            return SQUAD
        raise QASetError(
            f"{questions}: the first question has neither SQuAD fields ({', '.join(sorted(_SQUAD_FIELDS))}) "
            f"nor RealTime QA fields ({', '.join(sorted(_REALTIMEQA_FIELDS))})"
        )
    raise QASetError(f"{questions} holds no questions")


def load_qa(
    questions: Path, articles: Path, split: str | None = None, limit: int | None = None, articles_from: int = 0
) -> list[QAItem]:
    """SQuAD layout: questions (of one split, the first `limit`), each with its gold article title and paragraph text.

    `articles_from` skips the first articles of the articles file (in file order) and their questions.
    """
    records = list(read_jsonl(articles))
    by_id = {record["id"]: record for record in records[max(0, articles_from) :]}
    items = []
    for record in read_jsonl(questions):
        if (split and record.get("split") != split) or record["article"] not in by_id:
            continue
        article = by_id[record["article"]]
        items.append(
            QAItem(
                id=str(record["id"]),
                question=record["question"],
                answers=tuple(record["answers"]),
                article=record["article"],
                title=" ".join(article["title"].split()),
                paragraph=" ".join(article["paragraphs"][record["paragraph"]].split()),
                split=record.get("split", ""),
            )
        )
        if limit and len(items) == limit:
            break
    return items


def question_split(question_id: str) -> str:
    """RealTime QA's dev/test split: the parity of the question id's SHA-1."""
    return "dev" if int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph as our .jsonl parser cuts `text`: at blank lines, or at line ends if none."""
    separator = _BLANK_LINES if _BLANK_LINES.search(text) else re.compile(r"\n")
    spans, start = [], 0
    for match in separator.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(begin, end) for begin, end in spans if text[begin:end].strip()]


def gold_paragraph(context: str, answer_start: int) -> str:
    """The paragraph of `context` holding character `answer_start`, with single spaces (as passages are stored)."""
    for start, end in paragraph_spans(context):
        if start <= answer_start < end:
            return " ".join(context[start:end].split())
    return ""


def slug_title(url: str) -> str:
    """A title from a url's slug: its last path segment that is not `index.html` and not all digits, dashes to spaces."""
    segments = [s for s in urlparse(url).path.split("/") if s and s != "index.html" and not s.isdigit()]
    words = segments[-1].replace("-", " ") if segments else ""
    return words[:1].upper() + words[1:]


def load_realtimeqa(questions: Path, split: str | None = None, limit: int | None = None) -> list[QAItem]:
    """RealTime QA layout: questions (of one split, the first `limit`), each with its gold article url and paragraph."""
    items = []
    for record in read_jsonl(questions):
        question_id = str(record["question_id"])
        if split and question_split(question_id) != split:
            continue
        url = record["article_url"]
        items.append(
            QAItem(
                id=question_id,
                question=record["question"],
                answers=(record["answer_text"],),
                article=url,
                title=slug_title(url),
                paragraph=gold_paragraph(record["context"], int(record["answer_start"])),
                split=question_split(question_id),
                url=url,
                asked_on=asked_on(record),
            )
        )
        if limit and len(items) == limit:
            break
    return items


def asked_on(record: dict) -> str:
    """The ISO day a RealTime QA question was asked: its `question_date` ("2022/06/17"), else the date its id starts
    with ("20220617_0"); "" when neither is there."""
    day = str(record.get("question_date") or "").replace("/", "-")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return day
    digits = re.match(r"(\d{4})(\d{2})(\d{2})_", str(record["question_id"]))
    return "-".join(digits.groups()) if digits else ""


def sample(items: Sequence[QAItem], count: int | None, seed: int = 0) -> list[QAItem]:
    """`count` questions drawn at random (reproducible with `seed`), kept in file order; all when count is None."""
    if count is None or count >= len(items):
        return list(items)
    chosen = set(random.Random(seed).sample(range(len(items)), max(0, count)))
    return [item for position, item in enumerate(items) if position in chosen]


def heldout_articles(items: Sequence[QAItem], count: int) -> set[str]:
    """`count` articles spread evenly over the QA set's articles (in order of first question): reproducible."""
    articles = list(dict.fromkeys(item.article for item in items))
    if count <= 0 or not articles:
        return set()
    step = len(articles) / count
    return {articles[int(i * step)] for i in range(min(count, len(articles)))}


TRAIN_ARTICLES = 24  # SQuAD articles (first in file order) whose questions our reader's models may be trained on


def training_articles(folder: Path) -> set[str]:
    """The ids of the SQuAD articles whose questions may be trained on: the first TRAIN_ARTICLES in file order."""
    return {record["id"] for record in list(read_jsonl(folder / "articles.jsonl"))[:TRAIN_ARTICLES]}
