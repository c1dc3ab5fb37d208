"""Invoke and InvokeStream through a real server on simulated models: fallback
down the ranking, retries, every attempt reported, streaming, deadlines, and
Stats that add up to the calls made."""

from __future__ import annotations

import time

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, details_of, serving

CONFIG = """
server: {max_attempts_per_model: 2, retry_backoff_s: 0.005, retry_backoff_max_s: 0.01}
models:
  - {id: flaky, provider: simulated, context_window: 8000, capabilities: [chat],
     pricing: {input_per_mtok: 1, output_per_mtok: 2}, quality: {default: 0.9},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000, failure_rate: 1.0}}
  - {id: steady, provider: simulated, context_window: 8000, capabilities: [chat],
     pricing: {input_per_mtok: 3, output_per_mtok: 5}, quality: {default: 0.8},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
  - {id: paced, provider: simulated, context_window: 8000, capabilities: [chat, paced],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5},
     simulate: {ttft_ms: 50, tokens_per_s: 40}}
  - {id: slow, provider: simulated, context_window: 8000, capabilities: [chat, slow],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.1},
     simulate: {ttft_ms: 5000, tokens_per_s: 100}}
"""

USER = [pb.ChatMessage(role="user", content="the quick brown fox jumps over the lazy dog")]


def by_task(**requirements: object) -> pb.SelectRequest:
    return pb.SelectRequest(strategy="task_based", requirements=pb.Requirements(**requirements))  # type: ignore[arg-type]


async def stats(served: Served) -> dict[str, pb.ModelStats]:
    reply = await served.stub.Stats(pb.StatsRequest(), timeout=10)
    return {m.model: m for m in reply.models}


async def test_a_failing_model_is_retried_then_the_next_one_answers() -> None:
    async with serving(CONFIG) as served:
        reply = await served.stub.Invoke(
            pb.InvokeRequest(selection=by_task(), messages=USER, request_id="r-1"), timeout=10
        )
        assert (reply.model, reply.text, reply.finish_reason) == ("steady", USER[0].content, "stop")
        assert [(a.model, a.outcome) for a in reply.attempts] == [
            ("flaky", "UNAVAILABLE"),
            ("flaky", "UNAVAILABLE"),
            ("steady", "OK"),
        ]
        assert all(a.error for a in reply.attempts[:2]) and not reply.attempts[2].error
        assert reply.decision.model == "flaky"  # what selection chose; `model` is who answered
        assert reply.request_id == "r-1" and reply.deployment == "default" and reply.latency_ms > 0
        # Usage as the provider reported it, cost by the model's pricing.
        usage = reply.usage
        assert usage.input_tokens > 0 and usage.output_tokens == (len(USER[0].content) + 3) // 4
        assert usage.cost_usd == pytest.approx((usage.input_tokens * 3 + usage.output_tokens * 5) / 1e6)
        figures = await stats(served)
        flaky, steady = figures["flaky"], figures["steady"]
        assert (flaky.requests, flaky.successes, flaky.failures) == (2, 0, 2)
        assert dict(flaky.failures_by_reason) == {"UNAVAILABLE": 2}
        assert (steady.requests, steady.successes, steady.failures) == (1, 1, 0)
        assert (steady.input_tokens, steady.output_tokens) == (usage.input_tokens, usage.output_tokens)
        assert steady.cost_usd == pytest.approx(usage.cost_usd)
        assert flaky.selections == 1 and steady.selections == 0  # selection chose flaky once


async def test_every_candidate_failing_is_unavailable_with_each_attempt() -> None:
    async with serving(CONFIG) as served:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(
                pb.InvokeRequest(selection=by_task(include_models=["flaky"]), messages=USER), timeout=10
            )
        err = details_of(caught.value)
        assert (err.code, err.reason) == (grpc.StatusCode.UNAVAILABLE, "ALL_CANDIDATES_FAILED")
        assert err.metadata["attempts"] == "flaky/default=UNAVAILABLE,flaky/default=UNAVAILABLE"


async def test_naming_a_model_skips_selection_but_keeps_retries() -> None:
    async with serving(CONFIG) as served:
        reply = await served.stub.Invoke(pb.InvokeRequest(model="steady", messages=USER), timeout=10)
        assert (reply.model, reply.decision.model, reply.decision.strategy) == ("steady", "steady", "")
        # A decision of one: the named model with its estimates, nothing rejected.
        (only,) = reply.decision.ranking
        assert (only.model, only.score, dict(only.components)) == ("steady", 1.0, {})
        tokens_in, tokens_out = reply.decision.estimated_input_tokens, reply.decision.estimated_output_tokens
        assert (tokens_in, tokens_out) == (18, 256)  # 43 characters: 11 + 4 + 3; the default output
        assert reply.decision.estimated_cost_usd == pytest.approx((tokens_in * 3 + tokens_out * 5) / 1e6)
        assert not reply.decision.rejected and reply.decision.deployment == "default"
        assert [a.outcome for a in reply.attempts] == ["OK"]
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(pb.InvokeRequest(model="flaky", messages=USER), timeout=10)
        assert details_of(caught.value).metadata["attempts"].count("flaky/default=UNAVAILABLE") == 2
        assert (await stats(served))["steady"].selections == 0  # a named model is not a selection


