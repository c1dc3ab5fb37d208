"""One test per kind of suggestion, each from figures a test produced, and none
from a healthy, quiet run."""

from __future__ import annotations

import asyncio
import contextlib

import grpc

from modelrouter_client._proto import router_pb2 as pb
from tests.support import serving

QUIET_HEALTH = "health: {check_interval_s: 0, failure_threshold: 1000, window: 1000, error_rate: 1.0}\n"


def user(text: str) -> list[pb.ChatMessage]:
    return [pb.ChatMessage(role="user", content=text)]


async def suggestions(stub: object) -> list[str]:
    reply = await stub.Stats(pb.StatsRequest(), timeout=10)  # type: ignore[attr-defined]
    return list(reply.suggestions)


async def test_a_healthy_quiet_run_gives_none() -> None:
    async with serving() as served:
        for i in range(10):
            await served.stub.Invoke(pb.InvokeRequest(messages=user(f"hello {i}")), timeout=10)
        assert await suggestions(served.stub) == []


async def test_a_model_failing_often() -> None:
    config = (
        QUIET_HEALTH
        + """
server: {max_attempts_per_model: 1}
models:
  - {id: shaky, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}, simulate: {ttft_ms: 1, tokens_per_s: 100000, failure_rate: 0.5}}
"""
    )
    async with serving(config) as served:
        for i in range(40):
            with contextlib.suppress(grpc.aio.AioRpcError):
                await served.stub.Invoke(pb.InvokeRequest(model="shaky", messages=user(f"q{i}")), timeout=10)
        (advice,) = await suggestions(served.stub)
        assert advice.startswith("model shaky failed ")
        assert "calls" in advice and "UNAVAILABLE" in advice and "last 5 min" in advice


async def test_a_cheaper_model_that_met_the_same_requirements() -> None:
    config = """
models:
  - {id: premium, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 10, output_per_mtok: 30},
     quality: {default: 0.9}, simulate: {ttft_ms: 1, tokens_per_s: 100000}}
  - {id: thrifty, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 3},
     quality: {default: 0.8}, simulate: {ttft_ms: 1, tokens_per_s: 100000}}
"""
    async with serving(config) as served:
        for i in range(25):
            reply = await served.stub.Select(
                pb.SelectRequest(
                    strategy="task_based", requirements=pb.Requirements(expected_input_tokens=100 + i)
                ),
                timeout=10,
            )
            assert reply.decision.model == "premium"
        (advice,) = await suggestions(served.stub)
        assert advice.startswith(
            "model thrifty met the requirements of 25 of the 25 selections that chose premium"
        )
        assert "90% less per call" in advice


async def test_a_cache_with_a_low_hit_rate() -> None:
    config = """
cache: {default_policy: always}
models:
  - {id: echo, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}, simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
"""
    async with serving(config) as served:
        for i in range(110):
            await served.stub.Invoke(
                pb.InvokeRequest(model="echo", messages=user(f"never the same {i}")), timeout=10
            )
        await served.stub.Invoke(
            pb.InvokeRequest(model="echo", messages=user("never the same 0")), timeout=10
        )
        (advice,) = await suggestions(served.stub)
        assert advice.startswith("the response cache answered 1 of 111 lookups (1%)")


async def test_a_deployment_always_saturated() -> None:
    config = (
        QUIET_HEALTH
        + """
server: {retry_backoff_s: 0.001, retry_backoff_max_s: 0.002}
models:
  - {id: narrow, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}, max_concurrency: 1, simulate: {ttft_ms: 30, tokens_per_s: 1000000}}
"""
    )
    async with serving(config) as served:
        for wave in range(2):
            await asyncio.gather(
                *(
                    served.stub.Invoke(
                        pb.InvokeRequest(model="narrow", messages=user(f"{wave}-{i}")), timeout=10
                    )
                    for i in range(20)
                ),
                return_exceptions=True,
            )
        stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
        assert stats.models[0].deployments[0].saturation >= 0.9
        (advice,) = stats.suggestions
        assert advice.startswith("deployment narrow/default was at its max_concurrency of 1 for ")
        assert "refused" in advice
