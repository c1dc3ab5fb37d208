"""fallback: a chain of strategies; the first that yields a model decides.

Members are tried in order, each with the request's requirements tightened by the
chain's own and then by the member's. The ranking names the member that produced
it; when every member yields nothing, the last member's rejections explain why."""

from __future__ import annotations

from dataclasses import dataclass

from modelrouter.domain import Ranking, Requirements, SelectQuery
from modelrouter.selection.strategies.base import CandidatePool, Strategy


@dataclass(frozen=True, slots=True)
class Fallback:
    name: str
    chain: tuple[Strategy, ...]
    requirements: Requirements | None = None

    @property
    def cacheable(self) -> bool:
        return all(member.cacheable for member in self.chain)

    def rank(self, query: SelectQuery, pool: CandidatePool) -> Ranking:
        if self.requirements is not None:
            query = query._replace(requirements=query.requirements.tightened_by(self.requirements))
        result = Ranking(self.name, (), (), query.input_tokens, query.output_tokens)
        for member in self.chain:
            result = member.rank(query, pool)
            if result.ranked:
                return result
        return result
