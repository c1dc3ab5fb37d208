"""Protobuf wire encoding of a decision, by hand, from pieces built at start-up.

An uncached Select over N models sends N ranking or rejection entries; building
them as protobuf objects costs several microseconds each, while writing their
bytes from prebuilt prefixes (each model's id field, each reason code, each
score component's key) costs about one. The output is ordinary protobuf: any
parser reads it, and a test checks it field for field against the same decision
built with the protobuf library.

Field numbers are those of protos/modelrouter/v1/router.proto."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Protocol

from modelrouter.domain import Ranking, RejectReason

_double = struct.Struct("<d").pack

# (field number << 3) | wire type; 1 = 64-bit, 2 = length-delimited, 0 = varint.
_DECISION_MODEL = b"\x0a"
_DECISION_STRATEGY = b"\x1a"
_DECISION_RANKING = b"\x22"
_DECISION_REJECTED = b"\x2a"
_DECISION_COST = b"\x31"
_DECISION_LATENCY = b"\x39"
_DECISION_REQUESTED = b"\x4a"
_DECISION_INPUT_TOKENS = b"\x50"
_DECISION_OUTPUT_TOKENS = b"\x58"
_SCORED_SCORE = b"\x11"
_SCORED_COST = b"\x21"
_SCORED_LATENCY = b"\x29"
_MAP_ENTRY = b"\x1a"
_REJECTION_DETAIL = b"\x1a"
_INVOKE_TEXT = b"\x0a"
_INVOKE_FINISH = b"\x12"
_INVOKE_USAGE = b"\x1a"
_INVOKE_MODEL = b"\x22"
_INVOKE_ATTEMPT = b"\x32"
_INVOKE_CACHE_HIT = b"\x38\x01"
_INVOKE_LATENCY = b"\x41"
_INVOKE_REQUEST_ID = b"\x4a"
_INVOKE_DEPLOYMENT = b"\x52"
_USAGE_INPUT = b"\x08"
_USAGE_OUTPUT = b"\x10"
_USAGE_COST = b"\x19"
_ATTEMPT_MODEL = b"\x0a"
_ATTEMPT_DEPLOYMENT = b"\x12"
_ATTEMPT_OUTCOME = b"\x1a"
_ATTEMPT_LATENCY = b"\x21"
_ATTEMPT_ERROR = b"\x2a"
SELECT_RESPONSE_DECISION = b"\x0a"
INVOKE_RESPONSE_DECISION = b"\x2a"
STREAM_DELTA = b"\x0a"
STREAM_DONE = b"\x12"


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def length_delimited(tag: bytes, payload: bytes) -> bytes:
    return tag + varint(len(payload)) + payload


def utf8(text: str) -> bytes:
    """`text` as UTF-8. An upstream's JSON may carry a lone surrogate ("\\ud800"),
    which has no UTF-8 form: it is sent as U+FFFD rather than failing the call."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text).encode()


def _string(tag: bytes, text: str) -> bytes:
    return length_delimited(tag, utf8(text))


def per_call_fields(deployment: str, from_cache: bool) -> bytes:
    """A Decision's per-call fields, as a Decision message of their own."""
    return _string(b"\x12", deployment) + (b"\x40\x01" if from_cache else b"")


def decision_entry(tag: bytes, rendered: bytes, per_call: bytes) -> bytes:
    """One Decision field entry: the cached rendering with the per-call fields
    appended (a message's fields may come in any order), copied once."""
    return b"".join((tag, varint(len(rendered) + len(per_call)), rendered, per_call))


# Tag-and-length heads for the lengths entries usually have, built once.
_HEADS = 4096
_RANKING_HEAD = [_DECISION_RANKING + varint(n) for n in range(_HEADS)]
_REJECTED_HEAD = [_DECISION_REJECTED + varint(n) for n in range(_HEADS)]
_DETAIL_HEAD = [_REJECTION_DETAIL + varint(n) for n in range(_HEADS)]

ScoredPacker = Callable[[float, tuple[float, ...], float, float], bytes]


def _scored_packer(prefixes: list[bytes]) -> ScoredPacker:
    """Packs a ScoredModel's fields after its model id with one struct call:
    score, each component as a map entry (its prefix, then the value), cost,
    latency. The common arities are spelled out; unpacking a fixed number of
    values is three times faster than interleaving them in a loop."""
    fmt = "<1sd" + "".join(f"{len(p)}sd" for p in prefixes) + "1sd1sd"
    pack = struct.Struct(fmt).pack
    score_tag, cost_tag, latency_tag = _SCORED_SCORE, _SCORED_COST, _SCORED_LATENCY
    if len(prefixes) == 2:
        p1, p2 = prefixes

        def packed2(score: float, values: tuple[float, ...], cost: float, latency: float) -> bytes:
            v1, v2 = values
            return pack(score_tag, score, p1, v1, p2, v2, cost_tag, cost, latency_tag, latency)

        return packed2
    if len(prefixes) == 3:
        p1, p2, p3 = prefixes

        def packed3(score: float, values: tuple[float, ...], cost: float, latency: float) -> bytes:
            v1, v2, v3 = values
            return pack(score_tag, score, p1, v1, p2, v2, p3, v3, cost_tag, cost, latency_tag, latency)

        return packed3
    if len(prefixes) == 4:
        p1, p2, p3, p4 = prefixes

        def packed4(score: float, values: tuple[float, ...], cost: float, latency: float) -> bytes:
            v1, v2, v3, v4 = values
            return pack(
                score_tag, score, p1, v1, p2, v2, p3, v3, p4, v4, cost_tag, cost, latency_tag, latency
            )

        return packed4

    def packed(score: float, values: tuple[float, ...], cost: float, latency: float) -> bytes:
        args: list[bytes | float] = [score_tag, score]
        for prefix, value in zip(prefixes, values, strict=True):
            args += (prefix, value)
        return pack(*args, cost_tag, cost, latency_tag, latency)

    return packed


