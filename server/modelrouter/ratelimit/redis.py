"""Rate limits shared by every replica: each tenant's window in Redis, checked and
counted by one atomic Lua script per admission, on Redis's own clock (TIME inside
the script), so replicas whose clocks disagree still count the same minute.

Per tenant, the hash `<prefix>:ratelimit:<tenant>` holds `s` (the newest second
seen), `q` and `k` (the window's sums of requests and used tokens), `q<second>`
and `k<second>` (its non-empty buckets), `r` (tokens reserved by calls in flight)
and `h:<name>` per reservation; the sorted set `<hash>:held` holds the
reservations by the time they lapse. Bounded: at most 120 bucket fields, and one
field per call in flight. A replica that dies mid-call never settles: its
reservation lapses after HOLD_S, released by the next script to touch the tenant."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from modelrouter.ratelimit.limiter import (
    IN_FLIGHT_WAIT_S,
    REQUESTS,
    TOKENS,
    LimiterUnavailable,
    Refusal,
    Rule,
)

# How long a reservation is held if its call never settles (its replica died):
# longer than any call lasts.
HOLD_S = 600
# The hash outlives its last write by this long; every figure in it is older than
# the window (or lapsed) by then.
KEEP_S = HOLD_S + 120
# How long `close` waits for settlements still on their way.
CLOSE_WAIT_S = 2.0

_COMMON = """
if redis.replicate_commands then redis.replicate_commands() end  -- Redis < 5: TIME, then writes
local key, held = KEYS[1], KEYS[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

-- Moves the window to the current second: buckets that left it leave the sums.
-- Time never goes back: an earlier second counts as the newest one seen.
local s = math.floor(now)
local cur = tonumber(redis.call('HGET', key, 's') or '')
if cur ~= nil and s <= cur then
  s = cur
  now = math.max(now, cur)
elseif cur ~= nil then
  for b = cur - 59, math.min(s - 60, cur) do
    for _, f in ipairs({'q', 'k'}) do
      local v = redis.call('HGET', key, f .. b)
      if v then
        redis.call('HINCRBY', key, f, -tonumber(v))
        redis.call('HDEL', key, f .. b)
      end
    end
  end
end
redis.call('HSET', key, 's', s)

-- Reservations whose replica died mid-call.
local lapsed = redis.call('ZRANGEBYSCORE', held, '-inf', now)
for _, name in ipairs(lapsed) do
  redis.call('HINCRBY', key, 'r', -tonumber(redis.call('HGET', key, 'h:' .. name) or '0'))
  redis.call('HDEL', key, 'h:' .. name)
end
if #lapsed > 0 then redis.call('ZREMRANGEBYSCORE', held, '-inf', now) end

local q = tonumber(redis.call('HGET', key, 'q') or '0')
local k = tonumber(redis.call('HGET', key, 'k') or '0')
local r = tonumber(redis.call('HGET', key, 'r') or '0')
"""

# ARGV: requests_per_minute, tokens_per_minute (0: none), tokens to reserve, the
# reservation's name, HOLD_S, KEEP_S. Returns {0} when admitted, else {1 (requests)
# or 2 (tokens), counted, reserved, seconds to wait or -1 when emptying the window
# is not enough}.
_ADMIT = (
    _COMMON
    + """
local rpm, tpm, need = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function wait(f, over)
  local gone = 0
  for b = s - 59, s do
    gone = gone + tonumber(redis.call('HGET', key, f .. b) or '0')
    if gone >= over then return tostring(b + 60 - now) end
  end
  return '-1'
end
if rpm > 0 and q >= rpm then
  return {1, q, 0, wait('q', q + 1 - rpm)}
end
if tpm > 0 and k + r + need > tpm then
  return {2, k, r, wait('k', k + r + need - tpm)}
end
redis.call('HINCRBY', key, 'q', 1)
redis.call('HINCRBY', key, 'q' .. s, 1)
if need > 0 then
  redis.call('HINCRBY', key, 'r', need)
  redis.call('HSET', key, 'h:' .. ARGV[4], need)
  redis.call('ZADD', held, now + tonumber(ARGV[5]), ARGV[4])
  redis.call('EXPIRE', held, ARGV[6])
end
redis.call('EXPIRE', key, ARGV[6])
return {0}
"""
)

# ARGV: the reservation's name ("" for none), tokens used, KEEP_S. A reservation
# already released as lapsed is not released twice; its tokens still count.
_SETTLE = (
    _COMMON
    + """
if ARGV[1] ~= '' and redis.call('ZREM', held, ARGV[1]) == 1 then
  redis.call('HINCRBY', key, 'r', -tonumber(redis.call('HGET', key, 'h:' .. ARGV[1]) or '0'))
  redis.call('HDEL', key, 'h:' .. ARGV[1])
end
local used = tonumber(ARGV[2])
if used > 0 then
  redis.call('HINCRBY', key, 'k', used)
  redis.call('HINCRBY', key, 'k' .. s, used)
end
redis.call('EXPIRE', key, ARGV[3])
return 0
"""
)

# Returns {requests, tokens used plus reserved}.
_USAGE = _COMMON + "\nreturn {q, k + r}\n"


class RedisLimiter:
    def __init__(
        self, url: str, prefix: str, timeout_s: float, warn: Callable[[str, BaseException], None]
    ) -> None:
        """`timeout_s` bounds each exchange with Redis; `warn` hears of a
        settlement that failed (the caller has its answer by then)."""
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._timeout = timeout_s
        self._warn = warn
        self._admit = self._redis.register_script(_ADMIT)
        self._settle = self._redis.register_script(_SETTLE)
        self._usage = self._redis.register_script(_USAGE)
        # Reservation names: a random per-process prefix and a counter, unique
        # across replicas without a random draw per call.
        self._names = (f"{os.urandom(6).hex()}{n:x}" for n in itertools.count())
        self._settling: set[asyncio.Task[None]] = set()
        self.settle_errors = 0

    def _keys(self, tenant: str) -> list[str]:
        key = f"{self._prefix}:ratelimit:{tenant}"
        return [key, f"{key}:held"]

    async def _run(self, script: AsyncScript, tenant: str, args: list[str | int]) -> list[Any]:
        try:
            async with asyncio.timeout(self._timeout):
                return list(await script(keys=self._keys(tenant), args=args))
        except TimeoutError:
            raise LimiterUnavailable(
                f"the rate limit store did not answer within {self._timeout * 1000:g} ms"
            ) from None
        except Exception as exc:
            raise LimiterUnavailable("the rate limit store cannot be reached") from exc

    async def admit(self, tenant: str, rule: Rule, tokens: int) -> str | Refusal:
        name = next(self._names) if tokens else ""
        asking = asyncio.ensure_future(self._run(self._admit, tenant, [*rule, tokens, name, HOLD_S, KEEP_S]))
        try:
            got = await asyncio.shield(asking)
        except asyncio.CancelledError:
            # The caller went away (its deadline, or it cancelled) with the script on
            # its way: once the store answers, a reservation it made is released,
            # rather than holding the tenant's tokens for HOLD_S.
            if name:
                asking.add_done_callback(lambda done: self._release_unused(done, tenant, name, tokens))
            raise
        except LimiterUnavailable:
            # Timed out: the script may still run. Release at once (a settle of a name
            # never reserved does nothing); if it lands later, HOLD_S bounds it.
            if name:
                self.settle(tenant, name, tokens, 0)
            raise
        which = int(got[0])
        if which == 0:
            return name
        wait = float(got[3])
        return Refusal(
            REQUESTS if which == 1 else TOKENS,
            int(got[1]),
            int(got[2]),
            IN_FLIGHT_WAIT_S if wait < 0 else wait,
        )

    def _release_unused(self, done: asyncio.Future[list[Any]], tenant: str, name: str, tokens: int) -> None:
        if not done.cancelled() and done.exception() is None and int(done.result()[0]) == 0:
            self.settle(tenant, name, tokens, 0)

    def settle(self, tenant: str, name: str, reserved: int, used: int) -> None:
        task = asyncio.get_running_loop().create_task(self._settle_now(tenant, name, used))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle_now(self, tenant: str, name: str, used: int) -> None:
        try:
            await self._run(self._settle, tenant, [name, used, KEEP_S])
        except LimiterUnavailable as exc:
            # The call is answered. Its reservation lapses by itself after HOLD_S;
            # the tokens it used go uncounted.
            self.settle_errors += 1
            self._warn("rate limit settlement failed", exc)

    async def usage(self, tenant: str) -> tuple[int, int]:
        requests, tokens = await self._run(self._usage, tenant, [])
        return int(requests), int(tokens)

    async def close(self) -> None:
        if self._settling:
            await asyncio.wait(set(self._settling), timeout=CLOSE_WAIT_S)
        await self._redis.aclose()
