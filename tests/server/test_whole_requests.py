"""Whole requests through a real server: tools and tool calls, images, response
formats and the decision view.

Every invalid shape is INVALID_ARGUMENT INVALID_REQUEST naming its field; what a
request uses becomes a requirement of selection (and a named model lacking it is
refused); the response cache tells apart requests that differ only in tools,
format or an image byte, and replays tool calls whole; BASIC answers carry the
chosen model's entry only; the simulated provider calls tools, answers with their
results and writes JSON that matches the schema asked for, unary and streamed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from tests.support import ErrorDetails, Served, details_of, select_error, serving

# -- requests ------------------------------------------------------------------------

USER = pb.ChatMessage(role="user", content="Paris")
WEATHER = pb.Tool(
    name="get_weather",
    description="The weather in a city",
    parameters=json.dumps(
        {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit"],
        }
    ),
)
CLOCK = pb.Tool(name="get_time", description="The time in a city", parameters="")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def image(**fields: Any) -> pb.ContentPart:
    return pb.ContentPart(image=pb.Image(**fields))


def call(
    call_id: str = "call_1", name: str = "get_weather", arguments: str = '{"city": "Paris"}'
) -> pb.ToolCall:
    return pb.ToolCall(id=call_id, name=name, arguments=arguments)


def asked(call_id: str = "call_1", *more: pb.ToolCall) -> pb.ChatMessage:
    """An assistant message calling a tool."""
    return pb.ChatMessage(role="assistant", tool_calls=[call(call_id), *more])


def answered(call_id: str = "call_1", content: str = '{"temp": 21}') -> pb.ChatMessage:
    return pb.ChatMessage(role="tool", tool_call_id=call_id, content=content)


def invoke(*messages: pb.ChatMessage, **fields: Any) -> pb.InvokeRequest:
    """An Invoke of a model that can serve everything, unless `fields` say otherwise."""
    fields.setdefault("model", "vision-pro")
    return pb.InvokeRequest(messages=list(messages or [USER]), **fields)


def schema_format(schema: str, name: str = "answer", **fields: Any) -> pb.ResponseFormat:
    return pb.ResponseFormat(
        type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA, schema_name=name, schema=schema, **fields
    )


def with_enum(build: Callable[[pb.InvokeRequest], None]) -> pb.InvokeRequest:
    """A request with an enum field set to a number no enum value has (proto3
    keeps it as the number)."""
    request = invoke(tools=[WEATHER])
    build(request)
    return request


def _tool_choice_99(r: pb.InvokeRequest) -> None:
    r.tool_choice.mode = 99  # type: ignore[assignment]


def _format_7(r: pb.InvokeRequest) -> None:
    r.response_format.type = 7  # type: ignore[assignment]


def _view_9(r: pb.InvokeRequest) -> None:
    r.decision_view = 9  # type: ignore[assignment]


INVALID: list[tuple[str, pb.InvokeRequest, str]] = [
    # messages: roles and tool calls
    ("a tool message without tool_call_id", invoke(USER, asked(), answered("")), "messages[2].tool_call_id"),
    ("a result answering no call", invoke(USER, answered("call_9")), "messages[1].tool_call_id"),
    (
        "a result before its call",
        invoke(USER, answered("call_1"), asked("call_1")),
        "messages[1].tool_call_id",
    ),
    (
        "a call answered twice",
        invoke(USER, asked(), answered(), answered()),
        "messages[3].tool_call_id",
    ),
    ("duplicate call ids in a message", invoke(USER, asked("c", call("c"))), "messages[1].tool_calls[1].id"),
    (
        "duplicate call ids across messages",
        invoke(USER, asked("c"), answered("c"), asked("c")),
        "messages[3].tool_calls[0].id",
    ),
    (
        "tool_calls on a user message",
        invoke(pb.ChatMessage(role="user", content="hi", tool_calls=[call()])),
        "messages[0].tool_calls",
    ),
    (
        "tool_call_id on a user message",
        invoke(pb.ChatMessage(role="user", content="hi", tool_call_id="call_1")),
        "messages[0].tool_call_id",
    ),
    (
        "a tool_call_id over 1 KiB",
        invoke(USER, asked(), answered("c" * 1025)),
        "messages[2].tool_call_id",
    ),
    (
        "a call without an id",
        invoke(USER, pb.ChatMessage(role="assistant", tool_calls=[call("")])),
        "messages[1].tool_calls[0].id",
    ),
    (
        "a call without a name",
        invoke(USER, pb.ChatMessage(role="assistant", tool_calls=[call(name="")])),
        "messages[1].tool_calls[0].name",
    ),
    (
        "arguments that are not JSON",
        invoke(USER, pb.ChatMessage(role="assistant", tool_calls=[call(arguments="{city: Paris}")])),
        "messages[1].tool_calls[0].arguments",
    ),
    (
        "arguments that are a JSON array",
        invoke(USER, pb.ChatMessage(role="assistant", tool_calls=[call(arguments='["Paris"]')])),
        "messages[1].tool_calls[0].arguments",
    ),
    (
        "empty arguments",
        invoke(USER, pb.ChatMessage(role="assistant", tool_calls=[call(arguments="")])),
        "messages[1].tool_calls[0].arguments",
    ),
    (
        "arguments nested too deep",
        invoke(
            USER,
            pb.ChatMessage(role="assistant", tool_calls=[call(arguments='{"a":' * 70 + "1" + "}" * 70)]),
        ),
        "messages[1].tool_calls[0].arguments",
    ),
    # messages: parts and images
    (
        "content and parts both",
        invoke(pb.ChatMessage(role="user", content="hi", parts=[pb.ContentPart(text="hi")])),
        "messages[0].parts",
    ),
    (
        "an empty part",
        invoke(pb.ChatMessage(role="user", parts=[pb.ContentPart()])),
        "messages[0].parts[0]",
    ),
    (
        "an image in an assistant message",
        invoke(USER, pb.ChatMessage(role="assistant", parts=[image(data=PNG, media_type="image/png")])),
        "messages[1].parts[0].image",
    ),
    (
        "an image in a system message",
        invoke(pb.ChatMessage(role="system", parts=[image(url="https://example.com/a.png")]), USER),
        "messages[0].parts[0].image",
    ),
    (
        "an image with neither url nor data",
        invoke(pb.ChatMessage(role="user", parts=[pb.ContentPart(text="what is this?"), image()])),
        "messages[0].parts[1].image",
    ),
    (
        "image data without a media type",
        invoke(pb.ChatMessage(role="user", parts=[image(data=PNG)])),
        "messages[0].parts[0].image.media_type",
    ),
    (
        "image data of an unsupported media type",
        invoke(pb.ChatMessage(role="user", parts=[image(data=PNG, media_type="image/bmp")])),
        "messages[0].parts[0].image.media_type",
    ),
    (
        "an http: image URL",
        invoke(pb.ChatMessage(role="user", parts=[image(url="http://example.com/a.png")])),
        "messages[0].parts[0].image.url",
    ),
    (
        "a file: image URL",
        invoke(pb.ChatMessage(role="user", parts=[image(url="file:///etc/passwd")])),
        "messages[0].parts[0].image.url",
    ),
    (
        "a data: URL that is not an image",
        invoke(pb.ChatMessage(role="user", parts=[image(url="data:text/plain;base64,aGk=")])),
        "messages[0].parts[0].image.url",
    ),
    (
        "a data: URL that is not base64",
        invoke(pb.ChatMessage(role="user", parts=[image(url="data:image/png,abc")])),
        "messages[0].parts[0].image.url",
    ),
    (
        "a base64 data: URL whose data is not base64",
        invoke(pb.ChatMessage(role="user", parts=[image(url="data:image/png;base64,@@not-base64")])),
        "messages[0].parts[0].image.url",
    ),
    # tools
    ("a tool name with a space", invoke(tools=[pb.Tool(name="get weather")]), "tools[0].name"),
    ("a tool name of 65 characters", invoke(tools=[pb.Tool(name="t" * 65)]), "tools[0].name"),
    ("a tool without a name", invoke(tools=[pb.Tool(description="nameless")]), "tools[0].name"),
    ("a duplicate tool name", invoke(tools=[WEATHER, CLOCK, WEATHER]), "tools[2].name"),
    (
        "parameters that are not JSON",
        invoke(tools=[pb.Tool(name="t", parameters="{'type': 'object'}")]),
        "tools[0].parameters",
    ),
    (
        "parameters that are a JSON array",
        invoke(tools=[pb.Tool(name="t", parameters="[]")]),
        "tools[0].parameters",
    ),
    (
        "parameters that are not an object schema",
        invoke(tools=[pb.Tool(name="t", parameters='{"type": "string"}')]),
        "tools[0].parameters",
    ),
    (
        "parameters nested too deep",
        invoke(tools=[pb.Tool(name="t", parameters='{"a":' * 70 + "1" + "}" * 70)]),
        "tools[0].parameters",
    ),
    ("257 tools", invoke(tools=[pb.Tool(name=f"t{i}") for i in range(257)]), "tools"),
    # tool choice
    (
        "a tool choice without tools",
        invoke(tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_REQUIRED)),
        "tool_choice",
    ),
    (
        "a tool choice naming a tool without tools",
        invoke(tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_weather")),
        "tool_choice",
    ),
    (
        "a tool choice naming a tool not in tools",
        invoke(tools=[WEATHER], tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_time")),
        "tool_choice.tool",
    ),
    (
        "TOOL mode without a tool",
        invoke(tools=[WEATHER], tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL)),
        "tool_choice.tool",
    ),
    (
        "a tool named in AUTO mode",
        invoke(tools=[WEATHER], tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_AUTO, tool="get_weather")),
        "tool_choice.tool",
    ),
    ("an unknown tool choice mode", with_enum(_tool_choice_99), "tool_choice.mode"),
    # response format
    (
        "a JSON schema format without a schema",
        invoke(response_format=pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA)),
        "response_format.schema",
    ),
    (
        "a schema that is not JSON",
        invoke(response_format=schema_format("{type: object}")),
        "response_format.schema",
    ),
    (
        "a schema that is not an object",
        invoke(response_format=schema_format('"object"')),
        "response_format.schema",
    ),
    (
        "a schema name with a dot",
        invoke(response_format=schema_format('{"type": "object"}', name="my.answer")),
        "response_format.schema_name",
    ),
    (
        "a schema with a JSON object format",
        invoke(
            response_format=pb.ResponseFormat(
                type=pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT, schema='{"type": "object"}'
            )
        ),
        "response_format.schema",
    ),
    (
        "strict with a text format",
        invoke(response_format=pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_TEXT, strict=True)),
        "response_format.strict",
    ),
    ("an unknown response format type", with_enum(_format_7), "response_format.type"),
    # the decision view, and a named model that cannot serve what the request uses
    ("an unknown decision view", with_enum(_view_9), "decision_view"),
    ("a named model without tools", invoke(model="nano-fast", tools=[WEATHER]), "model"),
    (
        "a named model without vision",
        invoke(
            pb.ChatMessage(role="user", parts=[image(url="https://example.com/a.png")]), model="mini-general"
        ),
        "model",
    ),
    (
        "a named model without json_mode",
        invoke(
            model="code-specialist",
            response_format=pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT),
        ),
        "model",
    ),
]


def assert_invalid(err: ErrorDetails, field: str) -> None:
    assert (err.code, err.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST"), err.message
    assert err.metadata == {"field": field}
    assert err.message.startswith(field + ": ")
    assert len(err.message) > len(field) + 20, "a sentence a person can act on"


@pytest.mark.parametrize(
    ("request_", "field"), [(r, f) for _, r, f in INVALID], ids=[w for w, _, _ in INVALID]
)
async def test_an_invalid_shape_names_its_field(
    default_server: Served, request_: pb.InvokeRequest, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await default_server.stub.Invoke(request_, timeout=10)
    assert_invalid(details_of(caught.value), field)
    stream_request = pb.InvokeStreamRequest.FromString(request_.SerializeToString())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in default_server.stub.InvokeStream(stream_request, timeout=10):
            pass
    assert_invalid(details_of(caught.value), field)


async def test_the_sentences_say_what_to_do(default_server: Served) -> None:
    async def message_of(request: pb.InvokeRequest) -> str:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await default_server.stub.Invoke(request, timeout=10)
        return details_of(caught.value).message

    said = await message_of(invoke(USER, answered("call_9")))
    assert "'call_9' answers no call of an earlier assistant message" in said
    said = await message_of(invoke(model="nano-fast", tools=[WEATHER]))
    assert "model 'nano-fast' lacks what this request needs: tools" in said and "selection" in said
    said = await message_of(
        invoke(pb.ChatMessage(role="user", parts=[image(data=PNG, media_type="image/bmp")]))
    )
    assert "image/png, image/jpeg, image/gif, image/webp" in said
    said = await message_of(invoke(tools=[pb.Tool(name="t", parameters='{"type": "string"}')]))
    assert '"type": "object"' in said and '"string"' in said


async def test_select_checks_the_messages_it_estimates_from(default_server: Served) -> None:
    err = await select_error(default_server.stub, pb.SelectRequest(messages=[USER, answered("call_9")]))
    assert_invalid(err, "messages[1].tool_call_id")


async def test_a_valid_conversation_with_every_kind_of_message_is_served() -> None:
    """The shapes the table refuses, done right: served by a model that has it all."""
    messages = [
        pb.ChatMessage(role="system", content="be brief"),
        pb.ChatMessage(
            role="user",
            parts=[
                pb.ContentPart(text="what is in "),
                image(data=PNG, media_type="image/png"),
                pb.ContentPart(text=" and "),
                image(url="data:image/png;base64,iVBORw0KGgo="),
                image(url="HTTPS://example.com/a.png"),
            ],
        ),
        asked("call_1", call("call_2", "get_time", "{}")),
        answered("call_1"),
        pb.ChatMessage(role="tool", tool_call_id="call_2", parts=[pb.ContentPart(text="noon")]),
    ]
    request = invoke(
        *messages,
        model="complete",
        tools=[WEATHER, CLOCK],
        tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_AUTO),
    )
    async with serving(MODELS) as served:
        reply = await served.stub.Invoke(request, timeout=10)
    assert reply.model == "complete" and reply.finish_reason == "stop"
    assert reply.text == 'get_weather answered: {"temp": 21}; get_time answered: noon'


# -- the message size bound counts images, tools and schemas ----------------------------

SMALL = """
server: {max_message_chars: 100}
models:
  - {id: all, provider: simulated, context_window: 8000, capabilities: [chat, tools, vision, json_mode],
     pricing: {input_per_mtok: 1, output_per_mtok: 2}, quality: {default: 0.5}, simulate: {ttft_ms: 0}}
