"""The Anthropic adapter's whole requests against a real HTTP server speaking the
Messages API: images, tools, tool calls and their results, tool choice and
structured output (through a forced tool) as the exact body sent; tool_use
answers translated back, unary and streamed; malformed tool_use blocks."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

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
from modelrouter.providers.anthropic import DEFAULT_MAX_TOKENS, AnthropicProvider
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from tests.providers.fake_anthropic import Behaviour, FakeAnthropic, Malformed, Reply

# --- A fake that answers with tool_use blocks ------------------------------------------


@dataclass(frozen=True)
class Blocks:
    """An answer of the API's content blocks (`text`, `tool_use`), unary or streamed
    the API's way: a tool_use block starts with `input: {}`, then an empty
    input_json_delta, then its input's JSON in `json_pieces` pieces (none: the
    block's input comes only with its start)."""

    content: tuple[dict[str, Any], ...]
    stop_reason: str = "tool_use"
    json_pieces: int = 3
    extra: tuple[tuple[str, dict[str, Any]], ...] = ()
    """Streamed: events sent after the blocks, before message_delta."""


class ToolFake(FakeAnthropic):
    """FakeAnthropic (same server, script and records) that also plays `Blocks`."""

    def then(self, *behaviours: Behaviour | Blocks) -> ToolFake:
        # Blocks share the base class's script, in order; `_messages` plays them.
        self.script.extend(cast("tuple[Behaviour, ...]", behaviours))
        return self

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        if not (self.script and isinstance(self.script[0], Blocks)):
            return await super()._messages(request)
        rec = await self._record(request)
        blocks = rec.behaviour
        assert isinstance(blocks, Blocks)
        if rec.body.get("stream") is not True:
            rec.finished = True
            return web.json_response(_message(rec.body, list(blocks.content), blocks.stop_reason))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for name, data in _events(rec.body, blocks):
            await response.write(f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n".encode())
            rec.events.append(name)
            await asyncio.sleep(0.001)
        rec.finished = True
        await response.write_eof()
        return response


def _message(body: Any, content: list[dict[str, Any]], stop_reason: str | None) -> dict[str, Any]:
    return {
        "id": "msg_tools",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 40, "output_tokens": 1 if stop_reason is None else 25},
    }


