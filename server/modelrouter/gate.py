"""Per-deployment concurrency: at most `max_concurrency` calls in flight, and at
most as many again waiting. A call that finds the queue full, or waits past its
time, is refused at once with OVERLOADED, so the invoker sends it elsewhere
rather than letting it block.

Acquire and release are separate calls, not a context manager, because an
attempt's life (`modelrouter.attempt`) holds the slot from its admission to its
one recorded outcome, across two methods."""

from __future__ import annotations

import asyncio

from modelrouter.live import DeploymentState
from modelrouter.outcomes import Outcome
from modelrouter.providers.base import ProviderError


class Gate:
    __slots__ = ("_max_waiting", "_semaphore", "_state", "_waiting")

    def __init__(self, state: DeploymentState, max_concurrency: int, max_waiting: int | None = None) -> None:
        self._state = state
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._max_waiting = max_concurrency if max_waiting is None else max_waiting
        self._waiting = 0

    async def acquire(self, wait_s: float) -> bool:
        """Takes a slot for the call; returns whether it had to wait for one.
        Raises ProviderError(OVERLOADED) when none is free in time."""
        semaphore = self._semaphore
        waited = semaphore.locked()
        if waited:
            if self._waiting >= self._max_waiting:
                raise ProviderError(
                    Outcome.OVERLOADED, f"{self._state.name}: {self._waiting} calls already waiting"
                )
            self._waiting += 1
            try:
                async with asyncio.timeout(max(wait_s, 0.0)):
                    await semaphore.acquire()
            except TimeoutError:
                raise ProviderError(
                    Outcome.OVERLOADED, f"{self._state.name}: no free slot within {wait_s:.3g} s"
                ) from None
            finally:
                self._waiting -= 1
        else:
            await semaphore.acquire()
        self._state.in_flight += 1
        return waited

    def release(self) -> None:
        self._state.in_flight -= 1
        self._semaphore.release()
