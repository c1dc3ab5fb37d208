"""ListModels and Stats through the client against a real server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from modelrouter_client import (
    AsyncRouter,
    CacheStats,
    DeploymentInfo,
    DeploymentStats,
    Health,
    ModelInfo,
    ModelList,
    ModelStats,
    Router,
    StatsResult,
    WindowStats,
)
from tests.client.conftest import DEFAULT_MODELS, DEFAULT_STRATEGIES


def check_model_list(models: ModelList) -> None:
    assert isinstance(models, ModelList)
    assert models.ids == DEFAULT_MODELS  # configuration order
    assert len(models) == 9
    for info in models:
        assert isinstance(info, ModelInfo)
        assert info.provider == "simulated"
        assert "default" in info.quality
        assert all(0.0 <= q <= 1.0 for q in info.quality.values())
        assert info.context_window > 0
        assert isinstance(info.health, Health)
        assert info.deployments and all(isinstance(d, DeploymentInfo) for d in info.deployments)
        assert all(isinstance(d.health, Health) for d in info.deployments)
    assert set(DEFAULT_STRATEGIES) <= set(models.strategies)
    assert models.default_strategy in models.strategies
    vision = models.get("vision-pro")
    assert vision is not None and "vision" in vision.capabilities
    assert models.get("no-such-model") is None


def test_list_models(router: Router) -> None:
    check_model_list(router.list_models())


async def test_list_models_async(async_router: AsyncRouter) -> None:
    check_model_list(await async_router.list_models())


def check_window(recent: WindowStats) -> None:
    assert isinstance(recent, WindowStats)
    assert recent.requests == recent.successes + recent.failures or recent.requests > 0
    assert recent.ttft_p95_ms >= recent.ttft_p50_ms >= 0
    assert recent.latency_p99_ms >= recent.latency_p95_ms >= recent.latency_p50_ms >= 0


def check_stats(stats: StatsResult, expected: tuple[str, ...]) -> None:
    assert isinstance(stats, StatsResult)
    assert tuple(m.model for m in stats.models) == expected
    assert isinstance(stats.cache, CacheStats)
    assert all(isinstance(s, str) for s in stats.suggestions)
    assert stats.uptime_s >= 0
    assert stats.window_s > 0
    now = datetime.now(timezone.utc)  # noqa: UP017 - as the client, which supports 3.10
    assert stats.totals_since is not None and stats.totals_since.tzinfo is not None
    assert now - timedelta(days=1) < stats.totals_since <= now
    assert stats.budgets == ()  # the default configuration sets none
    for model in stats.models:
        assert isinstance(model, ModelStats)
        assert isinstance(model.health, Health)
        # Each call sent is in flight, succeeded or failed.
        assert model.requests == model.successes + model.failures + model.in_flight
        assert model.ttft_p95_ms >= model.ttft_p50_ms >= 0
        check_window(model.recent)
        assert model.recent.requests <= model.requests
        assert all(isinstance(d, DeploymentStats) for d in model.deployments)
        for deployment in model.deployments:
            assert 0.0 <= deployment.saturation <= 1.0
            assert deployment.ttft_p95_ms >= deployment.ttft_p50_ms >= 0
            check_window(deployment.recent)
            assert model.deployment(deployment.deployment) is deployment


def test_stats(router: Router) -> None:
    check_stats(router.stats(), DEFAULT_MODELS)


async def test_stats_async(async_router: AsyncRouter) -> None:
    check_stats(await async_router.stats(), DEFAULT_MODELS)


def test_stats_filter(router: Router) -> None:
    stats = router.stats(models=["nano-fast", "vision-pro"])
    check_stats(stats, ("nano-fast", "vision-pro"))
    assert stats.get("vision-pro") is not None
    assert stats.get("turbo-chat") is None


def test_stats_count_selections(router: Router) -> None:
    def computed() -> int:
        cache = router.stats().cache
        return cache.selection_hits + cache.selection_misses

    before = computed()
    router.select(include_models=["nano-fast"])
    assert computed() >= before + 1


def test_stats_after_calls_count_them_in_totals_and_recent(router: Router) -> None:
    before = router.stats(models=["turbo-chat"]).models[0]
    router.invoke("count me", model="turbo-chat", cache="bypass")
    with router.invoke_stream("and me", model="turbo-chat", cache="bypass") as stream:
        stream.result()
    after = router.stats(models=["turbo-chat"]).models[0]
    assert after.requests >= before.requests + 2
    assert after.successes >= before.successes + 2
    assert after.recent.requests >= before.recent.requests + 2
    assert after.output_tokens > before.output_tokens
    assert after.recent.latency_p50_ms > 0 and after.recent.ttft_p50_ms > 0
    assert after.ttft_p95_ms > 0
    assert sum(d.requests for d in after.deployments) == after.requests
