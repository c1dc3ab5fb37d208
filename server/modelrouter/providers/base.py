"""The one small async interface every provider adapter implements, and the
error it raises (its outcome is one of `modelrouter.outcomes`).

An adapter translates everything its transport and API can say into a
`ProviderError` with one of `Outcome`'s codes, in one place inside the adapter;
nothing above it sees an HTTP status or a library's exception."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol

from modelrouter.conversation import (
    ChatMessage,
    ResponseFormat,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
)
from modelrouter.outcomes import RETRYABLE, Outcome

__all__ = ("Completion", "CompletionRequest", "Outcome", "Provider", "ProviderError", "StreamItem")


class ProviderError(Exception):
    """A failed call, translated: `outcome` is one of `Outcome`'s codes.

    Two texts: `message`, the router's own short sentence that callers see
    (`Attempt.error`: the outcome, an HTTP status, the provider's error type when
    it names one), which never holds an upstream's body, a URL or a credential;
    and `detail`, the whole story (the upstream's words, the URL, the transport's
    exception), for the server's log only, and redacted there
    (`modelrouter.redact`). Without a `detail` the message is all there is."""

    def __init__(
        self, outcome: str, message: str, retry_after_s: float | None = None, detail: str = ""
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.detail = detail or message
        """The private text: to the server's log (redacted), never to a caller."""
        self.retry_after_s = retry_after_s
        """What the upstream asked us to wait (Retry-After), if it said."""

    @property
    def retryable(self) -> bool:
        return self.outcome in RETRYABLE


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """One call to one deployment."""

    upstream_model: str
    """The provider's own name for the model."""
    messages: tuple[ChatMessage, ...]
    max_output_tokens: int | None
    """None: the provider's default."""
    temperature: float | None
    """None: the provider's default."""
    stop: tuple[str, ...]
    timeout_s: float
    """The whole call, first byte to last; already bounded by the caller's deadline."""
    max_response_bytes: int = 4 * 1024 * 1024
    """A body (or a stream's text) larger than this is BAD_RESPONSE: the model's
    `max_response_bytes`."""
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice | None = None
    """None: the provider's default (auto, with tools)."""
    response_format: ResponseFormat | None = None
    """None: free text."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished answer."""

    text: str
    finish_reason: str
    input_tokens: int
    output_tokens: int
    usage_reported: bool
    """True when the provider reported the token counts; False when estimated."""
    tool_calls: tuple[ToolCall, ...] = ()
    """The tools the model called, whole, in order (finish_reason "tool_calls")."""


StreamItem = str | ToolCallDelta | Completion
"""A stream yields text deltas (str) and tool-call pieces as they arrive, then
exactly one Completion (with the tool calls whole)."""


class Provider(Protocol):
    """One deployment's upstream: a pooled connection and the API's wire format."""

    async def complete(self, request: CompletionRequest) -> Completion:
        """The whole answer, or a ProviderError."""
        ...

    def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        """Deltas as they arrive, then one Completion; a ProviderError at any point.
        Closing the iterator early (the caller cancelled) closes the upstream call."""
        ...

    async def probe(self, timeout_s: float) -> None:
        """A cheap health check of the deployment; a ProviderError when it is not up."""
        ...

    async def close(self) -> None:
        """Releases the connection pool."""
        ...
