"""The corpus and index an evaluation searches: the corpus as given (or built for RealTime QA), and held-out copies."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

from embeddings.evaluation.qa_sets import read_jsonl
from embeddings.evaluation.realtimeqa import write_corpus
from embeddings.index.builder import build_index
from embeddings.ingest.corpus import CorpusMissing
from embeddings.models.encoder import Encoder
from embeddings.settings import Settings


def corpus_folder(corpus: Path, scratch: Path) -> Path:
    """A folder to build from: the folder itself, or one holding a link to a single corpus file."""
    if corpus.is_dir():
        return corpus
    if not corpus.is_file():
        raise CorpusMissing(f"corpus {corpus} does not exist")
    folder = scratch / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / corpus.name
    if not link.exists():
        link.symlink_to(corpus.resolve())
    return folder


def realtimeqa_corpus(questions: Path, corpus: Path, index: Path, others: int) -> tuple[Path, Path]:
    """(folder to build from, corpus file or folder) for RealTime QA: a folder is used as it is; the RealTime QA
    articles file is turned into the gold articles + `others` others, written to the folder `<index>-corpus`."""
    if corpus.is_dir():
        return corpus, corpus
    if not corpus.is_file():
        raise CorpusMissing(f"corpus {corpus} does not exist")
    folder = Path(f"{index}-corpus")
    return folder, write_corpus(questions, corpus, folder, others)


def squad_titles(articles_file: Path, removed: set[str]) -> set[str]:
    """The titles (single-spaced) of the SQuAD articles whose id is in `removed`."""
    return {" ".join(record["title"].split()) for record in read_jsonl(articles_file) if record["id"] in removed}


def removed_by(titles: Collection[str] = (), urls: Collection[str] = ()) -> Callable[[dict], bool]:
    """Whether a corpus record is one of the held-out articles: by title (SQuAD) or url (RealTime QA)."""

    def removed(record: dict) -> bool:
        title = " ".join(str(record.get("title") or record.get("headline") or "").split())
        return title in titles or record.get("url") in urls

    return removed


def heldout_index(
    corpus: Path,
    index: Path,
    removed: Callable[[dict], bool],
    count: int,
    encoder: Encoder,
    scratch: Path,
    settings: Settings,
) -> Path:
    """An index of the corpus without the `removed` articles, built from a copy of the full index.

    The copy lets the incremental build reuse every vector, so no passage is embedded twice; `settings` gives the
    build's exact_max_rows and nprobe.
    """
    folder = scratch / "heldout-corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = [corpus] if corpus.is_file() else sorted(p for p in corpus.rglob("*.jsonl"))
    if not files or any(not f.name.endswith(".jsonl") for f in files):
        raise CorpusMissing("--heldout needs a .jsonl corpus (articles are removed by title or url)")
    for file in files:
        kept = [line for line in file.read_text("utf-8").splitlines() if line.strip() and not removed(json.loads(line))]
        target = folder / (file.relative_to(corpus) if corpus.is_dir() else file.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(kept) + "\n", "utf-8")
    heldout = Path(f"{index}-heldout-{count}")
    if not heldout.exists():
        shutil.copytree(index, heldout, ignore=shutil.ignore_patterns(".build.lock"))
    build_index(folder, heldout, encoder, exact_max_rows=settings.exact_max_rows, nprobe=settings.nprobe)
    return heldout
