"""The Anthropic Messages API (`POST {base_url}/messages`) behind the Provider
interface. The request body is built by `anthropic_wire` (system, images, tool
calls and results, tools, tool choice, and structured output through a forced
tool); the answer is read here.

Answer: the text blocks of `content` joined (thinking and other blocks are not
text); `tool_use` blocks become the Completion's tool calls (their `input` object
JSON-encoded as the arguments), but for the tool that carries a JSON answer
(`anthropic_wire.answer_tool`), whose input is the answer's text; `stop_reason`
spelt in the router's vocabulary ("stop", "length", "tool_calls", ...); the
reported usage (input tokens include prompt-cache reads and writes), estimates
when the upstream reports none.

Streaming: text deltas are handed on as each `content_block_delta` arrives. A
`tool_use` block's start is a ToolCallDelta with the call's id and name (its index
is the call's place among the answer's calls, not the block's), each
`input_json_delta` one with the next piece of its arguments; the Completion has the
calls whole. The answer tool's pieces are text deltas instead. A stream counts as
complete only once `message_stop` arrived: a stream that ends before it is
UNAVAILABLE, never a silently truncated answer. An `error` event mid-stream (the
API's way after it has sent 200) is translated like an error status. Every
unexpected JSON shape is BAD_RESPONSE, and so is an answer larger than the
request's `max_response_bytes` (`http.ResponseBudget`: a stream's tool calls count
as its text does)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, Final

from modelrouter.conversation import TOOL_CALLS_FINISH, ToolCall, ToolCallDelta
from modelrouter.domain import Deployment, ModelSpec
from modelrouter.providers.anthropic_wire import (
    DEFAULT_MAX_TOKENS,
    MAX_TEMPERATURE,
    answer_tool,
    request_body,
)
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

__all__ = (
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_TOKENS",
    "MAX_TEMPERATURE",
    "AnthropicProvider",
    "api_error",
    "build",
    "request_body",
)

API_VERSION: Final = "2023-06-01"
"""The `anthropic-version` header: the wire format this module speaks."""
DEFAULT_BASE_URL: Final = "https://api.anthropic.com/v1"
"""Used only when neither the deployment nor the model names a base URL."""

_MESSAGES_PATH: Final = "/messages"
_MODELS_PATH: Final = "/models?limit=1"

# The router's finish reasons (the OpenAI vocabulary the simulated provider uses
# too); a stop reason not listed here is passed on as the API spelt it.
_FINISH_REASONS: Final = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": TOOL_CALLS_FINISH,
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
        answer = _Answer(answer_tool(request))
        answer.take_message(payload, streamed=False)
        return answer.completion(request)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        body = request_body(request, True)
        async with self._endpoint.post(_MESSAGES_PATH, body, request.timeout_s) as response:
            budget = ResponseBudget(response, request.max_response_bytes)
            answer = _Answer(answer_tool(request), budget)
            async with aclosing(sse_events(response, budget)) as events:
                async for event, data in events:
                    item = answer.feed(event, data)
                    if item:
                        yield item
                    if answer.stopped:
                        break
            if not answer.stopped:
                said = (
                    f"before message_stop ({len(answer.parts)} deltas and"
                    f" {len(answer.calls)} tool calls received)"
                )
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


class _ToolBlock:
    """A `tool_use` block of the answer, as it is read."""

    __slots__ = ("arguments", "call", "id", "input", "name", "pieces")

    def __init__(self, call: int | None, id_: str, name: str, given: dict[str, Any]) -> None:
        self.call = call
        """Its place among the answer's tool calls; None: the tool that carries the answer."""
        self.id = id_
        self.name = name
        self.input = given
        """The input the block came with: the whole of it in a unary answer, `{}` at a
        stream's block start (the deltas bring it)."""
        self.arguments: list[str] = []
        """A call's arguments, in the pieces they came in."""
        self.pieces = 0
        """How many pieces of its input arrived (the answer tool's too, as text)."""


