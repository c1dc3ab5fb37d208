"""Tools, structured output and images through the client, against a real server with
the built-in configuration, whose simulated models call tools and answer JSON
deterministically: a tool call round trip (ask with a tool, the model calls it, send
the result, read the final text), sync and async, unary and streamed; a JSON Schema
answer parsed; what a request uses required of the model that serves it."""

from __future__ import annotations

from typing import Any

import pytest

from modelrouter_client import (
    AsyncRouter,
    ChatMessage,
    Completion,
    ImagePart,
    InvalidArgumentError,
    JsonSchema,
    Router,
    Tool,
    ToolCall,
    ToolCallDelta,
)
from tests.client.conftest import DEFAULT_MODELS

WEATHER = Tool(
    "get_weather",
    "The current weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
# Its schema as JSON text, as a caller with a schema file would send it.
CLOCK = Tool(
    "get_time", "The time in a city.", '{"type": "object", "properties": {"city": {"type": "string"}}}'
)
RESULT = {"temperature_c": 21, "sky": "clear"}
RESULT_TEXT = '{"temperature_c":21,"sky":"clear"}'  # as ChatMessage.tool_result sends it
CITY = JsonSchema(
    "city",
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "population": {"type": "integer", "minimum": 1}},
        "required": ["name", "population"],
        "additionalProperties": False,
    },
    strict=True,
)
WITH_TOOLS = frozenset({"mini-general", "code-specialist", "eu-balanced", "vision-pro", "reasoner-xl"})
WITH_JSON = frozenset({"mini-general", "eu-balanced", "long-context", "vision-pro", "reasoner-xl"})
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc000000301010000c9fe92ef0000000049454e44ae426082"
)


def question() -> list[ChatMessage]:
    return [ChatMessage("system", "Use the tools."), ChatMessage("user", "Paris")]


def check_call(reply: Completion, tool: Tool = WEATHER) -> ToolCall:
    """The first turn's answer: one call of `tool`, its arguments an object with a city."""
    assert reply.model in WITH_TOOLS, reply.model
    assert reply.finish_reason == "tool_calls"
    (call,) = reply.tool_calls
    assert call.id and call.name == tool.name
    arguments = call.json()
    assert isinstance(arguments, dict) and isinstance(arguments["city"], str), call
    assert reply.usage.output_tokens > 0 and reply.attempts[-1].outcome == "OK"
    return call


def next_turn(conversation: list[ChatMessage], reply: Completion) -> list[ChatMessage]:
    """The conversation with the model's calls and one result for each."""
    results = [ChatMessage.tool_result(call, RESULT) for call in reply.tool_calls]
    return [*conversation, reply.as_message(), *results]


def check_final(final: Completion) -> None:
    """The second turn's answer: text made from the tool's result, no more calls."""
    assert final.model in WITH_TOOLS, final.model
    assert final.finish_reason == "stop" and final.tool_calls == ()
    assert RESULT_TEXT in final.text, final.text


def check_city(answer: Completion) -> None:
    """An answer that matches CITY: exactly its properties, each of its type."""
    assert answer.model in WITH_JSON, answer.model
    value: Any = answer.json()
    assert isinstance(value, dict) and set(value) == {"name", "population"}, value
    assert isinstance(value["name"], str)
    assert isinstance(value["population"], int) and value["population"] >= 1


# -- unary ---------------------------------------------------------------------------------------


def test_a_tool_call_round_trip(router: Router) -> None:
    conversation = question()
    reply = router.invoke(conversation, tools=[WEATHER, CLOCK])
    call = check_call(reply)
    assert reply.text == ""
    # The decision is the basic view: the chosen model alone, no rejections.
    assert reply.decision is not None and [m.model for m in reply.decision.ranking] == [reply.model]
    assert reply.decision.rejected == ()
    final = router.invoke(next_turn(conversation, reply), tools=[WEATHER, CLOCK])
    check_final(final)
    assert call.name in final.text


async def test_a_tool_call_round_trip_async(async_router: AsyncRouter) -> None:
    conversation = question()
    reply = await async_router.invoke(conversation, tools=[WEATHER, CLOCK], tool_choice="get_time")
    check_call(reply, CLOCK)  # the tool the choice named, not the first
    final = await async_router.invoke(next_turn(conversation, reply), tools=[WEATHER, CLOCK])
    check_final(final)


