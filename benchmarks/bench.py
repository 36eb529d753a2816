"""`python -m benchmarks` (or `python -m embeddings bench`): how fast the index builds, answers and starts, in one run.

Every figure is printed next to a baseline measured in the same run (the machine is shared, so absolute
timings drift; ratios hold):

- encode: the model's raw rate in fp32 and at the chosen precision, and the cosine between their vectors;
- build: a full build's passages/s against the raw encode rate on the same passages (the pipeline's overhead),
  an unchanged rebuild, a one-article change, the build's peak RSS;
- search and answers: FAISS alone (the index type in use against exact search, with its recall), and
  `Engine.ask` from question to `Answer` per retrieval mode, as p50/p95/p99;
- start: a fresh `python -m bot ask` process to its printed answer, and the Telegram bot to ready and to
  its first answer (against a stub Bot API), next to what `import sentence_transformers` alone costs;
- SQuAD-open (with --squad): R@5 of dense retrieval in fp32, at the chosen precision, and quantized; and
  the peer row, txtai `Embeddings` with the same model (with --peer-python, run in its own venv).

The corpus is a folder, or a .jsonl[.gz] file from which the first --limit-paragraphs passages' articles are
copied into the work folder; the bench never modifies a folder it was given (it copies it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from benchmarks.corpus_subset import write_subset
from embeddings.index.builder import _passage_text, build_index
from embeddings.index.dense import RescoredIndex, build_dense_index, describe, index_kind, search_dense
from embeddings.index.store import open_index
from embeddings.ingest.corpus import scan
from embeddings.ingest.parsing import parse_bytes
from embeddings.ingest.passages import split_passages
from embeddings.models.encoder import Encoder, choose_precision, load_encoder, native_bf16
from embeddings.settings import Settings

PEER_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "txtai_peer.py"


# -- small measuring tools --------------------------------------------------------------------------------


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    values = np.asarray(seconds, dtype=np.float64) * 1000
    return {f"p{q}": float(np.percentile(values, q)) for q in (50, 95, 99)} if len(values) else {}


def show_ms(stats: dict[str, float]) -> str:
    return " / ".join(f"{key} {value:.1f}" for key, value in stats.items()) + " ms" if stats else "n/a"


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    """This process's peak RSS: VmHWM (getrusage's maxrss would include the parent's, inherited across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Report:
    """Prints each figure as it is measured and keeps them all for the JSON summary."""

    def __init__(self, json_path: Path | None) -> None:
        self.figures: dict[str, object] = {}
        self.json_path = json_path

    def line(self, section: str, text: str, **figures: object) -> None:
        print(f"[{section}] {text}", flush=True)
        for key, value in figures.items():
            self.figures[f"{section}.{key}"] = value

    def save(self) -> None:
        if self.json_path:
            self.json_path.write_text(json.dumps(self.figures, indent=2), "utf-8")


# -- the corpus -------------------------------------------------------------------------------------------


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
            texts.extend(_passage_text(article.title, p.heading, p.text)[0] for p in split_passages(article))
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


# -- the measurements -------------------------------------------------------------------------------------


def encode_rates(report: Report, model: str, texts: list[str], precision: str) -> tuple[float, np.ndarray]:
    """fp32 and chosen-precision raw encode rates on `texts`; returns the chosen rate and its vectors."""
    fp32 = load_encoder(model, precision="fp32")
    fp32.encode_bulk(texts[:8])  # load and warm up
    started = time.perf_counter()
    reference = fp32.encode_bulk(texts)
    fp32_rate = len(texts) / (time.perf_counter() - started)
    if precision == "fp32":
        report.line("encode", f"fp32 {fp32_rate:.1f} passages/s on {len(texts)} passages", fp32_rate=fp32_rate)
        return fp32_rate, reference
    fast = load_encoder(model, precision=precision)
    fast._model = fp32._model  # the same weights; only the autocast differs
    fast.encode_bulk(texts[:8])
    started = time.perf_counter()
    vectors = fast.encode_bulk(texts)
    rate = len(texts) / (time.perf_counter() - started)
    cosines = np.sum(vectors * reference, axis=1)
    report.line(
        "encode",
        f"fp32 {fp32_rate:.1f} passages/s, {precision} {rate:.1f} passages/s = {rate / fp32_rate:.2f}x fp32 "
        f"on {len(texts)} passages; cosine to fp32 min {cosines.min():.5f} mean {cosines.mean():.6f}",
        fp32_rate=fp32_rate,
        rate=rate,
        speedup=rate / fp32_rate,
        cosine_min=float(cosines.min()),
    )
    return rate, vectors


