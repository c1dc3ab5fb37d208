"""The response cache's runs of ``python -m bench``.

1. cache hit: the zero-latency run's load (h2load, one InvokeRequest naming a model,
   repeated) against a router whose response cache keeps every answer: after the
   probe, every call is a hit; calls per second as a ratio of the bare echo server's
   (aim 0.7 or better). The router's Stats must count a hit per OK call and no
   provider call.
2. memory with the cache full: distinct questions (8 KiB each, echoed back) until the
   cache has evicted; the server's resident memory before and after, next to the
   bytes the cache reports holding and its bound.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from bench import configs
from bench.invoke import ZERO_MODELS, ZeroRun, probe_invoke, zero_run
from bench.requests import INVOKE_PATH, invoke_request
from bench.servers import SERVER_CPU, invoke_counters, start_echo, start_router, stats
from modelrouter_client._proto import router_pb2

CACHE_AIM = 0.7
CACHE_ROUNDS = 3
FILL_MAX_BYTES = 64 * 1024 * 1024
FILL_QUESTION_BYTES = 8 * 1024
FILL_IN_FLIGHT = 32


def _cache(address: str) -> router_pb2.CacheStats:
    return stats(address).cache


@dataclass
class CacheHitRuns:
    """Alternating runs: echo, router, echo, router, ... echo. This machine's speed
    drifts by as much as 2x within minutes, so each router run is compared with the
    mean of the echo runs just before and after it, and the median ratio is the
    figure."""

    router: list[ZeroRun]
    echo: list[ZeroRun]
    ratios: list[float]
    hits: int = 0
    provider_calls: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else math.nan


def measure_cache_hits(tmp: Path) -> CacheHitRuns:
    registry = configs.registry(ZERO_MODELS)
    model = next(
        m["id"] for m in registry["models"] if "chat" in m["capabilities"] and "deployments" not in m
    )
    body = invoke_request(model)
    print(
        f"Invoke from the response cache: modelrouter, {ZERO_MODELS} simulated models, "
        f"{CACHE_ROUNDS} rounds between echo runs",
        flush=True,
    )
    runs = CacheHitRuns([], [], [])
    with (
        start_echo(SERVER_CPU, tmp / "echo-cache.log") as echo,
        start_router(configs.write_cached(tmp, ZERO_MODELS), SERVER_CPU, tmp / "router-cached.log") as router,
    ):
        print(f"  probe (fills the cache): {probe_invoke(router.address, body)}", flush=True)
        hits_before, calls_before = _cache(router.address).hits, invoke_counters(router.address).requests
        runs.echo.append(zero_run("bare grpc.aio echo", echo, body, is_router=False))
        for _ in range(CACHE_ROUNDS):
            runs.router.append(zero_run("router, cache hit", router, body, is_router=False))
            runs.echo.append(zero_run("bare grpc.aio echo", echo, body, is_router=False))
            around = (runs.echo[-2].calls_per_s + runs.echo[-1].calls_per_s) / 2
            runs.ratios.append(runs.router[-1].calls_per_s / around if around else math.nan)
        runs.hits = _cache(router.address).hits - hits_before
        runs.provider_calls = invoke_counters(router.address).requests - calls_before
    ok = sum(r.ok for r in runs.router)
    if runs.hits < ok:
        runs.problems.append(f"the router's Stats count {runs.hits} cache hits for {ok} OK calls")
    if runs.provider_calls:
        runs.problems.append(
            f"{runs.provider_calls} calls reached the provider; every one should have been a hit"
        )
    for r in runs.router + runs.echo:
        runs.problems += r.problems
    if runs.ratio < CACHE_AIM:
        runs.warnings.append(
            f"cache-hit Invoke at {runs.ratio:.2f} of the echo server, under the {CACHE_AIM} aim"
        )
    return runs


@dataclass
class FillRun:
    requests: int = 0
    entries: int = 0
    cache_bytes: int = 0
    evictions: int = 0
    max_bytes: int = FILL_MAX_BYTES
    rss_empty_mb: float = 0.0
    rss_full_mb: float = 0.0
    rss_again_mb: float = 0.0
    """After as many distinct answers again: a bound that holds keeps this near rss_full_mb."""
    problems: list[str] = field(default_factory=list)


async def _fill(address: str, n: int, offset: int = 0) -> None:
    filler = "x" * FILL_QUESTION_BYTES
    queue = iter(range(offset, offset + n))
    async with grpc.aio.insecure_channel(address) as channel:
        call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)

        async def worker() -> None:
            for i in queue:
                request = router_pb2.InvokeRequest(
                    model="echo", messages=[router_pb2.ChatMessage(role="user", content=f"{i} {filler}")]
                )
                await call(request.SerializeToString(), timeout=30)

        await asyncio.gather(*(worker() for _ in range(FILL_IN_FLIGHT)))


def measure_cache_memory(tmp: Path) -> FillRun:
    run = FillRun()
    # Enough distinct answers to fill the bound one and a half times over.
    run.requests = int(FILL_MAX_BYTES * 1.5 // FILL_QUESTION_BYTES)
    print(
        f"Response cache filled: {run.requests} distinct 8 KiB answers into {FILL_MAX_BYTES >> 20} MiB",
        flush=True,
    )
    with start_router(
        configs.write_cache_fill(tmp, FILL_MAX_BYTES), SERVER_CPU, tmp / "router-fill.log"
    ) as router:
        asyncio.run(_fill(router.address, 10))
        run.rss_empty_mb = router.rss_mb()
        asyncio.run(_fill(router.address, run.requests))
        run.rss_full_mb = router.rss_mb()
        asyncio.run(_fill(router.address, run.requests, offset=run.requests))
        cache = _cache(router.address)
        run.rss_again_mb = router.rss_mb()
    run.entries, run.cache_bytes, run.evictions = cache.entries, cache.bytes, cache.evictions
    if run.cache_bytes > run.max_bytes:
        run.problems.append(f"the cache reports {run.cache_bytes} bytes, over its bound of {run.max_bytes}")
    if not run.evictions:
        run.problems.append("the cache never filled: no eviction")
    return run


def print_cache(hits: CacheHitRuns, fill: FillRun) -> None:
    print("\nInvoke from the response cache (same load as the zero-latency runs), rounds between echo runs")
    print(
        f"{'run':<22}{'calls/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'srv CPU':>9}{'srv µs/call':>13}"
        f"{'vs echo around':>16}"
    )
    for i, e in enumerate(hits.echo):
        print(
            f"{'echo':<22}{e.calls_per_s:>9.0f}{e.p50_ms:>9.2f}{e.p99_ms:>9.2f}{e.server_cpu:>9.0%}"
            f"{e.server_us_per_call:>13.0f}"
        )
        if i < len(hits.router):
            r = hits.router[i]
            print(
                f"{'router, cache hit':<22}{r.calls_per_s:>9.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
                f"{r.server_cpu:>9.0%}{r.server_us_per_call:>13.0f}{hits.ratios[i]:>16.2f}"
            )
    print(
        f"  median {hits.ratio:.2f} of the echo server (aim {CACHE_AIM}); {hits.hits} hits, "
        f"{hits.provider_calls} provider calls"
    )
    print(
        f"Response cache full: {fill.entries} entries, {fill.cache_bytes / 2**20:.1f} MiB held "
        f"(bound {fill.max_bytes / 2**20:.0f} MiB), {fill.evictions} evicted; server RSS "
        f"{fill.rss_empty_mb:.0f} MiB empty -> {fill.rss_full_mb:.0f} MiB full "
        f"(+{fill.rss_full_mb - fill.rss_empty_mb:.0f} MiB) -> {fill.rss_again_mb:.0f} MiB "
        "after as many again"
    )
