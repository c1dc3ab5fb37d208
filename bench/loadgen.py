"""Python load generator for the uncached run: several of these processes, each a grpc.aio
client sending pre-serialized, all-distinct SelectRequests through a generic
``channel.unary_unary(path)`` (no serializers, so the client never parses a response).

One process, as the parent (``bench.__main__``) drives it:
  1. connects, sends ``--warmup`` seconds of calls, prints ``ready``;
  2. waits for a line on stdin (the parent snapshots the server's Stats meanwhile);
  3. calls for ``--duration`` seconds, waits for every call in flight, prints one JSON line:
     ``{"ok": n, "errors": {code: n}, "elapsed_s": s, "cpu_s": s, "latencies_us": [...]}``.
Process ``--index`` of ``--procs`` sends request numbers ``first + index``, then every
``procs``-th after it, so no request repeats across processes or phases; a run of the
harness gives each fleet its own ``--first``, so none repeats across fleets either.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc

from bench.load import LoadResult, close_processes
from bench.requests import SELECT_PATH, distinct_request

_REPO = Path(__file__).resolve().parent.parent
_POOL_RATE = 10_000  # calls/s the whole generator is assumed to reach at most, to size the pool


class _Run:
    """Calls counted and timed during one phase."""

    def __init__(self) -> None:
        self.ok = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.latencies_us: list[int] = []


async def _phase(
    call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes],
    bodies: Iterator[bytes],
    concurrency: int,
    seconds: float,
) -> tuple[_Run, float]:
    run = _Run()
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            body = next(bodies)
            t0 = time.perf_counter()
            try:
                await call(body)
                run.ok += 1
            except grpc.aio.AioRpcError as err:
                run.errors[err.code().name] += 1
            run.latencies_us.append(int((time.perf_counter() - t0) * 1e6))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return run, time.perf_counter() - start


def _bodies(first: int, procs: int, pool_size: int) -> Iterator[bytes]:
    numbers = itertools.count(first, procs)
    pool = [distinct_request(next(numbers)) for _ in range(pool_size)]
    yield from pool
    for g in numbers:  # past the pool (a faster machine than assumed): serialize as we go
        yield distinct_request(g)


async def _main(args: argparse.Namespace) -> None:
    pool_size = int((args.warmup + args.duration) * _POOL_RATE / args.procs) + 1
    bodies = _bodies(args.first + args.index, args.procs, pool_size)
    async with grpc.aio.insecure_channel(args.target) as channel:
        call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(SELECT_PATH)
        await channel.channel_ready()
        await _phase(call, bodies, args.concurrency, args.warmup)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        cpu_start = time.process_time()  # this process, every thread (gRPC's own included)
        run, elapsed = await _phase(call, bodies, args.concurrency, args.duration)
        cpu_s = time.process_time() - cpu_start
    result = {
        "ok": run.ok,
        "errors": dict(run.errors),
        "elapsed_s": elapsed,
        "cpu_s": cpu_s,
        "latencies_us": run.latencies_us,
    }
    print(json.dumps(result), flush=True)


class Fleet:
    """``procs`` generator processes pinned to ``cpu``, driven through their stdin and stdout."""

    def __init__(
        self,
        address: str,
        *,
        cpu: int,
        procs: int,
        concurrency: int,
        warmup_s: float,
        duration_s: float,
        first: int = 0,
    ):
        argv = [sys.executable, "-m", "bench.loadgen", "--target", address, "--procs", str(procs)]
        argv += ["--first", str(first)]
        argv += ["--concurrency", str(concurrency), "--warmup", str(warmup_s), "--duration", str(duration_s)]
        self._procs = [
            subprocess.Popen(
                ["taskset", "-c", str(cpu), *argv, "--index", str(i)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=_REPO,
            )
            for i in range(procs)
        ]

    def wait_ready(self) -> None:
        """Returns once every process has warmed up and waits for the start."""
        for proc in self._procs:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != "ready":
                raise RuntimeError(f"load generator process {proc.pid} failed (said {line!r})")

    def run(self) -> LoadResult:
        """Starts the measured phase in every process and returns their figures summed."""
        for proc in self._procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in self._procs:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                raise RuntimeError(f"load generator process {proc.pid} died (exit {proc.wait()})")
            results.append(json.loads(line))
        errors: collections.Counter[str] = collections.Counter()
        for r in results:
            errors.update(r["errors"])
        return LoadResult(
            ok=sum(r["ok"] for r in results),
            errors=dict(errors),
            elapsed_s=max(r["elapsed_s"] for r in results),
            latencies_us=[lat for r in results for lat in r["latencies_us"]],
            cpu_s=sum(r["cpu_s"] for r in results),
        )

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        close_processes(self._procs, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="HOST:PORT")
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="the fleet's first request number")
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64, help="calls in flight in this process")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
