"""A small least-recently-used cache shared by a worker's threads: what is read once per process
and named by a digest (a deployed version's diagram facts, its restored spec) is kept here."""
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """At most `size` values by key; the least recently used go first. `get(key, make)` makes a
    missing value outside the lock (another thread may make the same one, harmlessly)."""

    def __init__(self, size: int):
        self.size = size
        self._values: "OrderedDict[Hashable, T]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                return found
        found = make()
        with self._lock:
            self._values[key] = found
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
