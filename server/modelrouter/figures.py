"""Per-deployment call figures for Stats: counts, failures by outcome, tokens,
cost, and recent latencies for percentiles.

Latencies are kept in a ring of the last `WINDOW` calls per deployment: exact
percentiles over a recent window, at a fixed cost per call. (A mergeable quantile
sketch over time windows replaces it with the analytics work.)"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

WINDOW = 2048


class CallFigures:
    __slots__ = (
        "cost_usd",
        "failures",
        "failures_by_reason",
        "input_tokens",
        "latencies_ms",
        "output_tokens",
        "requests",
        "successes",
        "ttfts_ms",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.successes = 0
        self.failures = 0
        self.failures_by_reason: dict[str, int] = {}
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost_usd = 0.0
        self.latencies_ms: deque[float] = deque(maxlen=WINDOW)
        self.ttfts_ms: deque[float] = deque(maxlen=WINDOW)

    def success(
        self, latency_ms: float, ttft_ms: float, input_tokens: int, output_tokens: int, cost: float
    ) -> None:
        self.requests += 1
        self.successes += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost_usd += cost
        self.latencies_ms.append(latency_ms)
        self.ttfts_ms.append(ttft_ms)

    def failure(self, outcome: str, latency_ms: float) -> None:
        self.requests += 1
        self.failures += 1
        self.failures_by_reason[outcome] = self.failures_by_reason.get(outcome, 0) + 1
        self.latencies_ms.append(latency_ms)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method; 0.0 with no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
    return ordered[rank - 1]
