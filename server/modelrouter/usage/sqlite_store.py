"""Usage totals in a SQLite file: the default store, for one replica (or several
on one host; each flush is one IMMEDIATE transaction, so writers take turns).

sqlite3 blocks, so every operation runs in a worker thread, one at a time."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from modelrouter.usage.figures import Figures
from modelrouter.usage.store import Key, SpendKey, Stored, UsageStoreError

_COUNTERS = Figures.COUNTERS
_USAGE_TABLE = f"""
CREATE TABLE IF NOT EXISTS usage (
    tenant TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL,
    deployment TEXT NOT NULL,
    {", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in _COUNTERS)},
    failures_by_reason TEXT NOT NULL DEFAULT '{{}}',
    latency BLOB NOT NULL DEFAULT x'',
    ttft BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (tenant, model, deployment)
)"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
{_USAGE_TABLE};
CREATE TABLE IF NOT EXISTS spend (
    scope TEXT NOT NULL,
    period TEXT NOT NULL,
    nusd INTEGER NOT NULL,
    PRIMARY KEY (scope, period)
);
"""


class SqliteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            _add_tenants(self._db)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('since', ?)", (repr(time.time()),)
            )
        except (OSError, sqlite3.Error) as exc:
            raise UsageStoreError(
                f"usage.path: cannot open the usage store {self.path}: {exc}; "
                "set usage.path to a writable file (or XDG_STATE_HOME), or usage.store: memory"
            ) from None

    async def add(self, deltas: Mapping[Key, Figures], spend: Mapping[SpendKey, int]) -> None:
        if deltas or spend:
            await asyncio.to_thread(self._add, dict(deltas), dict(spend))

    async def load(self) -> Stored:
        return await asyncio.to_thread(self._load)

    async def close(self) -> None:
        with self._lock:
            self._db.close()

    def _add(self, deltas: dict[Key, Figures], spend: dict[SpendKey, int]) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for (tenant, model, deployment), delta in deltas.items():
                    row = db.execute(
                        "SELECT failures_by_reason, latency, ttft, "
                        + ", ".join(_COUNTERS)
                        + " FROM usage WHERE tenant = ? AND model = ? AND deployment = ?",
                        (tenant, model, deployment),
                    ).fetchone()
                    total = (
                        Figures.restore(
                            dict(zip(_COUNTERS, row[3:], strict=True)), json.loads(row[0]), row[1], row[2]
                        )
                        if row
                        else Figures()
                    )
                    total.merge(delta)
                    latency, ttft = total.sketches()
                    counters = total.counters()
                    db.execute(
                        "INSERT OR REPLACE INTO usage "
                        + "(tenant, model, deployment, failures_by_reason, latency, ttft, "
                        + ", ".join(_COUNTERS)
                        + ") VALUES (?, ?, ?, ?, ?, ?"
                        + ", ?" * len(_COUNTERS)
                        + ")",
                        (
                            tenant,
                            model,
                            deployment,
                            json.dumps(total.failures_by_reason, sort_keys=True),
                            latency,
                            ttft,
                            *(counters[c] for c in _COUNTERS),
                        ),
                    )
                for (scope, period), nusd in spend.items():
                    db.execute(
                        "INSERT INTO spend (scope, period, nusd) VALUES (?, ?, ?) "
                        "ON CONFLICT (scope, period) DO UPDATE SET nusd = nusd + excluded.nusd",
                        (scope, period, nusd),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _load(self) -> Stored:
        with self._lock:
            db = self._db
            since = float(db.execute("SELECT value FROM meta WHERE key = 'since'").fetchone()[0])
            figures: dict[Key, Figures] = {}
            for row in db.execute(
                "SELECT tenant, model, deployment, failures_by_reason, latency, ttft, "
                + ", ".join(_COUNTERS)
                + " FROM usage"
            ):
                counters = dict(zip(_COUNTERS, row[6:], strict=True))
                figures[(row[0], row[1], row[2])] = Figures.restore(
                    counters, json.loads(row[3]), row[4], row[5]
                )
            spend = {(s, p): int(n) for s, p, n in db.execute("SELECT scope, period, nusd FROM spend")}
            return Stored(figures, since, spend)


def _add_tenants(db: sqlite3.Connection) -> None:
    """A file from before tenants keeps its usage rows per (model, deployment):
    they become tenant "" (every call then was made without one). The table is
    rebuilt, its key now led by the tenant, in one transaction, so that a replica
    opening the file at the same time finds it either old or new."""
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(usage)")]
        if "tenant" not in columns:
            db.execute("ALTER TABLE usage RENAME TO usage_before_tenants")
            db.execute(_USAGE_TABLE)
            # Only the columns both have: an older file may lack a later counter.
            kept = ", ".join(c for c in columns if c in (*_COUNTERS, "failures_by_reason", "latency", "ttft"))
            db.execute(
                f"INSERT INTO usage (tenant, model, deployment, {kept}) "
                f"SELECT '', model, deployment, {kept} FROM usage_before_tenants"
            )
            db.execute("DROP TABLE usage_before_tenants")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