"""


async def test_max_message_chars_counts_images_tools_and_schemas() -> None:
    async with serving(SMALL) as served:

        async def refused(request: pb.InvokeRequest, field: str) -> None:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await served.stub.Invoke(request, timeout=10)
            err = details_of(caught.value)
            assert_invalid(err, field)
            assert "server.max_message_chars" in err.message

        fifty = pb.ChatMessage(role="user", content="x" * 50)
        picture = pb.ChatMessage(role="user", parts=[image(data=b"\0" * 51, media_type="image/png")])
        await refused(invoke(fifty, picture, model="all"), "messages")
        await refused(invoke(fifty, asked("c" * 30), model="all"), "messages")  # a call: 30 + 11 + 17
        tool = pb.Tool(name="t", description="d" * 50)
        await refused(invoke(fifty, model="all", tools=[tool]), "tools")
        fmt = schema_format('{"type": "object", "description": "' + "d" * 30 + '"}')
        await refused(invoke(fifty, model="all", response_format=fmt), "response_format.schema")
        # At the bound, served: 50 characters and 50 bytes of image.
        picture = pb.ChatMessage(role="user", parts=[image(data=b"\0" * 50, media_type="image/png")])
        reply = await served.stub.Invoke(invoke(fifty, picture, model="all"), timeout=10)
        assert reply.text == "[1 image]"


# -- what a request uses becomes a requirement -----------------------------------------

MODELS = """
cache: {ttl_s: 60, max_bytes: 1000000, selection_ttl_s: 600}
models:
  - {id: plain, provider: simulated, context_window: 8000, capabilities: [chat],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.9}, simulate: {ttft_ms: 0}}
  - {id: tooled, provider: simulated, context_window: 8000, capabilities: [chat, tools],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.8}, simulate: {ttft_ms: 0}}
  - {id: seeing, provider: simulated, context_window: 8000, capabilities: [chat, vision],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.7}, simulate: {ttft_ms: 0}}
  - {id: jsonic, provider: simulated, context_window: 8000, capabilities: [chat, json_mode],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.6}, simulate: {ttft_ms: 0}}
  - {id: complete, provider: simulated, context_window: 8000, capabilities: [chat, tools, vision, json_mode],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5}, simulate: {ttft_ms: 0}}
