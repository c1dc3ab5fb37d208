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
task is unchanged (`LearnedDraws.current`): a call then pays for its draws only,
made ahead many at a time, and builds only the entries its answer shows
(`LearnedDraws.draw_top`).

Score components: quality (the value that ranked it: the draw, or the posterior
mean), learned_quality (the posterior mean), uncertainty (its standard
deviation), cost, latency."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, overload

import numpy

from modelrouter.domain import Candidate, Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.learning.feedback import Feedback, TaskEvidence
from modelrouter.learning.posterior import Belief, Evidence, moments, parameters
from modelrouter.selection.eligibility import Evaluation
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements
from modelrouter.selection.strategies.weighted import new_scored, placements

COMPONENTS = ("quality", "learned_quality", "uncertainty", "cost", "latency")
PLAUSIBLE_SD = 4.0
"""How far from its mean (in standard deviations) a draw may plausibly land."""
DRAW_TOGETHER = 24
"""From this many models in contention on, a draw's qualities come from one numpy
call, and numpy scores and sorts them."""
DRAWN_AHEAD = 128
"""How many qualities a kept preparation draws ahead at a time (`draw_top`): about
1 KB a preparation."""


@dataclass(frozen=True, slots=True)
class Learned:
    name: str
    weights: Mapping[str, float]
    feedback: Feedback
    requirements: Requirements | None = None
    rng: numpy.random.Generator = field(default_factory=numpy.random.default_rng)
    """The draws' source: numpy's Beta sampler, three times as fast as the
    standard library's pure-Python one (0.55 against 1.63 µs a draw, CPython 3.11)."""
    _priors: dict[float, Belief] = field(default_factory=dict, init=False, repr=False)
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
                _, _, _, mean, sd, _, _ = priors.get(c.quality) or self._prior(c.quality)
                settled.append(
                    new_scored((c, wq * mean + wc * cost + wl * latency, (mean, mean, sd, cost, latency)))
                )
            return self._draws(evaluation, pool.tenant, req.task, evidence, wq, [], settled)
        # Each model in contention has its quality drawn from its posterior; a model
        # whose best plausible score cannot reach another's worst plausible one is
        # out of contention (its mean stands in, and it ranks after every drawn
        # model): the cost of a draw follows the models in contention, not the
        # registry's size. This runs on every uncached decision, for every eligible
        # model: one lookup a model (the posterior is worked out once per change of
        # the evidence), and a model already out of reach of the best worst case so
        # far is settled at once.
        maybe: list[Row] = []
        settled = []
        floor = -math.inf
        known = evidence.posteriors
        for c, cost, latency in zip(cands, costs, latencies, strict=True):
            belief = known.get(c.model)
            if belief is None or belief[0] != c.quality:
                scores = evidence.get(c.model)
                if scores is None:
                    belief = priors.get(c.quality) or self._prior(c.quality)
                else:
                    belief = known[c.model] = self._belief(c.quality, scores)
            fixed = wc * cost + wl * latency
            high = fixed + wq * belief[6]
            if high < floor:
                mean = belief[3]
                settled.append(new_scored((c, wq * mean + fixed, (mean, mean, belief[4], cost, latency))))
                continue
            low = fixed + wq * belief[5]
            if low > floor:
                floor = low
            maybe.append((c, fixed, belief, cost, latency, high))
        contenders = []
        for row in maybe:
            if row[5] >= floor:
                contenders.append(row)
            else:
                c, fixed, belief, cost, latency, _ = row
                mean = belief[3]
                settled.append(new_scored((c, wq * mean + fixed, (mean, mean, belief[4], cost, latency))))
        return self._draws(evaluation, pool.tenant, req.task, evidence, wq, contenders, settled)

    def _prior(self, quality: float) -> Belief:
        """The prior for a configured quality, worked out once."""
        known = self._priors[quality] = self._belief(quality, None)
        return known

    def _belief(self, quality: float, scores: Evidence | None) -> Belief:
        alpha, beta = parameters(quality, scores, self.feedback.learning.prior_weight)
        mean, sd = moments(alpha, beta)
        return quality, alpha, beta, mean, sd, mean - PLAUSIBLE_SD * sd, mean + PLAUSIBLE_SD * sd

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


Row = tuple[Candidate, float, Belief, float, float, float]
"""An eligible model: candidate, its cost and latency part of the score, its
belief, its cost and latency components, and its plausible best score."""


