"""What every HTTP provider shares: one pooled aiohttp session per endpoint, the
translation of transport failures and HTTP statuses into outcomes, and the one
rule for how much of an answer is read (`ResponseBudget`).

aiohttp rather than httpx: under concurrency its per-call overhead measured
lower (figures in the notes of the issue that chose it)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from modelrouter.providers.base import Outcome, ProviderError
from modelrouter.redact import redact

# Of an error body, this much is read for the reason it gives.
ERROR_BODY_BYTES = 4096
# What is read past the end of an answer to keep its connection reusable.
DRAIN_BYTES = 64 * 1024


class HttpEndpoint:
    """One base URL with its pooled, kept-alive connections. Built once per
    deployment at start-up; the session itself is opened on first use, inside the
    event loop."""

    def __init__(self, base_url: str, headers: Mapping[str, str], max_connections: int) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=60, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers=self._headers, raise_for_status=False, auto_decompress=True
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def post_json(
        self, path: str, body: Mapping[str, Any], timeout_s: float, max_response_bytes: int
    ) -> Any:
        """POST `body` as JSON, return the decoded JSON answer; a ProviderError otherwise
        (BAD_RESPONSE for a body larger than `max_response_bytes`)."""
        async with self.post(path, body, timeout_s) as response:
            raw = await read_body(response, max_response_bytes)
        try:
            return json.loads(raw)
        except ValueError as exc:
            shown = raw[:200].decode("utf-8", "replace")
            raise ProviderError(
                Outcome.BAD_RESPONSE,
                "the answer is not JSON",
                detail=f"the answer from {self.base_url + path} is not JSON ({exc}): {shown}",
            ) from None

    @asynccontextmanager
    async def post(
        self, path: str, body: Mapping[str, Any], timeout_s: float
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """POST `body`; yields the response once its status is 2xx (else raises the
        translated error). Transport failures while the caller reads are translated
        too. Leaving the block early (a cancelled caller) closes the connection."""
        url = self.base_url + path
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        try:
            async with self.session().post(url, json=body, timeout=timeout) as response:
                if response.status >= 300:
                    raise await status_error(response)
                yield response
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise transport_error(exc, url, timeout_s) from None

    async def probe(self, path: str, timeout_s: float) -> None:
        """GET `path` as a health check: returns on a 2xx, else raises the translated error."""
        url = self.base_url + path
        try:
            async with self.session().get(url, timeout=aiohttp.ClientTimeout(total=timeout_s)) as response:
                if response.status >= 300:
                    raise await status_error(response)
                await drain(response, timeout_s)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise transport_error(exc, url, timeout_s) from None


def transport_error(exc: BaseException, url: str, timeout_s: float) -> ProviderError:
    """The outcome of a call that failed below HTTP: no answer in time, a connection
    broken mid-answer, or none made."""
    if isinstance(exc, TimeoutError):
        said = f"no complete answer within {timeout_s:.3g} s"
        return ProviderError(Outcome.TIMEOUT, said, detail=f"{said} from {url}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ProviderError(
            Outcome.UNAVAILABLE,
            "the connection broke mid-answer",
            detail=f"the connection to {url} broke mid-answer: {exc}",
        )
    return ProviderError(
        Outcome.UNAVAILABLE,
        f"cannot reach the upstream ({type(exc).__name__})",
        detail=f"cannot reach {url}: {type(exc).__name__}: {exc}",
    )


async def drain(response: aiohttp.ClientResponse, max_s: float) -> None:
    """Reads, briefly and within bounds, what is left of a body we no longer need, so
    the connection can be reused. The answer is complete already: nothing here may fail it."""
    content = response.content
    left = DRAIN_BYTES
    try:
        async with asyncio.timeout(max_s):
            while left > 0 and not content.at_eof():
                chunk = await content.readany()
                if not chunk:
                    break
                left -= len(chunk)
    except (TimeoutError, aiohttp.ClientError, OSError):
        pass


async def read_body(response: aiohttp.ClientResponse, max_response_bytes: int) -> bytes:
    """The whole body, or BAD_RESPONSE (and the connection closed) once it passes
    `max_response_bytes` (`ResponseBudget`). (A loop: `content.read(n)` returns what
    has arrived so far, not n bytes, and would cut a body sent in pieces.)"""
    budget = ResponseBudget(response, max_response_bytes)
    pieces: list[bytes] = []
    while piece := await response.content.readany():
        budget.add_body(len(piece))
        pieces.append(piece)
    return b"".join(pieces)


class ResponseBudget:
    """The one rule for how much of an answer is read: what keeps an upstream that
    sends too much (a runaway model, a broken server, a hostile one) from holding
    the router's memory or a connection for ever.

    - A unary body: at most `max_response_bytes` bytes.
    - A stream's text (the UTF-8 bytes of its deltas, and of its tool calls' ids,
      names and arguments): at most `max_response_bytes`.
    - A stream's raw bytes, all framing included: at most
      `max(max_response_bytes * RAW_PER_TEXT, MIN_RAW_BYTES)`. A flood of events that
      carry no text (empty deltas, pings, unknown events) is bounded by this alone.
      The factor is large because framing is: an OpenAI chunk spends ~250 bytes of
      JSON on a token of ~4 bytes (~60 to 1), so a smaller factor (4, say) would cut
      a legitimate long answer whose text is well within the limit.
    - One SSE line (which must be held whole before it can be parsed): at most
      `max(max_response_bytes * LINE_PER_TEXT, MIN_LINE_BYTES)`: room for a single
      event carrying all the text the answer may have, JSON-escaped.

    Past any of these the answer is BAD_RESPONSE, and the connection is closed at
    once: nothing more is read, nor kept."""

    RAW_PER_TEXT = 128
    MIN_RAW_BYTES = 1024 * 1024
    LINE_PER_TEXT = 4
    MIN_LINE_BYTES = 1024 * 1024

    __slots__ = ("_raw", "_response", "_text", "line_limit", "raw_limit", "text_limit")

    def __init__(self, response: aiohttp.ClientResponse, max_response_bytes: int) -> None:
        self._response = response
        self.text_limit = max_response_bytes
        self.raw_limit = max(max_response_bytes * self.RAW_PER_TEXT, self.MIN_RAW_BYTES)
        self.line_limit = max(max_response_bytes * self.LINE_PER_TEXT, self.MIN_LINE_BYTES)
        self._text = 0
        self._raw = 0

    def add_body(self, size: int) -> None:
        """`size` more bytes of a unary body."""
        self._raw += size
        if self._raw > self.text_limit:
            raise self._exceeded(f"answer larger than {self.text_limit} bytes")

    def add_text(self, text: str) -> None:
        """A stream's delta (or a tool call's piece), before it is kept or handed on."""
        # surrogatepass: JSON can carry a lone surrogate, which strict UTF-8 refuses.
        self._text += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if self._text > self.text_limit:
            raise self._exceeded(f"streamed text larger than {self.text_limit} bytes")

    def add_raw(self, size: int) -> None:
        """`size` more bytes of a stream, as read."""
        self._raw += size
        if self._raw > self.raw_limit:
            raise self._exceeded(f"stream larger than {self.raw_limit} bytes")

    def check_line(self, size: int) -> None:
        """An SSE line, read so far, of `size` bytes."""
        if size > self.line_limit:
            raise self._exceeded(f"stream line longer than {self.line_limit} bytes")

    def _exceeded(self, what: str) -> ProviderError:
        # Closed, not released: a body read part-way cannot serve another request.
        self._response.close()
        return ProviderError(Outcome.BAD_RESPONSE, what)


async def status_error(response: aiohttp.ClientResponse) -> ProviderError:
    """The outcome an HTTP error status stands for, with the upstream's own words."""
    status = response.status
    head = bytearray()
    try:  # the first 4 KiB, whole: `read(n)` alone returns only what has arrived yet
        while len(head) < ERROR_BODY_BYTES and (piece := await response.content.readany()):
            head += piece
    except (TimeoutError, aiohttp.ClientError, OSError):
        pass
    text = bytes(head[:ERROR_BODY_BYTES]).decode("utf-8", "replace")
    wait: float | None = None
    if status in (401, 403):
        outcome = Outcome.AUTH_FAILED
    elif status == 429:
        outcome, wait = Outcome.RATE_LIMITED, retry_after(response.headers.get("Retry-After"))
    elif status in (408, 504):
        outcome = Outcome.TIMEOUT
    elif status >= 500:
        outcome, wait = Outcome.UNAVAILABLE, retry_after(response.headers.get("Retry-After"))
    elif is_context_refusal(text):
        outcome = Outcome.CONTEXT_TOO_LONG
    else:
        outcome = Outcome.REJECTED
    kind = body_error_kind(text)
    return ProviderError(
        outcome,
        f"{outcome}: HTTP {status}" + (f" ({kind})" if kind else ""),
        wait,
        detail=f"HTTP {status} from {response.url}: {text.strip()[:ERROR_BODY_BYTES]}",
    )


