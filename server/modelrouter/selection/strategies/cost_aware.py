"""cost_aware: the cheapest estimated cost among the models that meet the quality
floor (the strategy's and the request's `min_quality`) and the request's cost
bound (`max_cost_usd`). Equal cost goes to the better quality.

The score is the negated estimated cost in USD, so that higher is better as in
every strategy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from modelrouter.domain import Candidate, Ranking, Requirements, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements, ranked


@dataclass(frozen=True, slots=True)
class CostAware:
    name: str
    requirements: Requirements | None = None
    cacheable: ClassVar[bool] = True

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        evaluation = pool.evaluate(effective_requirements(query, self.requirements))
        return ranked(
            self.name,
            evaluation,
            _score,
            lambda s: (s.candidate.cost_usd, -s.candidate.quality, s.candidate.latency_ms),
            COMPONENTS,
        )


COMPONENTS = ("cost_usd", "quality")


def _score(c: Candidate) -> tuple[float, tuple[float, ...]]:
    return -c.cost_usd, (c.cost_usd, c.quality)
