"""Fuzzing every RPC through a real server.

Two kinds of input reach each RPC over a raw channel (no serializers, so the
bytes arrive exactly as generated):
- bytes: random (`binary()`), valid requests mutated (cut, flipped, spliced), and
  hand-picked nasty cases (truncated and overlong varints, wrong wire types,
  invalid UTF-8 in string fields, huge length prefixes, deeply nested groups);
- field values: real request messages with random strings, negative, NaN and
  infinite numbers, random weight keys, model ids, roles, `model` together with
  `selection`; and valid requests with exactly one field made invalid, whose
  error must name that field.

Whatever arrives, a failure carries a code from the RPC's allowed set (never
INTERNAL or UNKNOWN) and exactly one ErrorInfo (domain modelrouter.v1, an
UPPER_SNAKE reason); bytes that do not decode as the request message are
INVALID_ARGUMENT MALFORMED_REQUEST, and bytes that do are never called malformed;
a successful Select lists every registered model exactly once."""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import grpc
import pytest
import pytest_asyncio
import yaml
from google.protobuf.message import DecodeError, Message
from hypothesis import event, given, settings
from hypothesis import strategies as st

from modelrouter.config.load import default_config_text, load_config
from modelrouter_client._proto import router_pb2 as pb
from tests.support import ErrorDetails, Served, details_of, serving

Code = grpc.StatusCode
SERVICE_PATH = "/modelrouter.v1.RouterService/"
DOMAIN = "modelrouter.v1"
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")

SELECT_CODES = frozenset({Code.INVALID_ARGUMENT, Code.NOT_FOUND, Code.FAILED_PRECONDITION})
# An Invoke may also find every candidate failing or run out of time; on the
# instant simulated models served here it should not, but the contract allows it.
INVOKE_CODES = SELECT_CODES | {Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED}
READ_CODES = frozenset({Code.INVALID_ARGUMENT})

_DEFAULT = load_config()  # what `default_server` decides like


def _instant_default() -> str:
    """The default configuration with the simulated models answering at once: the
    same latency priors (so the same decisions), no waiting for Invoke."""
    raw = yaml.safe_load(default_config_text())
    for model in raw["models"]:
        sim = model["simulate"]
        model["latency"] = {"ttft_ms": sim["ttft_ms"], "tokens_per_s": sim["tokens_per_s"]}
        model["simulate"] = {"ttft_ms": 0, "tokens_per_s": 1e12}
    return str(yaml.safe_dump(raw))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def default_server() -> AsyncIterator[Served]:
    """Overrides the session's: the default registry, answering Invokes at once."""
    async with serving(_instant_default()) as served:
        yield served


MODEL_IDS: tuple[str, ...] = tuple(m.id for m in _DEFAULT.models)
STRATEGIES: tuple[str, ...] = tuple(_DEFAULT.strategies)
WEIGHT_KEYS = ("quality", "cost", "latency", "reliability")
ROLES = ("system", "user", "assistant")
# Above this the server refuses a token count; the contract sets no bound, so a
# count past it may go either way.
TOKEN_BOUND = 100_000_000


@dataclass(frozen=True)
class Rpc:
    name: str
    request: type[Message]
    response: type[Message]
    streaming: bool
    allowed: frozenset[grpc.StatusCode]


RPCS = (
    Rpc("Select", pb.SelectRequest, pb.SelectResponse, False, SELECT_CODES),
    Rpc("Invoke", pb.InvokeRequest, pb.InvokeResponse, False, INVOKE_CODES),
    Rpc("InvokeStream", pb.InvokeStreamRequest, pb.InvokeStreamResponse, True, INVOKE_CODES),
    Rpc("Stats", pb.StatsRequest, pb.StatsResponse, False, READ_CODES),
    Rpc("ListModels", pb.ListModelsRequest, pb.ListModelsResponse, False, READ_CODES),
)
BY_NAME = {rpc.name: rpc for rpc in RPCS}


@dataclass
class Outcome:
    """What a call produced: the response messages (bytes), or the error's details."""

    responses: list[bytes]
    error: ErrorDetails | None

    @property
    def code(self) -> grpc.StatusCode:
        return Code.OK if self.error is None else self.error.code

    @property
    def reason(self) -> str:
        return "" if self.error is None else self.error.reason


