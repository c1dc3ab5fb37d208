"""Protobuf responses -> the public frozen dataclasses.

One function per message, each copying every field, so that a field added to the
proto shows up here as one line. Maps become read-only mappings and repeated fields
tuples: the results are values, and a caller mutating one must not surprise another.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TypedDict, TypeVar

from google.protobuf import timestamp_pb2

from modelrouter_client._conversation import ToolCall, ToolCallDelta
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._types import (
    Attempt,
    BudgetStatus,
    CacheStats,
    Completion,
    Decision,
    DeploymentInfo,
    DeploymentStats,
    Health,
    LearnedQuality,
    ModelInfo,
    ModelList,
    ModelStats,
    Rejection,
    ReloadResult,
    ScoredModel,
    StatsResult,
    TenantStats,
    Usage,
    WindowStats,
)

_K = TypeVar("_K")
_V = TypeVar("_V")

_HEALTH: dict[int, Health] = {
    pb.HEALTH_STATE_UNSPECIFIED: Health.UNSPECIFIED,
    pb.HEALTH_STATE_HEALTHY: Health.HEALTHY,
    pb.HEALTH_STATE_DEGRADED: Health.DEGRADED,
    pb.HEALTH_STATE_UNHEALTHY: Health.UNHEALTHY,
}


def _frozen(m: Mapping[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(dict(m))


def health(value: int) -> Health:
    """A proto HealthState; values added to the enum later read as UNSPECIFIED."""
    return _HEALTH.get(value, Health.UNSPECIFIED)


def scored_model(m: pb.ScoredModel) -> ScoredModel:
    return ScoredModel(
        model=m.model,
        score=m.score,
        components=_frozen(m.components),
        estimated_cost_usd=m.estimated_cost_usd,
        expected_latency_ms=m.expected_latency_ms,
    )


def rejection(r: pb.Rejection) -> Rejection:
    return Rejection(model=r.model, reason=r.reason, detail=r.detail)


def decision(d: pb.Decision) -> Decision:
    return Decision(
        model=d.model,
        deployment=d.deployment,
        strategy=d.strategy,
        ranking=tuple(scored_model(m) for m in d.ranking),
        rejected=tuple(rejection(r) for r in d.rejected),
        estimated_cost_usd=d.estimated_cost_usd,
        expected_latency_ms=d.expected_latency_ms,
        from_cache=d.from_cache,
        requested_strategy=d.requested_strategy,
        estimated_input_tokens=d.estimated_input_tokens,
        estimated_output_tokens=d.estimated_output_tokens,
        decision_id=d.decision_id,
        raw=d,
    )


def usage(u: pb.Usage) -> Usage:
    return Usage(input_tokens=u.input_tokens, output_tokens=u.output_tokens, cost_usd=u.cost_usd)


def attempt(a: pb.Attempt) -> Attempt:
    return Attempt(
        model=a.model, deployment=a.deployment, outcome=a.outcome, latency_ms=a.latency_ms, error=a.error
    )


def tool_call(c: pb.ToolCall) -> ToolCall:
    return ToolCall(id=c.id, name=c.name, arguments=c.arguments)


def tool_call_delta(d: pb.ToolCallDelta) -> ToolCallDelta:
    return ToolCallDelta(index=d.index, id=d.id, name=d.name, arguments=d.arguments)


def completion(r: pb.InvokeResponse, text: str | None = None) -> Completion:
    """An InvokeResponse as a Completion; `text`, when given, in place of `r.text`
    (a stream's summary leaves its text to the deltas)."""
    return Completion(
        text=r.text if text is None else text,
        finish_reason=r.finish_reason,
        usage=usage(r.usage),
        model=r.model,
        deployment=r.deployment,
        # A decision is always sent today; None keeps "absent" distinguishable from empty.
        decision=decision(r.decision) if r.HasField("decision") else None,
        attempts=tuple(attempt(a) for a in r.attempts),
        cache_hit=r.cache_hit,
        latency_ms=r.latency_ms,
        request_id=r.request_id,
        tool_calls=tuple(tool_call(c) for c in r.tool_calls),
        raw=r,
    )


def timestamp(t: timestamp_pb2.Timestamp) -> datetime:
    """A Timestamp as a timezone-aware UTC datetime. (Callers pass only fields that are
    set: an unset Timestamp means "not known", not 1970, and becomes None.)"""
    return t.ToDatetime(tzinfo=timezone.utc)  # noqa: UP017 - datetime.UTC is 3.11+, the client runs on 3.10


class _Figures(TypedDict):
    """The figures WindowStats, DeploymentStats and ModelStats share."""

    requests: int
    successes: int
    failures: int
    failures_by_reason: Mapping[str, int]
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    ttft_p50_ms: float
    ttft_p95_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float


def _figures(f: pb.WindowStats | pb.DeploymentStats | pb.ModelStats) -> _Figures:
    return _Figures(
        requests=f.requests,
        successes=f.successes,
        failures=f.failures,
        failures_by_reason=_frozen(f.failures_by_reason),
        latency_p50_ms=f.latency_p50_ms,
        latency_p95_ms=f.latency_p95_ms,
        latency_p99_ms=f.latency_p99_ms,
        ttft_p50_ms=f.ttft_p50_ms,
        ttft_p95_ms=f.ttft_p95_ms,
        input_tokens=f.input_tokens,
        output_tokens=f.output_tokens,
        cost_usd=f.cost_usd,
    )


def window_stats(w: pb.WindowStats) -> WindowStats:
    return WindowStats(
        **_figures(w),
        selections=w.selections,
    )


def deployment_stats(s: pb.DeploymentStats) -> DeploymentStats:
    return DeploymentStats(
        deployment=s.deployment,
        **_figures(s),
        in_flight=s.in_flight,
        selections=s.selections,
        health=health(s.health),
        recent=window_stats(s.recent),
        saturation=s.saturation,
    )


def learned_quality(q: pb.LearnedQuality) -> LearnedQuality:
    return LearnedQuality(
        task=q.task,
        quality=q.quality,
        uncertainty=q.uncertainty,
        scores=q.scores,
        configured_quality=q.configured_quality,
        tenant=q.tenant,
    )


def model_stats(s: pb.ModelStats) -> ModelStats:
    return ModelStats(
        model=s.model,
        **_figures(s),
        in_flight=s.in_flight,
        selections=s.selections,
        health=health(s.health),
        deployments=tuple(deployment_stats(d) for d in s.deployments),
        recent=window_stats(s.recent),
        learned=tuple(learned_quality(q) for q in s.learned),
    )


def cache_stats(c: pb.CacheStats) -> CacheStats:
    return CacheStats(
        hits=c.hits,
        misses=c.misses,
        entries=c.entries,
        bytes=c.bytes,
        evictions=c.evictions,
        selection_hits=c.selection_hits,
        selection_misses=c.selection_misses,
        selection_entries=c.selection_entries,
    )


def budget_status(b: pb.BudgetStatus) -> BudgetStatus:
    return BudgetStatus(
        scope=b.scope,
        period=b.period,
        tenant=b.tenant,
        limit_usd=b.limit_usd,
        spent_usd=b.spent_usd,
        reserved_usd=b.reserved_usd,
        resets_at=timestamp(b.resets_at) if b.HasField("resets_at") else None,
    )


def tenant_stats(t: pb.TenantStats) -> TenantStats:
    return TenantStats(
        tenant=t.tenant,
        requests=t.requests,
        successes=t.successes,
        failures=t.failures,
        input_tokens=t.input_tokens,
        output_tokens=t.output_tokens,
        cost_usd=t.cost_usd,
        requests_last_minute=t.requests_last_minute,
        tokens_last_minute=t.tokens_last_minute,
        requests_per_minute=t.requests_per_minute,
        tokens_per_minute=t.tokens_per_minute,
    )


def stats(r: pb.StatsResponse) -> StatsResult:
    return StatsResult(
        models=tuple(model_stats(m) for m in r.models),
        cache=cache_stats(r.cache),
        suggestions=tuple(r.suggestions),
        uptime_s=r.uptime_s,
        window_s=r.window_s,
        totals_since=timestamp(r.totals_since) if r.HasField("totals_since") else None,
        budgets=tuple(budget_status(b) for b in r.budgets),
        tenant=r.tenant,
        tenants=tuple(tenant_stats(t) for t in r.tenants),
        raw=r,
    )


def deployment_info(d: pb.DeploymentInfo) -> DeploymentInfo:
    # A value added to the enum later reads as "" rather than failing.
    state = {1: "ACTIVE", 2: "DRAINING"}.get(d.state, "")
    return DeploymentInfo(name=d.name, weight=d.weight, health=health(d.health), state=state)


def model_info(m: pb.ModelInfo) -> ModelInfo:
    return ModelInfo(
        id=m.id,
        provider=m.provider,
        capabilities=tuple(m.capabilities),
        context_window=m.context_window,
        input_cost_per_mtok=m.input_cost_per_mtok,
        output_cost_per_mtok=m.output_cost_per_mtok,
        quality=_frozen(m.quality),
        labels=_frozen(m.labels),
        deployments=tuple(deployment_info(d) for d in m.deployments),
        health=health(m.health),
        upstream_model=m.upstream_model,
        ttft_ms=m.ttft_ms,
        tokens_per_s=m.tokens_per_s,
        balancer=m.balancer,
    )


def model_list(r: pb.ListModelsResponse) -> ModelList:
    return ModelList(
        models=tuple(model_info(m) for m in r.models),
        strategies=tuple(r.strategies),
        default_strategy=r.default_strategy,
        config_version=r.config_version,
        raw=r,
    )


def reload_result(r: apb.ReloadConfigResponse) -> ReloadResult:
    return ReloadResult(
        previous_version=r.previous_version,
        config_version=r.config_version,
        added_models=tuple(r.added_models),
        removed_models=tuple(r.removed_models),
        changed_models=tuple(r.changed_models),
        raw=r,
    )
