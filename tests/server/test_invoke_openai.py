"""Invoke and InvokeStream through the router to a real HTTP server speaking the
OpenAI chat completions API (as OpenAI, vLLM, Ollama and llama.cpp do), with
scripted faults: the right attempts, the right fallback, the right final status."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio

from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_openai import (
    CONTEXT_REFUSAL,
    CutStream,
    FakeOpenAI,
    Malformed,
    Reply,
    Reset,
    Status,
)
from tests.support import Served, details_of, serving

USER = [pb.ChatMessage(role="user", content="hello")]


def config(base_url: str) -> str:
    # `small` is preferred (higher quality) but has the smaller context; `large`
    # is the one a context refusal should fall back to, before `tiny-sim`.
    return f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.005, retry_backoff_max_s: 0.01}}
models:
  - {{id: small, provider: openai, base_url: "{base_url}", upstream_model: fake-model, context_window: 8000,
     timeout_s: 0.5, pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
  - {{id: tiny-sim, provider: simulated, context_window: 4000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.7}},
     simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: "from tiny-sim"}}}}
  - {{id: large, provider: simulated, context_window: 128000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.5}},
     simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: "from large"}}}}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def upstream() -> AsyncIterator[tuple[FakeOpenAI, Served]]:
    async with FakeOpenAI() as fake, serving(config(fake.base_url)) as served:
        yield fake, served


SELECTION = pb.SelectRequest(strategy="task_based")


def outcomes(reply: pb.InvokeResponse) -> list[tuple[str, str]]:
    return [(a.model, a.outcome) for a in reply.attempts]


async def test_an_answer_with_reported_usage(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Reply())
    reply = await served.stub.Invoke(
        pb.InvokeRequest(selection=SELECTION, messages=USER, temperature=0), timeout=10
    )
    assert (reply.model, reply.text, reply.usage.input_tokens, reply.usage.output_tokens) == (
        "small",
        "Hello there, world!",
        12,
        5,
    )
    body = fake.requests[-1].body
    assert (body["model"], body["temperature"], body["messages"]) == (
        "fake-model",
        0,
        [{"role": "user", "content": "hello"}],
    )


async def test_a_malformed_body_is_retried(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Malformed(), Reply())
    reply = await served.stub.Invoke(pb.InvokeRequest(selection=SELECTION, messages=USER), timeout=10)
    assert outcomes(reply) == [("small", "BAD_RESPONSE"), ("small", "OK")]


async def test_a_reset_connection_then_a_500_fall_back(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Reset(), Status(500))
    reply = await served.stub.Invoke(pb.InvokeRequest(selection=SELECTION, messages=USER), timeout=10)
    assert outcomes(reply) == [("small", "UNAVAILABLE"), ("small", "UNAVAILABLE"), ("tiny-sim", "OK")]


async def test_a_context_refusal_falls_back_to_a_larger_context(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Status(400, CONTEXT_REFUSAL))
    reply = await served.stub.Invoke(pb.InvokeRequest(selection=SELECTION, messages=USER), timeout=10)
    # Not retried, and the next model with no larger context (tiny-sim) is skipped.
    assert outcomes(reply) == [("small", "CONTEXT_TOO_LONG"), ("large", "OK")]
    assert reply.text == "from large"


async def test_a_stream_cut_mid_answer_never_ends_ok(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(CutStream(after_chunks=2))
    call = served.stub.InvokeStream(pb.InvokeStreamRequest(selection=SELECTION, messages=USER), timeout=10)
    deltas = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for message in call:
            assert message.WhichOneof("event") == "delta"
            deltas.append(message.delta)
    assert len(deltas) == 2
    err = details_of(caught.value)
    assert (err.code, err.reason) == (grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")


async def test_streaming_is_real_and_cancelling_closes_the_upstream(
    upstream: tuple[FakeOpenAI, Served],
) -> None:
    fake, served = upstream
    hold = asyncio.Event()
    fake.script(Reply(hold_after_first=hold))
    call = served.stub.InvokeStream(pb.InvokeStreamRequest(selection=SELECTION, messages=USER), timeout=10)
    first = await call.read()
    # The upstream is still holding the rest back: the delta came before its last chunk.
    assert first.WhichOneof("event") == "delta" and not fake.requests[-1].completed
    call.cancel()
    received = fake.requests[-1]
    for _ in range(100):
        if received.client_closed:
            break
        await asyncio.sleep(0.02)
    assert received.client_closed and not received.completed
    hold.set()


async def test_a_full_stream_joins_to_done(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Reply())
    call = served.stub.InvokeStream(pb.InvokeStreamRequest(selection=SELECTION, messages=USER), timeout=10)
    messages = [m async for m in call]
    done = messages[-1].done
    assert "".join(m.delta for m in messages[:-1]) == "Hello there, world!" and done.text == ""
    assert (done.usage.input_tokens, done.usage.output_tokens) == (12, 5)
    stats = await served.stub.Stats(pb.StatsRequest(models=["small"]), timeout=10)
    assert (
        stats.models[0].output_tokens >= 5
        and stats.models[0].requests == stats.models[0].successes + stats.models[0].failures
    )
