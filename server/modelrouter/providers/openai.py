"""The OpenAI chat completions API (`POST {base_url}/chat/completions`), as spoken
by OpenAI itself and by the servers that copy it: vLLM, Ollama's /v1, llama.cpp's
server, most gateways. Only the common subset is sent, so one adapter serves them
all: model, messages, and max_tokens, temperature and stop when the request sets
them.

Everything the answer can say is translated here: an HTTP status or a broken
transport by `HttpEndpoint`, an answer of the wrong shape by `_parsed` (the one
place that turns a missing key or a wrong type into BAD_RESPONSE), an `error`
object inside a 200 answer or a stream by `_upstream_error`, an answer larger
than the request's `max_response_bytes` by `http.ResponseBudget`."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, TypeVar

from modelrouter.domain import Deployment, ModelSpec
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

_FINISH_UNSAID = "stop"
"""The finish reason of an answer the server called complete without naming one."""

_T = TypeVar("_T")


class OpenAIProvider:
    """One deployment of an OpenAI-compatible API."""

    def __init__(self, base_url: str, api_key: str | None = None, max_connections: int = 64) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._endpoint = HttpEndpoint(base_url, headers, max_connections)

    @property
    def base_url(self) -> str:
        return self._endpoint.base_url

    async def complete(self, request: CompletionRequest) -> Completion:
        answer = await self._endpoint.post_json(
            _COMPLETIONS, _body(request, stream=False), request.timeout_s, request.max_response_bytes
        )
        url = self._url(_COMPLETIONS)
        return _parsed(lambda body: _completion(body, request, url), answer, url)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        url = self._url(_COMPLETIONS)
        async with self._endpoint.post(
            _COMPLETIONS, _body(request, stream=True), request.timeout_s
        ) as response:
            if response.content_type == "application/json":
                # A server that ignored `stream` (or answered with an error object).
                raw = await read_body(response, request.max_response_bytes)
                completion = _parsed(lambda data: _completion(json.loads(data), request, url), raw, url)
                if completion.text:
                    yield completion.text
                yield completion
                return

            parts: list[str] = []
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
                    chunk = _parsed(_chunk, data, url)
                    if chunk.error is not None:
                        raise _upstream_error(chunk.error, url)
                    if chunk.usage is not None:
                        usage = chunk.usage
                    if chunk.finish_reason:
                        finish_reason = chunk.finish_reason
                    if chunk.delta:
                        budget.add_text(chunk.delta)
                        parts.append(chunk.delta)
                        yield chunk.delta
            if not done and finish_reason is None:
                said = f"ended after {len(parts)} pieces with neither a finish_reason nor [DONE]"
                raise ProviderError(
                    Outcome.UNAVAILABLE,
                    f"stream cut: the answer {said}",
                    detail=f"stream cut: the answer from {url} {said}",
                )
            yield _finished(request, "".join(parts), finish_reason, usage)
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
    return OpenAIProvider(base_url, api_key, max_connections=spec.max_concurrency)


def _body(request: CompletionRequest, *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.upstream_model,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "stream": stream,
    }
    if request.max_output_tokens is not None:
        body["max_tokens"] = request.max_output_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.stop:
        body["stop"] = list(request.stop)
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def _finished(
    request: CompletionRequest, text: str, finish_reason: str | None, usage: tuple[int, int] | None
) -> Completion:
    if usage is None:
        return Completion(
            text,
            finish_reason or _FINISH_UNSAID,
            estimate_input_tokens(request.messages),
            estimate_text_tokens(text),
            usage_reported=False,
        )
    return Completion(text, finish_reason or _FINISH_UNSAID, usage[0], usage[1], usage_reported=True)


# --- The answer's shape: every reader below may raise LookupError, TypeError,
# ValueError or AttributeError on an answer it does not expect; `_parsed` turns
# those into BAD_RESPONSE.


def _parsed(parse: Callable[[Any], _T], raw: Any, url: str) -> _T:
    """`parse(raw)`, or BAD_RESPONSE when the answer is not of the expected shape."""
    try:
        return parse(raw)
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        shown = raw if isinstance(raw, str) else json.dumps(raw, default=repr)
        raise ProviderError(
            Outcome.BAD_RESPONSE,
            f"an answer of an unexpected shape ({type(exc).__name__})",
            detail=f"unexpected answer from {url} ({type(exc).__name__}: {exc}): {shown[:1000]}",
        ) from None


def _completion(body: Any, request: CompletionRequest, url: str) -> Completion:
    """A non-streamed answer: `choices[0].message.content`, its finish_reason, usage."""
    if not isinstance(body, dict):
        raise TypeError("the answer is not a JSON object")
    if body.get("error") is not None and "choices" not in body:
        raise _upstream_error(body["error"], url)
    choice = body["choices"][0]
    text = _text(choice["message"].get("content"))
    finish_reason = _text(choice.get("finish_reason")) or None
    return _finished(request, text, finish_reason, _usage(body.get("usage")))


@dataclass(frozen=True, slots=True)
class _Chunk:
    """What one streamed `data:` line said."""

    delta: str = ""
    finish_reason: str | None = None
    usage: tuple[int, int] | None = None
    error: object | None = None


def _chunk(data: str) -> _Chunk:
    obj = json.loads(data)
    if not isinstance(obj, dict):
        raise TypeError("a chunk is not a JSON object")
    if obj.get("error") is not None:
        return _Chunk(error=obj["error"])
    choices = obj.get("choices") or []  # the usage chunk has none
    if not isinstance(choices, list):
        raise TypeError("choices is not a list")
    delta, finish_reason = "", None
    if choices:
        choice = choices[0]
        delta = _text((choice.get("delta") or {}).get("content"))
        finish_reason = _text(choice.get("finish_reason")) or None
    return _Chunk(delta, finish_reason, _usage(obj.get("usage")))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _usage(value: Any) -> tuple[int, int] | None:
    """(prompt_tokens, completion_tokens) when both are reported."""
    if value is None:
        return None
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    if prompt is None or completion is None:
        return None
    return _count(prompt), _count(completion)


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a token count is not an integer: {value!r}")
    if value < 0:
        raise ValueError(f"a negative token count: {value}")
    return value


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
