"""The limiter interface: what counts a tenant's calls and tokens in the rolling
minute, in one process (`local`) or for every replica (`redis`)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

REQUESTS = "requests_per_minute"
TOKENS = "tokens_per_minute"
# The wait reported when the reservations of calls in flight, not the window's
# buckets, keep a call out: they are settled as those calls end.
IN_FLIGHT_WAIT_S = 1.0


class Rule(NamedTuple):
    """One tenant's limits; 0: none."""

    requests_per_minute: int
    tokens_per_minute: int


class Refusal(NamedTuple):
    """Why a call does not fit, and when it would."""

    limit: str
    """REQUESTS or TOKENS."""
    counted: int
    """What the window holds of that limit: requests, or tokens used."""
    reserved: int
    """Tokens reserved by calls in flight (0 for REQUESTS)."""
    retry_after_s: float
    """When enough of the window will have passed for the call to fit, in (0, 60]."""


class LimiterUnavailable(Exception):
    """The limiter's store did not answer in time, or not at all; the message says
    which, without the store's address."""


class Limiter(Protocol):
    async def admit(self, tenant: str, rule: Rule, tokens: int) -> str | Refusal:
        """Counts one request and reserves `tokens`, both or neither: a Refusal
        when either limit would be passed. Returns the reservation's name for
        `settle` ("" when nothing was reserved). Raises LimiterUnavailable."""

    def settle(self, tenant: str, name: str, reserved: int, used: int) -> None:
        """The call ended: its reservation is released and `used` tokens counted
        in the current second. Never raises, never waits: a shared limiter
        settles in a task of its own, which a cancelled caller cannot cut."""

    async def usage(self, tenant: str) -> tuple[int, int]:
        """(requests, tokens used plus reserved) in the rolling minute. Raises
        LimiterUnavailable."""

    async def close(self) -> None:
        """Waits (boundedly) for settlements on their way, then lets go of the store."""
