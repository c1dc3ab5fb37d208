"""The OpenAI chat completions API (`POST {base_url}/chat/completions`), as spoken
by OpenAI itself and by the servers that copy it: vLLM, Ollama's /v1, llama.cpp's
server, most gateways. Only what a request uses is sent (`openai_wire`), so a
plain chat request is the common subset every one of them takes; tools, images
and a response format are sent only when the request has them.

Everything the answer can say is translated here: an HTTP status or a broken
transport by `HttpEndpoint`, an answer of the wrong shape by `_parsed` (the one
place that turns a missing key, a wrong type or a malformed tool call into
BAD_RESPONSE), an `error` object inside a 200 answer or a stream by
`_upstream_error`, an answer larger than the request's `max_response_bytes` by
`http.ResponseBudget` (a stream's tool calls count as its text does)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, TypeVar

from modelrouter.conversation import ToolCall, ToolCallDelta
from modelrouter.domain import Deployment, ModelSpec
from modelrouter.providers import openai_wire as wire
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.providers.http import (
    ERROR_BODY_BYTES,
    HttpEndpoint,
    ResponseBudget,
    drain,
    error_kind,
    is_context_refusal,
    read_body,
    sse_events,
)
from modelrouter.selection.estimate import estimate_input_tokens, estimate_text_tokens

_COMPLETIONS = "/chat/completions"
_MODELS = "/models"

_DRAIN_S = 0.1
"""After `[DONE]` a server ends the body at once; reading that end (this long at
most) lets the connection go back to the pool instead of being closed."""

_T = TypeVar("_T")


class OpenAIProvider:
    """One deployment of an OpenAI-compatible API."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        max_connections: int = 64,
        structured_output: str = "json_schema",
    ) -> None:
        """`structured_output`: how the server takes a JSON Schema (`openai_wire.SCHEMA_STYLES`)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._endpoint = HttpEndpoint(base_url, headers, max_connections)
        self._schema_style = structured_output

    @property
    def base_url(self) -> str:
        return self._endpoint.base_url

    async def complete(self, request: CompletionRequest) -> Completion:
        body = wire.request_body(request, stream=False, schema_style=self._schema_style)
        answer = await self._endpoint.post_json(
            _COMPLETIONS, body, request.timeout_s, request.max_response_bytes
        )
        url = self._url(_COMPLETIONS)
        return _completion(_parsed(wire.answer, answer, url), request, url)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        url = self._url(_COMPLETIONS)
        async with self._endpoint.post(
            _COMPLETIONS,
            wire.request_body(request, stream=True, schema_style=self._schema_style),
            request.timeout_s,
        ) as response:
            if response.content_type == "application/json":
                # A server that ignored `stream` (or answered with an error object).
                raw = await read_body(response, request.max_response_bytes)
                completion = _completion(
                    _parsed(lambda d: wire.answer(json.loads(d)), raw, url), request, url
                )
                if completion.text:
                    yield completion.text
                for i, call in enumerate(completion.tool_calls):
                    yield ToolCallDelta(i, call.id, call.name, call.arguments)
                yield completion
                return

            parts: list[str] = []
            calls = wire.ToolCallAssembler()
            finish_reason: str | None = None
            usage: tuple[int, int] | None = None
            done = False
            budget = ResponseBudget(response, request.max_response_bytes)
            # Closed here, not left to the garbage collector, when the answer ends early.
            async with aclosing(sse_events(response, budget)) as events:
                async for event, data in events:
                    if data.strip() == "[DONE]":
                        done = True
                        break
                    if event == "error":
                        raise _upstream_error(_error_event(data), url)
                    if not data.strip():
                        continue
                    chunk = _parsed(lambda d: wire.chunk(d, calls), data, url)
                    if chunk.error is not None:
                        raise _upstream_error(chunk.error, url)
                    if chunk.usage is not None:
                        usage = chunk.usage
                    if chunk.finish_reason:
                        finish_reason = chunk.finish_reason
                    if chunk.text:
                        budget.add_text(chunk.text)
                        parts.append(chunk.text)
                        yield chunk.text
                    for delta in chunk.tool_deltas:
                        budget.add_text(delta.id + delta.name + delta.arguments)
                        yield delta
            if not done and finish_reason is None:
                said = (
                    f"ended after {len(parts)} pieces of text and {len(calls)} tool calls"
                    " with neither a finish_reason nor [DONE]"
                )
                raise ProviderError(
                    Outcome.UNAVAILABLE,
                    f"stream cut: the answer {said}",
                    detail=f"stream cut: the answer from {url} {said}",
                )
            yield _finished(request, "".join(parts), finish_reason, usage, calls.calls())
            if done:
                # Only reached when the caller asks past the Completion (an `async for`).
                await drain(response, _DRAIN_S)

    async def probe(self, timeout_s: float) -> None:
        await self._endpoint.probe(_MODELS, timeout_s)

    async def close(self) -> None:
        await self._endpoint.close()

    def _url(self, path: str) -> str:
        return self._endpoint.base_url + path


def build(spec: ModelSpec, deployment: Deployment, api_key: str | None) -> OpenAIProvider:
    """The provider for one deployment of an `openai` model."""
    # No base_url: OpenAI's own API (the version path `/v1` is part of a base_url).
    base_url = deployment.base_url or spec.base_url or "https://api.openai.com/v1"
    return OpenAIProvider(
        base_url, api_key, max_connections=spec.max_concurrency, structured_output=spec.structured_output
    )


def _completion(answer: wire.Answer, request: CompletionRequest, url: str) -> Completion:
    if answer.error is not None:
        raise _upstream_error(answer.error, url)
    return _finished(request, answer.text, answer.finish_reason, answer.usage, answer.tool_calls)


def _finished(
    request: CompletionRequest,
    text: str,
    finish_reason: str | None,
    usage: tuple[int, int] | None,
    tool_calls: tuple[ToolCall, ...],
) -> Completion:
    finish = wire.finish_reason(finish_reason, tool_calls)
    if usage is None:
        # The calls are output too: a model's tokens went into their names and arguments.
        written = text + "".join(c.name + c.arguments for c in tool_calls)
        return Completion(
            text,
            finish,
            estimate_input_tokens(request.messages),
            estimate_text_tokens(written),
            usage_reported=False,
            tool_calls=tool_calls,
        )
    return Completion(text, finish, usage[0], usage[1], usage_reported=True, tool_calls=tool_calls)


def _parsed(parse: Callable[[Any], _T], raw: Any, url: str) -> _T:
    """`parse(raw)`, or BAD_RESPONSE when the answer is not of the expected shape."""
    try:
        return parse(raw)
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        shown = raw if isinstance(raw, str) else json.dumps(raw, default=repr)
        # A MalformedToolCall's text is the router's own (what is missing), safe to show.
        said = (
            f"a malformed tool call in the answer ({exc})"
            if isinstance(exc, wire.MalformedToolCall)
            else f"an answer of an unexpected shape ({type(exc).__name__})"
        )
        raise ProviderError(
            Outcome.BAD_RESPONSE,
            said,
            detail=f"unexpected answer from {url} ({type(exc).__name__}: {exc}): {shown[:1000]}",
        ) from None


def _upstream_error(error: object, url: str) -> ProviderError:
    """An `error` object the upstream sent inside a 200 answer or a stream."""
    said = json.dumps(error, default=repr) if not isinstance(error, str) else error
    outcome = Outcome.CONTEXT_TOO_LONG if is_context_refusal(said) else Outcome.UNAVAILABLE
    kind = error_kind(error)
    return ProviderError(
        outcome,
        f"{outcome}: the upstream answered with an error" + (f" ({kind})" if kind else ""),
        detail=f"error from {url}: {said[:ERROR_BODY_BYTES]}",
    )


def _error_event(data: str) -> object:
    """What an `event: error` said: its `error` object when it is JSON, else its text."""
    try:
        said = json.loads(data)
    except ValueError:
        return data or "an error event"
    return said.get("error", said) if isinstance(said, dict) else said
