"""Rate limits for one process: each tenant's window in memory, on this process's
clock. Nothing here awaits, so each admission is checked and counted in one step
of the event loop: exact under any concurrency within the process."""

from __future__ import annotations

import math

from modelrouter.clock import Clock
from modelrouter.ratelimit.limiter import IN_FLIGHT_WAIT_S, REQUESTS, TOKENS, Refusal, Rule
from modelrouter.ratelimit.window import Window


class LocalLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._windows: dict[str, Window] = {}

    def _window(self, tenant: str, second: int) -> Window:
        window = self._windows.get(tenant)
        if window is None:
            window = self._windows[tenant] = Window(second)
        else:
            window.advance(second)
        return window

    async def admit(self, tenant: str, rule: Rule, tokens: int) -> str | Refusal:
        now = self.clock()
        w = self._window(tenant, math.floor(now))
        rpm, tpm = rule
        if rpm and w.requests >= rpm:
            wait = w.wait_s(False, w.requests + 1 - rpm, now)
            return Refusal(REQUESTS, w.requests, 0, IN_FLIGHT_WAIT_S if wait is None else wait)
        if tpm and w.tokens + w.reserved + tokens > tpm:
            wait = w.wait_s(True, w.tokens + w.reserved + tokens - tpm, now)
            return Refusal(TOKENS, w.tokens, w.reserved, IN_FLIGHT_WAIT_S if wait is None else wait)
        w.count_request()
        w.reserved += tokens
        return ""

    def settle(self, tenant: str, name: str, reserved: int, used: int) -> None:
        # In one process a reservation cannot outlive its call: no expiry needed.
        w = self._window(tenant, math.floor(self.clock()))
        w.reserved -= reserved
        w.count_tokens(used)

    async def usage(self, tenant: str) -> tuple[int, int]:
        if tenant not in self._windows:
            return 0, 0
        w = self._window(tenant, math.floor(self.clock()))
        return w.requests, w.tokens + w.reserved

    async def close(self) -> None:
        return None
