"""Invoke and InvokeStream through the router to a real HTTP server speaking the
Anthropic Messages API, with scripted faults: the right attempts, the right
fallback, the right final status, nothing lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio

from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_anthropic import Cut, FakeAnthropic, Hang, Reply, Status
from tests.support import Served, details_of, serving

USER = [pb.ChatMessage(role="user", content="hello")]


def config(base_url: str) -> str:
    return f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.005, retry_backoff_max_s: 0.01}}
models:
  - {{id: claude, provider: anthropic, base_url: "{base_url}", upstream_model: claude-test,
     api_key_env: MODELROUTER_TEST_ANTHROPIC_KEY, context_window: 200000, timeout_s: 0.5,
     pricing: {{input_per_mtok: 3, output_per_mtok: 15}}, quality: {{default: 0.9}}}}
  - {{id: backup, provider: simulated, context_window: 200000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.5}},
     simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: "from the backup"}}}}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def upstream(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeAnthropic, Served]]:
    monkeypatch.setenv("MODELROUTER_TEST_ANTHROPIC_KEY", "sk-test")
    async with FakeAnthropic() as fake, serving(config(fake.base_url)) as served:
        yield fake, served


def request() -> pb.InvokeRequest:
    return pb.InvokeRequest(selection=pb.SelectRequest(strategy="task_based"), messages=USER)


def outcomes(reply: pb.InvokeResponse) -> list[tuple[str, str]]:
    return [(a.model, a.outcome) for a in reply.attempts]


async def test_a_healthy_upstream_answers_with_its_usage(upstream: tuple[FakeAnthropic, Served]) -> None:
    fake, served = upstream
    fake.then(Reply())
    reply = await served.stub.Invoke(request(), timeout=10)
    assert (reply.model, reply.text, reply.finish_reason) == ("claude", "Hello, world!", "stop")
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (12, 5)
    assert reply.usage.cost_usd == pytest.approx((12 * 3 + 5 * 15) / 1e6)
    sent = fake.last
    assert sent.body["model"] == "claude-test" and sent.headers["x-api-key"] == "sk-test"


async def test_server_errors_are_retried_then_the_next_model_answers(
    upstream: tuple[FakeAnthropic, Served],
) -> None:
    fake, served = upstream
    fake.then(Status(500), Status(529, "overloaded_error", "Overloaded"))
    reply = await served.stub.Invoke(request(), timeout=10)
    assert outcomes(reply) == [("claude", "UNAVAILABLE"), ("claude", "UNAVAILABLE"), ("backup", "OK")]
    assert "HTTP 500" in reply.attempts[0].error and "HTTP 529" in reply.attempts[1].error
    assert reply.text == "from the backup"


async def test_rate_limits_wait_for_retry_after(upstream: tuple[FakeAnthropic, Served]) -> None:
    fake, served = upstream
    fake.then(Status(429, "rate_limit_error", "slow down", {"Retry-After": "0.2"}), Reply())
    started = time.perf_counter()
    reply = await served.stub.Invoke(request(), timeout=10)
    assert outcomes(reply) == [("claude", "RATE_LIMITED"), ("claude", "OK")]
    assert time.perf_counter() - started >= 0.2


async def test_refused_credentials_are_not_retried(upstream: tuple[FakeAnthropic, Served]) -> None:
    fake, served = upstream
    fake.then(Status(401, "authentication_error", "invalid x-api-key"))
    reply = await served.stub.Invoke(request(), timeout=10)
    assert outcomes(reply) == [("claude", "AUTH_FAILED"), ("backup", "OK")]
    assert len(fake.received) == 1


async def test_a_hung_upstream_times_out_within_the_models_timeout(
    upstream: tuple[FakeAnthropic, Served],
) -> None:
    fake, served = upstream
    fake.then(Hang(), Hang())
    started = time.perf_counter()
    reply = await served.stub.Invoke(request(), timeout=10)
    assert outcomes(reply) == [("claude", "TIMEOUT"), ("claude", "TIMEOUT"), ("backup", "OK")]
    assert 1.0 <= time.perf_counter() - started < 3.0  # two tries of timeout_s 0.5


async def test_when_every_candidate_fails_the_error_lists_the_attempts(
    upstream: tuple[FakeAnthropic, Served],
) -> None:
    fake, served = upstream
    fake.then(Status(500), Status(503))
    only_claude = pb.SelectRequest(
        strategy="task_based", requirements=pb.Requirements(include_models=["claude"])
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await served.stub.Invoke(pb.InvokeRequest(selection=only_claude, messages=USER), timeout=10)
    err = details_of(caught.value)
    assert (err.code, err.reason) == (grpc.StatusCode.UNAVAILABLE, "ALL_CANDIDATES_FAILED")
    assert err.metadata["attempts"] == "claude/default=UNAVAILABLE,claude/default=UNAVAILABLE"


async def test_a_stream_failing_before_its_first_delta_falls_back(
    upstream: tuple[FakeAnthropic, Served],
) -> None:
    fake, served = upstream
    fake.then(Status(500), Status(500))
    call = served.stub.InvokeStream(
        pb.InvokeStreamRequest(selection=request().selection, messages=USER), timeout=10
    )
    messages = [m async for m in call]
    done = messages[-1].done
    assert (done.model, done.text) == ("backup", "")  # the deltas carry the text
    assert "".join(m.delta for m in messages[:-1]) == "from the backup"


async def test_a_stream_cut_after_its_first_delta_ends_with_an_error_never_ok(
    upstream: tuple[FakeAnthropic, Served],
) -> None:
    fake, served = upstream
    fake.then(Cut(after_events=4))
    call = served.stub.InvokeStream(
        pb.InvokeStreamRequest(selection=request().selection, messages=USER), timeout=10
    )
    deltas = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for message in call:
            assert message.WhichOneof("event") == "delta", "no done after a cut"
            deltas.append(message.delta)
    assert deltas, "the cut came after some text"
    err = details_of(caught.value)
    assert (err.code, err.reason) == (grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")
    assert err.metadata["attempts"] == "claude/default=UNAVAILABLE"


async def test_a_client_that_cancels_closes_the_upstream_call(upstream: tuple[FakeAnthropic, Served]) -> None:
    fake, served = upstream
    gate = asyncio.Event()  # never set: the upstream holds its last events back
    fake.then(Reply(gate=gate))
    call = served.stub.InvokeStream(
        pb.InvokeStreamRequest(selection=request().selection, messages=USER), timeout=10
    )
    first = await call.read()
    assert first.WhichOneof("event") == "delta"
    call.cancel()
    received = fake.last
    await asyncio.wait_for(received.closed.wait(), 5)
    assert received.client_closed and not received.finished
