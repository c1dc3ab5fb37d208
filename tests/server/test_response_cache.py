"""The response cache through the server: policies, hits served without a call,
streams replayed from it, one upstream call for concurrent identical misses, and
its figures in Stats."""

from __future__ import annotations

import asyncio

from modelrouter.manager import REPLAY_CHUNK
from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, serving

CONFIG = """
cache: {ttl_s: 60, default_policy: deterministic, max_bytes: 1000000}
models:
  - {id: paced, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 2},
     quality: {default: 0.5}, simulate: {ttft_ms: 150, tokens_per_s: 1000000}}
"""
USER = [pb.ChatMessage(role="user", content="cache me if you can")]


def invoke(**fields: object) -> pb.InvokeRequest:
    return pb.InvokeRequest(model="paced", messages=USER, **fields)  # type: ignore[arg-type]


async def figures(served: Served) -> tuple[pb.CacheStats, pb.ModelStats]:
    reply = await served.stub.Stats(pb.StatsRequest(), timeout=10)
    return reply.cache, reply.models[0]


async def test_deterministic_calls_are_served_from_the_cache() -> None:
    async with serving(CONFIG) as served:
        first = await served.stub.Invoke(invoke(temperature=0), timeout=10)
        second = await served.stub.Invoke(invoke(temperature=0), timeout=10)
        assert (first.cache_hit, second.cache_hit) == (False, True)
        assert second.text == first.text and second.usage == first.usage and second.model == first.model
        assert len(first.attempts) == 1 and len(second.attempts) == 0  # nothing was called
        cache, model = await figures(served)
        assert (cache.hits, cache.misses) == (1, 1)
        assert cache.entries == 1 and cache.bytes > len(first.text)
        assert model.requests == 1  # the cached answer is not a call to the model


async def test_policies() -> None:
    async with serving(CONFIG) as served:
        stub = served.stub
        # Unset temperature: not deterministic, so the default policy does not cache.
        assert not (await stub.Invoke(invoke(), timeout=10)).cache_hit
        assert not (await stub.Invoke(invoke(), timeout=10)).cache_hit
        # USE caches whatever the temperature.
        use = pb.CACHE_POLICY_USE
        assert not (await stub.Invoke(invoke(temperature=0.7, cache=use), timeout=10)).cache_hit
        assert (await stub.Invoke(invoke(temperature=0.7, cache=use), timeout=10)).cache_hit
        # BYPASS neither reads nor writes; REFRESH writes without reading.
        assert not (
            await stub.Invoke(invoke(temperature=0.7, cache=pb.CACHE_POLICY_BYPASS), timeout=10)
        ).cache_hit
        refresh = await stub.Invoke(invoke(temperature=0.7, cache=pb.CACHE_POLICY_REFRESH), timeout=10)
        assert not refresh.cache_hit and len(refresh.attempts) == 1
        assert (await stub.Invoke(invoke(temperature=0.7, cache=use), timeout=10)).cache_hit
        _, model = await figures(served)
        assert model.requests == 5


async def test_streams_are_served_from_the_cache_as_deltas() -> None:
    async with serving(CONFIG) as served:
        request = pb.InvokeStreamRequest(model="paced", messages=USER, temperature=0)
        fresh = [m async for m in served.stub.InvokeStream(request, timeout=10)]
        cached = [m async for m in served.stub.InvokeStream(request, timeout=10)]
        assert not fresh[-1].done.cache_hit and cached[-1].done.cache_hit
        assert "".join(m.delta for m in cached[:-1]) == "".join(m.delta for m in fresh[:-1])
        assert cached[-1].done.text == fresh[-1].done.text == ""  # the deltas carry the text
        # Replayed in pieces of REPLAY_CHUNK characters (not one message per token),
        # then one done.
        text = "".join(m.delta for m in cached[:-1])
        assert len(cached) - 1 == -(-len(text) // REPLAY_CHUNK)
        assert all(len(m.delta) <= REPLAY_CHUNK for m in cached[:-1])


async def test_concurrent_identical_misses_call_the_model_once() -> None:
    async with serving(CONFIG) as served:
        request = invoke(cache=pb.CACHE_POLICY_USE)
        replies = await asyncio.gather(*(served.stub.Invoke(request, timeout=10) for _ in range(10)))
        assert len({r.text for r in replies}) == 1
        assert sum(not r.cache_hit for r in replies) == 1  # one produced it, nine shared it
        _, model = await figures(served)
        assert model.requests == 1


async def test_a_zero_byte_bound_turns_the_cache_off() -> None:
    async with serving(CONFIG.replace("max_bytes: 1000000", "max_bytes: 0")) as served:
        for _ in range(2):
            assert not (await served.stub.Invoke(invoke(cache=pb.CACHE_POLICY_USE), timeout=10)).cache_hit
        cache, model = await figures(served)
        assert (cache.hits, cache.entries, model.requests) == (0, 0, 2)