class _Answer:
    """An answer as it is parsed: from one message (unary) or from the events of
    a stream. All reading of the API's JSON happens here; any shape it does not
    expect becomes BAD_RESPONSE."""

    __slots__ = (
        "answer_tool",
        "answered",
        "blocks",
        "budget",
        "calls",
        "input_tokens",
        "output_tokens",
        "parts",
        "stop_reason",
        "stopped",
    )

    def __init__(self, answer_tool: str | None, budget: ResponseBudget | None = None) -> None:
        self.answer_tool = answer_tool
        """The tool whose input is the answer's text (`anthropic_wire.answer_tool`), if any."""
        self.answered = False
        """The answer tool was called: the answer ended with its JSON."""
        self.budget = budget
        """A stream's: every text and tool call piece is held to it before it is kept.
        (A unary answer's body was bounded whole as it was read.)"""
        self.parts: list[str] = []
        self.calls: list[_ToolBlock] = []
        """The tool calls, in order (the answer tool's block is none of them)."""
        self.blocks: dict[int, _ToolBlock] = {}
        """A stream's tool_use blocks by their block index."""
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
                elif block["type"] == "tool_use":
                    tool = self._tool_use(block, block.get("input"))
                    self._add_arguments(tool, json.dumps(tool.input))
            self._take_stop_reason(message.get("stop_reason"))
            self._take_usage(message.get("usage"), output=not streamed)
        except (KeyError, TypeError, AttributeError) as exc:
            raise _bad(type(exc).__name__, f"{type(exc).__name__}: {exc}") from None

    def feed(self, event: str, data: str) -> str | ToolCallDelta:
        """One server-sent event; returns the text or tool call piece it adds ("" for none)."""
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
                if delta["type"] == "input_json_delta":
                    tool = self.blocks.get(_index(payload))
                    if tool is None:
                        raise _bad("an input_json_delta outside a tool_use block", f"event {data[:1000]!r}")
                    return self._add_arguments(tool, delta["partial_json"])
            elif kind == "content_block_start":
                block = payload["content_block"]
                if block["type"] == "text":
                    return self._add_text(block.get("text", ""))
                if block["type"] == "tool_use":
                    tool = self._tool_use(block, block.get("input", {}))
                    self.blocks[_index(payload)] = tool
                    return "" if tool.call is None else ToolCallDelta(tool.call, tool.id, tool.name)
            elif kind == "content_block_stop":
                tool = self.blocks.get(_index(payload))
                if tool is not None and not tool.pieces:
                    # No delta brought the input (a call without arguments): it is the start's.
                    return self._add_arguments(tool, json.dumps(tool.input))
            elif kind == "message_start":
                self.take_message(payload["message"], streamed=True)
            elif kind == "message_delta":
                self._take_stop_reason(payload["delta"].get("stop_reason"))
                self._take_usage(payload.get("usage"), output=True)
            elif kind == "message_stop":
                self.stopped = True
            elif kind == "error":
                raise api_error(payload.get("error"), "the Messages API stream")
            # Other delta and block types, and event types added later: nothing to take.
            return ""
        except (KeyError, TypeError, AttributeError) as exc:
            raise _bad(
                f"event {_event_name(event)} ({type(exc).__name__})",
                f"event {event!r}: {type(exc).__name__}: {exc}",
            ) from None

    def _tool_use(self, block: Any, given: object) -> _ToolBlock:
        """A tool_use block's start (or whole, unary), checked: the router's own
        words say what is wrong, the block itself goes to the log only."""
        id_, name = block.get("id"), block.get("name")
        shown = json.dumps(block, default=repr)[:1000]
        if not isinstance(id_, str) or not id_:
            raise _bad("a tool_use block without an id", f"tool_use block {shown}")
        if not isinstance(name, str) or not name:
            raise _bad("a tool_use block without a name", f"tool_use block {shown}")
        if not isinstance(given, dict):
            raise _bad("a tool_use block whose input is not an object", f"tool_use block {shown}")
        if name == self.answer_tool:
            self.answered = True
            return _ToolBlock(None, id_, name, given)
        tool = _ToolBlock(len(self.calls), id_, name, given)
        if self.budget is not None:
            self.budget.add_text(id_ + name)
        self.calls.append(tool)
        return tool

    def _add_arguments(self, tool: _ToolBlock, piece: object) -> str | ToolCallDelta:
        if not isinstance(piece, str):
            raise TypeError(f"partial_json is {type(piece).__name__}")
        if not piece:
            return ""
        tool.pieces += 1
        if tool.call is None:
            return self._add_text(piece)  # the answer's JSON: text, not a call
        if self.budget is not None:
            self.budget.add_text(piece)
        tool.arguments.append(piece)
        return ToolCallDelta(tool.call, arguments=piece)

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
        calls = tuple(ToolCall(t.id, t.name, "".join(t.arguments) or json.dumps(t.input)) for t in self.calls)
        finish = _FINISH_REASONS.get(self.stop_reason or "", self.stop_reason or _FINISH_UNSAID)
        if calls and finish == _FINISH_UNSAID:
            finish = TOOL_CALLS_FINISH
        elif self.answered and not calls and finish == TOOL_CALLS_FINISH:
            finish = _FINISH_UNSAID  # the answer tool's call: a JSON answer, whole
        reported = self.input_tokens is not None and self.output_tokens is not None
        # The calls are output too: the model's tokens went into their names and arguments.
        written = text + "".join(c.name + c.arguments for c in calls)
        return Completion(
            text,
            finish,
            self.input_tokens if self.input_tokens is not None else estimate_input_tokens(request.messages),
            self.output_tokens if self.output_tokens is not None else estimate_text_tokens(written),
            usage_reported=reported,
            tool_calls=calls,
        )


def _index(payload: Mapping[str, Any]) -> int:
    """A block event's `index`."""
    index = payload["index"]
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"index is {index!r}")
    return index


# The input counts the API reports separately; their sum is what the prompt took.
_INPUT_KEYS: Final = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
