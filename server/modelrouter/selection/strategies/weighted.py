"""weighted: a normalised score over quality, cost, latency and reliability.

Each component lies in 0..1, higher is better:
- quality: the model's quality for the task (already 0..1, so taken as is: the
  task fit);
- cost and latency: placed between the cheapest (fastest) and the dearest
  (slowest) eligible model on a log scale, since prices and latencies span orders
  of magnitude and a ratio is what a person feels (1.0 best, 0.0 worst; 1.0 for
  all when they are equal);
- reliability: the live success rate.
The score is the weighted mean. Weights come from the request when it gives any,
else from the strategy's configuration."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from modelrouter.domain import Candidate, Ranking, Requirements, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements, ranked

# Costs are compared on a log scale; a free model would be infinitely far without
# an offset. A millionth of a dollar is below any real request's price.
COST_FLOOR_USD = 1e-6
LATENCY_FLOOR_MS = 1.0


@dataclass(frozen=True, slots=True)
class Weighted:
    name: str
    weights: Mapping[str, float]
    requirements: Requirements | None = None

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        evaluation = pool.evaluate(effective_requirements(query, self.requirements))
        weights = query.weights or self.weights
        # Scale by the largest weight first: only the ratios matter, and weights
        # near the float maximum would otherwise sum to infinity.
        top = max(weights.values())
        weights = {k: v / top for k, v in weights.items()}
        total = sum(weights.values())
        wq = weights.get("quality", 0.0) / total
        wc = weights.get("cost", 0.0) / total
        wl = weights.get("latency", 0.0) / total
        wr = weights.get("reliability", 0.0) / total
        cands = evaluation.candidates
        cost = _LogScale([c.cost_usd + COST_FLOOR_USD for c in cands])
        latency = _LogScale([c.latency_ms + LATENCY_FLOOR_MS for c in cands])

        def score(c: Candidate) -> tuple[float, Mapping[str, float]]:
            parts = {
                "quality": c.quality,
                "cost": cost.goodness(c.cost_usd + COST_FLOOR_USD),
                "latency": latency.goodness(c.latency_ms + LATENCY_FLOOR_MS),
                "reliability": c.success_rate,
            }
            value = (
                wq * parts["quality"] + wc * parts["cost"] + wl * parts["latency"] + wr * parts["reliability"]
            )
            return value, parts

        return ranked(self.name, evaluation, score, lambda s: (-s.score, s.candidate.cost_usd))


class _LogScale:
    """Maps a value between the smallest (1.0) and the largest (0.0) of a set."""

    __slots__ = ("_high", "_span")

    def __init__(self, values: list[float]) -> None:
        if not values:
            self._high, self._span = 0.0, 0.0
            return
        low, high = math.log(min(values)), math.log(max(values))
        self._high, self._span = high, high - low

    def goodness(self, value: float) -> float:
        if self._span <= 0:
            return 1.0
        return (self._high - math.log(value)) / self._span
