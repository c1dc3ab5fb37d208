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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from modelrouter.domain import Candidate, Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements

# Costs are compared on a log scale; a free model would be infinitely far without
# an offset. A millionth of a dollar is below any real request's price.
COST_FLOOR_USD = 1e-6
LATENCY_FLOOR_MS = 1.0


@dataclass(frozen=True, slots=True)
class Weighted:
    name: str
    weights: Mapping[str, float]
    requirements: Requirements | None = None
    cacheable: ClassVar[bool] = True

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        evaluation = pool.evaluate(effective_requirements(query, self.requirements))
        wq, wc, wl, wr = _normalised(query.weights or self.weights)
        cands = evaluation.candidates
        costs, latencies = placements(cands)
        scored: list[ScoredModel] = []
        append = scored.append
        # One pass, nothing built per candidate but its ScoredModel:
        # this runs for every eligible model on every uncached decision.
        for c, cost, latency in zip(cands, costs, latencies, strict=True):
            quality = c.quality
            reliability = c.success_rate
            value = wq * quality + wc * cost + wl * latency + wr * reliability
            append(new_scored((c, value, (quality, cost, latency, reliability))))
        scored.sort(key=_order)
        return Ranking(
            self.name,
            tuple(scored),
            evaluation.rejections,
            evaluation.input_tokens,
            evaluation.output_tokens,
            COMPONENTS,
            evaluation.task,
        )


COMPONENTS = ("quality", "cost", "latency", "reliability")
# ScoredModel's own constructor is a Python function; tuple's is not.
new_scored = partial(tuple.__new__, ScoredModel)


def _order(s: ScoredModel) -> tuple[float, float, str]:
    """Best score first; equal scores go to the cheaper, then by id."""
    return (-s.score, s.candidate.cost_usd, s.candidate.model)


def _normalised(weights: Mapping[str, float]) -> tuple[float, float, float, float]:
    """The four weights summing to 1. Scaled by the largest first: only the ratios
    matter, and weights near the float maximum would otherwise sum to infinity."""
    top = max(weights.values())
    q, c, lat, r = (weights.get(k, 0.0) / top for k in ("quality", "cost", "latency", "reliability"))
    total = q + c + lat + r
    return q / total, c / total, lat / total, r / total


def placements(cands: Sequence[Candidate]) -> tuple[list[float], list[float]]:
    """Each candidate's cost and latency component (see the module's docstring):
    1.0 for the cheapest (fastest), 0.0 for the dearest (slowest), on a log scale."""
    log = math.log
    return (
        _placed([log(c.cost_usd + COST_FLOOR_USD) for c in cands]),
        _placed([log(c.latency_ms + LATENCY_FLOOR_MS) for c in cands]),
    )


def _placed(logs: list[float]) -> list[float]:
    worst, span = _scale(logs)
    if span <= 0:
        return [1.0] * len(logs)
    return [(worst - x) / span for x in logs]


def _scale(logs: list[float]) -> tuple[float, float]:
    """The worst (largest) log value and the span down to the best: a value's
    goodness is its distance below the worst over the span (1.0 for the best)."""
    if not logs:
        return 0.0, 0.0
    high = max(logs)
    return high, high - min(logs)
