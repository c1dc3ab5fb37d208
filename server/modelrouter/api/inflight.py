"""The Invoke and InvokeStream calls being served, so that a shutdown whose grace
runs out ends them with an answer of its own (UNAVAILABLE `SHUTTING_DOWN`, with
its ErrorInfo) a moment before gRPC would cancel them with a bare status."""

from __future__ import annotations

import asyncio

from modelrouter.errors import ShuttingDown


class InFlight:
    __slots__ = ("_tasks", "_writing", "cutting")

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._writing: set[asyncio.Task[object]] = set()
        """Streams handing a message to gRPC: a cancellation there would land in
        gRPC's own code and end the call bare, so they are told after the write."""
        self.cutting = False
        """Set once the shutdown grace is over: a cancelled call is then cut by it."""

    def enter(self) -> asyncio.Task[object]:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        return task

    def leave(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        self._writing.discard(task)

    def writing(self, task: asyncio.Task[object]) -> None:
        self._writing.add(task)

    def written(self, task: asyncio.Task[object]) -> None:
        """The write is over; raises ShuttingDown when the shutdown cut the call meanwhile."""
        self._writing.discard(task)
        if self.cutting:
            raise ShuttingDown()

    def cut(self) -> int:
        """Cancels every call still being served (a stream in a write is cut
        once the write is over); returns how many were cancelled now."""
        self.cutting = True
        tasks = [t for t in self._tasks if t not in self._writing]
        for task in tasks:
            task.cancel("the shutdown grace ended")
        return len(tasks)
