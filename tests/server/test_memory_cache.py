"""The byte-bounded LRU memory backend, used through aiocache's public API."""

from __future__ import annotations

import gc
import random
import tracemalloc

import pytest

from modelrouter.cache.memory import ENTRY_OVERHEAD, EXPIRY_OVERHEAD, MemoryCache
from modelrouter.cache.responses import CachedAnswer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cost(key: str, value: bytes, ttl: bool = False) -> int:
    return len(key) + len(value) + ENTRY_OVERHEAD + (EXPIRY_OVERHEAD if ttl else 0)


async def test_values_round_trip_through_the_public_api() -> None:
    cache = MemoryCache(max_bytes=10_000)
    assert await cache.set("a", b"1") is True
    assert await cache.get("a") == b"1"
    assert await cache.get("missing") is None
    assert await cache.get("missing", default=b"d") == b"d"
    assert await cache.exists("a") and not await cache.exists("missing")
    await cache.multi_set([("b", b"22"), ("c", b"333")])
    assert await cache.multi_get(["a", "b", "c", "z"]) == [b"1", b"22", b"333", None]
    with pytest.raises(ValueError):
        await cache.add("a", b"again")
    assert await cache.add("d", b"4") is True
    assert await cache.delete("a") == 1 and await cache.delete("a") == 0
    assert cache.entries == 3
    assert cache.bytes == cost("b", b"22") + cost("c", b"333") + cost("d", b"4")
    assert await cache.clear() is True
    assert (cache.entries, cache.bytes) == (0, 0)


async def test_namespaces_and_namespaced_clear() -> None:
    cache = MemoryCache(max_bytes=10_000, namespace="ns:")
    await cache.set("a", b"1")
    await cache.set("a", b"2", namespace="other:")
    assert await cache.get("a") == b"1"
    await cache.clear(namespace="other:")
    assert await cache.get("a", namespace="other:") is None
    assert await cache.get("a") == b"1"
    assert cache.bytes == cost("ns:a", b"1")


async def test_increment_like_aiocache_and_rejects_non_integers() -> None:
    cache = MemoryCache(max_bytes=10_000)
    assert await cache.increment("n") == 1
    assert await cache.increment("n", 5) == 6
    assert await cache.get("n") == b"6"
    await cache.set("s", b"text")
    with pytest.raises(TypeError):
        await cache.increment("s")


async def test_a_get_keeps_an_entry_alive_over_a_newer_one() -> None:
    value = b"x" * 100
    # Room for exactly three such entries.
    cache = MemoryCache(max_bytes=3 * cost("k0", value))
    for key in ("k0", "k1", "k2"):
        await cache.set(key, value)
    assert await cache.get("k0") == value  # k1 is now the least recently used
    await cache.set("k3", value)
    assert await cache.multi_get(["k0", "k1", "k2", "k3"]) == [value, None, value, value]
    assert cache.evictions == 1
    # exists() is a peek: it does not refresh k2, which goes next.
    assert await cache.exists("k2")
    await cache.get("k0")
    await cache.get("k3")
    await cache.set("k4", value)
    assert not await cache.exists("k2")
    assert cache.evictions == 2 and cache.entries == 3


async def test_overwriting_a_key_replaces_its_cost() -> None:
    cache = MemoryCache(max_bytes=10_000)
    await cache.set("k", b"a" * 500)
    await cache.set("k", b"b" * 10)
    assert cache.entries == 1
    assert cache.bytes == cost("k", b"b" * 10)
    assert await cache.get("k") == b"b" * 10


async def test_entries_expire_on_a_fake_clock() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=10_000, clock=clock)
    await cache.set("short", b"s", ttl=5)
    await cache.set("long", b"l", ttl=50)
    await cache.set("forever", b"f")
    assert cache.bytes == cost("short", b"s", True) + cost("long", b"l", True) + cost("forever", b"f")
    clock.now += 4.9
    assert await cache.get("short") == b"s"
    clock.now += 0.1
    assert await cache.get("short") is None
    assert not await cache.exists("short")
    assert await cache.get("long") == b"l"
    clock.now += 1000
    assert await cache.multi_get(["long", "forever"]) == [None, b"f"]
    assert cache.entries == 1 and cache.expirations == 2
    assert cache.bytes == cost("forever", b"f")
    # An expired key can be added again.
    await cache.set("again", b"1", ttl=1)
    clock.now += 2
    assert await cache.add("again", b"2") is True
    assert await cache.get("again") == b"2"


async def test_default_ttl_and_expire() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=10_000, clock=clock, ttl=10)
    await cache.set("a", b"1")
    await cache.set("b", b"2", ttl=None)
    assert await cache.expire("b", 3) is True
    assert await cache.expire("missing", 3) is False
    clock.now += 3
    assert await cache.get("b") is None
    assert await cache.expire("a", 0) is True  # 0 disables the TTL
    assert cache.bytes == cost("a", b"1")
    clock.now += 100
    assert await cache.get("a") == b"1"


