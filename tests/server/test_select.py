"""Select through a real server: each strategy's choice, each rejection reason."""

from __future__ import annotations

import pytest

from modelrouter.config.load import parse_config
from modelrouter.domain import Requirements, SelectQuery
from modelrouter.manager import Router
from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, select_error, serving

DEFAULT_MODELS = {
    "nano-fast",
    "mini-general",
    "turbo-chat",
    "code-specialist",
    "eu-balanced",
    "long-context",
    "vision-pro",
    "reasoner-xl",
    "local-llama",
}


async def select(served: Served, **kwargs: object) -> pb.Decision:
    reply = await served.stub.Select(pb.SelectRequest(**kwargs), timeout=10)  # type: ignore[arg-type]
    d = reply.decision
    listed = [s.model for s in d.ranking] + [r.model for r in d.rejected]
    assert sorted(listed) == sorted(DEFAULT_MODELS | set(listed)), "every model exactly once"
    assert len(listed) == len(set(listed))
    assert d.model == d.ranking[0].model
    return d


@pytest.mark.parametrize(
    ("strategy", "task", "model"),
    [
        ("task_based", "", "reasoner-xl"),
        ("task_based", "code", "code-specialist"),
        ("task_based", "summarize", "long-context"),
        ("by-task", "chat", "vision-pro"),
        ("cost_aware", "", "local-llama"),
        ("cheap", "", "mini-general"),
        ("performance", "", "turbo-chat"),
        ("quick", "code", "turbo-chat"),
        ("weighted", "", "eu-balanced"),
        ("weighted", "code", "code-specialist"),
        ("weighted", "reasoning", "reasoner-xl"),
        ("", "", "eu-balanced"),
        ("balanced", "", "turbo-chat"),
        ("eu-only", "", "mini-general"),
        ("resilient", "", "reasoner-xl"),
        ("premium-or-cheap", "reasoning", "reasoner-xl"),
        ("premium-or-cheap", "", "mini-general"),
        ("fallback", "", "reasoner-xl"),
    ],
)
async def test_each_strategy_chooses_sensibly_on_the_default_configuration(
    default_server: Served, strategy: str, task: str, model: str
) -> None:
    d = await select(default_server, strategy=strategy, requirements=pb.Requirements(task=task))
    assert d.model == model
    assert d.requested_strategy == (strategy or "weighted")
    assert d.deployment
    assert d.estimated_cost_usd == pytest.approx(d.ranking[0].estimated_cost_usd)
    assert d.expected_latency_ms == pytest.approx(d.ranking[0].expected_latency_ms)
    scores = [s.score for s in d.ranking]
    assert scores == sorted(scores, reverse=True)


async def test_decision_explains_weighted_scores(default_server: Served) -> None:
    d = await select(default_server, strategy="weighted")
    for s in d.ranking:
        assert set(s.components) == {"quality", "cost", "latency", "reliability"}
        assert all(0.0 <= v <= 1.0 for v in s.components.values())
        expected = 0.6 * s.components["quality"] + 0.2 * s.components["cost"]
        expected += 0.1 * s.components["latency"] + 0.1 * s.components["reliability"]
        assert s.score == pytest.approx(expected)
    assert d.estimated_input_tokens == 1000 and d.estimated_output_tokens == 256


async def test_request_weights_replace_configured_ones(default_server: Served) -> None:
    cheapest = await select(default_server, strategy="weighted", weights={"cost": 1.0})
    assert cheapest.model == "local-llama"
    fastest = await select(default_server, strategy="weighted", weights={"latency": 1.0})
    assert fastest.model == "turbo-chat"
    best = await select(default_server, strategy="weighted", weights={"quality": 1.0})
    assert best.model == "reasoner-xl"


async def test_cost_aware_is_cheapest_with_quality_floor_and_cost_bound(default_server: Served) -> None:
    d = await select(default_server, strategy="cost_aware", requirements=pb.Requirements(min_quality=0.7))
    assert d.model == "eu-balanced"
    costs = [s.estimated_cost_usd for s in d.ranking]
    assert costs == sorted(costs)
    assert {r.model: r.reason for r in d.rejected}["mini-general"] == "BELOW_QUALITY"


