"""Protobuf wire encoding of a decision, by hand, from pieces built at start-up.

An uncached Select over N models sends N ranking or rejection entries; building
them as protobuf objects costs several microseconds each, while writing their
bytes from prebuilt prefixes (each model's id field, each reason code, each
score component's key) costs about one. The output is ordinary protobuf: any
parser reads it, and a test checks it field for field against the same decision
built with the protobuf library. The basic view of a decision is a prefix of
its rendering (`basic_length`), so one rendering serves both views.

An InvokeResponse's other fields and InvokeStream's messages (text deltas,
tool-call pieces) are written the same way, byte for byte what protobuf writes.

Field numbers are those of protos/modelrouter/v1/router.proto."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from modelrouter.conversation import ToolCall
from modelrouter.domain import Ranking, RejectReason
from modelrouter.selection.selector import Rest

_double = struct.Struct("<d").pack
_estimates = struct.Struct("<1sd1sd").pack

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
_INVOKE_TOOL_CALL = b"\x5a"
_CALL_ID = b"\x0a"
_CALL_NAME = b"\x12"
_CALL_ARGUMENTS = b"\x1a"
_DELTA_INDEX = b"\x08"
_DELTA_ID = b"\x12"
_DELTA_NAME = b"\x1a"
_DELTA_ARGUMENTS = b"\x22"
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
STREAM_TOOL_CALL = b"\x1a"

DELTA_MAX = 64 * 1024
"""The most UTF-8 bytes of text one InvokeStream `delta` message carries. A longer
delta from a provider goes out as several, cut between characters: however large
an answer (up to a model's `max_response_bytes`, at most 64 MiB), no message of a
stream comes near gRPC's default 4 MiB receive limit. A tool call's arguments are
cut the same way."""


_ONE_BYTE = [bytes((n,)) for n in range(0x80)]


def varint(n: int) -> bytes:
    # Most lengths and counts take one or two bytes: those without the loop
    # (several are written for every call).
    if n < 0x80:
        return _ONE_BYTE[n]
    if n < 0x4000:
        return bytes(((n & 0x7F) | 0x80, n >> 7))
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


_DECISION_ID = b"\x62"


def decision_id_field(decision_id: str) -> bytes:
    """Decision.decision_id (ASCII: base64url), a per-call field."""
    return length_delimited(_DECISION_ID, decision_id.encode("ascii"))


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
    if len(prefixes) == 5:  # learned's components
        p1, p2, p3, p4, p5 = prefixes

        def packed5(score: float, values: tuple[float, ...], cost: float, latency: float) -> bytes:
            v1, v2, v3, v4, v5 = values
            return pack(
                score_tag, score, p1, v1, p2, v2, p3, v3, p4, v4, p5, v5, cost_tag, cost, latency_tag, latency
            )

        return packed5

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
        self._strategy_fields: dict[tuple[str, str], tuple[bytes, bytes]] = {}
        """The strategy and requested-strategy fields, per pair of names: the
        configuration's strategies (and the empty name), so few."""

    def _packer(self, keys: tuple[str, ...]) -> ScoredPacker:
        packer = self._packers.get(keys)
        if packer is None:
            prefixes = []
            for key in keys:
                entry_key = _string(b"\x0a", key) + b"\x11"
                prefixes.append(_MAP_ENTRY + varint(len(entry_key) + 8) + entry_key)
            packer = self._packers[keys] = _scored_packer(prefixes)
        return packer

    def _strategy_pair(self, names: tuple[str, str]) -> tuple[bytes, bytes]:
        strategy, requested = names
        fields = _string(_DECISION_STRATEGY, strategy), _string(_DECISION_REQUESTED, requested)
        self._strategy_fields[names] = fields
        return fields

    def encode(
        self, requested_strategy: str, ranking: Ranking, basic: bool = False, rest: Rest | None = None
    ) -> bytes:
        """The Decision message's bytes, but for `deployment` and `from_cache`;
        `basic`: its basic view only (for a ranking no later call reuses); `rest`:
        the ranked entries after `rest.start` (at least 1) and the rejections are
        `rest.rendered`, or are to be kept there when it is None.

        The basic view comes first (`basic_length` finds its end): the chosen
        model, the strategy, the chosen model's ranking entry, the estimates, the
        requested strategy and the token counts, each always written; then the
        rest of the ranking and the rejections. (A message's fields may come in
        any order, and a repeated field's entries keep theirs.)"""
        ranked = ranking.ranked
        best = ranked[0].candidate
        if rest is not None and rest.rendered is not None:
            ranked = ranked[: rest.start]
        model_field = self._model_field
        names = ranking.component_names
        packer = self._packers.get(names) or self._packer(names)
        names_key = (ranking.strategy, requested_strategy)
        strategy, requested = self._strategy_fields.get(names_key) or self._strategy_pair(names_key)
        parts = [model_field[best.model], strategy]
        append = parts.append
        first = True
        for c, score, values in ranked:
            body = model_field[c.model] + packer(score, values, c.cost_usd, c.latency_ms)
            n = len(body)
            append(_RANKING_HEAD[n] if n < _HEADS else _DECISION_RANKING + varint(n))
            append(body)
            if first:
                first = False
                parts += (
                    _estimates(_DECISION_COST, best.cost_usd, _DECISION_LATENCY, best.latency_ms),
                    requested,
                    _DECISION_INPUT_TOKENS,
                    varint(ranking.input_tokens),
                    _DECISION_OUTPUT_TOKENS,
                    varint(ranking.output_tokens),
                )
                if basic:
                    return b"".join(parts)
        if rest is not None and rest.rendered is not None:
            append(rest.rendered)
            return b"".join(parts)
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
        rendered = b"".join(parts)
        if rest is not None:
            # Kept for the next draws: the bytes after the first `start` entries (the
            # basic prefix holds the first, then one length-delimited field each).
            i = basic_length(rendered)
            for _ in range(rest.start - 1):
                i = _after_length_delimited(rendered, i)
            rest.rendered = rendered[i:]
        return rendered


def basic_length(rendered: bytes) -> int:
    """How many bytes of an `encode` rendering are its basic view (DECISION_VIEW_BASIC):
    the prefix up to the output token count, found by stepping over its eight
    fields (three length-delimited, two doubles, one string, two varints) rather
    than kept beside each rendering."""
    i = 0
    for _ in range(3):  # model, strategy, the chosen model's ranking entry
        i = _after_length_delimited(rendered, i)
    i += 18  # cost and latency: a tag and 8 bytes each
    i = _after_length_delimited(rendered, i)  # requested strategy
    i = _after_varint(rendered, i + 1)  # input tokens
    return _after_varint(rendered, i + 1)  # output tokens


def _after_length_delimited(data: bytes, i: int) -> int:
    """The end of the length-delimited field whose one-byte tag is at `i`."""
    i += 1
    n = data[i]
    if n < 0x80:
        return i + 1 + n
    length, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        length |= (b & 0x7F) << shift
        if b < 0x80:
            return i + length
        shift += 7


def _after_varint(data: bytes, i: int) -> int:
    while data[i] >= 0x80:
        i += 1
    return i + 1


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
    tool_calls: Sequence[ToolCall] = (),
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
    for call in tool_calls:
        parts.append(length_delimited(_INVOKE_TOOL_CALL, _tool_call(call)))
    return b"".join(parts)


def _tool_call(call: ToolCall) -> bytes:
    return b"".join(
        (
            _string(_CALL_ID, call.id) if call.id else b"",
            _string(_CALL_NAME, call.name) if call.name else b"",
            _string(_CALL_ARGUMENTS, call.arguments) if call.arguments else b"",
        )
    )


def tool_call_delta(index: int, call_id: str, name: str, arguments: bytes) -> bytes:
    """An InvokeStreamResponse carrying one piece of a tool call (`arguments`
    already UTF-8, and already cut to size by the caller)."""
    body = b"".join(
        (
            # int32: a negative one (no provider sends it) as protobuf writes it, in 10 bytes.
            _DELTA_INDEX + varint(index & 0xFFFFFFFFFFFFFFFF) if index else b"",
            _string(_DELTA_ID, call_id) if call_id else b"",
            _string(_DELTA_NAME, name) if name else b"",
            length_delimited(_DELTA_ARGUMENTS, arguments) if arguments else b"",
        )
    )
    return length_delimited(STREAM_TOOL_CALL, body)


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


# Tag-and-length heads of the delta messages of the usual sizes (a token or a few), built once.
_DELTA_HEADS = 4096
_DELTA_HEAD = [STREAM_DELTA + varint(n) for n in range(_DELTA_HEADS)]


def delta_messages(text: str, limit: int = DELTA_MAX) -> tuple[bytes, ...]:
    """InvokeStreamResponse `delta` messages whose texts, joined, are `text`, each
    of at most `limit` UTF-8 bytes (`limit` >= 4, the longest character). The
    common piece fits in one; a longer one is cut between characters: a cut is
    moved back off UTF-8 continuation bytes (10xxxxxx), so that every piece is
    whole characters and valid UTF-8 on its own."""
    payload = utf8(text)
    n = len(payload)
    if n <= limit:
        return ((_DELTA_HEAD[n] if n < _DELTA_HEADS else STREAM_DELTA + varint(n)) + payload,)
    return tuple(STREAM_DELTA + varint(len(piece)) + piece for piece in cut_utf8(payload, limit))


def cut_utf8(payload: bytes, limit: int) -> list[bytes]:
    """UTF-8 `payload` in pieces of at most `limit` bytes (>= 4, the longest
    character), cut between characters: a cut is moved back off UTF-8
    continuation bytes (10xxxxxx), so that every piece is whole characters and
    valid UTF-8 on its own."""
    if limit < 4:
        raise ValueError(f"a delta limit must be at least 4 bytes, got {limit}")
    n = len(payload)
    view = memoryview(payload)
    pieces = []
    start = 0
    while start < n:
        end = start + limit
        if end >= n:
            end = n
        else:
            while payload[end] & 0xC0 == 0x80:
                end -= 1
        pieces.append(bytes(view[start:end]))
        start = end
    return pieces