async def test_max_output_tokens_cuts_the_answer() -> None:
    async with serving(CONFIG) as served:
        reply = await served.stub.Invoke(
            pb.InvokeRequest(model="steady", messages=USER, max_output_tokens=2), timeout=10
        )
        assert (reply.text, reply.finish_reason, reply.usage.output_tokens) == ("the quic", "length", 2)


async def test_streaming_sends_deltas_as_they_come_then_one_done() -> None:
    async with serving(CONFIG) as served:
        started = time.perf_counter()
        seen: list[tuple[float, pb.InvokeStreamResponse]] = []
        call = served.stub.InvokeStream(
            pb.InvokeStreamRequest(selection=by_task(capabilities=["paced"]), messages=USER), timeout=10
        )
        async for message in call:
            seen.append((time.perf_counter() - started, message))
        deltas = [m.delta for _, m in seen if m.WhichOneof("event") == "delta"]
        dones = [m.done for _, m in seen if m.WhichOneof("event") == "done"]
        assert len(dones) == 1 and seen[-1][1].WhichOneof("event") == "done"
        done = dones[0]
        assert "".join(deltas) == USER[0].content and done.text == ""  # the deltas carry the text
        assert len(deltas) == done.usage.output_tokens == 11
        # 11 tokens at 40 per second: the first arrives long before the last.
        first_at, done_at = seen[0][0], seen[-1][0]
        assert done_at - first_at > 0.15
        assert [a.outcome for a in done.attempts] == ["OK"]
        figures = (await stats(served))["paced"]
        assert figures.ttft_p50_ms < figures.latency_p50_ms


async def test_a_stream_failing_before_its_first_delta_falls_back() -> None:
    async with serving(CONFIG) as served:
        call = served.stub.InvokeStream(
            pb.InvokeStreamRequest(selection=by_task(), messages=USER), timeout=10
        )
        messages = [m async for m in call]
        done = messages[-1].done
        assert done.model == "steady"
        assert [(a.model, a.outcome) for a in done.attempts] == [
            ("flaky", "UNAVAILABLE"),
            ("flaky", "UNAVAILABLE"),
            ("steady", "OK"),
        ]
        assert "".join(m.delta for m in messages[:-1]) == USER[0].content and done.text == ""


async def test_the_callers_deadline_bounds_the_upstream_call() -> None:
    async with serving(CONFIG) as served:
        started = time.perf_counter()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(pb.InvokeRequest(model="slow", messages=USER), timeout=0.3)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.perf_counter() - started < 2.0
        # The server gave up too: the attempt is recorded as cut by the caller's
        # deadline (not the model's timeout: that is the caller's doing), not left hanging.
        deadline = time.perf_counter() + 2
        while (await stats(served))["slow"].requests == 0 and time.perf_counter() < deadline:
            await _pause()
        slow = (await stats(served))["slow"]
        assert slow.in_flight == 0 and dict(slow.failures_by_reason) == {"DEADLINE_EXCEEDED": slow.failures}


async def test_requests_add_up_across_many_calls_and_the_circuit_opens() -> None:
    async with serving(CONFIG) as served:
        replies = [
            await served.stub.Invoke(pb.InvokeRequest(selection=by_task(), messages=USER), timeout=10)
            for _ in range(5)
        ]
        for model in (await stats(served)).values():
            assert model.requests == model.successes + model.failures
            assert model.requests == sum(d.requests for d in model.deployments)
        figures = await stats(served)
        # Five failures in a row open flaky's circuit (the default threshold): its
        # next try is refused without being sent, and from then on selection leaves
        # the unhealthy model out and goes to steady at once.
        assert (figures["flaky"].failures, figures["steady"].successes) == (5, 5)
        assert [[a.outcome for a in r.attempts] for r in replies] == [
            ["UNAVAILABLE", "UNAVAILABLE", "OK"],
            ["UNAVAILABLE", "UNAVAILABLE", "OK"],
            ["UNAVAILABLE", "CIRCUIT_OPEN", "OK"],
            ["OK"],
            ["OK"],
        ]
        assert replies[-1].decision.model == "steady"
        assert figures["flaky"].health == pb.HEALTH_STATE_UNHEALTHY


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)


GATED = """
models:
  - {id: narrow, provider: simulated, context_window: 8000, max_concurrency: 1,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.9},
     simulate: {ttft_ms: 300, tokens_per_s: 1000000}}
  - {id: wide, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
"""


async def test_a_full_wait_queue_sends_the_call_elsewhere_at_once() -> None:
    import asyncio

    async with serving(GATED) as served:
        request = pb.InvokeRequest(selection=by_task(), messages=USER)
        replies = await asyncio.gather(*(served.stub.Invoke(request, timeout=10) for _ in range(3)))
        shapes = sorted([(a.model, a.outcome) for a in r.attempts] for r in replies)
        # One call in flight on `narrow`, one waiting for its slot, the third refused by
        # the full queue (not sent, so not a request) and answered by `wide`.
        assert shapes == [
            [("narrow", "OK")],
            [("narrow", "OK")],
            [("narrow", "OVERLOADED"), ("wide", "OK")],
        ]
        narrow = (await stats(served))["narrow"]
        assert (narrow.requests, narrow.successes, narrow.in_flight) == (2, 2, 0)
