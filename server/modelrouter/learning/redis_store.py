"""Feedback on Redis (`usage.store: redis`), shared by every replica with the
same key prefix: see `learning.store` for what is kept.

Under `<prefix>:feedback:`
- `key`: the key decision ids are sealed with, made by whichever replica asks first;
- `scored:<mac hex>`: a decision scored, for the feedback window;
- `scores:<digest>`: a list, the kept scores of one (tenant, task, model), oldest
  first, each the repr of its float (which reads back exactly, so every replica
  folds the same numbers);
- `keys` and `counts`: hashes from the digest to the key's JSON and to how many
  scores it received in all. Tenant, task and model may hold any characters, and
  the task is the caller's (up to 1 KiB): Redis keys use a digest of them;
- `seq`: a counter bumped by every append, and `changed`: a sorted set of the
  digests by the `seq` of their last append, from which a replica reads what
  changed since it last looked.

An append is one Lua script: the change must get its sequence number in the
same step as it lands, or a replica reading in between would record the number
and never see the change."""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence

import redis.asyncio as aioredis

from modelrouter.learning.store import KEY_BYTES, Kept, LearnKey

PUSH_CHUNK = 1000
"""Scores per RPUSH inside the script: Lua's unpack takes a few thousand at most."""
READ_CHUNK = 256
"""Keys read per round trip by `load` and `changed`: bounds one reply."""

# KEYS: seq, changed, keys, counts, then one list per key appended to.
# ARGV: max_scores, then per key: its digest, its JSON, how many scores it
# received, how many of them follow (the latest, at most max_scores), those.
_APPEND = f"""
local seq = redis.call('INCR', KEYS[1])
local max = tonumber(ARGV[1])
local a = 2
for k = 5, #KEYS do
  local digest, key, total, n = ARGV[a], ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 4
  for i = 0, n - 1, {PUSH_CHUNK} do
    redis.call('RPUSH', KEYS[k], unpack(ARGV, a + i, a + math.min(i + {PUSH_CHUNK}, n) - 1))
  end
  a = a + n
  redis.call('LTRIM', KEYS[k], -max, -1)
  redis.call('HSET', KEYS[3], digest, key)
  redis.call('HINCRBY', KEYS[4], digest, total)
  redis.call('ZADD', KEYS[2], seq, digest)
end
return seq
"""


class RedisLearnedStore:
    def __init__(self, url: str, prefix: str, max_scores: int) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._max = max_scores
        base = f"{prefix}:feedback:"
        self._base = base
        self._secret_key = base + "key"
        self._seq = base + "seq"
        self._changed = base + "changed"
        self._keys = base + "keys"
        self._counts = base + "counts"
        self._append = self._redis.register_script(_APPEND)
        self._seen = 0
        """The last append this store has read: `changed` reads the later ones
        (all of them before the first `load`)."""

    def _list(self, digest: str) -> str:
        return f"{self._base}scores:{digest}"

    async def secret(self) -> bytes:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._secret_key, os.urandom(KEY_BYTES), nx=True)
            pipe.get(self._secret_key)
            _, key = await pipe.execute()
        return _bytes(key)

    async def scored_first(self, mac: bytes, ttl_s: float) -> bool:
        name = f"{self._base}scored:{mac.hex()}"
        return bool(await self._redis.set(name, b"1", nx=True, ex=max(1, math.ceil(ttl_s))))

    async def append(self, scores: Sequence[tuple[LearnKey, float]]) -> None:
        grouped: dict[LearnKey, list[float]] = {}
        for key, score in scores:
            grouped.setdefault(key, []).append(score)
        if not grouped:
            return
        keys = [self._seq, self._changed, self._keys, self._counts]
        args: list[str | int] = [self._max]
        for key, added in grouped.items():
            encoded = _encode(key)
            digest = _digest(encoded)
            kept = added[-self._max :]  # the script trims to these anyway: no need to send the rest
            keys.append(self._list(digest))
            args += [digest, encoded, len(added), len(kept), *(repr(float(s)) for s in kept)]
        await self._append(keys=keys, args=args)

    async def load(self) -> Kept:
        # The sequence first: whatever lands after it is read again by `changed`.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._seq)
            pipe.hkeys(self._keys)
            seq, digests = await pipe.execute()
        self._seen = int(seq or 0)
        return await self._read([_bytes(d).decode() for d in digests])

    async def changed(self) -> Kept:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._seq)
            pipe.zrangebyscore(self._changed, f"({self._seen}", "+inf", withscores=True)
            seq, since = await pipe.execute()
        if int(seq or 0) < self._seen:
            # The counter went back: this Redis lost its data (restarted without
            # persistence). Everything it holds now is news.
            self._seen = 0
            return await self.changed()
        if not since:
            return {}
        kept = await self._read([_bytes(d).decode() for d, _ in since])
        # Every append numbered up to the highest read had landed when the set
        # was read, so the lists read after it hold them all.
        self._seen = max(self._seen, *(int(score) for _, score in since))
        return kept

    async def _read(self, digests: list[str]) -> Kept:
        """Each key's kept scores and count; a list and its count are read in one
        transaction, so they agree."""
        kept: Kept = {}
        for start in range(0, len(digests), READ_CHUNK):
            chunk = digests[start : start + READ_CHUNK]
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hmget(self._keys, chunk)
                pipe.hmget(self._counts, chunk)
                for digest in chunk:
                    pipe.lrange(self._list(digest), 0, -1)
                names, counts, *lists = await pipe.execute()
            for name, count, raw in zip(names, counts, lists, strict=True):
                if name is None:
                    continue  # not this format's (the script writes a name with every list)
                scores = [float(s) for s in raw]
                kept[_decode(_bytes(name))] = (scores, max(int(count or 0), len(scores)))
        return kept

    async def close(self) -> None:
        await self._redis.aclose()


def _encode(key: LearnKey) -> str:
    return json.dumps(list(key), ensure_ascii=True, separators=(",", ":"))


def _decode(raw: bytes) -> LearnKey:
    tenant, task, model = json.loads(raw)
    return (str(tenant), str(task), str(model))


def _digest(encoded: str) -> str:
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def _bytes(value: bytes | str | None) -> bytes:
    """redis-py types replies as bytes or str; this client never decodes them."""
    if value is None:
        return b""
    return value.encode() if isinstance(value, str) else value
