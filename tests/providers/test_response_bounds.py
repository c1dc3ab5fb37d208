"""Both HTTP adapters against upstreams that send too much, too long a line, too
late or nothing: `max_response_bytes` and the rest of `http.ResponseBudget`, the
over-long SSE line, a slow first byte and a hung connection. Each test runs once
per adapter, against that adapter's fake server."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
import pytest_asyncio

from modelrouter.conversation import ChatMessage
from modelrouter.providers.anthropic import AnthropicProvider
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, Provider, ProviderError
from modelrouter.providers.openai import OpenAIProvider
from tests.providers import fake_anthropic, fake_openai

MiB = 1024 * 1024
MESSAGES = (ChatMessage("user", "Say hello."),)
CLOSE_WAIT_S = 5.0
"""How long the fake may take to notice the client went away: generous."""


def request(*, max_response_bytes: int = 4 * MiB, timeout_s: float = 10.0) -> CompletionRequest:
    return CompletionRequest("fake-model", MESSAGES, None, None, (), timeout_s, max_response_bytes)


@dataclass
class Harness:
    """One adapter with its fake, behind one interface for the tests."""

    fake: ModuleType
    """The fake's module: its behaviour classes (`fake.Huge(...)`, ...)."""
    provider: Provider
    script: Callable[..., object]
    """Queues behaviours for the next requests."""
    last: Callable[[], Any]
    """The last request the fake received (`closed`, `client_closed`)."""
    pieces_sent: Callable[[Any], int]
    """How many content pieces the fake wrote for a request."""
    default_text: str
    """The text of the fake's default Reply."""

    async def closed_by_client(self) -> bool:
        """Whether the fake saw the client close the last request's connection (waits for it)."""
        received = self.last()
        try:
            async with asyncio.timeout(CLOSE_WAIT_S):
                await received.closed.wait()
        except TimeoutError:
            return False
        return bool(received.client_closed)


