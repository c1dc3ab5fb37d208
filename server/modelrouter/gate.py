"""Per-deployment concurrency: at most `max_concurrency` calls in flight, and at
most as many again waiting. A call that finds the queue full, or waits past its
time, is refused at once with OVERLOADED, so the invoker sends it elsewhere
rather than letting it block."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from modelrouter.live import DeploymentState
from modelrouter.providers.base import Outcome, ProviderError


class Gate:
    __slots__ = ("_max_waiting", "_semaphore", "_state", "_waiting")

    def __init__(self, state: DeploymentState, max_concurrency: int, max_waiting: int | None = None) -> None:
        self._state = state
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._max_waiting = max_concurrency if max_waiting is None else max_waiting
        self._waiting = 0

    @asynccontextmanager
    async def enter(self, wait_s: float) -> AsyncIterator[bool]:
        """Holds a slot for the call; yields whether it had to wait for one."""
        semaphore = self._semaphore
        waited = semaphore.locked()
        if waited:
            if self._waiting >= self._max_waiting:
                raise ProviderError(
                    Outcome.OVERLOADED, f"{self._state.name}: {self._waiting} calls already waiting"
                )
            self._waiting += 1
            try:
                await asyncio.wait_for(semaphore.acquire(), wait_s)
            except TimeoutError:
                raise ProviderError(
                    Outcome.OVERLOADED, f"{self._state.name}: no free slot within {wait_s:.3g} s"
                ) from None
            finally:
                self._waiting -= 1
        else:
            await semaphore.acquire()
        self._state.in_flight += 1
        try:
            yield waited
        finally:
            self._state.in_flight -= 1
            semaphore.release()