async def call(served: Served, rpc: Rpc, raw: bytes) -> Outcome:
    """Send `raw` as is; check the error contract on failure and the response on success."""
    path = SERVICE_PATH + rpc.name
    try:
        if rpc.streaming:
            responses = [r async for r in served.channel.unary_stream(path)(raw, timeout=10)]
        else:
            responses = [await served.channel.unary_unary(path)(raw, timeout=10)]
    except grpc.aio.AioRpcError as err:
        assert err.code() in rpc.allowed, f"{rpc.name} answered {err.code().name}: {err.details()}"
        details = details_of(err)
        assert details.domain == DOMAIN
        assert UPPER_SNAKE.match(details.reason), details.reason
        assert details.message.strip(), "an error message a person can act on"
        if details.code == Code.FAILED_PRECONDITION:
            assert details.reason == "NO_ELIGIBLE_MODEL"
            assert sorted(subject for subject, _ in details.violations) == sorted(MODEL_IDS)
            assert all(UPPER_SNAKE.match(kind) for _, kind in details.violations)
        if details.reason == "INVALID_REQUEST":
            assert details.metadata.get("field"), "INVALID_REQUEST names the field"
        return Outcome([], details)
    check_responses(rpc, responses)
    return Outcome(responses, None)


def check_decision(d: pb.Decision) -> None:
    listed = [s.model for s in d.ranking] + [r.model for r in d.rejected]
    assert sorted(listed) == sorted(MODEL_IDS), "every registered model exactly once"
    assert d.ranking, "a decision ranks at least one model"
    assert d.model == d.ranking[0].model
    assert d.deployment
    assert all(UPPER_SNAKE.match(r.reason) for r in d.rejected)
    scores = [s.score for s in d.ranking]
    assert scores == sorted(scores, reverse=True), "ranking is best first"


def check_responses(rpc: Rpc, responses: list[bytes]) -> None:
    if rpc.name == "Select":
        check_decision(pb.SelectResponse.FromString(responses[0]).decision)
    elif rpc.name == "Invoke":
        reply = pb.InvokeResponse.FromString(responses[0])
        assert reply.model
    elif rpc.name == "InvokeStream":
        events = [pb.InvokeStreamResponse.FromString(r) for r in responses]
        kinds = [e.WhichOneof("event") for e in events]
        assert kinds and kinds[-1] == "done" and kinds.count("done") == 1, kinds
    elif rpc.name == "Stats":
        reply = pb.StatsResponse.FromString(responses[0])
        ids = [m.model for m in reply.models]
        assert len(ids) == len(set(ids)) and set(ids) <= set(MODEL_IDS)
    else:
        reply = pb.ListModelsResponse.FromString(responses[0])
        assert [m.id for m in reply.models] == list(MODEL_IDS)


def decodes(rpc: Rpc, raw: bytes) -> bool:
    try:
        rpc.request.FromString(raw)
    except DecodeError:
        return False
    return True


def check_decoding(rpc: Rpc, raw: bytes, outcome: Outcome) -> None:
    """Bytes that do not decode are MALFORMED_REQUEST; bytes that do never are."""
    if decodes(rpc, raw):
        assert outcome.reason != "MALFORMED_REQUEST", f"{rpc.name}: {raw!r} decodes, yet {outcome.error}"
    else:
        assert (outcome.code, outcome.reason) == (Code.INVALID_ARGUMENT, "MALFORMED_REQUEST"), (
            f"{rpc.name}: {raw!r} does not decode, yet {outcome.code.name} {outcome.reason}"
        )


# -- bytes --------------------------------------------------------------------------

USER_HI = pb.ChatMessage(role="user", content="hi")
SEEDS: tuple[bytes, ...] = tuple(
    m.SerializeToString()
    for m in (
        pb.SelectRequest(
            requirements=pb.Requirements(
                task="code",
                capabilities=["tools"],
                min_context_tokens=4000,
                max_cost_usd=0.5,
                max_latency_ms=9000,
                min_quality=0.5,
                exclude_models=["nano-fast"],
                labels={"region": "us"},
                expected_input_tokens=300,
                expected_output_tokens=20,
            ),
            strategy="cheap",
            weights={"quality": 1.0, "cost": 0.5},
            messages=[USER_HI],
            max_output_tokens=64,
        ),
        pb.InvokeRequest(
            selection=pb.SelectRequest(strategy="quick"),
            messages=[USER_HI, pb.ChatMessage(role="assistant", content="hello")],
            max_output_tokens=16,
            temperature=0.0,
            stop=["\n"],
            cache=pb.CACHE_POLICY_BYPASS,
            request_id="r-1",
        ),
        pb.InvokeStreamRequest(model="turbo-chat", messages=[USER_HI]),
        pb.StatsRequest(models=["nano-fast", "reasoner-xl"]),
    )
)


