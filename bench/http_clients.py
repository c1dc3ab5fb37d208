"""``python -m bench.http_clients``: aiohttp against httpx as the provider adapters' HTTP client,
per-call cost under concurrency (about 1.5 minutes).

The upstream is a bare aiohttp low-level server in its own process pinned to CPU 1
(``taskset``); it answers POST /v1/chat/completions at once with a fixed ~300-byte
OpenAI-shaped JSON body, or, when the request says ``"stream": true``, with 20 SSE chunks
(``data: {...}``, no delay between them). This process, pinned to CPU 0, measures each client
with the settings the adapters would use: one shared ``aiohttp.ClientSession`` with
``TCPConnector(limit=64)``, or one shared ``httpx.AsyncClient`` with 64 connections (all kept
alive), HTTP/1.1; both with a 30 s timeout, keep-alive, the ~500-byte body passed as ``json=``.
Each call parses the JSON answer (``json.loads`` of the bytes; for streams every ``data:`` line,
read a line at a time as it arrives: ``response.content`` / ``aiter_lines()``).

For each library and concurrency (asyncio tasks sharing the one client) a warm-up (1,000
calls), then the measured run: 20,000 unary calls (10,000 streaming ones, at 16 in flight), or
fewer when the run reaches 12 s (a slow client would take minutes): no call starts after that.
Columns: ``calls`` (measured, all OK); ``calls/s``; ``cli µs/call`` (CPU time of this
process, user plus system, over the calls: the cost figure, blind to the server's speed);
``cli CPU`` (this process's share of CPU 0: near 100% means the client was the limit);
``srv CPU`` (the server's share of CPU 1); ``p50/p99 ms`` (per call, from the call's start to
its parsed answer; at 16 and 64 in flight mostly queueing). A run whose CPU 0 other processes
shared (core busy well above our own CPU time) is flagged with ``*``. Exits 1 when a call
fails or an answer is not what was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import math
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from bench.servers import Server, core_busy_seconds

CLIENT_CPU, SERVER_CPU = 0, 1
PATH = "/v1/chat/completions"
CONCURRENCIES = (1, 16, 64)
STREAM_CONCURRENCY = 16
STREAM_CHUNKS = 20
MAX_CONNECTIONS = 64
TIMEOUT_S = 30.0
LIBRARIES = ("aiohttp", "httpx")
SHARED_LIMIT = 0.10  # CPU 0 busy beyond our own CPU time, as a share of the wall time: flagged

# --- the upstream -----------------------------------------------------------------------------

_ANSWER = json.dumps(
    {
        "id": "chatcmpl-bench0001",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "bench-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "The answer is 42, as it has always been."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 96, "completion_tokens": 12, "total_tokens": 108},
        "system_fingerprint": "fp_bench",
    },
    separators=(",", ":"),
).encode()

_CHUNKS = [
    b"data: "
    + json.dumps(
        {
            "id": "chatcmpl-bench0001",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": "bench-model",
            "choices": [
                {
                    "index": 0,
                    "delta": {"content": f"tok{i} "},
                    "finish_reason": "stop" if i == STREAM_CHUNKS - 1 else None,
                }
            ],
        },
        separators=(",", ":"),
    ).encode()
    + b"\n\n"
    for i in range(STREAM_CHUNKS)
]
_STREAM_FLAG = re.compile(rb'"stream":\s*true')


async def _handle(request: web.BaseRequest) -> web.StreamResponse:
    if request.method != "POST" or request.path != PATH:
        return web.Response(status=404)
    raw = await request.read()
    if not _STREAM_FLAG.search(raw):
        return web.Response(body=_ANSWER, content_type="application/json")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    for chunk in _CHUNKS:
        await response.write(chunk)
    await response.write_eof()
    return response


async def serve(host: str) -> None:
    """The upstream: aiohttp's low-level server (no router, no access log)."""
    runner = web.ServerRunner(web.Server(_handle), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    print(f"listening on {host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


# --- the clients ------------------------------------------------------------------------------


def _request_body(stream: bool) -> dict[str, Any]:
    """An OpenAI chat request of about 500 bytes as JSON."""
    return {
        "model": "bench-model",
        "messages": [
            {"role": "system", "content": "You are a terse assistant. Answer in one sentence, no preamble."},
            {
                "role": "user",
                "content": (
                    "Summarise the following in a few words: the quick brown fox jumps over the lazy "
                    "dog while the five boxing wizards jump quickly and a wizard's job is to vex chumps "
                    "quickly in fog; pack my box with five dozen liquor jugs, then sphinx of black "
                    "quartz, judge my vow."
                ),
            },
        ],
        "max_tokens": 64,
        "temperature": 0.2,
        "top_p": 1.0,
        "stream": stream,
        "user": "bench-user-0001",
    }


class BadAnswer(RuntimeError):
    """The upstream's answer was not the one it sends."""


def _check_answer(data: Any) -> None:
    if data["choices"][0]["finish_reason"] != "stop":
        raise BadAnswer(f"unexpected answer: {data!r}")


def _check_chunks(count: int) -> None:
    if count != STREAM_CHUNKS:
        raise BadAnswer(f"{count} chunks instead of {STREAM_CHUNKS}")


Call = Callable[[], Awaitable[None]]


class Client:
    """One library's shared client and its unary and streaming calls."""

    def __init__(self, library: str, url: str) -> None:
        self.library = library
        self.url = url
        self.unary_body = _request_body(stream=False)
        self.stream_body = _request_body(stream=True)
        self._session: aiohttp.ClientSession | None = None
        self._client: httpx.AsyncClient | None = None
        if library == "aiohttp":
            connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S), raise_for_status=False
            )
            self.unary: Call = self._aiohttp_unary
            self.stream: Call = self._aiohttp_stream
        elif library == "httpx":
            limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
            self._client = httpx.AsyncClient(limits=limits, timeout=TIMEOUT_S, http1=True, http2=False)
            self.unary = self._httpx_unary
            self.stream = self._httpx_stream
        else:
            raise ValueError(f"unknown library {library!r}")

    async def _aiohttp_unary(self) -> None:
        assert self._session is not None
        async with self._session.post(self.url, json=self.unary_body) as response:
            if response.status != 200:
                raise BadAnswer(f"HTTP {response.status}")
            raw = await response.read()
        _check_answer(json.loads(raw))

    async def _aiohttp_stream(self) -> None:
        assert self._session is not None
        count = 0
        async with self._session.post(self.url, json=self.stream_body) as response:
            if response.status != 200:
                raise BadAnswer(f"HTTP {response.status}")
            async for raw_line in response.content:
                line = raw_line.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith("data:"):
                    json.loads(line[5:])
                    count += 1
        _check_chunks(count)

    async def _httpx_unary(self) -> None:
        assert self._client is not None
        response = await self._client.post(self.url, json=self.unary_body)
        if response.status_code != 200:
            raise BadAnswer(f"HTTP {response.status_code}")
        _check_answer(json.loads(response.content))

    async def _httpx_stream(self) -> None:
        assert self._client is not None
        count = 0
        async with self._client.stream("POST", self.url, json=self.stream_body) as response:
            if response.status_code != 200:
                raise BadAnswer(f"HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    json.loads(line[5:])
                    count += 1
        _check_chunks(count)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._client is not None:
            await self._client.aclose()


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    library: str
    kind: str
    concurrency: int
    calls: int
    wall_s: float
    client_cpu_s: float
    server_cpu_s: float
    core_busy_s: float
    latencies_s: list[float]

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.wall_s

    @property
    def client_us_per_call(self) -> float:
        return self.client_cpu_s / self.calls * 1e6

    @property
    def shared(self) -> bool:
        """Other processes used CPU 0 noticeably during the run."""
        return (self.core_busy_s - self.client_cpu_s) / self.wall_s > SHARED_LIMIT

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.latencies_s)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


