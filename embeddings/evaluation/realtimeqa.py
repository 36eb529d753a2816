"""The corpus a RealTime QA evaluation searches: every question's gold article plus N other news articles.

Built from the RealTime QA articles file (`url`, `title`, `text`, `publish_date` "YYYY/MM/DD", `authors`) and
written as one of our .jsonl corpus files (`title`, `text`, `url`, `date` ISO, `source`). The construction is
fixed, so figures from different runs (and other measurements that build it the same way) are comparable:

- gold article per question (first question of each url): the articles file's title for its url when the file
  has it, else a title made from the url's slug; text = the question's `context`; date = its publish date.
- others: the file's articles whose url is no gold url and whose publish date starts with the gold questions'
  most common year, ordered by the SHA-1 hex digest of their url; the first N.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlparse

from embeddings.evaluation.qa_sets import read_jsonl, slug_title

CORPUS_FILE = "realtimeqa.jsonl"


def outlet(url: str) -> str:
    """The url's host without "www." (cnn.com, usatoday.com)."""
    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else host


def iso_date(date: str) -> str:
    """RealTime QA's "YYYY/MM/DD" as ISO "YYYY-MM-DD"."""
    return date.replace("/", "-")


def main_year(questions: Sequence[dict]) -> str:
    """The most common publish year of the questions' gold articles."""
    years = Counter(str(q.get("article_publish_date") or "")[:4] for q in questions)
    return years.most_common(1)[0][0] if years else ""


def _url_digest(record: dict) -> str:
    return hashlib.sha1(str(record.get("url") or "").encode("utf-8")).hexdigest()


def _scan(articles: Iterable[dict], gold_urls: set[str], year: str, titles: dict[str, str]) -> Iterator[dict]:
    """The candidate other articles; on the way, the title of each gold url's first record goes into `titles`.

    One pass, because the articles file is large (tens of thousands of articles).
    """
    for record in articles:
        url = record.get("url")
        if url in gold_urls:
            titles.setdefault(url, record.get("title"))
        elif str(record.get("publish_date") or "").startswith(year):
            yield record


def corpus_records(questions: Sequence[dict], articles: Iterable[dict], others: int) -> list[dict]:
    """Our corpus records: the gold articles (in order of first question), then `others` other articles."""
    gold_urls = {q["article_url"] for q in questions}
    titles: dict[str, str] = {}
    # nsmallest is sorted(...)[:others] without holding every candidate: stable, so equal urls keep file order.
    chosen = heapq.nsmallest(max(0, others), _scan(articles, gold_urls, main_year(questions), titles), key=_url_digest)
    records, seen = [], set()
    for question in questions:
        url = question["article_url"]
        if url in seen:
            continue
        seen.add(url)
        title = titles[url] if url in titles else slug_title(url)
        records.append(_record(title, question["context"], url, str(question.get("article_publish_date") or "")))
    for article in chosen:
        url = article["url"]
        records.append(_record(article.get("title"), article.get("text"), url, str(article.get("publish_date") or "")))
    return records


def _record(title: str | None, text: str | None, url: str, date: str) -> dict:
    return {"title": title, "text": text, "url": url, "date": iso_date(date), "source": outlet(url)}


def write_corpus(questions_file: Path, articles_file: Path, folder: Path, others: int) -> Path:
    """Write the corpus file into `folder` (rewritten only when its content changes, so an index build can skip it)."""
    records = corpus_records(list(read_jsonl(questions_file)), read_jsonl(articles_file), others)
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / CORPUS_FILE
    if not target.is_file() or target.read_text("utf-8") != text:
        target.write_text(text, "utf-8")
    return target
