"""What the router asks of rate limits: admit a call for its tenant (or refuse it,
RATE_LIMITED with when to retry), settle it when it ends, and read a tenant's
figures for Stats. Holds each limited tenant's rule and the limiter: Redis when
the usage store is Redis (every replica counts the same minute), else this
process's own."""

from __future__ import annotations

import math
from collections.abc import Mapping

from structlog.typing import FilteringBoundLogger

from modelrouter.clock import Clock
from modelrouter.config.load import RouterConfig
from modelrouter.domain import InvokeCall
from modelrouter.errors import RateLimited, RateLimitUnavailable
from modelrouter.ratelimit.limiter import REQUESTS, Limiter, LimiterUnavailable, Refusal, Rule
from modelrouter.ratelimit.local import LocalLimiter
from modelrouter.ratelimit.meter import Meter, meter
from modelrouter.ratelimit.redis import RedisLimiter
from modelrouter.redact import redact
from modelrouter.selection.estimate import estimate_input_tokens

# A rate limit store that cannot be reached is logged at most this often.
WARN_EVERY_S = 10.0


class Admission(Meter):
    """An admitted Invoke or InvokeStream: what it reserved, and (as a Meter) what
    its attempts have been charged so far."""

    __slots__ = ("name", "reserved", "tenant")

    def __init__(self, tenant: str, name: str, reserved: int) -> None:
        super().__init__()
        self.tenant = tenant
        self.name = name
        """The limiter's name for its reservation ("" for none)."""
        self.reserved = reserved


def rules_of(config: RouterConfig) -> dict[str, Rule]:
    """The tenants that have a rate limit, with their limits (0: none)."""
    return {
        name: Rule(t.requests_per_minute or 0, t.tokens_per_minute or 0)
        for name, t in config.tenants.items()
        if t.requests_per_minute or t.tokens_per_minute
    }


class RateLimits:
    def __init__(
        self,
        rules: Mapping[str, Rule],
        limiter: Limiter,
        default_output_tokens: int,
        clock: Clock,
        log: FilteringBoundLogger | None = None,
    ) -> None:
        self.rules = rules
        """Only the tenants with a limit: for any other, one dict lookup says so."""
        self.limiter = limiter
        self._default_output = default_output_tokens
        self._clock = clock
        self._log = log
        self._warned_at = -math.inf
        self._last: dict[str, tuple[int, int]] = {}

    @classmethod
    def build(cls, config: RouterConfig, clock: Clock, log: FilteringBoundLogger | None = None) -> RateLimits:
        rules = rules_of(config)
        usage = config.usage
        self = cls(rules, LocalLimiter(clock), config.server.default_expected_output_tokens, clock, log)
        # On Redis whether or not a tenant has limits yet: a reload may add some,
        # and admissions in flight must settle on the limiter they were made on.
        # (The client connects at its first use.)
        if usage.store == "redis":
            self.limiter = RedisLimiter(
                usage.redis_url, usage.key_prefix, usage.timeout_ms / 1000, self._warn
            )
        return self

    def reconfigure(self, config: RouterConfig) -> None:
        """A reload's swap: the tenants' new limits apply to calls admitted from
        now on; what the window has counted stays (the usage store, and so the
        limiter, cannot change without a restart)."""
        self.rules = rules_of(config)
        self._default_output = config.server.default_expected_output_tokens

    def estimate(self, call: InvokeCall) -> int:
        """The tokens a call reserves: its estimated input plus its output cap (the
        default expected output when it sets none)."""
        params = call.params
        return estimate_input_tokens(params.messages) + (params.max_output_tokens or self._default_output)

    async def admit(self, tenant: str, call: InvokeCall | None) -> Admission | None:
        """Counts the call for `tenant` (which has a rule) and reserves an Invoke's
        estimate; from here on the call's attempts charge the returned admission,
        which `settle` closes. A Select (`call` None) has nothing to settle.
        Raises RateLimited, or RateLimitUnavailable when the store is away."""
        rule = self.rules[tenant]
        tpm = rule.tokens_per_minute
        need = min(self.estimate(call), tpm) if call is not None and tpm else 0
        try:
            got = await self.limiter.admit(tenant, rule, need)
        except LimiterUnavailable as exc:
            self._warn("rate limit store unavailable", exc)
            raise RateLimitUnavailable(
                f"{exc}; tenant {tenant!r} has rate limits, so its calls wait for the store: "
                "retry after a short backoff",
                {"tenant": tenant},
            ) from None
        if isinstance(got, Refusal):
            raise refused(tenant, rule, got, need)
        if call is None:
            return None
        admission = Admission(tenant, got, need)
        meter(admission)
        return admission

    def settle(self, admission: Admission) -> None:
        """The call ended, however: its reservation is released and what its
        attempts were charged is counted. Never waits, never raises."""
        if admission.reserved or admission.used:
            self.limiter.settle(admission.tenant, admission.name, admission.reserved, admission.used)

    async def usage(self, tenant: str) -> tuple[int, int]:
        """(requests, tokens used plus reserved) over the rolling minute; (0, 0) for
        a tenant without limits. A store that does not answer in time: the last
        figures read for the tenant."""
        if tenant not in self.rules:
            return 0, 0
        try:
            figures = await self.limiter.usage(tenant)
        except LimiterUnavailable as exc:
            self._warn("rate limit store unavailable", exc)
            return self._last.get(tenant, (0, 0))
        self._last[tenant] = figures
        return figures

    async def close(self) -> None:
        await self.limiter.close()

    def _warn(self, event: str, exc: BaseException) -> None:
        """What the store's client said (it may name an internal host) goes to the
        log, redacted, at most every WARN_EVERY_S; callers are told only that the
        store is away."""
        now = self._clock()
        if self._log is None or now - self._warned_at < WARN_EVERY_S:
            return
        self._warned_at = now
        cause = exc.__cause__
        error = f"{exc}: {type(cause).__name__}: {cause}" if cause is not None else str(exc)
        self._log.warning(event, error=redact(error))


def refused(tenant: str, rule: Rule, refusal: Refusal, need: int) -> RateLimited:
    """The error for a refusal: which limit, its figures, and when to retry."""
    # RetryInfo in whole milliseconds, rounded up (never early), within (0, 60] s.
    delay_ms = min(max(math.ceil(refusal.retry_after_s * 1000), 1), 60_000)
    retry = f"retry in {math.ceil(delay_ms / 1000)} s"
    if refusal.limit == REQUESTS:
        limit = rule.requests_per_minute
        message = (
            f"tenant {tenant!r} has reached its limit of {limit} requests per minute; "
            f"{retry}, or spread its calls out"
        )
        extra: dict[str, str] = {}
    else:
        limit = rule.tokens_per_minute
        message = (
            f"tenant {tenant!r} has used {refusal.counted} tokens in the last minute and reserved "
            f"{refusal.reserved} for calls in flight, of its limit of {limit} tokens per minute; "
            f"this call may use {need} (its input estimate and output cap); "
            f"{retry}, or set a lower max_output_tokens"
        )
        extra = {
            "usedTokens": str(refusal.counted),
            "reservedTokens": str(refusal.reserved),
            "neededTokens": str(need),
        }
    return RateLimited(
        message,
        {
            "tenant": tenant,
            "limit": refusal.limit,
            "perMinute": str(limit),
            **extra,
            "retryDelayMs": str(delay_ms),
        },
        delay_ms / 1000,
    )
