"""The `redis` response cache with a real Redis: two routers share cached answers,
and a Redis that goes away degrades to misses, never to a failed call. A Redis is
started on a free port for the test (redis-server is on every machine here; under
CI=true its absence fails the test instead of skipping it)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest

from modelrouter_client._proto import router_pb2 as pb
from tests.support import RedisServer, serving

if shutil.which("redis-server") is None and os.environ.get("CI") != "true":
    pytest.skip("skipped: redis-server is not installed", allow_module_level=True)


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def config(port: int) -> str:
    return f"""
cache: {{backend: redis, redis_url: "redis://127.0.0.1:{port}/0", ttl_s: 60}}
models:
  - {{id: m, provider: simulated, context_window: 8000, pricing: {{input_per_mtok: 1, output_per_mtok: 1}},
     quality: {{default: 0.5}}, simulate: {{ttft_ms: 0, tokens_per_s: 1000000}}}}
"""


def request() -> pb.InvokeRequest:
    # A fresh question each run, so no earlier answer can be in the cache.
    content = f"question {uuid.uuid4().hex}"
    return pb.InvokeRequest(model="m", messages=[pb.ChatMessage(role="user", content=content)], temperature=0)


async def test_two_routers_share_cached_answers(redis: RedisServer) -> None:
    async with serving(config(redis.port)) as a, serving(config(redis.port)) as b:
        ask = request()
        first = await a.stub.Invoke(ask, timeout=10)
        second = await b.stub.Invoke(ask, timeout=10)
        assert (first.cache_hit, second.cache_hit) == (False, True)
        assert second.text == first.text
        b_stats = await b.stub.Stats(pb.StatsRequest(), timeout=10)
        assert b_stats.cache.hits == 1 and b_stats.models[0].requests == 0


async def test_a_redis_outage_degrades_to_misses(redis: RedisServer) -> None:
    async with serving(config(redis.port)) as served:
        ask = request()
        await served.stub.Invoke(ask, timeout=10)
        assert (await served.stub.Invoke(ask, timeout=10)).cache_hit
        redis.stop()
        for _ in range(3):
            reply = await served.stub.Invoke(ask, timeout=10)
            assert not reply.cache_hit and reply.text  # answered by the model, not failed
        assert served.running.router.responses.errors >= 3
        assert "response cache unavailable" in served.log.getvalue()
        redis.start()  # back: cached again
        await served.stub.Invoke(ask, timeout=10)
        assert (await served.stub.Invoke(ask, timeout=10)).cache_hit
