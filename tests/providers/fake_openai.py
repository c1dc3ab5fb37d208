"""A real HTTP server speaking the OpenAI chat completions wire format, on
127.0.0.1 and a free port, with scripted faults.

Each request to `/v1/chat/completions` or `/v1/models` takes the next behaviour
from a queue (`script(...)`); with the queue empty it answers normally. Streams
are sent for real, one flushed SSE chunk at a time with a small delay between
chunks. Everything received is recorded (`requests`), with the client's address
(to count TCP connections) and whether the client closed the connection before
the answer was complete (for cancellation tests).

    async with FakeOpenAI() as server:
        server.script(Status(429, headers={"Retry-After": "3"}), Reply(text="hi"))
        provider = OpenAIProvider(server.base_url)

Behaviours (each a frozen dataclass, queued with `script`):

- `Reply`: a normal answer. `Status`: an error status. `Hang`: silence, then an
  answer. `Reset`: the connection dropped. `Malformed`: a body or `data:` line
  that is not the API's JSON. `CutStream`, `StreamError`: a stream that ends early
  or with an `error` object.
- `Endless(chunk_text, delay_s)`: an answer that never ends. Streamed: content
  chunks of `chunk_text`, `delay_s` apart, for ever; unary: a chunked JSON body
  whose `content` string keeps growing by `chunk_text`. Each write waits for the
  client to take the last (backpressure), so the server holds no more than a
  socket's buffer, and stops as soon as the client goes away.
- `Huge(total_bytes, piece_bytes)`: a well-formed answer whose text is
  `total_bytes` of "x". Unary: one JSON body, written `piece_bytes` at a time;
  streamed: content chunks of `piece_bytes`, then the finish, usage and [DONE].
  Generated as it is written: a 200 MiB answer costs the server no 200 MiB.
- `SlowFirstByte(delay_s, then)`: waits `delay_s` before sending anything (not
  even headers), then behaves as `then` (which `Received.behaviour` becomes).
- `HungConnection()`: accepts the request and never sends a byte, until the
  client disconnects (or the server stops).
- `LongLine(line_bytes)`: a 200 SSE stream (whatever the request asked) whose
  first `data:` line is `line_bytes` long, written in pieces over time before its
  newline: "data: " and "a"s (not JSON), then the end of the body; or, with
  `well_formed`, one content chunk padded with "a"s to that length, then the rest
  of a normal answer.

Every behaviour records `chunks_sent`, `completed` and `client_closed`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.providers.faults import Endless, Huge, HungConnection, LongLine

# --- Behaviours ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A normal answer: the whole JSON, or (when the request streams) an SSE stream
    of a role chunk, one chunk per piece, a finish chunk, a usage chunk (when the
    client asked for it and `usage` is set) and `[DONE]`."""

    text: str = "Hello there, world!"
    pieces: tuple[str, ...] | None = None
    """The stream's deltas; by default the text split after each space."""
    finish_reason: str | None = "stop"
    usage: tuple[int, int] | None = (12, 5)
    """(prompt_tokens, completion_tokens); None: no usage reported."""
    chunk_delay_s: float = 0.01
    send_done: bool = True
    hold_after_first: asyncio.Event | None = None
    """When set: after the first content chunk, the stream waits for this event."""
    content_null: bool = False
    """Unary: `message.content` is null."""
    in_pieces: bool = False
    """Unary: the body is written in three parts, with the chunk delay between them."""

    def stream_pieces(self) -> list[str]:
        if self.pieces is not None:
            return list(self.pieces)
        words = self.text.split(" ")
        return [w + " " for w in words[:-1]] + [words[-1]]


@dataclass(frozen=True)
class Status:
    """An HTTP error status with a body and headers."""

    status: int
    body: str = '{"error": {"message": "scripted failure", "type": "server_error"}}'
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hang:
    """Sends nothing for `seconds` (longer than the client's timeout), then answers."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Reset:
    """Closes the connection: before any answer (`after_bytes` None), or after
    sending the headers (with a Content-Length) and that many bytes of the body."""

    after_bytes: int | None = 10


@dataclass(frozen=True)
class Malformed:
    """A 200 whose body (unary) or whose `data:` line (stream) is `body` verbatim."""

    body: str = "this is not json"


@dataclass(frozen=True)
class CutStream:
    """Streams `after_chunks` content chunks, then ends: by closing the connection
    mid-body (`clean=False`), or by ending the body properly but with neither a
    finish_reason nor [DONE] (`clean=True`)."""

    after_chunks: int = 2
    clean: bool = False


@dataclass(frozen=True)
class StreamError:
    """Streams `after_chunks` content chunks, then an `error` object chunk."""

    message: str
    after_chunks: int = 1


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
    | CutStream
    | StreamError
    | Endless
    | Huge
    | SlowFirstByte
    | HungConnection
    | LongLine
)

_STREAMED = (Reply, CutStream, StreamError, Malformed, Endless, Huge)
"""The behaviours whose answer to a streaming request is a stream (the others
answer the same whatever the request asked; LongLine always streams)."""

CONTEXT_REFUSAL = json.dumps(
    {
        "error": {
            "message": "This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9000 tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
)


# --- Recording ----------------------------------------------------------------


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    peer: tuple[str, int]
    behaviour: Behaviour
    chunks_sent: int = 0
    """Content chunks of a stream (or pieces of a Huge or Endless body) written so far."""
    completed: bool = False
    """The whole answer was written."""
    client_closed: bool = False
    """The client closed the connection before the answer was complete."""
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when `client_closed` becomes true."""

    @property
    def acting(self) -> Behaviour:
        """What the server does: a SlowFirstByte's `then`, else the behaviour itself."""
        b = self.behaviour
        return b.then if isinstance(b, SlowFirstByte) else b


