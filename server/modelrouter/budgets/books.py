"""Where spend and reservations are counted: in this process (its settled spend
saved through the usage store), or in Redis, where every replica reserves
against the same figures with one atomic script."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

import redis.asyncio as aioredis

from modelrouter.usage.store import SpendKey

Refused = tuple[int, int, int]
"""(index of the limit that refused, its settled spend, its reserved spend)."""


class SpendBook(Protocol):
    async def try_reserve(
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int, hold_s: float
    ) -> Refused | str:
        """Reserves `amount` under every key, or none when one would pass its limit.
        Returns the reservation's token for `settle`. A reservation not settled
        within `hold_s` (its caller died) is released by the book itself."""

    async def settle(self, keys: Sequence[SpendKey], token: str, reserved: int, actual: int) -> None: ...

    async def read(self, keys: Sequence[SpendKey]) -> list[tuple[int, int]]:
        """(settled, reserved) per key."""

    def restore(self, spend: dict[SpendKey, int]) -> None:
        """Settled spend saved by earlier runs (local books; Redis keeps its own)."""

    def take_settled(self) -> dict[SpendKey, int]:
        """Settled spend not yet saved to the usage store (local books only)."""

    def give_back_settled(self, spend: dict[SpendKey, int]) -> None:
        """A save that failed: the spend waits for the next one."""

    async def close(self) -> None: ...


class LocalBook:
    def __init__(self) -> None:
        self._spent: dict[SpendKey, int] = {}
        self._reserved: dict[SpendKey, int] = {}
        self._unsaved: dict[SpendKey, int] = {}

    async def try_reserve(
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int, hold_s: float
    ) -> Refused | str:
        # In one process a reservation cannot outlive its caller: no expiry needed.
        spent, reserved = self._spent, self._reserved
        for i, key in enumerate(keys):
            s, r = spent.get(key, 0), reserved.get(key, 0)
            if s + r + amount > limits[i]:
                return i, s, r
        for key in keys:
            reserved[key] = reserved.get(key, 0) + amount
        return ""

    async def settle(self, keys: Sequence[SpendKey], token: str, reserved: int, actual: int) -> None:
        for key in keys:
            self._reserved[key] -= reserved
            self._spent[key] = self._spent.get(key, 0) + actual
            if actual:
                self._unsaved[key] = self._unsaved.get(key, 0) + actual

    async def read(self, keys: Sequence[SpendKey]) -> list[tuple[int, int]]:
        return [(self._spent.get(k, 0), self._reserved.get(k, 0)) for k in keys]

    def restore(self, spend: dict[SpendKey, int]) -> None:
        for key, nusd in spend.items():
            self._spent[key] = self._spent.get(key, 0) + nusd

    def take_settled(self) -> dict[SpendKey, int]:
        taken, self._unsaved = self._unsaved, {}
        return taken

    def give_back_settled(self, spend: dict[SpendKey, int]) -> None:
        for key, nusd in spend.items():
            self._unsaved[key] = self._unsaved.get(key, 0) + nusd

    async def close(self) -> None:
        return None


# Each limit's hash holds `spent`, `reserved` and one `r:<token>` field per open
# reservation; the sorted set `<hash>:held` holds the tokens by the time they
# lapse. A replica that dies mid-call never settles: the next script to touch the
# hash after the lapse releases its reservation. Amounts are integer nano-USD.
_RELEASE_LAPSED = """
local function release_lapsed(key, now)
  local held = key .. ':held'
  local lapsed = redis.call('ZRANGEBYSCORE', held, '-inf', now)
  for _, token in ipairs(lapsed) do
    local amount = tonumber(redis.call('HGET', key, 'r:' .. token) or '0')
    redis.call('HINCRBY', key, 'reserved', -amount)
    redis.call('HDEL', key, 'r:' .. token)
  end
  if #lapsed > 0 then
    redis.call('ZREMRANGEBYSCORE', held, '-inf', now)
  end
end
"""

# KEYS: the limits' hashes. ARGV: amount, seconds to keep the hashes, now, when the
# reservation lapses, its token, then each limit.
_RESERVE = (
    _RELEASE_LAPSED
    + """
local amount = tonumber(ARGV[1])
local now = tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  release_lapsed(key, now)
  local spent = tonumber(redis.call('HGET', key, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', key, 'reserved') or '0')
  if spent + reserved + amount > tonumber(ARGV[5 + i]) then
    return {i, spent, reserved}
  end
end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'reserved', amount)
  redis.call('HSET', key, 'r:' .. ARGV[5], amount)
  redis.call('ZADD', key .. ':held', ARGV[4], ARGV[5])
  redis.call('EXPIRE', key, ARGV[2])
  redis.call('EXPIRE', key .. ':held', ARGV[2])
end
return {0, 0, 0}
"""
)

# KEYS: the limits' hashes. ARGV: the token, the reserved amount, the actual cost.
# A reservation already released as lapsed is not released twice.
_SETTLE = """
for _, key in ipairs(KEYS) do
  if redis.call('ZREM', key .. ':held', ARGV[1]) == 1 then
    redis.call('HINCRBY', key, 'reserved', -tonumber(ARGV[2]))
    redis.call('HDEL', key, 'r:' .. ARGV[1])
  end
  redis.call('HINCRBY', key, 'spent', ARGV[3])
end
return 0
"""

# KEYS: the limits' hashes. ARGV: now. Returns spent, reserved for each.
_READ = (
    _RELEASE_LAPSED
    + """
local out = {}
for _, key in ipairs(KEYS) do
  release_lapsed(key, tonumber(ARGV[1]))
  table.insert(out, tonumber(redis.call('HGET', key, 'spent') or '0'))
  table.insert(out, tonumber(redis.call('HGET', key, 'reserved') or '0'))
end
return out
"""
)

# A period's figures are kept a while after it ends, for Stats and audits.
KEEP_S = 62 * 86400


class RedisBook:
    def __init__(self, url: str, prefix: str, wall: Callable[[], float] = time.time) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._wall = wall
        self._reserve = self._redis.register_script(_RESERVE)
        self._settle = self._redis.register_script(_SETTLE)
        self._read = self._redis.register_script(_READ)

    def _name(self, key: SpendKey) -> str:
        return f"{self._prefix}:budget:{key[0]}|{key[1]}"

    async def try_reserve(
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int, hold_s: float
    ) -> Refused | str:
        names = [self._name(k) for k in keys]
        token = uuid.uuid4().hex
        now = self._wall()
        index, spent, reserved = await self._reserve(
            keys=names, args=[amount, KEEP_S, repr(now), repr(now + hold_s), token, *limits]
        )
        return token if int(index) == 0 else (int(index) - 1, int(spent), int(reserved))

    async def settle(self, keys: Sequence[SpendKey], token: str, reserved: int, actual: int) -> None:
        await self._settle(keys=[self._name(k) for k in keys], args=[token, reserved, actual])

    async def read(self, keys: Sequence[SpendKey]) -> list[tuple[int, int]]:
        if not keys:
            return []
        flat = await self._read(keys=[self._name(k) for k in keys], args=[repr(self._wall())])
        return [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]

    def restore(self, spend: dict[SpendKey, int]) -> None:
        return None

    def take_settled(self) -> dict[SpendKey, int]:
        return {}

    def give_back_settled(self, spend: dict[SpendKey, int]) -> None:
        return None

    async def close(self) -> None:
        await self._redis.aclose()
