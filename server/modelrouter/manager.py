"""The use cases, built once from configuration: select, invoke, stream, list
models, stats."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.books import LocalBook, RedisBook, SpendBook
from modelrouter.budgets.ledger import BudgetView, Ledger
from modelrouter.budgets.limits import limits_of
from modelrouter.cache.memory import MemoryCache
from modelrouter.cache.redis import redis_cache
from modelrouter.cache.responses import CachedAnswer, ResponseCache
from modelrouter.circuit import CircuitPolicy
from modelrouter.clock import Clock, monotonic
from modelrouter.config.load import RouterConfig
from modelrouter.domain import Decision, InvokeCall, SelectQuery
from modelrouter.health_checks import HealthMonitor
from modelrouter.invoker import Invoked, Invoker
from modelrouter.live import LiveState, ModelState
from modelrouter.plan import RetryPolicy
from modelrouter.providers import build_providers
from modelrouter.providers.base import Completion
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.selector import CachedDecision, Render, Selector
from modelrouter.suggestions import ModelView, suggest
from modelrouter.usage.book import UsageBook
from modelrouter.usage.figures import Figures, merged
from modelrouter.usage.service import UsageService, build_store


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
class Span:
    """One model's or deployment's figures: totals and the recent window."""

    total: Figures
    recent: Figures


@dataclass(frozen=True, slots=True)
class ModelReport:
    state: ModelState
    figures: Span
    deployments: tuple[Span, ...]
    """In the order of state.deployments."""


@dataclass(frozen=True, slots=True)
class StatsReport:
    models: tuple[ModelReport, ...]
    cache: CacheFigures
    suggestions: tuple[str, ...]
    uptime_s: float
    window_s: float
    totals_since: float
    budgets: tuple[BudgetView, ...]


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
        self,
        config: RouterConfig,
        clock: Clock = monotonic,
        log: FilteringBoundLogger | None = None,
        wall: Clock = time.time,
    ) -> None:
        self.config = config
        self._clock = clock
        self._wall = wall
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
        self.memory = MemoryCache(c.max_bytes) if c.backend == "memory" and c.max_bytes > 0 else None
        backend = redis_cache(c.redis_url) if c.backend == "redis" else self.memory
        self.responses = ResponseCache(
            backend, c.ttl_s, c.default_policy, log, clock, timeout_s=c.timeout_ms / 1000
        )
        server, health, usage = config.server, config.health, config.usage
        limits = limits_of(config.budgets)
        self.ledger: Ledger | None = None
        if limits:
            book: SpendBook = (
                RedisBook(usage.redis_url, usage.key_prefix) if usage.store == "redis" else LocalBook()
            )
            self.ledger = Ledger(
                limits, book, self.live, wall, log, timeout_s=config.budgets.timeout_ms / 1000
            )
        self.usage = UsageService(
            UsageBook(self.live, usage.window_s, wall),
            build_store(usage),
            self.ledger,
            usage.flush_interval_s,
            log,
            clock,
            timeout_s=usage.timeout_ms / 1000,
        )
        providers = build_providers(config.models)
        self.health = HealthMonitor(
            self.live,
            providers,
            CircuitPolicy(
                health.failure_threshold,
                health.error_rate,
                health.window,
                health.cooldown_s,
                health.min_calls,
            ),
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
            ledger=self.ledger,
            budget_output_tokens=config.budgets.max_output_tokens,
            wall=wall,
        )

    async def start(self) -> None:
        """What needs the event loop: settled spend from the store (local budgets),
        the flush loop, the health checks."""
        if self.ledger is not None:
            if self.config.usage.store != "redis":  # Redis keeps the spend itself
                self.ledger.restore((await self.usage.store.load()).spend)
            with contextlib.suppress(Exception):  # a Redis away at start: the flush loop retries
                await self.ledger.refresh()
        self.usage.start()
        self.health.start()

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
        key = call.answer_key or ResponseCache.key(call)
        if read:
            cached = await self.responses.get(key, deadline)
            if cached is not None:
                return _invoked_from(cached)
        produced: list[Invoked] = []

        async def produce() -> CachedAnswer:
            invoked = await self.invoker.complete(decision, call.params, deadline)
            produced.append(invoked)
            answer = _answer_of(invoked)
            if write:
                await self.responses.put(key, answer, deadline)
            return answer

        if not read:
            await produce()
            return produced[0]
        answer, mine = await self.responses.single_flight(key, produce)
        return produced[0] if mine else _invoked_from(answer)

    async def stream(
        self, call: InvokeCall, decision: Decision, deadline: float | None
    ) -> AsyncGenerator[str | Invoked, None]:
        """Deltas then the summary; a cached answer is replayed as deltas."""
        read, write = self.responses.modes(call.cache_policy, call.params.temperature)
        key = (call.answer_key or ResponseCache.key(call)) if read or write else ""
        if read:
            cached = await self.responses.get(key, deadline)
            if cached is not None:
                text = cached.text
                for i in range(0, len(text), REPLAY_CHUNK):
                    yield text[i : i + REPLAY_CHUNK]
                yield _invoked_from(cached)
                return
        async with contextlib.aclosing(self.invoker.stream(decision, call.params, deadline)) as items:
            async for item in items:
                if write and isinstance(item, Invoked):
                    await self.responses.put(key, _answer_of(item), deadline)
                yield item

    def shut_down(self) -> None:
        """The shutdown grace is over: attempts cut from now on are SHUTTING_DOWN."""
        self.invoker.attempts.shutting_down = True

    async def close(self) -> None:
        """After the server has drained: nothing recorded is lost, since the last
        flush happens here."""
        await self.health.stop()
        await self.invoker.close()
        await self.responses.close()
        await self.usage.close()

    def select_cached(self, cache_key: bytes) -> Decision | None:
        return self.selector.decide_cached(cache_key)

    def models(self) -> tuple[ModelState, ...]:
        return tuple(self.live.models.values())

    async def stats(self, models: tuple[str, ...] = ()) -> StatsReport:
        wanted = frozenset(models)
        stored = await self.usage.totals()
        reports = []
        views = []
        empty = Figures()  # shared by every deployment without figures; read only from here on
        totals = stored.figures
        recent = self.usage.recent
        for state in self.live.models.values():
            spans = tuple(
                Span(totals.get((state.id, d.name), empty), recent((state.id, d.name), empty))
                for d in state.deployments
            )
            model_span = Span(merged([s.total for s in spans]), merged([s.recent for s in spans]))
            views.append(
                ModelView(
                    state.id,
                    model_span.recent,
                    state.spec.pricing,
                    [
                        (d.name, s.recent, state.spec.max_concurrency)
                        for d, s in zip(state.deployments, spans, strict=True)
                    ],
                )
            )
            if not wanted or state.id in wanted:
                reports.append(ModelReport(state, model_span, spans))
        cache = self.selector.cache
        memory = self.memory
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
        server = self.config.server
        suggestions = suggest(
            views,
            self.selector.choices,
            self.responses.hits,
            self.responses.misses,
            self.usage.book.window_s,
            (server.default_expected_input_tokens, server.default_expected_output_tokens),
        )
        budgets: tuple[BudgetView, ...] = ()
        if self.ledger is not None:
            try:
                budgets = tuple(await self.ledger.views())
            except Exception:  # the budget store is away: the last figures read
                budgets = tuple(self.ledger.cached_views())
        return StatsReport(
            tuple(reports),
            figures,
            tuple(suggestions),
            self._clock() - self._started,
            self.usage.book.window_s,
            stored.since,
            budgets,
        )
