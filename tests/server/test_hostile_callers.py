"""Callers out to hurt the router, after the lifecycle rebuild: deadlines of a
millisecond, cancellation storms while calls wait for a slot, and streams torn
down mid-answer. Nothing may leak (a gate slot, an in-flight count, a budget
reservation), miscount, or open a circuit."""

from __future__ import annotations

import asyncio
import contextlib

import grpc

from modelrouter.circuit import State
from modelrouter_client._proto import router_pb2 as pb
from tests.server.test_lifecycle_defects import eventually, model_of, stats_reader, user
from tests.support import serving

# One slot and one waiting place: a cancellation storm lands on every stage of an
# attempt (the budget, the wait for a slot, the call, the stream).
CONFIG = """
cache: {default_policy: never}
health: {check_interval_s: 0, failure_threshold: 1}
budgets: {models: {slow: {daily_usd: 1000}}}
models:
  - id: slow
    provider: simulated
    context_window: 8000
    max_concurrency: 1
    pricing: {input_per_mtok: 1, output_per_mtok: 2}
    quality: {default: 0.9}
    simulate: {ttft_ms: 20, tokens_per_s: 50, reply: "REPLY"}
""".replace("REPLY", "w" * 200)


async def test_a_cancellation_storm_leaks_nothing() -> None:
    async with serving(CONFIG) as served:
        stub, read = served.stub, stats_reader(served.stub)

        async def unary(i: int) -> None:
            with contextlib.suppress(grpc.aio.AioRpcError):
                await stub.Invoke(
                    pb.InvokeRequest(model="slow", messages=user(f"u{i}")), timeout=0.001 * (i % 7 + 1)
                )

        async def stream(i: int) -> None:
            call = stub.InvokeStream(pb.InvokeStreamRequest(model="slow", messages=user(f"s{i}")), timeout=30)
            with contextlib.suppress(grpc.aio.AioRpcError):
                async for _ in call:
                    break
            call.cancel()

        # Millisecond deadlines, and streams cancelled at their first delta, or
        # while they still wait for the single slot.
        tasks = [asyncio.ensure_future(unary(i)) for i in range(40)]
        tasks += [asyncio.ensure_future(stream(i)) for i in range(20)]
        await asyncio.sleep(0.05)
        for t in tasks[-10:]:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

        stats = await eventually(read, lambda s: model_of(s, "slow").in_flight == 0)
        slow = model_of(stats, "slow")
        assert slow.in_flight == 0
        assert slow.requests == slow.successes + slow.failures
        assert set(slow.failures_by_reason) <= {"CANCELLED", "DEADLINE_EXCEEDED"}
        (budget,) = stats.budgets
        assert budget.reserved_usd == 0  # every reservation settled
        assert round(budget.spent_usd * 1e9) == round(slow.cost_usd * 1e9)
        # The caller's doing never counts against the deployment.
        assert served.running.router.health.breakers[("slow", "default")].state is State.CLOSED
        # The one slot is free again: a patient call is served.
        reply = await stub.Invoke(pb.InvokeRequest(model="slow", messages=user("after")), timeout=30)
        assert [a.outcome for a in reply.attempts] == ["OK"]
