"""The use cases, built once from configuration: select, list models, stats.
(Invoke and streaming arrive with the provider layer.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.circuit import CircuitPolicy
from modelrouter.clock import Clock, monotonic
from modelrouter.config.load import RouterConfig
from modelrouter.domain import Decision, InvokeCall, SelectQuery
from modelrouter.health_checks import HealthMonitor
from modelrouter.invoker import Invoked, Invoker, RetryPolicy
from modelrouter.live import LiveState, ModelState
from modelrouter.providers import build_providers
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.selector import CachedDecision, Render, Selector


@dataclass(frozen=True, slots=True)
class CacheFigures:
    hits: int
    misses: int
    entries: int
    bytes: int
    evictions: int
    selection_hits: int
    selection_misses: int
    selection_entries: int


@dataclass(frozen=True, slots=True)
class StatsReport:
    models: tuple[ModelState, ...]
    cache: CacheFigures
    suggestions: tuple[str, ...]
    uptime_s: float


MAX_CACHED_MODEL_ENTRIES = 200_000


class Router:
    """What the API serves, independent of protobuf."""

    def __init__(
        self, config: RouterConfig, clock: Clock = monotonic, log: FilteringBoundLogger | None = None
    ) -> None:
        self.config = config
        self._clock = clock
        self._started = clock()
        self.live = LiveState(config.models)
        self.registry = StrategyRegistry(config.strategies, config.server.default_strategy)
        # A cached decision keeps its wire form, about a hundred bytes per registered
        # model; bound the model entries in all as well as the decisions, so that a
        # large registry cannot fill memory with cached decisions.
        max_entries = min(
            config.cache.selection_max_entries, max(1, MAX_CACHED_MODEL_ENTRIES // len(config.models))
        )
        cache: SelectionCache[CachedDecision] = SelectionCache(
            config.cache.selection_ttl_s, max_entries, clock
        )
        self.selector = Selector(self.live, self.registry, cache)
        server, health = config.server, config.health
        providers = build_providers(config.models)
        self.health = HealthMonitor(
            self.live,
            providers,
            CircuitPolicy(health.failure_threshold, health.error_rate, health.window, health.cooldown_s),
            health.check_interval_s,
            health.check_timeout_s,
            clock,
            log,
        )
        self.invoker = Invoker(
            self.live,
            self.selector.pick,
            providers,
            self.health.breakers,
            RetryPolicy(server.max_attempts_per_model, server.retry_backoff_s, server.retry_backoff_max_s),
            clock,
            log=log,
        )

    def select(
        self, query: SelectQuery, cache_key: bytes | None = None, render: Render | None = None
    ) -> Decision:
        return self.selector.decide(query, cache_key, render)

    def decide(self, call: InvokeCall, render: Render) -> Decision:
        """The decision an Invoke follows: of one for a named model, else the
        selection's (from the selection cache when it has it)."""
        if call.model is not None:
            return self.selector.decide_named(call.model, call.input_tokens, call.output_tokens, render)
        assert call.query is not None
        cached = self.selector.decide_cached(call.selection_key)
        return cached or self.selector.decide(call.query, call.selection_key, render)

    async def invoke(self, call: InvokeCall, decision: Decision, deadline: float | None) -> Invoked:
        return await self.invoker.complete(decision, call.params, deadline)

    def stream(
        self, call: InvokeCall, decision: Decision, deadline: float | None
    ) -> AsyncIterator[str | Invoked]:
        return self.invoker.stream(decision, call.params, deadline)

    async def close(self) -> None:
        await self.health.stop()
        await self.invoker.close()

    def select_cached(self, cache_key: bytes) -> Decision | None:
        return self.selector.decide_cached(cache_key)

    def models(self) -> tuple[ModelState, ...]:
        return tuple(self.live.models.values())

    def stats(self, models: tuple[str, ...] = ()) -> StatsReport:
        wanted = frozenset(models)
        states = tuple(s for s in self.live.models.values() if not wanted or s.spec.id in wanted)
        cache = self.selector.cache
        figures = CacheFigures(0, 0, 0, 0, 0, cache.hits, cache.misses, len(cache))
        return StatsReport(states, figures, (), self._clock() - self._started)
