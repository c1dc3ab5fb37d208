"""The access log: one structured line per call, rendered off the call's path.

A call only appends its figures to a list (well under a microsecond); the lines
are rendered through structlog and written in batches by `flush`, which the
server runs every `logs.FLUSH_INTERVAL_S` and at exit, and which runs by itself
when `MAX_PENDING` calls wait. Rendering a line on the call's path cost 14 us a
call inside the loaded server (against 5 us in a quiet loop), a tenth of a bare
gRPC round trip."""

from __future__ import annotations

import itertools
import os
import time
from datetime import UTC, datetime

from structlog.typing import FilteringBoundLogger

MAX_PENDING = 1024


class AccessLog:
    __slots__ = ("_counter", "_enabled", "_log", "_pending", "_prefix")

    def __init__(self, log: FilteringBoundLogger, enabled: bool) -> None:
        self._log = log
        self._enabled = enabled
        self._pending: list[tuple[float, str, str, str, str, float, str]] = []
        # Request ids: a random per-process prefix and a counter, unique across
        # replicas without a random draw per call.
        self._prefix = os.urandom(4).hex()
        self._counter = itertools.count(1)

    def request_id(self) -> str:
        return f"{self._prefix}{next(self._counter):08x}"

    def record(
        self, rpc: str, request_id: str, started: float, outcome: str, model: str = "", reason: str = ""
    ) -> None:
        """Note a finished call; `started` is its `time.perf_counter()` at arrival."""
        if not self._enabled:
            return
        now = time.perf_counter()
        self._pending.append((time.time(), rpc, request_id, model, outcome, (now - started) * 1000, reason))
        if len(self._pending) >= MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        info = self._log.info
        for at, rpc, request_id, model, outcome, latency_ms, reason in pending:
            extra = {"reason": reason} if reason else {}
            info(
                "call",
                timestamp=datetime.fromtimestamp(at, UTC).isoformat(),
                rpc=rpc,
                request_id=request_id,
                model=model,
                outcome=outcome,
                latency_ms=round(latency_ms, 3),
                **extra,
            )