def raw_rate(encoder: Encoder, texts: list[str]) -> float:
    encoder.encode_bulk(texts[:8])
    return len(texts) / timed(lambda: encoder.encode_bulk(texts))


def build_child(corpus: Path, index: Path, model: str, precision: str | None) -> None:
    """Run in a child process by the bench: a full build with a warm model; prints seconds, passages, peak RSS."""
    encoder = load_encoder(model, precision=precision)
    encoder.encode_bulk(["warm up"])
    result = build_index(corpus, index, encoder)
    print(
        json.dumps(
            {"seconds": result.seconds, "passages": result.passages, "articles": result.articles, "peak_rss_mib": peak_rss_mib()}
        )
    )


def measure_build(report: Report, corpus: Path, index: Path, sample: list[str], encoder: Encoder) -> None:
    """Full build (child process, warm model) between two raw-rate runs; then unchanged and one-article rebuilds."""
    if index.exists() and (index / "CURRENT").exists():
        report.line("build", f"full build skipped: {index} is already built (pass a fresh --work folder to measure it)")
    else:
        before = raw_rate(encoder, sample)
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.bench",
                "--build-child",
                str(corpus),
                str(index),
                "--model",
                encoder.name,
                "--precision",
                encoder.precision,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        built = json.loads(child.stdout.strip().splitlines()[-1])
        after = raw_rate(encoder, sample)
        rate = built["passages"] / built["seconds"]
        raw = (before + after) / 2
        report.line(
            "build",
            f"full build {built['passages']} passages ({built['articles']} articles) in {built['seconds']:.1f} s = "
            f"{rate:.1f} passages/s; raw encode {raw:.1f} passages/s (before {before:.1f}, after {after:.1f}, "
            f"{len(sample)} of the same passages); build/raw = {rate / raw:.2f}; build peak RSS {built['peak_rss_mib']:.0f} MiB",
            seconds=built["seconds"],
            passages=built["passages"],
            rate=rate,
            raw_rate=raw,
            ratio=rate / raw,
            peak_rss_mib=built["peak_rss_mib"],
        )
    unchanged = build_index(corpus, index, encoder)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "embeddings", "build", "--corpus", str(corpus), "--index", str(index), "--quiet"],
        check=True,
        capture_output=True,
    )
    process_seconds = time.perf_counter() - started
    name = change_one_article(corpus)
    changed = build_index(corpus, index, encoder)
    report.line(
        "rebuild",
        f"unchanged: {unchanged.seconds:.3f} s in process, {process_seconds:.2f} s as `python -m embeddings build` "
        f"({unchanged.articles} articles, up to date: {unchanged.up_to_date}); one article changed in {name}: "
        f"{changed.seconds:.2f} s, {changed.embedded} passages embedded of {changed.passages}",
        unchanged_seconds=unchanged.seconds,
        unchanged_process_seconds=process_seconds,
        one_change_seconds=changed.seconds,
        one_change_embedded=changed.embedded,
    )


class _ShapeEncoder(Encoder):
    """Random unit vectors of the model's size, for timing a build's bookkeeping where the model is not the point."""

    def __init__(self, dimension: int, name: str = "bench/random-vectors") -> None:
        super().__init__(name, cache_dir=False)
        self._dimension = dimension
        self._random = np.random.default_rng(0)

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        vectors = self._random.standard_normal((len(texts), self._dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def measure_many_files(report: Report, corpus: Path, work: Path, articles: int, dimension: int) -> None:
    """Unchanged and one-article rebuilds over `articles` one-file articles of up to 3 paragraphs from the corpus.

    Vectors are random: this times the build's bookkeeping (scan, compare, reuse, write), not the model.
    """
    folder = work / f"files-{articles}-x3"
    index = work / f"files-{articles}-x3-index"
    source = [a for file in scan(corpus) for a in parse_bytes(file.read()[0], file.name, lambda problem: None)]
    if not folder.exists():
        for number in range(articles):
            article = source[number % len(source)]
            body = "\n\n".join([block.text for block in article.blocks if not block.is_heading][:3])  # news-length
            path = folder / f"{number // 1000:02d}" / f"{number:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{article.title} ({number})\n\n{body}\n", "utf-8")
    encoder = _ShapeEncoder(dimension)
    first = build_index(folder, index, encoder)
    unchanged = build_index(folder, index, encoder)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "embeddings",
            "build",
            "--corpus",
            str(folder),
            "--index",
            str(index),
            "--quiet",
            "--model",
            encoder.name,
        ],
        check=True,
        capture_output=True,
    )
    process_seconds = time.perf_counter() - started
    edited = folder / "00" / "00007.txt"
    edited.write_text(edited.read_text("utf-8") + "\nA paragraph added by the benchmark.\n", "utf-8")
    changed = build_index(folder, index, encoder)
    report.line(
        "files",
        f"{articles} one-file articles, {first.passages} passages (random vectors: bookkeeping only): unchanged rebuild "
        f"{unchanged.seconds:.3f} s in process, {process_seconds:.2f} s as a process; one article changed "
        f"{changed.seconds:.2f} s, {changed.embedded} passages embedded (full build {first.seconds:.1f} s)",
        articles=articles,
        unchanged_seconds=unchanged.seconds,
        unchanged_process_seconds=process_seconds,
        one_change_seconds=changed.seconds,
        one_change_embedded=changed.embedded,
    )