_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")
"""What an error type or code must look like to be shown to a caller: a short
identifier, never free text (which might quote the request, or a key)."""


def error_kind(error: object) -> str:
    """The provider's own name for an error, from an API error object: OpenAI's
    `type` and `code` ("invalid_request_error/invalid_api_key"), Anthropic's
    `type` ("overloaded_error"); each only when it is a short identifier that
    looks like no credential. "" when it names none."""
    if not isinstance(error, Mapping):
        return ""
    kinds: list[str] = []
    for key in ("type", "code"):
        value = error.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if (
            isinstance(value, str)
            and _KIND.fullmatch(value)
            and value not in kinds
            and redact(value) == value
            and value.lower() != "error"
        ):
            kinds.append(value)
    return "/".join(kinds)


def body_error_kind(text: str) -> str:
    """`error_kind` of an error body (`{"error": {...}}`), "" when it is not one."""
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    return error_kind(body.get("error")) if isinstance(body, dict) else ""


# Phrases the common servers use when a prompt does not fit the context: OpenAI
# ("context_length_exceeded", "maximum context length"), vLLM, llama.cpp
# ("exceeds the available context size"), Anthropic ("prompt is too long").
_CONTEXT_PHRASES = (
    "context_length_exceeded",
    "maximum context length",
    "context length",
    "context size",
    "context window",
    "prompt is too long",
    "too many tokens",
)