async def test_stores_purge_expired_entries_at_the_lru_end() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=10_000, clock=clock)
    await cache.set("old1", b"1", ttl=1)
    await cache.set("old2", b"2", ttl=1)
    clock.now += 2
    await cache.set("new", b"3")
    assert cache.entries == 1 and cache.expirations == 2
    assert cache.bytes == cost("new", b"3")
    assert cache.evictions == 0


async def test_an_oversize_entry_is_rejected_not_evicting_anything() -> None:
    cache = MemoryCache(max_bytes=1000)
    await cache.set("small", b"s" * 10)
    await cache.set("big", b"b" * 100)
    assert await cache.set("big", b"b" * 1000) is False  # also drops the stale smaller value
    assert await cache.get("big") is None
    assert await cache.get("small") == b"s" * 10
    assert (cache.rejections, cache.evictions, cache.entries) == (1, 0, 1)
    assert cache.bytes == cost("small", b"s" * 10)
    # An entry that exactly fills the bound is kept, evicting the rest.
    exact = b"e" * (1000 - cost("e", b""))
    assert await cache.set("e", exact) is True
    assert cache.bytes == 1000 and cache.entries == 1 and cache.evictions == 1


async def test_hit_miss_and_entry_figures() -> None:
    cache = MemoryCache(max_bytes=10_000)
    await cache.multi_set([("a", b"1"), ("b", b"2")])
    await cache.get("a")
    await cache.get("a")
    await cache.get("nope")
    await cache.multi_get(["b", "nope", "nada"])
    await cache.exists("a")  # not a read
    assert (cache.hits, cache.misses, cache.entries) == (3, 3, 2)


async def fill_and_measure(cache: MemoryCache, inserts: int, low: int, high: int) -> tuple[int, int, int]:
    """Insert `inserts` seeded random values; return (traced growth, reported bytes, max reported)."""
    rng = random.Random(20240611)
    gc.collect()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        peak_reported = 0
        for i in range(inserts):
            # The value and key are made here, so only the cache keeps them.
            await cache.set(f"key-{i}", rng.randbytes(rng.randint(low, high)))
            assert cache.bytes <= cache.max_bytes
            peak_reported = max(peak_reported, cache.bytes)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, cache.bytes, peak_reported


@pytest.mark.parametrize(
    ("max_bytes", "low", "high"),
    [(4_000_000, 10, 20_000), (400_000, 10, 200)],
    ids=["mixed-10B-20KB", "small-10B-200B"],
)
async def test_the_byte_bound_holds_and_matches_traced_memory(max_bytes: int, low: int, high: int) -> None:
    inserts = 10_000
    cache = MemoryCache(max_bytes=max_bytes)
    traced, reported, peak = await fill_and_measure(cache, inserts, low, high)
    print(
        f"max_bytes={max_bytes} entries={cache.entries} reported={reported} traced={traced} "
        f"ratio={traced / reported:.4f} peak={peak} evictions={cache.evictions}"
    )
    assert reported <= max_bytes and peak <= max_bytes
    assert reported > 0.9 * max_bytes  # it is actually used
    assert abs(traced - reported) <= 0.10 * reported
    assert cache.rejections == 0
    assert cache.evictions == inserts - cache.entries - cache.rejections


async def test_the_bound_holds_for_answers_as_the_response_cache_writes_them() -> None:
    """Answers serialised by CachedAnswer.dumps (orjson), whose bytes can hide a
    larger allocation than their length: the traced memory still matches."""
    rng = random.Random(11)
    cache = MemoryCache(max_bytes=4_000_000)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2_000):
            text = "x" * rng.randint(1_000, 12_000)
            answer = CachedAnswer(text, "stop", 10, len(text) // 4, 0.001, "m", "d")
            await cache.set(f"key-{i}", answer.dumps())
            assert cache.bytes <= cache.max_bytes
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache.evictions > 0
    assert abs(traced - cache.bytes) <= 0.10 * cache.bytes, (traced, cache.bytes)


async def test_evictions_are_counted_exactly_with_rejections() -> None:
    rng = random.Random(7)
    cache = MemoryCache(max_bytes=50_000)
    inserted = 2_000
    for i in range(inserted):
        await cache.set(f"k{i}", rng.randbytes(rng.randint(10, 60_000)))
        assert cache.bytes <= 50_000
    assert cache.rejections > 0
    assert cache.evictions == inserted - cache.entries - cache.rejections
    assert cache.bytes == sum(cost(k, v) for k, (v, _) in (await cache.raw("items")))
