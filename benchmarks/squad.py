"""SQuAD-open: R@5 of dense retrieval in fp32, at the chosen precision and quantized; and txtai's peer row.

The peer, txtai `Embeddings` with the same model, runs in its own venv (`--peer-python`) as txtai_peer.py.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.encode_build import index_options
from benchmarks.report import Report, show_ms
from benchmarks.search import measure_answers
from embeddings.index.builder import BuildReport, build_index
from embeddings.index.dense import RescoredIndex, build_dense_index
from embeddings.index.store import StoredIndex, open_index
from embeddings.models.encoder import Encoder, load_encoder
from embeddings.settings import Settings

PEER_SCRIPT = Path(__file__).resolve().parent / "txtai_peer.py"


def load_squad(squad: Path, corpus: Path, count: int) -> tuple[list[dict], list[tuple[str, int]]]:
    """`count` shuffled questions, and each one's gold passage as the index names it (file#line, paragraph).

    The articles are copied into `corpus`, the folder the index is built from.
    """
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(squad / "articles.jsonl", corpus / "articles.jsonl")
    line_of = {json.loads(line)["id"]: number for number, line in enumerate((squad / "articles.jsonl").open(encoding="utf-8"), 1)}
    questions = [json.loads(line) for line in (squad / "questions.jsonl").open(encoding="utf-8")]
    random.Random(5).shuffle(questions)
    questions = questions[:count]
    gold = [(f"articles.jsonl#{line_of[q['article']]}", q["paragraph"] + 1) for q in questions]
    return questions, gold


def measure_squad(
    report: Report, squad: Path, settings: Settings, precision: str, work: Path, count: int, peer_python: Path | None
) -> None:
    """R@5 of dense retrieval over SQuAD-open paragraphs in fp32, at `precision`, quantized; and txtai's."""
    settings = replace(settings, corpus=work / "squad-corpus", index=work / "squad-index")
    questions, gold = load_squad(squad, settings.corpus, count)
    encoder = load_encoder(settings.model, precision=precision, cache_dir=settings.cache)
    encoder.encode_bulk(["warm up"])
    built = build_index(settings.corpus, settings.index, encoder, **index_options(settings))
    index = open_index(settings.index)
    measure_recall(report, settings, index, encoder, precision, built, [q["question"] for q in questions], gold)
    measure_answers(report, settings, encoder, [q["question"] for q in questions[:200]], ["dense", "hybrid"])
    index.close()
    if peer_python is not None:
        measure_peer(report, peer_python, settings.model, squad, [q["id"] for q in questions], work)


def measure_recall(
    report: Report,
    settings: Settings,
    index: StoredIndex,
    encoder: Encoder,
    precision: str,
    built: BuildReport,
    questions: list[str],
    gold: list[tuple[str, int]],
) -> None:
    """R@5 over the index `encoder` built: its vectors exact, the same passages in fp32, and its vectors quantized."""
    rows = index.passages(list(range(index.info.passages)))
    articles = {a.id: a.source_id for a in index.articles()}
    gold_of_row = [(articles[p.article_id], p.paragraph) for p in rows]
    fast = np.asarray(index.vectors, dtype=np.float32)
    texts = [p.text for p in rows]
    fp32 = encoder.with_precision("fp32")
    reference = fp32.encode_bulk(texts)
    light = encoder.light()
    question_vectors = np.concatenate(
        [(light.encode if light else encoder.encode_bulk)(questions[i : i + 64]) for i in range(0, len(questions), 64)]
    )

    def recall_at_5(vectors: np.ndarray, exact_max_rows: int = settings.exact_max_rows, rescore: bool = False) -> float:
        dense = build_dense_index(vectors, exact_max_rows=exact_max_rows, nprobe=settings.nprobe)
        _, found = (RescoredIndex(dense, vectors) if rescore else dense).search(question_vectors, 5)
        return float(np.mean([g in {gold_of_row[r] for r in top if r >= 0} for g, top in zip(gold, found, strict=True)]))

    exact32, exact_fast = recall_at_5(reference), recall_at_5(fast)
    quantized, rescored = recall_at_5(fast, exact_max_rows=0), recall_at_5(fast, exact_max_rows=0, rescore=True)
    report.line(
        "squad",
        f"SQuAD-open, {len(texts)} passages, {len(questions)} questions: dense R@5 fp32 exact {exact32:.4f}; {precision} "
        f"exact {exact_fast:.4f} (delta {exact_fast - exact32:+.4f}); {precision} ivf-sq8 {quantized:.4f} (delta "
        f"{quantized - exact32:+.4f}), re-scored as served {rescored:.4f} (delta {rescored - exact32:+.4f}); "
        f"our build {built.passages / built.seconds:.1f} passages/s",
        r5_fp32=exact32,
        r5_fast=exact_fast,
        r5_ivf_sq8=quantized,
        r5_ivf_sq8_rescored=rescored,
        build_rate=built.passages / built.seconds,
    )


def measure_peer(report: Report, peer_python: Path, model: str, squad: Path, question_ids: list[str], work: Path) -> None:
    """txtai `Embeddings` with the same model on the same questions, run by `peer_python` (a venv with txtai)."""
    request = work / "peer-request.json"
    request.write_text(
        json.dumps({"model": str(Path(encoder_location(model))), "squad": str(squad), "questions": question_ids}),
        "utf-8",
    )
    child = subprocess.run([str(peer_python), str(PEER_SCRIPT), str(request)], capture_output=True, text=True)
    if child.returncode != 0:
        report.line("peer", f"txtai not measured: {child.stderr.strip()[-400:]}")
        return
    peer = json.loads(child.stdout.strip().splitlines()[-1])
    report.line(
        "peer",
        f"txtai {peer['version']} Embeddings (same model, faiss): build {peer['rows']} paragraphs in "
        f"{peer['build_seconds']:.1f} s "
        f"= {peer['rows'] / peer['build_seconds']:.1f} paragraphs/s; search {show_ms(peer['search'])}; R@5 {peer['r5']:.4f}",
        **{key: value for key, value in peer.items() if key != "search"},
        **{f"search_{k}": v for k, v in peer["search"].items()},
    )


def encoder_location(model: str) -> str:
    from embeddings.models.encoder import resolve_model

    return resolve_model(model)
