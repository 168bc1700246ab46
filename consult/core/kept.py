"""Values kept in memory per process, the most recently used first, up to a bound.

Used for what is worked out from rows that carry their own version (a consultation's
structure, its ballot texts in one language): a key names exactly one value, so a kept value
is never stale and only the bound decides what goes (also a session cookie's verified
contents, keyed by the exact cookie and the secret key); or a hint its user checks against what
it reads (the save's consultation last seen per slug). Safe across threads; a value is made
outside the lock, so two threads may both make it and the second one kept wins.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """A bounded map, least recently used out first."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def keep(self, key: K, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.bound:
                self._values.popitem(last=False)
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept under ``key``, or ``make()`` kept under it."""
        found = self.get(key)
        return found if found is not None else self.keep(key, make())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