"""
BY_TASK = pb.SelectRequest(strategy="task_based")
FULL = pb.DECISION_VIEW_FULL
PICTURE = pb.ChatMessage(
    role="user", parts=[pb.ContentPart(text="what is this?"), image(data=PNG, media_type="image/png")]
)
JSON_OBJECT = pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT)


async def test_what_a_request_uses_is_required_of_the_model() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        cases = [
            ({}, ["plain", "tooled", "seeing", "jsonic", "complete"]),
            ({"tools": [WEATHER]}, ["tooled", "complete"]),
            ({"messages": [USER, asked(), answered()]}, ["tooled", "complete"]),  # a tool conversation
            ({"messages": [PICTURE]}, ["seeing", "complete"]),
            ({"response_format": JSON_OBJECT}, ["jsonic", "complete"]),
            ({"response_format": schema_format('{"type": "object"}')}, ["jsonic", "complete"]),
            ({"tools": [WEATHER], "messages": [PICTURE], "response_format": JSON_OBJECT}, ["complete"]),
        ]
        for fields, eligible in cases:
            fields.setdefault("messages", [USER])
            request = pb.InvokeRequest(selection=BY_TASK, decision_view=FULL, **fields)  # type: ignore[arg-type]
            reply = await stub.Invoke(request, timeout=10)
            decision = reply.decision
            assert [s.model for s in decision.ranking] == eligible, fields
            rejected = {r.model: r for r in decision.rejected}
            assert set(rejected) == {"plain", "tooled", "seeing", "jsonic", "complete"} - set(eligible)
            assert all(
                r.reason == "MISSING_CAPABILITY" and r.detail.startswith("lacks ") for r in rejected.values()
            )
            assert reply.model == eligible[0]


async def test_fallback_never_lands_on_a_model_that_cannot_serve_the_call() -> None:
    """The best model with tools fails every call: the call falls back to the next
    one with tools, never to the better model without."""
    config = MODELS.replace(
        "quality: {default: 0.8}, simulate: {ttft_ms: 0}",
        "quality: {default: 0.8}, simulate: {ttft_ms: 0, failure_rate: 1.0}",
    )
    assert config != MODELS
    async with serving(config) as served:
        reply = await served.stub.Invoke(
            pb.InvokeRequest(selection=BY_TASK, messages=[USER], tools=[WEATHER]), timeout=10
        )
        assert [(a.model, a.outcome) for a in reply.attempts] == [
            ("tooled", "UNAVAILABLE"),
            ("tooled", "UNAVAILABLE"),
            ("complete", "OK"),
        ]
        assert reply.finish_reason == "tool_calls" and reply.tool_calls[0].name == "get_weather"


async def test_a_cached_decision_is_not_shared_with_a_request_that_uses_more() -> None:
    """The same selection, with and without tools, in a row (the selection cache
    keeps the first for a second): the second still gets a model with tools."""
    async with serving(MODELS) as served:
        stub = served.stub
        first = await stub.Invoke(pb.InvokeRequest(selection=BY_TASK, messages=[USER]), timeout=10)
        second = await stub.Invoke(
            pb.InvokeRequest(selection=BY_TASK, messages=[USER], tools=[WEATHER]), timeout=10
        )
        third = await stub.Invoke(pb.InvokeRequest(selection=BY_TASK, messages=[USER]), timeout=10)
        assert (first.decision.model, second.decision.model, third.decision.model) == (
            "plain",
            "tooled",
            "plain",
        )
        assert third.decision.from_cache and not second.decision.from_cache


async def test_a_request_no_model_can_serve_says_why() -> None:
    async with serving(MODELS) as served:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(
                pb.InvokeRequest(
                    selection=pb.SelectRequest(requirements=pb.Requirements(exclude_models=["complete"])),
                    messages=[PICTURE],
                    tools=[WEATHER],
                ),
                timeout=10,
            )
        err = details_of(caught.value)
        assert (err.code, err.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NO_ELIGIBLE_MODEL")
        assert dict(err.violations) == {
            "plain": "MISSING_CAPABILITY",
            "tooled": "MISSING_CAPABILITY",
            "seeing": "MISSING_CAPABILITY",
            "jsonic": "MISSING_CAPABILITY",
            "complete": "EXCLUDED",
        }


# -- the response cache -------------------------------------------------------------------


def cached(*messages: pb.ChatMessage, **fields: Any) -> pb.InvokeRequest:
    return pb.InvokeRequest(
        model="complete", messages=list(messages or [USER]), cache=pb.CACHE_POLICY_USE, **fields
    )


async def test_requests_differing_only_in_what_they_use_are_cached_apart() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        variants = [
            cached(tools=[WEATHER]),
            cached(tools=[WEATHER, CLOCK]),
            cached(
                tools=[
                    pb.Tool(
                        name=WEATHER.name, description="another description", parameters=WEATHER.parameters
                    )
                ]
            ),
            cached(tools=[WEATHER], tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_NONE)),
            cached(
                tools=[WEATHER, CLOCK],
                tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_time"),
            ),
            cached(response_format=JSON_OBJECT),
            cached(response_format=schema_format('{"type": "object"}')),
            cached(response_format=schema_format('{"type": "object"}', strict=True)),
            cached(response_format=schema_format('{"type": "object", "required": []}')),
            cached(pb.ChatMessage(role="user", parts=[image(data=PNG, media_type="image/png")])),
            cached(
                pb.ChatMessage(role="user", parts=[image(data=PNG[:-1] + b"\xff", media_type="image/png")])
            ),
            cached(pb.ChatMessage(role="user", parts=[image(data=PNG, media_type="image/gif")])),
            cached(pb.ChatMessage(role="user", parts=[image(url="https://example.com/a.png")])),
            cached(pb.ChatMessage(role="user", parts=[pb.ContentPart(text="Paris")])),
            cached(USER, asked(), answered()),
            cached(USER, asked(), answered(content='{"temp": 22}')),
            cached(USER, asked("call_2"), answered("call_2")),
            cached(),
        ]
        for request in variants:
            assert not (await stub.Invoke(request, timeout=10)).cache_hit, request
        for request in variants:
            assert (await stub.Invoke(request, timeout=10)).cache_hit, request
        stats = await stub.Stats(pb.StatsRequest(), timeout=10)
        assert stats.cache.entries == len(variants)


async def test_a_cached_tool_call_comes_back_whole_unary_and_streamed() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        request = cached(tools=[WEATHER, CLOCK], tool_choice=pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_REQUIRED))
        first = await stub.Invoke(request, timeout=10)
        assert not first.cache_hit and first.finish_reason == "tool_calls" and len(first.tool_calls) == 1
        second = await stub.Invoke(request, timeout=10)
        assert second.cache_hit and list(second.tool_calls) == list(first.tool_calls)
        assert second.finish_reason == "tool_calls" and second.text == ""
        stream_request = pb.InvokeStreamRequest.FromString(request.SerializeToString())
        messages = [m async for m in stub.InvokeStream(stream_request, timeout=10)]
        kinds = [m.WhichOneof("event") for m in messages]
        assert kinds[0] == "tool_call" and kinds[-1] == "done" and "delta" not in kinds
        done = messages[-1].done
        assert done.cache_hit and list(done.tool_calls) == list(first.tool_calls)
        assert assembled(messages) == [(c.id, c.name, c.arguments) for c in first.tool_calls]


# -- the decision view -----------------------------------------------------------------


async def test_invoke_answers_the_basic_decision_unless_asked_for_all() -> None:
    async with serving() as served:
        stub = served.stub
        request = pb.InvokeRequest(selection=pb.SelectRequest(strategy="cheap"), messages=[USER])
        basic = await stub.Invoke(request, timeout=10)
        request.decision_view = pb.DECISION_VIEW_FULL
        full = await stub.Invoke(request, timeout=10)
        selected = (await stub.Select(pb.SelectRequest(strategy="cheap"), timeout=10)).decision
        # FULL is what Select answers: every model ranked or rejected.
        assert len(full.decision.ranking) + len(full.decision.rejected) == 9 and full.decision.rejected
        assert len(selected.ranking) + len(selected.rejected) == 9
        # BASIC: the same decision but for the other models.
        assert list(basic.decision.ranking) == [full.decision.ranking[0]] and not basic.decision.rejected
        for field in (
            "model",
            "strategy",
            "requested_strategy",
            "estimated_cost_usd",
            "expected_latency_ms",
            "estimated_input_tokens",
            "estimated_output_tokens",
        ):
            assert getattr(basic.decision, field) == getattr(full.decision, field), field
        assert basic.decision.deployment and basic.decision.model == basic.model
        assert basic.decision.decision_id and full.decision.decision_id  # in either view
        # The id (per call, about 90 bytes) aside, the basic view is a fraction of the full one.
        basic.decision.ClearField("decision_id")
        full.decision.ClearField("decision_id")
        assert basic.ByteSize() < full.ByteSize() / 3
        # DECISION_VIEW_BASIC is the default spelled out (from the selection cache now).
        request.decision_view = pb.DECISION_VIEW_BASIC
        again = (await stub.Invoke(request, timeout=10)).decision
        again.from_cache = basic.decision.from_cache
        assert again.decision_id  # a call's own
        again.ClearField("decision_id")
        assert again == basic.decision
        # A stream's done carries the view asked for too.
        for view, size in ((pb.DECISION_VIEW_UNSPECIFIED, 1), (pb.DECISION_VIEW_FULL, 9)):
            stream = pb.InvokeStreamRequest(
                selection=pb.SelectRequest(strategy="cheap"), messages=[USER], decision_view=view
            )
            done = [m async for m in stub.InvokeStream(stream, timeout=10)][-1].done
            assert len(done.decision.ranking) + len(done.decision.rejected) == size


async def test_the_basic_decision_does_not_grow_with_the_registry() -> None:
    lines = ["usage: {store: memory}", "models:"]
    for i in range(300):
        tools = "[chat, tools]" if i % 2 else "[chat]"
        lines.append(
            f"  - {{id: model-{i:03d}, provider: simulated, context_window: 8000, capabilities: {tools},"
            f" pricing: {{input_per_mtok: {1 + i}, output_per_mtok: 2}}, quality: {{default: 0.5}},"
            " simulate: {ttft_ms: 0}}"
        )
    async with serving("\n".join(lines) + "\n") as served:
        sizes = {}
        for view in (pb.DECISION_VIEW_BASIC, pb.DECISION_VIEW_FULL):
            reply = await served.stub.Invoke(
                pb.InvokeRequest(
                    selection=pb.SelectRequest(strategy="cost_aware"),
                    messages=[USER],
                    tools=[WEATHER],
                    decision_view=view,
                ),
                timeout=10,
            )
            assert reply.decision.decision_id
            reply.decision.ClearField("decision_id")  # per call, the same size in either view
            sizes[view] = reply.decision.ByteSize()
            assert reply.decision.model == "model-001"  # the cheapest with tools
        assert sizes[pb.DECISION_VIEW_BASIC] < 200 < 10_000 < sizes[pb.DECISION_VIEW_FULL]


async def test_a_named_model_has_the_same_decision_in_both_views() -> None:
    """A decision of one is all there is to see: both views carry the one entry.
    (Each call measures the model's latency, which the next decision's estimates
    use: the views are compared field by field, not as a whole.)"""
    async with serving(MODELS) as served:
        for view in (pb.DECISION_VIEW_BASIC, pb.DECISION_VIEW_FULL):
            request = pb.InvokeRequest(model="plain", messages=[USER], decision_view=view)
            decision = (await served.stub.Invoke(request, timeout=10)).decision
            assert [s.model for s in decision.ranking] == ["plain"] and not decision.rejected
            assert decision.ranking[0].estimated_cost_usd == decision.estimated_cost_usd > 0


# -- the simulated provider: tool calls and JSON -----------------------------------------


def assembled(messages: list[pb.InvokeStreamResponse]) -> list[tuple[str, str, str]]:
    """The tool calls of a stream, put together from their pieces by index."""
    calls: dict[int, list[str]] = {}
    for m in messages:
        if m.WhichOneof("event") == "tool_call":
            piece = m.tool_call
            if piece.index not in calls:
                assert piece.id and piece.name, "a call's first piece has its id and name"
                calls[piece.index] = [piece.id, piece.name, ""]
            else:
                assert not piece.id and not piece.name
            calls[piece.index][2] += piece.arguments
    return [(i, n, a) for i, n, a in (calls[k] for k in sorted(calls))]


async def test_a_tool_call_round_trip_unary() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        conversation = [pb.ChatMessage(role="user", content="What is the weather in Paris?")]
        first = await stub.Invoke(
            pb.InvokeRequest(model="complete", messages=conversation, tools=[WEATHER, CLOCK]), timeout=10
        )
        assert (first.finish_reason, first.text) == ("tool_calls", "")
        (made,) = first.tool_calls
        assert (made.id, made.name) == ("call_1", "get_weather")
        # Arguments built from the schema: the required properties, a string from the
        # user's message, the first value of an enum.
        assert json.loads(made.arguments) == {"city": "What is the weather in Paris?", "unit": "celsius"}
        assert first.usage.output_tokens > 0
        conversation += [
            pb.ChatMessage(role="assistant", tool_calls=[made]),
            answered(made.id, '{"temp": 21}'),
        ]
        final = await stub.Invoke(
            pb.InvokeRequest(model="complete", messages=conversation, tools=[WEATHER, CLOCK]), timeout=10
        )
        assert (final.finish_reason, list(final.tool_calls)) == ("stop", [])
        assert final.text == 'get_weather answered: {"temp": 21}'


async def test_a_tool_call_round_trip_streamed() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        conversation = [pb.ChatMessage(role="user", content="What time is it in Lima?")]
        choice = pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_time")
        request = pb.InvokeStreamRequest(
            model="complete", messages=conversation, tools=[WEATHER, CLOCK], tool_choice=choice
        )
        messages = [m async for m in stub.InvokeStream(request, timeout=10)]
        pieces = [m for m in messages if m.WhichOneof("event") == "tool_call"]
        assert len(pieces) >= 2  # the id and name, then the arguments
        done = messages[-1].done
        assert done.finish_reason == "tool_calls" and not done.text
        (made,) = done.tool_calls
        assert assembled(messages) == [(made.id, made.name, made.arguments)]
        assert (made.name, made.arguments) == ("get_time", "{}")  # no properties: no arguments
        conversation += [pb.ChatMessage(role="assistant", tool_calls=[made]), answered(made.id, "09:00")]
        request = pb.InvokeStreamRequest(model="complete", messages=conversation, tools=[WEATHER, CLOCK])
        messages = [m async for m in stub.InvokeStream(request, timeout=10)]
        assert (
            "".join(m.delta for m in messages if m.WhichOneof("event") == "delta")
            == "get_time answered: 09:00"
        )
        assert messages[-1].done.finish_reason == "stop" and not messages[-1].done.tool_calls


async def test_tool_choice_modes() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        after_result = [USER, asked(), answered()]

        async def answer(messages: list[pb.ChatMessage], mode: int) -> pb.InvokeResponse:
            request = pb.InvokeRequest(
                model="complete", messages=messages, tools=[WEATHER], tool_choice=pb.ToolChoice(mode=mode)
            )
            return await stub.Invoke(request, timeout=10)

        assert (await answer([USER], pb.TOOL_CHOICE_MODE_NONE)).text == "Paris"
        assert (await answer([USER], pb.TOOL_CHOICE_MODE_AUTO)).finish_reason == "tool_calls"
        assert (await answer(after_result, pb.TOOL_CHOICE_MODE_AUTO)).finish_reason == "stop"
        required = await answer(after_result, pb.TOOL_CHOICE_MODE_REQUIRED)
        assert (
            required.finish_reason == "tool_calls" and required.tool_calls[0].id == "call_2"
        )  # call_1 is taken


SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 5},
        "code": {"type": "string", "minLength": 3},
        "population": {"type": "integer", "minimum": 1000},
        "area": {"type": "number", "exclusiveMinimum": 0},
        "capital": {"type": "boolean"},
        "continent": {"enum": ["Europe", "Asia"]},
        "mayor": {"type": ["string", "null"]},
        "districts": {"type": "array", "items": {"$ref": "#/$defs/district"}, "minItems": 2},
        "twin": {"anyOf": [{"type": "null"}, {"type": "string"}]},
        "motto": {"type": "string"},
    },
    "required": ["city", "code", "population", "area", "capital", "continent", "mayor", "districts", "twin"],
    "additionalProperties": False,
    "$defs": {
        "district": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "number": {"type": "integer", "maximum": 20}},
            "required": ["name", "number"],
        }
    },
}


async def test_json_answers_match_their_schema_unary_and_streamed() -> None:
    async with serving(MODELS) as served:
        stub = served.stub
        fmt = schema_format(json.dumps(SCHEMA), name="city")
        reply = await stub.Invoke(
            pb.InvokeRequest(model="complete", messages=[USER], response_format=fmt), timeout=10
        )
        value = json.loads(reply.text)
        assert conforms(value, SCHEMA), value
        assert value["city"] == "Paris" and value["districts"] == [{"name": "Paris", "number": 1}] * 2
        assert "motto" not in value  # only what is required
        stream = pb.InvokeStreamRequest.FromString(
            pb.InvokeRequest(model="complete", messages=[USER], response_format=fmt).SerializeToString()
        )
        streamed = "".join(
            [m.delta async for m in stub.InvokeStream(stream, timeout=10) if m.WhichOneof("event") == "delta"]
        )
        assert json.loads(streamed) == value
        obj = await stub.Invoke(
            pb.InvokeRequest(model="complete", messages=[USER], response_format=JSON_OBJECT), timeout=10
        )
        assert json.loads(obj.text) == {"answer": "Paris"}


async def test_the_default_configuration_serves_what_its_models_claim() -> None:
    """Every simulated model of the built-in configuration that claims tools,
    json_mode or vision serves it: offline, out of the box."""
    async with serving() as served:
        stub = served.stub
        listed = await stub.ListModels(pb.ListModelsRequest(), timeout=10)
        calls = []
        for m in listed.models:
            caps = set(m.capabilities)
            if "tools" in caps:
                calls.append(
                    (
                        "tools",
                        stub.Invoke(
                            pb.InvokeRequest(model=m.id, messages=[USER], tools=[WEATHER]), timeout=10
                        ),
                    )
                )
            if "json_mode" in caps:
                fmt = schema_format(json.dumps(SCHEMA))
                calls.append(
                    (
                        "json_mode",
                        stub.Invoke(
                            pb.InvokeRequest(model=m.id, messages=[USER], response_format=fmt), timeout=10
                        ),
                    )
                )
            if "vision" in caps:
                calls.append(
                    ("vision", stub.Invoke(pb.InvokeRequest(model=m.id, messages=[PICTURE]), timeout=10))
                )
        assert {kind for kind, _ in calls} == {"tools", "json_mode", "vision"}
        replies = await asyncio.gather(*(c for _, c in calls))
        for (kind, _), reply in zip(calls, replies, strict=True):
            if kind == "tools":
                assert reply.finish_reason == "tool_calls" and reply.tool_calls[0].name == "get_weather"
            elif kind == "json_mode":
                assert conforms(json.loads(reply.text), SCHEMA)
            else:
                assert reply.text == "what is this? [1 image]"


# -- a JSON Schema check, of the keywords the tests use -----------------------------------


def conforms(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """Whether `value` matches `schema`: type, enum, const, properties, required,
    additionalProperties (false), items, minItems, maxItems, minimum, maximum,
    exclusiveMinimum, minLength, maxLength, anyOf and local $ref."""
    root = root or schema
    if "$ref" in schema:
        target: Any = root
        for token in schema["$ref"].lstrip("#/").split("/"):
            target = target[token]
        return conforms(value, target, root)
    if "anyOf" in schema and not any(conforms(value, s, root) for s in schema["anyOf"]):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "const" in schema and value != schema["const"]:
        return False
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, k) for k in kinds):
            return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if any(name not in value for name in schema.get("required", [])):
            return False
        if schema.get("additionalProperties") is False and set(value) - set(properties):
            return False
        return all(conforms(v, properties[k], root) for k, v in value.items() if k in properties)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            return False
        return all(conforms(v, schema.get("items", {}), root) for v in value)
    if isinstance(value, str):
        return schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        return not ("exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"])
    return True


def _is(value: Any, kind: str) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    return checks[kind](value)


def test_the_schema_check_refuses_what_it_should() -> None:
    good = {
        "city": "Paris",
        "code": "xxx",
        "population": 1000,
        "area": 1.0,
        "capital": True,
        "continent": "Asia",
        "mayor": None,
        "districts": [{"name": "a", "number": 1}, {"name": "b", "number": 2}],
        "twin": None,
    }
    assert conforms(good, SCHEMA)
    for change in (
        {"city": "Lyon-sur-Mer"},
        {"code": "xx"},
        {"population": 999},
        {"area": 0},
        {"capital": 1},
        {"continent": "Mars"},
        {"mayor": 3},
        {"districts": [{"name": "a", "number": 1}]},
        {"districts": [{"name": "a", "number": 21}] * 2},
        {"twin": 4},
        {"extra": 1},
    ):
        assert not conforms({**good, **change}, SCHEMA), change
    assert not conforms({k: v for k, v in good.items() if k != "twin"}, SCHEMA)
