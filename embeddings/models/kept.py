"""A bounded, thread-safe store of values computed per text, for work that does not depend on the question.

When a story breaks, everyone asks about the same few articles: the same sentences are tagged, the same candidate
phrases embedded, the same passages read by the cross-lingual encoders again and again. `Kept.get_many` computes
only the texts it has not kept, in one batch, and drops the least recently used beyond its size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """Values by key, least recently used dropped first; `size=0` keeps nothing."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get_many(self, keys: Sequence[K], compute: Callable[[list[K]], Sequence[V]]) -> list[V]:
        """The value of each key, in order: kept ones as they are, the others from one `compute(missing keys)` call
        (each missing key once). Two threads missing the same key may both compute it: the values are the same."""
        with self._lock:
            known = {key: self._values[key] for key in keys if key in self._values}
            for key in known:
                self._values.move_to_end(key)
        missing = list(dict.fromkeys(key for key in keys if key not in known))
        if missing:
            computed = dict(zip(missing, compute(missing), strict=True))
            with self._lock:
                for key, value in computed.items():
                    if self.size > 0:
                        self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            known.update(computed)
        return [known[key] for key in keys]
