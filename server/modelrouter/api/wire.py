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
from collections.abc import Iterable

from modelrouter.domain import Decision, RejectReason

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
SELECT_RESPONSE_DECISION = b"\x0a"


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def length_delimited(tag: bytes, payload: bytes) -> bytes:
    return tag + varint(len(payload)) + payload


def _string(tag: bytes, text: str) -> bytes:
    return length_delimited(tag, text.encode())


class DecisionEncoder:
    """Encodes the parts of a Decision that do not change per call (all but
    `deployment` and `from_cache`)."""

    def __init__(self, model_ids: Iterable[str]) -> None:
        self._model_field = {mid: _string(b"\x0a", mid) for mid in model_ids}
        self._reason_field = {r: _string(b"\x12", r) for r in RejectReason.ALL}
        self._component_prefix: dict[str, bytes] = {}

    def _component(self, key: str) -> bytes:
        """The map entry's tag, length and key; the value's 8 bytes follow."""
        prefix = self._component_prefix.get(key)
        if prefix is None:
            entry_key = _string(b"\x0a", key) + b"\x11"
            prefix = _MAP_ENTRY + varint(len(entry_key) + 8) + entry_key
            self._component_prefix[key] = prefix
        return prefix

    def encode(self, decision: Decision) -> bytes:
        ranking = decision.ranking
        best = ranking.ranked[0].candidate
        model_field = self._model_field
        component = self._component
        parts = [
            model_field[best.model],
            _string(_DECISION_STRATEGY, ranking.strategy),
        ]
        append = parts.append
        for scored in ranking.ranked:
            c = scored.candidate
            body = [model_field[c.model], _SCORED_SCORE, _double(scored.score)]
            for key, value in scored.components.items():
                body.append(component(key))
                body.append(_double(value))
            body += (_SCORED_COST, _double(c.cost_usd), _SCORED_LATENCY, _double(c.latency_ms))
            append(length_delimited(_DECISION_RANKING, b"".join(body)))
        reason_field = self._reason_field
        for r in ranking.rejected:
            body_bytes = model_field[r.model] + reason_field[r.reason] + _string(_REJECTION_DETAIL, r.detail)
            append(length_delimited(_DECISION_REJECTED, body_bytes))
        parts += (
            _DECISION_COST,
            _double(best.cost_usd),
            _DECISION_LATENCY,
            _double(best.latency_ms),
            _string(_DECISION_REQUESTED, decision.requested_strategy),
            _DECISION_INPUT_TOKENS,
            varint(ranking.input_tokens),
            _DECISION_OUTPUT_TOKENS,
            varint(ranking.output_tokens),
        )
        return b"".join(parts)
