"""Budgets: a call that would pass a limit gets RESOURCE_EXHAUSTED
BUDGET_EXCEEDED; concurrent calls cannot overshoot together, in one server or
across two sharing Redis; selection keeps spent models out (OVER_BUDGET)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import RedisServer, details_of, need_redis_server, server_process, serving

NANO = 1_000_000_000
N = 20
# Each call writes 40 characters = 10 tokens and asks for at most 10, at $1,000 per
# million output tokens and nothing for input: $0.01 a call, reserved and spent alike.
PER_CALL = 0.01
MODELS = """
models:
  - id: metered
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 0, output_per_mtok: 1000}
    quality: {default: 0.9}
    simulate: {ttft_ms: 30, tokens_per_s: 100000, reply: "REPLY"}
  - id: free
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 0, output_per_mtok: 0}
    quality: {default: 0.4}
    simulate: {ttft_ms: 1, tokens_per_s: 100000}
""".replace("REPLY", "y" * 40)
BUDGET = f"budgets: {{models: {{metered: {{daily_usd: {N * PER_CALL + 1e-6}}}}}}}\n"
CONFIG = "cache: {default_policy: never}\n" + BUDGET + MODELS


def call(i: int) -> pb.InvokeRequest:
    return pb.InvokeRequest(
        model="metered", messages=[pb.ChatMessage(role="user", content=f"call {i}")], max_output_tokens=10
    )


async def storm(
    stub: pb_grpc.RouterServiceStub, calls: range
) -> tuple[list[pb.InvokeResponse], list[grpc.aio.AioRpcError]]:
    results = await asyncio.gather(*(stub.Invoke(call(i), timeout=30) for i in calls), return_exceptions=True)
    ok = [r for r in results if isinstance(r, pb.InvokeResponse)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(ok) + len(refused) == len(calls), [
        r for r in results if not isinstance(r, pb.InvokeResponse | grpc.aio.AioRpcError)
    ]
    return ok, refused


def budget_of(stats: pb.StatsResponse) -> pb.BudgetStatus:
    (budget,) = [b for b in stats.budgets if b.scope == "metered"]
    return budget


def assert_refused_for_the_budget(refused: list[grpc.aio.AioRpcError]) -> None:
    for err in refused:
        assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, err
        details = details_of(err)
        assert details.reason == "BUDGET_EXCEEDED"
        assert details.metadata["budget"] == "metered/day"
        assert "daily budget" in (err.details() or "")


async def test_200_concurrent_calls_cannot_overshoot_the_budget() -> None:
    async with serving(CONFIG) as served:
        ok, refused = await storm(served.stub, range(200))
        assert len(ok) == N  # every reservation was exact, so exactly N fit
        assert_refused_for_the_budget(refused)
        stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
        budget = budget_of(stats)
        spent = sum(round(r.usage.cost_usd * NANO) for r in ok)
        assert round(budget.spent_usd * NANO) == spent <= round(budget.limit_usd * NANO)
        assert budget.reserved_usd == 0 and budget.period == "day"
        assert budget.resets_at.seconds > 0
        metered = next(m for m in stats.models if m.model == "metered")
        assert metered.requests == N  # a refused call sends nothing


async def test_a_spent_model_is_kept_out_of_selection_whatever_the_strategy() -> None:
    async with serving(CONFIG) as served:
        stub = served.stub
        chosen = await stub.Select(pb.SelectRequest(strategy="task_based"), timeout=10)
        assert chosen.decision.model == "metered"  # and cached for a second
        await storm(stub, range(N + 1))
        for strategy in ("task_based", "weighted", "performance", "cost_aware"):
            reply = await stub.Select(pb.SelectRequest(strategy=strategy), timeout=10)
            rejected = {r.model: r for r in reply.decision.rejected}
            assert reply.decision.model == "free"
            assert rejected["metered"].reason == "OVER_BUDGET"
            assert "daily budget" in rejected["metered"].detail
        # Only the budget keeps metered out of this one: it is the caller's to know.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Select(
                pb.SelectRequest(requirements=pb.Requirements(include_models=["metered"])), timeout=10
            )
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert details_of(caught.value).reason == "BUDGET_EXCEEDED"
        # An Invoke by selection falls back to the model that can pay.
        reply = await stub.Invoke(
            pb.InvokeRequest(messages=[pb.ChatMessage(role="user", content="hi")]), timeout=10
        )
        assert reply.model == "free"


def test_two_replicas_sharing_redis_share_the_budget(tmp_path: Path) -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        path = tmp_path / "shared.yaml"
        path.write_text(
            f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: {prefix},"
            " flush_interval_s: 0.1}\n"
            f"cache: {{backend: redis, redis_url: '{redis.url}', default_policy: deterministic}}\n"
            + BUDGET
            + MODELS
        )
        with server_process(path) as first, server_process(path) as second:

            async def both() -> tuple[int, list[grpc.aio.AioRpcError], pb.StatsResponse]:
                async with (
                    grpc.aio.insecure_channel(first.address) as a,
                    grpc.aio.insecure_channel(second.address) as b,
                ):
                    stub_a, stub_b = pb_grpc.RouterServiceStub(a), pb_grpc.RouterServiceStub(b)
                    (ok_a, refused_a), (ok_b, refused_b) = await asyncio.gather(
                        storm(stub_a, range(100)), storm(stub_b, range(100, 200))
                    )
                    await asyncio.sleep(0.3)  # a flush
                    return (
                        len(ok_a) + len(ok_b),
                        refused_a + refused_b,
                        await stub_a.Stats(pb.StatsRequest(), timeout=10),
                    )

            succeeded, refused, stats = asyncio.run(both())
            assert succeeded == N
            assert_refused_for_the_budget(refused)
            budget = budget_of(stats)
            assert (
                round(budget.spent_usd * NANO) == N * round(PER_CALL * NANO) <= round(budget.limit_usd * NANO)
            )
            assert budget.reserved_usd == 0
            # Usage totals are shared too: replica A reports both replicas' calls.
            metered = next(m for m in stats.models if m.model == "metered")
            assert metered.requests == N
            # And so is the response cache: B answers what A was asked first.
            asked = pb.InvokeRequest(
                model="free", messages=[pb.ChatMessage(role="user", content="shared")], temperature=0
            )
            with grpc.insecure_channel(first.address) as a, grpc.insecure_channel(second.address) as b:
                assert not pb_grpc.RouterServiceStub(a).Invoke(asked, timeout=10).cache_hit
                assert pb_grpc.RouterServiceStub(b).Invoke(asked, timeout=10).cache_hit
    finally:
        redis.stop()


async def test_a_budget_store_that_goes_away_refuses_budgeted_calls_and_nothing_else() -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        config = (
            f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: outage, flush_interval_s: 0.05}}\n"
            + CONFIG
        )
        async with serving(config) as served:
            stub = served.stub
            assert (await stub.Invoke(call(0), timeout=10)).model == "metered"
            redis.stop()
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.Invoke(call(1), timeout=10)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
            assert details_of(caught.value).metadata["attempts"] == "metered/default=BUDGET_UNAVAILABLE"
            free = pb.InvokeRequest(
                model="free", messages=[pb.ChatMessage(role="user", content="still here")]
            )
            assert (await stub.Invoke(free, timeout=10)).model == "free"  # no budget on it: served
            during = await stub.Stats(pb.StatsRequest(), timeout=10)  # still answers, from this process
            assert {m.model: m.requests for m in during.models} == {"metered": 1, "free": 1}
            redis.start()  # an empty Redis on the same port
            await asyncio.sleep(0.3)
            assert (await stub.Invoke(call(2), timeout=10)).model == "metered"
            after = await stub.Stats(pb.StatsRequest(), timeout=10)
            # What was recorded while Redis was away was kept and flushed once it came back.
            assert {m.model: m.requests for m in after.models} == {"metered": 2, "free": 1}
    finally:
        redis.stop()


async def test_a_stream_the_caller_abandons_is_charged_what_it_received() -> None:
    """A stream cut after text arrived is charged the output actually received
    (here one 4-character token of the 10 the call reserved), never the reserved
    maximum: a caller cannot burn a shared budget by cancelling. Stats counts the
    call, with the same cost."""
    slow = MODELS.replace(
        "simulate: {ttft_ms: 30, tokens_per_s: 100000", "simulate: {ttft_ms: 1, tokens_per_s: 20"
    )
    async with serving("cache: {default_policy: never}\n" + BUDGET + slow) as served:
        stream = served.stub.InvokeStream(
            pb.InvokeStreamRequest(
                model="metered", messages=[pb.ChatMessage(role="user", content="x")], max_output_tokens=10
            ),
            timeout=30,
        )
        async for item in stream:
            assert item.delta == "yyyy"
            break
        stream.cancel()
        for _ in range(100):
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
            budget = budget_of(stats)
            if budget.spent_usd:
                break
            await asyncio.sleep(0.02)
        # At 20 tokens/s the second token is 50 ms away: one token was received
        # when the cancellation arrived (two at most on a stalled machine).
        spent = round(budget.spent_usd * NANO)
        assert spent in (round(PER_CALL * NANO / 10), round(2 * PER_CALL * NANO / 10))
        assert budget.reserved_usd == 0
        metered = next(m for m in stats.models if m.model == "metered")
        assert (metered.requests, metered.failures_by_reason["CANCELLED"]) == (1, 1)
        assert round(metered.cost_usd * NANO) == spent
        assert metered.output_tokens == spent // round(PER_CALL * NANO / 10)
