"""The strategy interface and what every strategy is handed.

A strategy turns a query into a `Ranking`: the eligible models best first, the
rest rejected with reasons. A strategy may carry its own requirements, which
tighten the request's; with none eligible it yields an empty ranking and a
fallback chain moves on to its next member."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from modelrouter.domain import Candidate, Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.selection.eligibility import Eligibility, Evaluation


class CandidatePool:
    """Evaluates requirements against the live registry for one query, once per
    distinct set of requirements (members of a chain often share theirs)."""

    __slots__ = ("_allowed", "_eligibility", "_input", "_memo", "_output", "tenant")

    def __init__(
        self,
        eligibility: Eligibility,
        input_tokens: int,
        output_tokens: int,
        allowed: frozenset[str] | None = None,
        tenant: str = "",
    ) -> None:
        """`allowed`: the models the caller's tenant may use (None: every model);
        `tenant`: whose query it is (what a learned ranking learned is per tenant)."""
        self.tenant = tenant
        self._eligibility = eligibility
        self._allowed = allowed
        self._input = input_tokens
        self._output = output_tokens
        self._memo: list[tuple[Requirements, Evaluation]] = []

    def evaluate(self, req: Requirements) -> Evaluation:
        """Candidates and rejections under `req`. Token counts stated in `req` (the
        request's own, else a strategy's) replace the query's estimates."""
        for seen, result in self._memo:
            if seen is req or seen == req:
                return result
        input_tokens = req.expected_input_tokens or self._input
        output_tokens = req.expected_output_tokens or self._output
        result = self._eligibility.evaluate(req, input_tokens, output_tokens, self._allowed)
        self._memo.append((req, result))
        return result


class Strategy(Protocol):
    """Ranks the models for a query."""

    @property
    def name(self) -> str:
        """The registered name; a decision names the strategy that produced it."""
        ...

    @property
    def cacheable(self) -> bool:
        """Whether its ranking may be served again from the selection cache (not a
        ranking that samples anew on every call)."""
        ...

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        """Eligible models best first; an empty ranking when none is eligible."""
        ...


class Draws(Protocol):
    """A sampling strategy's ranking for one query, prepared once and drawn anew
    on each call: what does not change between draws (eligibility, placements,
    the models out of contention) is worked out once."""

    drawn: int
    """How many of a draw's first ranked entries change from one draw to the
    next; the rest (`tail`) and the rejections are the same in every draw."""

    tail: tuple[str, ...]
    """The models ranked after the drawn ones, in order."""

    def current(self) -> bool:
        """Whether what it was prepared from still holds (no new evidence)."""
        ...

    def draw(self) -> Ranking:
        """One ranking: the drawn entries first, then the tail."""
        ...

    def draw_top(self, entries: int) -> tuple[list[ScoredModel], Sequence[str]]:
        """One draw, for a preparation kept for many calls: its first `entries`
        ranked entries (at most `drawn`), and every ranked model's id in order
        (a call reads the rest of the ranking from what it kept of the first)."""
        ...


@runtime_checkable
class Sampling(Strategy, Protocol):
    """A strategy whose ranking is drawn anew on every call (never served from
    the selection cache), from a preparation that may be kept."""

    def prepare(self, query: SelectQuery, pool: CandidatePool) -> Draws:
        """What its draws for `query` come from."""
        ...


Scorer = Callable[[Candidate], tuple[float, tuple[float, ...]]]
"""A candidate's score (higher is better) and the parts it is made of, in the
order of the strategy's component names."""

SortKey = Callable[[ScoredModel], tuple[float, ...]]


def effective_requirements(query: SelectQuery, own: Requirements | None) -> Requirements:
    return query.requirements if own is None else query.requirements.tightened_by(own)


def ranked(
    name: str, evaluation: Evaluation, score: Scorer, order: SortKey, component_names: tuple[str, ...]
) -> Ranking:
    """Score every candidate and sort with `order` (ascending; model id breaks ties)."""
    scored = [ScoredModel(c, *score(c)) for c in evaluation.candidates]
    scored.sort(key=lambda s: (*order(s), s.candidate.model))
    return Ranking(
        name,
        tuple(scored),
        evaluation.rejections,
        evaluation.input_tokens,
        evaluation.output_tokens,
        component_names,
        evaluation.task,
    )