async def test_token_counts_come_from_messages_then_max_output(default_server: Served) -> None:
    d = await select(
        default_server,
        messages=[pb.ChatMessage(role="user", content="x" * 400)],
        max_output_tokens=50,
    )
    # 400 characters at 4 per token, 4 tokens of framing per message, 3 for the reply.
    assert d.estimated_input_tokens == 100 + 4 + 3
    assert d.estimated_output_tokens == 50
    stated = await select(
        default_server,
        requirements=pb.Requirements(expected_input_tokens=7, expected_output_tokens=9),
        messages=[pb.ChatMessage(role="user", content="x" * 400)],
    )
    assert (stated.estimated_input_tokens, stated.estimated_output_tokens) == (7, 9)


@pytest.mark.parametrize(
    ("requirements", "reason", "survivors"),
    [
        (pb.Requirements(capabilities=["vision"]), "MISSING_CAPABILITY", {"vision-pro"}),
        (pb.Requirements(min_context_tokens=500_000), "CONTEXT_TOO_SMALL", {"long-context"}),
        (
            pb.Requirements(expected_input_tokens=10_000, expected_output_tokens=1),
            "CONTEXT_TOO_SMALL",
            DEFAULT_MODELS - {"nano-fast", "local-llama"},
        ),
        (pb.Requirements(max_cost_usd=0.0002), "OVER_COST", {"nano-fast", "local-llama"}),
        (pb.Requirements(max_latency_ms=1000), "OVER_LATENCY", {"nano-fast", "turbo-chat"}),
        (pb.Requirements(min_quality=0.8), "BELOW_QUALITY", {"vision-pro", "reasoner-xl"}),
        (pb.Requirements(task="code", min_quality=0.9), "BELOW_QUALITY", {"code-specialist", "reasoner-xl"}),
        (pb.Requirements(exclude_models=sorted(DEFAULT_MODELS - {"nano-fast"})), "EXCLUDED", {"nano-fast"}),
        (
            pb.Requirements(include_models=["nano-fast", "turbo-chat"]),
            "NOT_INCLUDED",
            {"nano-fast", "turbo-chat"},
        ),
        (
            pb.Requirements(labels={"region": "eu"}),
            "LABEL_MISMATCH",
            {"mini-general", "eu-balanced", "vision-pro"},
        ),
        (pb.Requirements(labels={"gpu": "h100"}), "LABEL_MISMATCH", set()),
    ],
)
async def test_each_rejection_reason(
    default_server: Served, requirements: pb.Requirements, reason: str, survivors: set[str]
) -> None:
    if not survivors:
        err = await select_error(default_server.stub, pb.SelectRequest(requirements=requirements))
        assert (err.code.name, err.reason) == ("FAILED_PRECONDITION", "NO_ELIGIBLE_MODEL")
        assert sorted(err.violations) == sorted((m, reason) for m in DEFAULT_MODELS)
        return
    d = await select(default_server, requirements=requirements)
    assert {s.model for s in d.ranking} == survivors
    assert {r.model for r in d.rejected} == DEFAULT_MODELS - survivors
    assert {r.reason for r in d.rejected} == {reason}
    assert all(r.detail for r in d.rejected)


async def test_unhealthy_models_are_rejected_and_degraded_ones_kept() -> None:
    async with serving() as served:
        live = served.running.router.live
        live.set_health("turbo-chat", "default", 3)  # type: ignore[arg-type]
        live.set_health("eu-balanced", "eu-west", 3)  # type: ignore[arg-type]
        d = await select(served, strategy="performance")
        assert {r.model: r.reason for r in d.rejected} == {"turbo-chat": "UNHEALTHY"}
        assert d.model == "nano-fast"
        # One of two deployments down: still eligible, and calls go to the healthy one.
        eu = await select(served, requirements=pb.Requirements(include_models=["eu-balanced"]))
        assert eu.model == "eu-balanced"
        deployments = set()
        for _ in range(8):
            deployments.add(
                (
                    await select(
                        served, strategy="cheap", requirements=pb.Requirements(include_models=["eu-balanced"])
                    )
                ).deployment
            )
        assert deployments == {"eu-central"}
        listed = await served.stub.ListModels(pb.ListModelsRequest(), timeout=10)
        health = {m.id: m.health for m in listed.models}
        assert health["turbo-chat"] == pb.HEALTH_STATE_UNHEALTHY
        assert health["eu-balanced"] == pb.HEALTH_STATE_DEGRADED
        assert health["nano-fast"] == pb.HEALTH_STATE_HEALTHY


