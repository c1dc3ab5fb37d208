"""From a query to a decision: strategy, ranking, selection cache, deployment."""

from __future__ import annotations

from collections.abc import Mapping

from modelrouter.balancing import BALANCERS, Balancer
from modelrouter.domain import Decision, Ranking, SelectQuery
from modelrouter.errors import NoEligibleModel
from modelrouter.live import LiveState
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.eligibility import Eligibility
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.strategies.base import CandidatePool


class Selector:
    def __init__(self, live: LiveState, registry: StrategyRegistry, cache: SelectionCache[Decision]) -> None:
        self._live = live
        self._models = tuple(live.models.values())
        self._eligibility = Eligibility(live)
        self.registry = registry
        self.cache = cache
        self._balancers: Mapping[str, Balancer] = {
            m.spec.id: BALANCERS[m.spec.balancer](m.deployments) for m in self._models
        }
        live.on_change(cache.clear)

    def rank(self, query: SelectQuery) -> Ranking:
        """The strategy's ranking; NoEligibleModel when it yields nothing."""
        strategy = self.registry.get(query.strategy)
        pool = CandidatePool(self._eligibility, query.input_tokens, query.output_tokens)
        ranking = strategy.rank(query, pool)
        if not ranking.ranked:
            raise NoEligibleModel(strategy.name, ranking.rejected)
        return ranking

    def decide(self, query: SelectQuery, cache_key: bytes | None = None) -> Decision:
        """A fresh decision; stored under `cache_key` when one is given."""
        ranking = self.rank(query)
        requested = query.strategy or self.registry.default
        if cache_key is not None:
            self.cache.put(cache_key, Decision(requested, ranking, "", True))
        return self._dispatch(Decision(requested, ranking, ""))

    def decide_cached(self, cache_key: bytes) -> Decision | None:
        """The cached decision for `cache_key`, with a deployment picked for this call."""
        cached = self.cache.get(cache_key)
        return None if cached is None else self._dispatch(cached)

    def pick_deployment(self, model: str) -> str:
        deployment = self._balancers[model].pick()
        deployment.selections += 1
        return deployment.name

    def _dispatch(self, template: Decision) -> Decision:
        model = template.ranking.ranked[0].candidate.model
        self._live.models[model].selections += 1
        return Decision(
            template.requested_strategy,
            template.ranking,
            self.pick_deployment(model),
            template.from_cache,
        )
