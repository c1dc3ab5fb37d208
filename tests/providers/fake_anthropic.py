"""A fake Anthropic Messages API: a real HTTP server (aiohttp.web on 127.0.0.1, a
free port) that answers `POST /v1/messages`, unary or streamed as server-sent
events with real framing and small delays between events, and `GET /v1/models`.

Each request takes the next behaviour from a script (`then(...)`), the happy
`Reply()` once the script is empty. Every request is recorded: method, path,
headers, decoded body, the events sent, and whether the client closed the
connection before the server was done.

    async with FakeAnthropic() as fake:
        fake.then(Status(529), Reply(chunks=("a", "b")))
        provider = AnthropicProvider(fake.base_url, "key", 4)

Behaviours (each a frozen dataclass, queued with `then`):

- `Reply`: a complete answer. `Status`: an error status. `Hang`: silence until
  the client gives up. `Reset`: a TCP RST mid-answer. `Malformed`: a body or an
  event that is not the API's JSON. `Cut`, `StreamError`: a stream that ends
  before message_stop, or with an `error` event.
- `Endless(chunk_text, delay_s)`: an answer that never ends. Streamed: after
  message_start and content_block_start, text deltas of `chunk_text`, `delay_s`
  apart, for ever; unary: a chunked JSON body whose text block keeps growing by
  `chunk_text`. Each write waits for the client to take the last (backpressure),
  so the server holds no more than a socket's buffer, and stops as soon as the
  client goes away.
- `Huge(total_bytes, piece_bytes)`: a well-formed answer whose text is
  `total_bytes` of "x". Unary: one JSON body, written `piece_bytes` at a time;
  streamed: text deltas of `piece_bytes`, then content_block_stop, message_delta
  and message_stop. Generated as it is written: a 200 MiB answer costs the server
  no 200 MiB.
- `SlowFirstByte(delay_s, then)`: waits `delay_s` before sending anything (not
  even headers), then behaves as `then` (which `Received.behaviour` becomes).
- `HungConnection()`: accepts the request and never sends a byte, until the
  client disconnects (or the server stops).
- `LongLine(line_bytes)`: a 200 SSE stream (whatever the request asked) with a
  `data:` line `line_bytes` long, written in pieces over time before its newline:
  as the very first event, "data: " and "a"s (not JSON), then the end of the
  body; or, with `well_formed`, after message_start and content_block_start, one
  text delta padded with "a"s to that length, then the rest of a normal answer.

The deltas of Endless and Huge are counted (`deltas_sent`), not listed in
`events`, so that an endless stream costs the server no memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.providers.faults import Endless, Huge, HungConnection, LongLine


@dataclass(frozen=True)
class Reply:
    """A complete answer."""

    chunks: tuple[str, ...] = ("Hello", ", ", "world", "!")
    """The text: one delta per chunk when streamed, one text block per chunk when not."""
    stop_reason: str | None = "end_turn"
    input_tokens: int | None = 12
    """None: no usage reported at all (nor output_tokens)."""
    output_tokens: int = 5
    thinking: str = ""
    """When set: a thinking block before the text (not part of the answer's text)."""
    delay_s: float = 0.005
    """Between stream events."""
    gate: asyncio.Event | None = None
    """Streamed: the final message_delta and message_stop wait for it."""
    end_delay_s: float = 0.0
    """Streamed: the pause between message_stop and the end of the body."""


@dataclass(frozen=True)
class Status:
    """An error status with the API's error body."""

    status: int
    error_type: str = "api_error"
    message: str = "Internal server error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hang:
    """Sends nothing until the client gives up (or `seconds` pass)."""

    seconds: float = 10.0


@dataclass(frozen=True)
class Reset:
    """Resets the connection (TCP RST) mid-answer: unary, after half the body;
    streamed, after `after_events` events."""

    after_events: int = 3


@dataclass(frozen=True)
class Malformed:
    """Unary: 200 with `body` as the whole body. Streamed: after `after_events`
    events, one event whose data is `body`, then the rest of the answer."""

    body: str = '{"id": "msg_x", "content": [{"type": "text", "text": "trunc'
    after_events: int = 3
    event: str = "content_block_delta"


@dataclass(frozen=True)
class Cut:
    """Streamed: ends the body cleanly after `after_events` events, without message_stop."""

    after_events: int = 4


@dataclass(frozen=True)
class StreamError:
    """Streamed: an `error` event after `after_events` events, then the end of the body."""

    error_type: str = "overloaded_error"
    message: str = "Overloaded"
    after_events: int = 3


@dataclass(frozen=True)
class SlowFirstByte:
    """Nothing for `delay_s`, then `then`."""

    delay_s: float
    then: Behaviour = field(default_factory=Reply)
    """Any behaviour but another SlowFirstByte."""


Behaviour = (
    Reply
    | Status
    | Hang
    | Reset
    | Malformed
    | Cut
    | StreamError
    | Endless
    | Huge
    | SlowFirstByte
    | HungConnection
    | LongLine
)


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: Any
    behaviour: Behaviour
    peer: tuple[str, int]
    events: list[str] = field(default_factory=list)
    """The names of the events sent so far (but Endless's and Huge's deltas)."""
    deltas_sent: int = 0
    """Endless's and Huge's text deltas (streamed) or body pieces (unary) sent so far."""
    finished: bool = False
    """The server sent its whole answer."""
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the client closed the connection before the server was done."""

    @property
    def client_closed(self) -> bool:
        return self.closed.is_set()


class FakeAnthropic:
    def __init__(self) -> None:
        self.script: deque[Behaviour] = deque()
        self.received: list[Received] = []
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._shutdown = asyncio.Event()

    def then(self, *behaviours: Behaviour) -> FakeAnthropic:
        """Queues behaviours for the next requests, in order."""
        self.script.extend(behaviours)
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1"

    @property
    def last(self) -> Received:
        return self.received[-1]

    async def __aenter__(self) -> FakeAnthropic:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        # handler_cancellation: a client that goes away cancels the handler, which
        # is how a hung or streaming handler learns of it.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._shutdown.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> Received:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        peer = request.transport.get_extra_info("peername") if request.transport else ("", 0)
        rec = Received(
            request.method,
            request.path_qs,
            {k.lower(): v for k, v in request.headers.items()},
            body,
            self.script.popleft() if self.script else Reply(),
            (peer[0], peer[1]),
        )
        self.received.append(rec)
        return rec

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        rec = await self._record(request)
        streamed = isinstance(rec.body, dict) and rec.body.get("stream") is True
        try:
            await self._first_byte(rec)
            b = rec.behaviour
            if isinstance(b, LongLine):
                return await self._long_line(request, rec, b)
            if isinstance(b, Endless | Huge):
                return await (self._long_stream if streamed else self._long_body)(request, rec, b)
            if streamed:
                return await self._stream(request, rec)
            return await self._unary(request, rec)
        except (asyncio.CancelledError, ConnectionResetError):
            rec.closed.set()
            raise

    async def _models(self, request: web.Request) -> web.StreamResponse:
        rec = await self._record(request)
        try:
            await self._first_byte(rec)
            b = rec.behaviour
            if isinstance(b, Status):
                return _error_response(b)
            if isinstance(b, Hang):
                await self._hang(b)
            rec.finished = True
            return web.json_response(
                {"data": [{"type": "model", "id": "claude-fake", "display_name": "Fake"}], "has_more": False}
            )
        except asyncio.CancelledError:
            rec.closed.set()
            raise

    async def _first_byte(self, rec: Received) -> None:
        """What comes before any byte: SlowFirstByte's wait (after which `rec`
        behaves as its `then`), or HungConnection's, until the client goes away
        (which cancels the handler) or the server stops."""
        b = rec.behaviour
        if isinstance(b, SlowFirstByte):
            await asyncio.sleep(b.delay_s)
            rec.behaviour = b.then
        elif isinstance(b, HungConnection):
            await self._shutdown.wait()
            raise web.HTTPServiceUnavailable

    async def _hang(self, b: Hang) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._shutdown.wait(), b.seconds)

    async def _unary(self, request: web.Request, rec: Received) -> web.StreamResponse:
        b = rec.behaviour
        if isinstance(b, Status):
            return _error_response(b)
        if isinstance(b, Hang):
            await self._hang(b)
            return web.json_response({"type": "error", "error": {"type": "api_error", "message": "late"}})
        if isinstance(b, Malformed):
            rec.finished = True
            return web.Response(text=b.body, content_type="application/json")
        reply = b if isinstance(b, Reply) else Reply()
        raw = json.dumps(_message(rec.body, reply, streamed=False)).encode()
        if isinstance(b, Reset):
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(raw)
            await response.prepare(request)
            await response.write(raw[: len(raw) // 2])
            await asyncio.sleep(0.02)
            _reset(request)
            return response
        rec.finished = True
        return web.Response(body=raw, content_type="application/json")

    async def _stream(self, request: web.Request, rec: Received) -> web.StreamResponse:
        b = rec.behaviour
        if isinstance(b, Status):
            return _error_response(b)
        if isinstance(b, Hang):
            await self._hang(b)
            return _error_response(Status(500))
        reply = b if isinstance(b, Reply) else Reply()
        events = _events(rec.body, reply)
        cut_at: int | None = None
        if isinstance(b, Reset | Cut | StreamError):
            cut_at = b.after_events
        elif isinstance(b, Malformed):
            events.insert(b.after_events, (b.event, b.body))
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        for n, (name, data) in enumerate(events):
            if n == cut_at:
                break
            if n:
                await asyncio.sleep(reply.delay_s)
            if reply.gate is not None and name == "message_delta":
                await reply.gate.wait()
            await response.write(f"event: {name}\ndata: {data}\n\n".encode())
            rec.events.append(name)
        if isinstance(b, Reset):
            await asyncio.sleep(0.02)
            _reset(request)
            return response
        if isinstance(b, StreamError):
            error = {"type": "error", "error": {"type": b.error_type, "message": b.message}}
            await response.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
            rec.events.append("error")
        if reply.end_delay_s:
            await asyncio.sleep(reply.end_delay_s)
        await response.write_eof()
        rec.finished = True
        return response

    async def _long_stream(
        self, request: web.Request, rec: Received, b: Endless | Huge
    ) -> web.StreamResponse:
        """Endless's or Huge's stream: the usual events around deltas generated as
        they are written."""
        events = _events(rec.body, Reply(chunks=()))
        head, tail = events[:3], events[3:]  # message_start, content_block_start, ping | the end
        response = await _sse_response(request)
        for name, data in head:
            await _send(response, rec, name, data)
        if isinstance(b, Endless):
            delta = _delta(b.chunk_text)
            while True:
                await response.write(delta)
                rec.deltas_sent += 1
                await asyncio.sleep(b.delay_s)
        for size in _pieces(b.total_bytes, b.piece_bytes):
            await response.write(_delta("x" * size))
            rec.deltas_sent += 1
        for name, data in tail:
            await _send(response, rec, name, data)
        rec.finished = True
        await response.write_eof()
        return response

    async def _long_body(self, request: web.Request, rec: Received, b: Endless | Huge) -> web.StreamResponse:
        """Endless's or Huge's unary answer: one JSON message, written piece by
        piece (chunked), its text generated as it is written."""
        head, tail = _split_at_text(json.dumps(_message(rec.body, Reply(chunks=("\x00",)), streamed=False)))
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(head.encode())
        if isinstance(b, Endless):
            piece = b.chunk_text.encode()
            while True:
                await response.write(piece)
                rec.deltas_sent += 1
                await asyncio.sleep(b.delay_s)
        for size in _pieces(b.total_bytes, b.piece_bytes):
            await response.write(b"x" * size)
            rec.deltas_sent += 1
        await response.write(tail.encode())
        rec.finished = True
        await response.write_eof()
        return response

    async def _long_line(self, request: web.Request, rec: Received, b: LongLine) -> web.StreamResponse:
        response = await _sse_response(request)
        if not b.well_formed:
            await _write_long_line(response, b, "event: content_block_delta\ndata: ", "")
            await response.write(b"\n\n")
            rec.events.append("content_block_delta")
            rec.finished = True
            await response.write_eof()
            return response
        events = _events(rec.body, Reply(chunks=()))
        for name, data in events[:3]:
            await _send(response, rec, name, data)
        head, tail = _split_at_text(_delta_data("\x00"))
        await _write_long_line(response, b, "event: content_block_delta\ndata: " + head, tail)
        await response.write(b"\n\n")
        rec.events.append("content_block_delta")
        for name, data in events[3:]:
            await _send(response, rec, name, data)
        rec.finished = True
        await response.write_eof()
        return response


async def _sse_response(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    return response


async def _send(response: web.StreamResponse, rec: Received, name: str, data: str) -> None:
    await response.write(f"event: {name}\ndata: {data}\n\n".encode())
    rec.events.append(name)


def _delta_data(text: str) -> str:
    return json.dumps(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
    )


def _delta(text: str) -> bytes:
    """A whole text delta event."""
    return f"event: content_block_delta\ndata: {_delta_data(text)}\n\n".encode()


def _split_at_text(encoded: str) -> tuple[str, str]:
    """The JSON before and after the text "\\x00" it carries (once)."""
    head, tail = encoded.split(json.dumps("\x00")[1:-1])
    return head, tail


def _pieces(total: int, piece: int) -> Iterator[int]:
    """The sizes `total` is written in, `piece` at a time."""
    return (min(piece, total - start) for start in range(0, total, piece))


async def _write_long_line(response: web.StreamResponse, line: LongLine, head: str, tail: str) -> None:
    """`head`, "a"s, then `tail`: `line.line_bytes` in all (the event name's line
    aside), in pieces, without the newline."""
    data_line = head.rpartition("\n")[2]
    fill = line.line_bytes - len(data_line.encode()) - len(tail.encode())
    await response.write(head.encode())
    for size in _pieces(fill, line.piece_bytes):
        await response.write(b"a" * size)
        await asyncio.sleep(line.piece_delay_s)
    await response.write(tail.encode())


def _error_response(b: Status) -> web.Response:
    body = {"type": "error", "error": {"type": b.error_type, "message": b.message}}
    return web.json_response(body, status=b.status, headers=b.headers)


def _reset(request: web.Request) -> None:
    """Closes the connection with a TCP RST (linger 0), as a crashed peer would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _message(body: Any, reply: Reply, streamed: bool) -> dict[str, Any]:
    """The message object: the whole answer, or message_start's empty one."""
    content: list[dict[str, Any]] = []
    if not streamed:
        if reply.thinking:
            content.append({"type": "thinking", "thinking": reply.thinking, "signature": "sig"})
        content += [{"type": "text", "text": chunk} for chunk in reply.chunks]
    message: dict[str, Any] = {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "") if isinstance(body, dict) else "",
        "content": content,
        "stop_reason": None if streamed else reply.stop_reason,
        "stop_sequence": None,
    }
    if reply.input_tokens is not None:
        message["usage"] = {
            "input_tokens": reply.input_tokens,
            "output_tokens": 1 if streamed else reply.output_tokens,
        }
    return message


def _events(body: Any, reply: Reply) -> list[tuple[str, str]]:
    """A whole streamed answer as (event, data) pairs, in the API's order."""

    def ev(name: str, **fields: Any) -> tuple[str, str]:
        return name, json.dumps({"type": name, **fields})

    out = [ev("message_start", message=_message(body, reply, streamed=True))]
    index = 0
    if reply.thinking:
        out.append(ev("content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}))
        out.append(
            ev("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": reply.thinking})
        )
        out.append(ev("content_block_stop", index=0))
        index = 1
    out.append(ev("content_block_start", index=index, content_block={"type": "text", "text": ""}))
    out.append(ev("ping"))
    out += [
        ev("content_block_delta", index=index, delta={"type": "text_delta", "text": chunk})
        for chunk in reply.chunks
    ]
    out.append(ev("content_block_stop", index=index))
    delta: dict[str, Any] = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    if reply.input_tokens is not None:
        out.append(ev("message_delta", delta=delta, usage={"output_tokens": reply.output_tokens}))
    else:
        out.append(ev("message_delta", delta=delta))
    out.append(ev("message_stop"))
    return out
