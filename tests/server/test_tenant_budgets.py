"""Tenant budgets (`tenants.<t>.budgets`): a tenant's calls reserve under its own
limits on top of the global ones, so a tenant cannot overshoot its budget, even
with concurrent calls or across replicas sharing Redis; once its budget is spent
its calls are refused RESOURCE_EXHAUSTED BUDGET_EXCEEDED naming its limit, while
other tenants' calls on the same models go on; its spend survives a restart."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import grpc
import pytest

from modelrouter.budgets.books import LocalBook, RedisBook, SpendBook
from modelrouter.budgets.ledger import Ledger
from modelrouter.budgets.limits import limits_of
from modelrouter.config.load import parse_config
from modelrouter.errors import BudgetExceeded
from modelrouter.live import LiveState
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import RedisServer, details_of, need_redis_server, server_process, serving

NANO = 1_000_000_000
N = 20
# Each call writes 40 characters = 10 tokens and asks for at most 10, at $1,000 per
# million output tokens and nothing for input: $0.01 a call, reserved and spent alike.
PER_CALL = 0.01
KEYS = {"A_KEY": "sk-team-a-0123456789", "B_KEY": "sk-team-b-0123456789", "OPS_KEY": "sk-ops-0123456789"}
# Team A may spend N calls a day (and a hair more); team B has a budget too, of its
# own; everyone together has a global one far above both.
CONFIG = f"""
cache: {{default_policy: never}}
budgets: {{overall: {{daily_usd: 100}}}}
tenants:
  team-a: {{budgets: {{daily_usd: {N * PER_CALL + 1e-6}}}}}
  team-b: {{budgets: {{daily_usd: 1}}}}
  ops: {{}}
auth:
  api_keys:
    - {{id: a, tenant: team-a, roles: [invoke], key_env: A_KEY}}
    - {{id: b, tenant: team-b, roles: [invoke], key_env: B_KEY}}
    - {{id: ops, tenant: ops, roles: [admin], key_env: OPS_KEY}}
models:
  - id: metered
    provider: simulated
    context_window: 8000
    pricing: {{input_per_mtok: 0, output_per_mtok: 1000}}
    quality: {{default: 0.9}}
    simulate: {{ttft_ms: 30, tokens_per_s: 100000, reply: "{"y" * 40}"}}
  - id: dear
    provider: simulated
    context_window: 8000
    pricing: {{input_per_mtok: 0, output_per_mtok: 2000}}
    quality: {{default: 0.5}}
    simulate: {{ttft_ms: 1, tokens_per_s: 100000, reply: "{"y" * 40}"}}
"""
A_LIMIT = "tenant:team-a/day"


def as_(key: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {KEYS[key]}"),)


def call(i: int, model: str = "metered") -> pb.InvokeRequest:
    return pb.InvokeRequest(
        model=model, messages=[pb.ChatMessage(role="user", content=f"call {i}")], max_output_tokens=10
    )


async def storm(
    stub: pb_grpc.RouterServiceStub, calls: range, key: str = "A_KEY"
) -> tuple[list[pb.InvokeResponse], list[grpc.aio.AioRpcError]]:
    results = await asyncio.gather(
        *(stub.Invoke(call(i), metadata=as_(key), timeout=30) for i in calls), return_exceptions=True
    )
    ok = [r for r in results if isinstance(r, pb.InvokeResponse)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(ok) + len(refused) == len(calls), [
        r for r in results if not isinstance(r, pb.InvokeResponse | grpc.aio.AioRpcError)
    ]
    return ok, refused


def assert_refused_by_a_budget(err: grpc.aio.AioRpcError) -> dict[str, str]:
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, err
    details = details_of(err)
    assert details.reason == "BUDGET_EXCEEDED"
    assert (details.metadata["budget"], details.metadata["tenant"]) == (A_LIMIT, "team-a")
    assert "tenant team-a's daily budget" in details.message
    return details.metadata


def budgets_of(stats: pb.StatsResponse) -> dict[tuple[str, str], pb.BudgetStatus]:
    """Today's budgets by (tenant, scope)."""
    return {(b.tenant, b.scope): b for b in stats.budgets if b.period == "day"}


def nusd(usd: float) -> int:
    return round(usd * NANO)