async def _drive(call: Call, calls: int, concurrency: int, latencies: list[float], limit_s: float) -> None:
    """`calls` calls, `concurrency` at a time, or fewer: no call starts after `limit_s`."""
    remaining = iter(range(calls))
    deadline = time.perf_counter() + limit_s

    async def worker() -> None:
        for _ in remaining:  # shared: no await between taking a number and starting the call
            started = time.perf_counter()
            if started > deadline:
                return
            await call()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure(
    client: Client, kind: str, concurrency: int, calls: int, args: argparse.Namespace, server: Server
) -> Result:
    call = client.unary if kind == "unary" else client.stream
    await _drive(call, args.warmup, concurrency, [], args.limit / 4)
    latencies: list[float] = []
    gc.collect()
    cpu0, busy0, srv0 = time.process_time(), core_busy_seconds(CLIENT_CPU), server.cpu_seconds()
    wall0 = time.perf_counter()
    await _drive(call, calls, concurrency, latencies, args.limit)
    wall = time.perf_counter() - wall0
    cpu, busy, srv = (
        time.process_time() - cpu0,
        core_busy_seconds(CLIENT_CPU) - busy0,
        server.cpu_seconds() - srv0,
    )
    return Result(client.library, kind, concurrency, len(latencies), wall, cpu, srv, busy, latencies)


