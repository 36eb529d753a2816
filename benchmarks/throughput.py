"""Benchmark: answers per CPU-second of the default pipeline, this checkout against another, in the same session.

    python benchmarks/throughput.py --index DIR --questions QA.jsonl [--limit 80] [--baseline-root /work/main]
        [--rounds 2] [--repeat 1]

Each round runs one child process per checkout (alternating, so both see the same load on a shared machine): it
opens the index (already built, e.g. by `python -m embeddings evaluate --index DIR`), answers a warm-up question
(the one after the measured ones in the file, so that every model the answers use is loaded: the bot loads them at
start, not per answer; a made-up question may abstain before the reader and leave its models' loading inside the
measured answers), then every question once with `Engine.ask` (default mode: hybrid + cross-encoder), and reports
the process's CPU seconds (all threads: user + system) and wall seconds for them. `--repeat K` asks each question K
times, as a burst of the same questions would (the answer cache, where there is one, answers repeats).
Prints answers per CPU-second per checkout and the ratio. The children import only `embeddings`, from the
checkout named by their PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(index: Path, questions: list[str], warm_up: str, repeat: int) -> dict:
    """Answer the questions in this process, after `warm_up`; the figures as a dict (printed as JSON)."""
    from embeddings import Engine, Settings

    engine = Engine(Settings(index=index))
    engine.ask(warm_up, 5)
    asked = [question for question in questions for _ in range(repeat)]
    cpu, wall = _cpu(), time.perf_counter()
    answered = sum(not engine.ask(question, 5).abstained for question in asked)
    return {"answers": len(asked), "answered": answered, "cpu": _cpu() - cpu, "wall": time.perf_counter() - wall}


def _questions(path: Path, limit: int) -> tuple[list[str], str]:
    """The first `limit` questions, and the one after them to warm up with (none left: a made-up one)."""
    with path.open() as lines:
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return questions[:limit], questions[limit] if len(questions) > limit else "warm up the models"


def _run(root: Path, args: argparse.Namespace) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--index", str(args.index),
               "--questions", str(args.questions), "--limit", str(args.limit), "--repeat", str(args.repeat)]  # fmt: skip
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True, help="JSON lines with a `question` field")
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=1, help="times each question is asked (a burst of repeats)")
    parser.add_argument("--baseline-root", type=Path, default=None, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.index, *_questions(args.questions, args.limit), args.repeat)))
        return 0
    roots = {"this": HERE, **({"baseline": args.baseline_root.resolve()} if args.baseline_root else {})}
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    for round_number in range(args.rounds):
        for name, root in roots.items() if round_number % 2 == 0 else reversed(roots.items()):
            runs[name].append(_run(root, args))
            figures = runs[name][-1]
            print(f"round {round_number + 1} {name:8s} ({root}): {figures['answers']} answers ({figures['answered']} not "
                  f"abstained), {figures['cpu']:.1f} CPU-s, {figures['wall']:.1f} s wall", flush=True)  # fmt: skip
    rates = {name: statistics.median(run["answers"] / run["cpu"] for run in results) for name, results in runs.items()}
    for name, rate in rates.items():
        print(f"{name:8s}: {rate:.2f} answers per CPU-second (median of {args.rounds} rounds)")
    if "baseline" in rates:
        print(f"ratio this / baseline: {rates['this'] / rates['baseline']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