async def test_a_tenant_spends_its_own_budget_and_no_one_elses() -> None:
    async with serving(parse_config(CONFIG, "<test>", env=KEYS)) as served:
        stub = served.stub
        ok, refused = await storm(stub, range(200))
        assert len(ok) == N  # every reservation was exact, so exactly N fit
        for err in refused:
            assert_refused_by_a_budget(err)
        stats = await stub.Stats(pb.StatsRequest(), metadata=as_("OPS_KEY"), timeout=10)
        budgets = budgets_of(stats)
        mine = budgets[("team-a", "*")]  # over every model, for team-a alone
        spent = sum(nusd(r.usage.cost_usd) for r in ok)
        assert nusd(mine.spent_usd) == spent == N * nusd(PER_CALL) <= nusd(mine.limit_usd)
        assert mine.reserved_usd == 0 and mine.resets_at.seconds > 0
        assert nusd(budgets[("", "*")].spent_usd) == spent  # the global budget counts it too
        assert budgets[("team-b", "*")].spent_usd == 0  # A's calls spent none of B's

        # Spent now: A is refused at once, whatever it asks, before any model is tried.
        async def stream() -> None:
            request = pb.InvokeStreamRequest(model="metered", messages=call(0).messages)
            async for _ in stub.InvokeStream(request, metadata=as_("A_KEY"), timeout=10):
                pass

        for attempt in (
            stub.Invoke(call(0), metadata=as_("A_KEY"), timeout=10),
            stub.Invoke(pb.InvokeRequest(messages=call(0).messages), metadata=as_("A_KEY"), timeout=10),
            stub.Select(pb.SelectRequest(), metadata=as_("A_KEY"), timeout=10),
            stream(),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await attempt
            metadata = assert_refused_by_a_budget(caught.value)
            assert "model" not in metadata and "attempts" not in metadata  # no model was tried
        # B's calls on the same model go on, against B's budget and the global one.
        reply = await stub.Invoke(call(1), metadata=as_("B_KEY"), timeout=10)
        assert reply.model == "metered"
        chosen = await stub.Select(pb.SelectRequest(), metadata=as_("B_KEY"), timeout=10)
        assert chosen.decision.model == "metered"  # A's spent budget keeps no model out
        after = budgets_of(await stub.Stats(pb.StatsRequest(), metadata=as_("OPS_KEY"), timeout=10))
        assert nusd(after[("team-b", "*")].spent_usd) == nusd(reply.usage.cost_usd) == nusd(PER_CALL)
        assert nusd(after[("team-a", "*")].spent_usd) == spent
        assert nusd(after[("", "*")].spent_usd) == spent + nusd(PER_CALL)


def write_config(path: Path, usage: str) -> Path:
    path.write_text(f"usage: {usage}\n" + CONFIG)
    return path


def test_two_replicas_sharing_redis_share_a_tenants_budget(tmp_path: Path) -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        path = write_config(
            tmp_path / "shared.yaml",
            f"{{store: redis, redis_url: '{redis.url}', key_prefix: {prefix}, flush_interval_s: 0.1}}",
        )
        with server_process(path, KEYS) as first, server_process(path, KEYS) as second:

            async def both() -> tuple[int, list[grpc.aio.AioRpcError], pb.InvokeResponse, pb.StatsResponse]:
                async with (
                    grpc.aio.insecure_channel(first.address) as a,
                    grpc.aio.insecure_channel(second.address) as b,
                ):
                    stub_a, stub_b = pb_grpc.RouterServiceStub(a), pb_grpc.RouterServiceStub(b)
                    (ok_a, refused_a), (ok_b, refused_b) = await asyncio.gather(
                        storm(stub_a, range(100)), storm(stub_b, range(100, 200))
                    )
                    # Team B, on the replica that refused A last or not, is served.
                    b_reply = await stub_b.Invoke(call(0), metadata=as_("B_KEY"), timeout=10)
                    stats = await stub_a.Stats(pb.StatsRequest(), metadata=as_("OPS_KEY"), timeout=10)
                    return len(ok_a) + len(ok_b), refused_a + refused_b, b_reply, stats

            succeeded, refused, b_reply, stats = asyncio.run(both())
        assert succeeded == N
        for err in refused:
            assert_refused_by_a_budget(err)
        assert b_reply.model == "metered"
        budgets = budgets_of(stats)
        mine = budgets[("team-a", "*")]
        assert nusd(mine.spent_usd) == N * nusd(PER_CALL) <= nusd(mine.limit_usd)
        assert mine.reserved_usd == 0
        assert nusd(budgets[("team-b", "*")].spent_usd) == nusd(PER_CALL)
        assert nusd(budgets[("", "*")].spent_usd) == (N + 1) * nusd(PER_CALL)
    finally:
        redis.stop()


def test_a_tenants_spend_survives_a_restart_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "usage.sqlite"
    # A flush interval far longer than the test: only the flush at SIGTERM saves.
    path = write_config(tmp_path / "sqlite.yaml", f"{{store: sqlite, path: '{db}', flush_interval_s: 3600}}")

    async def spend(address: str) -> list[pb.InvokeResponse]:
        async with grpc.aio.insecure_channel(address) as channel:
            ok, refused = await storm(pb_grpc.RouterServiceStub(channel), range(N + 5))
            for err in refused:
                assert_refused_by_a_budget(err)
            return ok

    async def after_restart(address: str) -> tuple[grpc.aio.AioRpcError, pb.InvokeResponse, pb.StatsResponse]:
        async with grpc.aio.insecure_channel(address) as channel:
            stub = pb_grpc.RouterServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.Invoke(call(0), metadata=as_("A_KEY"), timeout=10)
            b_reply = await stub.Invoke(call(1), metadata=as_("B_KEY"), timeout=10)
            stats = await stub.Stats(pb.StatsRequest(), metadata=as_("OPS_KEY"), timeout=10)
            return caught.value, b_reply, stats

    with server_process(path, KEYS) as first:
        ok = asyncio.run(spend(first.address))
        code, err = first.stop()
        assert code == 0, err
    assert len(ok) == N
    with server_process(path, KEYS) as second:
        refusal, b_reply, stats = asyncio.run(after_restart(second.address))
    assert_refused_by_a_budget(refusal)  # still spent
    assert b_reply.model == "metered"
    budgets = budgets_of(stats)
    assert nusd(budgets[("team-a", "*")].spent_usd) == sum(nusd(r.usage.cost_usd) for r in ok)
    assert nusd(budgets[("team-b", "*")].spent_usd) == nusd(PER_CALL)
    assert nusd(budgets[("", "*")].spent_usd) == (N + 1) * nusd(PER_CALL)


@pytest.mark.parametrize("store", ["local", "redis"])
async def test_a_tenant_named_like_a_model_keeps_its_spend_apart(store: str) -> None:
    """Tenant names and model ids share one spelling: a tenant called "metered"
    and the model "metered" still keep their spend apart, in either book."""
    text = CONFIG.replace("team-a", "metered").replace(
        "budgets: {overall: {daily_usd: 100}}", "budgets: {models: {metered: {daily_usd: 1}}}"
    )
    config = parse_config(text, "<test>", env=KEYS)
    redis = RedisServer()
    if store == "redis":
        need_redis_server()
        redis.start()
    try:
        book: SpendBook = (
            LocalBook() if store == "local" else RedisBook(redis.url, f"t-{uuid.uuid4().hex[:8]}")
        )
        limits = limits_of(config.budgets, config.tenant_budgets)
        ledger = Ledger(limits, book, LiveState(config.models), time.time)
        assert not ledger.applies("dear") and ledger.applies("dear", "metered")
        await ledger.settle(await ledger.reserve("dear", 50, tenant="metered"), 40)  # the tenant's only
        await ledger.settle(await ledger.reserve("metered", 7), 7)  # the model's only
        spent = {(v.tenant, v.limit.scope): v.spent_nusd for v in await ledger.views()}
        assert spent == {("", "metered"): 7, ("metered", "*"): 40, ("team-b", "*"): 0}
        with pytest.raises(BudgetExceeded) as caught:  # 40 spent, and its whole limit asked
            await ledger.reserve("metered", nusd(N * PER_CALL + 1e-6), tenant="metered")
        assert (caught.value.metadata["budget"], caught.value.metadata["tenant"]) == (
            "tenant:metered/day",
            "metered",
        )
        await book.close()
    finally:
        redis.stop()