class DecisionEncoder:
    """Encodes the parts of a Decision that do not change per call (all but
    `deployment` and `from_cache`)."""

    def __init__(self, model_ids: Iterable[str]) -> None:
        self._model_field = {mid: _string(b"\x0a", mid) for mid in model_ids}
        self._reason_field = {r: _string(b"\x12", r) for r in RejectReason.ALL}
        self._packers: dict[tuple[str, ...], ScoredPacker] = {}

    def _packer(self, keys: tuple[str, ...]) -> ScoredPacker:
        packer = self._packers.get(keys)
        if packer is None:
            prefixes = []
            for key in keys:
                entry_key = _string(b"\x0a", key) + b"\x11"
                prefixes.append(_MAP_ENTRY + varint(len(entry_key) + 8) + entry_key)
            packer = self._packers[keys] = _scored_packer(prefixes)
        return packer

    def encode(self, requested_strategy: str, ranking: Ranking) -> bytes:
        """The Decision message's bytes, but for `deployment` and `from_cache`."""
        best = ranking.ranked[0].candidate
        model_field = self._model_field
        names = ranking.component_names
        packer = self._packers.get(names) or self._packer(names)
        parts = [model_field[best.model], _string(_DECISION_STRATEGY, ranking.strategy)]
        append = parts.append
        for c, score, values in ranking.ranked:
            body = model_field[c.model] + packer(score, values, c.cost_usd, c.latency_ms)
            n = len(body)
            append(_RANKING_HEAD[n] if n < _HEADS else _DECISION_RANKING + varint(n))
            append(body)
        reason_field = self._reason_field
        for model, reason, detail in ranking.rejected:
            text = detail.encode()
            t = len(text)
            body = b"".join(
                (
                    model_field[model],
                    reason_field[reason],
                    _DETAIL_HEAD[t] if t < _HEADS else _REJECTION_DETAIL + varint(t),
                    text,
                )
            )
            n = len(body)
            append(_REJECTED_HEAD[n] if n < _HEADS else _DECISION_REJECTED + varint(n))
            append(body)
        parts += (
            _DECISION_COST,
            _double(best.cost_usd),
            _DECISION_LATENCY,
            _double(best.latency_ms),
            _string(_DECISION_REQUESTED, requested_strategy),
            _DECISION_INPUT_TOKENS,
            varint(ranking.input_tokens),
            _DECISION_OUTPUT_TOKENS,
            varint(ranking.output_tokens),
        )
        return b"".join(parts)


class AttemptFields(Protocol):
    """What an attempt carries onto the wire (the invoker's Attempt)."""

    @property
    def model(self) -> str: ...
    @property
    def deployment(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def error(self) -> str: ...


def invoke_response_fields(
    text: str,
    finish_reason: str,
    input_tokens: int,
    output_tokens: int,
    cost_usd: float,
    model: str,
    attempts: Iterable[AttemptFields],
    cache_hit: bool,
    latency_ms: float,
    request_id: str,
    deployment: str,
) -> bytes:
    """An InvokeResponse's fields but its decision, as protobuf writes them
    (fields at their default left out; `usage` always present)."""
    usage = b"".join(
        (
            _USAGE_INPUT + varint(input_tokens) if input_tokens else b"",
            _USAGE_OUTPUT + varint(output_tokens) if output_tokens else b"",
            _double_field(_USAGE_COST, cost_usd),
        )
    )
    parts = [
        _string(_INVOKE_TEXT, text) if text else b"",
        _string(_INVOKE_FINISH, finish_reason) if finish_reason else b"",
        length_delimited(_INVOKE_USAGE, usage),
        _string(_INVOKE_MODEL, model) if model else b"",
    ]
    for a in attempts:
        parts.append(length_delimited(_INVOKE_ATTEMPT, _attempt(a)))
    parts += (
        _INVOKE_CACHE_HIT if cache_hit else b"",
        _double_field(_INVOKE_LATENCY, latency_ms),
        _string(_INVOKE_REQUEST_ID, request_id) if request_id else b"",
        _string(_INVOKE_DEPLOYMENT, deployment) if deployment else b"",
    )
    return b"".join(parts)


_ZERO = _double(0.0)


def _double_field(tag: bytes, value: float) -> bytes:
    """Left out at +0.0 only, as protobuf does (-0.0 is written)."""
    packed = _double(value)
    return b"" if packed == _ZERO else tag + packed


def _attempt(a: AttemptFields) -> bytes:
    return b"".join(
        (
            _string(_ATTEMPT_MODEL, a.model) if a.model else b"",
            _string(_ATTEMPT_DEPLOYMENT, a.deployment) if a.deployment else b"",
            _string(_ATTEMPT_OUTCOME, a.outcome) if a.outcome else b"",
            _double_field(_ATTEMPT_LATENCY, a.latency_ms),
            _string(_ATTEMPT_ERROR, a.error) if a.error else b"",
        )
    )
