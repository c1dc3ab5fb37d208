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

The models in contention (those whose best plausible draw could beat another's
worst) rank first, by their draws; the rest follow by their posterior means. What
does not change from one draw to the next is prepared once (`prepare`) and kept,
keyed like the selection cache's decisions, while the tenant's evidence on the
task is unchanged (`LearnedDraws.current`): a call then pays for its draws only.

Score components: quality (the value that ranked it: the draw, or the posterior
mean), learned_quality (the posterior mean), uncertainty (its standard
deviation), cost, latency."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import ClassVar

import numpy

from modelrouter.domain import Candidate, Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.learning.feedback import Feedback, TaskEvidence
from modelrouter.learning.posterior import moments, parameters
from modelrouter.selection.eligibility import Evaluation
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements
from modelrouter.selection.strategies.weighted import new_scored, placements

COMPONENTS = ("quality", "learned_quality", "uncertainty", "cost", "latency")
PLAUSIBLE_SD = 4.0
"""How far from its mean (in standard deviations) a draw may plausibly land."""
DRAW_TOGETHER = 24
"""From this many models in contention on, their qualities are drawn in one numpy call."""


@dataclass(frozen=True, slots=True)
class Learned:
    name: str
    weights: Mapping[str, float]
    feedback: Feedback
    requirements: Requirements | None = None
    rng: numpy.random.Generator = field(default_factory=numpy.random.default_rng)
    """The draws' source: numpy's Beta sampler, three times as fast as the
    standard library's pure-Python one (0.55 against 1.63 µs a draw, CPython 3.11)."""
    _priors: dict[float, tuple[float, float, float, float]] = field(
        default_factory=dict, init=False, repr=False
    )
    """Each configured quality's prior (`_prior`): as many as the configuration has."""
    cacheable: ClassVar[bool] = False

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        return self.prepare(query, pool).draw()

    def prepare(self, query: SelectQuery, pool: CandidatePool) -> LearnedDraws:
        req = effective_requirements(query, self.requirements)
        evaluation = pool.evaluate(req)
        wq, wc, wl = _normalised(query.weights or self.weights)
        cands = evaluation.candidates
        costs, latencies = placements(cands)
        evidence = self.feedback.on(pool.tenant, req.task)
        priors = self._priors
        if not evidence:
            # A tenant without scores on the task ranks by the priors: nothing is drawn.
            settled = []
            for c, cost, latency in zip(cands, costs, latencies, strict=True):
                _, _, mean, sd = priors.get(c.quality) or self._prior(c.quality)
                settled.append(
                    new_scored((c, wq * mean + wc * cost + wl * latency, (mean, mean, sd, cost, latency)))
                )
            return self._draws(evaluation, pool.tenant, req.task, evidence, wq, [], settled)
        weight = self.feedback.learning.prior_weight
        rows = []
        floor = -math.inf
        known = evidence.posteriors
        for c, cost, latency in zip(cands, costs, latencies, strict=True):
            scores = evidence.get(c.model)
            if scores is None:
                alpha, beta, mean, sd = priors.get(c.quality) or self._prior(c.quality)
            else:
                # Worked out once per change of the evidence, not per preparation.
                key = (c.model, c.quality)
                posterior = known.get(key)
                if posterior is None:
                    a, b = parameters(c.quality, scores, weight)
                    posterior = known[key] = (a, b, *moments(a, b))
                alpha, beta, mean, sd = posterior
            fixed = wc * cost + wl * latency
            rows.append((c, fixed, alpha, beta, mean, sd, cost, latency))
            low = fixed + wq * (mean - PLAUSIBLE_SD * sd)
            if low > floor:
                floor = low
        # Each model in contention has its quality drawn from its posterior; a model
        # whose best plausible score cannot reach another's worst plausible one is
        # out of contention (its mean stands in, and it ranks after every drawn
        # model): the cost of a draw follows the models in contention, not the
        # registry's size.
        contenders = []
        settled = []
        for row in rows:
            c, fixed, alpha, beta, mean, sd, cost, latency = row
            if fixed + wq * (mean + PLAUSIBLE_SD * sd) >= floor:
                contenders.append(row)
            else:
                settled.append(new_scored((c, wq * mean + fixed, (mean, mean, sd, cost, latency))))
        return self._draws(evaluation, pool.tenant, req.task, evidence, wq, contenders, settled)

    def _prior(self, quality: float) -> tuple[float, float, float, float]:
        """The prior's alpha, beta, mean and sd for a configured quality, worked out once."""
        alpha, beta = parameters(quality, None, self.feedback.learning.prior_weight)
        known = self._priors[quality] = (alpha, beta, *moments(alpha, beta))
        return known

    def _draws(
        self,
        evaluation: Evaluation,
        tenant: str,
        task: str,
        evidence: TaskEvidence,
        wq: float,
        contenders: list[Row],
        settled: list[ScoredModel],
    ) -> LearnedDraws:
        settled.sort(key=_order)
        tail = tuple(settled)
        # Cheaper first, so that a draw's stable sort by score alone breaks ties as `_order`.
        contenders.sort(key=_cost_then_id)
        return LearnedDraws(
            self.feedback,
            tenant,
            task,
            evidence,
            evidence.version,
            wq,
            tuple(contenders),
            tuple([s.candidate.model for s in tail]),
            Ranking(
                self.name,
                tail,
                evaluation.rejections,
                evaluation.input_tokens,
                evaluation.output_tokens,
                COMPONENTS,
                evaluation.task,
            ),
            self.rng,
        )


