"""Latency-aware power of two choices: draw two deployments (in proportion to
their weights, the prior) and send to the one with the lower expected wait,
`smoothed latency x (in flight + 1)`. Sampling two instead of scanning all keeps
the choice cheap and avoids every router herding onto the same fastest one.

A deployment with no latency measured yet is assumed as fast as the fastest
measured one, so new or recovered deployments get traffic and a figure."""

from __future__ import annotations

import random
from collections.abc import Sequence, Set
from itertools import accumulate

from modelrouter.balancing.base import serving
from modelrouter.live import DeploymentState


class LatencyP2C:
    __slots__ = ("_deployments", "_rng")

    def __init__(self, deployments: Sequence[DeploymentState], rng: random.Random | None = None) -> None:
        self._deployments = tuple(deployments)
        self._rng = rng or random.Random()

    def pick(self, exclude: Set[str] = frozenset()) -> DeploymentState:
        pool = serving(self._deployments, exclude)
        if len(pool) == 1:
            return pool[0]
        weights = list(accumulate(d.weight for d in pool))
        a, b = self._rng.choices(pool, cum_weights=weights, k=2)
        if a is b:
            return a
        measured = [d.ewma_latency_ms for d in (a, b) if d.ewma_latency_ms > 0]
        default = min(measured) if measured else 1.0
        cost_a = (a.ewma_latency_ms or default) * (a.in_flight + 1)
        cost_b = (b.ewma_latency_ms or default) * (b.in_flight + 1)
        if cost_a == cost_b:
            return a if a.weight >= b.weight else b
        return a if cost_a < cost_b else b
