"""Per-tenant rate limits (`tenants.<t>.rate_limits`), over any rolling minute.

The rule, exactly:

- The window. Time is cut into one-second buckets (whole seconds of the limiter's
  clock: this process's monotonic clock, or Redis's own TIME when the usage store
  is Redis, so that replicas with skewed clocks agree). At any instant in second
  `s` the rolling minute is the 60 buckets `s-59 .. s`; a bucket leaves it 60 s
  after its second began. The granularity is therefore one second: what was
  counted in a bucket leaves the window all at once.
- `requests_per_minute`: Select, Invoke and InvokeStream calls admitted. A call
  is counted in the bucket of the second it is admitted, and never given back.
  It is refused when the window already holds the limit.
- `tokens_per_minute`: input plus output tokens used by Invoke and InvokeStream.
  Admission reserves the call's estimate (its estimated input tokens plus its
  `max_output_tokens`, or `server.default_expected_output_tokens` when it sets
  none; an estimate above the whole limit reserves the whole limit, so that such
  a call still fits an empty window). When the call ends, on every way out, the
  reservation is released and what its attempts were charged (as budgets and
  Stats count it; a cache hit used none) goes into the bucket of that second. A
  call is refused when the used tokens in the window, plus the reservations of
  calls in flight, plus its own estimate, would pass the limit. Concurrent calls
  therefore cannot pass the limit together; a call that uses more than its
  estimate (one without `max_output_tokens`) can.
- Both limits are checked, and counted, in one step: a call refused by either is
  counted by neither. A refusal is RESOURCE_EXHAUSTED `RATE_LIMITED`, with a
  RetryInfo: when enough buckets will have left the window for the call to fit
  (1 s when the reservations of calls in flight alone stand in the way).
- Across replicas (usage on Redis) the buckets, sums and reservations live in
  Redis and one Lua script checks and counts each admission atomically. A
  reservation whose replica died lapses after `HOLD_S`. A store that does not
  answer within `usage.timeout_ms` refuses the call UNAVAILABLE
  `RATE_LIMIT_UNAVAILABLE` (fail closed, see docs/configuration.md).

Modules: `limiter` (the interface), `window` (the buckets, in one process),
`local` and `redis` (the two limiters), `meter` (what a call's attempts were
charged), `limits` (what the router calls: rules per tenant, errors)."""

from modelrouter.ratelimit.limits import Admission, RateLimits

__all__ = ("Admission", "RateLimits")
