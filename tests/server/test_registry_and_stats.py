"""ListModels and Stats in the contract's shape."""

from __future__ import annotations

from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, serving


async def test_list_models_shows_the_registry(default_server: Served) -> None:
    reply = await default_server.stub.ListModels(pb.ListModelsRequest(), timeout=10)
    assert len(reply.models) == 9
    assert reply.default_strategy == "weighted"
    assert set(reply.strategies) >= {
        "task_based",
        "cost_aware",
        "performance",
        "weighted",
        "fallback",
        "cheap",
        "quick",
        "balanced",
        "by-task",
        "resilient",
    }
    by_id = {m.id: m for m in reply.models}
    eu = by_id["eu-balanced"]
    assert eu.provider == "simulated"
    assert [(d.name, d.weight) for d in eu.deployments] == [("eu-west", 1.0), ("eu-central", 3.0)]
    assert eu.balancer == "weighted_round_robin"
    assert (eu.input_cost_per_mtok, eu.output_cost_per_mtok) == (0.40, 1.20)
    assert eu.labels == {"tier": "medium", "region": "eu"}
    assert eu.health == pb.HEALTH_STATE_HEALTHY
    assert (eu.ttft_ms, eu.tokens_per_s) == (200, 110)
    for m in reply.models:
        assert "default" in m.quality
        assert m.context_window > 0 and m.capabilities and m.deployments
    assert len({m.context_window for m in reply.models}) >= 5
    assert len({m.input_cost_per_mtok for m in reply.models}) >= 8


async def test_stats_counts_selections_per_model_and_filters() -> None:
    async with serving() as served:
        for strategy, n in (("cost_aware", 3), ("performance", 2)):
            for _ in range(n):
                await served.stub.Select(pb.SelectRequest(strategy=strategy), timeout=10)
        reply = await served.stub.Stats(pb.StatsRequest(), timeout=10)
        assert [m.model for m in reply.models][:2] == ["nano-fast", "mini-general"]
        selections = {m.model: m.selections for m in reply.models}
        assert selections["local-llama"] == 3 and selections["turbo-chat"] == 2
        assert sum(selections.values()) == 5
        assert reply.cache.selection_misses == 2 and reply.cache.selection_hits == 3
        assert reply.uptime_s > 0
        assert list(reply.suggestions) == []
        only = await served.stub.Stats(pb.StatsRequest(models=["turbo-chat"]), timeout=10)
        assert [m.model for m in only.models] == ["turbo-chat"]
        (model,) = only.models
        assert model.health == pb.HEALTH_STATE_HEALTHY
        assert (model.requests, model.failures) == (0, 0)
        assert [d.deployment for d in model.deployments] == ["default"]


async def test_stats_answer_in_registry_order_whatever_the_filter_order(default_server: Served) -> None:
    reply = await default_server.stub.Stats(pb.StatsRequest(models=["reasoner-xl", "nano-fast"]), timeout=10)
    assert [m.model for m in reply.models] == ["nano-fast", "reasoner-xl"]
