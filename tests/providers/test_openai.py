"""The OpenAI-compatible adapter against a real HTTP server speaking the wire
format (`fake_openai`): happy paths, the request it sends, every scripted fault
mapped to its outcome, real streaming, cancellation, connection reuse, probe."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from modelrouter.conversation import ChatMessage
from modelrouter.domain import Deployment, LatencyProfile, ModelSpec, Pricing
from modelrouter.providers.base import (
    Completion,
    CompletionRequest,
    Outcome,
    Provider,
    ProviderError,
    StreamItem,
)
from modelrouter.providers.openai import OpenAIProvider, build
from modelrouter.selection.estimate import estimate_input_tokens, estimate_text_tokens
from tests.providers.fake_openai import (
    CONTEXT_REFUSAL,
    CutStream,
    FakeOpenAI,
    Hang,
    Malformed,
    Reply,
    Reset,
    Status,
    StreamError,
)

MESSAGES = (ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello to the world."))


def request(
    *,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    stop: tuple[str, ...] = (),
    timeout_s: float = 5.0,
) -> CompletionRequest:
    return CompletionRequest("fake-model", MESSAGES, max_output_tokens, temperature, stop, timeout_s)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


@pytest_asyncio.fixture
async def provider(server: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    p = OpenAIProvider(server.base_url, api_key="sk-test")
    try:
        yield p
    finally:
        await p.close()


async def collect(stream: AsyncIterator[StreamItem]) -> tuple[list[str], Completion]:
    deltas: list[str] = []
    completions: list[Completion] = []
    async for item in stream:
        if isinstance(item, Completion):
            completions.append(item)
        else:
            assert not completions, "a delta after the Completion"
            deltas.append(item)
    assert len(completions) == 1
    return deltas, completions[0]


async def failure(call: object) -> ProviderError:
    """The ProviderError a unary call or a whole stream ends with."""
    with pytest.raises(ProviderError) as caught:
        if isinstance(call, AsyncIterator):
            await collect(call)
        else:
            await call  # type: ignore[misc]
    return caught.value


def test_is_a_provider() -> None:
    p: Provider = OpenAIProvider("http://127.0.0.1:1/v1")
    assert p is not None


# --- happy paths ----------------------------------------------------------------


async def test_unary_answer_with_reported_usage(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(text="Hello, world.", finish_reason="length", usage=(21, 4)))
    completion = await provider.complete(request())
    assert completion == Completion("Hello, world.", "length", 21, 4, usage_reported=True)


async def test_unary_answer_without_usage_is_estimated(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(text="Hello, world.", usage=None))
    completion = await provider.complete(request())
    assert completion.text == "Hello, world."
    assert completion.finish_reason == "stop"
    assert not completion.usage_reported
    assert completion.input_tokens == estimate_input_tokens(MESSAGES)
    assert completion.output_tokens == estimate_text_tokens("Hello, world.")


async def test_unary_answer_sent_in_pieces_is_read_whole(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    text = "word " * 2000
    server.script(Reply(text=text, in_pieces=True))
    assert (await provider.complete(request())).text == text
    server.script(Reply(text="short", in_pieces=True, usage=None))
    assert (await provider.complete(request())).text == "short"


async def test_unary_null_content_is_empty_text(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(content_null=True, finish_reason="tool_calls"))
    completion = await provider.complete(request())
    assert completion.text == ""
    assert completion.finish_reason == "tool_calls"


async def test_request_body_and_headers_minimal(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    await provider.complete(request())
    sent = server.requests[-1]
    assert sent.method == "POST"
    assert sent.path == "/v1/chat/completions"
    assert sent.body == {
        "model": "fake-model",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Say hello to the world."},
        ],
        "stream": False,
    }
    assert sent.headers["Authorization"] == "Bearer sk-test"


async def test_request_body_with_every_option(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    await provider.complete(request(max_output_tokens=64, temperature=0.0, stop=("\n\n", "END")))
    body = server.requests[-1].body
    assert body["max_tokens"] == 64
    assert body["temperature"] == 0.0  # zero is a value, not "unset"
    assert body["stop"] == ["\n\n", "END"]


async def test_no_bearer_header_without_a_key(server: FakeOpenAI) -> None:
    p = OpenAIProvider(server.base_url)
    try:
        await p.complete(request())
        deltas, _ = await collect(p.stream(request()))
    finally:
        await p.close()
    assert deltas
    assert all("Authorization" not in r.headers for r in server.requests)


async def test_stream_answer_with_reported_usage(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(pieces=("Hel", "lo, ", "", "world."), finish_reason="stop", usage=(30, 3)))
    deltas, completion = await collect(provider.stream(request(max_output_tokens=10)))
    assert deltas == ["Hel", "lo, ", "world."]  # the empty piece is not yielded
    assert completion == Completion("Hello, world.", "stop", 30, 3, usage_reported=True)
    body = server.requests[-1].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 10
    assert server.requests[-1].headers["Authorization"] == "Bearer sk-test"


async def test_stream_without_usage_is_estimated(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(text="one two three", usage=None, finish_reason="length"))
    deltas, completion = await collect(provider.stream(request()))
    assert "".join(deltas) == "one two three"
    assert completion.finish_reason == "length"
    assert not completion.usage_reported
    assert completion.input_tokens == estimate_input_tokens(MESSAGES)
    assert completion.output_tokens == estimate_text_tokens("one two three")


async def test_stream_with_finish_reason_but_no_done_is_complete(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    server.script(Reply(text="all of it", send_done=False))
    deltas, completion = await collect(provider.stream(request()))
    assert "".join(deltas) == "all of it"
    assert completion.finish_reason == "stop"


async def test_first_delta_arrives_before_the_last_chunk_is_sent(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    gate = asyncio.Event()
    server.script(Reply(pieces=("first ", "second ", "third"), hold_after_first=gate))
    stream = provider.stream(request())
    first = await asyncio.wait_for(anext(stream), 2.0)
    assert first == "first "
    sent = server.requests[-1]
    assert sent.chunks_sent == 1
    assert not sent.completed  # the server is still holding the rest back
    gate.set()
    rest, completion = await collect(stream)
    assert rest == ["second ", "third"]
    assert completion.text == "first second third"


# --- faults -------------------------------------------------------------------


async def test_500_is_unavailable(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(500), Status(503))
    assert (await failure(provider.complete(request()))).outcome == Outcome.UNAVAILABLE
    error = await failure(provider.stream(request()))
    assert error.outcome == Outcome.UNAVAILABLE
    assert error.retryable


async def test_429_is_rate_limited_with_retry_after(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(429, headers={"Retry-After": "7"}), Status(429, headers={"Retry-After": "2"}))
    error = await failure(provider.complete(request()))
    assert error.outcome == Outcome.RATE_LIMITED
    assert error.retry_after_s == 7.0
    error = await failure(provider.stream(request()))
    assert error.outcome == Outcome.RATE_LIMITED
    assert error.retry_after_s == 2.0


@pytest.mark.parametrize("streaming", [False, True])
async def test_hang_is_a_timeout_within_about_the_timeout(
    server: FakeOpenAI, provider: OpenAIProvider, streaming: bool
) -> None:
    server.script(Hang(5.0))
    call = provider.stream(request(timeout_s=0.3)) if streaming else provider.complete(request(timeout_s=0.3))
    started = time.monotonic()
    error = await failure(call)
    elapsed = time.monotonic() - started
    assert error.outcome == Outcome.TIMEOUT
    assert 0.25 <= elapsed < 4.0  # gave up at its timeout, long before the 5 s hang ends
    # the client gave up on the connection, and the server saw it
    await asyncio.wait_for(server.requests[-1].closed.wait(), 2.0)


async def test_stream_stalling_mid_answer_is_a_timeout(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Reply(pieces=("a", "b"), hold_after_first=asyncio.Event()))  # never released
    stream = provider.stream(request(timeout_s=0.3))
    assert await anext(stream) == "a"
    error = await failure(stream)
    assert error.outcome == Outcome.TIMEOUT


@pytest.mark.parametrize("after_bytes", [None, 10])
async def test_reset_connection_is_unavailable(
    server: FakeOpenAI, provider: OpenAIProvider, after_bytes: int | None
) -> None:
    server.script(Reset(after_bytes), Reset(after_bytes))
    assert (await failure(provider.complete(request()))).outcome == Outcome.UNAVAILABLE
    assert (await failure(provider.stream(request()))).outcome == Outcome.UNAVAILABLE


@pytest.mark.parametrize(
    "body",
    [
        "this is not json",
        "[1, 2, 3]",
        '{"choices": []}',
        '{"choices": [{"message": {"content": 42}}]}',
        '{"choices": [{"text": "completions, not chat"}]}',
        '{"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}], '
        '"usage": {"prompt_tokens": "many", "completion_tokens": 1}}',
    ],
)
async def test_malformed_unary_answer_is_bad_response(
    server: FakeOpenAI, provider: OpenAIProvider, body: str
) -> None:
    server.script(Malformed(body))
    error = await failure(provider.complete(request()))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.retryable


@pytest.mark.parametrize(
    "data",
    ["this is not json", '"a string"', '{"choices": {"0": 1}}', '{"choices": [{"delta": {"content": [1]}}]}'],
)
async def test_malformed_stream_chunk_is_bad_response(
    server: FakeOpenAI, provider: OpenAIProvider, data: str
) -> None:
    server.script(Malformed(data))
    assert (await failure(provider.stream(request()))).outcome == Outcome.BAD_RESPONSE


async def test_stream_cut_mid_body_is_unavailable_not_ok(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    server.script(Reply(text="a b c d e f"), CutStream(after_chunks=2, clean=False))
    await collect(provider.stream(request()))  # a whole answer first, on a kept-alive connection
    stream = provider.stream(request())
    deltas = [await anext(stream), await anext(stream)]
    assert deltas == ["Hello ", "there, "]
    error = await failure(stream)
    assert error.outcome == Outcome.UNAVAILABLE


async def test_stream_ended_without_finish_or_done_is_unavailable(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    server.script(CutStream(after_chunks=2, clean=True))
    error = await failure(provider.stream(request()))
    assert error.outcome == Outcome.UNAVAILABLE
    assert "stream cut" in error.message


async def test_401_is_auth_failed(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(401, '{"error": {"message": "Incorrect API key provided"}}'), Status(403))
    error = await failure(provider.complete(request()))
    assert error.outcome == Outcome.AUTH_FAILED
    assert not error.retryable
    assert (await failure(provider.stream(request()))).outcome == Outcome.AUTH_FAILED


async def test_context_400_is_context_too_long(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(400, CONTEXT_REFUSAL), Status(400, CONTEXT_REFUSAL))
    error = await failure(provider.complete(request()))
    assert error.outcome == Outcome.CONTEXT_TOO_LONG
    # The caller's text: outcome, status and the API's error type and code; the body: the log's.
    assert error.message == "CONTEXT_TOO_LONG: HTTP 400 (invalid_request_error/context_length_exceeded)"
    assert "maximum context length" in error.detail and "maximum context length" not in error.message
    assert (await failure(provider.stream(request()))).outcome == Outcome.CONTEXT_TOO_LONG


async def test_other_400_is_rejected(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(400, '{"error": {"message": "temperature must be at most 2"}}'))
    assert (await failure(provider.complete(request()))).outcome == Outcome.REJECTED


async def test_error_object_in_a_stream_is_translated(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(
        StreamError("The server had an error while processing your request."),
        StreamError("This model's maximum context length is 4096 tokens", after_chunks=0),
    )
    assert (await failure(provider.stream(request()))).outcome == Outcome.UNAVAILABLE
    assert (await failure(provider.stream(request()))).outcome == Outcome.CONTEXT_TOO_LONG


async def test_error_object_in_a_200_answer_is_translated(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    server.script(Malformed('{"error": {"message": "upstream worker crashed"}}'))
    assert (await failure(provider.complete(request()))).outcome == Outcome.UNAVAILABLE


async def test_unreachable_server_is_unavailable() -> None:
    async with FakeOpenAI() as fake:
        url = fake.base_url
    p = OpenAIProvider(url)  # the port is closed now
    try:
        assert (await failure(p.complete(request()))).outcome == Outcome.UNAVAILABLE
        assert (await failure(p.probe(1.0))).outcome == Outcome.UNAVAILABLE
    finally:
        await p.close()


# --- cancellation and pooling ---------------------------------------------------------


async def test_closing_the_stream_early_closes_the_upstream_connection(
    server: FakeOpenAI, provider: OpenAIProvider
) -> None:
    server.script(Reply(pieces=tuple(f"piece{i} " for i in range(50)), chunk_delay_s=0.02))
    stream = provider.stream(request())
    assert await anext(stream) == "piece0 "
    await stream.aclose()
    sent = server.requests[-1]
    await asyncio.wait_for(sent.closed.wait(), 2.0)
    assert sent.client_closed
    assert sent.chunks_sent < 50


async def test_sequential_calls_reuse_one_connection(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    for _ in range(3):
        await provider.complete(request())
    for _ in range(3):
        await collect(provider.stream(request()))
    await provider.probe(1.0)
    assert len(server.requests) == 7
    assert server.connections == 1


async def test_a_failed_answer_does_not_break_the_pool(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    server.script(Status(500), Reset(None), CutStream(after_chunks=1))
    for call in (provider.complete(request()), provider.complete(request()), provider.stream(request())):
        await failure(call)
    assert (await provider.complete(request())).text == "Hello there, world!"


# --- probe, build -----------------------------------------------------------------------


async def test_probe_ok(server: FakeOpenAI, provider: OpenAIProvider) -> None:
    await provider.probe(1.0)
    assert server.requests[-1].method == "GET"
    assert server.requests[-1].path == "/v1/models"
    assert server.requests[-1].headers["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize(
    ("behaviour", "outcome"),
    [
        (Status(503), Outcome.UNAVAILABLE),
        (Status(401), Outcome.AUTH_FAILED),
        (Status(404, "not found"), Outcome.REJECTED),
        (Hang(5.0), Outcome.TIMEOUT),
        (Reset(None), Outcome.UNAVAILABLE),
    ],
)
async def test_probe_failing(
    server: FakeOpenAI, provider: OpenAIProvider, behaviour: Status | Hang | Reset, outcome: str
) -> None:
    server.script(behaviour, behaviour)  # twice: aiohttp retries a GET once on a dropped connection
    started = time.monotonic()
    error = await failure(provider.probe(0.3))
    assert error.outcome == outcome
    assert time.monotonic() - started < 1.0


async def test_build_takes_the_deployment_url_and_concurrency(server: FakeOpenAI) -> None:
    spec = ModelSpec(
        id="m",
        provider="openai",
        upstream_model="fake-model",
        capabilities=frozenset({"chat"}),
        context_window=8192,
        pricing=Pricing(0.1, 0.2),
        quality={"default": 0.5},
        latency=LatencyProfile(100, 50),
        labels={},
        deployments=(),
        balancer="latency_p2c",
        timeout_s=5,
        max_concurrency=3,
        base_url="http://127.0.0.1:1/v1",
    )
    p = build(spec, Deployment("a", server.base_url + "/"), "sk-built")
    try:
        assert p.base_url == server.base_url
        await p.complete(request())
        assert p._endpoint._max_connections == 3
    finally:
        await p.close()
    assert server.requests[-1].headers["Authorization"] == "Bearer sk-built"
    assert build(spec, Deployment("b", None), None).base_url == "http://127.0.0.1:1/v1"
    # Neither names one: OpenAI's own API.
    assert build(dataclasses.replace(spec, base_url=None), Deployment("c", None), None).base_url == (
        "https://api.openai.com/v1"
    )
