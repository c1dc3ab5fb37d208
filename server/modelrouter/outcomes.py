"""How one attempt can end: the one vocabulary of outcomes, and what each means
for retries, for the deployment's health, and for the figures.

Every attempt ends with exactly one of these codes (`modelrouter.attempt`), which
goes to the caller (`Attempt.outcome`), to Stats (`failures_by_reason`), to the
circuit breaker and to the metrics. Codes are plain UPPER_SNAKE strings, as the
contract keeps the set open."""

from __future__ import annotations

from typing import Final


class Outcome:
    """The `Attempt.outcome` codes of the contract."""

    OK: Final = "OK"

    # -- the upstream's doing: sent, and failed
    TIMEOUT: Final = "TIMEOUT"
    """No whole answer within the model's `timeout_s`, or a stream silent past
    `idle_timeout_s`."""
    RATE_LIMITED: Final = "RATE_LIMITED"
    UNAVAILABLE: Final = "UNAVAILABLE"
    BAD_RESPONSE: Final = "BAD_RESPONSE"
    """An answer of the wrong shape, or larger than `max_response_bytes`."""
    AUTH_FAILED: Final = "AUTH_FAILED"
    CONTEXT_TOO_LONG: Final = "CONTEXT_TOO_LONG"
    """The upstream refused the prompt as longer than its context: another model
    with a larger context may take it; this one will not on a retry."""
    REJECTED: Final = "REJECTED"
    """The upstream refused the request itself (a 400 other than context length):
    not retried on that deployment."""

    # -- the router's own refusals: nothing was sent
    CIRCUIT_OPEN: Final = "CIRCUIT_OPEN"
    OVERLOADED: Final = "OVERLOADED"
    """The deployment's concurrency limit and wait queue were full."""
    OVER_BUDGET: Final = "OVER_BUDGET"
    """A budget refused the attempt before anything was sent."""
    BUDGET_UNAVAILABLE: Final = "BUDGET_UNAVAILABLE"
    """The budget store did not answer in time: nothing was sent."""

    # -- the caller's or the server's doing: the attempt was cut
    CANCELLED: Final = "CANCELLED"
    """The caller went away."""
    DEADLINE_EXCEEDED: Final = "DEADLINE_EXCEEDED"
    """The caller's deadline cut the attempt before the model's own timeout."""
    SHUTTING_DOWN: Final = "SHUTTING_DOWN"
    """The server's shutdown grace ended with the attempt still running."""


RETRYABLE: Final = frozenset(
    {Outcome.TIMEOUT, Outcome.RATE_LIMITED, Outcome.UNAVAILABLE, Outcome.BAD_RESPONSE}
)
"""Worth another try (after a backoff), on another deployment while there is one."""

AGAINST_DEPLOYMENT: Final = frozenset(
    {Outcome.UNAVAILABLE, Outcome.TIMEOUT, Outcome.BAD_RESPONSE, Outcome.AUTH_FAILED}
)
"""What says the deployment, rather than the request or the caller, is at fault:
only these move its circuit. A 429, a refused request, a full queue, a caller's
deadline or cancellation and a shutdown do not."""

NOT_SENT: Final = frozenset(
    {Outcome.CIRCUIT_OPEN, Outcome.OVERLOADED, Outcome.OVER_BUDGET, Outcome.BUDGET_UNAVAILABLE}
)
"""Refused by the router before anything reached the upstream: an attempt, but
not a request to the deployment (Stats counts OVERLOADED as saturation only)."""

CUT: Final = frozenset({Outcome.CANCELLED, Outcome.DEADLINE_EXCEEDED, Outcome.SHUTTING_DOWN})
"""Cut by the caller or the server: ends the call, never retried."""