def test_tool_choice_none_answers_in_text(router: Router) -> None:
    reply = router.invoke("Paris", tools=[WEATHER], tool_choice="none")
    assert reply.finish_reason == "stop" and reply.tool_calls == () and reply.text == "Paris"
    assert reply.model in WITH_TOOLS  # tools sent are required, whatever the choice


def test_a_json_schema_answer(router: Router) -> None:
    check_city(router.invoke("The largest city in France", response_format=CITY))
    anything = router.invoke("Paris", response_format="json_object")
    assert anything.model in WITH_JSON and isinstance(anything.json(), dict)


async def test_a_json_schema_answer_async(async_router: AsyncRouter) -> None:
    check_city(await async_router.invoke("The largest city in France", response_format=CITY))


# -- streamed ------------------------------------------------------------------------------------


def check_pieces(events: list[str | ToolCallDelta], calls: tuple[ToolCall, ...]) -> None:
    """The pieces of a streamed call: its id and name first, then its arguments, which
    joined are the arguments of the summary's call."""
    pieces = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(pieces) >= 2
    (call,) = calls
    assert (pieces[0].index, pieces[0].id, pieces[0].name) == (0, call.id, call.name)
    assert all(p.index == 0 and not p.id and not p.name for p in pieces[1:])
    assert "".join(p.arguments for p in pieces) == call.arguments


def test_a_streamed_tool_call_round_trip(router: Router) -> None:
    conversation = question()
    with router.invoke_stream(conversation, tools=[WEATHER], tool_choice="required") as stream:
        events = list(stream.events())
    assert stream.final is not None
    check_call(stream.final)
    check_pieces(events, stream.final.tool_calls)
    assert stream.tool_calls == stream.final.tool_calls

    with router.invoke_stream(next_turn(conversation, stream.final), tools=[WEATHER]) as answer:
        deltas = list(answer)  # plain iteration: the text
    assert answer.final is not None
    check_final(answer.final)
    assert "".join(deltas) == answer.final.text and answer.tool_calls == ()


async def test_a_streamed_tool_call_round_trip_async(async_router: AsyncRouter) -> None:
    conversation = question()
    stream = async_router.invoke_stream(conversation, tools=[WEATHER])
    events = [event async for event in stream.events()]
    first = await stream.result()
    check_call(first)
    check_pieces(events, first.tool_calls)

    answer = async_router.invoke_stream(next_turn(conversation, first), tools=[WEATHER])
    deltas = [delta async for delta in answer]
    final = await answer.result()
    check_final(final)
    assert "".join(deltas) == final.text


def test_a_streamed_json_schema_answer(router: Router) -> None:
    with router.invoke_stream("The largest city in France", response_format=CITY) as stream:
        text = "".join(stream)
    assert stream.final is not None and stream.final.text == text
    check_city(stream.final)


# -- what a request uses is required -------------------------------------------------------------


def test_selection_passes_over_models_without_tools(router: Router) -> None:
    reply = router.invoke("Paris", tools=[WEATHER], decision_view="full")
    decision = reply.decision
    assert decision is not None
    ranked = {m.model for m in decision.ranking}
    rejected = {r.model: r.reason for r in decision.rejected}
    assert ranked | set(rejected) == set(DEFAULT_MODELS) and ranked == WITH_TOOLS
    assert set(rejected.values()) == {"MISSING_CAPABILITY"}


def test_an_image_goes_to_a_model_with_vision(router: Router) -> None:
    picture = ChatMessage("user", parts=["What is in this picture?", ImagePart.from_bytes(PNG, "image/png")])
    reply = router.invoke([picture])
    assert reply.model == "vision-pro"  # the only model of the default configuration with vision
    assert reply.text.startswith("What is in this picture?")


def test_a_named_model_without_tools_is_refused(router: Router) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        router.invoke("Paris", model="nano-fast", tools=[WEATHER])
    assert caught.value.metadata.get("field") == "model"


def test_a_result_that_answers_no_call_is_refused(router: Router) -> None:
    unanswerable = [ChatMessage("user", "Paris"), ChatMessage.tool_result("call_9", "sunny")]
    with pytest.raises(InvalidArgumentError) as caught:
        router.invoke(unanswerable, tools=[WEATHER])
    assert caught.value.metadata.get("field") == "messages[1].tool_call_id"