Row = tuple[Candidate, float, float, float, float, float, float, float]
"""A contender: candidate, its cost and latency part of the score, the
posterior's alpha, beta, mean and sd, the cost and latency components."""


class LearnedDraws:
    """A learned ranking prepared for one query (`Draws`): current while the
    tenant's evidence on the task is unchanged."""

    __slots__ = (
        "_evidence",
        "_feedback",
        "_fixed",
        "_params",
        "_rng",
        "_rows",
        "_task",
        "_tenant",
        "_version",
        "_wq",
        "drawn",
        "tail",
    )

    def __init__(
        self,
        feedback: Feedback,
        tenant: str,
        task: str,
        evidence: TaskEvidence,
        version: int,
        wq: float,
        rows: tuple[Row, ...],
        tail: tuple[str, ...],
        fixed: Ranking,
        rng: numpy.random.Generator,
    ) -> None:
        self._feedback = feedback
        self._tenant = tenant
        self._task = task
        self._evidence = evidence
        self._version = version
        self._wq = wq
        self._rows = rows
        self._fixed = fixed
        """The ranking of the models out of contention (the whole ranking when
        none contends)."""
        self._rng = rng
        # Many contenders are drawn in one call: numpy's per-call overhead (about
        # 5 µs) is repaid from about 20 draws on (0.05 against 0.55 µs a draw).
        self._params = (
            (numpy.array([r[2] for r in rows]), numpy.array([r[3] for r in rows]))
            if len(rows) >= DRAW_TOGETHER
            else None
        )
        self.drawn = len(rows)
        self.tail = tail

    def current(self) -> bool:
        evidence = self._feedback.on(self._tenant, self._task)
        return evidence is self._evidence and evidence.version == self._version

    def draw(self) -> Ranking:
        fixed = self._fixed
        if not self._rows:
            return fixed
        wq = self._wq
        scored: list[ScoredModel] = []
        append = scored.append
        if self._params is None:
            beta = self._rng.beta
            for c, rest, alpha, b, mean, sd, cost, latency in self._rows:
                quality = beta(alpha, b)
                append(new_scored((c, wq * quality + rest, (quality, mean, sd, cost, latency))))
        else:
            qualities: list[float] = self._rng.beta(*self._params).tolist()
            for (c, rest, _, _, mean, sd, cost, latency), quality in zip(self._rows, qualities, strict=True):
                append(new_scored((c, wq * quality + rest, (quality, mean, sd, cost, latency))))
        scored.sort(key=_by_score, reverse=True)  # stable: ties stay cheaper first
        return Ranking(
            fixed.strategy,
            (*scored, *fixed.ranked),
            fixed.rejected,
            fixed.input_tokens,
            fixed.output_tokens,
            COMPONENTS,
            fixed.task,
        )


_by_score = itemgetter(1)


def _cost_then_id(row: Row) -> tuple[float, str]:
    return row[0].cost_usd, row[0].model


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