def _events(body: Any, b: Blocks) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [("message_start", {"message": _message(body, [], None)})]
    for index, block in enumerate(b.content):
        if block["type"] == "text":
            out.append(
                ("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
            )
            delta = {"type": "text_delta", "text": block["text"]}
            out.append(("content_block_delta", {"index": index, "delta": delta}))
        else:
            start = {**block, "input": {}}
            out.append(("content_block_start", {"index": index, "content_block": start}))
            if b.json_pieces:
                encoded = json.dumps(block["input"])
                size = -(-len(encoded) // b.json_pieces)
                pieces = [""] + [encoded[i : i + size] for i in range(0, len(encoded), size)]
                out += [
                    (
                        "content_block_delta",
                        {"index": index, "delta": {"type": "input_json_delta", "partial_json": p}},
                    )
                    for p in pieces
                ]
        out.append(("content_block_stop", {"index": index}))
    out += list(b.extra)
    out.append(("message_delta", {"delta": {"stop_reason": b.stop_reason}, "usage": {"output_tokens": 25}}))
    out.append(("message_stop", {}))
    return out


# --- Fixtures and helpers ----------------------------------------------------------------

WEATHER = ToolSpec(
    "get_weather",
    "The weather now in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
CLOCK = ToolSpec("get_time", "", {"type": "object", "properties": {}})
ASK = (ChatMessage("user", "Weather in Paris and Rome?"),)
REPORT_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "celsius": {"type": "number"}},
    "required": ["city", "celsius"],
}


def req(
    messages: tuple[ChatMessage, ...] = ASK,
    *,
    tools: tuple[ToolSpec, ...] = (),
    tool_choice: ToolChoice | None = None,
    response_format: ResponseFormat | None = None,
    max_response_bytes: int = 4 * 1024 * 1024,
) -> CompletionRequest:
    return CompletionRequest(
        "claude-fake-1",
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
async def fake() -> AsyncIterator[ToolFake]:
    server = ToolFake()
    async with server:
        yield server


@pytest_asyncio.fixture
async def provider(fake: ToolFake) -> AsyncIterator[AnthropicProvider]:
    p = AnthropicProvider(fake.base_url, "sk-test", max_connections=4)
    yield p
    await p.close()


async def items(
    provider: AnthropicProvider, request: CompletionRequest
) -> tuple[list[StreamItem], Completion]:
    """A stream's pieces (text and tool call deltas), and its Completion."""
    pieces: list[StreamItem] = []
    async for item in provider.stream(request):
        pieces.append(item)
    done = pieces.pop()
    assert isinstance(done, Completion)
    assert not any(isinstance(p, Completion) for p in pieces)
    return pieces, done


async def failure(provider: AnthropicProvider, request: CompletionRequest, streamed: bool) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        if streamed:
            await items(provider, request)
        else:
            await provider.complete(request)
    return caught.value


async def body_of(fake: ToolFake, provider: AnthropicProvider, request: CompletionRequest) -> Any:
    await provider.complete(request)
    return fake.last.body


def base(messages: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    """The body the adapter sends for a unary request of these turns, and `more`."""
    return {
        "model": "claude-fake-1",
        "max_tokens": DEFAULT_MAX_TOKENS,
        "messages": messages,
        **more,
        "stream": False,
    }


# --- The request -------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
GIF = b"GIF89a\x01\x00\x01\x00"


async def test_images_become_image_blocks(fake: ToolFake, provider: AnthropicProvider) -> None:
    gif = base64.b64encode(GIF).decode()
    user = ChatMessage(
        "user",
        "",
        parts=(
            "Compare ",
            ImagePart(data=PNG, media_type="image/png"),
            "",
            ImagePart(url="https://example.com/cat.jpg"),
            ImagePart(url=f"data:image/gif;base64,{gif[:8]}\n{gif[8:]}"),
            ImagePart(url="data:image/svg+xml,%3Csvg%2F%3E"),
            " these.",
        ),
    )
    body = await body_of(fake, provider, req((ChatMessage("system", "Be brief."), user)))
    png_source = {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()}
    assert body == base(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare "},
                    {"type": "image", "source": png_source},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": gif}},
                    {
                        "type": "image",
                        "source": {
                            "type": "base64",
                            "media_type": "image/svg+xml",
                            "data": base64.b64encode(b"<svg/>").decode(),
                        },
                    },
                    {"type": "text", "text": " these."},
                ],
            }
        ],
        system="Be brief.",
    )


@pytest.mark.parametrize(
    "url", ["data:image/png;base64,not*base64", "data:;base64,AAAA", "data:image/png;base64"]
)
async def test_an_image_data_url_that_does_not_decode_is_rejected_unsent(
    fake: ToolFake, provider: AnthropicProvider, url: str
) -> None:
    request = req((ChatMessage("user", "", parts=("Look", ImagePart(url=url))),))
    for streamed in (False, True):
        error = await failure(provider, request, streamed)
        assert error.outcome == Outcome.REJECTED
        assert "data: URL" in error.message
    assert fake.received == []


async def test_a_tool_conversation(fake: ToolFake, provider: AnthropicProvider) -> None:
    paris = ToolCall("toolu_1", "get_weather", '{"city": "Paris"}')
    rome = ToolCall("toolu_2", "get_weather", '{"city":"Rome"}')
    clock = ToolCall("toolu_3", "get_time", "")
    messages = (
        ChatMessage("system", "Use the tools."),
        ChatMessage("user", "Weather in Paris and Rome?"),
        ChatMessage("assistant", "Let me look.", tool_calls=(paris, rome)),
        ChatMessage("tool", "18 C, sunny", tool_call_id="toolu_1"),
        ChatMessage("system", "Answer in English."),  # lifted out: the tool results stay one turn
        ChatMessage("tool", "24 C, clear", tool_call_id="toolu_2"),
        ChatMessage("assistant", "", tool_calls=(clock,)),
        ChatMessage("tool", "09:30", tool_call_id="toolu_3"),
        ChatMessage("user", "Thanks. And in Oslo?"),
    )
    body = await body_of(
        fake, provider, req(messages, tools=(WEATHER, CLOCK), tool_choice=ToolChoice(ToolChoiceMode.AUTO))
    )
    assert body == base(
        [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me look."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
                    {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C, sunny"},
                    {"type": "tool_result", "tool_use_id": "toolu_2", "content": "24 C, clear"},
                ],
            },
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_3", "name": "get_time", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_3", "content": "09:30"}],
            },
            {"role": "user", "content": "Thanks. And in Oslo?"},
        ],
        system="Use the tools.\n\nAnswer in English.",
        tools=[
            {
                "name": "get_weather",
                "description": "The weather now in a city.",
                "input_schema": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
            {"name": "get_time", "input_schema": {"type": "object", "properties": {}}},
        ],
        tool_choice={"type": "auto"},
    )