async def run_all(url: str, server: Server, args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    plan = [("unary", c, args.calls) for c in args.concurrency]
    plan.append(("stream", STREAM_CONCURRENCY, args.stream_calls))
    for kind, concurrency, calls in plan:
        for library in LIBRARIES:
            client = Client(library, url)
            try:
                result = await measure(client, kind, concurrency, calls, args, server)
            finally:
                await client.close()
            results.append(result)
            print(
                f"  {library:8} {kind:6} x{concurrency:<3} {result.calls_per_s:8.0f} calls/s "
                f"{result.client_us_per_call:7.1f} µs/call",
                file=sys.stderr,
                flush=True,
            )
    return results


def print_table(results: list[Result]) -> None:
    header = (
        f"| {'library':8} | {'kind':6} | {'conc.':>5} | {'calls':>6} | {'calls/s':>8} | {'cli µs/call':>11} "
        f"| {'cli CPU':>7} | {'srv CPU':>7} | {'p50 ms':>7} | {'p99 ms':>7} |"
    )
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.strip("|").split("|")) + "|")
    for r in results:
        flag = " *" if r.shared else ""
        print(
            f"| {r.library:8} | {r.kind:6} | {r.concurrency:>5} | {r.calls:>6} | {r.calls_per_s:>8.0f} "
            f"| {r.client_us_per_call:>11.1f} | {r.client_cpu_s / r.wall_s:>7.0%} "
            f"| {r.server_cpu_s / r.wall_s:>7.0%} | {r.percentile_ms(0.5):>7.3f} "
            f"| {r.percentile_ms(0.99):>7.3f} |{flag}"
        )
    print()
    by_key = {(r.library, r.kind, r.concurrency): r for r in results}
    for kind, concurrency in sorted(
        {(r.kind, r.concurrency) for r in results}, key=lambda k: (k[0] != "unary", k[1])
    ):
        a, h = by_key.get(("aiohttp", kind, concurrency)), by_key.get(("httpx", kind, concurrency))
        if a is None or h is None:
            continue
        print(
            f"{kind} x{concurrency}: httpx costs {h.client_us_per_call / a.client_us_per_call:.2f}x "
            f"aiohttp's client CPU per call; aiohttp {a.calls_per_s / h.calls_per_s:.2f}x httpx's calls/s"
        )
    if importlib.util.find_spec("sniffio") is None:
        print(
            "note: sniffio is not installed; httpcore then tries `import sniffio` (a failed import, a "
            "search of sys.path) for every lock it sets up: httpx's figures include that"
        )
    if any(r.shared for r in results):
        print(f"* CPU {CLIENT_CPU} was shared with other processes during the run: figures doubtful")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", action="store_true", help="be the upstream server (internal)")
    parser.add_argument("--calls", type=int, default=20_000, help="measured unary calls per run")
    parser.add_argument("--stream-calls", type=int, default=10_000, help="measured streaming calls per run")
    parser.add_argument("--warmup", type=int, default=1_000, help="calls before each measured run")
    parser.add_argument(
        "--limit", type=float, default=12.0, help="seconds after which a measured run starts no more calls"
    )
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=list(CONCURRENCIES), help="unary calls in flight"
    )
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve("127.0.0.1"))
        return
    if not {CLIENT_CPU, SERVER_CPU} <= os.sched_getaffinity(0):
        allowed = sorted(os.sched_getaffinity(0))
        sys.exit(f"needs CPUs {CLIENT_CPU} and {SERVER_CPU}; this process may use {allowed}")
    os.sched_setaffinity(0, {CLIENT_CPU})
    print(
        f"aiohttp {aiohttp.__version__}, httpx {httpx.__version__}, Python {sys.version.split()[0]}; "
        f"client on CPU {CLIENT_CPU}, server on CPU {SERVER_CPU}",
        flush=True,
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        argv = [sys.executable, "-m", "bench.http_clients", "--serve"]
        with Server("upstream", argv, SERVER_CPU, Path(tmp) / "upstream.log") as server:
            url = f"http://{server.address}{PATH}"
            try:
                results = asyncio.run(run_all(url, server, args))
            except (BadAnswer, aiohttp.ClientError, httpx.HTTPError, OSError) as exc:
                print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
                sys.exit(1)
    print()
    print_table(results)
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
