"""learned: `weighted`'s score, with the quality learned from feedback.

For each eligible model, the quality is the posterior over its quality on the
request's task for the caller's tenant (`learning.posterior`): the configured
quality as a prior worth `feedback.prior_weight` scores, moved by the scores
received. While a tenant has no scores on a task the ranking is `weighted`'s on
the priors (no reliability term); from its first score on, each call draws the
quality from each model's posterior (Thompson sampling): a model the router is
unsure of is tried now and then, in proportion to its chance of being the best,
and one it is sure of is not. Cost and latency are placed as `weighted` places
them. Each call samples anew, so a learned ranking is never served from the
selection cache (`cacheable`).

Score components: quality (the value that ranked it: the draw, or the prior
mean), learned_quality (the posterior mean), uncertainty (its standard
deviation), cost, latency."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

from modelrouter.domain import Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.learning.feedback import Feedback
from modelrouter.learning.posterior import moments, parameters
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements
from modelrouter.selection.strategies.weighted import placements

COMPONENTS = ("quality", "learned_quality", "uncertainty", "cost", "latency")
PLAUSIBLE_SD = 4.0
"""How far from its mean (in standard deviations) a draw may plausibly land."""
new_scored = partial(tuple.__new__, ScoredModel)


@dataclass(frozen=True, slots=True)
class Learned:
    name: str
    weights: Mapping[str, float]
    feedback: Feedback
    requirements: Requirements | None = None
    rng: random.Random = field(default_factory=random.Random)
    cacheable: ClassVar[bool] = False

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        req = effective_requirements(query, self.requirements)
        evaluation = pool.evaluate(req)
        wq, wc, wl = _normalised(query.weights or self.weights)
        cands = evaluation.candidates
        costs, latencies = placements(cands)
        evidence = self.feedback.on(pool.tenant, req.task)
        weight = self.feedback.learning.prior_weight
        rows = []
        for c, cost, latency in zip(cands, costs, latencies, strict=True):
            alpha, beta = parameters(c.quality, evidence.get(c.model), weight)
            mean, sd = moments(alpha, beta)
            rows.append((c, wc * cost + wl * latency, alpha, beta, mean, sd, cost, latency))
        # A tenant without scores on the task ranks by the priors. With scores, each
        # model's quality is drawn from its posterior; a model whose best plausible
        # draw cannot reach another's worst plausible score is not drawn (its mean
        # stands in): the cost of a ranking follows the models still in contention,
        # not the registry's size.
        floor = max(
            (fixed + wq * (mean - PLAUSIBLE_SD * sd) for _, fixed, _, _, mean, sd, _, _ in rows), default=0.0
        )
        draw = self.rng.betavariate
        scored: list[ScoredModel] = []
        for c, fixed, alpha, beta, mean, sd, cost, latency in rows:
            contends = evidence and fixed + wq * (mean + PLAUSIBLE_SD * sd) >= floor
            quality = draw(alpha, beta) if contends else mean
            scored.append(new_scored((c, wq * quality + fixed, (quality, mean, sd, cost, latency))))
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


def _order(s: ScoredModel) -> tuple[float, float, str]:
    return (-s.score, s.candidate.cost_usd, s.candidate.model)


def _normalised(weights: Mapping[str, float]) -> tuple[float, float, float]:
    """Quality, cost and latency weights summing to 1 (a request's `reliability`
    weight, which `weighted` knows, has nothing to weigh here)."""
    q, c, lat = (max(weights.get(k, 0.0), 0.0) for k in ("quality", "cost", "latency"))
    top = max(q, c, lat)
    if top <= 0:
        return 1.0, 0.0, 0.0
    q, c, lat = q / top, c / top, lat / top
    total = q + c + lat
    return q / total, c / total, lat / total
