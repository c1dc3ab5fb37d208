"""Prometheus metrics at http://HOST:PORT/metrics (`metrics.address`).

Nothing is counted twice for Prometheus: at each scrape a collector reads the
figures the router keeps anyway (this process's, since it started, so that
counters only grow; a replica sharing a Redis store still reports only its own
calls, and Prometheus sums the replicas). The HTTP server runs on the event loop,
so a scrape reads the figures between calls, never during one.

The per-call series (requests, tokens, cost, calls) have a `tenant` label: the
caller's tenant, "" without API keys. Its values come from the configuration
only (a key's tenant), never from a request, so they are bounded. A tenant's
series on a deployment appear with its first call there (on a server without
keys, tenant ""'s from the start); summed over `tenant` they are the
deployment's figures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from modelrouter.api.access_log import AccessLog
from modelrouter.circuit import State
from modelrouter.domain import Health
from modelrouter.learning.posterior import Posterior
from modelrouter.lifecycle import Lifecycle
from modelrouter.manager import Router
from modelrouter.outcomes import NOT_SENT
from modelrouter.usage.book import BUCKETS_S, UNATTRIBUTED, Histogram
from modelrouter.usage.figures import NANO
from modelrouter.usage.views import has_calls

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_HEALTH = {Health.HEALTHY: "healthy", Health.DEGRADED: "degraded", Health.UNHEALTHY: "unhealthy"}
_REFUSALS = sorted(NOT_SENT)
_CIRCUIT = {State.CLOSED: "closed", State.OPEN: "open", State.HALF_OPEN: "half_open"}


class RouterCollector(Collector):
    def __init__(self, lifecycle: Lifecycle, access_log: AccessLog) -> None:
        self._lifecycle = lifecycle
        self._access_log = access_log

    @property
    def _router(self) -> Router:
        return self._lifecycle.current

    def collect(self) -> Iterator[Metric]:
        router = self._router
        usage = router.usage.book
        usage.fold()
        labels = ["model", "deployment"]
        per_call = [*labels, "tenant"]
        requests = CounterMetricFamily(
            "modelrouter_requests",
            "Calls sent to a deployment, by tenant and outcome (each retry counts)",
            labels=[*per_call, "outcome"],
        )
        refused = CounterMetricFamily(
            "modelrouter_refused",
            "Attempts refused before anything was sent (circuit open, over budget, budget store "
            "unavailable, concurrency gate full), by reason",
            labels=[*labels, "reason"],
        )
        refusals = router.invoker.attempts.refusals
        tokens = CounterMetricFamily(
            "modelrouter_tokens", "Tokens, by tenant and direction", labels=[*per_call, "direction"]
        )
        cost = CounterMetricFamily("modelrouter_cost_usd", "Spend in USD, by tenant", labels=per_call)
        latency = HistogramMetricFamily(
            "modelrouter_request_duration_seconds", "Call latency to the full answer", labels=labels
        )
        ttft = HistogramMetricFamily(
            "modelrouter_time_to_first_token_seconds",
            "Time to the first token of successful calls",
            labels=labels,
        )
        in_flight = GaugeMetricFamily("modelrouter_in_flight", "Calls in flight now", labels=labels)
        selections = CounterMetricFamily(
            "modelrouter_selections", "Times a selection picked it", labels=labels
        )
        health = GaugeMetricFamily(
            "modelrouter_health", "1 for the deployment's health state", labels=[*labels, "state"]
        )
        circuit = GaugeMetricFamily(
            "modelrouter_circuit_state",
            "1 for the deployment's circuit breaker state",
            labels=[*labels, "state"],
        )
        breakers = router.health.breakers
        keyless = not router.config.has_keys
        for d in usage:
            key = list(d.key)
            for tenant, spans in sorted(d.tenants.items()):
                p = spans.process
                if not has_calls(p) and not (keyless and tenant == UNATTRIBUTED):
                    continue  # selections only: no call of this tenant's yet
                requests.add_metric([*key, tenant, "OK"], p.successes)
                for reason, n in sorted(p.failures_by_reason.items()):
                    requests.add_metric([*key, tenant, reason], n)
                tokens.add_metric([*key, tenant, "input"], p.input_tokens)
                tokens.add_metric([*key, tenant, "output"], p.output_tokens)
                cost.add_metric([*key, tenant], p.cost_usd)
            if keyless and UNATTRIBUTED not in d.tenants:  # the series are there from the start
                requests.add_metric([*key, UNATTRIBUTED, "OK"], 0)
                tokens.add_metric([*key, UNATTRIBUTED, "input"], 0)
                tokens.add_metric([*key, UNATTRIBUTED, "output"], 0)
                cost.add_metric([*key, UNATTRIBUTED], 0)
            for reason in _REFUSALS:
                refused.add_metric([*key, reason], refusals.get((*d.key, reason), 0))
            latency.add_metric(key, _buckets(d.latency), d.latency.sum_s)
            ttft.add_metric(key, _buckets(d.ttft), d.ttft.sum_s)
            in_flight.add_metric(key, d.state.in_flight)
            unattributed = d.tenants.get(UNATTRIBUTED)  # selections are counted there
            selections.add_metric(key, unattributed.process.selections if unattributed else 0)
            breaker = breakers.get(d.key)
            if breaker is not None:  # configured now (a removed deployment's counters stay)
                for state, name in _HEALTH.items():
                    health.add_metric([*key, name], 1.0 if d.state.health is state else 0.0)
                for cstate, name in _CIRCUIT.items():
                    circuit.add_metric([*key, name], 1.0 if breaker.state is cstate else 0.0)
        yield from (requests, refused, tokens, cost, latency, ttft, in_flight, selections, health, circuit)
        yield from self._cache()
        yield from self._budgets()
        yield from self._learned()
        yield self._calls()
        yield from self._configuration()

    def _configuration(self) -> Iterator[Metric]:
        """Which configuration is in force (its version shows drift between
        replicas) and how reloads went."""
        lifecycle = self._lifecycle
        config = lifecycle.current.config
        info = GaugeMetricFamily(
            "modelrouter_config_info",
            "1 for the configuration in force: its version (a digest of the file) and source",
            labels=["version", "source"],
        )
        info.add_metric([config.version, config.source], 1.0)
        reloads = CounterMetricFamily(
            "modelrouter_config_reloads", "Configuration reloads, by result", labels=["result"]
        )
        reloads.add_metric(["applied"], lifecycle.reloads)
        reloads.add_metric(["refused"], lifecycle.refused)
        retiring = GaugeMetricFamily(
            "modelrouter_config_retiring",
            "Configurations replaced by a reload whose calls in flight have not all ended",
            value=lifecycle.retiring,
        )
        yield from (info, reloads, retiring)

    def _calls(self) -> Metric:
        calls = CounterMetricFamily(
            "modelrouter_calls",
            'Calls answered, by RPC, gRPC status code, ErrorInfo reason ("" when OK) and tenant',
            labels=["rpc", "code", "reason", "tenant"],
        )
        for labels, n in sorted(self._access_log.calls.items()):
            calls.add_metric(labels, n)
        return calls

    def _cache(self) -> Iterator[Metric]:
        router = self._router
        responses, memory, selection = router.responses, router.memory, router.selector.cache
        lookups = CounterMetricFamily(
            "modelrouter_cache_lookups", "Cache lookups, by cache and result", labels=["cache", "result"]
        )
        lookups.add_metric(["response", "hit"], responses.hits)
        lookups.add_metric(["response", "miss"], responses.misses)
        lookups.add_metric(["selection", "hit"], selection.hits)
        lookups.add_metric(["selection", "miss"], selection.misses)
        yield lookups
        entries = GaugeMetricFamily("modelrouter_cache_entries", "Entries held now", labels=["cache"])
        entries.add_metric(["response"], memory.entries if memory else 0)
        entries.add_metric(["selection"], len(selection))
        yield entries
        yield GaugeMetricFamily(
            "modelrouter_cache_bytes", "Bytes held by the response cache", value=memory.bytes if memory else 0
        )
        yield CounterMetricFamily(
            "modelrouter_cache_evictions",
            "Response cache entries evicted to stay within max_bytes",
            value=memory.evictions if memory else 0,
        )

    def _learned(self) -> Iterator[Metric]:
        """What feedback taught, per tenant, task and model. Tasks are the callers'
        words: only the configured ones (a key of some model's `quality`, or the
        default) become labels, so that callers cannot grow the series without bound."""
        router = self._router
        feedback = router.feedback
        labels = ["tenant", "task", "model"]
        quality = GaugeMetricFamily(
            "modelrouter_learned_quality", "Quality learned from feedback (posterior mean)", labels=labels
        )
        uncertainty = GaugeMetricFamily(
            "modelrouter_learned_uncertainty", "Its uncertainty (posterior standard deviation)", labels=labels
        )
        scores = CounterMetricFamily("modelrouter_feedback_scores", "Feedback scores received", labels=labels)
        models = router.live.models
        tasks = {t for m in models.values() for t in m.quality} | {""}
        for (tenant, task, model), evidence in sorted(feedback.rows(), key=lambda r: r[0]):
            state = models.get(model)
            if state is None or task not in tasks:
                continue
            prior = state.quality.get(task, state.default_quality)
            posterior = Posterior(prior, evidence, feedback.learning)
            key = [tenant, task, model]
            quality.add_metric(key, posterior.mean)
            uncertainty.add_metric(key, posterior.sd)
            scores.add_metric(key, evidence.count)
        yield from (quality, uncertainty, scores)

    def _budgets(self) -> Iterator[Metric]:
        ledger = self._router.ledger
        if ledger is None:
            return
        # `tenant` tells a tenant's limit over every model (scope "*") from the
        # global one; empty for a global limit.
        labels = ["scope", "period", "tenant"]
        limit = GaugeMetricFamily("modelrouter_budget_limit_usd", "Configured spend limit", labels=labels)
        spent = GaugeMetricFamily(
            "modelrouter_budget_spent_usd", "Settled spend in the current period", labels=labels
        )
        for view in ledger.cached_views():
            where = [view.limit.scope, view.limit.period, view.tenant]
            limit.add_metric(where, view.limit.limit_nusd / NANO)
            spent.add_metric(where, view.spent_nusd / NANO)
        yield limit
        yield spent


def _buckets(h: Histogram) -> list[tuple[str, float]]:
    out, running = [], 0
    for bound, n in zip((*BUCKETS_S, float("inf")), h.counts, strict=True):
        running += n
        out.append(("+Inf" if bound == float("inf") else repr(bound), float(running)))
    return out


class MetricsServer:
    """The /metrics endpoint on its own port."""

    def __init__(self, lifecycle: Lifecycle, access_log: AccessLog) -> None:
        self._registry = CollectorRegistry(auto_describe=False)
        self._registry.register(RouterCollector(lifecycle, access_log))
        # process_cpu_seconds_total, process_resident_memory_bytes, open fds, ...
        ProcessCollector(registry=self._registry)
        self._lifecycle = lifecycle
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _metrics(self, request: web.Request) -> web.Response:
        ledger = self._lifecycle.current.ledger
        if ledger is not None:
            # The collector reads the figures this leaves; with the budget store
            # away it reads the last ones, rather than failing the scrape.
            with contextlib.suppress(Exception):
                await ledger.refresh()
        return web.Response(body=generate_latest(self._registry), headers={"Content-Type": CONTENT_TYPE})

    async def start(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host.strip("[]"), int(port)).start()
        bound = self._runner.addresses
        self.port = int(bound[0][1]) if bound else int(port)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
