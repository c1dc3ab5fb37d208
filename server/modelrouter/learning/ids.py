"""Decision ids: what a Feedback call names.

An id carries what the score is credited to (the deciding tenant, the task, the
model that answered) and when it was issued, sealed with a keyed BLAKE2b MAC.
Nothing is remembered per decision, so minting one costs about a microsecond on
every call and no memory, and any replica holding the same key can read it
(the key is shared through the usage store: `learning.store`). An id that does
not verify, or is older than `feedback.window_s`, is an unknown decision.

Layout (then base64url, unpadded): version (1 byte), issued at (4, Unix
seconds), instance (4, random per process), serial (8), then three
length-prefixed UTF-8 strings (tenant, task, model; 2-byte lengths), then the
MAC (12 bytes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

from modelrouter.errors import UnknownDecision

VERSION = 1
MAC_BYTES = 12
CLOCK_SKEW_S = 60
"""How far in the future an id's issue time may be: replicas' clocks differ."""
_HEAD = struct.Struct(">BII Q")
_MAX_ID_CHARS = 4096
"""Longer than any id minted here (task and model are bounded by the request
bounds): a longer one is refused before any decoding."""


@dataclass(frozen=True, slots=True)
class Minted:
    """What an id says."""

    tenant: str
    task: str
    model: str
    issued: int
    mac: bytes
    """Its seal: the same for the same id, so it keys the scored-once memory."""


class DecisionIds:
    def __init__(self, key: bytes, window_s: float, wall: Callable[[], float]) -> None:
        self._key = key
        self._window_s = window_s
        self._wall = wall
        self._instance = int.from_bytes(os.urandom(4), "big")
        self._serial = itertools.count(int.from_bytes(os.urandom(4), "big"))

    def mint(self, tenant: str, task: str, model: str) -> str:
        t, k, m = tenant.encode(), task.encode(), model.encode()
        body = b"".join(
            (
                _HEAD.pack(
                    VERSION, int(self._wall()), self._instance, next(self._serial) & 0xFFFFFFFFFFFFFFFF
                ),
                len(t).to_bytes(2, "big"),
                t,
                len(k).to_bytes(2, "big"),
                k,
                len(m).to_bytes(2, "big"),
                m,
            )
        )
        mac = hashlib.blake2b(body, key=self._key, digest_size=MAC_BYTES).digest()
        return base64.urlsafe_b64encode(body + mac).rstrip(b"=").decode("ascii")

    def read(self, decision_id: str) -> Minted:
        """What `decision_id` says, or UnknownDecision: not one of ours, altered,
        or older than the window."""
        if not decision_id or len(decision_id) > _MAX_ID_CHARS or not decision_id.isascii():
            raise UnknownDecision(decision_id)
        try:
            raw = base64.urlsafe_b64decode(decision_id + "=" * (-len(decision_id) % 4))
        except ValueError:
            raise UnknownDecision(decision_id) from None
        if len(raw) < _HEAD.size + 6 + MAC_BYTES:
            raise UnknownDecision(decision_id)
        body, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
        expected = hashlib.blake2b(body, key=self._key, digest_size=MAC_BYTES).digest()
        # In constant time: a forger learns nothing from how long a refusal took.
        if not hmac.compare_digest(mac, expected):
            raise UnknownDecision(decision_id)
        version, issued, _, _ = _HEAD.unpack_from(body)
        if version != VERSION:
            raise UnknownDecision(decision_id)
        at = _HEAD.size
        tenant, at = _string(body, at, 2)
        task, at = _string(body, at, 2)
        model, at = _string(body, at, 2)
        # Another replica's clock may run a little ahead of this one's.
        if at != len(body) or not -CLOCK_SKEW_S <= self._wall() - issued <= self._window_s:
            raise UnknownDecision(decision_id)
        return Minted(tenant, task, model, issued, mac)


def _string(body: bytes, at: int, width: int) -> tuple[str, int]:
    """A length-prefixed UTF-8 string at `at`; the position after it. (The MAC
    verified, so the lengths are ours.)"""
    n = int.from_bytes(body[at : at + width], "big")
    start = at + width
    return body[start : start + n].decode(), start + n