async def test_a_tool_result_with_an_image(fake: ToolFake, provider: AnthropicProvider) -> None:
    call = ToolCall("toolu_1", "screenshot", "{}")
    messages = (
        ChatMessage("user", "Show me."),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage(
            "tool", "", parts=("Here:", ImagePart(data=PNG, media_type="image/png")), tool_call_id="toolu_1"
        ),
    )
    body = await body_of(fake, provider, req(messages))
    png_source = {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()}
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": [{"type": "text", "text": "Here:"}, {"type": "image", "source": png_source}],
            }
        ],
    }


@pytest.mark.parametrize("arguments", ['{"city": ', "[1, 2]", '"Paris"'])
async def test_arguments_that_are_no_json_object_are_rejected_unsent(
    fake: ToolFake, provider: AnthropicProvider, arguments: str
) -> None:
    messages = (
        ChatMessage("user", "Weather?"),
        ChatMessage("assistant", "", tool_calls=(ToolCall("toolu_1", "get_weather", arguments),)),
        ChatMessage("tool", "18 C", tool_call_id="toolu_1"),
    )
    error = await failure(provider, req(messages, tools=(WEATHER,)), streamed=False)
    assert error.outcome == Outcome.REJECTED
    assert (
        error.message
        == "REJECTED: cannot send to the Messages API: a tool call's arguments are not a JSON object"
    )
    assert fake.received == []


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        (ToolChoice(ToolChoiceMode.AUTO), {"type": "auto"}),
        (ToolChoice(ToolChoiceMode.REQUIRED), {"type": "any"}),
        (ToolChoice(ToolChoiceMode.NONE), {"type": "none"}),
        (ToolChoice(ToolChoiceMode.TOOL, "get_time"), {"type": "tool", "name": "get_time"}),
    ],
    ids=["auto", "required", "none", "tool"],
)
async def test_tool_choice(
    fake: ToolFake, provider: AnthropicProvider, choice: ToolChoice, sent: dict[str, Any]
) -> None:
    body = await body_of(fake, provider, req(tools=(CLOCK,), tool_choice=choice))
    assert body == base(
        [{"role": "user", "content": "Weather in Paris and Rome?"}],
        tools=[{"name": "get_time", "input_schema": {"type": "object", "properties": {}}}],
        tool_choice=sent,
    )
    # Without tools there is nothing to choose: no tool_choice is sent.
    assert "tool_choice" not in await body_of(fake, provider, req(tool_choice=choice))


def answer_tool(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "description": "Give your answer as this tool's input.", "input_schema": schema}


async def test_structured_output_is_a_forced_tool(fake: ToolFake, provider: AnthropicProvider) -> None:
    turns = [{"role": "user", "content": "Weather in Paris and Rome?"}]
    schema = ResponseFormat(FormatType.JSON_SCHEMA, "weather_report", REPORT_SCHEMA, strict=True)
    assert await body_of(fake, provider, req(response_format=schema)) == base(
        turns,
        tools=[answer_tool("weather_report", REPORT_SCHEMA)],
        tool_choice={"type": "tool", "name": "weather_report"},
    )
    assert await body_of(fake, provider, req(response_format=ResponseFormat(FormatType.JSON_OBJECT))) == base(
        turns,
        tools=[answer_tool("response", {"type": "object"})],
        tool_choice={"type": "tool", "name": "response"},
    )
    # Free text is the default: sent as nothing.
    assert await body_of(fake, provider, req(response_format=ResponseFormat(FormatType.TEXT))) == base(turns)


WEATHER_WIRE = {
    "name": "get_weather",
    "description": "The weather now in a city.",
    "input_schema": WEATHER.parameters,
}


