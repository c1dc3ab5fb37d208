"""Keeps the usage book and the store in step: every `flush_interval_s` (and at
shutdown) the figures gathered since the last flush, and settled budget spend,
are added to the store. A store that fails keeps nothing from being served: its
figures wait for the next flush, with a warning at most every WARN_EVERY_S. A
store that hangs costs each read, write and close `usage.timeout_ms` at most."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.ledger import Ledger
from modelrouter.config.schema import UsageConfig
from modelrouter.usage.book import UsageBook
from modelrouter.usage.figures import Figures
from modelrouter.usage.redis_store import RedisStore
from modelrouter.usage.sqlite_store import SqliteStore
from modelrouter.usage.store import Deployment, Key, MemoryStore, SpendKey, Stored, UsageStore

WARN_EVERY_S = 10.0
# How long a read, write or close of the store may take when not configured
# (`usage.timeout_ms`).
DEFAULT_TIMEOUT_S = 1.0


def default_sqlite_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "modelrouter" / "usage.sqlite"


def build_store(config: UsageConfig) -> UsageStore:
    if config.store == "redis":
        return RedisStore(config.redis_url, config.key_prefix)
    if config.store == "sqlite":
        return SqliteStore(config.path or default_sqlite_path())
    return MemoryStore(time.time())


class UsageService:
    def __init__(
        self,
        book: UsageBook,
        store: UsageStore,
        ledger: Ledger | None,
        flush_interval_s: float,
        log: FilteringBoundLogger | None,
        clock: Callable[[], float] = time.monotonic,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.book = book
        self.store = store
        self.ledger = ledger
        self._interval = flush_interval_s
        self._log = log
        self._clock = clock
        self._timeout = timeout_s
        self._task: asyncio.Task[None] | None = None
        self._warned_at = -WARN_EVERY_S
        self.flush_errors = 0
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._started_at = time.time()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        # Stopped by an event, never cancelled: a flush cut while it awaits the
        # store would lose what it had taken.
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)
            if self._stopping.is_set():
                return
            await self.flush()
            if self.ledger is not None:
                with contextlib.suppress(Exception):  # a Redis blip: the next tick tries again
                    await self.ledger.refresh()

    async def flush(self) -> None:
        async with self._lock:  # one flush at a time: the periodic one and the last one
            self.book.fold()
            pending = self.book.take_pending()
            spend = self.ledger.take_settled() if self.ledger is not None else {}
            if not pending and not spend:
                return
            # The write is not cut at the timeout, only no longer waited for: cut,
            # it could land in part (Redis adds key by key; SQLite's worker thread
            # cannot be stopped and may commit it all), and its figures, given back,
            # would then be counted twice. It runs on, and gives them back only if
            # it fails.
            write = asyncio.ensure_future(self.store.add(pending, spend))
            try:
                async with asyncio.timeout(self._timeout):
                    await asyncio.shield(write)
            except TimeoutError as exc:
                self._warn(exc)
                write.add_done_callback(lambda done: self._landed(done, pending, spend))
            except Exception as exc:
                self._give_back(pending, spend)
                self._warn(exc)

    def _landed(
        self, write: asyncio.Future[None], pending: dict[Key, Figures], spend: dict[SpendKey, int]
    ) -> None:
        """A write that outlived its timeout has ended: its figures wait for the
        next flush unless it landed."""
        if write.cancelled() or write.exception() is not None:
            self._give_back(pending, spend)

    def _give_back(self, pending: dict[Key, Figures], spend: dict[SpendKey, int]) -> None:
        self.book.give_back(pending)
        if self.ledger is not None and spend:
            self.ledger.give_back_settled(spend)

    def _warn(self, exc: Exception) -> None:
        self.flush_errors += 1
        now = self._clock()
        if self._log is not None and now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            self._log.warning(
                "usage store unavailable; figures kept for the next flush",
                error=self._describe(exc),
                failed_flushes=self.flush_errors,
            )

    def _describe(self, exc: Exception) -> str:
        if isinstance(exc, TimeoutError):  # its repr says nothing
            return f"no answer within {self._timeout * 1000:g} ms"
        return repr(exc)

    async def totals(self) -> Stored:
        """The store's totals plus what this process has not flushed yet. A store
        that cannot be read gives this process's own figures since it started."""
        # Not while a flush is on its way: its figures are in neither the store
        # nor the book until it lands.
        async with self._lock:
            self.book.fold()
            try:
                async with asyncio.timeout(self._timeout):
                    stored = await self.store.load()
            except Exception as exc:
                self._warn(exc)
                # This process's own figures, then, since it started.
                return Stored({k: _copy(f) for k, f in self.book.process().items()}, self._started_at)
            for key, pending in self.book.pending().items():
                stored.figures.setdefault(key, Figures()).merge(pending)
            return stored

    def recent(self, key: Deployment, tenant: str | None = None, empty: Figures | None = None) -> Figures:
        """One deployment's recent figures: one tenant's, or (None) every tenant's."""
        return self.book.recent(key, tenant, empty)

    async def close(self) -> None:
        """The last flush, then the connections closed: within a few timeouts
        whatever the store does (figures a hung store did not take are lost)."""
        if self._task is not None:
            self._stopping.set()
            await self._task  # at most a flush and a budget refresh, each bounded
            self._task = None
        await self.flush()
        await self._close(self.store.close, "usage store")
        if self.ledger is not None:
            await self._close(self.ledger.close, "budget store")

    async def _close(self, close: Callable[[], Awaitable[None]], what: str) -> None:
        """Closing a connection to a hung store must not hold up the exit."""
        try:
            async with asyncio.timeout(self._timeout):
                await close()
        except Exception as exc:
            if self._log is not None:
                self._log.warning("closing failed", store=what, error=self._describe(exc))


def _copy(f: Figures) -> Figures:
    out = Figures()
    out.merge(f)
    return out