def measure_search(report: Report, index_dir: Path, encoder: Encoder, questions: list[str]) -> np.ndarray:
    """FAISS alone: the index in use against exact search (latency and recall@10); returns the query vectors."""
    index = open_index(index_dir)
    queries = np.stack([encoder.encode_query(q) for q in questions])
    query_seconds = [timed(lambda q=q: encoder.encode_query(q)) for q in questions[:100]]
    served = [timed(lambda v=v: search_dense(index.dense, v, 50)) for v in queries]
    vectors = np.asarray(index.vectors, dtype=np.float32)
    exact = build_dense_index(vectors, exact_max_rows=len(vectors))
    exact_times = [timed(lambda v=v: search_dense(exact, v, 50)) for v in queries]
    recall = []
    for vector in queries:
        truth = {row for row, _ in search_dense(exact, vector, 10)}
        found = {row for row, _ in search_dense(index.dense, vector, 10)}
        recall.append(len(truth & found) / max(1, len(truth)))
    served_stats, exact_stats = percentiles(served), percentiles(exact_times)
    report.line(
        "search",
        f"{describe(index.dense)} over {index.dense.ntotal} passages: {show_ms(served_stats)}; exact flat "
        f"{show_ms(exact_stats)} (p50 ratio {served_stats['p50'] / exact_stats['p50']:.2f}); recall@10 vs exact "
        f"{np.mean(recall):.3f}; question encoding {show_ms(percentiles(query_seconds))}",
        index=describe(index.dense),
        **{f"served_{k}": v for k, v in served_stats.items()},
        **{f"exact_{k}": v for k, v in exact_stats.items()},
        recall_at_10=float(np.mean(recall)),
        **{f"encode_query_{k}": v for k, v in percentiles(query_seconds).items()},
    )
    index.close()
    return queries


def engine_modes() -> list[str]:
    import embeddings.qa.engine as engine_module

    return list(getattr(engine_module, "MODES", ("hybrid",)))


def measure_answers(
    report: Report, settings: Settings, encoder: Encoder, questions: list[str], modes: Sequence[str], answer_all: bool = False
) -> None:
    """`Engine.ask` from question to Answer, per mode (the reranker's cost shows as its own row).

    `answer_all` turns abstention off, so that over random vectors every question still takes the whole path
    (sources, answer sentence) instead of stopping early at "not found".
    """
    from embeddings.qa.engine import Engine

    for mode in modes:
        try:
            engine = Engine(settings, encoder, mode=mode or None, abstain=not answer_all)
        except (TypeError, ValueError) as error:
            report.line("answer", f"mode {mode}: not available ({error})")
            continue
        engine.ask(questions[0])  # warm: loads the question encoder (and a reranker)
        asked = questions if mode != "rerank" else questions[:20]  # the cross-encoder costs ~100x more
        seconds, cpu = [], []
        for question in asked:
            wall, used = time.perf_counter(), time.process_time()
            engine.ask(question)
            seconds.append(time.perf_counter() - wall)
            cpu.append(time.process_time() - used)  # all threads of this process: what the question costs, load aside
        stats = percentiles(seconds)
        cpu_stats = percentiles(cpu)
        answered = sum(not engine.ask(q).abstained for q in asked[:20])
        report.line(
            "answer",
            f"Engine.ask mode {mode or 'default'}: {show_ms(stats)} over {len(asked)} questions "
            f"({answered} of the first {min(20, len(asked))} answered, not abstained); "
            f"CPU time per question {show_ms(cpu_stats)}",
            **{f"{mode}_{k}": v for k, v in stats.items()},
            **{f"{mode}_cpu_{k}": v for k, v in cpu_stats.items()},
        )


