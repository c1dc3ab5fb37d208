"""Invoke and InvokeStream through the client against a real server (the
default configuration's simulated models)."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest

from modelrouter_client import (
    AsyncRouter,
    Attempt,
    CachePolicy,
    Completion,
    Decision,
    InvalidArgumentError,
    NotFoundError,
    Router,
    UnknownError,
    Usage,
)
from tests.client.conftest import DEFAULT_MODELS


def check_completion(completion: Completion, request_id: str | None = None) -> None:
    assert isinstance(completion, Completion)
    assert completion.text
    assert completion.finish_reason
    assert completion.model in DEFAULT_MODELS
    assert completion.deployment
    assert isinstance(completion.usage, Usage)
    assert completion.usage.output_tokens > 0
    assert isinstance(completion.decision, Decision)
    assert completion.attempts and all(isinstance(a, Attempt) for a in completion.attempts)
    last = completion.attempts[-1]
    assert (last.outcome, last.model) == ("OK", completion.model)
    assert completion.request_id == (request_id or completion.request_id) and completion.request_id


def test_invoke(router: Router) -> None:
    completion = router.invoke(
        [("system", "Be brief."), ("user", "Say hello")],
        task="chat",
        max_output_tokens=32,
        temperature=0.0,
        cache=CachePolicy.BYPASS,
        request_id="client-test-1",
    )
    check_completion(completion, "client-test-1")
    assert completion.text == "Say hello"  # the simulated models echo the last user message


async def test_invoke_async(async_router: AsyncRouter) -> None:
    completion = await async_router.invoke("Say hello", model="nano-fast")
    check_completion(completion)
    assert completion.model == "nano-fast"


def test_invoke_stream(router: Router) -> None:
    deltas: list[str] = []
    with router.invoke_stream("Say hello", task="chat", request_id="client-test-2") as stream:
        deltas.extend(stream)
    assert stream.final is not None
    check_completion(stream.final, "client-test-2")
    assert len(deltas) > 1
    assert "".join(deltas) == stream.final.text == stream.text


async def test_invoke_stream_async(async_router: AsyncRouter) -> None:
    stream = async_router.invoke_stream([{"role": "user", "content": "Say hello"}], strategy="quick")
    deltas = [delta async for delta in stream]
    final = await stream.result()
    check_completion(final)
    assert "".join(deltas) == final.text


def test_invoke_unknown_model(router: Router) -> None:
    with pytest.raises(NotFoundError) as caught:
        router.invoke("hello", model="no-such-model")
    assert caught.value.reason == "UNKNOWN_MODEL"
    assert caught.value.metadata.get("model") == "no-such-model"


def test_invoke_model_and_selection_is_invalid(router: Router) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        router.invoke("hello", model="nano-fast", task="chat")
    assert caught.value.reason == "INVALID_REQUEST"


LONG = "word " * 2000  # echoed back by nano-fast (300 tokens/s): a stream of several seconds


def wait_until_nothing_in_flight(router: Router, model: str) -> None:
    deadline = time.monotonic() + 5
    while (stats := router.stats(models=[model]).models[0]).in_flight:
        assert time.monotonic() < deadline, f"{stats.in_flight} calls still in flight"
        time.sleep(0.05)


def test_leaving_a_stream_early_cancels_it(router: Router) -> None:
    started = time.monotonic()
    with router.invoke_stream(LONG, model="nano-fast", cache="bypass", max_output_tokens=4000) as stream:
        first = next(stream)
        assert first
    assert stream.done and stream.final is None
    with pytest.raises(UnknownError) as caught:
        stream.result()
    assert caught.value.code is grpc.StatusCode.CANCELLED
    # The server saw the cancellation: the call is no longer in flight, long before the
    # stream would have ended.
    wait_until_nothing_in_flight(router, "nano-fast")
    assert time.monotonic() - started < 4


async def test_cancelling_the_task_cancels_the_stream(async_router: AsyncRouter, router: Router) -> None:
    stream = async_router.invoke_stream(LONG, model="nano-fast", cache="bypass", max_output_tokens=4000)
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in stream:
            first.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(first.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.done
    with pytest.raises(UnknownError):
        await stream.result()
    await asyncio.to_thread(wait_until_nothing_in_flight, router, "nano-fast")
