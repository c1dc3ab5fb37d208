"""Client processes of the Invoke runs (``python -m bench.invoke_client MODE ...``); each
prints one JSON line with its figures at the end.

Modes:
  * ``http``: closed loop, ``--concurrency`` aiohttp POSTs in flight to an OpenAI-compatible
    ``--url`` (one shared session, kept-alive connections), each answer parsed and checked;
  * ``grpc``: closed loop, ``--concurrency`` Invoke calls in flight (grpc.aio, generic
    ``unary_unary`` with a pre-serialized InvokeRequest), each answer parsed and checked;
    over TLS with ``--ca-file`` (the CA that signed the router's certificate), and with the
    API key in the environment variable BENCH_API_KEY on every call when it is set;
  * ``open``: open loop, Invoke calls sent on a fixed schedule, ``--rate`` per second for
    ``--duration`` seconds, never waiting for an answer before sending the next. One probe
    call comes first (a broken router fails it loudly); a fleet of these starts together;
    process ``--index`` of ``--procs`` sends at offsets interleaved with the
    others'. Latency counts from the scheduled send time (what a caller on that schedule
    sees); ``lag`` is how late the process sent (the generator's own limit).
Closed-loop modes warm up for ``--warmup`` seconds first (not counted). Every mode then prints
``ready`` and waits for a line on stdin before the measured part (the parent snapshots the
server's CPU time and Stats meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import grpc
from google.rpc import error_details_pb2, status_pb2

from bench.access import KEY_ENV, Access
from bench.requests import INVOKE_PATH, invoke_request
from bench.upstream import TEXT, UPSTREAM_MODEL
from modelrouter_client._proto import router_pb2

Call = Callable[[], Awaitable[None]]


class BadAnswer(RuntimeError):
    """The answer was not the upstream's fixed one."""


