"""The use cases, built once from configuration: select, invoke, stream, list
models, stats (built by `modelrouter.reports`)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.books import LocalBook, RedisBook, SpendBook
from modelrouter.budgets.ledger import Ledger
from modelrouter.budgets.limits import limits_of
from modelrouter.cache.memory import MemoryCache
from modelrouter.cache.redis import redis_cache
from modelrouter.cache.responses import CachedAnswer, ResponseCache
from modelrouter.circuit import CircuitPolicy
from modelrouter.clock import Clock, monotonic
from modelrouter.config.load import RouterConfig
from modelrouter.conversation import ToolCallDelta
from modelrouter.domain import Decision, InvokeCall, SelectQuery
from modelrouter.errors import PermissionDenied
from modelrouter.health_checks import HealthMonitor
from modelrouter.identity import NO_TENANT, Caller, Tenant
from modelrouter.invoker import Invoked, Invoker
from modelrouter.live import LiveState, ModelState
from modelrouter.plan import RetryPolicy
from modelrouter.providers import build_providers
from modelrouter.providers.base import Completion
from modelrouter.ratelimit import Admission, RateLimits
from modelrouter.reports import Reports, StatsReport
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.selector import CachedDecision, Render, Selector
from modelrouter.usage.book import UsageBook
from modelrouter.usage.service import UsageService, build_store

MAX_CACHED_MODEL_ENTRIES = 200_000
# A cached answer is replayed to a stream in pieces of this many characters: a few
# deltas, as a stream's caller expects, not one message per token (16 characters a
# message made a cached 1 MB answer 65,000 messages).
REPLAY_CHUNK = 4096


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
        c.tool_calls,
    )


def _invoked_from(answer: CachedAnswer) -> Invoked:
    completion = Completion(
        answer.text,
        answer.finish_reason,
        answer.input_tokens,
        answer.output_tokens,
        True,
        answer.tool_calls,
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
        limits = limits_of(config.budgets, config.tenant_budgets)
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
        self.rate_limits = RateLimits.build(config, clock, log)
        self.reports = Reports(self, clock)

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
        self,
        query: SelectQuery,
        cache_key: bytes | None = None,
        render: Render | None = None,
        tenant: Tenant = NO_TENANT,
    ) -> Decision:
        """A fresh decision among the models `tenant` may use."""
        if tenant.has_budget:
            self._refuse_if_spent(tenant)
        salt = tenant.selection_salt
        if salt and cache_key is not None:
            cache_key = salt + cache_key
        return self.selector.decide(query, cache_key, render, tenant.models)

    def select_cached(self, cache_key: bytes, tenant: Tenant = NO_TENANT) -> Decision | None:
        if tenant.has_budget:
            self._refuse_if_spent(tenant)
        salt = tenant.selection_salt
        return self.selector.decide_cached(salt + cache_key if salt else cache_key)

    def decide(self, call: InvokeCall, render: Render, tenant: Tenant = NO_TENANT) -> Decision:
        """The decision an Invoke follows: of one for a named model, else the
        selection's (from the selection cache when it has it). A model outside the
        tenant's list, named outright, is PERMISSION_DENIED."""
        if call.model is not None:
            if tenant.has_budget:  # a selection checks in select_cached
                self._refuse_if_spent(tenant)
            if not tenant.allows(call.model):
                raise PermissionDenied(
                    f"model {call.model!r} is not among the models tenant {tenant.name!r} may use",
                    {"model": call.model, "tenant": tenant.name},
                )
            return self.selector.decide_named(call.model, call.input_tokens, call.output_tokens, render)
        assert call.query is not None
        cached = self.select_cached(call.selection_key, tenant)
        return cached or self.select(call.query, call.selection_key, render, tenant)

    def _refuse_if_spent(self, tenant: Tenant) -> None:
        """A tenant whose own budget is known spent is refused BUDGET_EXCEEDED at
        once, rather than by each model's reservation in turn."""
        if self.ledger is not None:
            refusal = self.ledger.tenant_refusal(tenant.name)
            if refusal is not None:
                raise refusal

    def _answer_key(self, call: InvokeCall, tenant: Tenant) -> str:
        key = call.answer_key or ResponseCache.key(call)
        salt = tenant.answer_salt
        return salt + key if salt else key

    async def invoke(
        self, call: InvokeCall, decision: Decision, deadline: float | None, tenant: Tenant = NO_TENANT
    ) -> Invoked:
        """The answer: from the response cache when the call's policy reads it and it
        has one (tenants never share answers), else from the models (once for
        concurrent identical misses)."""
        read, write = self.responses.modes(call.cache_policy, call.params.temperature)
        if not (read or write):
            return await self.invoker.complete(decision, call.params, deadline, tenant.name)
        key = self._answer_key(call, tenant)
        if read:
            cached = await self.responses.get(key, deadline)
            if cached is not None:
                return _invoked_from(cached)
        produced: list[Invoked] = []

        async def produce() -> CachedAnswer:
            invoked = await self.invoker.complete(decision, call.params, deadline, tenant.name)
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
        self, call: InvokeCall, decision: Decision, deadline: float | None, tenant: Tenant = NO_TENANT
    ) -> AsyncGenerator[str | ToolCallDelta | Invoked, None]:
        """Deltas then the summary; a cached answer is replayed as deltas, its tool
        calls as pieces (id and name, then the arguments), as a model sends them."""
        read, write = self.responses.modes(call.cache_policy, call.params.temperature)
        key = self._answer_key(call, tenant) if read or write else ""
        if read:
            cached = await self.responses.get(key, deadline)
            if cached is not None:
                text = cached.text
                for i in range(0, len(text), REPLAY_CHUNK):
                    yield text[i : i + REPLAY_CHUNK]
                for index, c in enumerate(cached.tool_calls):
                    yield ToolCallDelta(index, c.id, c.name)
                    for i in range(0, len(c.arguments), REPLAY_CHUNK):
                        yield ToolCallDelta(index, arguments=c.arguments[i : i + REPLAY_CHUNK])
                yield _invoked_from(cached)
                return
        items = self.invoker.stream(decision, call.params, deadline, tenant.name)
        async with contextlib.aclosing(items):
            async for item in items:
                if write and isinstance(item, Invoked):
                    await self.responses.put(key, _answer_of(item), deadline)
                yield item

    async def admit(self, tenant: Tenant, call: InvokeCall | None = None) -> Admission | None:
        """Admits a call (`call`: an Invoke's or InvokeStream's; None: a Select)
        under `tenant`'s rate limits, or raises RateLimited (RateLimitUnavailable
        when their store is away). Returns what `settle` needs when the call ends,
        None when there is nothing to settle. A tenant without limits costs one
        dict lookup."""
        if tenant.name not in self.rate_limits.rules:
            return None
        return await self.rate_limits.admit(tenant.name, call)

    def settle(self, admission: Admission) -> None:
        """The admitted call ended, however: its tokens are settled to what its
        attempts were charged. Never waits."""
        self.rate_limits.settle(admission)

    def shut_down(self) -> None:
        """The shutdown grace is over: attempts cut from now on are SHUTTING_DOWN."""
        self.invoker.attempts.shutting_down = True

    async def close(self) -> None:
        """After the server has drained: nothing recorded is lost, since the last
        flush happens here."""
        await self.health.stop()
        await self.invoker.close()
        await self.responses.close()
        await self.rate_limits.close()
        await self.usage.close()

    def models(self) -> tuple[ModelState, ...]:
        return tuple(self.live.models.values())

    def stats_tenant(self, caller: Caller, asked: str) -> str | None:
        return self.reports.whose(caller, asked)

    async def stats(
        self, models: tuple[str, ...] = (), tenant: str | None = None, admin: bool = False
    ) -> StatsReport:
        return await self.reports.stats(models, tenant, admin)
