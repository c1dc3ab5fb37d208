"""What every HTTP provider shares: one pooled aiohttp session per endpoint, and
the translation of transport failures and HTTP statuses into outcomes.

aiohttp rather than httpx: under concurrency its per-call overhead measured
lower (figures in the notes of the issue that chose it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from modelrouter.providers.base import Outcome, ProviderError

# A body longer than this is not an answer we asked for.
MAX_BODY_BYTES = 16 * 1024 * 1024
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

    async def post_json(self, path: str, body: Mapping[str, Any], timeout_s: float) -> Any:
        """POST `body` as JSON, return the decoded JSON answer; a ProviderError otherwise."""
        async with self.post(path, body, timeout_s) as response:
            raw = await read_body(response)
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ProviderError(Outcome.BAD_RESPONSE, f"answer is not JSON: {exc}") from None

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
        return ProviderError(Outcome.TIMEOUT, f"no complete answer from {url} within {timeout_s:.3g} s")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ProviderError(Outcome.UNAVAILABLE, f"connection to {url} broke mid-answer: {exc}")
    return ProviderError(Outcome.UNAVAILABLE, f"cannot reach {url}: {exc}")


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


async def read_body(response: aiohttp.ClientResponse) -> bytes:
    """The whole body, up to MAX_BODY_BYTES. (A loop: `content.read(n)` returns
    what has arrived so far, not n bytes, and would cut a body sent in pieces.)"""
    pieces: list[bytes] = []
    size = 0
    while piece := await response.content.readany():
        size += len(piece)
        if size > MAX_BODY_BYTES:
            raise ProviderError(Outcome.BAD_RESPONSE, f"answer larger than {MAX_BODY_BYTES} bytes")
        pieces.append(piece)
    return b"".join(pieces)


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
    said = f"HTTP {status} from {response.url}: {text.strip()[:300]}"
    if status in (401, 403):
        return ProviderError(Outcome.AUTH_FAILED, said)
    if status == 429:
        return ProviderError(Outcome.RATE_LIMITED, said, retry_after(response.headers.get("Retry-After")))
    if status in (408, 504):
        return ProviderError(Outcome.TIMEOUT, said)
    if status >= 500:
        return ProviderError(Outcome.UNAVAILABLE, said, retry_after(response.headers.get("Retry-After")))
    if is_context_refusal(text):
        return ProviderError(Outcome.CONTEXT_TOO_LONG, said)
    return ProviderError(Outcome.REJECTED, said)


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


async def sse_events(response: aiohttp.ClientResponse) -> AsyncGenerator[tuple[str, str], None]:
    """Server-sent events as (event, data) pairs, data lines joined; a line at a
    time as the bytes arrive, so the first event is handed on before the last is sent."""
    event, data = "", list[str]()
    async for raw_line in response.content:
        line = raw_line.decode("utf-8", "replace").rstrip("\r\n")
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