class LearnedDraws:
    """A learned ranking prepared for one query (`Draws`): current while the
    tenant's evidence on the task is unchanged."""

    __slots__ = (
        "_ahead",
        "_alphas",
        "_at",
        "_betas",
        "_evidence",
        "_feedback",
        "_fixed",
        "_names",
        "_rng",
        "_rows",
        "_scores",
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
        self._names = tuple([r[0].model for r in rows])
        self._fixed = fixed
        """The ranking of the models out of contention (the whole ranking when
        none contends)."""
        self._rng = rng
        self._alphas: numpy.ndarray | None = None
        self._betas: numpy.ndarray | None = None
        self._scores = numpy.array([r[1] for r in rows]) if len(rows) >= DRAW_TOGETHER else None
        """Many contenders are scored by numpy, and sorted by it (`DrawnOrder`)."""
        self._ahead: numpy.ndarray | None = None
        self._at = 0
        self.drawn = len(rows)
        self.tail = tail

    def current(self) -> bool:
        evidence = self._feedback.on(self._tenant, self._task)
        return evidence is self._evidence and evidence.version == self._version

    def draw(self) -> Ranking:
        fixed = self._fixed
        rows = self._rows
        if not rows:
            return fixed
        fixed_scores = self._scores
        if fixed_scores is None:
            # numpy's per-call overhead (about 5 µs) is repaid from about 20 draws on.
            beta = self._rng.beta
            qualities = [beta(r[2][1], r[2][2]) for r in rows]
            scored = self._scored(qualities, self._ranked(qualities), len(rows))
        else:
            drawn = self._rng.beta(*self._parameters())
            order = DrawnOrder(self._names, self.tail, scores=self._wq * drawn + fixed_scores)
            scored = self._scored(drawn.tolist(), order.ranks(), len(rows))
        return Ranking(
            fixed.strategy,
            (*scored, *fixed.ranked),
            fixed.rejected,
            fixed.input_tokens,
            fixed.output_tokens,
            COMPONENTS,
            fixed.task,
        )

    def draw_top(self, entries: int) -> tuple[list[ScoredModel], Sequence[str]]:
        """One draw of a preparation kept for many (`Draws.draw_top`). Its
        qualities come from draws made ahead, DRAWN_AHEAD values in one numpy call
        (0.05 µs a draw against 0.55 one by one): each call still has a draw of its
        own, from the same posteriors, which its preparation's lapse discards."""
        ahead = self._ahead
        at = self._at
        if ahead is None or at == len(ahead):
            alphas, betas = self._parameters()
            rows = max(1, DRAWN_AHEAD // self.drawn)
            ahead = self._ahead = self._rng.beta(alphas, betas, (rows, self.drawn))
            at = 0
        self._at = at + 1
        row = ahead[at]
        fixed = self._scores
        if fixed is None:
            qualities: list[float] = row.tolist()
            ranks = self._ranked(qualities)
            return self._scored(qualities, ranks, entries), DrawnOrder(self._names, self.tail, ranks)
        # Many contenders: numpy scores them, and sorts them only when more than
        # the chosen one is read (a basic view, a call that does not fall back).
        order = DrawnOrder(self._names, self.tail, scores=self._wq * row + fixed)
        if entries == 1:
            best = order.first
            return [self._entry(best, float(row[best]))], order
        return self._scored(row.tolist(), order.ranks(), entries), order

    def _parameters(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """The contenders' alphas and betas, for numpy's sampler: made when first
        needed (a preparation drawn once, with few contenders, never needs them)."""
        if self._alphas is None or self._betas is None:
            self._alphas = numpy.array([r[2][1] for r in self._rows])
            self._betas = numpy.array([r[2][2] for r in self._rows])
        return self._alphas, self._betas

    def _ranked(self, qualities: list[float]) -> list[int]:
        """A few contenders' indices, best draw first; equal scores keep their
        order (cheaper first, `_cost_then_id`). Many are sorted by `DrawnOrder`."""
        wq = self._wq
        scores = [wq * q + r[1] for q, r in zip(qualities, self._rows, strict=True)]
        return sorted(range(len(scores)), key=scores.__getitem__, reverse=True)

    def _scored(self, qualities: list[float], ranks: list[int], entries: int) -> list[ScoredModel]:
        """The first `entries` ranked contenders' entries."""
        entry = self._entry
        return [entry(i, qualities[i]) for i in ranks[:entries]]

    def _entry(self, i: int, quality: float) -> ScoredModel:
        """Contender `i`'s entry, with its quality drawn as `quality`."""
        c, rest, belief, cost, latency, _ = self._rows[i]
        return new_scored((c, self._wq * quality + rest, (quality, belief[3], belief[4], cost, latency)))


class DrawnOrder(Sequence[str]):
    """A draw's order of models: the contenders by their draw, then the tail,
    looked up when asked rather than copied (a fallback reads its first few)."""

    __slots__ = ("_drawn", "_names", "_ranks", "_scores", "_tail", "first")

    def __init__(
        self,
        names: tuple[str, ...],
        tail: tuple[str, ...],
        ranks: list[int] | None = None,
        scores: numpy.ndarray | None = None,
    ) -> None:
        """`ranks`: the contenders' indices in `names`, best first; or their
        `scores`, sorted only when an entry after the first is read (equal scores
        keep the contenders' order, as a stable sort does)."""
        self._names = names
        self._ranks = ranks
        self._scores = scores
        self._drawn = len(names)
        self._tail = tail
        self.first = ranks[0] if ranks else int(scores.argmax()) if scores is not None and len(scores) else 0
        """The chosen contender's index (argmax: the first of equal scores)."""

    def ranks(self) -> list[int]:
        ranks = self._ranks
        if ranks is None:
            assert self._scores is not None
            ranks = self._ranks = numpy.argsort(-self._scores, kind="stable").tolist()
        return ranks

    def __len__(self) -> int:
        return self._drawn + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return tuple(self)[index]
        drawn = self._drawn
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("drawn order index out of range")
        if index == 0 and drawn:
            return self._names[self.first]
        if index < drawn:
            return self._names[self.ranks()[index]]
        return self._tail[index - drawn]

    def __iter__(self) -> Iterator[str]:
        names = self._names
        yield from (names[i] for i in self.ranks())
        yield from self._tail


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
