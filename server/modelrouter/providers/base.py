"""The one small async interface every provider adapter implements, and the
outcomes a call can end with.

An adapter translates everything its transport and API can say into a
`ProviderError` with one of `Outcome`'s codes, in one place inside the adapter;
nothing above it sees an HTTP status or a library's exception."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Final, Protocol

from modelrouter.domain import ChatMessage


class Outcome:
    """How one attempt ended: the `Attempt.outcome` codes of the contract."""

    OK: Final = "OK"
    TIMEOUT: Final = "TIMEOUT"
    RATE_LIMITED: Final = "RATE_LIMITED"
    UNAVAILABLE: Final = "UNAVAILABLE"
    BAD_RESPONSE: Final = "BAD_RESPONSE"
    AUTH_FAILED: Final = "AUTH_FAILED"
    CONTEXT_TOO_LONG: Final = "CONTEXT_TOO_LONG"
    """The upstream refused the prompt as longer than its context: another model
    with a larger context may take it; this one will not on a retry."""
    REJECTED: Final = "REJECTED"
    """The upstream refused the request itself (a 400 other than context length):
    not retried on that deployment."""
    CIRCUIT_OPEN: Final = "CIRCUIT_OPEN"
    OVERLOADED: Final = "OVERLOADED"
    """The deployment's concurrency limit and wait queue were full."""

    RETRYABLE: Final = frozenset({TIMEOUT, RATE_LIMITED, UNAVAILABLE, BAD_RESPONSE})
    """Worth another try on the same deployment (after a backoff)."""


class ProviderError(Exception):
    """A failed call, translated: `outcome` is one of `Outcome`'s codes."""

    def __init__(self, outcome: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry_after_s = retry_after_s
        """What the upstream asked us to wait (Retry-After), if it said."""

    @property
    def retryable(self) -> bool:
        return self.outcome in Outcome.RETRYABLE


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


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished answer."""

    text: str
    finish_reason: str
    input_tokens: int
    output_tokens: int
    usage_reported: bool
    """True when the provider reported the token counts; False when estimated."""


StreamItem = str | Completion
"""A stream yields text deltas (str) as they arrive, then exactly one Completion."""


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