@pytest.mark.parametrize(
    ("choice", "tools", "sent"),
    [
        # The model may call the caller's tool or answer: a tool either way.
        (None, [WEATHER_WIRE, answer_tool("weather_report", REPORT_SCHEMA)], {"type": "any"}),
        (
            ToolChoice(ToolChoiceMode.AUTO),
            [WEATHER_WIRE, answer_tool("weather_report", REPORT_SCHEMA)],
            {"type": "any"},
        ),
        # No calls of the caller's tools: the answer, forced.
        (
            ToolChoice(ToolChoiceMode.NONE),
            [WEATHER_WIRE, answer_tool("weather_report", REPORT_SCHEMA)],
            {"type": "tool", "name": "weather_report"},
        ),
        # A call is required: that call is the answer, not JSON text.
        (ToolChoice(ToolChoiceMode.REQUIRED), [WEATHER_WIRE], {"type": "any"}),
        (
            ToolChoice(ToolChoiceMode.TOOL, "get_weather"),
            [WEATHER_WIRE],
            {"type": "tool", "name": "get_weather"},
        ),
    ],
    ids=["unset", "auto", "none", "required", "tool"],
)
async def test_structured_output_with_tools(
    fake: ToolFake,
    provider: AnthropicProvider,
    choice: ToolChoice | None,
    tools: list[dict[str, Any]],
    sent: dict[str, Any],
) -> None:
    fmt = ResponseFormat(FormatType.JSON_SCHEMA, "weather_report", REPORT_SCHEMA)
    body = await body_of(fake, provider, req(tools=(WEATHER,), tool_choice=choice, response_format=fmt))
    assert body == base(
        [{"role": "user", "content": "Weather in Paris and Rome?"}], tools=tools, tool_choice=sent
    )


async def test_the_answer_tool_never_takes_a_callers_tool_name(
    fake: ToolFake, provider: AnthropicProvider
) -> None:
    fmt = ResponseFormat(FormatType.JSON_SCHEMA, "get_weather", REPORT_SCHEMA)
    body = await body_of(fake, provider, req(tools=(WEATHER,), response_format=fmt))
    assert body["tools"] == [WEATHER_WIRE, answer_tool("get_weather_2", REPORT_SCHEMA)]
    # ... and an answer through it is the answer's text.
    fake.then(
        Blocks(({"type": "tool_use", "id": "toolu_9", "name": "get_weather_2", "input": {"city": "Oslo"}},))
    )
    done = await provider.complete(req(tools=(WEATHER,), response_format=fmt))
    assert (done.text, done.tool_calls, done.finish_reason) == ('{"city": "Oslo"}', (), "stop")


# --- The answer --------------------------------------------------------------------------

PARIS = {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}
ROME = {"type": "tool_use", "id": "toolu_01B", "name": "get_weather", "input": {"city": "Rome", "unit": "°C"}}
TWO_CALLS = Blocks(({"type": "text", "text": "Checking both."}, PARIS, ROME))
CALLS = (
    ToolCall("toolu_01A", "get_weather", json.dumps({"city": "Paris"})),
    ToolCall("toolu_01B", "get_weather", json.dumps({"city": "Rome", "unit": "°C"})),
)


async def test_unary_tool_calls(fake: ToolFake, provider: AnthropicProvider) -> None:
    fake.then(TWO_CALLS)
    done = await provider.complete(req(tools=(WEATHER,)))
    assert done == Completion("Checking both.", "tool_calls", 40, 25, usage_reported=True, tool_calls=CALLS)


async def test_streamed_tool_calls(fake: ToolFake, provider: AnthropicProvider) -> None:
    fake.then(TWO_CALLS)
    pieces, done = await items(provider, req(tools=(WEATHER,)))
    assert done == Completion("Checking both.", "tool_calls", 40, 25, usage_reported=True, tool_calls=CALLS)
    # The text, then each call: its id and name first, then its arguments in pieces.
    # A call's index is its place among the calls (0, 1), not its block's (1, 2).
    assert pieces[:2] == ["Checking both.", ToolCallDelta(0, "toolu_01A", "get_weather")]
    deltas = [p for p in pieces if isinstance(p, ToolCallDelta)]
    assert [d.index for d in deltas] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert deltas[4] == ToolCallDelta(1, "toolu_01B", "get_weather")
    for index, call in enumerate(CALLS):
        mine = [d for d in deltas if d.index == index]
        assert all(d.id == "" and d.name == "" and d.arguments for d in mine[1:])
        assert "".join(d.arguments for d in mine) == call.arguments
    assert pieces[1:] == deltas


