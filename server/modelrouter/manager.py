"""The use cases, built once from configuration: select, invoke, stream, list
models, stats (built by `modelrouter.reports`)."""

from __future__ import annotations

import asyncio
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
from modelrouter.circuit import CircuitBreaker, CircuitPolicy
from modelrouter.clock import Clock, monotonic
from modelrouter.config.load import RouterConfig
from modelrouter.conversation import ToolCallDelta
from modelrouter.domain import Decision, InvokeCall, SelectQuery
from modelrouter.errors import PermissionDenied
from modelrouter.health_checks import HealthMonitor
from modelrouter.identity import NO_TENANT, Caller, Tenant
from modelrouter.invoker import Invoked, Invoker
from modelrouter.learning.feedback import Feedback, build_learned_store
from modelrouter.live import LiveState, ModelState
from modelrouter.plan import RetryPolicy
from modelrouter.providers import build_providers
from modelrouter.providers.base import Completion, Provider
from modelrouter.ratelimit import Admission, RateLimits
from modelrouter.reports import Reports, StatsReport
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.selector import CachedDecision, Prepared, Render, Selector
from modelrouter.usage.book import UsageBook
from modelrouter.usage.service import UsageService, build_store, default_sqlite_path

MAX_CACHED_MODEL_ENTRIES = 200_000
MAX_PREPARED_MODEL_ENTRIES = 50_000
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


def _breakers_kept(before: Router, config: RouterConfig) -> dict[tuple[str, str], CircuitBreaker]:
    """The breakers a reload keeps: each deployment still configured at the same
    address keeps its circuit (its model's other settings may have changed)."""
    kept = {}
    for spec in config.models:
        old = before.live.models.get(spec.id)
        if old is None:
            continue
        addresses = {d.name: (old.spec.base_url, d.base_url) for d in old.spec.deployments}
        for d in spec.deployments:
            if addresses.get(d.name) == (spec.base_url, d.base_url):
                kept[(spec.id, d.name)] = before.health.breakers[(spec.id, d.name)]
    return kept


