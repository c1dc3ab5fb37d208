"""Usage totals in Redis, shared by every replica that uses the same key prefix.

Counters are added with HINCRBY, so replicas never overwrite each other. A
sketch cannot be added field by field: each flush reads it, merges its own delta
and writes it back under WATCH, retrying when another replica got there first.

A deployment's totals for tenant "" (calls without an API key, and selections)
are under `<prefix>:usage:<model>|<deployment>`, as before tenants were; a
tenant's under `<prefix>:usage:<tenant>|<model>|<deployment>` (names never hold
"|"), so that keys written before tenants read as tenant ""."""

from __future__ import annotations

import time
from collections.abc import Mapping

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from modelrouter.usage.figures import Figures
from modelrouter.usage.sketch import from_bytes, to_bytes
from modelrouter.usage.store import Key, SpendKey, Stored

FAIL = "fail:"


class RedisStore:
    def __init__(self, url: str, prefix: str) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix

    def _key(self, key: Key) -> str:
        return f"{self._prefix}:usage:{_member(key)}"

    async def add(self, deltas: Mapping[Key, Figures], spend: Mapping[SpendKey, int]) -> None:
        """Atomic per key, not as a whole: an add cut short (by the caller's
        timeout) may have added some keys' deltas and not the others'."""
        r = self._redis
        await r.set(f"{self._prefix}:usage:since", repr(time.time()), nx=True)
        for key, delta in deltas.items():
            name = self._key(key)
            async with r.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        await pipe.watch(name)
                        latency, ttft = await pipe.hmget(name, ["latency", "ttft"])
                        merged_latency = from_bytes(_bytes(latency))
                        merged_ttft = from_bytes(_bytes(ttft))
                        if delta.latency.count:
                            merged_latency.merge(delta.latency)
                        if delta.ttft.count:
                            merged_ttft.merge(delta.ttft)
                        pipe.multi()  # type: ignore[no-untyped-call]
                        for counter, value in delta.counters().items():
                            if value:
                                pipe.hincrby(name, counter, value)
                        for reason, n in delta.failures_by_reason.items():
                            pipe.hincrby(name, FAIL + reason, n)
                        pipe.hset(
                            name, mapping={"latency": to_bytes(merged_latency), "ttft": to_bytes(merged_ttft)}
                        )
                        pipe.sadd(f"{self._prefix}:usage:keys", _member(key))
                        await pipe.execute()
                        break
                    except WatchError:
                        continue
        for (scope, period), nusd in spend.items():
            await r.incrby(f"{self._prefix}:spend:{scope}|{period}", nusd)

    async def load(self) -> Stored:
        r = self._redis
        since_key = f"{self._prefix}:usage:since"
        await r.set(since_key, repr(time.time()), nx=True)  # the first replica to look starts the totals
        since_raw = await r.get(since_key)
        since = float(since_raw) if since_raw else time.time()
        figures: dict[Key, Figures] = {}
        for member in await r.smembers(f"{self._prefix}:usage:keys"):
            key = _key_of(_bytes(member).decode())
            raw = await r.hgetall(self._key(key))
            fields = {_bytes(k).decode(): _bytes(v) for k, v in raw.items()}
            counters = {c: int(fields[c]) for c in Figures.COUNTERS if c in fields}
            failures = {k[len(FAIL) :]: int(v) for k, v in fields.items() if k.startswith(FAIL)}
            figures[key] = Figures.restore(
                counters, failures, fields.get("latency", b""), fields.get("ttft", b"")
            )
        return Stored(figures, since)

    async def close(self) -> None:
        await self._redis.aclose()


def _member(key: Key) -> str:
    tenant, model, deployment = key
    return f"{tenant}|{model}|{deployment}" if tenant else f"{model}|{deployment}"


def _key_of(member: str) -> Key:
    parts = member.split("|")
    if len(parts) == 2:
        return ("", parts[0], parts[1])
    return (parts[0], parts[1], parts[2])


def _bytes(value: bytes | str | None) -> bytes:
    """redis-py types replies as bytes or str; this client never decodes them."""
    if value is None:
        return b""
    return value.encode() if isinstance(value, str) else value