def measure_start(report: Report, settings: Settings, question: str, telegram: bool) -> None:
    """Fresh processes: `bot ask` to its answer, the Telegram bot to ready and to its first answer."""
    from benchmarks.cold_start import ask_cold_start, telegram_cold_start

    baseline = timed(lambda: subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True))
    for mode in (None, "hybrid"):
        try:
            runs = [ask_cold_start(settings.index, settings.corpus, question, mode) for _ in range(3)]
        except RuntimeError as error:
            report.line("start", f"mode {mode}: not measured ({error})")
            continue
        seconds = statistics.median(run[0] for run in runs)
        rss = max((run[1] or 0.0) for run in runs)
        what = "`python -m bot ask`" if mode is None else f"the same with Engine mode {mode}"
        report.line(
            "start",
            f"{what} to its answer: median {seconds:.2f} s of 3 (runs {', '.join(f'{r[0]:.2f}' for r in runs)}), "
            f"peak RSS {rss:.0f} MiB; `import sentence_transformers` alone takes {baseline:.2f} s "
            f"(start/baseline {seconds / baseline:.2f})",
            **{f"ask_{mode or 'default'}_seconds": seconds, f"ask_{mode or 'default'}_peak_rss_mib": rss},
            import_sentence_transformers_seconds=baseline,
        )
    if not telegram:
        return
    try:
        ready, answered = telegram_cold_start(settings.index, settings.corpus, question)
    except (RuntimeError, OSError) as error:
        report.line("start", f"Telegram bot: not measured ({error})")
        return
    report.line(
        "start",
        f"`python -m bot telegram` ready (first getUpdates) after {ready:.2f} s, first answer sent after "
        f"{answered:.2f} s (stub Bot API on localhost)",
        telegram_ready_seconds=ready,
        telegram_first_answer_seconds=answered,
    )


def measure_million(report: Report, index_dir: Path, rows: int, queries: np.ndarray, work: Path) -> None:
    """A `rows`-passage index from the real vectors plus noise: size, load and search in a fresh process, memory, recall."""
    index = open_index(index_dir)
    real = np.asarray(index.vectors, dtype=np.float32)
    index.close()
    rng = np.random.default_rng(1)
    vectors = np.empty((rows, real.shape[1]), dtype=np.float32)
    for start in range(0, rows, len(real)):
        block = real[: min(len(real), rows - start)]
        noisy = block + rng.normal(0, 0.02, block.shape).astype(np.float32) if start else block
        vectors[start : start + len(block)] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    started = time.perf_counter()
    big = build_dense_index(vectors)
    build_seconds = time.perf_counter() - started
    path = work / "million.faiss"
    import faiss

    faiss.write_index(big, str(path))
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    _, found = big.search(queries, 10)
    recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))
    del big, exact, vectors
    np.save(work / "million-queries.npy", queries)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--search-child", str(path), str(work / "million-queries.npy")],
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(child.stdout.strip().splitlines()[-1])
    report.line(
        "scale",
        f"{rows} passages ({index_kind(rows)}): built in {build_seconds:.0f} s, file {path.stat().st_size / 2**20:.0f} MiB "
        f"(fp32 vectors would be {rows * queries.shape[1] * 4 / 2**20:.0f} MiB); a fresh process loads it in "
        f"{served['load_seconds']:.3f} s and searches {show_ms(served['stats'])} with peak RSS {served['peak_rss_mib']:.0f} MiB; "
        f"recall@10 vs exact {recall:.3f}",
        rows=rows,
        file_mib=path.stat().st_size / 2**20,
        peak_rss_mib=served["peak_rss_mib"],
        recall_at_10=recall,
        **{f"search_{k}": v for k, v in served["stats"].items()},
    )


def search_child(path: Path, queries_path: Path) -> None:
    """Run in a child process: load an index memory-mapped, search each query, print latency and peak RSS."""
    from embeddings.index.dense import load_dense_index

    queries = np.load(queries_path)
    started = time.perf_counter()
    index = load_dense_index(path)
    load_seconds = time.perf_counter() - started
    seconds = [timed(lambda v=v: search_dense(index, v, 50)) for v in queries]
    print(json.dumps({"load_seconds": load_seconds, "stats": percentiles(seconds), "peak_rss_mib": peak_rss_mib()}))


