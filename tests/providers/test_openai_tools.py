"""The OpenAI-compatible adapter with whole requests, against a real HTTP server
speaking the wire format (`fake_openai`, taught here to answer with tool calls):
the exact body sent for images, tools, tool choice, tool turns and response
formats; tool calls translated back, unary and streamed (pieces of two calls
interleaved); and the BAD_RESPONSE of a tool call of the wrong shape."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from modelrouter.conversation import (
    ChatMessage,
    FormatType,
    ImagePart,
    ResponseFormat,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolChoiceMode,
    ToolSpec,
)
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.providers.openai import OpenAIProvider
from modelrouter.selection.estimate import estimate_input_tokens, estimate_text_tokens
from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_openai import FakeOpenAI, Received, Reply
from tests.support import serving

# --- The fake, answering with the API's own JSON ------------------------------------------


@dataclass(frozen=True)
class Scripted(Reply):
    """An answer written as the API's own JSON. Unary: `message` is the answer's
    `choices[0].message`. Streamed: a role chunk, one chunk per `deltas` item (its
    `choices[0].delta`), then the finish chunk, the usage chunk and [DONE], as for
    a Reply. `ignore_stream`: a streaming request gets the unary answer."""

    message: dict[str, Any] = field(default_factory=dict)
    deltas: tuple[dict[str, Any], ...] = ()
    ignore_stream: bool = False


class FakeOpenAITools(FakeOpenAI):
    """The fake, plus `Scripted` answers; everything else as `FakeOpenAI`."""

    def _completion(self, received: Received) -> dict[str, Any]:
        answer = super()._completion(received)
        if isinstance(received.behaviour, Scripted):
            answer["choices"][0]["message"] = received.behaviour.message
        return answer

    async def _stream(self, request: web.Request, received: Received) -> web.StreamResponse:
        scripted = received.behaviour
        if not isinstance(scripted, Scripted):
            return await super()._stream(request, received)
        if scripted.ignore_stream:
            received.completed = True
            return self._json(self._completion(received))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)

        async def send(obj: dict[str, Any]) -> None:
            await response.write(f"data: {json.dumps(obj)}\n\n".encode())
            await asyncio.sleep(scripted.chunk_delay_s)

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [choice]}

        await send(chunk({"role": "assistant", "content": None}))
        for i, delta in enumerate(scripted.deltas):
            await send(chunk(delta))
            received.chunks_sent += 1
            if i == 0 and scripted.hold_after_first is not None:
                await scripted.hold_after_first.wait()
        await send(chunk({}, scripted.finish_reason))
        if scripted.usage is not None:
            usage = {"prompt_tokens": scripted.usage[0], "completion_tokens": scripted.usage[1]}
            await send({"id": "chatcmpl-fake", "choices": [], "usage": usage})
        await response.write(b"data: [DONE]\n\n")
        received.completed = True
        await response.write_eof()
        return response


# --- Requests ----------------------------------------------------------------------------

WEATHER = ToolSpec(
    "get_weather",
    "The weather now in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
CLOCK = ToolSpec("get_time", "", {"type": "object", "properties": {"tz": {"type": "string"}}})
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PNG_B64 = "iVBORw0KGgoAAAANSUhEUg=="
USER = (ChatMessage("user", "Weather in Paris, and the time in UTC?"),)


def request(
    messages: tuple[ChatMessage, ...] = USER,
    *,
    tools: tuple[ToolSpec, ...] = (),
    tool_choice: ToolChoice | None = None,
    response_format: ResponseFormat | None = None,
    max_response_bytes: int = 4 * 1024 * 1024,
) -> CompletionRequest:
    return CompletionRequest(
        "fake-model",
        messages,
        None,
        None,
        (),
        5.0,
        max_response_bytes,
        tools=tools,
        tool_choice=tool_choice,
        response_format=response_format,
    )


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeOpenAITools]:
    fake = FakeOpenAITools()
    async with fake:
        yield fake


@pytest_asyncio.fixture
async def provider(server: FakeOpenAITools) -> AsyncIterator[OpenAIProvider]:
    p = OpenAIProvider(server.base_url, api_key="sk-test")
    try:
        yield p
    finally:
        await p.close()


async def collect(stream: AsyncIterator[StreamItem]) -> tuple[list[str | ToolCallDelta], Completion]:
    items: list[str | ToolCallDelta] = []
    completions: list[Completion] = []
    async for item in stream:
        if isinstance(item, Completion):
            completions.append(item)
        else:
            assert not completions, "a piece after the Completion"
            items.append(item)
    assert len(completions) == 1
    return items, completions[0]


async def failure(call: object) -> ProviderError:
    """The ProviderError a unary call or a whole stream ends with."""
    with pytest.raises(ProviderError) as caught:
        if isinstance(call, AsyncIterator):
            await collect(call)
        else:
            await call  # type: ignore[misc]
    return caught.value


# --- The body sent -------------------------------------------------------------------------


async def test_body_with_images_by_url_and_by_bytes(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    messages = (
        ChatMessage("system", "Describe images briefly."),
        ChatMessage(
            "user",
            "",
            parts=(
                "What is in these two? ",
                ImagePart(url="https://example.com/cat.jpg"),
                ImagePart(data=PNG, media_type="image/png"),
                "Answer in one line.",
            ),
        ),
    )
    await provider.complete(request(messages))
    assert server.requests[-1].body == {
        "model": "fake-model",
        "messages": [
            {"role": "system", "content": "Describe images briefly."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these two? "},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                    {"type": "text", "text": "Answer in one line."},
                ],
            },
        ],
        "stream": False,
    }


async def test_body_with_tools_and_a_tool_turn(server: FakeOpenAITools, provider: OpenAIProvider) -> None:
    messages = (
        *USER,
        ChatMessage(
            "assistant",
            "",
            tool_calls=(
                ToolCall("call_a", "get_weather", '{"city": "Paris"}'),
                ToolCall("call_b", "get_time", '{"tz": "UTC"}'),
            ),
        ),
        ChatMessage("tool", '{"temp_c": 18}', tool_call_id="call_a"),
        ChatMessage("tool", "12:00", tool_call_id="call_b"),
        ChatMessage("assistant", "Let me check again.", tool_calls=(ToolCall("call_c", "get_time", "{}"),)),
        ChatMessage("tool", "12:01", tool_call_id="call_c"),
    )
    await provider.complete(request(messages, tools=(WEATHER, CLOCK)))
    assert server.requests[-1].body == {
        "model": "fake-model",
        "messages": [
            {"role": "user", "content": "Weather in Paris, and the time in UTC?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": '{"tz": "UTC"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": '{"temp_c": 18}'},
            {"role": "tool", "tool_call_id": "call_b", "content": "12:00"},
            {
                "role": "assistant",
                "content": "Let me check again.",
                "tool_calls": [
                    {"id": "call_c", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_c", "content": "12:01"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "The weather now in a city.",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            },
            # No description: none is sent.
            {
                "type": "function",
                "function": {
                    "name": "get_time",
                    "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}},
                },
            },
        ],
        "stream": False,
    }


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        (ToolChoice(ToolChoiceMode.AUTO), "auto"),
        (ToolChoice(ToolChoiceMode.NONE), "none"),
        (ToolChoice(ToolChoiceMode.REQUIRED), "required"),
        (
            ToolChoice(ToolChoiceMode.TOOL, "get_weather"),
            {"type": "function", "function": {"name": "get_weather"}},
        ),
    ],
)
async def test_body_with_each_tool_choice(
    server: FakeOpenAITools, provider: OpenAIProvider, choice: ToolChoice, sent: object
) -> None:
    await provider.complete(request(tools=(WEATHER,), tool_choice=choice))
    assert server.requests[-1].body == {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "Weather in Paris, and the time in UTC?"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "The weather now in a city.",
                    "parameters": WEATHER.parameters,
                },
            }
        ],
        "tool_choice": sent,
        "stream": False,
    }


SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp_c": {"type": "number"}},
    "required": ["city", "temp_c"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("fmt", "sent"),
    [
        (ResponseFormat(FormatType.TEXT), None),
        (ResponseFormat(FormatType.JSON_OBJECT), {"type": "json_object"}),
        (
            ResponseFormat(FormatType.JSON_SCHEMA, "weather", SCHEMA, strict=True),
            {"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA, "strict": True}},
        ),
        (
            ResponseFormat(FormatType.JSON_SCHEMA, "weather", SCHEMA),
            {"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA, "strict": False}},
        ),
    ],
)
async def test_body_with_each_response_format(
    server: FakeOpenAITools, provider: OpenAIProvider, fmt: ResponseFormat, sent: object
) -> None:
    await provider.complete(request(response_format=fmt))
    expected: dict[str, Any] = {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "Weather in Paris, and the time in UTC?"}],
        "stream": False,
    }
    if sent is not None:  # TEXT is the default: sent as nothing
        expected["response_format"] = sent
    assert server.requests[-1].body == expected


@pytest.mark.parametrize(
    ("fmt", "sent"),
    [
        (ResponseFormat(FormatType.JSON_OBJECT), {"type": "json_object"}),
        (
            ResponseFormat(FormatType.JSON_SCHEMA, "weather", SCHEMA),
            {"type": "json_object", "schema": SCHEMA},
        ),
    ],
)
async def test_a_server_taking_the_schema_in_json_object_gets_it_there(
    server: FakeOpenAITools, fmt: ResponseFormat, sent: object
) -> None:
    """`structured_output: json_object_schema` (llama-cpp-python's server, which
    refuses OpenAI's json_schema shape with a 500 and enforces this one)."""
    p = OpenAIProvider(server.base_url, structured_output="json_object_schema")
    try:
        await p.complete(request(response_format=fmt))
        async for _ in p.stream(request(response_format=fmt)):
            pass
    finally:
        await p.close()
    assert [r.body["response_format"] for r in server.requests[-2:]] == [sent, sent]


async def test_streamed_body_carries_the_same(server: FakeOpenAITools, provider: OpenAIProvider) -> None:
    fmt = ResponseFormat(FormatType.JSON_OBJECT)
    await collect(
        provider.stream(
            request(tools=(CLOCK,), tool_choice=ToolChoice(ToolChoiceMode.REQUIRED), response_format=fmt)
        )
    )
    assert server.requests[-1].body == {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "Weather in Paris, and the time in UTC?"}],
        "tools": [{"type": "function", "function": {"name": "get_time", "parameters": CLOCK.parameters}}],
        "tool_choice": "required",
        "response_format": {"type": "json_object"},
        "stream": True,
        "stream_options": {"include_usage": True},
    }


