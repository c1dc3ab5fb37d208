"""The Anthropic Messages API (`POST {base_url}/messages`) behind the Provider
interface.

Request: system messages are joined into the top-level `system` field (the API
takes no system turns); `max_tokens` is required by the API, so a request that
leaves it unset sends `DEFAULT_MAX_TOKENS`; `temperature` is clamped to the API's
0..1 range (a caller's 1.5, meant for an OpenAI-style 0..2 scale, would otherwise be
refused outright); `stop_sequences` only when there are any.

Answer: the text blocks of `content` joined (thinking, tool use and other blocks
are not text), `stop_reason` spelt in the router's vocabulary ("stop", "length",
...), and the reported usage (input tokens include prompt-cache reads and writes);
estimates when the upstream reports none.

Streaming: text deltas are handed on as each `content_block_delta` arrives. A
stream counts as complete only once `message_stop` arrived: a stream that ends
before it is UNAVAILABLE, never a silently truncated answer. An `error` event
mid-stream (the API's way after it has sent 200) is translated like an error
status. Every unexpected JSON shape is BAD_RESPONSE, and so is an answer larger
than the request's `max_response_bytes` (`http.ResponseBudget`)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, Final

from modelrouter.domain import Deployment, ModelSpec
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.providers.http import (
    ERROR_BODY_BYTES,
    HttpEndpoint,
    ResponseBudget,
    drain,
    error_kind,
    is_context_refusal,
    sse_events,
)
from modelrouter.selection.estimate import estimate_input_tokens, estimate_text_tokens

API_VERSION: Final = "2023-06-01"
"""The `anthropic-version` header: the wire format this module speaks."""
DEFAULT_MAX_TOKENS: Final = 1024
"""Sent as `max_tokens` (which the API requires) when the request leaves it unset."""
DEFAULT_BASE_URL: Final = "https://api.anthropic.com/v1"
"""Used only when neither the deployment nor the model names a base URL."""
MAX_TEMPERATURE: Final = 1.0
"""The API's upper bound for `temperature`."""

_MESSAGES_PATH: Final = "/messages"
_MODELS_PATH: Final = "/models?limit=1"

# The router's finish reasons (the OpenAI vocabulary the simulated provider uses
# too); a stop reason not listed here is passed on as the API spelt it.
_FINISH_REASONS: Final = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_FINISH_UNSAID: Final = "stop"
"""The finish reason of a complete answer that named none."""

# After message_stop only the end of the chunked body should follow: read it (briefly,
# boundedly) so that the connection goes back to the pool instead of being closed.
_DRAIN_S: Final = 0.25


class AnthropicProvider:
    """One deployment of a model served by the Messages API."""

    def __init__(self, base_url: str, api_key: str | None, max_connections: int) -> None:
        headers = {"anthropic-version": API_VERSION, "content-type": "application/json"}
        if api_key:
            headers["x-api-key"] = api_key
        self._endpoint = HttpEndpoint(base_url, headers, max_connections)

    @property
    def base_url(self) -> str:
        return self._endpoint.base_url

    async def complete(self, request: CompletionRequest) -> Completion:
        payload = await self._endpoint.post_json(
            _MESSAGES_PATH, request_body(request, False), request.timeout_s, request.max_response_bytes
        )
        answer = _Answer()
        answer.take_message(payload, streamed=False)
        return answer.completion(request)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        body = request_body(request, True)
        async with self._endpoint.post(_MESSAGES_PATH, body, request.timeout_s) as response:
            budget = ResponseBudget(response, request.max_response_bytes)
            answer = _Answer(budget)
            async with aclosing(sse_events(response, budget)) as events:
                async for event, data in events:
                    text = answer.feed(event, data)
                    if text:
                        yield text
                    if answer.stopped:
                        break
            if not answer.stopped:
                said = f"before message_stop ({len(answer.parts)} deltas received)"
                raise ProviderError(
                    Outcome.UNAVAILABLE,
                    f"stream cut {said}",
                    detail=f"stream cut from {response.url} {said}",
                )
            await drain(response, _DRAIN_S)
        yield answer.completion(request)

    async def probe(self, timeout_s: float) -> None:
        """GET /models (one entry): answers only with a working key and a live API."""
        await self._endpoint.probe(_MODELS_PATH, timeout_s)

    async def close(self) -> None:
        await self._endpoint.close()


def build(spec: ModelSpec, deployment: Deployment, api_key: str | None) -> AnthropicProvider:
    """The provider for one deployment of `spec`."""
    base_url = deployment.base_url or spec.base_url or DEFAULT_BASE_URL
    return AnthropicProvider(base_url, api_key, max_connections=spec.max_concurrency)


def request_body(request: CompletionRequest, stream: bool) -> dict[str, Any]:
    """The Messages API request for `request`."""
    system = [m.content for m in request.messages if m.role == "system"]
    body: dict[str, Any] = {
        "model": request.upstream_model,
        "max_tokens": request.max_output_tokens or DEFAULT_MAX_TOKENS,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages if m.role != "system"],
    }
    if system:
        body["system"] = "\n\n".join(system)
    if request.temperature is not None:
        body["temperature"] = min(max(request.temperature, 0.0), MAX_TEMPERATURE)
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    body["stream"] = stream
    return body


