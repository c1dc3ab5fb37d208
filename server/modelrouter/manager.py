"""The use cases, built once from configuration: select, list models, stats.
(Invoke and streaming arrive with the provider layer.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.cache.memory import MemoryCache
from modelrouter.cache.redis import redis_cache
from modelrouter.cache.responses import CachedAnswer, ResponseCache
from modelrouter.circuit import CircuitPolicy
from modelrouter.clock import Clock, monotonic
from modelrouter.config.load import RouterConfig
from modelrouter.domain import Decision, InvokeCall, SelectQuery
from modelrouter.health_checks import HealthMonitor
from modelrouter.invoker import Invoked, Invoker, RetryPolicy
from modelrouter.live import LiveState, ModelState
from modelrouter.providers import build_providers
from modelrouter.providers.base import Completion
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
# A cached answer is replayed to a stream in pieces of this many characters.
REPLAY_CHUNK = 16


def _answer_of(invoked: Invoked) -> CachedAnswer:
    c = invoked.completion
    return CachedAnswer(
        c.text,
        c.finish_reason,
        c.input_tokens,
        c.output_tokens,
        invoked.cost_usd,
        invoked.model,
        invoked.deployment,
    )


def _invoked_from(answer: CachedAnswer) -> Invoked:
    completion = Completion(
        answer.text, answer.finish_reason, answer.input_tokens, answer.output_tokens, True
    )
    return Invoked(completion, answer.model, answer.deployment, answer.cost_usd, (), cache_hit=True)


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
        c = config.cache
        self._memory = MemoryCache(c.max_bytes) if c.backend == "memory" and c.max_bytes > 0 else None
        backend = redis_cache(c.redis_url) if c.backend == "redis" else self._memory
        self.responses = ResponseCache(backend, c.ttl_s, c.default_policy, log, clock)
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
        """The answer: from the response cache when the call's policy reads it and it
        has one, else from the models (once for concurrent identical misses)."""
        read, write = self.responses.modes(call.cache_policy, call.params.temperature)
        if not (read or write):
            return await self.invoker.complete(decision, call.params, deadline)
        key = ResponseCache.key(call)
        if read:
            cached = await self.responses.get(key)
            if cached is not None:
                return _invoked_from(cached)
        produced: list[Invoked] = []

        async def produce() -> CachedAnswer:
            invoked = await self.invoker.complete(decision, call.params, deadline)
            produced.append(invoked)
            answer = _answer_of(invoked)
            if write:
                await self.responses.put(key, answer)
            return answer

        if not read:
            await produce()
            return produced[0]
        answer, mine = await self.responses.single_flight(key, produce)
        return produced[0] if mine else _invoked_from(answer)

    async def stream(
        self, call: InvokeCall, decision: Decision, deadline: float | None
    ) -> AsyncIterator[str | Invoked]:
        """Deltas then the summary; a cached answer is replayed as deltas."""
        read, write = self.responses.modes(call.cache_policy, call.params.temperature)
        key = ResponseCache.key(call) if read or write else ""
        if read:
            cached = await self.responses.get(key)
            if cached is not None:
                text = cached.text
                for i in range(0, len(text), REPLAY_CHUNK):
                    yield text[i : i + REPLAY_CHUNK]
                yield _invoked_from(cached)
                return
        async for item in self.invoker.stream(decision, call.params, deadline):
            if write and isinstance(item, Invoked):
                await self.responses.put(key, _answer_of(item))
            yield item

    async def close(self) -> None:
        await self.health.stop()
        await self.invoker.close()
        await self.responses.close()

    def select_cached(self, cache_key: bytes) -> Decision | None:
        return self.selector.decide_cached(cache_key)

    def models(self) -> tuple[ModelState, ...]:
        return tuple(self.live.models.values())

    def stats(self, models: tuple[str, ...] = ()) -> StatsReport:
        wanted = frozenset(models)
        states = tuple(s for s in self.live.models.values() if not wanted or s.spec.id in wanted)
        cache = self.selector.cache
        memory = self._memory
        figures = CacheFigures(
            self.responses.hits,
            self.responses.misses,
            memory.entries if memory else 0,
            memory.bytes if memory else 0,
            memory.evictions if memory else 0,
            cache.hits,
            cache.misses,
            len(cache),
        )
        return StatsReport(states, figures, (), self._clock() - self._started)
