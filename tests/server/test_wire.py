"""The hand-written decision encoding reads back exactly as the decision built
with the protobuf library, for every strategy and with rejections of every kind,
whole and in its basic view; the hand-written InvokeResponse and stream messages
(tool calls included) are byte for byte what protobuf writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelrouter.api.convert import Converter
from modelrouter.api.wire import DELTA_MAX, basic_length, delta_messages, invoke_response_fields, varint
from modelrouter.attempt import Attempt
from modelrouter.config.load import load_config
from modelrouter.conversation import ToolCall, ToolCallDelta
from modelrouter.domain import Candidate, Decision, Health, Ranking, Requirements, ScoredModel, SelectQuery
from modelrouter.invoker import Invoked
from modelrouter.manager import Router
from modelrouter.providers.base import Completion
from modelrouter_client._proto import router_pb2 as pb

DECISION_ID = "ZGVjaXNpb24taWQ"
"""A decision id, as the router mints them (base64url): a per-call field."""


@pytest.mark.parametrize("strategy", ["task_based", "cost_aware", "performance", "weighted", "resilient"])
@pytest.mark.parametrize(
    "requirements",
    [
        Requirements(),
        Requirements(task="code", capabilities=frozenset({"tools"}), max_cost_usd=0.01),
        Requirements(labels=(("region", "eu"),), max_latency_ms=5000, min_quality=0.6),
        Requirements(exclude_models=frozenset({"nano-fast"}), min_context_tokens=100_000),
    ],
)
def test_encoded_decision_equals_the_protobuf_one(strategy: str, requirements: Requirements) -> None:
    config = load_config()
    router = Router(config)
    router.live.set_health("vision-pro", "default", Health.UNHEALTHY)
    convert = Converter((m.id for m in config.models), 1000, 256)
    decision = router.select(SelectQuery(requirements, strategy, None, 1234, 321), render=convert.render)
    reference = convert.decision(decision, decision_id=DECISION_ID)
    wire = pb.SelectResponse.FromString(convert.select_response(decision, DECISION_ID)).decision
    assert wire == reference
    assert wire.rejected and wire.ranking
    # The basic view: the same decision but the ranking past the chosen entry and the rejections.
    basic = pb.Decision.FromString(decision.rendered[: basic_length(decision.rendered)])
    basic.deployment = decision.deployment
    assert basic == convert.decision(decision, basic=True)
    assert list(basic.ranking) == [reference.ranking[0]] and not basic.rejected
    assert basic.estimated_cost_usd == reference.estimated_cost_usd


def test_a_decision_of_one_is_its_own_basic_view() -> None:
    """A call naming its model gets a one-model decision, rendered once for both views."""
    config = load_config()
    router = Router(config)
    convert = Converter((m.id for m in config.models), 1000, 256)
    decision = router.selector.decide_named("nano-fast", 100, 10, convert.render)
    assert basic_length(decision.rendered) == len(decision.rendered)


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 16383, 16384, 2**31 - 1])
def test_varint(n: int) -> None:
    encoded = varint(n)
    msg = pb.Decision.FromString(b"\x50" + encoded)
    assert msg.estimated_input_tokens == n


@pytest.mark.parametrize("names", [("only",), ("a", "b", "c", "d", "e")])
def test_rankings_with_other_numbers_of_components_encode_too(names: tuple[str, ...]) -> None:
    candidate = Candidate("nano-fast", 0.5, 0.001, 120.0, 1.0)
    values = tuple(float(i) / 10 for i in range(len(names)))
    ranking = Ranking("custom", (ScoredModel(candidate, 0.75, values),), (), 10, 20, names)
    convert = Converter(["nano-fast"], 1000, 256)
    decision = Decision(
        "custom", "nano-fast", "default", ("nano-fast",), ranking, convert.render("custom", ranking)
    )
    wire = pb.SelectResponse.FromString(convert.select_response(decision, DECISION_ID)).decision
    assert wire == convert.decision(decision, decision_id=DECISION_ID)
    assert dict(wire.ranking[0].components) == dict(zip(names, values, strict=True))


def _top_level_fields(data: bytes) -> list[int]:
    """The field numbers of a message's entries, in order (length-delimited and
    varint entries only, which is all these responses hold at the top level)."""
    fields, i = [], 0
    while i < len(data):
        key, i = _read_varint(data, i)
        number, kind = key >> 3, key & 7
        fields.append(number)
        if kind == 2:
            length, i = _read_varint(data, i)
            i += length
        elif kind == 0:
            _, i = _read_varint(data, i)
        elif kind == 1:
            i += 8
        else:
            i += 4
    return fields


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def test_the_decision_travels_as_one_entry() -> None:
    """A parser that keeps only the last entry of a message field (protobufjs 7,
    which @grpc/proto-loader uses) still gets the whole decision."""
    config = load_config()
    router = Router(config)
    convert = Converter((m.id for m in config.models), 1000, 256)
    decision = router.select(SelectQuery(Requirements(), "weighted", None, 100, 10), render=convert.render)
    raw = convert.select_response(decision, DECISION_ID)
    assert _top_level_fields(raw).count(1) == 1
    wire = pb.SelectResponse.FromString(raw).decision
    assert wire.model == decision.model and wire.deployment == decision.deployment and wire.ranking


@dataclass(frozen=True)
class _Attempt:
    model: str
    deployment: str
    outcome: str
    latency_ms: float
    error: str


_texts = st.text(max_size=40)
_calls = st.lists(st.builds(ToolCall, _texts, _texts, st.text(max_size=200)), max_size=3)
_attempts = st.lists(
    st.builds(_Attempt, _texts, _texts, _texts, st.floats(allow_nan=False, allow_infinity=False), _texts),
    max_size=3,
)

# An InvokeResponse's fields but its text, for the encoders' property tests.
_RESPONSE: dict[str, st.SearchStrategy[Any]] = {
    "finish": _texts,
    "tokens": st.tuples(st.integers(0, 2**40), st.integers(0, 2**40)),
    "cost": st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    "model": _texts,
    "attempts": _attempts,
    "cache_hit": st.booleans(),
    "latency": st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    "request_id": _texts,
    "deployment": _texts,
    "calls": _calls,
}


def _pb_calls(calls: list[ToolCall]) -> list[pb.ToolCall]:
    return [pb.ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in calls]


@given(text=_texts, **_RESPONSE)
def test_the_hand_written_invoke_response_reads_back_as_protobufs_own(
    text: str,
    finish: str,
    tokens: tuple[int, int],
    cost: float,
    model: str,
    attempts: list[_Attempt],
    cache_hit: bool,
    latency: float,
    request_id: str,
    deployment: str,
    calls: list[ToolCall],
) -> None:
    reference = pb.InvokeResponse(
        text=text,
        finish_reason=finish,
        usage=pb.Usage(input_tokens=tokens[0], output_tokens=tokens[1], cost_usd=cost),
        model=model,
        attempts=[
            pb.Attempt(
                model=a.model,
                deployment=a.deployment,
                outcome=a.outcome,
                latency_ms=a.latency_ms,
                error=a.error,
            )
            for a in attempts
        ],
        cache_hit=cache_hit,
        latency_ms=latency,
        request_id=request_id,
        deployment=deployment,
        tool_calls=_pb_calls(calls),
    )
    raw = invoke_response_fields(
        text,
        finish,
        tokens[0],
        tokens[1],
        cost,
        model,
        attempts,
        cache_hit,
        latency,
        request_id,
        deployment,
        calls,
    )
    assert pb.InvokeResponse.FromString(raw) == reference
    assert raw == reference.SerializeToString()  # byte for byte, defaults left out as protobuf does


_CONFIG = load_config()
_CONVERT = Converter((m.id for m in _CONFIG.models), 1000, 256)
_DECISION = Router(_CONFIG).select(
    SelectQuery(Requirements(), "weighted", None, 100, 10), render=_CONVERT.render
)


@given(text=st.text(max_size=200), full=st.booleans(), **_RESPONSE)
def test_a_streams_done_is_the_invoke_response_without_its_text(
    text: str,
    full: bool,
    finish: str,
    tokens: tuple[int, int],
    cost: float,
    model: str,
    attempts: list[_Attempt],
    cache_hit: bool,
    latency: float,
    request_id: str,
    deployment: str,
    calls: list[ToolCall],
) -> None:
    """The deltas carried the text: `done` leaves it out (a stream's text may be
    larger than one message may be) and is otherwise Invoke's answer, the tool
    calls whole, the decision in the view asked for."""
    invoked = Invoked(
        Completion(text, finish, tokens[0], tokens[1], True, tuple(calls)),
        model,
        deployment,
        cost,
        tuple(Attempt(a.model, a.deployment, a.outcome, a.latency_ms, a.error) for a in attempts),
        cache_hit,
    )
    decision = _CONVERT.decision(_DECISION, basic=not full, decision_id=DECISION_ID)
    reference = pb.InvokeResponse(
        finish_reason=finish,
        usage=pb.Usage(input_tokens=tokens[0], output_tokens=tokens[1], cost_usd=cost),
        model=model,
        decision=decision,
        attempts=[
            pb.Attempt(
                model=a.model,
                deployment=a.deployment,
                outcome=a.outcome,
                latency_ms=a.latency_ms,
                error=a.error,
            )
            for a in attempts
        ],
        cache_hit=cache_hit,
        latency_ms=latency,
        request_id=request_id,
        deployment=deployment,
        tool_calls=_pb_calls(calls),
    )
    raw = _CONVERT.stream_done(invoked, _DECISION, request_id, latency, DECISION_ID, full_decision=full)
    assert pb.InvokeStreamResponse.FromString(raw) == pb.InvokeStreamResponse(done=reference)
    assert _top_level_fields(raw) == [2]
    body = pb.InvokeStreamResponse.FromString(raw).done.SerializeToString()
    assert 1 not in _top_level_fields(body)  # no text entry at all, not even an empty one
    # Byte for byte, the done's fields but the decision are what protobuf writes for them.
    reference.ClearField("decision")
    fields = invoke_response_fields(
        "",
        finish,
        tokens[0],
        tokens[1],
        cost,
        model,
        attempts,
        cache_hit,
        latency,
        request_id,
        deployment,
        calls,
    )
    assert fields == reference.SerializeToString()
    length, start = _read_varint(raw, 1)
    assert len(raw) == start + length and raw[start:].startswith(fields)
    # Invoke's own answer still carries the text.
    unary = pb.InvokeResponse.FromString(
        _CONVERT.invoke_response(invoked, _DECISION, request_id, latency, DECISION_ID, full_decision=full)
    )
    reference.text = text
    reference.decision.CopyFrom(decision)
    assert unary == reference


@given(
    index=st.integers(0, 2**31 - 1),
    call_id=st.text(max_size=20),
    name=st.text(max_size=20),
    arguments=st.text(max_size=300),
)
def test_a_tool_call_piece_is_what_protobuf_writes(
    index: int, call_id: str, name: str, arguments: str
) -> None:
    (raw,) = _CONVERT.stream_tool_call(ToolCallDelta(index, call_id, name, arguments))
    reference = pb.InvokeStreamResponse(
        tool_call=pb.ToolCallDelta(index=index, id=call_id, name=name, arguments=arguments)
    )
    assert raw == reference.SerializeToString()


def test_a_long_tool_call_piece_goes_out_as_several() -> None:
    """A provider may send a call's arguments in one piece of megabytes: no message
    of the stream carries more than DELTA_MAX bytes of them, and only the first
    repeats the id and name."""
    arguments = '{"text": "' + "é" * DELTA_MAX + "x" * DELTA_MAX + '"}'
    messages = _CONVERT.stream_tool_call(ToolCallDelta(2, "call_1", "write", arguments))
    pieces = [pb.InvokeStreamResponse.FromString(m).tool_call for m in messages]
    assert len(pieces) == 4  # 3 * 64 KiB + a few bytes
    assert all(p.index == 2 and len(p.arguments.encode()) <= DELTA_MAX for p in pieces)
    assert [(p.id, p.name) for p in pieces] == [("call_1", "write")] + [("", "")] * 3
    assert "".join(p.arguments for p in pieces) == arguments


@given(text=st.text(), limit=st.integers(4, 24))
def test_a_long_delta_goes_out_as_several_cut_between_characters(text: str, limit: int) -> None:
    messages = delta_messages(text, limit)
    deltas = [pb.InvokeStreamResponse.FromString(m) for m in messages]
    assert all(d.WhichOneof("event") == "delta" for d in deltas)
    assert "".join(d.delta for d in deltas) == text
    sizes = [len(d.delta.encode()) for d in deltas]
    assert all(size <= limit for size in sizes)
    # As few as the bound allows: a cut moves back at most 3 bytes, off a character's middle.
    assert all(size > limit - 4 for size in sizes[:-1])
    # Byte for byte what protobuf writes; one message when the text fits.
    assert list(messages) == [pb.InvokeStreamResponse(delta=d.delta).SerializeToString() for d in deltas]
    assert (len(messages) == 1) == (len(text.encode()) <= limit)


@pytest.mark.parametrize(
    "text", ["", "a", "x" * 4095, "x" * 4096, "é" * DELTA_MAX, "x" * DELTA_MAX, "x" * (5 * 1024 * 1024) + "é"]
)
def test_deltas_at_the_real_bound(text: str) -> None:
    messages = _CONVERT.stream_deltas(text)
    assert all(len(m) <= DELTA_MAX + 4 for m in messages)
    assert "".join(pb.InvokeStreamResponse.FromString(m).delta for m in messages) == text
    assert len(messages) == max(1, -(-len(text.encode()) // DELTA_MAX))
