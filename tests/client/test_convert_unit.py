"""Arguments -> requests and responses -> typed results, without a server.

Invoke is not served by every server version yet, so its conversion is checked here
on hand-built messages, field by field.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from google.protobuf import timestamp_pb2

from modelrouter_client import (
    Attempt,
    BudgetStatus,
    CachePolicy,
    ChatMessage,
    Completion,
    Decision,
    Health,
    Rejection,
    Requirements,
    ScoredModel,
    TenantStats,
    ToolCall,
    Usage,
    WindowStats,
    _convert,
)
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._requests import (
    cache_policy,
    chat_messages,
    invoke_request,
    invoke_selection,
    merge_requirements,
    select_request,
)

# -- requests ------------------------------------------------------------------------------------


def test_message_forms() -> None:
    expected = [pb.ChatMessage(role="system", content="be brief"), pb.ChatMessage(role="user", content="hi")]
    assert chat_messages([("system", "be brief"), ("user", "hi")]) == expected
    assert (
        chat_messages([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}])
        == expected
    )
    assert chat_messages([ChatMessage("system", "be brief"), ChatMessage("user", "hi")]) == expected
    assert chat_messages([ChatMessage("system", "be brief"), ("user", "hi")]) == expected
    assert chat_messages("hi") == [pb.ChatMessage(role="user", content="hi")]
    assert chat_messages([]) == []


@pytest.mark.parametrize(
    "bad",
    [[("user",)], [("user", "a", "b")], [{"role": "user"}], [("user", 3)], [None], [42], ["just text"]],
)
def test_bad_messages_name_the_index(bad: list[object]) -> None:
    with pytest.raises(TypeError, match=r"messages\[0\]"):
        chat_messages(bad)  # type: ignore[arg-type]


def test_cache_policy() -> None:
    assert cache_policy(None) == pb.CACHE_POLICY_UNSPECIFIED
    assert cache_policy(CachePolicy.DEFAULT) == pb.CACHE_POLICY_UNSPECIFIED
    assert cache_policy(CachePolicy.USE) == pb.CACHE_POLICY_USE
    assert cache_policy("bypass") == pb.CACHE_POLICY_BYPASS
    assert cache_policy("REFRESH") == pb.CACHE_POLICY_REFRESH
    with pytest.raises(ValueError, match="unknown cache policy"):
        cache_policy("sometimes")


def test_merge_requirements() -> None:
    assert merge_requirements(None, {"task": None}) is None
    assert merge_requirements(None, {"task": "code"}) == Requirements(task="code")
    base = Requirements(task="chat", capabilities=("tools",), max_cost_usd=0.5)
    merged = merge_requirements(base, {"task": "code", "max_cost_usd": None})
    assert merged == dataclasses.replace(base, task="code")


def test_select_request_carries_every_field() -> None:
    requirements = Requirements(
        task="code",
        capabilities=["tools", "json_mode"],
        min_context_tokens=8000,
        max_cost_usd=0.01,
        max_latency_ms=2000,
        min_quality=0.7,
        include_models=["a", "b"],
        exclude_models=["c"],
        labels={"region": "eu"},
        expected_input_tokens=1200,
        expected_output_tokens=300,
    )
    request = select_request(
        requirements,
        strategy="balanced",
        weights={"quality": 1, "cost": 0.5},
        messages=[("user", "hi")],
        max_output_tokens=64,
    )
    r = request.requirements
    assert (r.task, list(r.capabilities), r.min_context_tokens) == ("code", ["tools", "json_mode"], 8000)
    assert (r.max_cost_usd, r.max_latency_ms, r.min_quality) == (0.01, 2000, 0.7)
    assert (list(r.include_models), list(r.exclude_models), dict(r.labels)) == (
        ["a", "b"],
        ["c"],
        {"region": "eu"},
    )
    assert (r.expected_input_tokens, r.expected_output_tokens) == (1200, 300)
    assert request.strategy == "balanced"
    assert dict(request.weights) == {"quality": 1.0, "cost": 0.5}
    assert [m.content for m in request.messages] == ["hi"]
    assert request.max_output_tokens == 64


def test_a_string_where_a_list_belongs_is_refused() -> None:
    # A str is a Sequence[str] to the type checker; only the run-time check catches it.
    with pytest.raises(TypeError, match="capabilities"):
        select_request(Requirements(capabilities="tools"))
    with pytest.raises(TypeError, match="stop"):
        invoke_request(pb.InvokeRequest, "hi", selection=None, stop="\n")


def test_invoke_request_selection_and_model() -> None:
    # No model: a selection is always sent, even an empty one.
    request = invoke_request(pb.InvokeRequest, "hi", selection=invoke_selection(None, None, {}, None, None))
    assert request.HasField("selection") and request.model == ""
    # A model alone: no selection.
    streamed = invoke_request(
        pb.InvokeStreamRequest, "hi", selection=invoke_selection("m", None, {}, None, None), model="m"
    )
    assert not streamed.HasField("selection") and streamed.model == "m"
    # Both: passed through, for the server to refuse.
    request = invoke_request(
        pb.InvokeRequest, "hi", selection=invoke_selection("m", None, {"task": "code"}, None, None), model="m"
    )
    assert request.HasField("selection") and request.selection.requirements.task == "code"


def test_invoke_request_fields() -> None:
    request = invoke_request(
        pb.InvokeRequest,
        [("user", "hi")],
        selection=None,
        max_output_tokens=10,
        temperature=0.0,
        stop=["\n\n"],
        cache="use",
        request_id="r-1",
    )
    assert request.HasField("temperature") and request.temperature == 0.0  # zero is a value
    assert (request.max_output_tokens, list(request.stop)) == (10, ["\n\n"])
    assert (request.cache, request.request_id) == (pb.CACHE_POLICY_USE, "r-1")
    assert not invoke_request(pb.InvokeRequest, "hi", selection=None).HasField("temperature")


# -- responses -----------------------------------------------------------------------------------


def decision_pb() -> pb.Decision:
    return pb.Decision(
        model="m1",
        deployment="d1",
        strategy="by-task",
        requested_strategy="resilient",
        ranking=[
            pb.ScoredModel(
                model="m1",
                score=0.9,
                components={"quality": 0.9},
                estimated_cost_usd=0.001,
                expected_latency_ms=500,
            )
        ],
        rejected=[pb.Rejection(model="m2", reason="OVER_COST", detail="0.2 > 0.1")],
        estimated_cost_usd=0.001,
        expected_latency_ms=500,
        from_cache=True,
        estimated_input_tokens=100,
        estimated_output_tokens=20,
    )


def test_decision() -> None:
    d = _convert.decision(decision_pb())
    assert d == Decision(
        model="m1",
        deployment="d1",
        strategy="by-task",
        ranking=(ScoredModel("m1", 0.9, {"quality": 0.9}, 0.001, 500),),
        rejected=(Rejection("m2", "OVER_COST", "0.2 > 0.1"),),
        estimated_cost_usd=0.001,
        expected_latency_ms=500,
        from_cache=True,
        requested_strategy="resilient",
        estimated_input_tokens=100,
        estimated_output_tokens=20,
    )
    assert d.raw == decision_pb()
    with pytest.raises(TypeError):
        d.ranking[0].components["quality"] = 0.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.model = "other"  # type: ignore[misc]


def test_completion() -> None:
    response = pb.InvokeResponse(
        text="hello",
        finish_reason="stop",
        usage=pb.Usage(input_tokens=5, output_tokens=1, cost_usd=0.0001),
        model="m1",
        deployment="d1",
        decision=decision_pb(),
        attempts=[
            pb.Attempt(model="m0", deployment="a", outcome="TIMEOUT", latency_ms=30000, error="timed out"),
            pb.Attempt(model="m1", deployment="d1", outcome="OK", latency_ms=120),
        ],
        cache_hit=True,
        latency_ms=30200,
        request_id="r-1",
        tool_calls=[pb.ToolCall(id="call_1", name="get_weather", arguments='{"city":"Paris"}')],
    )
    c = _convert.completion(response)
    assert c == Completion(
        text="hello",
        finish_reason="stop",
        usage=Usage(5, 1, 0.0001),
        model="m1",
        deployment="d1",
        decision=_convert.decision(decision_pb()),
        attempts=(Attempt("m0", "a", "TIMEOUT", 30000, "timed out"), Attempt("m1", "d1", "OK", 120, "")),
        cache_hit=True,
        latency_ms=30200,
        request_id="r-1",
        tool_calls=(ToolCall("call_1", "get_weather", '{"city":"Paris"}'),),
    )
    assert c.raw is response
    assert _convert.completion(pb.InvokeResponse(text="x")).decision is None


def test_stats_and_models() -> None:
    stats = _convert.stats(
        pb.StatsResponse(
            models=[
                pb.ModelStats(
                    model="m1",
                    requests=3,
                    successes=2,
                    failures=1,
                    failures_by_reason={"TIMEOUT": 1},
                    health=pb.HEALTH_STATE_DEGRADED,
                    deployments=[pb.DeploymentStats(deployment="d1", requests=3, health=99)],  # type: ignore[arg-type]
                )
            ],
            cache=pb.CacheStats(hits=1, misses=2, selection_entries=4),
            suggestions=["use a cheaper model"],
            uptime_s=12.5,
        )
    )
    m = stats.models[0]
    assert (m.model, m.requests, m.failures_by_reason, m.health) == ("m1", 3, {"TIMEOUT": 1}, Health.DEGRADED)
    assert m.deployments[0].health is Health.UNSPECIFIED  # a value added to the enum later
    assert (stats.cache.hits, stats.cache.misses, stats.cache.selection_entries) == (1, 2, 4)
    assert stats.suggestions == ("use a cheaper model",) and stats.uptime_s == 12.5

    models = _convert.model_list(
        pb.ListModelsResponse(
            models=[
                pb.ModelInfo(
                    id="m1",
                    provider="simulated",
                    capabilities=["chat"],
                    context_window=8192,
                    quality={"default": 0.5},
                    labels={"tier": "small"},
                    deployments=[pb.DeploymentInfo(name="d1", weight=2, health=pb.HEALTH_STATE_HEALTHY)],
                    health=pb.HEALTH_STATE_HEALTHY,
                    ttft_ms=40,
                    tokens_per_s=400,
                    balancer="latency_p2c",
                )
            ],
            strategies=["weighted"],
            default_strategy="weighted",
        )
    )
    info = models.get("m1")
    assert info is not None and info.deployments[0].weight == 2 and info.health is Health.HEALTHY
    assert (info.ttft_ms, info.tokens_per_s, info.balancer) == (40, 400, "latency_p2c")
    assert models.ids == ("m1",) and models.strategies == ("weighted",)


def window_pb(scale: int) -> pb.WindowStats:
    return pb.WindowStats(
        requests=4 * scale,
        successes=3 * scale,
        failures=1 * scale,
        failures_by_reason={"TIMEOUT": scale},
        latency_p50_ms=100.0 * scale,
        latency_p95_ms=200.0 * scale,
        latency_p99_ms=300.0 * scale,
        ttft_p50_ms=10.0 * scale,
        ttft_p95_ms=20.0 * scale,
        input_tokens=1000 * scale,
        output_tokens=100 * scale,
        cost_usd=0.01 * scale,
        selections=5 * scale,
    )


def window(scale: int) -> WindowStats:
    return WindowStats(
        requests=4 * scale,
        successes=3 * scale,
        failures=1 * scale,
        failures_by_reason={"TIMEOUT": scale},
        latency_p50_ms=100.0 * scale,
        latency_p95_ms=200.0 * scale,
        latency_p99_ms=300.0 * scale,
        ttft_p50_ms=10.0 * scale,
        ttft_p95_ms=20.0 * scale,
        input_tokens=1000 * scale,
        output_tokens=100 * scale,
        cost_usd=0.01 * scale,
        selections=5 * scale,
    )


def test_stats_every_field() -> None:
    since = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)  # noqa: UP017
    resets = datetime(2026, 2, 1, tzinfo=timezone.utc)  # noqa: UP017
    response = pb.StatsResponse(
        models=[
            pb.ModelStats(
                model="m1",
                requests=40,
                successes=30,
                failures=10,
                failures_by_reason={"TIMEOUT": 10},
                latency_p50_ms=1,
                latency_p95_ms=2,
                latency_p99_ms=3,
                ttft_p50_ms=4,
                ttft_p95_ms=5,
                input_tokens=6,
                output_tokens=7,
                cost_usd=8.5,
                in_flight=9,
                selections=11,
                health=pb.HEALTH_STATE_HEALTHY,
                recent=window_pb(2),
                deployments=[
                    pb.DeploymentStats(
                        deployment="d1",
                        requests=40,
                        successes=30,
                        failures=10,
                        failures_by_reason={"TIMEOUT": 10},
                        latency_p50_ms=1,
                        latency_p95_ms=2,
                        latency_p99_ms=3,
                        ttft_p50_ms=4,
                        ttft_p95_ms=5,
                        input_tokens=6,
                        output_tokens=7,
                        cost_usd=8.5,
                        in_flight=9,
                        selections=11,
                        health=pb.HEALTH_STATE_UNHEALTHY,
                        recent=window_pb(1),
                        saturation=0.25,
                    )
                ],
            )
        ],
        cache=pb.CacheStats(hits=1, misses=2, entries=3, bytes=4, evictions=5, selection_hits=6),
        suggestions=["s"],
        uptime_s=1.5,
        window_s=300,
        totals_since=timestamp_pb2.Timestamp(seconds=int(since.timestamp()), nanos=678000000),
        budgets=[
            pb.BudgetStatus(
                scope="*",
                period="month",
                limit_usd=10,
                spent_usd=4,
                reserved_usd=7,
                resets_at=timestamp_pb2.Timestamp(seconds=int(resets.timestamp())),
            ),
            pb.BudgetStatus(scope="m1", period="day", limit_usd=1),
            pb.BudgetStatus(scope="*", period="day", limit_usd=2, tenant="team-a"),
        ],
        tenant="team-a",
        tenants=[
            pb.TenantStats(
                tenant="team-a",
                requests=3,
                successes=2,
                failures=1,
                input_tokens=4,
                output_tokens=5,
                cost_usd=0.5,
                requests_last_minute=6,
                tokens_last_minute=7,
                requests_per_minute=8,
                tokens_per_minute=9,
            )
        ],
    )
    stats = _convert.stats(response)
    model = stats.models[0]
    assert (model.ttft_p95_ms, model.recent) == (5, window(2))
    deployment = model.deployments[0]
    assert (deployment.ttft_p95_ms, deployment.saturation, deployment.recent) == (5, 0.25, window(1))
    assert deployment.health is Health.UNHEALTHY
    assert model.deployment("d1") is deployment and model.deployment("d2") is None
    assert (stats.window_s, stats.totals_since) == (300, since)
    assert stats.budgets == (
        BudgetStatus("*", "month", 10, 4, 7, resets),
        BudgetStatus("m1", "day", 1, 0, 0, None),  # no resets_at sent: None, not 1970
        BudgetStatus("*", "day", 2, tenant="team-a"),
    )
    assert stats.tenant == "team-a"
    assert stats.tenants == (TenantStats("team-a", 3, 2, 1, 4, 5, 0.5, 6, 7, 8, 9),)
    assert stats.budgets[0].remaining_usd == 0  # overcommitted: never negative
    assert stats.budgets[1].remaining_usd == 1
    assert stats.raw is response
    # Every proto field has its counterpart (a field added to the proto fails here).
    for message, result in (
        (pb.ModelStats, model),
        (pb.DeploymentStats, deployment),
        (pb.WindowStats, model.recent),
        (pb.BudgetStatus, stats.budgets[0]),
        (pb.CacheStats, stats.cache),
        (pb.TenantStats, stats.tenants[0]),
        (pb.StatsResponse, stats),
    ):
        missing = [f.name for f in message.DESCRIPTOR.fields if not hasattr(result, f.name)]
        assert missing == [], f"{message.DESCRIPTOR.name}: {missing}"


def test_empty_stats() -> None:
    stats = _convert.stats(pb.StatsResponse(models=[pb.ModelStats(model="m")]))
    assert stats.totals_since is None and stats.budgets == ()
    assert stats.models[0].recent == WindowStats()


def test_every_result_covers_its_message() -> None:
    pairs = [
        (pb.Decision, _convert.decision(pb.Decision())),
        (pb.ScoredModel, _convert.scored_model(pb.ScoredModel())),
        (pb.Rejection, _convert.rejection(pb.Rejection())),
        (pb.Usage, _convert.usage(pb.Usage())),
        (pb.Attempt, _convert.attempt(pb.Attempt())),
        (pb.InvokeResponse, _convert.completion(pb.InvokeResponse())),
        (pb.ToolCall, _convert.tool_call(pb.ToolCall())),
        (pb.ToolCallDelta, _convert.tool_call_delta(pb.ToolCallDelta())),
        (pb.ModelInfo, _convert.model_info(pb.ModelInfo())),
        (pb.DeploymentInfo, _convert.deployment_info(pb.DeploymentInfo())),
        (pb.ListModelsResponse, _convert.model_list(pb.ListModelsResponse())),
    ]
    for message, result in pairs:
        missing = [f.name for f in message.DESCRIPTOR.fields if not hasattr(result, f.name)]
        assert missing == [], f"{message.DESCRIPTOR.name}: {missing}"