def api_error(error: object, where: str) -> ProviderError:
    """The outcome an API error object (`{"type": ..., "message": ...}`) stands for:
    what an `error` event mid-stream, or an error in a 200 body, carries."""
    kind = message = ""
    if isinstance(error, Mapping):
        kind = str(error.get("type") or "")
        message = str(error.get("message") or "")
    if kind == "rate_limit_error":
        outcome = Outcome.RATE_LIMITED
    elif kind in ("authentication_error", "permission_error", "billing_error"):
        outcome = Outcome.AUTH_FAILED
    elif kind == "timeout_error":
        outcome = Outcome.TIMEOUT
    elif is_context_refusal(message):
        outcome = Outcome.CONTEXT_TOO_LONG
    elif kind in ("invalid_request_error", "not_found_error", "request_too_large"):
        outcome = Outcome.REJECTED
    else:
        # overloaded_error, api_error and any type the API adds later: worth another try.
        outcome = Outcome.UNAVAILABLE
    shown = error_kind(error)
    return ProviderError(
        outcome,
        f"{outcome}: {shown or 'an error'} from {where}",
        detail=f"{kind or 'error'} from {where}: {message.strip()[:ERROR_BODY_BYTES]}",
    )


def _bad(what: str, detail: str) -> ProviderError:
    """BAD_RESPONSE: `what` (the router's words) to the caller, `detail` (which
    may quote the answer) to the log."""
    return ProviderError(
        Outcome.BAD_RESPONSE,
        f"unexpected answer from the Messages API: {what}",
        detail=f"unexpected answer from the Messages API: {detail}",
    )


def _event_name(event: str) -> str:
    """An event's name as a caller may see it: the upstream's, when it is a short
    identifier (every event the API names is), else a stand-in."""
    return event if error_kind({"type": event}) == event else "an unnamed event"


def _count(usage: Mapping[str, Any], key: str) -> int | None:
    value = usage.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"usage.{key} is {value!r}")
    return value


class _Answer:
    """An answer as it is parsed: from one message (unary) or from the events of
    a stream. All reading of the API's JSON happens here; any shape it does not
    expect becomes BAD_RESPONSE."""

    __slots__ = ("budget", "input_tokens", "output_tokens", "parts", "stop_reason", "stopped")

    def __init__(self, budget: ResponseBudget | None = None) -> None:
        self.budget = budget
        """A stream's: every text is held to it before it is kept. (A unary answer's
        body was bounded whole as it was read.)"""
        self.parts: list[str] = []
        self.stop_reason: str | None = None
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.stopped = False
        """message_stop arrived."""

    def take_message(self, message: Any, streamed: bool) -> None:
        """A whole message object: the unary answer, or message_start's (whose
        output count is provisional: message_delta brings the real one)."""
        try:
            if message.get("type") == "error":
                raise api_error(message.get("error"), "the Messages API")
            for block in message["content"]:
                if block["type"] == "text":
                    self._add_text(block["text"])
            self._take_stop_reason(message.get("stop_reason"))
            self._take_usage(message.get("usage"), output=not streamed)
        except (KeyError, TypeError, AttributeError) as exc:
            raise _bad(type(exc).__name__, f"{type(exc).__name__}: {exc}") from None

    def feed(self, event: str, data: str) -> str:
        """One server-sent event; returns the text it adds ("" for none)."""
        if event == "ping":
            return ""
        try:
            payload = json.loads(data)
        except ValueError:
            raise _bad(
                f"an event that carries no JSON ({_event_name(event)})",
                f"event {event!r} carries no JSON: {data[:1000]!r}",
            ) from None
        try:
            kind = payload.get("type") or event
            if kind == "content_block_delta":
                delta = payload["delta"]
                if delta["type"] == "text_delta":
                    return self._add_text(delta["text"])
            elif kind == "content_block_start":
                block = payload["content_block"]
                if block["type"] == "text":
                    return self._add_text(block.get("text", ""))
            elif kind == "message_start":
                self.take_message(payload["message"], streamed=True)
            elif kind == "message_delta":
                self._take_stop_reason(payload["delta"].get("stop_reason"))
                self._take_usage(payload.get("usage"), output=True)
            elif kind == "message_stop":
                self.stopped = True
            elif kind == "error":
                raise api_error(payload.get("error"), "the Messages API stream")
            # content_block_stop, other delta types and event types added later: nothing to take.
            return ""
        except (KeyError, TypeError, AttributeError) as exc:
            raise _bad(
                f"event {_event_name(event)} ({type(exc).__name__})",
                f"event {event!r}: {type(exc).__name__}: {exc}",
            ) from None

    def _add_text(self, text: object) -> str:
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}")
        if text:
            if self.budget is not None:
                self.budget.add_text(text)
            self.parts.append(text)
        return text

    def _take_stop_reason(self, reason: object) -> None:
        if reason is None:
            return
        if not isinstance(reason, str):
            raise TypeError(f"stop_reason is {reason!r}")
        self.stop_reason = reason

    def _take_usage(self, usage: object, output: bool) -> None:
        if usage is None:
            return
        if not isinstance(usage, Mapping):
            raise TypeError(f"usage is {type(usage).__name__}")
        counts = [_count(usage, key) for key in _INPUT_KEYS]
        if counts[0] is not None:
            self.input_tokens = sum(c for c in counts if c is not None)
        if output and (out := _count(usage, "output_tokens")) is not None:
            self.output_tokens = out

    def completion(self, request: CompletionRequest) -> Completion:
        text = "".join(self.parts)
        finish = _FINISH_REASONS.get(self.stop_reason or "", self.stop_reason or _FINISH_UNSAID)
        reported = self.input_tokens is not None and self.output_tokens is not None
        return Completion(
            text,
            finish,
            self.input_tokens if self.input_tokens is not None else estimate_input_tokens(request.messages),
            self.output_tokens if self.output_tokens is not None else estimate_text_tokens(text),
            usage_reported=reported,
        )


# The input counts the API reports separately; their sum is what the prompt took.
_INPUT_KEYS: Final = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