# -- SQuAD-open and the peer ------------------------------------------------------------------------------


def measure_squad(
    report: Report, squad: Path, model: str, precision: str, work: Path, count: int, peer_python: Path | None
) -> None:
    """R@5 of dense retrieval over SQuAD-open paragraphs in fp32, at `precision`, quantized; and txtai's."""
    corpus = work / "squad-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(squad / "articles.jsonl", corpus / "articles.jsonl")
    line_of = {json.loads(line)["id"]: number for number, line in enumerate((squad / "articles.jsonl").open(encoding="utf-8"), 1)}
    questions = [json.loads(line) for line in (squad / "questions.jsonl").open(encoding="utf-8")]
    random.Random(5).shuffle(questions)
    questions = questions[:count]

    encoder = load_encoder(model, precision=precision)
    index_dir = work / "squad-index"
    encoder.encode_bulk(["warm up"])
    built = build_index(corpus, index_dir, encoder)
    index = open_index(index_dir)
    rows = index.passages(list(range(index.info.passages)))
    articles = {a.id: a.source_id for a in index.articles()}
    gold_of_row = [(articles[p.article_id], p.paragraph) for p in rows]
    fast = np.asarray(index.vectors, dtype=np.float32)
    texts = [p.text for p in rows]
    fp32 = load_encoder(model, precision="fp32")
    fp32._model = encoder._model
    reference = fp32.encode_bulk(texts)
    light = encoder.light()
    question_vectors = np.concatenate(
        [
            (light.encode if light else encoder.encode_bulk)([q["question"] for q in questions[i : i + 64]])
            for i in range(0, len(questions), 64)
        ]
    )
    gold = [(f"articles.jsonl#{line_of[q['article']]}", q["paragraph"] + 1) for q in questions]

    def recall_at_5(vectors: np.ndarray, exact_max_rows: int | None = None, rescore: bool = False) -> float:
        dense = build_dense_index(vectors, exact_max_rows=exact_max_rows)
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
    settings = Settings(corpus=corpus, index=index_dir, model=model)
    measure_answers(report, settings, encoder, [q["question"] for q in questions[:200]], ["dense", "hybrid"])
    index.close()
    if peer_python is None:
        return
    request = work / "peer-request.json"
    request.write_text(
        json.dumps({"model": str(Path(encoder_location(model))), "squad": str(squad), "questions": [q["id"] for q in questions]}),
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


# -- the command ------------------------------------------------------------------------------------------


def run_bench(args: argparse.Namespace) -> int:
    if args.build_child:
        build_child(Path(args.build_child[0]), Path(args.build_child[1]), args.model or Settings().model, args.precision)
        return 0
    if args.search_child:
        search_child(Path(args.search_child[0]), Path(args.search_child[1]))
        return 0
    if not args.corpus and not args.squad:
        print("error: give --corpus (and/or --squad for SQuAD-open alone)", file=sys.stderr)
        return 2
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work = Path(args.work or tempfile.mkdtemp(prefix="newsqa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report(Path(args.json) if args.json else None)
    model = args.model or Settings().model
    precision = choose_precision(args.precision)
    peer = Path(args.peer_python) if args.peer_python else None
    if not args.corpus:
        measure_squad(report, Path(args.squad), model, precision, work, args.squad_questions, peer)
        report.save()
        return 0
    source = Path(args.corpus)
    corpus = prepare_corpus(source, work, args.limit_paragraphs)
    texts = dense_texts(corpus)
    settings = Settings(corpus=corpus, index=Path(args.index) if args.index else work / "index", model=model)
    report.line(
        "corpus",
        f"{source} -> {corpus}: {len(scan(corpus))} files, {len(texts)} passages; work folder {work}",
        passages=len(texts),
    )
    report.line(
        "encoder",
        f"{model}; precision {precision} (setting {args.precision or os.environ.get('NEWSQA_PRECISION') or 'auto'}, "
        f"native bf16: {native_bf16()}); index type at this size: {index_kind(len(texts))}",
    )

    sample = random.Random(5).sample(texts, min(len(texts), args.raw_sample))
    encoder = load_encoder(model, precision=precision)
    if not args.skip_encode:
        _, _ = encode_rates(report, model, sample[: args.compare_sample], precision)
    if args.skip_build:
        pass
    elif args.random_vectors:
        # Timing only: real text (BM25, SQLite, quotes) with random vectors under the model's name, so the
        # front ends treat the index as current. Latency does not depend on what the vectors mean; recall does.
        shape = _ShapeEncoder(encoder.dimension, name=model)
        full = build_index(corpus, settings.index, shape)
        unchanged = build_index(corpus, settings.index, shape)
        name = change_one_article(corpus)
        changed = build_index(corpus, settings.index, shape)
        report.line(
            "build",
            f"random vectors (timing only, no model): full build {full.passages} passages in {full.seconds:.1f} s; unchanged "
            f"rebuild {unchanged.seconds:.3f} s; one article changed in {name}: {changed.seconds:.2f} s, {changed.embedded} "
            "passages embedded",
            bookkeeping_seconds=full.seconds,
            unchanged_seconds=unchanged.seconds,
            one_change_seconds=changed.seconds,
            one_change_embedded=changed.embedded,
        )
    else:
        measure_build(report, corpus, settings.index, sample, encoder)
    questions = load_questions(Path(args.questions) if args.questions else None, corpus, args.queries)
    queries = measure_search(report, settings.index, encoder, questions)
    modes = args.modes.split(",") if args.modes else [m for m in engine_modes() if m in ("dense", "hybrid", "rerank")]
    measure_answers(report, settings, encoder, questions, modes, answer_all=args.random_vectors)
    if not args.skip_start:
        measure_start(report, settings, questions[0], telegram=not args.no_telegram)
    if args.rebuild_articles:
        measure_many_files(report, corpus, work, args.rebuild_articles, encoder.dimension)
    if args.scale_rows:
        measure_million(report, settings.index, args.scale_rows, queries, work)
    if args.squad:
        measure_squad(report, Path(args.squad), model, precision, work, args.squad_questions, peer)
    report.line("done", f"peak RSS of the bench process {peak_rss_mib():.0f} MiB")
    report.save()
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", metavar="PATH", help="corpus folder, or a .jsonl[.gz] file to take a subset of")
    parser.add_argument("--limit-paragraphs", type=int, metavar="N", help="subset size in passages (for a .jsonl[.gz] corpus)")
    parser.add_argument(
        "--questions", metavar="FILE", help="questions: JSON lines with 'question', or one per line (default: article titles)"
    )
    parser.add_argument("--queries", type=int, default=200, metavar="N", help="questions to time (default 200)")
    parser.add_argument("--work", metavar="DIR", help="work folder (default: a new temporary folder); reused when given again")
    parser.add_argument("--index", metavar="DIR", help="index folder (default: WORK/index); an existing one skips the full build")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="sentence-transformers model (env NEWSQA_MODEL)")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), help="bulk encoding precision (env NEWSQA_PRECISION)")
    parser.add_argument(
        "--raw-sample", type=int, default=3000, metavar="N", help="passages for the raw encode rate (default 3000)"
    )
    parser.add_argument(
        "--compare-sample",
        type=int,
        default=1000,
        metavar="N",
        help="passages for the fp32 vs accelerated comparison (default 1000)",
    )
    parser.add_argument("--modes", metavar="LIST", help="Engine modes to time, comma-separated (default: dense,hybrid,rerank)")
    parser.add_argument(
        "--scale-rows",
        type=int,
        metavar="N",
        help="also build an N-passage index (e.g. 1000000) from the "
        "real vectors plus noise, and measure its memory, latency and recall",
    )
    parser.add_argument(
        "--rebuild-articles", type=int, metavar="N", help="also time rebuilds over N one-file articles (e.g. 10000)"
    )
    parser.add_argument("--squad", metavar="DIR", help="SQuAD v1.1 dev folder (articles.jsonl, questions.jsonl) for R@5")
    parser.add_argument("--squad-questions", type=int, default=2000, metavar="N", help="SQuAD questions to use (default 2000)")
    parser.add_argument("--peer-python", metavar="PYTHON", help="python of a venv with txtai, for the peer row")
    parser.add_argument("--skip-start", action="store_true", help="skip the cold-start processes")
    parser.add_argument("--no-telegram", action="store_true", help="skip the Telegram cold start")
    parser.add_argument("--skip-encode", action="store_true", help="skip the fp32 vs accelerated encode comparison")
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="index random vectors instead of embeddings: latency and rebuild "
        "timing at sizes the model cannot embed in time (recall figures are then meaningless)",
    )
    parser.add_argument("--skip-build", action="store_true", help="skip builds (the index must exist)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--build-child", nargs=2, metavar=("CORPUS", "INDEX"), help=argparse.SUPPRESS)
    parser.add_argument("--search-child", nargs=2, metavar=("INDEX", "QUERIES"), help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    return run_bench(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
