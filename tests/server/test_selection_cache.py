"""The selection cache: hit, miss, expiry, invalidation, bound; figures in Stats."""

from __future__ import annotations

import asyncio

from modelrouter.clock import Clock
from modelrouter.config.load import load_config, parse_config
from modelrouter.domain import Decision, Health, Requirements, SelectQuery
from modelrouter.manager import Router
from modelrouter.selection.cache import SelectionCache
from modelrouter_client._proto import router_pb2 as pb
from tests.support import serving

SHORT_TTL = """
models:
  - {id: a, provider: simulated, context_window: 8192, pricing: {input_per_mtok: 1, output_per_mtok: 2},
     quality: {default: 0.6}, deployments: [{name: d1, weight: 1}, {name: d2, weight: 1}],
     balancer: weighted_round_robin}
  - {id: b, provider: simulated, context_window: 8192, pricing: {input_per_mtok: 3, output_per_mtok: 4},
     quality: {default: 0.9}}
cache: {selection_ttl_s: 0.3}
"""


async def stats(stub: object) -> pb.CacheStats:
    reply = await stub.Stats(pb.StatsRequest(), timeout=10)  # type: ignore[attr-defined]
    return reply.cache


async def test_identical_requests_hit_until_the_ttl_passes() -> None:
    async with serving(SHORT_TTL) as served:
        request = pb.SelectRequest(strategy="task_based", requirements=pb.Requirements(task="chat"))
        first = (await served.stub.Select(request, timeout=10)).decision
        second = (await served.stub.Select(request, timeout=10)).decision
        assert (first.from_cache, second.from_cache) == (False, True)
        assert first.model == second.model == "b"
        assert list(first.ranking) == list(second.ranking)
        other = (await served.stub.Select(pb.SelectRequest(strategy="cost_aware"), timeout=10)).decision
        assert other.from_cache is False and other.model == "a"
        figures = await stats(served.stub)
        assert (figures.selection_hits, figures.selection_misses, figures.selection_entries) == (1, 2, 2)
        await asyncio.sleep(0.35)
        third = (await served.stub.Select(request, timeout=10)).decision
        assert third.from_cache is False
        figures = await stats(served.stub)
        assert (figures.selection_hits, figures.selection_misses) == (1, 3)


async def test_the_deployment_is_picked_per_call_even_from_the_cache() -> None:
    async with serving(SHORT_TTL) as served:
        request = pb.SelectRequest(strategy="cost_aware")
        picks = [(await served.stub.Select(request, timeout=10)).decision for _ in range(6)]
        assert [p.from_cache for p in picks] == [False] + [True] * 5
        assert [p.deployment for p in picks] == ["d1", "d2"] * 3
        reply = await served.stub.Stats(pb.StatsRequest(models=["a"]), timeout=10)
        (model,) = reply.models
        assert model.selections == 6
        assert {d.deployment: d.selections for d in model.deployments} == {"d1": 3, "d2": 3}


async def test_a_health_change_drops_cached_rankings_at_once() -> None:
    async with serving(SHORT_TTL) as served:
        request = pb.SelectRequest(strategy="task_based")
        assert (await served.stub.Select(request, timeout=10)).decision.model == "b"
        assert (await served.stub.Select(request, timeout=10)).decision.from_cache
        served.running.router.live.set_health("b", "default", Health.UNHEALTHY)
        after = (await served.stub.Select(request, timeout=10)).decision
        assert (after.model, after.from_cache) == ("a", False)
        assert [(r.model, r.reason) for r in after.rejected] == [("b", "UNHEALTHY")]
        served.running.router.live.set_health("b", "default", Health.HEALTHY)
        back = (await served.stub.Select(request, timeout=10)).decision
        assert (back.model, back.from_cache) == ("b", False)


async def test_errors_are_not_cached_and_zero_ttl_disables_the_cache() -> None:
    async with serving(SHORT_TTL.replace("selection_ttl_s: 0.3", "selection_ttl_s: 0")) as served:
        request = pb.SelectRequest(strategy="task_based")
        for _ in range(3):
            assert not (await served.stub.Select(request, timeout=10)).decision.from_cache
        figures = await stats(served.stub)
        assert (figures.selection_hits, figures.selection_entries) == (0, 0)
        # Nothing is kept, so an Invoke that answers with the basic view renders only
        # that (a shortcut); the full view still ranks every model.
        user = [pb.ChatMessage(role="user", content="hi")]
        for view, ranked in ((pb.DECISION_VIEW_BASIC, ["b"]), (pb.DECISION_VIEW_FULL, ["b", "a"])):
            invoke = pb.InvokeRequest(
                messages=user, selection=request, decision_view=view, cache=pb.CACHE_POLICY_BYPASS
            )
            decision = (await served.stub.Invoke(invoke, timeout=10)).decision
            assert ([e.model for e in decision.ranking], decision.model) == (ranked, "b")
            assert decision.estimated_cost_usd > 0 and decision.estimated_input_tokens > 0


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    now = [0.0]
    clock: Clock = lambda: now[0]  # noqa: E731
    cache: SelectionCache[str] = SelectionCache(ttl_s=10, max_entries=2, clock=clock)
    cache.put(b"a", "A")
    cache.put(b"b", "B")
    assert cache.get(b"a") == "A"  # a is now the most recent
    now[0] = 5.0
    cache.put(b"c", "C")
    assert (cache.get(b"b"), cache.get(b"a"), cache.get(b"c")) == (None, "A", "C")
    now[0] = 10.0  # a (stored at 0) has expired, c (stored at 5) has not
    assert cache.get(b"a") is None and len(cache) == 1
    assert (cache.hits, cache.misses) == (3, 2)


def test_a_router_caches_only_with_a_key_and_counts_selections() -> None:
    now = [0.0]
    router = Router(load_config(), clock=lambda: now[0])
    query = SelectQuery(Requirements(task="code"), "task_based", None, 100, 100)
    fresh: Decision = router.select(query, cache_key=b"k", render=lambda strategy, r: strategy.encode())
    cached = router.select_cached(b"k")
    assert cached is not None and cached.from_cache
    assert (cached.model, cached.order, cached.rendered) == (fresh.model, fresh.order, b"task_based")
    assert fresh.ranking is not None and cached.ranking is None  # the cache keeps plain values only
    now[0] = 1.5  # past the default selection_ttl_s of 1 s
    assert router.select_cached(b"k") is None
    assert router.live.models["code-specialist"].selections == 2


def test_config_change_of_registry_is_a_new_router() -> None:
    # The registry is immutable: a new configuration builds a new Router, whose
    # selection cache starts empty. Nothing carries over.
    config = parse_config(SHORT_TTL, "<test>")
    first, second = Router(config), Router(config)
    first.select(SelectQuery(Requirements(), "", None, 1, 1), cache_key=b"k")
    assert second.select_cached(b"k") is None
