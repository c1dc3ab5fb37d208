"""Invoke and InvokeStream through the client against a real server.

This server version may answer UNIMPLEMENTED (reason NOT_IMPLEMENTED) for both; each
test then checks that this surfaces as UnimplementedError. Once the server serves
them, the same tests check the typed completion instead, so they need no edit.
"""

from __future__ import annotations

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
    UnimplementedError,
    Usage,
)
from tests.client.conftest import DEFAULT_MODELS


def check_not_implemented(err: UnimplementedError, rpc: str) -> None:
    assert err.code is grpc.StatusCode.UNIMPLEMENTED
    assert err.reason == "NOT_IMPLEMENTED"
    assert err.domain == "modelrouter.v1"
    assert rpc in err.message


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
    try:
        completion = router.invoke(
            [("system", "Be brief."), ("user", "Say hello")],
            task="chat",
            max_output_tokens=32,
            temperature=0.0,
            cache=CachePolicy.BYPASS,
            request_id="client-test-1",
        )
    except UnimplementedError as err:
        check_not_implemented(err, "Invoke")
        return
    check_completion(completion, "client-test-1")


async def test_invoke_async(async_router: AsyncRouter) -> None:
    try:
        completion = await async_router.invoke("Say hello", model="nano-fast")
    except UnimplementedError as err:
        check_not_implemented(err, "Invoke")
        return
    check_completion(completion)
    assert completion.model == "nano-fast"


def test_invoke_stream(router: Router) -> None:
    deltas: list[str] = []
    try:
        with router.invoke_stream("Say hello", task="chat", request_id="client-test-2") as stream:
            deltas.extend(stream)
    except UnimplementedError as err:
        check_not_implemented(err, "InvokeStream")
        assert stream.final is None
        with pytest.raises(UnimplementedError):
            stream.result()  # the failure stays with the stream
        return
    assert stream.final is not None
    check_completion(stream.final, "client-test-2")
    assert "".join(deltas) == stream.final.text == stream.text


async def test_invoke_stream_async(async_router: AsyncRouter) -> None:
    stream = async_router.invoke_stream([{"role": "user", "content": "Say hello"}], strategy="quick")
    try:
        deltas = [delta async for delta in stream]
    except UnimplementedError as err:
        check_not_implemented(err, "InvokeStream")
        return
    final = await stream.result()
    check_completion(final)
    assert "".join(deltas) == final.text


def test_invoke_unknown_model(router: Router) -> None:
    # Validation may come before or after the "not implemented" answer in this version.
    with pytest.raises((NotFoundError, UnimplementedError)) as caught:
        router.invoke("hello", model="no-such-model")
    if isinstance(caught.value, NotFoundError):
        assert caught.value.reason == "UNKNOWN_MODEL"
        assert caught.value.metadata.get("model") == "no-such-model"


def test_invoke_model_and_selection_is_invalid(router: Router) -> None:
    with pytest.raises((InvalidArgumentError, UnimplementedError)) as caught:
        router.invoke("hello", model="nano-fast", task="chat")
    if isinstance(caught.value, InvalidArgumentError):
        assert caught.value.reason == "INVALID_REQUEST"