def _mutate(raw: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(raw)
    for op, at, chunk in edits:
        i = at % (len(out) + 1)
        if op == "cut":
            del out[i:]
        elif op == "flip" and i < len(out):
            out[i] ^= chunk[0] if chunk else 0xFF
        elif op == "insert":
            out[i:i] = chunk
        elif op == "delete":
            del out[i : i + max(1, len(chunk))]
        elif op == "splice":
            out += chunk
    return bytes(out)


_edits = st.lists(
    st.tuples(
        st.sampled_from(("cut", "flip", "insert", "delete", "splice")),
        st.integers(0, 400),
        st.binary(min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=4,
)
RAW_BYTES = st.one_of(
    st.binary(max_size=300),
    st.builds(_mutate, st.sampled_from(SEEDS), _edits),
    st.builds(bytes.__add__, st.sampled_from(SEEDS), st.sampled_from(SEEDS)),
)


@pytest.mark.parametrize("rpc", RPCS, ids=lambda r: r.name)
@given(raw=RAW_BYTES)
async def test_random_bytes(default_server: Served, rpc: Rpc, raw: bytes) -> None:
    outcome = await call(default_server, rpc, raw)
    event(f"{outcome.code.name} {outcome.reason}")
    check_decoding(rpc, raw, outcome)


def _double(tag: int, value: float) -> bytes:
    return bytes([tag]) + struct.pack("<d", value)


def _len(tag: int, body: bytes) -> bytes:
    assert len(body) < 128
    return bytes([tag, len(body)]) + body


NASTY: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("truncated-tag-varint", b"\x80"),
    ("tag-without-value", b"\x08"),
    ("truncated-value-varint", b"\x28\x80\x80"),
    ("overlong-varint", b"\x28" + b"\xff" * 10 + b"\x01"),
    ("field-number-zero", b"\x00\x01"),
    ("field-number-too-large", b"\x80\x80\x80\x80\x10\x01"),
    ("largest-field-number", b"\xf8\xff\xff\xff\x0f\x01"),
    ("wire-type-6", b"\x0e\x00"),
    ("wire-type-7", b"\x0f\x00"),
    ("fixed32-on-message-field", b"\x0d\x00\x00\x00\x00"),
    ("varint-on-string-field", b"\x10\x01"),
    ("bytes-on-int32-field", b"\x2a\x01x"),
    ("fixed64-truncated", b"\x21\x00\x00"),
    ("utf8-field-2", b"\x12\x02\xff\xfe"),
    ("utf8-overlong-encoding", b"\x12\x02\xc0\xaf"),
    ("utf8-surrogate", b"\x12\x03\xed\xa0\x80"),
    ("utf8-field-1", b"\x0a\x02\xff\xfe"),
    ("utf8-nested-task", _len(0x0A, b"\x0a\x02\xff\xfe")),
    ("utf8-map-key", _len(0x1A, b"\x0a\x02\xc3\x28")),
    ("utf8-map-value-or-content", _len(0x1A, b"\x12\x02\xff\xfe")),
    ("utf8-label-value", _len(0x0A, _len(0x4A, b"\x0a\x01k\x12\x01\xff"))),
    ("huge-length-prefix", b"\x12\xff\xff\xff\xff\x0f" + b"ab"),
    ("negative-length-prefix", b"\x0a" + b"\xff" * 9 + b"\x01" + b"ab"),
    ("length-past-end", b"\x12\x05ab"),
    ("nested-length-past-parent", _len(0x0A, b"\x0a\x10ab")),
    ("deeply-nested-groups", b"\x7b" * 200 + b"\x7c" * 200),
    ("nested-groups", b"\x7b" * 30 + b"\x7c" * 30),
    ("unterminated-group", b"\x7b\x08\x01"),
    ("stray-end-group", b"\x7c"),
    ("mismatched-end-group", b"\x7b\x84\x01"),
    ("group-on-message-field", b"\x0b\x0c"),
    ("nan-max-cost", _len(0x0A, _double(0x21, math.nan))),
    ("negative-inf-max-latency", _len(0x0A, _double(0x29, -math.inf))),
    ("quality-above-one", _len(0x0A, _double(0x31, 1.5))),
    ("negative-int32-as-10-bytes", b"\x28" + b"\xff" * 9 + b"\x01"),
    ("int64-wrapping-int32", b"\x28" + b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"),
    ("negative-tokens", _len(0x0A, b"\x50" + b"\xff" * 9 + b"\x01")),
    ("repeated-submessage", b"\x0a\x00" * 2000),
    ("unknown-enum-value", b"\x38\x63"),
    ("nan-temperature", _double(0x29, math.nan)),
    ("large-string", b"\x32\x80\x80\x10" + b"x" * 262_144),
]
# Cases that must be MALFORMED_REQUEST for these RPCs (on top of the decode oracle,
# which judges every case): the field they break is a string or a framing error.
MUST_BE_MALFORMED = {
    "truncated-tag-varint": {"*"},
    "tag-without-value": {"*"},
    "truncated-value-varint": {"*"},
    "overlong-varint": {"*"},
    # upb lets an empty message (ListModelsRequest) skip field number 0; the decode
    # oracle judges that one.
    "field-number-zero": {"Select", "Invoke", "InvokeStream", "Stats"},
    "wire-type-6": {"*"},
    "wire-type-7": {"*"},
    "fixed64-truncated": {"*"},
    "huge-length-prefix": {"*"},
    "negative-length-prefix": {"*"},
    "length-past-end": {"*"},
    "deeply-nested-groups": {"*"},
    "unterminated-group": {"*"},
    "stray-end-group": {"*"},
    "mismatched-end-group": {"*"},
    "utf8-field-2": {"Select", "Invoke", "InvokeStream"},
    "utf8-overlong-encoding": {"Select", "Invoke", "InvokeStream"},
    "utf8-surrogate": {"Select", "Invoke", "InvokeStream"},
    "utf8-field-1": {"Stats"},
    "utf8-nested-task": {"Select"},
    "utf8-map-key": {"Select", "Invoke", "InvokeStream"},
    "utf8-map-value-or-content": {"Invoke", "InvokeStream"},
    "utf8-label-value": {"Select"},
}
# Cases that decode, with the answer the contract fixes for them.
MUST_ANSWER = {
    ("empty", "Select"): (Code.OK, ""),
    ("empty", "Stats"): (Code.OK, ""),
    ("empty", "ListModels"): (Code.OK, ""),
    ("empty", "Invoke"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("empty", "InvokeStream"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("nan-max-cost", "Select"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("negative-inf-max-latency", "Select"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("quality-above-one", "Select"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("negative-int32-as-10-bytes", "Select"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("negative-tokens", "Select"): (Code.INVALID_ARGUMENT, "INVALID_REQUEST"),
    ("repeated-submessage", "Select"): (Code.OK, ""),
    ("largest-field-number", "ListModels"): (Code.OK, ""),
}


@pytest.mark.parametrize("rpc", RPCS, ids=lambda r: r.name)
@pytest.mark.parametrize(("case", "raw"), NASTY, ids=[name for name, _ in NASTY])
async def test_nasty_bytes(default_server: Served, rpc: Rpc, case: str, raw: bytes) -> None:
    outcome = await call(default_server, rpc, raw)
    check_decoding(rpc, raw, outcome)
    malformed_for = MUST_BE_MALFORMED.get(case, set())
    if "*" in malformed_for or rpc.name in malformed_for:
        assert (outcome.code, outcome.reason) == (Code.INVALID_ARGUMENT, "MALFORMED_REQUEST")
    expected = MUST_ANSWER.get((case, rpc.name))
    if expected is not None:
        assert (outcome.code, outcome.reason) == expected, outcome.error


# -- field values --------------------------------------------------------------------

_text = st.text(max_size=12)
_any_float = st.floats(allow_nan=True, allow_infinity=True)
_any_int32 = st.integers(-(2**31), 2**31 - 1)


def _maybe(strategy: st.SearchStrategy[object], default: object) -> st.SearchStrategy[object]:
    """The default (the field unset) half the time: most requests leave most fields alone."""
    return st.one_of(st.just(default), strategy)


@dataclass(frozen=True)
class Values:
    """Field value strategies: `sane` ones stay within the contract, wild ones do not."""

    model_ids: st.SearchStrategy[str]
    limits: st.SearchStrategy[float]
    units: st.SearchStrategy[float]
    counts: st.SearchStrategy[int]
    roles: st.SearchStrategy[str]
    words: st.SearchStrategy[str]
    weight_keys: st.SearchStrategy[str]
    weights: st.SearchStrategy[float]
    strategies: st.SearchStrategy[str]


SANE = Values(
    model_ids=st.sampled_from(MODEL_IDS),
    limits=st.one_of(st.floats(0, 2), st.sampled_from((0.001, 1000.0, 10_000.0))),
    units=st.one_of(st.floats(0, 1), st.sampled_from((0.5, 0.7, 0.9, 1.0))),
    counts=st.integers(1, 20_000),
    roles=st.sampled_from(ROLES),
    words=st.sampled_from(("chat", "code", "summarize", "reasoning", "vision", "tools", "eu", "us", "tier")),
    weight_keys=st.sampled_from(WEIGHT_KEYS),
    weights=st.floats(0, 5),
    strategies=st.sampled_from(STRATEGIES),
)
WILD = Values(
    model_ids=st.one_of(st.sampled_from(MODEL_IDS), _text),
    limits=st.one_of(SANE.limits, _any_float),
    units=st.one_of(SANE.units, _any_float),
    counts=st.one_of(SANE.counts, _any_int32),
    roles=st.one_of(SANE.roles, _text),
    words=st.one_of(SANE.words, _text),
    weight_keys=st.one_of(SANE.weight_keys, _text),
    weights=st.one_of(SANE.weights, _any_float),
    strategies=st.one_of(SANE.strategies, _text),
)


def _messages(v: Values) -> st.SearchStrategy[list[pb.ChatMessage]]:
    return st.lists(st.builds(pb.ChatMessage, role=v.roles, content=st.text(max_size=40)), max_size=3)


def _requirements(v: Values) -> st.SearchStrategy[pb.Requirements]:
    return st.builds(
        pb.Requirements,
        task=_maybe(v.words, ""),
        capabilities=_maybe(st.lists(v.words, max_size=2), []),
        min_context_tokens=_maybe(v.counts, 0),
        max_cost_usd=_maybe(v.limits, 0.0),
        max_latency_ms=_maybe(v.limits, 0.0),
        min_quality=_maybe(v.units, 0.0),
        include_models=_maybe(st.lists(v.model_ids, max_size=4), []),
        exclude_models=_maybe(st.lists(v.model_ids, max_size=4), []),
        labels=_maybe(st.dictionaries(v.words, v.words, max_size=2), {}),
        expected_input_tokens=_maybe(v.counts, 0),
        expected_output_tokens=_maybe(v.counts, 0),
    )


def _select_requests(v: Values) -> st.SearchStrategy[pb.SelectRequest]:
    return st.builds(
        pb.SelectRequest,
        requirements=_maybe(_requirements(v), None),
        strategy=_maybe(v.strategies, ""),
        weights=_maybe(st.dictionaries(v.weight_keys, v.weights, max_size=4), {}),
        messages=_maybe(_messages(v), []),
        max_output_tokens=_maybe(v.counts, 0),
    )


SELECT_REQUESTS = st.one_of(_select_requests(SANE), _select_requests(WILD))


def _invoke_requests(cls: type[Message]) -> st.SearchStrategy[Message]:
    def build(v: Values) -> st.SearchStrategy[Message]:
        return st.builds(
            cls,
            selection=_maybe(_select_requests(v), None),
            model=_maybe(v.model_ids, ""),
            messages=st.one_of(st.just([USER_HI]), _messages(v)),
            max_output_tokens=_maybe(v.counts, 0),
            temperature=_maybe(st.one_of(st.floats(0, 2), _any_float), None),
            stop=_maybe(st.lists(st.text(max_size=5), max_size=2), []),
            cache=st.one_of(st.sampled_from((0, 1, 2, 3)), st.integers(-5, 1000)),
            request_id=_maybe(_text, ""),
        )

    return st.one_of(build(SANE), build(WILD))


@dataclass(frozen=True)
class Verdict:
    """What the contract says a request deserves: "invalid" (INVALID_ARGUMENT),
    "unknown_model" (NOT_FOUND), "valid" (served), or "either" (the contract
    does not decide between them)."""

    kind: str
    why: str = ""


def _count_verdict(value: int, field: str) -> Verdict | None:
    if value < 0:
        return Verdict("invalid", f"{field} < 0")
    if value > TOKEN_BOUND:
        return Verdict("either", f"{field} very large")
    return None


def judge_selection(msg: pb.SelectRequest, in_invoke: bool = False) -> Verdict:
    r = msg.requirements
    found: list[Verdict] = []
    for field in ("min_context_tokens", "expected_input_tokens", "expected_output_tokens"):
        found.append(_count_verdict(getattr(r, field), field) or Verdict("valid"))
    for field in ("max_cost_usd", "max_latency_ms"):
        value = getattr(r, field)
        if not math.isfinite(value) or value < 0:
            found.append(Verdict("invalid", field))
    if not math.isfinite(r.min_quality) or not 0 <= r.min_quality <= 1:
        found.append(Verdict("invalid", "min_quality"))
    for field in ("include_models", "exclude_models"):
        if any(mid not in MODEL_IDS for mid in getattr(r, field)):
            found.append(Verdict("invalid", f"unknown id in {field}"))
    weights = dict(msg.weights)
    if weights:
        if any(k not in WEIGHT_KEYS or not math.isfinite(v) or v < 0 for k, v in weights.items()):
            found.append(Verdict("invalid", "bad weight"))
        elif sum(weights.values()) <= 0:
            found.append(Verdict("invalid", "no weight above zero"))
        elif not math.isfinite(sum(weights.values())):
            found.append(Verdict("either", "weights overflow"))
    if not in_invoke:  # Invoke ignores the selection's messages and output limit
        if any(m.role not in ROLES for m in msg.messages):
            found.append(Verdict("invalid", "bad role"))
        found.append(_count_verdict(msg.max_output_tokens, "max_output_tokens") or Verdict("valid"))
    if msg.strategy and msg.strategy not in STRATEGIES:
        # Select must refuse it; this Invoke checks only what it converts.
        found.append(Verdict("invalid", "unknown strategy"))
    return _worst(found)


def _worst(found: list[Verdict]) -> Verdict:
    for kind in ("invalid", "either", "unknown_model"):
        for v in found:
            if v.kind == kind:
                return v
    return Verdict("valid")


def judge_invoke(msg: pb.InvokeRequest | pb.InvokeStreamRequest) -> Verdict:
    found: list[Verdict] = []
    if not msg.messages:
        found.append(Verdict("invalid", "no messages"))
    if any(m.role not in ROLES for m in msg.messages):
        found.append(Verdict("invalid", "bad role"))
    if msg.max_output_tokens < 0:
        found.append(Verdict("invalid", "max_output_tokens < 0"))
    elif msg.max_output_tokens > TOKEN_BOUND:
        found.append(Verdict("either", "max_output_tokens very large"))
    if msg.model and msg.HasField("selection"):
        found.append(Verdict("invalid", "both model and selection"))
    if msg.cache not in (0, 1, 2, 3):
        found.append(Verdict("invalid", "unknown CachePolicy value"))  # not taken as the default
    if msg.HasField("temperature") and not (math.isfinite(msg.temperature) and msg.temperature >= 0):
        found.append(Verdict("either", "odd temperature"))
    if msg.model:
        if msg.model not in MODEL_IDS:
            # Which of two faults is reported first is not fixed by the contract.
            worst = _worst(found)
            return Verdict("unknown_model" if worst.kind == "valid" else "either", "unknown model")
    elif msg.HasField("selection"):
        found.append(judge_selection(msg.selection, in_invoke=True))
    return _worst(found)


def check_verdict(verdict: Verdict, outcome: Outcome, served_codes: set[grpc.StatusCode]) -> None:
    event(f"{verdict.kind} -> {outcome.code.name} {outcome.reason}")
    if verdict.kind == "invalid":
        assert outcome.code == Code.INVALID_ARGUMENT, (verdict.why, outcome.error)
        assert outcome.reason in {"INVALID_REQUEST", "UNKNOWN_STRATEGY"}, outcome.reason
    elif verdict.kind == "unknown_model":
        assert (outcome.code, outcome.reason) == (Code.NOT_FOUND, "UNKNOWN_MODEL"), outcome.error
    elif verdict.kind == "valid":
        assert outcome.code in served_codes, outcome.error
    assert outcome.reason != "MALFORMED_REQUEST"


def check_token_counts(msg: pb.SelectRequest, decision: pb.Decision) -> None:
    """0 means: from the messages, then the output limit, then the configured defaults."""
    r = msg.requirements
    if r.expected_input_tokens > 0:
        assert decision.estimated_input_tokens == r.expected_input_tokens
    elif not msg.messages:
        assert decision.estimated_input_tokens == _DEFAULT.server.default_expected_input_tokens
    expected_out = (
        r.expected_output_tokens or msg.max_output_tokens or _DEFAULT.server.default_expected_output_tokens
    )
    assert decision.estimated_output_tokens == expected_out


@given(msg=SELECT_REQUESTS)
async def test_select_field_values(default_server: Served, msg: pb.SelectRequest) -> None:
    outcome = await call(default_server, BY_NAME["Select"], msg.SerializeToString())
    check_verdict(judge_selection(msg), outcome, {Code.OK, Code.FAILED_PRECONDITION})
    if outcome.error is None:
        decision = pb.SelectResponse.FromString(outcome.responses[0]).decision
        check_token_counts(msg, decision)
        assert decision.requested_strategy == (msg.strategy or _DEFAULT.server.default_strategy)


_SERVED_INVOKE = {Code.OK, Code.FAILED_PRECONDITION}


@given(msg=_invoke_requests(pb.InvokeRequest))
async def test_invoke_field_values(default_server: Served, msg: pb.InvokeRequest) -> None:
    outcome = await call(default_server, BY_NAME["Invoke"], msg.SerializeToString())
    check_verdict(judge_invoke(msg), outcome, _SERVED_INVOKE)


@given(msg=_invoke_requests(pb.InvokeStreamRequest))
async def test_invoke_stream_field_values(default_server: Served, msg: pb.InvokeStreamRequest) -> None:
    outcome = await call(default_server, BY_NAME["InvokeStream"], msg.SerializeToString())
    check_verdict(judge_invoke(msg), outcome, _SERVED_INVOKE)


# -- one fault in an otherwise valid request ---------------------------------------------

_bad_floats = st.one_of(st.sampled_from((math.nan, math.inf, -math.inf)), st.floats(max_value=-1e-300))
_not_units = st.one_of(_bad_floats, st.floats(min_value=1.0000001))
_negative = st.integers(-(2**31), -1)
_unknown_id = _text.filter(lambda t: t not in MODEL_IDS)


@dataclass(frozen=True)
class Fault:
    """One thing wrong with a request: where, and what the error must name."""

    field: str  # the proto field the error's `field` metadata must mention
    reason: str = "INVALID_REQUEST"


FAULTS = (
    "count",
    "limit",
    "min_quality",
    "include",
    "exclude",
    "weight_key",
    "weight_value",
    "zero_weights",
    "role",
    "max_output_tokens",
    "strategy",
)
# Invoke uses its own messages and output limit, not its selection's, and this
# version does not look its strategy up.
SELECTION_FAULTS = tuple(f for f in FAULTS if f not in ("role", "max_output_tokens", "strategy"))


@st.composite
def faulty_selections(draw: st.DrawFn, kind: str) -> tuple[pb.SelectRequest, Fault]:
    """A valid SelectRequest with exactly one field made invalid, in the way `kind` says."""
    msg = draw(_select_requests(SANE))
    if msg.weights and sum(msg.weights.values()) <= 0:
        msg.weights["quality"] = 1.0
    r = msg.requirements
    if kind == "count":
        name = draw(
            st.sampled_from(("min_context_tokens", "expected_input_tokens", "expected_output_tokens"))
        )
        setattr(r, name, draw(_negative))
        return msg, Fault(name)
    if kind == "limit":
        name = draw(st.sampled_from(("max_cost_usd", "max_latency_ms")))
        setattr(r, name, draw(_bad_floats))
        return msg, Fault(name)
    if kind == "min_quality":
        r.min_quality = draw(_not_units)
        return msg, Fault("min_quality")
    if kind in ("include", "exclude"):
        ids = r.include_models if kind == "include" else r.exclude_models
        ids.insert(draw(st.integers(0, len(ids))), draw(_unknown_id))
        return msg, Fault(f"{kind}_models")
    if kind == "weight_key":
        msg.weights[draw(_text.filter(lambda t: t not in WEIGHT_KEYS))] = draw(st.floats(0, 5))
        return msg, Fault("weights")
    if kind == "weight_value":
        msg.weights[draw(st.sampled_from(WEIGHT_KEYS))] = draw(_bad_floats)
        return msg, Fault("weights")
    if kind == "zero_weights":
        msg.weights.clear()
        msg.weights.update(dict.fromkeys(draw(st.lists(st.sampled_from(WEIGHT_KEYS), min_size=1)), 0.0))
        return msg, Fault("weights")
    if kind == "role":
        msg.messages.insert(0, pb.ChatMessage(role=draw(_text.filter(lambda t: t not in (*ROLES, "tool")))))
        return msg, Fault("role")
    if kind == "max_output_tokens":
        msg.max_output_tokens = draw(_negative)
        return msg, Fault("max_output_tokens")
    msg.strategy = draw(_text.filter(lambda t: t and t not in STRATEGIES))
    return msg, Fault("", "UNKNOWN_STRATEGY")


def check_fault(fault: Fault, outcome: Outcome, prefix: str = "") -> None:
    event(f"{fault.reason} {fault.field}")
    assert (outcome.code, outcome.reason) == (Code.INVALID_ARGUMENT, fault.reason), outcome.error
    assert outcome.error is not None
    if fault.field:
        named = outcome.error.metadata["field"]
        assert named.startswith(prefix) and fault.field in named, (fault, named)


_PER_FAULT = settings(max_examples=max(5, settings.default.max_examples // 4))


@pytest.mark.parametrize("kind", FAULTS)
@_PER_FAULT
@given(data=st.data())
async def test_select_with_one_fault_names_it(default_server: Served, kind: str, data: st.DataObject) -> None:
    msg, fault = data.draw(faulty_selections(kind))
    check_fault(fault, await call(default_server, BY_NAME["Select"], msg.SerializeToString()))


@pytest.mark.parametrize("rpc_name", ["Invoke", "InvokeStream"])
@pytest.mark.parametrize("kind", SELECTION_FAULTS)
@_PER_FAULT
@given(data=st.data())
async def test_invoke_with_one_fault_in_its_selection_names_it(
    default_server: Served, rpc_name: str, kind: str, data: st.DataObject
) -> None:
    selection, fault = data.draw(faulty_selections(kind))
    rpc = BY_NAME[rpc_name]
    msg = rpc.request(selection=selection, messages=[USER_HI])
    check_fault(fault, await call(default_server, rpc, msg.SerializeToString()), prefix="selection.")


@given(models=st.lists(WILD.model_ids, max_size=4))
async def test_stats_field_values(default_server: Served, models: list[str]) -> None:
    outcome = await call(default_server, BY_NAME["Stats"], pb.StatsRequest(models=models).SerializeToString())
    if all(m in MODEL_IDS for m in models):
        assert outcome.error is None, outcome.error
        got = [m.model for m in pb.StatsResponse.FromString(outcome.responses[0]).models]
        assert sorted(got) == sorted(set(models) or MODEL_IDS)
    else:
        assert (outcome.code, outcome.reason) == (Code.INVALID_ARGUMENT, "INVALID_REQUEST")


# Caller-supplied strings that errors quote back, each with the RPC and request
# that carry it.
_ECHOED: list[tuple[str, Callable[[str], Message]]] = [
    ("Select", lambda s: pb.SelectRequest(strategy=s)),
    ("Select", lambda s: pb.SelectRequest(requirements=pb.Requirements(exclude_models=[s]))),
    ("Invoke", lambda s: pb.InvokeRequest(model=s, messages=[USER_HI])),
    ("Invoke", lambda s: pb.InvokeRequest(messages=[pb.ChatMessage(role=s, content="hi")])),
    ("Stats", lambda s: pb.StatsRequest(models=[s])),
]


@pytest.mark.parametrize(
    "text", ["x" * 20_000, "\u00e9" * 6_000, "\U0001f600" * 5_000], ids=["ascii", "latin", "emoji"]
)
@pytest.mark.parametrize(("rpc_name", "build"), _ECHOED, ids=[f"{r}-{i}" for i, (r, _) in enumerate(_ECHOED)])
async def test_long_echoed_strings_keep_the_error_contract(
    default_server: Served, rpc_name: str, build: Callable[[str], Message], text: str
) -> None:
    """Errors quote what the caller sent; a long string must not push the status past
    grpc's trailer limit (8 KiB soft, 16 KiB hard), which the client would see as a
    bare RESOURCE_EXHAUSTED without ErrorInfo (a server bug once)."""
    outcome = await call(default_server, BY_NAME[rpc_name], build(text).SerializeToString())
    assert outcome.code in {Code.INVALID_ARGUMENT, Code.NOT_FOUND}
    assert outcome.error is not None and len(outcome.error.message) < 2_000


async def test_server_still_serves_after_fuzzing(default_server: Served) -> None:
    reply = await default_server.stub.Select(pb.SelectRequest(), timeout=10)
    check_decision(reply.decision)
    listed = await default_server.stub.ListModels(pb.ListModelsRequest(), timeout=10)
    assert [m.id for m in listed.models] == list(MODEL_IDS)
    # The access log has a JSON line per call; none of the calls above crashed.
    default_server.running.access_log.flush()
    lines = [json.loads(line) for line in default_server.log.getvalue().split("\n") if line.startswith("{")]
    assert lines, "the access log recorded the calls"
    assert not [line for line in lines if line.get("outcome") == "INTERNAL" or line.get("level") == "error"]
