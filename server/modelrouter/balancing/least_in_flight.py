"""Least in flight: the deployment with the fewest calls under way, relative to
its weight; ties rotate so idle deployments share the work."""

from __future__ import annotations

from collections.abc import Sequence, Set

from modelrouter.balancing.base import serving
from modelrouter.live import DeploymentState


class LeastInFlight:
    __slots__ = ("_deployments", "_turn")

    def __init__(self, deployments: Sequence[DeploymentState]) -> None:
        self._deployments = tuple(deployments)
        self._turn = 0

    def pick(self, exclude: Set[str] = frozenset()) -> DeploymentState:
        pool = serving(self._deployments, exclude)
        n = len(pool)
        if n == 1:
            return pool[0]
        self._turn += 1
        start = self._turn % n
        best = pool[start]
        best_load = best.in_flight / best.weight
        for i in range(1, n):
            d = pool[(start + i) % n]
            load = d.in_flight / d.weight
            if load < best_load:
                best, best_load = d, load
        return best
