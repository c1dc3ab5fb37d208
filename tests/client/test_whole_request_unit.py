"""Whole requests, without a server: messages with images, tool calls and results,
tools, tool choice, response format and decision view -> protobuf, and tool calls
back; every field of the new messages is carried, and every word the client does
not know is refused before a call, naming the argument."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import pytest
from google.protobuf.message import Message

from modelrouter_client import (
    ChatMessage,
    Completion,
    DecisionView,
    ImagePart,
    JsonSchema,
    ResponseFormat,
    Tool,
    ToolCall,
    ToolChoice,
    Usage,
    _convert,
)
from modelrouter_client._options import InvokeOptions
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._requests import build_invoke, chat_messages, invoke_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
WEATHER_JSON = '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}'
CALL = ToolCall("call_1", "get_weather", '{"city": "Paris"}')


def conversation() -> list[ChatMessage]:
    """A conversation that uses every field of ChatMessage, ContentPart, Image and ToolCall."""
    return [
        ChatMessage("system", "Be brief."),
        ChatMessage(
            "user",
            parts=[
                "Weather where these were taken?",
                ImagePart.from_url("https://example.com/a.png"),
                ImagePart.from_bytes(PNG, "image/png"),
            ],
        ),
        ChatMessage("assistant", tool_calls=[CALL]),
        ChatMessage.tool_result(CALL, {"temperature_c": 21}),
    ]


# -- messages ------------------------------------------------------------------------------------


def test_a_conversation_with_images_calls_and_results() -> None:
    system, user, assistant, tool = chat_messages(conversation())
    assert system == pb.ChatMessage(role="system", content="Be brief.")
    assert list(user.parts) == [
        pb.ContentPart(text="Weather where these were taken?"),
        pb.ContentPart(image=pb.Image(url="https://example.com/a.png")),
        pb.ContentPart(image=pb.Image(data=PNG, media_type="image/png")),
    ]
    assert user.content == ""
    assert list(assistant.tool_calls) == [
        pb.ToolCall(id="call_1", name="get_weather", arguments='{"city": "Paris"}')
    ]
    assert (tool.role, tool.tool_call_id, json.loads(tool.content)) == (
        "tool",
        "call_1",
        {"temperature_c": 21},
    )


def test_dict_messages_take_the_same_keys() -> None:
    as_dicts: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "parts": [
                "Weather where these were taken?",
                ImagePart.from_url("https://example.com/a.png"),
                ImagePart.from_bytes(PNG, "image/png"),
            ],
        },
        # A call as a dict, its arguments as a dict: sent as JSON text.
        {
            "role": "assistant",
            "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temperature_c":21}'},
    ]
    converted = chat_messages(as_dicts)  # type: ignore[arg-type]
    expected = chat_messages(conversation())
    assert converted[:2] == expected[:2] and converted[3] == expected[3]
    (call,) = converted[2].tool_calls
    assert (call.id, call.name, json.loads(call.arguments)) == ("call_1", "get_weather", {"city": "Paris"})


@pytest.mark.parametrize(
    ("bad", "field", "error"),
    [
        ([ChatMessage("user", parts=["a", 3])], r"messages\[0\]\.parts\[1\]", TypeError),  # type: ignore[list-item]
        (
            [ChatMessage("user", parts=[ImagePart(url="https://x", data=PNG)])],
            r"messages\[0\]\.parts\[0\]",
            ValueError,
        ),
        ([ChatMessage("assistant", tool_calls=["call_1"])], r"messages\[0\]\.tool_calls\[0\]", TypeError),  # type: ignore[list-item]
        (
            [{"role": "assistant", "tool_calls": [{"id": "c", "fn": "x"}]}],
            r"messages\[0\]\.tool_calls\[0\]",
            TypeError,
        ),
        (
            [{"role": "assistant", "tool_calls": [{"id": 1, "name": "x"}]}],
            r"messages\[0\]\.tool_calls\[0\]",
            TypeError,
        ),
        ([{"role": "user", "content": "hi", "name": "bob"}], r"messages\[0\]: unknown key 'name'", TypeError),
        ([{"role": "user", "parts": "hi"}], r"messages\[0\]\.parts", TypeError),
        ([{"role": "tool", "content": "x", "tool_call_id": 7}], r"messages\[0\]\.tool_call_id", TypeError),
        ([{"role": "user"}], r"messages\[0\]", TypeError),
    ],
)
def test_malformed_messages_name_the_field(bad: list[Any], field: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=field):
        chat_messages(bad)


def test_chat_message_values() -> None:
    # Built from lists or tuples alike, equal messages compare equal.
    assert ChatMessage("user", parts=["a", "b"]) == ChatMessage("user", parts=("a", "b"))
    message = conversation()[1]
    assert message.text == "Weather where these were taken?"
    assert message.images == (
        ImagePart(url="https://example.com/a.png"),
        ImagePart(data=PNG, media_type="image/png"),
    )
    assert ChatMessage("user", "hi").text == "hi" and ChatMessage("user", "hi").images == ()
    assert "data" not in repr(ImagePart.from_bytes(PNG, "image/png"))  # no wall of bytes
    with pytest.raises(TypeError, match="data"):
        ImagePart.from_bytes("iVBORw0KGgo=", "image/png")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parts"):
        ChatMessage("user", parts="hello")
    with pytest.raises(TypeError, match="tool_calls"):
        ChatMessage("assistant", tool_calls=5)  # type: ignore[arg-type]


def test_tool_results() -> None:
    assert ChatMessage.tool_result("call_9", "sunny") == ChatMessage("tool", "sunny", tool_call_id="call_9")
    assert ChatMessage.tool_result(CALL, [1, 2]).content == "[1,2]"
    assert ChatMessage.tool_result(CALL, MappingProxyType({"a": 1})).content == '{"a":1}'
    with pytest.raises(TypeError, match="content"):
        ChatMessage.tool_result(CALL, {"when": object()})
    with pytest.raises(TypeError, match="call"):
        ChatMessage.tool_result(3, "x")  # type: ignore[arg-type]


# -- the request ---------------------------------------------------------------------------------


def full_options() -> InvokeOptions:
    return InvokeOptions(
        tools=[
            Tool("get_weather", "The weather in a city.", WEATHER),
            Tool("get_time", "The time in a city.", '{"type": "object"}'),
        ],
        tool_choice="get_time",
        response_format=JsonSchema("city", {"type": "object"}, strict=True),
        decision_view="full",
    )


def test_the_request_carries_tools_choice_format_and_view() -> None:
    request = build_invoke(pb.InvokeRequest, conversation(), full_options())
    assert list(request.tools) == [
        pb.Tool(name="get_weather", description="The weather in a city.", parameters=WEATHER_JSON),
        pb.Tool(name="get_time", description="The time in a city.", parameters='{"type": "object"}'),
    ]
    assert request.tool_choice == pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_time")
    assert request.response_format == pb.ResponseFormat(
        type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA, schema_name="city", schema='{"type":"object"}', strict=True
    )
    assert request.decision_view == pb.DECISION_VIEW_FULL
    streamed = build_invoke(pb.InvokeStreamRequest, conversation(), full_options())
    assert streamed.SerializeToString() == request.SerializeToString()  # the same fields, the same bytes


def test_left_out_means_not_sent() -> None:
    request = invoke_request(pb.InvokeRequest, "hi", selection=None)
    assert not request.tools and request.decision_view == pb.DECISION_VIEW_UNSPECIFIED
    assert not request.HasField("tool_choice") and not request.HasField("response_format")
    assert not invoke_request(pb.InvokeRequest, "hi", selection=None, tools=[Tool("t")]).tools[0].parameters


def set_fields(message: Message) -> Iterator[str]:
    """The full name of every field set anywhere in `message`."""
    for descriptor, value in message.ListFields():
        yield descriptor.full_name
        if descriptor.message_type is None:
            continue
        values = value if descriptor.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from set_fields(item)


def test_every_field_of_the_new_messages_is_carried() -> None:
    """A field added to one of these messages fails here until the client sends it."""
    request = build_invoke(pb.InvokeRequest, conversation(), full_options())
    carried = set(set_fields(request))
    new_fields = {
        f.full_name
        for message in (
            pb.ChatMessage,
            pb.ContentPart,
            pb.Image,
            pb.ToolCall,
            pb.Tool,
            pb.ToolChoice,
            pb.ResponseFormat,
        )
        for f in message.DESCRIPTOR.fields
    }
    new_fields |= {
        f"modelrouter.v1.InvokeRequest.{name}"
        for name in ("tools", "tool_choice", "response_format", "decision_view")
    }
    assert new_fields - carried == set()


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        ("auto", pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_AUTO)),
        (ToolChoice.NONE, pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_NONE)),
        ("REQUIRED", pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_REQUIRED)),
        ("get_weather", pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_weather")),
        (Tool("auto"), pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="auto")),  # a Tool names a tool
    ],
)
def test_tool_choice(choice: Any, expected: pb.ToolChoice | None) -> None:
    tools = [Tool("get_weather", parameters=WEATHER), Tool("auto")]
    request = invoke_request(pb.InvokeRequest, "hi", selection=None, tools=tools, tool_choice=choice)
    assert (request.tool_choice if request.HasField("tool_choice") else None) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_TEXT)),
        (ResponseFormat.JSON_OBJECT, pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT)),
        ("JSON_OBJECT", pb.ResponseFormat(type=pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT)),
        (
            JsonSchema("n", '{"type": "array"}'),
            pb.ResponseFormat(
                type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA, schema_name="n", schema='{"type": "array"}'
            ),
        ),
    ],
)
def test_response_format(value: Any, expected: pb.ResponseFormat) -> None:
    assert (
        invoke_request(pb.InvokeRequest, "hi", selection=None, response_format=value).response_format
        == expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("basic", pb.DECISION_VIEW_BASIC),
        (DecisionView.FULL, pb.DECISION_VIEW_FULL),
        ("FULL", pb.DECISION_VIEW_FULL),
    ],
)
def test_decision_view(value: Any, expected: int) -> None:
    assert (
        invoke_request(pb.InvokeRequest, "hi", selection=None, decision_view=value).decision_view == expected
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"tools": Tool("t")}, TypeError, "tools: expected a list"),
        ({"tools": [{"name": "t"}]}, TypeError, r"tools\[0\]: expected a Tool"),
        ({"tools": [Tool("t", parameters=["x"])]}, TypeError, r"tools\[0\]\.parameters"),  # type: ignore[arg-type]
        ({"tools": [Tool("t", parameters={"default": {1, 2}})]}, TypeError, r"tools\[0\]\.parameters.*JSON"),
        ({"tools": [Tool("t")], "tool_choice": "sometimes"}, ValueError, r"tool_choice: 'sometimes'.*\(t\)"),
        ({"tool_choice": "get_weather"}, ValueError, "tool_choice: .*no tools were given"),
        ({"tools": [Tool("t")], "tool_choice": 1}, TypeError, "tool_choice"),
        ({"response_format": "yaml"}, ValueError, "response_format: unknown format 'yaml'"),
        ({"response_format": "json_schema"}, ValueError, "response_format: .*JsonSchema"),
        ({"response_format": {"type": "json_object"}}, TypeError, "response_format"),
        ({"response_format": JsonSchema("n", 42)}, TypeError, r"response_format\.schema"),  # type: ignore[arg-type]
        ({"response_format": JsonSchema("n", {}, strict="yes")}, TypeError, "response_format"),  # type: ignore[arg-type]
        ({"decision_view": "complete"}, ValueError, "decision_view: unknown view 'complete'"),
        ({"decision_view": True}, TypeError, "decision_view"),
    ],
)
def test_unknown_values_are_refused_naming_the_argument(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        invoke_request(pb.InvokeRequest, "hi", selection=None, **options)


# -- the answer ----------------------------------------------------------------------------------


def test_tool_calls_come_back_and_go_round_again() -> None:
    response = pb.InvokeResponse(
        finish_reason="tool_calls",
        model="m1",
        tool_calls=[
            pb.ToolCall(id="call_1", name="get_weather", arguments='{"city":"Paris"}'),
            pb.ToolCall(id="call_2", name="get_time", arguments=""),
        ],
    )
    completion = _convert.completion(response)
    assert completion.tool_calls == (
        ToolCall("call_1", "get_weather", '{"city":"Paris"}'),
        ToolCall("call_2", "get_time", ""),
    )
    assert completion.tool_calls[0].json() == {"city": "Paris"}
    assert completion.tool_calls[1].json() == {}  # no arguments
    message = completion.as_message()
    assert message == ChatMessage("assistant", "", tool_calls=completion.tool_calls)
    (sent,) = chat_messages([message])
    assert [c.id for c in sent.tool_calls] == ["call_1", "call_2"] and sent.role == "assistant"


def test_completion_json() -> None:
    answer = Completion('{"name": "Paris"}', "stop", Usage(), "m1", "d", None)
    assert answer.json() == {"name": "Paris"}
    with pytest.raises(ValueError):
        Completion('{"name": "Par', "length", Usage(), "m1", "d", None).json()
    with pytest.raises(ValueError):
        ToolCall("c", "t", "{not json").json()
