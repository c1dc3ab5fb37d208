"""The selection cache: a ranking is reused for identical queries for at most
`ttl_s`, and never across a change of the registry, health or budgets (the owner
calls `clear` at that moment). Bounded: the least recently used entry goes first.

Keys are opaque bytes chosen by the caller; the API layer uses a 16-byte digest of
the request's serialised bytes (`convert.selection_digest`, and the Invoke
selection's), so that an identical request is found without parsing it again and
an entry's key does not grow with the request: the cache's size is bounded by
`max_entries` times one decision's rendering."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from modelrouter.clock import Clock

V = TypeVar("V")


class SelectionCache(Generic[V]):
    __slots__ = ("_clock", "_entries", "_max", "_ttl", "hits", "misses")

    def __init__(self, ttl_s: float, max_entries: int, clock: Clock) -> None:
        self._ttl = ttl_s
        self._max = max_entries if ttl_s > 0 else 0
        self._clock = clock
        self._entries: OrderedDict[bytes, tuple[float, V]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> V | None:
        """The value stored under `key` if still fresh; counts a hit or a miss."""
        entry = self._entries.get(key)
        if entry is not None:
            if self._clock() < entry[0]:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            del self._entries[key]
        self.misses += 1
        return None

    def put(self, key: bytes, value: V) -> None:
        if self._max <= 0:
            return
        now = self._clock()
        entries = self._entries
        if key in entries:
            entries.move_to_end(key)
        entries[key] = (now + self._ttl, value)
        while len(entries) > self._max:
            entries.popitem(last=False)
        # Drop what has expired from the old end too, so the cache holds about a
        # TTL's worth of rankings rather than its bound's worth of dead ones. (An
        # entry refreshed by hits may expire further in; a lookup drops it.)
        for _ in range(2):
            oldest = next(iter(entries.values()))
            if oldest[0] > now:
                break
            entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
