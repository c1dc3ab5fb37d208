"""Every call carries a deadline: the client's default (10 s), overridable per client
and per call.

The deadline counts from the moment the method is called; a call whose deadline passes
while its request is being built is not sent (building a SelectRequest takes well over
1 µs, so `timeout=0.000001` always ends there). Once sent, grpc enforces the deadline,
with millisecond granularity: a server that never answers shows that.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import grpc
import pytest

from modelrouter_client import (
    DEFAULT_TIMEOUT,
    AsyncRouter,
    DeadlineExceededError,
    Router,
)

TINY = 0.000001


def check_deadline(err: DeadlineExceededError) -> None:
    assert err.code is grpc.StatusCode.DEADLINE_EXCEEDED
    # Noticed by the client (no details) or the server (ErrorInfo): the same reason.
    assert err.reason == "DEADLINE_EXCEEDED"


def test_invoke_and_streams_have_deadlines_too(router: Router) -> None:
    with pytest.raises(DeadlineExceededError):
        router.invoke("hello", timeout=TINY)
    with pytest.raises(DeadlineExceededError):
        router.invoke_stream("hello", timeout=TINY)


def test_default_timeout_is_ten_seconds(address: str) -> None:
    assert DEFAULT_TIMEOUT == 10.0
    with Router(address) as client:
        assert client.timeout == DEFAULT_TIMEOUT


def test_per_call_timeout(router: Router) -> None:
    with pytest.raises(DeadlineExceededError) as caught:
        router.select(task="chat", timeout=TINY)
    check_deadline(caught.value)


async def test_per_call_timeout_async(async_router: AsyncRouter) -> None:
    with pytest.raises(DeadlineExceededError) as caught:
        await async_router.select(task="chat", timeout=TINY)
    check_deadline(caught.value)


def test_client_timeout_is_the_default_of_every_call(address: str) -> None:
    with Router(address, timeout=TINY) as client:
        with pytest.raises(DeadlineExceededError):
            client.select(task="chat")
        # A per-call timeout replaces the client's.
        assert client.select(task="chat", timeout=10).model


async def test_client_timeout_is_the_default_of_every_call_async(address: str) -> None:
    async with AsyncRouter(address, timeout=TINY) as client:
        with pytest.raises(DeadlineExceededError):
            await client.select(task="chat")
        assert (await client.select(task="chat", timeout=10)).model


@pytest.fixture
def silent_address() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: only a deadline ends a call."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        host, port = listener.getsockname()
        yield f"{host}:{port}"


def test_deadline_ends_a_call_the_server_never_answers(silent_address: str) -> None:
    with Router(silent_address, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            client.list_models()
        elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 5  # sent, then ended by grpc at the deadline
    assert caught.value.domain == ""  # the client noticed; no server details


async def test_deadline_ends_a_call_the_server_never_answers_async(silent_address: str) -> None:
    async with AsyncRouter(silent_address, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            await client.stats()
        elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 5
