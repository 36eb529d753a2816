"""Answers already computed, so that a burst of the same question costs one answer's CPU.

When a story breaks, many people ask the same thing at once. The key holds everything an answer depends on: the
index version (a rebuild makes a new one, so a cached answer never outlives its index), the question as asked
(whitespace normalised), the text retrieved with (the question, or a follow-up with the earlier question) and
the number of sources. While one thread computes an answer, others asking the same wait for it instead of
computing it again; if it fails, the next one tries. Answers are frozen dataclasses, safe to share.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

ANSWERS_CACHED = 1024  # answers kept, least recently asked dropped first

T = TypeVar("T")


class AnswerCache(Generic[T]):
    """A thread-safe LRU of computed values that computes each missing key once, however many threads ask at once.

    `size=0` keeps nothing (each call computes), for benchmarks that time repeated questions.
    """

    def __init__(self, size: int = ANSWERS_CACHED) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._computing: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key`: cached, computed by another thread meanwhile, or computed now by `compute()`."""
        if self.size <= 0:
            return compute()
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    self.hits += 1
                    return self._values[key]
                running = self._computing.get(key)
                if running is None:
                    self._computing[key] = threading.Event()
                    self.misses += 1
                    break
            running.wait()  # then look again: it is cached now, or its computation failed and this thread tries
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._computing.pop(key).set()