# --- Tool calls back, unary ----------------------------------------------------------------

CALLS_JSON = [
    {
        "id": "call_a",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    },
    {"id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": "UTC"}'}},
]
CALLS = (
    ToolCall("call_a", "get_weather", '{"city": "Paris"}'),
    ToolCall("call_b", "get_time", '{"tz": "UTC"}'),
)


async def test_unary_tool_calls(server: FakeOpenAITools, provider: OpenAIProvider) -> None:
    message = {"role": "assistant", "content": None, "tool_calls": CALLS_JSON}
    server.script(Scripted(message=message, finish_reason="tool_calls", usage=(40, 22)))
    completion = await provider.complete(request(tools=(WEATHER, CLOCK)))
    assert completion == Completion("", "tool_calls", 40, 22, usage_reported=True, tool_calls=CALLS)


async def test_unary_text_and_tool_calls_without_usage(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    message = {"role": "assistant", "content": "Checking.", "tool_calls": CALLS_JSON}
    server.script(Scripted(message=message, finish_reason="tool_calls", usage=None))
    completion = await provider.complete(request(tools=(WEATHER, CLOCK)))
    written = "Checking." + "get_weather" + '{"city": "Paris"}' + "get_time" + '{"tz": "UTC"}'
    assert completion == Completion(
        "Checking.",
        "tool_calls",
        estimate_input_tokens(USER),
        estimate_text_tokens(written),  # the calls were written by the model too
        usage_reported=False,
        tool_calls=CALLS,
    )


@pytest.mark.parametrize(
    ("said", "reported"),
    [
        # OpenAI says "stop" when tool_choice named the tool; still an answer of calls.
        ("stop", "tool_calls"),
        (None, "tool_calls"),
        # Cut short: the arguments may be incomplete, which the caller must know.
        ("length", "length"),
    ],
)
async def test_finish_reason_with_tool_calls(
    server: FakeOpenAITools, provider: OpenAIProvider, said: str | None, reported: str
) -> None:
    message = {"role": "assistant", "content": None, "tool_calls": CALLS_JSON[:1]}
    server.script(Scripted(message=message, finish_reason=said))
    completion = await provider.complete(request(tools=(WEATHER,)))
    assert (completion.finish_reason, completion.tool_calls) == (reported, CALLS[:1])


async def test_unary_without_tool_calls_has_none(server: FakeOpenAITools, provider: OpenAIProvider) -> None:
    message = {"role": "assistant", "content": '{"city": "Paris", "temp_c": 18}', "tool_calls": []}
    server.script(Scripted(message=message))
    completion = await provider.complete(request(response_format=ResponseFormat(FormatType.JSON_OBJECT)))
    assert completion == Completion('{"city": "Paris", "temp_c": 18}', "stop", 12, 5, True)


# --- Tool calls back, streamed -----------------------------------------------------------


def piece(index: int, arguments: str | None = None, **first: str) -> dict[str, Any]:
    """One streamed tool-call piece: `first` is id= and name= on a call's first piece."""
    function: dict[str, Any] = {}
    if "name" in first:
        function["name"] = first["name"]
    if arguments is not None:
        function["arguments"] = arguments
    out: dict[str, Any] = {"index": index, "function": function}
    if "id" in first:
        out["id"] = first["id"]
        out["type"] = "function"
    return out


START = {"tool_calls": [piece(0, "", id="call_a", name="get_weather")]}
"""A well-formed first piece of call 0."""


INTERLEAVED = (
    {"tool_calls": [piece(0, "", id="call_a", name="get_weather")]},
    {"tool_calls": [piece(1, '{"tz"', id="call_b", name="get_time")]},
    {"tool_calls": [piece(0, '{"city": ')]},
    {"tool_calls": [piece(1, ': "UTC"}')]},
    {"tool_calls": [piece(0, '"Paris"}')]},
)


async def test_stream_of_two_interleaved_tool_calls(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    server.script(Scripted(deltas=INTERLEAVED, finish_reason="tool_calls", usage=(40, 22)))
    items, completion = await collect(provider.stream(request(tools=(WEATHER, CLOCK))))
    assert items == [
        ToolCallDelta(0, "call_a", "get_weather", ""),
        ToolCallDelta(1, "call_b", "get_time", '{"tz"'),
        ToolCallDelta(0, arguments='{"city": '),
        ToolCallDelta(1, arguments=': "UTC"}'),
        ToolCallDelta(0, arguments='"Paris"}'),
    ]
    assert completion == Completion("", "tool_calls", 40, 22, usage_reported=True, tool_calls=CALLS)


async def test_stream_of_text_then_calls_several_pieces_per_chunk(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    deltas = (
        {"content": "Checking "},
        {"content": "both."},
        # Both calls start in one chunk; the second piece of 0 repeats its id and
        # name (some servers do), which adds nothing.
        {
            "tool_calls": [
                piece(0, '{"city": "Paris"}', id="call_a", name="get_weather"),
                piece(1, None, id="call_b", name="get_time"),
            ]
        },
        {"tool_calls": [piece(0, "", id="call_a", name="get_weather"), piece(1, '{"tz": "UTC"}')]},
    )
    server.script(Scripted(deltas=deltas, finish_reason="stop", usage=None))
    items, completion = await collect(provider.stream(request(tools=(WEATHER, CLOCK))))
    assert items == [
        "Checking ",
        "both.",
        ToolCallDelta(0, "call_a", "get_weather", '{"city": "Paris"}'),
        ToolCallDelta(1, "call_b", "get_time", ""),
        ToolCallDelta(1, arguments='{"tz": "UTC"}'),
    ]
    written = "Checking both." + "get_weather" + '{"city": "Paris"}' + "get_time" + '{"tz": "UTC"}'
    assert completion == Completion(
        "Checking both.",
        "tool_calls",
        estimate_input_tokens(USER),
        estimate_text_tokens(written),
        usage_reported=False,
        tool_calls=CALLS,
    )


async def test_first_tool_call_piece_arrives_before_the_rest_is_sent(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    gate = asyncio.Event()
    server.script(Scripted(deltas=INTERLEAVED, finish_reason="tool_calls", hold_after_first=gate))
    stream = provider.stream(request(tools=(WEATHER, CLOCK)))
    first = await asyncio.wait_for(anext(stream), 2.0)
    assert first == ToolCallDelta(0, "call_a", "get_weather", "")
    assert not server.requests[-1].completed  # the server is still holding the rest back
    gate.set()
    items, completion = await collect(stream)
    assert len(items) == 4
    assert completion.tool_calls == CALLS


async def test_a_server_that_ignores_stream_still_gives_the_calls(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    message = {"role": "assistant", "content": "Checking.", "tool_calls": CALLS_JSON}
    server.script(Scripted(message=message, finish_reason="tool_calls", ignore_stream=True))
    items, completion = await collect(provider.stream(request(tools=(WEATHER, CLOCK))))
    assert items == [
        "Checking.",
        ToolCallDelta(0, "call_a", "get_weather", '{"city": "Paris"}'),
        ToolCallDelta(1, "call_b", "get_time", '{"tz": "UTC"}'),
    ]
    assert completion == Completion("Checking.", "tool_calls", 12, 5, usage_reported=True, tool_calls=CALLS)


async def test_streamed_tool_calls_count_against_max_response_bytes(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    # 2 KiB of arguments against a 1 KiB limit: the text is empty, the calls are not.
    deltas = (START, *({"tool_calls": [piece(0, "x" * 256)]} for _ in range(8)))
    server.script(Scripted(deltas=deltas, finish_reason="tool_calls"))
    stream = provider.stream(request(tools=(WEATHER,), max_response_bytes=1024))
    received: list[StreamItem] = []
    with pytest.raises(ProviderError) as caught:
        async for item in stream:
            received.append(item)
    assert caught.value.outcome == Outcome.BAD_RESPONSE
    assert caught.value.message == "streamed text larger than 1024 bytes"
    # What fitted was handed on first: the call's start and three pieces of 256.
    assert len(received) == 4


# --- Tool calls of the wrong shape ------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "said"),
    [
        ({"id": "call_a"}, "tool_calls is not a list"),
        (["call_a"], "call 0 is not an object"),
        ([{"id": "call_a", "type": "function"}], "call 0 has no function"),
        ([{"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}], "call 0 has no id"),
        ([{"id": "", "function": {"name": "get_weather", "arguments": "{}"}}], "call 0 has no id"),
        ([CALLS_JSON[0], {"id": "call_b", "function": {"arguments": "{}"}}], "call 1 has no function name"),
        (
            # Some servers send the arguments as an object: not what OpenAI's format says.
            [{"id": "call_a", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}],
            "call 0 has arguments that are not a string",
        ),
        (
            [{"id": "call_a", "function": {"name": "get_weather"}}],
            "call 0 has arguments that are not a string",
        ),
    ],
)
async def test_malformed_unary_tool_call_is_bad_response(
    server: FakeOpenAITools, provider: OpenAIProvider, calls: object, said: str
) -> None:
    message = {"role": "assistant", "content": None, "tool_calls": calls}
    server.script(Scripted(message=message, finish_reason="tool_calls"))
    error = await failure(provider.complete(request(tools=(WEATHER, CLOCK))))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == f"a malformed tool call in the answer ({said})"
    # The upstream's words go to the log's detail only.
    assert "get_weather" not in error.message
    assert '"tool_calls"' in error.detail and "/chat/completions" in error.detail


@pytest.mark.parametrize(
    ("deltas", "said"),
    [
        (({"tool_calls": {"index": 0}},), "tool_calls is not a list"),
        (({"tool_calls": ["call_a"]},), "a tool call piece is not an object"),
        (
            ({"tool_calls": [{"id": "call_a", "function": {"name": "get_weather"}}]},),
            "a tool call piece has no valid index",
        ),
        (
            ({"tool_calls": [piece(-1, "", id="call_a", name="get_weather")]},),
            "a tool call piece has no valid index",
        ),
        (({"tool_calls": [piece(0, "{}", name="get_weather")]},), "call 0 has no id"),
        (({"tool_calls": [piece(0, "{}", id="call_a")]},), "call 0 has no function name"),
        (
            ({"tool_calls": [{"index": 0, "id": "call_a", "function": "get_weather"}]},),
            "call 0 has a function that is not an object",
        ),
        (
            (START, {"tool_calls": [{"index": 0, "function": {"arguments": {"city": "Paris"}}}]}),
            "call 0 has arguments that are not a string",
        ),
    ],
)
async def test_malformed_streamed_tool_call_is_bad_response(
    server: FakeOpenAITools, provider: OpenAIProvider, deltas: tuple[dict[str, Any], ...], said: str
) -> None:
    server.script(Scripted(deltas=deltas, finish_reason="tool_calls"))
    error = await failure(provider.stream(request(tools=(WEATHER,))))
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == f"a malformed tool call in the answer ({said})"
    assert "tool_calls" in error.detail and "tool_calls" not in error.message.removesuffix(f"({said})")


async def test_a_streamed_call_whose_id_changes_is_bad_response(
    server: FakeOpenAITools, provider: OpenAIProvider
) -> None:
    deltas = (
        {"tool_calls": [piece(0, '{"city": ', id="call_a", name="get_weather")]},
        {"tool_calls": [piece(0, '"Paris"}', id="call_z", name="get_weather")]},
    )
    server.script(Scripted(deltas=deltas, finish_reason="tool_calls"))
    stream = provider.stream(request(tools=(WEATHER,)))
    assert await anext(stream) == ToolCallDelta(0, "call_a", "get_weather", '{"city": ')
    error = await failure(stream)
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == "a malformed tool call in the answer (call 0 changed its id or name mid-stream)"


# --- End to end: through the router's API -------------------------------------------------


def routed(base_url: str) -> str:
    return f"""
models:
  - {{id: tooled, provider: openai, base_url: "{base_url}", upstream_model: fake-model,
     capabilities: [chat, streaming, tools], context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
"""


async def test_end_to_end_a_tool_call_round_trip(server: FakeOpenAITools) -> None:
    weather = pb.Tool(
        name="get_weather", description=WEATHER.description, parameters=json.dumps(WEATHER.parameters)
    )
    clock = pb.Tool(name="get_time", parameters=json.dumps(CLOCK.parameters))
    user = pb.ChatMessage(role="user", content="Weather in Paris, and the time in UTC?")
    bypass = pb.CACHE_POLICY_BYPASS  # each call here must reach the fake
    async with serving(routed(server.base_url)) as served:
        # 1. Unary: the model calls the tool it was told to.
        message = {"role": "assistant", "content": None, "tool_calls": CALLS_JSON[:1]}
        server.script(Scripted(message=message, finish_reason="stop", usage=(40, 22)))
        choice = pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_weather")
        reply = await served.stub.Invoke(
            pb.InvokeRequest(
                model="tooled", messages=[user], tools=[weather], tool_choice=choice, cache=bypass
            ),
            timeout=10,
        )
        assert [(c.id, c.name, c.arguments) for c in reply.tool_calls] == [
            ("call_a", "get_weather", '{"city": "Paris"}')
        ]
        assert (reply.text, reply.finish_reason) == ("", "tool_calls")
        assert server.requests[-1].body == {
            "model": "fake-model",
            "messages": [{"role": "user", "content": "Weather in Paris, and the time in UTC?"}],
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "The weather now in a city.",
                        "parameters": WEATHER.parameters,
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "stream": False,
        }

        # 2. Streamed: the call's result goes back; the model calls two more, interleaved.
        history = [
            user,
            pb.ChatMessage(role="assistant", tool_calls=reply.tool_calls),
            pb.ChatMessage(role="tool", tool_call_id="call_a", content='{"temp_c": 18}'),
        ]
        server.script(Scripted(deltas=INTERLEAVED, finish_reason="tool_calls", usage=(60, 30)))
        pieces: list[tuple[int, str, str, str]] = []
        done: list[pb.InvokeResponse] = []
        stream = served.stub.InvokeStream(
            pb.InvokeStreamRequest(model="tooled", messages=history, tools=[weather, clock], cache=bypass),
            timeout=10,
        )
        async for item in stream:
            kind = item.WhichOneof("event")
            if kind == "tool_call":
                tc = item.tool_call
                pieces.append((tc.index, tc.id, tc.name, tc.arguments))
            elif kind == "done":
                done.append(item.done)
        assert pieces == [
            (0, "call_a", "get_weather", ""),
            (1, "call_b", "get_time", '{"tz"'),
            (0, "", "", '{"city": '),
            (1, "", "", ': "UTC"}'),
            (0, "", "", '"Paris"}'),
        ]
        assert len(done) == 1
        assert [(c.id, c.name, c.arguments) for c in done[0].tool_calls] == [
            (c.id, c.name, c.arguments) for c in CALLS
        ]
        assert done[0].finish_reason == "tool_calls"
        sent = server.requests[-1].body
        assert sent["messages"] == [
            {"role": "user", "content": "Weather in Paris, and the time in UTC?"},
            {"role": "assistant", "content": "", "tool_calls": CALLS_JSON[:1]},
            {"role": "tool", "tool_call_id": "call_a", "content": '{"temp_c": 18}'},
        ]
        assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather", "get_time"]
        assert "tool_choice" not in sent