def error_key(err: grpc.aio.AioRpcError) -> str:
    """``CODE/REASON``: the status code and the ErrorInfo reason of the grpc-status-details-bin
    trailer (just ``CODE`` without one, e.g. a deadline the client noticed alone)."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return f"{err.code().name}/{info.reason}"
    return err.code().name


class Tally:
    """OK calls, failures by kind, and one example message per kind."""

    def __init__(self) -> None:
        self.ok = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.examples: dict[str, str] = {}
        self.latencies_us: list[int] = []

    def fail(self, key: str, message: str) -> None:
        self.errors[key] += 1
        self.examples.setdefault(key, message[:500])

    def figures(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": dict(self.errors),
            "error_examples": self.examples,
            "latencies_us": self.latencies_us,
        }


def _check_invoke(reply: bytes) -> None:
    text = router_pb2.InvokeResponse.FromString(reply).text
    if text != TEXT:
        raise BadAnswer(f"Invoke answered {text!r}, not {TEXT!r}")


async def _closed_loop(call: Call, tally: Tally, concurrency: int, seconds: float) -> float:
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                await call()
            except grpc.aio.AioRpcError as err:
                tally.fail(error_key(err), err.details() or "")
                continue
            except (aiohttp.ClientError, OSError, TimeoutError, BadAnswer) as exc:
                tally.fail(type(exc).__name__, str(exc))
                continue
            tally.ok += 1
            tally.latencies_us.append(int((time.perf_counter() - t0) * 1e6))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


async def _wait_go() -> None:
    """Says ``ready`` and waits for a line on stdin (the parent takes its snapshots meanwhile)."""
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def _measure(call: Call, args: argparse.Namespace) -> dict[str, Any]:
    await _closed_loop(call, Tally(), args.concurrency, args.warmup)
    await _wait_go()
    tally = Tally()
    cpu0 = time.process_time()
    elapsed = await _closed_loop(call, tally, args.concurrency, args.duration)
    return {**tally.figures(), "elapsed_s": elapsed, "cpu_s": time.process_time() - cpu0}


def _openai_body() -> bytes:
    """What the router sends upstream for the benchmark's InvokeRequest (``_body`` in
    modelrouter.providers.openai)."""
    request = router_pb2.InvokeRequest.FromString(invoke_request("x"))
    body = {
        "model": UPSTREAM_MODEL,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "stream": False,
        "max_tokens": request.max_output_tokens,
    }
    return json.dumps(body).encode()


async def _http(args: argparse.Namespace) -> dict[str, Any]:
    body, headers = _openai_body(), {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=args.concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def call() -> None:
            async with session.post(args.url, data=body, headers=headers) as response:
                raw = await response.read()
            if response.status != 200:
                raise BadAnswer(f"HTTP {response.status}")
            text = json.loads(raw)["choices"][0]["message"]["content"]
            if text != TEXT:
                raise BadAnswer(f"the upstream answered {text!r}")

        return await _measure(call, args)


async def _grpc(args: argparse.Namespace) -> dict[str, Any]:
    body = invoke_request(args.model)
    access = Access("client", os.environ.get(KEY_ENV), Path(args.ca_file) if args.ca_file else None)
    metadata = access.metadata or None
    async with access.aio_channel(args.target) as channel:
        stub: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)
        await channel.channel_ready()

        async def call() -> None:
            _check_invoke(await stub(body, timeout=args.timeout, metadata=metadata))

        return await _measure(call, args)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


async def _open(args: argparse.Namespace) -> dict[str, Any]:
    body = invoke_request(args.model)
    loop = asyncio.get_running_loop()
    tally = Tally()
    async with grpc.aio.insecure_channel(args.target) as channel:
        stub: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)
        await channel.channel_ready()
        _check_invoke(await stub(body, timeout=args.timeout))  # a broken router fails here, loudly
        await _wait_go()
        cpu0 = time.process_time()
        start = loop.time()
        first = start + args.index / (args.rate * args.procs)  # interleaved with the other processes
        sends = round(args.rate * args.duration)
        completions: list[float] = []  # seconds since start, OK calls only
        lags: list[float] = []
        in_flight = max_in_flight = 0

        async def one(due: float) -> None:
            nonlocal in_flight
            try:
                reply = await stub(body, timeout=args.timeout)
                _check_invoke(reply)
            except grpc.aio.AioRpcError as err:
                tally.fail(error_key(err), err.details() or "")
            except BadAnswer as exc:
                tally.fail("BAD_ANSWER", str(exc))
            else:
                done = loop.time()
                tally.ok += 1
                tally.latencies_us.append(int((done - due) * 1e6))
                completions.append(done - start)
            finally:
                in_flight -= 1

        tasks: list[asyncio.Task[None]] = []
        for k in range(sends):
            due = first + k / args.rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lags.append(loop.time() - due)
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
            tasks.append(asyncio.create_task(one(due)))
        send_span = loop.time() - first
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
        cpu_s = time.process_time() - cpu0
    return {
        **tally.figures(),
        "sent": sends,
        "send_span_s": send_span,
        "elapsed_s": elapsed,
        "lag_p99_ms": _percentile(lags, 0.99) * 1000,
        "lag_max_ms": max(lags, default=math.nan) * 1000,
        "max_in_flight": max_in_flight,
        "completion_offsets_s": [round(c, 4) for c in completions],
        "cpu_s": cpu_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=("http", "grpc", "open"))
    parser.add_argument("--url", help="http: the upstream's chat completions URL")
    parser.add_argument("--target", help="grpc, open: the router's HOST:PORT")
    parser.add_argument("--model", default="", help="grpc, open: the model id the Invoke names")
    parser.add_argument("--concurrency", type=int, default=1, help="closed loop: calls in flight")
    parser.add_argument("--warmup", type=float, default=1.0, help="closed loop: seconds not counted")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured (open: sending)")
    parser.add_argument("--rate", type=float, default=100.0, help="open: calls per second of this process")
    parser.add_argument("--index", type=int, default=0, help="open: this process's number")
    parser.add_argument("--procs", type=int, default=1, help="open: processes in the fleet")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    parser.add_argument("--ca-file", help="grpc: TLS, trusting this CA's certificate (PEM)")
    args = parser.parse_args()
    run = {"http": _http, "grpc": _grpc, "open": _open}[args.mode]
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
