"""Faults both fake upstreams (OpenAI's and Anthropic's wire formats) play the
same way, each in its own format: defined once here, imported by each fake."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endless:
    """An answer that never ends, until the client goes away (see the module docstring)."""

    chunk_text: str = "x" * 4096
    delay_s: float = 0.001


@dataclass(frozen=True)
class Huge:
    """A well-formed answer whose text is `total_bytes` of "x", written
    `piece_bytes` at a time (one content chunk per piece when streamed)."""

    total_bytes: int
    piece_bytes: int = 64 * 1024


@dataclass(frozen=True)
class HungConnection:
    """Never a byte, not even headers, until the client disconnects."""


@dataclass(frozen=True)
class LongLine:
    """A 200 SSE stream whose first `data:` line is `line_bytes` long (without
    its newline), written `piece_bytes` at a time, `piece_delay_s` apart."""

    line_bytes: int = 1024 * 1024
    well_formed: bool = False
    """False: "a"s, not JSON, then the end of the body. True: a text delta (in the
    fake's format) padded with "a"s to the length, amid a normal answer."""
    piece_bytes: int = 64 * 1024
    piece_delay_s: float = 0.001
