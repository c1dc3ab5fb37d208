"""The Anthropic adapter against a real HTTP server speaking the Messages API:
the request it sends, the answers it reads, and every fault translated into the
right outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from modelrouter.conversation import ChatMessage
from modelrouter.domain import Deployment, LatencyProfile, ModelSpec, Pricing
from modelrouter.providers.anthropic import DEFAULT_MAX_TOKENS, AnthropicProvider, build
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.selection.estimate import estimate_input_tokens, estimate_text_tokens
from tests.providers.fake_anthropic import (
    Behaviour,
    Cut,
    FakeAnthropic,
    Hang,
    Malformed,
    Reply,
    Reset,
    Status,
    StreamError,
)

MESSAGES = (
    ChatMessage("system", "Be brief."),
    ChatMessage("user", "Hi"),
    ChatMessage("assistant", "Hello."),
    ChatMessage("system", "Answer in English."),
    ChatMessage("user", "Greet the world"),
)


def req(
    *,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    stop: tuple[str, ...] = (),
    timeout_s: float = 5.0,
    messages: tuple[ChatMessage, ...] = MESSAGES,
) -> CompletionRequest:
    return CompletionRequest("claude-fake-1", messages, max_output_tokens, temperature, stop, timeout_s)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest_asyncio.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    p = AnthropicProvider(fake.base_url, "sk-test", max_connections=4)
    yield p
    await p.close()


async def collect(provider: AnthropicProvider, request: CompletionRequest) -> tuple[list[str], Completion]:
    deltas: list[str] = []
    final: Completion | None = None
    async for item in provider.stream(request):
        assert final is None, "nothing may follow the Completion"
        if isinstance(item, Completion):
            final = item
        else:
            deltas.append(item)
    assert final is not None, "a stream ends with one Completion"
    return deltas, final


async def failure(provider: AnthropicProvider, request: CompletionRequest, streamed: bool) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        if streamed:
            await collect(provider, request)
        else:
            await provider.complete(request)
    return caught.value


# --- Unary -----------------------------------------------------------------------


async def test_unary_answer_and_request(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.then(Reply(chunks=("Hello, ", "world"), thinking="let me think", input_tokens=30, output_tokens=4))
    done = await provider.complete(req())
    assert done == Completion("Hello, world", "stop", 30, 4, usage_reported=True)

    seen = fake.last
    assert (seen.method, seen.path) == ("POST", "/v1/messages")
    assert seen.headers["x-api-key"] == "sk-test"
    assert seen.headers["anthropic-version"] == "2023-06-01"
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.body == {
        "model": "claude-fake-1",
        "max_tokens": DEFAULT_MAX_TOKENS,
        "system": "Be brief.\n\nAnswer in English.",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "Greet the world"},
        ],
        "stream": False,
    }


async def test_unary_options_are_sent_only_when_set(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    only_user = (ChatMessage("user", "Hi"),)
    await provider.complete(
        req(max_output_tokens=77, temperature=0.0, stop=("\n\n", "END"), messages=only_user)
    )
    body = fake.last.body
    assert body["max_tokens"] == 77
    assert body["temperature"] == 0.0  # zero is a value, not "unset"
    assert body["stop_sequences"] == ["\n\n", "END"]
    assert "system" not in body

    await provider.complete(req(temperature=1.7, messages=only_user))
    assert fake.last.body["temperature"] == 1.0  # clamped to the API's range
    assert "stop_sequences" not in fake.last.body


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("pause_turn", "pause_turn"),
        (None, "stop"),
    ],
)
async def test_finish_reasons(
    fake: FakeAnthropic, provider: AnthropicProvider, stop_reason: str | None, finish: str
) -> None:
    fake.then(Reply(stop_reason=stop_reason), Reply(stop_reason=stop_reason))
    assert (await provider.complete(req())).finish_reason == finish
    assert (await collect(provider, req()))[1].finish_reason == finish


async def test_unary_usage_estimated_when_not_reported(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Reply(chunks=("twelve chars",), input_tokens=None))
    done = await provider.complete(req())
    assert done.usage_reported is False
    assert done.input_tokens == estimate_input_tokens(MESSAGES)
    assert done.output_tokens == estimate_text_tokens("twelve chars")


async def test_no_key_sends_no_key_header(fake: FakeAnthropic) -> None:
    p = AnthropicProvider(fake.base_url + "/", None, max_connections=1)
    try:
        await p.complete(req())
    finally:
        await p.close()
    assert "x-api-key" not in fake.last.headers
    assert fake.last.path == "/v1/messages"


# --- Streaming -------------------------------------------------------------------


async def test_stream_answer(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.then(Reply(chunks=("Hel", "lo", " world"), thinking="hmm", input_tokens=21, output_tokens=3))
    deltas, done = await collect(provider, req(max_output_tokens=50))
    assert deltas == ["Hel", "lo", " world"]
    assert done == Completion("Hello world", "stop", 21, 3, usage_reported=True)
    assert fake.last.body["stream"] is True
    assert fake.last.body["max_tokens"] == 50
    assert fake.last.headers["anthropic-version"] == "2023-06-01"
    assert fake.last.finished


async def test_stream_usage_estimated_when_not_reported(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Reply(chunks=("abc", "defgh"), input_tokens=None))
    _, done = await collect(provider, req())
    assert done.usage_reported is False
    assert (done.input_tokens, done.output_tokens) == (
        estimate_input_tokens(MESSAGES),
        estimate_text_tokens("abcdefgh"),
    )


async def test_first_delta_arrives_before_the_last_event_is_sent(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    gate = asyncio.Event()
    fake.then(Reply(chunks=("first", " second"), gate=gate))
    stream = provider.stream(req())
    first = await asyncio.wait_for(anext(stream), 2.0)
    assert first == "first"
    assert not fake.last.finished
    assert "message_stop" not in fake.last.events
    gate.set()
    rest = [item async for item in stream]
    assert rest[0] == " second"
    assert isinstance(rest[-1], Completion) and rest[-1].text == "first second"
    assert fake.last.finished


async def test_closing_the_stream_closes_the_upstream_connection(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Reply(chunks=("a", "b", "c"), gate=asyncio.Event()))  # never opened
    stream = provider.stream(req())
    assert await asyncio.wait_for(anext(stream), 2.0) == "a"
    await stream.aclose()
    await asyncio.wait_for(fake.last.closed.wait(), 2.0)
    assert fake.last.client_closed and not fake.last.finished


async def test_a_finished_stream_leaves_its_connection_for_the_next_call(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Reply(end_delay_s=0.05), Reply())
    await collect(provider, req())
    await collect(provider, req())
    await provider.complete(req())
    assert len({r.peer for r in fake.received}) == 1


async def test_a_body_that_lingers_after_message_stop_does_not_hold_the_answer(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Reply(end_delay_s=5.0))
    loop = asyncio.get_running_loop()
    start = loop.time()
    _, done = await collect(provider, req(timeout_s=3.0))
    assert done.text == "Hello, world!"
    assert loop.time() - start < 1.0


# --- Faults ----------------------------------------------------------------------

FAULTS: list[tuple[str, Behaviour, str]] = [
    ("500", Status(500), Outcome.UNAVAILABLE),
    ("529 overloaded", Status(529, "overloaded_error", "Overloaded"), Outcome.UNAVAILABLE),
    ("401", Status(401, "authentication_error", "invalid x-api-key"), Outcome.AUTH_FAILED),
    ("403", Status(403, "permission_error", "no access to the model"), Outcome.AUTH_FAILED),
    (
        "400 prompt too long",
        Status(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
        Outcome.CONTEXT_TOO_LONG,
    ),
    ("400 other", Status(400, "invalid_request_error", "messages: roles must alternate"), Outcome.REJECTED),
    ("reset mid-answer", Reset(), Outcome.UNAVAILABLE),
    ("malformed", Malformed(), Outcome.BAD_RESPONSE),
]


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize(("behaviour", "outcome"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
async def test_faults(
    fake: FakeAnthropic, provider: AnthropicProvider, behaviour: Behaviour, outcome: str, streamed: bool
) -> None:
    fake.then(behaviour)
    error = await failure(provider, req(), streamed)
    assert error.outcome == outcome, error.message
    assert error.message


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
async def test_rate_limited_with_retry_after(
    fake: FakeAnthropic, provider: AnthropicProvider, streamed: bool
) -> None:
    fake.then(Status(429, "rate_limit_error", "slow down", headers={"Retry-After": "7"}))
    error = await failure(provider, req(), streamed)
    assert error.outcome == Outcome.RATE_LIMITED
    assert error.retry_after_s == 7.0
    assert error.retryable


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
async def test_hung_upstream_times_out(
    fake: FakeAnthropic, provider: AnthropicProvider, streamed: bool
) -> None:
    fake.then(Hang())
    loop = asyncio.get_running_loop()
    start = loop.time()
    error = await failure(provider, req(timeout_s=0.3), streamed)
    assert error.outcome == Outcome.TIMEOUT
    assert loop.time() - start < 2.0
    await asyncio.wait_for(fake.last.closed.wait(), 2.0)


async def test_stream_hung_mid_answer_times_out(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.then(Reply(gate=asyncio.Event()))
    deltas: list[StreamItem] = []
    with pytest.raises(ProviderError) as caught:
        async for item in provider.stream(req(timeout_s=0.4)):
            deltas.append(item)
    assert caught.value.outcome == Outcome.TIMEOUT
    assert deltas == ["Hello", ", ", "world", "!"]


async def test_stream_cut_before_message_stop_is_never_an_answer(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.then(Cut(after_events=5))  # message_start, block start, ping, two deltas
    deltas: list[StreamItem] = []
    with pytest.raises(ProviderError) as caught:
        async for item in provider.stream(req()):
            deltas.append(item)
    assert caught.value.outcome == Outcome.UNAVAILABLE
    assert "stream cut" in caught.value.message
    assert deltas == ["Hello", ", "]


async def test_stream_reset_mid_answer(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.then(Reset(after_events=4))
    deltas: list[StreamItem] = []
    with pytest.raises(ProviderError) as caught:
        async for item in provider.stream(req()):
            deltas.append(item)
    assert caught.value.outcome == Outcome.UNAVAILABLE
    assert deltas == ["Hello"]


@pytest.mark.parametrize(
    ("error_type", "message", "outcome"),
    [
        ("overloaded_error", "Overloaded", Outcome.UNAVAILABLE),
        ("api_error", "Internal server error", Outcome.UNAVAILABLE),
        ("rate_limit_error", "Number of request tokens has exceeded your rate limit", Outcome.RATE_LIMITED),
        (
            "invalid_request_error",
            "prompt is too long: 201000 tokens > 200000 maximum",
            Outcome.CONTEXT_TOO_LONG,
        ),
        ("some_future_error", "who knows", Outcome.UNAVAILABLE),
    ],
)
async def test_error_event_mid_stream(
    fake: FakeAnthropic, provider: AnthropicProvider, error_type: str, message: str, outcome: str
) -> None:
    fake.then(StreamError(error_type, message, after_events=4))
    deltas: list[StreamItem] = []
    with pytest.raises(ProviderError) as caught:
        async for item in provider.stream(req()):
            deltas.append(item)
    assert caught.value.outcome == outcome
    # The caller's text names the error type; the upstream's own words go only to the log.
    assert error_type in caught.value.message and message not in caught.value.message
    assert message[:20] in caught.value.detail
    assert deltas == ["Hello"]


BAD_SHAPES_UNARY = [
    "not json at all",
    "[1, 2]",
    '{"content": "a string, not blocks"}',
    '{"content": [{"type": "text", "text": 42}]}',
    '{"content": [{"text": "no type"}]}',
    '{"content": [], "usage": {"input_tokens": "many", "output_tokens": 1}}',
    '{"content": [], "stop_reason": 7}',
]


@pytest.mark.parametrize("body", BAD_SHAPES_UNARY)
async def test_unary_bad_shapes(fake: FakeAnthropic, provider: AnthropicProvider, body: str) -> None:
    fake.then(Malformed(body))
    assert (await failure(provider, req(), streamed=False)).outcome == Outcome.BAD_RESPONSE


async def test_unary_error_object_in_a_200(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.then(Malformed('{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'))
    assert (await failure(provider, req(), streamed=False)).outcome == Outcome.UNAVAILABLE


BAD_EVENTS: list[tuple[str, str]] = [
    ("content_block_delta", "{broken"),
    ("content_block_delta", '{"type": "content_block_delta", "delta": {"type": "text_delta", "text": null}}'),
    ("content_block_delta", '{"type": "content_block_delta", "delta": "text"}'),
    ("content_block_delta", '{"type": "content_block_delta"}'),
    ("message_delta", '{"type": "message_delta", "delta": {"stop_reason": 1}}'),
    ("message_delta", '{"type": "message_delta", "delta": {}, "usage": {"output_tokens": -1}}'),
    ("message_start", '{"type": "message_start", "message": []}'),
    ("content_block_delta", "[]"),
]


@pytest.mark.parametrize(("event", "data"), BAD_EVENTS)
async def test_stream_bad_shapes(
    fake: FakeAnthropic, provider: AnthropicProvider, event: str, data: str
) -> None:
    fake.then(Malformed(data, after_events=3, event=event))
    assert (await failure(provider, req(), streamed=True)).outcome == Outcome.BAD_RESPONSE


async def test_unknown_events_and_deltas_are_ignored(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    extra = (
        '{"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta", "citation": {}}}'
    )
    fake.then(
        Malformed(extra, after_events=3), Malformed('{"type": "future_event", "x": 1}', event="future_event")
    )
    assert (await collect(provider, req()))[1].text == "Hello, world!"
    assert (await collect(provider, req()))[1].text == "Hello, world!"


async def test_unreachable_upstream(fake: FakeAnthropic) -> None:
    async with FakeAnthropic() as gone:
        url = gone.base_url
    p = AnthropicProvider(url, "k", 1)
    try:
        for streamed in (False, True):
            assert (await failure(p, req(), streamed)).outcome == Outcome.UNAVAILABLE
        with pytest.raises(ProviderError) as caught:
            await p.probe(1.0)
        assert caught.value.outcome == Outcome.UNAVAILABLE
    finally:
        await p.close()


# --- Probe -----------------------------------------------------------------------


async def test_probe_ok(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    await provider.probe(1.0)
    seen = fake.last
    assert (seen.method, seen.path) == ("GET", "/v1/models?limit=1")
    assert seen.headers["x-api-key"] == "sk-test"
    assert seen.headers["anthropic-version"] == "2023-06-01"


@pytest.mark.parametrize(
    ("behaviour", "outcome"),
    [
        (Status(401, "authentication_error", "invalid x-api-key"), Outcome.AUTH_FAILED),
        (Status(529, "overloaded_error", "Overloaded"), Outcome.UNAVAILABLE),
        (Status(500), Outcome.UNAVAILABLE),
        (Hang(), Outcome.TIMEOUT),
    ],
    ids=["401", "529", "500", "hung"],
)
async def test_probe_failing(
    fake: FakeAnthropic, provider: AnthropicProvider, behaviour: Behaviour, outcome: str
) -> None:
    fake.then(behaviour)
    with pytest.raises(ProviderError) as caught:
        await provider.probe(0.3)
    assert caught.value.outcome == outcome


# --- build -----------------------------------------------------------------------


def spec(**overrides: Any) -> ModelSpec:
    fields: dict[str, Any] = {
        "id": "claude",
        "provider": "anthropic",
        "upstream_model": "claude-fake-1",
        "capabilities": frozenset({"chat"}),
        "context_window": 200_000,
        "pricing": Pricing(3.0, 15.0),
        "quality": {"default": 0.9},
        "latency": LatencyProfile(500, 60),
        "labels": {},
        "deployments": (),
        "balancer": "latency_p2c",
        "timeout_s": 30.0,
        "max_concurrency": 8,
        "base_url": "http://model.example/v1",
    }
    fields.update(overrides)
    return ModelSpec(**fields)


async def test_build_takes_the_deployment_url(fake: FakeAnthropic) -> None:
    p = build(spec(), Deployment("a", fake.base_url), "sk-build")
    try:
        assert p.base_url == fake.base_url
        assert (await p.complete(req())).text == "Hello, world!"
        assert fake.last.headers["x-api-key"] == "sk-build"
    finally:
        await p.close()
    assert build(spec(), Deployment("default", None), None).base_url == "http://model.example/v1"
    assert build(spec(base_url=None), Deployment("d", None), None).base_url == "https://api.anthropic.com/v1"
