"""task_based: the best quality for the task; equal quality goes to the cheaper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from modelrouter.domain import Candidate, Ranking, Requirements, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements, ranked


@dataclass(frozen=True, slots=True)
class TaskBased:
    name: str
    requirements: Requirements | None = None
    cacheable: ClassVar[bool] = True

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        evaluation = pool.evaluate(effective_requirements(query, self.requirements))
        return ranked(
            self.name,
            evaluation,
            _score,
            lambda s: (-s.candidate.quality, s.candidate.cost_usd, s.candidate.latency_ms),
            COMPONENTS,
        )


COMPONENTS = ("quality", "cost_usd")


def _score(c: Candidate) -> tuple[float, tuple[float, ...]]:
    return c.quality, (c.quality, c.cost_usd)
