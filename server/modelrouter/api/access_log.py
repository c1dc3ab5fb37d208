"""The access log: one structured line per call, rendered off the call's path.

A call only appends its figures to a list (well under a microsecond); the lines
are rendered through a structlog logger of their own, with the shortest chain
that gives the server log's JSON shape, and written in batches by `flush`, which
the server runs every `logs.FLUSH_INTERVAL_S` and at exit, and which runs by
itself when `MAX_PENDING` calls wait. Each line goes straight to the server log's
structlog renderer (`Logging.emit`). Rendered on the call's path through the
general chain, a line cost 14 us a call inside the loaded server; this way it
costs under 2 us.

Every call is also counted, by RPC, gRPC status code, ErrorInfo reason and
tenant, in `calls` (a plain dict increment, access log on or off), which the
metrics collector exports at scrape time (`modelrouter_calls_total`): this
process's calls since it started, as every other counter it exports.

Each line names the caller: its tenant and its key's id (never the key; both ""
on a server without keys), read from the call's context (`current_caller`)."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable

from structlog.typing import EventDict

from modelrouter.api.caller import current_caller
from modelrouter.invoker import Invoked

MAX_PENDING = 1024

_INVOKES = frozenset({"Invoke", "InvokeStream"})

_NO_CALL = ("", 0, 0, 0.0, False)

_Line = tuple[float, str, str, str, str, float, str, str, str, str, int, int, float, bool]
"""(time, rpc, request_id, model, outcome, latency_ms, reason, tenant, key_id,
deployment, input_tokens, output_tokens, cost_usd, cache_hit)"""


class AccessLog:
    __slots__ = ("_counter", "_emit", "_enabled", "_pending", "_prefix", "_second", "_stamp", "calls")

    def __init__(self, emit: Callable[[EventDict], None], enabled: bool) -> None:
        self._emit = emit
        self._enabled = enabled
        self._pending: list[_Line] = []
        self.calls: dict[tuple[str, str, str, str], int] = {}
        """Calls answered, by (rpc, gRPC status code name, ErrorInfo reason or "",
        tenant): tenants come from the configuration, so the keys are bounded."""
        # Request ids: a random per-process prefix and a counter, unique across
        # replicas without a random draw per call.
        self._prefix = os.urandom(4).hex()
        self._counter = itertools.count(1)
        self._second = -1
        self._stamp = ""

    def request_id(self) -> str:
        return f"{self._prefix}{next(self._counter):08x}"

    def record(
        self,
        rpc: str,
        request_id: str,
        started: float,
        outcome: str,
        model: str = "",
        reason: str = "",
        invoked: Invoked | None = None,
    ) -> None:
        """Note a finished call; `started` is its `time.perf_counter()` at arrival,
        `outcome` its gRPC status code's name, `reason` its ErrorInfo reason, and
        `invoked` an answered Invoke's (its deployment, tokens, cost, cache hit).
        The caller is the call's own (`current_caller`): record from its handler."""
        caller = current_caller()
        tenant = caller.tenant.name
        key = (rpc, outcome, reason, tenant)
        calls = self.calls
        calls[key] = calls.get(key, 0) + 1
        if not self._enabled:
            return
        now = time.perf_counter()
        latency_ms = (now - started) * 1000
        if invoked is None:
            line: _Line = (
                time.time(),
                rpc,
                request_id,
                model,
                outcome,
                latency_ms,
                reason,
                tenant,
                caller.key_id,
                *_NO_CALL,
            )
        else:
            c = invoked.completion
            line = (
                time.time(),
                rpc,
                request_id,
                invoked.model,
                outcome,
                latency_ms,
                reason,
                tenant,
                caller.key_id,
                invoked.deployment,
                c.input_tokens,
                c.output_tokens,
                invoked.cost_usd,
                invoked.cache_hit,
            )
        self._pending.append(line)
        if len(self._pending) >= MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        emit = self._emit
        iso = self._iso
        for line in pending:
            at, rpc, request_id, model, outcome, latency_ms, reason, tenant, key_id, deployment = line[:10]
            event: EventDict = {
                "rpc": rpc,
                "request_id": request_id,
                "model": model,
                "outcome": outcome,
                "latency_ms": round(latency_ms, 3),
                "tenant": tenant,
                "key": key_id,
                "event": "call",
                "level": "info",
                "timestamp": iso(at),
            }
            if outcome == "OK" and rpc in _INVOKES:  # an answered call
                event["deployment"] = deployment
                event["input_tokens"] = line[10]
                event["output_tokens"] = line[11]
                event["cost_usd"] = line[12]
                event["cache_hit"] = line[13]
            if reason:
                event["reason"] = reason
            emit(event)

    def _iso(self, at: float) -> str:
        """ISO-8601 UTC with microseconds, as the server log writes it; the date and
        time of day are formatted once a second."""
        second = int(at)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((at - second) * 1e6):06d}+00:00"