class _ClosedByUs(Exception):
    """The server itself dropped the connection (a scripted reset)."""


class FakeOpenAI:
    """The server; an async context manager that starts and stops it."""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[Received] = []
        self._script: deque[Behaviour] = deque()
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.port = 0
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        self._app = app

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def connections(self) -> int:
        """Distinct TCP connections the requests so far came over."""
        return len({r.peer for r in self.requests})

    def script(self, *behaviours: Behaviour) -> None:
        """Queues behaviours for the next requests, in order."""
        self._script.extend(behaviours)

    async def __aenter__(self) -> FakeOpenAI:
        # handler_cancellation: a client that goes away cancels its handler, which
        # is how a closed connection is noticed while the handler waits.
        self._runner = web.AppRunner(self._app, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- handlers ---

    def _receive(self, request: web.Request, body: Any) -> Received:
        peer = request.transport.get_extra_info("peername") if request.transport else ("?", 0)
        behaviour = self._script.popleft() if self._script else Reply()
        received = Received(
            request.method, request.path, dict(request.headers), body, tuple(peer[:2]), behaviour
        )
        self.requests.append(received)
        return received

    async def _models(self, request: web.Request) -> web.StreamResponse:
        received = self._receive(request, None)
        models = {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]}
        return await self._answer(request, received, lambda: self._json(models))

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        received = self._receive(request, body)
        acting = received.acting
        if isinstance(acting, LongLine) or (body.get("stream") and isinstance(acting, _STREAMED)):
            return await self._answer(request, received, None)
        return await self._answer(request, received, lambda: self._json(self._completion(received)))

    async def _answer(self, request: web.Request, received: Received, unary: Any) -> web.StreamResponse:
        behaviour = received.behaviour
        try:
            if isinstance(behaviour, SlowFirstByte):
                await asyncio.sleep(behaviour.delay_s)
                received.behaviour = behaviour = behaviour.then
            if isinstance(behaviour, HungConnection):
                await self._stopping.wait()  # a client that goes away cancels this wait
                raise _ClosedByUs
            if isinstance(behaviour, Hang):
                await asyncio.sleep(behaviour.seconds)
            if isinstance(behaviour, Status):
                received.completed = True
                return web.Response(
                    status=behaviour.status,
                    text=behaviour.body,
                    content_type="application/json",
                    headers=behaviour.headers,
                )
            if isinstance(behaviour, Reset):
                return await self._reset(request, behaviour)
            if isinstance(behaviour, Malformed) and unary is not None:
                received.completed = True
                return web.Response(text=behaviour.body, content_type="application/json")
            if unary is None:
                return await self._stream(request, received)
            if isinstance(behaviour, Endless | Huge):
                return await self._long_body(request, received, behaviour)
            response: web.StreamResponse = unary()
            if isinstance(behaviour, Reply) and behaviour.in_pieces and isinstance(response, web.Response):
                response = await self._in_pieces(request, response, behaviour.chunk_delay_s)
            received.completed = True
            return response
        except _ClosedByUs:
            raise asyncio.CancelledError from None
        except (asyncio.CancelledError, ConnectionResetError):
            received.client_closed = not received.completed
            if received.client_closed:
                received.closed.set()
            raise

    def _json(self, obj: Any) -> web.Response:
        return web.Response(text=json.dumps(obj), content_type="application/json")

    def _completion(self, received: Received) -> dict[str, Any]:
        reply = received.behaviour if isinstance(received.behaviour, Reply) else Reply()
        answer: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None if reply.content_null else reply.text},
                    "finish_reason": reply.finish_reason,
                }
            ],
        }
        if reply.usage is not None:
            answer["usage"] = {
                "prompt_tokens": reply.usage[0],
                "completion_tokens": reply.usage[1],
                "total_tokens": sum(reply.usage),
            }
        return answer

    async def _in_pieces(
        self, request: web.Request, whole: web.Response, delay_s: float
    ) -> web.StreamResponse:
        body = whole.body
        assert isinstance(body, bytes)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = len(body)
        await response.prepare(request)
        third = len(body) // 3 + 1
        for start in range(0, len(body), third):
            await response.write(body[start : start + third])
            await asyncio.sleep(delay_s)
        await response.write_eof()
        return response

    async def _reset(self, request: web.Request, behaviour: Reset) -> web.StreamResponse:
        transport = request.transport
        assert transport is not None
        if behaviour.after_bytes is None:
            transport.abort()
            raise _ClosedByUs
        body = json.dumps(self._completion(Received("", "", {}, None, ("", 0), Reply()))).encode()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: behaviour.after_bytes])
        await asyncio.sleep(0.01)
        transport.abort()
        raise _ClosedByUs

    async def _long_body(
        self, request: web.Request, received: Received, behaviour: Endless | Huge
    ) -> web.StreamResponse:
        """A unary answer written piece by piece (chunked): Huge's whole, or
        Endless's never finished."""
        placeholder = "\x00TEXT\x00"
        whole = json.dumps(self._completion(Received("", "", {}, None, ("", 0), Reply(text=placeholder))))
        head, tail = (part.encode() for part in whole.split(json.dumps(placeholder)[1:-1]))
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(head)
        if isinstance(behaviour, Endless):
            piece = behaviour.chunk_text.encode()
            while True:
                await response.write(piece)
                received.chunks_sent += 1
                await asyncio.sleep(behaviour.delay_s)
        for size in _pieces(behaviour.total_bytes, behaviour.piece_bytes):
            await response.write(b"x" * size)
            received.chunks_sent += 1
        await response.write(tail)
        received.completed = True
        await response.write_eof()
        return response

    async def _stream(self, request: web.Request, received: Received) -> web.StreamResponse:
        behaviour = received.behaviour
        reply = behaviour if isinstance(behaviour, Reply) else Reply()
        include_usage = bool((received.body.get("stream_options") or {}).get("include_usage"))
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)

        async def send(data: str, *, content: bool = False) -> None:
            await response.write(f"data: {data}\n\n".encode())
            if content:
                received.chunks_sent += 1
            await asyncio.sleep(reply.chunk_delay_s)

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            return json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": self.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                }
            )

        if isinstance(behaviour, Malformed):
            await send(behaviour.body)
            received.completed = True
            await response.write_eof()
            return response
        if isinstance(behaviour, LongLine):
            if not behaviour.well_formed:
                await _write_long_line(response, received, behaviour, "data: ", "")
                received.completed = True
                await response.write_eof()
                return response
            head, tail = chunk({"content": "\x00"}).split(json.dumps("\x00")[1:-1])
            await _write_long_line(response, received, behaviour, "data: " + head, tail)
            await response.write(b"\n\n")

        await send(chunk({"role": "assistant", "content": ""}))
        pieces = reply.stream_pieces()
        if isinstance(behaviour, Endless):
            endless = f"data: {chunk({'content': behaviour.chunk_text})}\n\n".encode()
            while True:
                await response.write(endless)
                received.chunks_sent += 1
                await asyncio.sleep(behaviour.delay_s)
        if isinstance(behaviour, Huge):
            pieces = []
            for size in _pieces(behaviour.total_bytes, behaviour.piece_bytes):
                await response.write(f"data: {chunk({'content': 'x' * size})}\n\n".encode())
                received.chunks_sent += 1
        if isinstance(behaviour, LongLine):
            pieces = []
        if isinstance(behaviour, CutStream | StreamError):
            pieces = pieces[: behaviour.after_chunks]
        for i, piece in enumerate(pieces):
            await send(chunk({"content": piece}), content=True)
            if i == 0 and reply.hold_after_first is not None:
                await reply.hold_after_first.wait()

        if isinstance(behaviour, CutStream):
            if behaviour.clean:
                received.completed = True
                await response.write_eof()
                return response
            transport = request.transport
            assert transport is not None
            received.completed = True  # the server's own doing, not the client's
            transport.abort()
            raise _ClosedByUs
        if isinstance(behaviour, StreamError):
            await send(json.dumps({"error": {"message": behaviour.message, "type": "server_error"}}))
            received.completed = True
            await response.write_eof()
            return response

        await send(chunk({}, reply.finish_reason))
        if include_usage and reply.usage is not None:
            usage = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}
            await send(json.dumps({"id": "chatcmpl-fake", "choices": [], "usage": usage}))
        if reply.send_done:
            await response.write(b"data: [DONE]\n\n")
        received.completed = True
        await response.write_eof()
        return response


def _pieces(total: int, piece: int) -> Iterator[int]:
    """The sizes `total` is written in, `piece` at a time."""
    return (min(piece, total - start) for start in range(0, total, piece))


async def _write_long_line(
    response: web.StreamResponse, received: Received, line: LongLine, head: str, tail: str
) -> None:
    """`head`, "a"s, then `tail`: `line.line_bytes` in all, in pieces, without the newline."""
    fill = line.line_bytes - len(head.encode()) - len(tail.encode())
    await response.write(head.encode())
    for size in _pieces(fill, line.piece_bytes):
        await response.write(b"a" * size)
        received.chunks_sent += 1
        await asyncio.sleep(line.piece_delay_s)
    await response.write(tail.encode())
