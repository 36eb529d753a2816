"""The bench's small measuring tools: the report it prints and saves, percentiles, timing and peak RSS."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


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