@pytest_asyncio.fixture(params=["openai", "anthropic"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "openai":
        async with fake_openai.FakeOpenAI() as server:
            provider = OpenAIProvider(server.base_url, "sk-test")
            try:
                yield Harness(
                    fake_openai,
                    provider,
                    server.script,
                    lambda: server.requests[-1],
                    lambda received: received.chunks_sent,
                    "Hello there, world!",
                )
            finally:
                await provider.close()
    else:
        async with fake_anthropic.FakeAnthropic() as fake:
            anthropic = AnthropicProvider(fake.base_url, "key", 4)
            try:
                yield Harness(
                    fake_anthropic,
                    anthropic,
                    fake.then,
                    lambda: fake.last,
                    lambda received: received.deltas_sent,
                    "Hello, world!",
                )
            finally:
                await anthropic.close()


async def stream_failure(provider: Provider, req: CompletionRequest) -> tuple[int, ProviderError]:
    """The ProviderError a stream ends with, and how much text it handed on before.
    (pytest.raises: any other exception fails the test.)"""
    handed_on = 0
    with pytest.raises(ProviderError) as caught:
        async for item in provider.stream(req):
            if isinstance(item, str):
                handed_on += len(item.encode())
    return handed_on, caught.value


async def unary_failure(provider: Provider, req: CompletionRequest) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await provider.complete(req)
    return caught.value


async def streamed_text(provider: Provider, req: CompletionRequest) -> Completion:
    deltas: list[str] = []
    completion: Completion | None = None
    async for item in provider.stream(req):
        if isinstance(item, Completion):
            completion = item
        else:
            deltas.append(item)
    assert completion is not None
    assert "".join(deltas) == completion.text
    return completion


# --- more than max_response_bytes ------------------------------------------------------


async def test_unary_body_over_the_limit_is_bad_response_and_closed(harness: Harness) -> None:
    harness.script(harness.fake.Huge(64 * MiB, 64 * 1024))
    error = await unary_failure(harness.provider, request(max_response_bytes=1 * MiB))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert await harness.closed_by_client()
    assert harness.pieces_sent(harness.last()) < 1024 // 2  # far fewer than the 1024 pieces


async def test_stream_over_the_limit_is_bad_response_and_closed(harness: Harness) -> None:
    harness.script(harness.fake.Huge(64 * MiB, 64 * 1024))
    handed_on, error = await stream_failure(harness.provider, request(max_response_bytes=1 * MiB))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert handed_on <= 1 * MiB
    assert await harness.closed_by_client()
    assert harness.pieces_sent(harness.last()) < 1024 // 2


async def test_endless_stream_is_cut(harness: Harness) -> None:
    harness.script(harness.fake.Endless("x" * 1024, delay_s=0.001))
    handed_on, error = await stream_failure(harness.provider, request(max_response_bytes=64 * 1024))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert handed_on <= 64 * 1024
    assert await harness.closed_by_client()


async def test_endless_unary_body_is_cut(harness: Harness) -> None:
    harness.script(harness.fake.Endless("x" * 1024, delay_s=0.001))
    error = await unary_failure(harness.provider, request(max_response_bytes=64 * 1024))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert await harness.closed_by_client()


async def test_a_stream_of_events_without_text_is_cut_by_its_raw_size(harness: Harness) -> None:
    # Empty deltas never add to the text: only the bound on the bytes read ends them.
    harness.script(harness.fake.Endless("", delay_s=0))
    _, error = await stream_failure(harness.provider, request(max_response_bytes=1024, timeout_s=30.0))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert await harness.closed_by_client()


@pytest.mark.parametrize("endless", [False, True], ids=["huge-200MiB", "endless"])
async def test_cutting_a_200_mib_stream_keeps_memory_bounded(harness: Harness, endless: bool) -> None:
    piece = 256 * 1024
    behaviour = (
        harness.fake.Endless("x" * piece, delay_s=0) if endless else harness.fake.Huge(200 * MiB, piece)
    )
    harness.script(behaviour)
    # tracemalloc counts every Python allocation (the fake server's too, which runs in
    # this process) from here on, independently of what earlier tests left in the
    # heap or of the allocator returning memory to the system, unlike the RSS.
    tracemalloc.start()
    try:
        _, error = await stream_failure(harness.provider, request(max_response_bytes=4 * MiB, timeout_s=60.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.outcome == Outcome.BAD_RESPONSE
    assert peak < 50 * MiB, f"peak {peak / MiB:.1f} MiB while cutting the stream"
    assert await harness.closed_by_client()
    assert harness.pieces_sent(harness.last()) * piece < 100 * MiB


async def test_the_pool_serves_the_next_call_after_a_cut(harness: Harness) -> None:
    harness.script(harness.fake.Huge(16 * MiB, 64 * 1024))
    await stream_failure(harness.provider, request(max_response_bytes=64 * 1024))
    assert (await harness.provider.complete(request())).text == harness.default_text


# --- within the limit ----------------------------------------------------------------------


async def test_huge_unary_within_the_limit_is_received_whole(harness: Harness) -> None:
    harness.script(harness.fake.Huge(3 * MiB, 64 * 1024))
    completion = await harness.provider.complete(request(max_response_bytes=4 * MiB))
    assert completion.text == "x" * (3 * MiB)


async def test_huge_stream_within_the_limit_is_received_whole(harness: Harness) -> None:
    harness.script(harness.fake.Huge(3 * MiB + 5, 64 * 1024))
    completion = await streamed_text(harness.provider, request(max_response_bytes=4 * MiB))
    assert completion.text == "x" * (3 * MiB + 5)


async def test_a_stream_exactly_at_the_limit_is_received(harness: Harness) -> None:
    harness.script(harness.fake.Huge(256 * 1024, 1000))
    completion = await streamed_text(harness.provider, request(max_response_bytes=256 * 1024))
    assert len(completion.text) == 256 * 1024


# --- over-long SSE lines ---------------------------------------------------------------


async def test_a_line_past_the_line_bound_is_bad_response(harness: Harness) -> None:
    # 64 KiB of text allows lines of max(4 * 64 KiB, 1 MiB) = 1 MiB.
    harness.script(harness.fake.LongLine(2 * MiB))
    _, error = await stream_failure(harness.provider, request(max_response_bytes=64 * 1024))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert await harness.closed_by_client()


async def test_a_long_line_to_a_unary_request_is_bad_response(harness: Harness) -> None:
    harness.script(harness.fake.LongLine(2 * MiB))
    error = await unary_failure(harness.provider, request(max_response_bytes=64 * 1024))
    assert error.outcome == Outcome.BAD_RESPONSE


async def test_a_long_line_within_the_bound_is_read_then_judged(harness: Harness) -> None:
    # 1 MiB: past aiohttp's own line limit (512 KiB), within the answer's.
    harness.script(harness.fake.LongLine(1 * MiB))
    _, error = await stream_failure(harness.provider, request())
    assert error.outcome == Outcome.BAD_RESPONSE  # read whole, and not JSON


async def test_a_long_well_formed_line_is_received_whole(harness: Harness) -> None:
    harness.script(harness.fake.LongLine(3 * MiB, well_formed=True))
    completion = await streamed_text(harness.provider, request())
    assert 3 * MiB - 300 < len(completion.text) < 3 * MiB
    assert set(completion.text) == {"a"}


# --- slow and silent upstreams ------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
async def test_a_slow_first_byte_within_the_timeout_answers(harness: Harness, streamed: bool) -> None:
    harness.script(harness.fake.SlowFirstByte(0.3))
    started = time.monotonic()
    if streamed:
        completion = await streamed_text(harness.provider, request(timeout_s=10.0))
    else:
        completion = await harness.provider.complete(request(timeout_s=10.0))
    assert completion.text == harness.default_text
    assert time.monotonic() - started >= 0.29


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
async def test_a_hung_connection_times_out(harness: Harness, streamed: bool) -> None:
    harness.script(harness.fake.HungConnection())
    started = time.monotonic()
    if streamed:
        _, error = await stream_failure(harness.provider, request(timeout_s=0.3))
    else:
        error = await unary_failure(harness.provider, request(timeout_s=0.3))
    assert error.outcome == Outcome.TIMEOUT
    assert time.monotonic() - started < 5.0
    assert await harness.closed_by_client()