CHAIN_CONFIG = """
server: {default_strategy: chain}
models:
  - {id: small, provider: simulated, context_window: 4096, capabilities: [chat],
     pricing: {input_per_mtok: 0.1, output_per_mtok: 0.2}, quality: {default: 0.5}}
  - {id: big, provider: simulated, context_window: 100000, capabilities: [chat, vision],
     pricing: {input_per_mtok: 5, output_per_mtok: 15}, quality: {default: 0.9, vision: 0.95},
     labels: {tier: large}}
strategies:
  vision-cheap: {kind: cost_aware, requirements: {capabilities: [vision], max_cost_usd: 0.0001}}
  any-cheap: {kind: cost_aware}
  chain: {kind: fallback, chain: [vision-cheap, any-cheap]}
  strict-chain: {kind: fallback, chain: [vision-cheap], requirements: {labels: {tier: large}}}
"""


async def test_fallback_chain_moves_on_when_a_member_yields_nothing() -> None:
    async with serving(CHAIN_CONFIG) as served:
        reply = await served.stub.Select(pb.SelectRequest(), timeout=10)
        d = reply.decision
        assert (d.model, d.strategy, d.requested_strategy) == ("small", "any-cheap", "chain")
        # The first member would have taken `big` if its own cost bound allowed it.
        relaxed = await served.stub.Select(
            pb.SelectRequest(requirements=pb.Requirements(expected_input_tokens=1, expected_output_tokens=1)),
            timeout=10,
        )
        assert (relaxed.decision.model, relaxed.decision.strategy) == ("big", "vision-cheap")


async def test_strategy_requirements_tighten_the_request() -> None:
    async with serving(CHAIN_CONFIG) as served:
        err = await select_error(served.stub, pb.SelectRequest(strategy="strict-chain"))
        assert (err.code.name, err.reason) == ("FAILED_PRECONDITION", "NO_ELIGIBLE_MODEL")
        # Requirements of chain and member combine; capabilities are checked before labels.
        assert dict(err.violations) == {"small": "MISSING_CAPABILITY", "big": "OVER_COST"}


TOKENS_CONFIG = """
models:
  - {id: short, provider: simulated, context_window: 2000, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.9}}
  - {id: long, provider: simulated, context_window: 200000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}}
strategies:
  long-docs: {kind: task_based, requirements: {expected_input_tokens: 100000}}
"""


async def test_a_strategys_expected_tokens_apply_when_the_request_states_none() -> None:
    async with serving(TOKENS_CONFIG) as served:
        d = (await served.stub.Select(pb.SelectRequest(strategy="long-docs"), timeout=10)).decision
        assert (d.model, d.estimated_input_tokens) == ("long", 100_000)
        assert [(r.model, r.reason) for r in d.rejected] == [("short", "CONTEXT_TOO_SMALL")]
        stated = pb.Requirements(expected_input_tokens=500)
        own = await served.stub.Select(
            pb.SelectRequest(strategy="long-docs", requirements=stated), timeout=10
        )
        assert (own.decision.model, own.decision.estimated_input_tokens) == ("short", 500)


LIVE_CONFIG = """
models:
  - {id: steady, provider: simulated, context_window: 9000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}, latency: {ttft_ms: 400, tokens_per_s: 100}}
  - {id: flashy, provider: simulated, context_window: 9000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}, latency: {ttft_ms: 100, tokens_per_s: 100}}
"""


def test_performance_uses_live_figures_once_there_are_some() -> None:
    # The recorder's calls (made by the invoker once Invoke serves) drive the estimate.
    router = Router(parse_config(LIVE_CONFIG, "<test>"))
    query = SelectQuery(Requirements(), "performance", None, 100, 100)
    assert router.select(query).model == "flashy"  # priors: 100 + 1000 ms against 400 + 1000 ms
    flashy = router.live.models["flashy"]
    flashy.observe_latency(ttft_ms=900, tokens_per_s=100)  # measured: slower than its prior
    decision = router.select(query)
    assert decision.model == "steady"
    assert decision.ranking is not None
    assert decision.ranking.ranked[1].candidate.latency_ms == pytest.approx(1900)
    flashy.observe_latency(ttft_ms=100, tokens_per_s=100)  # smoothed: 900 -> 820 ms
    assert router.select(query).model == "steady"
    # Success rate counts: a fast model that fails half its calls expects two tries.
    fresh = Router(parse_config(LIVE_CONFIG, "<test>"))
    for ok in (True, False, True, False):
        fresh.live.models["flashy"].record_call(ok)
    ranked = fresh.select(query).ranking
    assert ranked is not None
    assert [s.candidate.model for s in ranked.ranked] == ["steady", "flashy"]
    assert dict(zip(ranked.component_names, ranked.ranked[1].components, strict=True)) == {
        "latency_ms": 1100.0,
        "success_rate": 0.5,
        "effective_latency_ms": 2200.0,
    }
