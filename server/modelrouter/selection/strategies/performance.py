"""performance: the lowest expected latency, counting failures.

The estimate is `effective_latency_ms = expected_latency_ms / success_rate`:
the expected time to the full answer (time to first token plus output tokens over
tokens per second; live figures once measured, else the configured prior), scaled
by how many tries an answer takes on average. Success rate is floored at 5% so a
model that keeps failing ranks last rather than infinitely far. Equal estimates go
to the cheaper. The score is the negated estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from modelrouter.domain import Candidate, Ranking, Requirements, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, effective_requirements, ranked

MIN_SUCCESS_RATE = 0.05


def effective_latency_ms(c: Candidate) -> float:
    return c.latency_ms / max(c.success_rate, MIN_SUCCESS_RATE)


@dataclass(frozen=True, slots=True)
class Performance:
    name: str
    requirements: Requirements | None = None
    cacheable: ClassVar[bool] = True

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        evaluation = pool.evaluate(effective_requirements(query, self.requirements))
        return ranked(self.name, evaluation, _score, lambda s: (-s.score, s.candidate.cost_usd), COMPONENTS)


COMPONENTS = ("latency_ms", "success_rate", "effective_latency_ms")


def _score(c: Candidate) -> tuple[float, tuple[float, ...]]:
    effective = effective_latency_ms(c)
    return -effective, (c.latency_ms, c.success_rate, effective)
