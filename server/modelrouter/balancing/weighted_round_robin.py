"""Smooth weighted round robin (as in nginx): over any window of `sum(weights)`
picks each deployment is chosen in proportion to its weight, fractional weights
included, and the picks are spread out rather than bunched."""

from __future__ import annotations

from collections.abc import Sequence, Set

from modelrouter.balancing.base import serving
from modelrouter.live import DeploymentState


class SmoothWeightedRoundRobin:
    __slots__ = ("_current", "_deployments")

    def __init__(self, deployments: Sequence[DeploymentState]) -> None:
        self._deployments = tuple(deployments)
        self._current = {d.name: 0.0 for d in deployments}

    def pick(self, exclude: Set[str] = frozenset()) -> DeploymentState:
        # One deployment: nothing to choose (a draining one is refused before a pick).
        pool = self._deployments if len(self._deployments) == 1 else serving(self._deployments, exclude)
        if len(pool) == 1:
            return pool[0]
        current = self._current
        total = 0.0
        best = pool[0]
        best_value = float("-inf")
        for d in pool:
            value = current[d.name] + d.weight
            current[d.name] = value
            total += d.weight
            if value > best_value:
                best, best_value = d, value
        current[best.name] -= total
        return best
