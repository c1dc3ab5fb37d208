"""Calls still running when the shutdown grace ends: each is answered UNAVAILABLE
with an ErrorInfo `SHUTTING_DOWN` (not gRPC's bare "Cancelling all calls"),
counted in Stats as SHUTTING_DOWN, charged what it used, and the count and the
spend survive the restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import details_of, server_process

NANO = 1_000_000_000
STREAMS = 20
UNARY = 5
# Each stream would take 10 s (40 tokens at 4 a second): far past the 1 s grace.
CONFIG = """
server: {shutdown_grace_s: 1}
cache: {default_policy: never}
usage: {store: sqlite, path: "PATH", flush_interval_s: 3600}
budgets: {overall: {daily_usd: 100}}
models:
  - id: slow
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 100, output_per_mtok: 200}
    quality: {default: 0.8}
    simulate: {ttft_ms: 1, tokens_per_s: 4, reply: "REPLY"}
""".replace("REPLY", "z" * 160)


async def _stream_until_cut(address: str, started: asyncio.Event, count: list[int]) -> grpc.aio.AioRpcError:
    async with grpc.aio.insecure_channel(address) as channel:
        call = pb_grpc.RouterServiceStub(channel).InvokeStream(
            pb.InvokeStreamRequest(model="slow", messages=[pb.ChatMessage(role="user", content="go")]),
            timeout=60,
        )
        first = True
        try:
            async for message in call:
                assert message.delta
                if first:
                    first = False
                    count[0] += 1
                    if count[0] == STREAMS:
                        started.set()
        except grpc.aio.AioRpcError as err:
            return err
    raise AssertionError("the stream ended OK although the shutdown cut it")


async def _invoke_until_cut(address: str) -> grpc.aio.AioRpcError:
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            await pb_grpc.RouterServiceStub(channel).Invoke(
                pb.InvokeRequest(model="slow", messages=[pb.ChatMessage(role="user", content="go")]),
                timeout=60,
            )
        except grpc.aio.AioRpcError as err:
            return err
    raise AssertionError("the call ended OK although the shutdown cut it")


async def _all_in_flight(address: str, calls: int) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = pb_grpc.RouterServiceStub(channel)
        while (await stub.Stats(pb.StatsRequest(), timeout=10)).models[0].in_flight < calls:
            await asyncio.sleep(0.02)


async def test_calls_cut_by_the_shutdown_are_answered_counted_and_kept(tmp_path: Path) -> None:
    config = tmp_path / "router.yaml"
    config.write_text(CONFIG.replace("PATH", str(tmp_path / "usage.sqlite")))
    with server_process(config) as server:
        started = asyncio.Event()
        count = [0]
        streams = [
            asyncio.create_task(_stream_until_cut(server.address, started, count)) for _ in range(STREAMS)
        ]
        unary = [asyncio.create_task(_invoke_until_cut(server.address)) for _ in range(UNARY)]
        await asyncio.wait_for(started.wait(), 30)  # every stream has text by now
        # The unary calls show no sign of life to their caller: wait until the server
        # holds every call, or one not yet admitted is refused at the stop instead.
        await asyncio.wait_for(_all_in_flight(server.address, STREAMS + UNARY), 30)
        loop = asyncio.get_running_loop()
        stopping = loop.run_in_executor(None, server.stop)
        errors = await asyncio.gather(*streams, *unary)
        code, log = await stopping
    assert code == 0, log
    for err in errors:
        details = details_of(err)
        assert (err.code(), details.reason) == (grpc.StatusCode.UNAVAILABLE, "SHUTTING_DOWN")
    with server_process(config) as again, grpc.insecure_channel(again.address) as channel:
        stats = pb_grpc.RouterServiceStub(channel).Stats(pb.StatsRequest(), timeout=10)
    (model,) = stats.models
    cut = STREAMS + UNARY
    assert (model.requests, dict(model.failures_by_reason)) == (cut, {"SHUTTING_DOWN": cut})
    # Charged what was used: the input, and the output received, never the bound.
    assert model.output_tokens >= STREAMS and model.input_tokens > 0
    (budget,) = stats.budgets
    assert round(budget.spent_usd * NANO) == round(model.cost_usd * NANO) > 0
