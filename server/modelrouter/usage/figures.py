"""One deployment's call figures over some span (one tenant's, or several merged):
counts, failures by outcome, tokens, cost, latency and time-to-first-token
sketches, and how often it was full.

A call reaches the figures as a `CallEvent`, appended on the call's path and
folded in later, off it (`UsageBook.fold`): the call itself pays one append."""

from __future__ import annotations

from typing import NamedTuple

from ddsketch.ddsketch import BaseDDSketch

from modelrouter.outcomes import Outcome
from modelrouter.usage.sketch import from_bytes, new_sketch, to_bytes

NANO = 1_000_000_000
"""Cost is counted in integer nano-USD, so that totals add up exactly and budget
arithmetic never rounds."""

REFUSED = Outcome.OVERLOADED
"""Refused by our own concurrency gate: nothing was sent, so not a request; it
counts toward saturation."""


class CallEvent(NamedTuple):
    at: float
    """Wall-clock time (Unix seconds) the call ended."""
    outcome: str
    latency_ms: float
    ttft_ms: float
    input_tokens: int
    output_tokens: int
    cost_nusd: int
    waited: bool
    """The call found the deployment at its max_concurrency and waited for a slot."""
    tenant: str = ""
    """Whose call it was ("" on a server without API keys): usage is kept per tenant."""


class Figures:
    __slots__ = (
        "cost_nusd",
        "failures",
        "failures_by_reason",
        "input_tokens",
        "latency",
        "output_tokens",
        "refused",
        "requests",
        "selections",
        "successes",
        "ttft",
        "waited",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.successes = 0
        self.failures = 0
        self.failures_by_reason: dict[str, int] = {}
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost_nusd = 0
        self.selections = 0
        self.waited = 0
        self.refused = 0
        self.latency: BaseDDSketch = new_sketch()
        self.ttft: BaseDDSketch = new_sketch()

    @property
    def cost_usd(self) -> float:
        return self.cost_nusd / NANO

    @property
    def saturation(self) -> float:
        """Share of calls that found the deployment full (waited or were refused)."""
        tried = self.requests + self.refused
        return (self.waited + self.refused) / tried if tried else 0.0

    def add(self, e: CallEvent) -> None:
        if e.outcome == REFUSED:
            self.refused += 1
            return
        self.requests += 1
        self.waited += e.waited
        self.latency.add(e.latency_ms)
        # A failed or cut call may have used tokens too (what it received): it is
        # charged them, so they count here as in the budgets.
        self.input_tokens += e.input_tokens
        self.output_tokens += e.output_tokens
        self.cost_nusd += e.cost_nusd
        if e.outcome == Outcome.OK:
            self.successes += 1
            self.ttft.add(e.ttft_ms)
        else:
            self.failures += 1
            self.failures_by_reason[e.outcome] = self.failures_by_reason.get(e.outcome, 0) + 1

    def merge(self, other: Figures) -> None:
        self.requests += other.requests
        self.successes += other.successes
        self.failures += other.failures
        for reason, n in other.failures_by_reason.items():
            self.failures_by_reason[reason] = self.failures_by_reason.get(reason, 0) + n
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost_nusd += other.cost_nusd
        self.selections += other.selections
        self.waited += other.waited
        self.refused += other.refused
        if other.latency.count:
            self.latency.merge(other.latency)
        if other.ttft.count:
            self.ttft.merge(other.ttft)

    def add_counters(self, other: Figures) -> None:
        """Adds `other`'s integer fields only (no failure reasons, no sketches)."""
        for name in Figures.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def is_empty(self) -> bool:
        return not (self.requests or self.refused or self.selections)

    COUNTERS = (
        "requests",
        "successes",
        "failures",
        "input_tokens",
        "output_tokens",
        "cost_nusd",
        "selections",
        "waited",
        "refused",
    )
    """The integer fields, as the stores name them."""

    def counters(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in Figures.COUNTERS}

    def sketches(self) -> tuple[bytes, bytes]:
        return to_bytes(self.latency), to_bytes(self.ttft)

    @classmethod
    def restore(
        cls, counters: dict[str, int], failures: dict[str, int], latency: bytes, ttft: bytes
    ) -> Figures:
        f = cls()
        for name in Figures.COUNTERS:
            setattr(f, name, int(counters.get(name, 0)))
        f.failures_by_reason = {k: int(v) for k, v in failures.items() if v}
        f.latency = from_bytes(latency)
        f.ttft = from_bytes(ttft)
        return f


def merged(parts: list[Figures], empty: Figures | None = None) -> Figures:
    """The parts merged, for reading only: a single part is returned as it is,
    and no parts give `empty` (when given)."""
    if len(parts) == 1:
        return parts[0]
    if not parts and empty is not None:
        return empty
    total = Figures()
    for p in parts:
        total.merge(p)
    return total
