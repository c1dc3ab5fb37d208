"""Deployment health: the circuit breaker's states, and active health checks that
take a dead upstream out of rotation and bring it back when it recovers, with the
selection cache forgetting at once and the gRPC health service following."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
import pytest
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc

from modelrouter.circuit import CircuitBreaker, CircuitPolicy, State
from modelrouter.providers.base import Outcome
from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, serving


def breaker(**policy: float) -> tuple[CircuitBreaker, list[float], list[tuple[State, State]]]:
    now = [0.0]
    changes: list[tuple[State, State]] = []
    b = CircuitBreaker(CircuitPolicy(**policy), lambda: now[0], lambda a, b, why: changes.append((a, b)))  # type: ignore[arg-type]
    return b, now, changes


def test_the_circuit_opens_refuses_half_opens_and_closes() -> None:
    b, now, changes = breaker(failure_threshold=3, cooldown_s=10)
    for _ in range(2):
        assert b.allow()
        b.record(Outcome.UNAVAILABLE)
    assert b.state is State.CLOSED
    b.record(Outcome.TIMEOUT)
    assert b.state is State.OPEN and not b.allow()
    now[0] = 9.9
    assert not b.allow()
    now[0] = 10.0
    assert b.allow() and b.state is State.HALF_OPEN
    assert not b.allow()  # one probe at a time
    b.record(Outcome.UNAVAILABLE)  # the probe failed: open for another cooldown
    assert b.state is State.OPEN and not b.allow()
    now[0] = 20.0
    assert b.allow()
    b.record(Outcome.OK)
    assert b.state is State.CLOSED and b.allow()
    assert changes == [
        (State.CLOSED, State.OPEN),
        (State.OPEN, State.HALF_OPEN),
        (State.HALF_OPEN, State.OPEN),
        (State.OPEN, State.HALF_OPEN),
        (State.HALF_OPEN, State.CLOSED),
    ]


def test_the_error_rate_opens_it_too_and_request_faults_do_not_count() -> None:
    b, _, _ = breaker(failure_threshold=100, error_rate=0.5, window=10)
    for i in range(11):  # of the last ten, five failed; the rate is checked on a failure
        b.record(Outcome.OK if i % 2 else Outcome.UNAVAILABLE)
    assert b.state is State.OPEN
    c, _, _ = breaker(failure_threshold=2)
    for outcome in (Outcome.RATE_LIMITED, Outcome.REJECTED, Outcome.CONTEXT_TOO_LONG, Outcome.OVERLOADED) * 3:
        c.record(outcome)
    assert c.state is State.CLOSED


class Upstream:
    """An OpenAI-compatible server that can really go away and come back on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        if not self.port:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "up"}]})

    async def _complete(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 1},
            }
        )


@asynccontextmanager
async def upstream_and_router(with_local: bool = True) -> AsyncIterator[tuple[Upstream, Served]]:
    up = Upstream()
    await up.start()
    local = """
  - {id: local, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5}}"""
    extra = local if with_local else ""
    config = f"""
health: {{check_interval_s: 0.05, check_timeout_s: 0.5, failure_threshold: 2, cooldown_s: 0.2}}
models:
  - {{id: remote, provider: openai, base_url: "http://127.0.0.1:{up.port}/v1",
     context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.9}}}}{extra}
"""
    try:
        async with serving(config) as served:
            served.running.router.health.start()
            yield up, served
    finally:
        await up.stop()


async def wait_for(predicate: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


async def select(served: Served) -> pb.Decision:
    reply = await served.stub.Select(pb.SelectRequest(strategy="task_based"), timeout=5)
    return reply.decision


async def test_a_dead_upstream_leaves_rotation_and_a_recovered_one_returns() -> None:
    async with upstream_and_router() as (up, served):
        assert (await select(served)).model == "remote"
        assert (await select(served)).from_cache  # cached while nothing changes
        live = served.running.router.live
        await up.stop()  # the upstream dies: probes fail, the circuit opens
        await wait_for(lambda: live.models["remote"].health.name == "UNHEALTHY")
        decision = await select(served)
        assert decision.model == "local" and not decision.from_cache  # the cache forgot at once
        assert [(r.model, r.reason) for r in decision.rejected] == [("remote", "UNHEALTHY")]
        listed = await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
        assert {m.id: m.health for m in listed.models}["remote"] == pb.HEALTH_STATE_UNHEALTHY
        await up.start()  # it comes back: after the cooldown a probe closes the circuit
        await wait_for(lambda: live.models["remote"].health.name == "HEALTHY")
        decision = await select(served)
        assert decision.model == "remote" and not decision.from_cache
        assert "circuit" in served.log.getvalue()  # transitions are logged


async def test_calls_to_an_open_circuit_are_refused_and_fall_back() -> None:
    async with upstream_and_router() as (up, served):
        await up.stop()
        request = pb.InvokeRequest(model="remote", messages=[pb.ChatMessage(role="user", content="x")])
        for _ in range(2):  # two real failures open the circuit
            with pytest.raises(grpc.aio.AioRpcError):
                await served.stub.Invoke(request, timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(request, timeout=5)
        assert "CIRCUIT_OPEN" in dict(caught.value.trailing_metadata() or ()).get(
            "grpc-status-details-bin", b""
        ).decode("latin-1")
        stats = await served.stub.Stats(pb.StatsRequest(models=["remote"]), timeout=5)
        # The refused call was never sent: requests count only calls that were.
        assert stats.models[0].requests == stats.models[0].failures


async def test_the_grpc_health_service_follows_the_models() -> None:
    async with upstream_and_router(with_local=False) as (up, served):
        stub = health_pb2_grpc.HealthStub(served.channel)
        service = health_pb2.HealthCheckRequest(service="modelrouter.v1.RouterService")

        async def status() -> int:
            return int((await stub.Check(service, timeout=5)).status)

        assert await status() == health_pb2.HealthCheckResponse.SERVING
        await up.stop()  # the only model's upstream dies
        for _ in range(250):
            if await status() == health_pb2.HealthCheckResponse.NOT_SERVING:
                break
            await asyncio.sleep(0.02)
        assert await status() == health_pb2.HealthCheckResponse.NOT_SERVING
        await up.start()
        for _ in range(250):
            if await status() == health_pb2.HealthCheckResponse.SERVING:
                break
            await asyncio.sleep(0.02)
        assert await status() == health_pb2.HealthCheckResponse.SERVING