async def test_a_streamed_call_without_argument_deltas(fake: ToolFake, provider: AnthropicProvider) -> None:
    fake.then(
        Blocks(({"type": "tool_use", "id": "toolu_7", "name": "get_time", "input": {}},), json_pieces=0)
    )
    pieces, done = await items(provider, req(tools=(CLOCK,)))
    # The start's input is the arguments: sent as one piece when the block ends.
    assert pieces == [ToolCallDelta(0, "toolu_7", "get_time"), ToolCallDelta(0, arguments="{}")]
    assert done.tool_calls == (ToolCall("toolu_7", "get_time", "{}"),)
    assert done.finish_reason == "tool_calls"


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [("tool_use", "tool_calls"), ("end_turn", "tool_calls"), ("max_tokens", "length")],
)
async def test_finish_reason_of_tool_calls(
    fake: ToolFake, provider: AnthropicProvider, streamed: bool, stop_reason: str, finish: str
) -> None:
    fake.then(Blocks((PARIS,), stop_reason=stop_reason))
    request = req(tools=(WEATHER,))
    done = (await items(provider, request))[1] if streamed else await provider.complete(request)
    assert (done.finish_reason, done.tool_calls) == (finish, CALLS[:1])


REPORT = {"city": "Paris", "celsius": 18.5, "note": '\u00e9t\u00e9 "sunny"'}


@pytest.mark.parametrize(
    "fmt", [ResponseFormat(FormatType.JSON_SCHEMA, "weather_report", REPORT_SCHEMA), None]
)
async def test_structured_output_comes_back_as_text(
    fake: ToolFake, provider: AnthropicProvider, fmt: ResponseFormat | None
) -> None:
    json_object = ResponseFormat(FormatType.JSON_OBJECT)
    name = "weather_report" if fmt is not None else "response"
    request = req(response_format=fmt or json_object)
    answer = Blocks(({"type": "tool_use", "id": "toolu_5", "name": name, "input": REPORT},))
    fake.then(answer, answer)

    done = await provider.complete(request)
    assert done == Completion(json.dumps(REPORT), "stop", 40, 25, usage_reported=True)

    pieces, streamed = await items(provider, request)
    assert all(isinstance(p, str) for p in pieces) and len(pieces) == 3
    assert "".join(str(p) for p in pieces) == json.dumps(REPORT)
    assert streamed == Completion(json.dumps(REPORT), "stop", 40, 25, usage_reported=True)
    assert json.loads(streamed.text) == REPORT


async def test_structured_output_alongside_a_call(fake: ToolFake, provider: AnthropicProvider) -> None:
    fmt = ResponseFormat(FormatType.JSON_SCHEMA, "weather_report", REPORT_SCHEMA)
    answer = {"type": "tool_use", "id": "toolu_5", "name": "weather_report", "input": REPORT}
    fake.then(Blocks((PARIS, answer)), Blocks((PARIS, answer)))
    request = req(tools=(WEATHER,), response_format=fmt)
    done = await provider.complete(request)
    assert (done.text, done.tool_calls, done.finish_reason) == (json.dumps(REPORT), CALLS[:1], "tool_calls")
    pieces, streamed = await items(provider, request)
    assert streamed == done
    assert [p.index for p in pieces if isinstance(p, ToolCallDelta)] == [0, 0, 0, 0]


async def test_streamed_tool_calls_are_held_to_max_response_bytes(
    fake: ToolFake, provider: AnthropicProvider
) -> None:
    big = {"type": "tool_use", "id": "toolu_big", "name": "get_weather", "input": {"city": "x" * 3000}}
    fake.then(Blocks((big,), json_pieces=6), Blocks((big,), json_pieces=6))
    error = await failure(provider, req(tools=(WEATHER,), max_response_bytes=1024), streamed=True)
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == "streamed text larger than 1024 bytes"
    # Within a larger limit the same answer is whole.
    _, done = await items(provider, req(tools=(WEATHER,), max_response_bytes=8192))
    assert json.loads(done.tool_calls[0].arguments) == {"city": "x" * 3000}


# --- Malformed tool_use blocks -------------------------------------------------------------

SECRET = "upstream-words-4f2a"
"""In every malformed block: the caller's message must never quote the upstream."""

