"""Where spend and reservations are counted: in this process (its settled spend
saved through the usage store), or in Redis, where every replica reserves
against the same figures with one atomic script."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import redis.asyncio as aioredis

from modelrouter.usage.store import SpendKey

Refused = tuple[int, int, int]
"""(index of the limit that refused, its settled spend, its reserved spend)."""


class SpendBook(Protocol):
    async def try_reserve(
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int
    ) -> Refused | None:
        """Reserves `amount` under every key, or none when one would pass its limit."""

    async def settle(self, keys: Sequence[SpendKey], reserved: int, actual: int) -> None: ...

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
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int
    ) -> Refused | None:
        spent, reserved = self._spent, self._reserved
        for i, key in enumerate(keys):
            s, r = spent.get(key, 0), reserved.get(key, 0)
            if s + r + amount > limits[i]:
                return i, s, r
        for key in keys:
            reserved[key] = reserved.get(key, 0) + amount
        return None

    async def settle(self, keys: Sequence[SpendKey], reserved: int, actual: int) -> None:
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


# KEYS: one hash per limit; ARGV: amount, seconds to keep the hashes, then each limit.
_RESERVE = """
local amount = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local spent = tonumber(redis.call('HGET', key, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', key, 'reserved') or '0')
  if spent + reserved + amount > tonumber(ARGV[2 + i]) then
    return {i, spent, reserved}
  end
end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'reserved', amount)
  redis.call('EXPIRE', key, ARGV[2])
end
return {0, 0, 0}
"""

# A period's figures are kept a while after it ends, for Stats and audits.
KEEP_S = 62 * 86400


class RedisBook:
    def __init__(self, url: str, prefix: str) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._reserve = self._redis.register_script(_RESERVE)

    def _name(self, key: SpendKey) -> str:
        return f"{self._prefix}:budget:{key[0]}|{key[1]}"

    async def try_reserve(
        self, keys: Sequence[SpendKey], limits: Sequence[int], amount: int
    ) -> Refused | None:
        names = [self._name(k) for k in keys]
        index, spent, reserved = await self._reserve(keys=names, args=[amount, KEEP_S, *limits])
        return None if int(index) == 0 else (int(index) - 1, int(spent), int(reserved))

    async def settle(self, keys: Sequence[SpendKey], reserved: int, actual: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                name = self._name(key)
                pipe.hincrby(name, "reserved", -reserved)
                pipe.hincrby(name, "spent", actual)
            await pipe.execute()

    async def read(self, keys: Sequence[SpendKey]) -> list[tuple[int, int]]:
        out = []
        for key in keys:
            spent, reserved = await self._redis.hmget(self._name(key), ["spent", "reserved"])
            out.append((int(spent or 0), int(reserved or 0)))
        return out

    def restore(self, spend: dict[SpendKey, int]) -> None:
        return None

    def take_settled(self) -> dict[SpendKey, int]:
        return {}

    def give_back_settled(self, spend: dict[SpendKey, int]) -> None:
        return None

    async def close(self) -> None:
        await self._redis.aclose()
