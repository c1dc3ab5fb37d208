"""Where feedback lives between restarts, beside usage (`usage.store`): the
scores kept per (tenant, task, model), oldest first, with how many came in all;
the key decision ids are sealed with; and which decisions were scored.

The scores themselves are the state: the figures are a fold over them
(`posterior.Evidence.of`), so a store needs no arithmetic of its own and every
replica reading the same scores has the same figures. Memory and SQLite serve
one process (in memory the scored-decision memory is bounded by
`feedback.max_remembered`; SQLite keeps it in the file); Redis
(`learning.redis_store`) is shared."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from cachetools import TTLCache

LearnKey = tuple[str, str, str]
"""(tenant, task, model)."""
Kept = dict[LearnKey, tuple[list[float], int]]
"""Per key: the kept scores, oldest first, and how many scores came in all."""
KEY_BYTES = 32


class LearnedStore(Protocol):
    async def secret(self) -> bytes:
        """The key that seals decision ids: made once, then the same for every
        replica on this store (and, but for memory, across restarts)."""

    async def scored_first(self, mac: bytes, ttl_s: float) -> bool:
        """Marks the decision sealed by `mac` scored: False when it was already."""

    async def append(self, scores: Sequence[tuple[LearnKey, float]]) -> None:
        """Adds scores, in order, keeping the latest `max_scores` per key."""

    async def load(self) -> Kept:
        """Every key's scores."""

    async def changed(self) -> Kept:
        """The keys that got scores since the last call (or load), with all their
        kept scores: from other replicas, and this one's own too (harmless: the
        figures are folded again from the whole list)."""

    async def close(self) -> None: ...


class _Scored:
    """The scored-decision memory of one process: bounded, each entry for the
    window only."""

    def __init__(self, max_remembered: int, window_s: float, wall: Callable[[], float]) -> None:
        self._seen: TTLCache[bytes, bool] = TTLCache(max_remembered, window_s, timer=wall)

    def first(self, mac: bytes) -> bool:
        if mac in self._seen:
            return False
        self._seen[mac] = True
        return True


class MemoryLearnedStore:
    """In this process only (`usage.store: memory`): lost at exit. The feedback
    service's own evidence is then all there is; no scores are kept twice."""

    def __init__(self, max_remembered: int, window_s: float, wall: Callable[[], float]) -> None:
        self._key = os.urandom(KEY_BYTES)
        self._scored = _Scored(max_remembered, window_s, wall)

    async def secret(self) -> bytes:
        return self._key

    async def scored_first(self, mac: bytes, ttl_s: float) -> bool:
        return self._scored.first(mac)

    async def append(self, scores: Sequence[tuple[LearnKey, float]]) -> None:
        return None

    async def load(self) -> Kept:
        return {}

    async def changed(self) -> Kept:
        return {}

    async def close(self) -> None:
        return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS learned (
    tenant TEXT NOT NULL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    scores BLOB NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (tenant, task, model)
);
CREATE TABLE IF NOT EXISTS learned_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS learned_scored (mac BLOB PRIMARY KEY, expires REAL NOT NULL);
"""
PURGE_EVERY = 1000
"""Scored decisions recorded between two purges of the expired ones."""


class SqliteLearnedStore:
    """In the usage store's SQLite file, its own tables; the scored decisions
    too, so that a restart does not let a decision be scored twice. sqlite3
    blocks: every operation runs in a worker thread, one at a time."""

    def __init__(self, path: Path, max_scores: int, wall: Callable[[], float]) -> None:
        self._max = max_scores
        self._lock = threading.Lock()
        self._wall = wall
        self._recorded = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    async def secret(self) -> bytes:
        return await asyncio.to_thread(self._secret)

    def _secret(self) -> bytes:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO learned_meta (key, value) VALUES ('decision_key', ?)",
                (os.urandom(KEY_BYTES),),
            )
            row = self._db.execute("SELECT value FROM learned_meta WHERE key = 'decision_key'").fetchone()
            return bytes(row[0])

    async def scored_first(self, mac: bytes, ttl_s: float) -> bool:
        return await asyncio.to_thread(self._scored_first, mac, ttl_s)

    def _scored_first(self, mac: bytes, ttl_s: float) -> bool:
        now = self._wall()
        with self._lock:
            db = self._db
            self._recorded += 1
            # One transaction: replicas sharing the file take turns.
            db.execute("BEGIN IMMEDIATE")
            try:
                if self._recorded % PURGE_EVERY == 0:
                    db.execute("DELETE FROM learned_scored WHERE expires < ?", (now,))
                row = db.execute("SELECT expires FROM learned_scored WHERE mac = ?", (mac,)).fetchone()
                first = row is None or row[0] < now
                if first:
                    db.execute(
                        "INSERT OR REPLACE INTO learned_scored (mac, expires) VALUES (?, ?)",
                        (mac, now + ttl_s),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return first

    async def append(self, scores: Sequence[tuple[LearnKey, float]]) -> None:
        if scores:
            await asyncio.to_thread(self._append, list(scores))

    def _append(self, scores: list[tuple[LearnKey, float]]) -> None:
        grouped: dict[LearnKey, list[float]] = {}
        for key, score in scores:
            grouped.setdefault(key, []).append(score)
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for (tenant, task, model), added in grouped.items():
                    row = db.execute(
                        "SELECT scores, count FROM learned WHERE tenant = ? AND task = ? AND model = ?",
                        (tenant, task, model),
                    ).fetchone()
                    kept = _floats(row[0]) if row else array("d")
                    kept.extend(added)
                    count = (row[1] if row else 0) + len(added)
                    db.execute(
                        "INSERT OR REPLACE INTO learned (tenant, task, model, scores, count)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (tenant, task, model, kept[-self._max :].tobytes(), count),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    async def load(self) -> Kept:
        return await asyncio.to_thread(self._load)

    def _load(self) -> Kept:
        with self._lock:
            rows = self._db.execute("SELECT tenant, task, model, scores, count FROM learned").fetchall()
        return {(t, k, m): (_floats(blob).tolist(), int(n)) for t, k, m, blob, n in rows}

    async def changed(self) -> Kept:
        return {}

    async def close(self) -> None:
        with self._lock:
            self._db.close()


def _floats(blob: bytes) -> array[float]:
    kept = array("d")
    kept.frombytes(blob)
    return kept