BAD_BLOCKS: list[tuple[str, dict[str, Any], str]] = [
    ("no id", {"type": "tool_use", "name": SECRET, "input": {}}, "a tool_use block without an id"),
    (
        "empty id",
        {"type": "tool_use", "id": "", "name": SECRET, "input": {}},
        "a tool_use block without an id",
    ),
    (
        "name not text",
        {"type": "tool_use", "id": SECRET, "name": 7, "input": {}},
        "a tool_use block without a name",
    ),
    (
        "input not an object",
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": SECRET},
        "a tool_use block whose input is not an object",
    ),
]


@pytest.mark.parametrize(("block", "said"), [b[1:] for b in BAD_BLOCKS], ids=[b[0] for b in BAD_BLOCKS])
async def test_unary_malformed_tool_use(
    fake: ToolFake, provider: AnthropicProvider, block: dict[str, Any], said: str
) -> None:
    fake.then(
        Malformed(json.dumps({"content": [{"type": "text", "text": "x"}, block], "stop_reason": "tool_use"}))
    )
    error = await failure(provider, req(tools=(WEATHER,)), streamed=False)
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == f"unexpected answer from the Messages API: {said}"
    assert SECRET in error.detail


async def test_unary_tool_use_without_input(fake: ToolFake, provider: AnthropicProvider) -> None:
    fake.then(
        Malformed(json.dumps({"content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather"}]}))
    )
    error = await failure(provider, req(tools=(WEATHER,)), streamed=False)
    assert (
        error.message
        == "unexpected answer from the Messages API: a tool_use block whose input is not an object"
    )


@pytest.mark.parametrize(("block", "said"), [b[1:] for b in BAD_BLOCKS], ids=[b[0] for b in BAD_BLOCKS])
async def test_streamed_malformed_tool_use(
    fake: ToolFake, provider: AnthropicProvider, block: dict[str, Any], said: str
) -> None:
    start = json.dumps({"type": "content_block_start", "index": 1, "content_block": block})
    fake.then(Malformed(start, after_events=3, event="content_block_start"))
    error = await failure(provider, req(tools=(WEATHER,)), streamed=True)
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == f"unexpected answer from the Messages API: {said}"
    assert SECRET in error.detail


def json_delta(index: Any, partial: Any) -> dict[str, Any]:
    return {"index": index, "delta": {"type": "input_json_delta", "partial_json": partial}}


BAD_STREAMS: list[tuple[str, Blocks, str]] = [
    (
        "arguments for no tool_use block",
        Blocks((PARIS,), extra=(("content_block_delta", json_delta(5, '{"a": 1}')),)),
        "an input_json_delta outside a tool_use block",
    ),
    (
        "arguments not text",
        Blocks((PARIS,), extra=(("content_block_delta", json_delta(0, None)),)),
        "event content_block_delta (TypeError)",
    ),
    (
        "index not a number",
        Blocks((PARIS,), extra=(("content_block_delta", json_delta("0", "}")),)),
        "event content_block_delta (TypeError)",
    ),
    (
        "block start without index",
        Blocks((), extra=(("content_block_start", {"content_block": PARIS}),)),
        "event content_block_start (KeyError)",
    ),
]


@pytest.mark.parametrize(("blocks", "said"), [b[1:] for b in BAD_STREAMS], ids=[b[0] for b in BAD_STREAMS])
async def test_streamed_malformed_arguments(
    fake: ToolFake, provider: AnthropicProvider, blocks: Blocks, said: str
) -> None:
    fake.then(blocks)
    error = await failure(provider, req(tools=(WEATHER,)), streamed=True)
    assert error.outcome == Outcome.BAD_RESPONSE
    assert error.message == f"unexpected answer from the Messages API: {said}"


async def test_plain_text_answers_are_unchanged_with_tools_offered(
    fake: ToolFake, provider: AnthropicProvider
) -> None:
    fake.then(Reply(chunks=("No ", "tools needed.")), Reply(chunks=("No ", "tools needed.")))
    done = await provider.complete(req(tools=(WEATHER,)))
    assert (done.text, done.finish_reason, done.tool_calls) == ("No tools needed.", "stop", ())
    pieces, streamed = await items(provider, req(tools=(WEATHER,)))
    assert pieces == ["No ", "tools needed."]
    assert streamed == done
