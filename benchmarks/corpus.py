"""The bench's workload: its own copy of a corpus, the texts the builder embeds, the questions it times, one edit."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from benchmarks.corpus_subset import write_subset
from embeddings.index.builder import passage_texts
from embeddings.ingest.corpus import scan
from embeddings.ingest.parsing import parse_bytes
from embeddings.ingest.passages import split_passages


def prepare_corpus(source: Path, work: Path, limit: int | None) -> Path:
    """A corpus folder the bench may modify: a subset written from a .jsonl[.gz] file, or a copy of a folder."""
    corpus = work / "corpus"
    if source.is_dir():
        if not corpus.exists():
            shutil.copytree(source, corpus)
        return corpus
    write_subset(source, corpus, limit or 10**12)
    return corpus


def dense_texts(corpus: Path) -> list[str]:
    """What the builder embeds for this corpus, passage by passage."""
    texts = []
    for file in scan(corpus):
        data, _ = file.read()
        for article in parse_bytes(data, file.name, lambda problem: None):
            texts.extend(passage_texts(article.title, p.heading, p.text)[0] for p in split_passages(article))
    return texts


def load_questions(path: Path | None, corpus: Path, count: int) -> list[str]:
    """Questions from a file (JSON lines with "question", or plain lines), else article titles as questions."""
    questions: list[str] = []
    if path is not None:
        for line in path.read_text("utf-8").splitlines():
            line = line.strip()
            if line.startswith("{"):
                line = str(json.loads(line).get("question") or "")
            if line:
                questions.append(line)
    else:
        for file in scan(corpus):
            data, _ = file.read()
            questions.extend(article.title for article in parse_bytes(data, file.name, lambda problem: None))
    random.Random(5).shuffle(questions)
    return questions[:count]


def change_one_article(corpus: Path) -> str:
    """Edit one paragraph of one article in place (the first file holding one); returns the file's name."""
    for file in scan(corpus):
        text = file.path.read_text("utf-8")
        if file.name.endswith(".jsonl"):
            lines = text.splitlines(keepends=True)
            record = json.loads(lines[0])
            if record.get("paragraphs"):
                record["paragraphs"][0] = str(record["paragraphs"][0]) + " (Updated by the benchmark.)"
            else:
                record["text"] = str(record.get("text", "")) + "\n\nA paragraph added by the benchmark."
            lines[0] = json.dumps(record, ensure_ascii=False) + "\n"
            file.path.write_text("".join(lines), "utf-8")
        else:
            file.path.write_text(text.rstrip("\n") + "\n\nA paragraph added by the benchmark.\n", "utf-8")
        return file.name
    raise ValueError(f"no article file in {corpus}")