class Router:
    """What the API serves, independent of protobuf: one configuration's worth.
    A reload (`modelrouter.lifecycle`) builds the next Router from the one in
    force, carrying over what outlives a configuration."""

    live: LiveState
    selector: Selector
    memory: MemoryCache | None
    responses: ResponseCache
    usage: UsageService
    rate_limits: RateLimits
    started: float
    invoker: Invoker
    feedback: Feedback

    def __init__(
        self,
        config: RouterConfig,
        clock: Clock = monotonic,
        log: FilteringBoundLogger | None = None,
        wall: Clock = time.time,
        before: Router | None = None,
    ) -> None:
        """`before`: the Router in force, when this one is to replace it (a
        reload). This one then shares its stores, caches and limiters, and keeps
        each unchanged model's state, balancer, gates, breakers and connections
        (a changed model keeps its figures). Nothing of `before` changes here:
        `take_over` does that, at the swap."""
        self.config = config
        self.clock, self.wall, self.log = clock, wall, log
        self.live = LiveState(config.models, before.live if before is not None else None)
        # A cached decision keeps its wire form, about a hundred bytes per registered
        # model; bound the model entries in all as well as the decisions, so that a
        # large registry cannot fill memory with cached decisions.
        max_entries = min(
            config.cache.selection_max_entries, max(1, MAX_CACHED_MODEL_ENTRIES // len(config.models))
        )
        cache: SelectionCache[CachedDecision] = SelectionCache(
            config.cache.selection_ttl_s, max_entries, clock
        )
        # A sampling strategy's preparation holds about 530 bytes a model (its
        # entries as objects and rendered), four times a cached decision, and at
        # most about 1 KB of draws made ahead: bound them to about the same memory
        # in all (some 27 MB; with few models, the draws ahead may add as much).
        prepared: SelectionCache[Prepared] = SelectionCache(
            config.cache.selection_ttl_s,
            min(config.cache.selection_max_entries, max(1, MAX_PREPARED_MODEL_ENTRIES // len(config.models))),
            clock,
        )
        c = config.cache
        server, health, usage = config.server, config.health, config.usage
        limits = limits_of(config.budgets, config.tenant_budgets)
        self._spend: SpendBook | None = before._spend if before is not None else None
        if before is not None:
            # What outlives a configuration (a reload that would change these
            # needs a restart: `lifecycle.RESTART_ONLY`).
            self.memory, self.responses = before.memory, before.responses
            self.usage, self.rate_limits = before.usage, before.rate_limits
            self.feedback = before.feedback
            self.started = before.started
        else:
            self.memory = MemoryCache(c.max_bytes) if c.backend == "memory" and c.max_bytes > 0 else None
            backend = redis_cache(c.redis_url) if c.backend == "redis" else self.memory
            self.responses = ResponseCache(
                backend, c.ttl_s, c.default_policy, log, clock, timeout_s=c.timeout_ms / 1000
            )
            self.usage = UsageService(
                UsageBook(self.live, usage.window_s, wall),
                build_store(usage),
                None,
                usage.flush_interval_s,
                log,
                clock,
                timeout_s=usage.timeout_ms / 1000,
            )
            self.rate_limits = RateLimits.build(config, clock, log)
            self.feedback = Feedback(
                config.feedback,
                build_learned_store(usage, config.feedback, default_sqlite_path(), wall),
                usage.flush_interval_s,
                usage.timeout_ms / 1000,
                wall,
                log,
            )
            self.started = clock()
        self.registry = StrategyRegistry(config.strategies, config.server.default_strategy, self.feedback)
        self.selector = Selector(
            self.live, self.registry, cache, prepared, before.selector if before else None
        )
        self.ledger: Ledger | None = None
        self._restore_spend = False
        if limits:
            if self._spend is None:
                self._spend = (
                    RedisBook(usage.redis_url, usage.key_prefix) if usage.store == "redis" else LocalBook()
                )
                # A local book starts empty: the spend of earlier runs comes from the store.
                self._restore_spend = usage.store != "redis"
            self.ledger = Ledger(
                limits, self._spend, self.live, wall, log, timeout_s=config.budgets.timeout_ms / 1000
            )
        if before is None:
            self.usage.ledger = self.ledger
        # Connections: a model whose state carried over keeps its deployments'
        # providers (and so their pools); any other gets new ones.
        same = {
            m.id
            for m in self.live.models.values()
            if before is not None and before.live.models.get(m.id) is m
        }
        fresh = build_providers(m for m in config.models if m.id not in same)
        self.providers: dict[tuple[str, str], Provider] = {
            key: before.providers[key] if before is not None and key[0] in same else fresh[key]
            for key in ((m.id, d.name) for m in config.models for d in m.deployments)
        }
        self.health = HealthMonitor(
            self.live,
            self.providers,
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
            kept=_breakers_kept(before, config) if before is not None else None,
        )
        self.invoker = Invoker(
            self.live,
            self.selector.pick,
            self.providers,
            self.health.breakers,
            RetryPolicy(server.max_attempts_per_model, server.retry_backoff_s, server.retry_backoff_max_s),
            clock,
            log=log,
            ledger=self.ledger,
            budget_output_tokens=config.budgets.max_output_tokens,
            wall=wall,
            before=before.invoker if before is not None else None,
        )
        self.reports = Reports(self, clock, self.started)
        self.calls = 0
        """Invoke and InvokeStream calls under way on this configuration (`serving`)."""
        self.retired = False
        self._idle: asyncio.Event | None = None

    async def start(self) -> None:
        """What needs the event loop: settled spend from the store (local budgets),
        the flush loop, the health checks."""
        await self.prepare()
        await self.feedback.start()
        self.usage.start()
        self.health.start()

    async def prepare(self) -> None:
        """Before serving (or being swapped in): the budgets' settled spend is read
        back, so that no call reserves against a book that has not seen it."""
        if self.ledger is None:
            return
        if self._restore_spend:  # a local book starts empty; Redis keeps the spend itself
            self.ledger.restore((await self.usage.store.load()).spend)
            self._restore_spend = False
        with contextlib.suppress(Exception):  # a Redis away: the flush loop retries
            await self.ledger.refresh()

    def take_over(self, before: Router) -> None:
        """A reload's swap, in one step of the event loop: what outlives a
        configuration starts working for this one. Calls already under way on
        `before` finish there (`retire`)."""
        self.live.adopt()
        self.usage.book.track(self.live)
        self.usage.ledger = self.ledger
        self.rate_limits.reconfigure(self.config)
        self.health.take_over(before.health)
        self.health.start()
        if before.ledger is not None:
            before.ledger.retire()
        before.retired = True

    def enter(self) -> None:
        """An Invoke or InvokeStream starts on this configuration."""
        self.calls += 1

    def leave(self) -> None:
        self.calls -= 1
        if not self.calls and self._idle is not None:
            self._idle.set()

    async def discard(self, before: Router) -> None:
        """Built but never swapped in (its preparation failed): the connections
        it opened that `before` does not hold are closed."""
        mine = [p for key, p in self.providers.items() if before.providers.get(key) is not p]
        await asyncio.gather(*(p.close() for p in mine), return_exceptions=True)

    async def retire(self) -> None:
        """Replaced by a reload: once the calls under way here have ended (and
        their budget settlements landed), this configuration is done with. Its
        connections are closed by the caller, which knows which ones a newer
        configuration still uses."""
        await self.health.stop()
        if self.calls:
            self._idle = asyncio.Event()
            await self._idle.wait()
        await self.invoker.attempts.close()

    def select(
        self,
        query: SelectQuery,
        cache_key: bytes | None = None,
        render: Render | None = None,
        tenant: Tenant = NO_TENANT,
        basic: bool = False,
    ) -> Decision:
        """A fresh decision among the models `tenant` may use; `basic`: the caller
        will answer with its basic view only."""
        if tenant.has_budget:
            self._refuse_if_spent(tenant)
        salt = tenant.selection_salt
        if salt and cache_key is not None:
            cache_key = salt + cache_key
        return self.selector.decide(query, cache_key, render, tenant.models, tenant.name, basic)

    def select_cached(
        self, cache_key: bytes, tenant: Tenant = NO_TENANT, render: Render | None = None, basic: bool = False
    ) -> Decision | None:
        """The decision for a request seen before: cached, or drawn from a kept
        preparation (a sampling strategy's, rendered by `render`); None otherwise."""
        if tenant.has_budget:
            self._refuse_if_spent(tenant)
        salt = tenant.selection_salt
        return self.selector.decide_cached(
            salt + cache_key if salt else cache_key, tenant.name, render, basic
        )

    def decide(
        self, call: InvokeCall, render: Render, tenant: Tenant = NO_TENANT, basic: bool = False
    ) -> Decision:
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
        cached = self.select_cached(call.selection_key, tenant, render, basic)
        return cached or self.select(call.query, call.selection_key, render, tenant, basic)

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

    def _may_serve(self, cached: CachedAnswer, tenant: Tenant) -> bool:
        """Whether a cached answer may still be served: not one of a model a reload
        removed, nor of one the tenant may no longer use."""
        return cached.model in self.live.models and tenant.allows(cached.model)

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
            if cached is not None and self._may_serve(cached, tenant):
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
            if cached is not None and self._may_serve(cached, tenant):
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
        flush happens here. (The Router in force closes what configurations share.)"""
        await self.health.stop()
        await self.invoker.close()
        await self.responses.close()
        await self.rate_limits.close()
        await self.feedback.close()
        await self.usage.close()

    def models(self) -> tuple[ModelState, ...]:
        return tuple(self.live.models.values())

    def decision_id(self, tenant: Tenant, decision: Decision, model: str) -> str:
        """The id a Feedback call scores this call's answer by: credited to
        `model` (the one that answered), under the decision's task."""
        return self.feedback.mint(tenant.name, decision.task, model)

    async def score(self, tenant: Tenant, decision_id: str, score: float) -> None:
        await self.feedback.score(tenant.name, decision_id, score)

    def stats_tenant(self, caller: Caller, asked: str) -> str | None:
        return self.reports.whose(caller, asked)

    async def stats(
        self, models: tuple[str, ...] = (), tenant: str | None = None, admin: bool = False
    ) -> StatsReport:
        return await self.reports.stats(models, tenant, admin)
