"""A circuit breaker per deployment.

Closed: calls pass; it opens after `failure_threshold` failures in a row, or when
at least `error_rate` of the last `window` calls failed, once the window holds
`min_calls`. Open: calls are refused at once (CIRCUIT_OPEN) until `cooldown_s`
has passed. Half-open: one call or probe is let through; its success closes the
circuit, its failure opens it again for another cooldown. Every transition is
reported to `on_change`, which turns it into deployment health (and so into
selection, Stats and the logs).

Only failures that are the deployment's count (`outcomes.AGAINST_DEPLOYMENT`): a
caller's deadline or cancellation, a 429 or a refused request do not. Every call
`allow` let through reports exactly one outcome to `record` (the attempt's life
guarantees it), which also ends a half-open probe whatever its outcome, so a
probe refused by a budget or cancelled cannot leave the breaker half-open for good."""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from modelrouter.clock import Clock
from modelrouter.outcomes import AGAINST_DEPLOYMENT, Outcome


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class CircuitPolicy:
    failure_threshold: int = 5
    error_rate: float = 0.5
    window: int = 20
    cooldown_s: float = 10.0
    min_calls: int = 10
    """Calls the window must hold before its error rate can open the circuit."""


class CircuitBreaker:
    __slots__ = (
        "_clock",
        "_failures_in_row",
        "_on_change",
        "_opened_at",
        "_policy",
        "_probing",
        "_recent",
        "state",
    )

    def __init__(
        self, policy: CircuitPolicy, clock: Clock, on_change: Callable[[State, State, str], None]
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._on_change = on_change
        self.state = State.CLOSED
        self._failures_in_row = 0
        self._recent: deque[bool] = deque(maxlen=policy.window)
        self._opened_at = 0.0
        self._probing = False

    def allow(self) -> bool:
        """Whether a call may go to the deployment now; in half-open, only one at a time."""
        if self.state is State.CLOSED:
            return True
        if self.state is State.OPEN:
            if self._clock() - self._opened_at < self._policy.cooldown_s:
                return False
            self._move(State.HALF_OPEN, f"cooldown of {self._policy.cooldown_s:g} s over")
        if self._probing:
            return False
        self._probing = True
        return True

    @property
    def wants_probe(self) -> bool:
        """Open with its cooldown over, or half-open with no call or probe under
        way: time for a health probe."""
        if self.state is State.OPEN:
            return self._clock() - self._opened_at >= self._policy.cooldown_s
        return self.state is State.HALF_OPEN and not self._probing

    def record(self, outcome: str) -> None:
        """The one outcome of a call (or a probe) that `allow` let through."""
        if outcome == Outcome.OK:
            self._recent.append(True)
            self._failures_in_row = 0
            if self.state is not State.CLOSED:
                self._probing = False
                self._recent.clear()
                self._move(State.CLOSED, "a call succeeded")
            return
        if outcome not in AGAINST_DEPLOYMENT:
            self._probing = False  # says nothing of the deployment: the next call probes
            return
        self._recent.append(False)
        self._failures_in_row += 1
        if self.state is State.HALF_OPEN:
            self._probing = False
            self._open(f"the half-open call failed ({outcome})")
            return
        if self.state is State.OPEN:
            return
        policy = self._policy
        if self._failures_in_row >= policy.failure_threshold:
            self._open(f"{self._failures_in_row} failures in a row (last {outcome})")
            return
        seen = len(self._recent)
        if seen >= policy.min_calls:
            rate = self._recent.count(False) / seen
            if rate >= policy.error_rate:
                self._open(f"{rate:.0%} of the last {seen} calls failed")

    def report_to(self, on_change: Callable[[State, State, str], None]) -> None:
        """From now on, transitions go to `on_change` (a reload hands the breaker
        to the next configuration's health monitor)."""
        self._on_change = on_change

    def _open(self, why: str) -> None:
        self._opened_at = self._clock()
        self._move(State.OPEN, why)

    def _move(self, to: State, why: str) -> None:
        before, self.state = self.state, to
        if before is not to:
            self._on_change(before, to, why)