def is_context_refusal(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in _CONTEXT_PHRASES)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.now(when.tzinfo or UTC)
    return max(0.0, (when - now).total_seconds())


async def sse_events(
    response: aiohttp.ClientResponse, budget: ResponseBudget
) -> AsyncGenerator[tuple[str, str], None]:
    """Server-sent events as (event, data) pairs, data lines joined; a line at a
    time as the bytes arrive, so the first event is handed on before the last is sent.
    Every byte and every line is held to `budget`."""
    event, data = "", list[str]()
    async for raw_line in _lines(response, budget):
        line = raw_line.decode("utf-8", "replace").rstrip("\r")
        if not line:
            if data or event:
                yield event, "\n".join(data)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data or event:
        yield event, "\n".join(data)


async def _lines(response: aiohttp.ClientResponse, budget: ResponseBudget) -> AsyncGenerator[bytes, None]:
    """The body's lines (without their "\n") as they arrive.

    Split here rather than by `async for line in response.content`: aiohttp bounds a
    line by twice its read buffer (512 KiB in aiohttp 3.14) and raises its own
    LineTooLong, which is no ClientError and would escape the adapters untranslated,
    on a longer one. A line of a legitimate answer can be longer (one event carrying
    a long text); the bound that matters is the answer's own (`budget.check_line`),
    applied here before a line's bytes are kept, with the partial line held in one
    buffer (so that a long line costs linear time)."""
    pending = bytearray()
    while piece := await response.content.readany():
        budget.add_raw(len(piece))
        start = 0
        while (end := piece.find(b"\n", start)) != -1:
            budget.check_line(len(pending) + end - start)
            if pending:
                pending += piece[start:end]
                line = bytes(pending)
                pending.clear()
            else:
                line = piece[start:end]
            yield line
            start = end + 1
        budget.check_line(len(pending) + len(piece) - start)
        pending += piece[start:]
    if pending:
        yield bytes(pending)
