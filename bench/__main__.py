"""``python -m bench``: Select calls per second and p50/p99 latency through the real server,
next to a bare grpc.aio echo server, with 20 and with 1,000 registered models; then Invoke.

Two load generators, each used for the router and for the echo server alike:
  * cached: h2load (C, gRPC-framed body) repeating one SelectRequest, which the router
    answers from its selection cache;
  * uncached: Python client processes sending SelectRequests that all differ, so every
    call is a fresh decision.
The server runs on CPU 0, the load generators (and this process) on CPU 1; the server's CPU
use during each run shows its core was the limit. The router's own Stats confirm that the
calls counted as served were selections (h2load ignores grpc-status) and that the uncached
run never hit the selection cache. Then the Invoke runs (``bench.invoke``): Invoke at zero
latency against the echo server (h2load), the router's added latency over a direct call to a
fast OpenAI-compatible upstream, and an open-loop run against an upstream answering after 1.5 s.
Then the response cache's runs (``bench.cache_path``), what an API key on every call, and TLS
with it, cost (``bench.auth_cost``), and last what the decision an Invoke answer carries costs,
BASIC against FULL at 20 and 1,000 models (``bench.views``). ``python -m bench auth`` runs the
API key part alone (about 3.5 minutes) and writes bench/results/auth.json; ``python -m bench
views`` the decision view part (about 1.5 minutes), writing bench/results/views.json;
``--rounds 1`` for a quicker look at either. ``python -m bench learned`` (not in the default
run: about 11 minutes) measures the learned strategy against weighted (``bench.learned_cost``),
writing bench/results/learned.json.
Prints the tables, writes them to bench/results/latest.json; exits 1 when a check fails (the
figures are then wrong), not when an aim is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc

from bench import auth_cost, cache_path, configs, h2load, invoke, learned_cost, loadgen, reload, views
from bench.load import LoadResult
from bench.report import (
    CACHED,
    STOLEN_LIMIT,
    UNCACHED,
    Run,
    check,
    compare,
    percentile_ms,
    print_checks,
    print_table,
    print_verdicts,
    rounded,
    write_json,
)
from bench.requests import DISTINCT, SELECT_PATH, distinct_request, repeated_request
from bench.servers import (
    LOAD_CPU,
    SERVER_CPU,
    Counters,
    Server,
    core_busy_seconds,
    router_counters,
    start_echo,
    start_router,
)
from modelrouter_client._proto import router_pb2

MODEL_COUNTS = (20, 1000)
WARMUP_S, DURATION_S = 3.0, 10.0
H2LOAD_CLIENTS, H2LOAD_STREAMS = 4, 16  # 64 calls in flight
PY_PROCS, PY_CONCURRENCY = 4, 16  # 64 calls in flight
RETRIES = 1  # a run whose server core other processes shared is measured again, this often at most
_FLEET_BLOCKS = itertools.count(0, 1_000_000)  # each fleet's own request numbers: never a repeat
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
AUTH_RESULTS = RESULTS.with_name("auth.json")  # ``python -m bench auth`` alone
VIEWS_RESULTS = RESULTS.with_name("views.json")  # ``python -m bench views`` alone
RELOAD_RESULTS = RESULTS.with_name("reload.json")  # ``python -m bench reload`` alone
LEARNED_RESULTS = RESULTS.with_name("learned.json")  # ``python -m bench learned`` alone
LOADS = {
    CACHED: f"h2load repeating 1 request, {H2LOAD_CLIENTS} connections x {H2LOAD_STREAMS} streams",
    UNCACHED: f"{PY_PROCS} Python processes x {PY_CONCURRENCY} calls in flight, every request distinct",
}


@dataclass(frozen=True)
class Snapshot:
    """The server's CPU time, its core's busy time and the router's counters at one moment."""

    wall: float
    server_cpu_s: float
    core_busy_s: float
    counters: Counters | None

    @staticmethod
    def take(server: Server, is_router: bool) -> Snapshot:
        counters = router_counters(server.address) if is_router else None
        return Snapshot(time.monotonic(), server.cpu_seconds(), core_busy_seconds(SERVER_CPU), counters)


def _run(
    kind: str, models: int | None, load: LoadResult, before: Snapshot, after: Snapshot, rss_mb: float
) -> Run:
    wall = after.wall - before.wall
    server_cpu_s = after.server_cpu_s - before.server_cpu_s
    counters = after.counters - before.counters if after.counters and before.counters else None
    run = Run(
        kind=kind,
        models=models,
        ok=load.ok,
        errors=load.errors,
        elapsed_s=round(load.elapsed_s, 3),
        calls_per_s=load.ok / load.elapsed_s,
        p50_ms=percentile_ms(load.latencies_us, 0.50),
        p99_ms=percentile_ms(load.latencies_us, 0.99),
        server_cpu=server_cpu_s / wall,
        server_core_busy=(after.core_busy_s - before.core_busy_s) / wall,
        load_cpu=load.cpu_s / load.elapsed_s,
        server_us_per_call=server_cpu_s / load.ok * 1e6 if load.ok else float("nan"),
        server_rss_mb=rss_mb,
        router=counters.__dict__ if counters else None,
    )
    check(run)
    return run


def measure_cached(server: Server, models: int | None) -> Run:
    """h2load repeating one request: a warm-up gives the rate, then ~DURATION_S worth of calls."""
    load, before, after = h2load.warm_then_run(
        server.address,
        repeated_request(),
        cpu=LOAD_CPU,
        clients=H2LOAD_CLIENTS,
        streams=H2LOAD_STREAMS,
        warmup_s=WARMUP_S,
        duration_s=DURATION_S,
        snapshot=lambda: Snapshot.take(server, is_router=bool(models)),
    )
    return _run(CACHED, models, load, before, after, server.rss_mb())


def measure_uncached(server: Server, models: int | None) -> Run:
    """Python processes sending distinct requests; each waits for its calls in flight at the end."""
    fleet = loadgen.Fleet(
        server.address,
        cpu=LOAD_CPU,
        procs=PY_PROCS,
        concurrency=PY_CONCURRENCY,
        warmup_s=WARMUP_S,
        duration_s=DURATION_S,
        first=next(_FLEET_BLOCKS),
    )
    with fleet:
        fleet.wait_ready()
        before = Snapshot.take(server, is_router=bool(models))
        load = fleet.run()
        after = Snapshot.take(server, is_router=bool(models))
    return _run(UNCACHED, models, load, before, after, server.rss_mb())


def measure(kind: str, server: Server, models: int | None) -> Run:
    """One run of ``kind``; again when other processes took a share of the server's core."""
    measure_once = measure_cached if kind == CACHED else measure_uncached
    run = measure_once(server, models)
    for _ in range(RETRIES):
        if run.stolen <= STOLEN_LIMIT:
            break
        print(f"  {kind}: other processes took {run.stolen:.0%} of the server's core; once more", flush=True)
        run = min(run, measure_once(server, models), key=lambda r: r.stolen)
    return run


def probe(server: Server, models: int | None) -> None:
    """One call of each kind before measuring, so that a broken server fails loudly and early.

    The distinct request is one that no run reaches, so that it is not served from the cache later.
    """
    with grpc.insecure_channel(server.address) as channel:
        call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(SELECT_PATH)
        for label, body in (("repeated", repeated_request()), ("distinct", distinct_request(DISTINCT - 1))):
            reply = call(body, timeout=30)
            if models is None:
                assert reply == body, "the echo server did not echo"
                continue
            decision = router_pb2.SelectResponse.FromString(reply).decision
            named = len(decision.ranking) + len(decision.rejected)
            assert named == models, f"the decision names {named} models, not {models}"
            print(
                f"  {label} request: {decision.model} chosen by {decision.strategy}, "
                f"{len(decision.ranking)} eligible, response {len(reply)} bytes",
                flush=True,
            )


_T = TypeVar("_T")


def _part(
    results: Path,
    measure: Callable[[Path], _T],
    report: Sequence[Callable[[_T], None]],
    document: Callable[[_T], Any],
    failed: Callable[[_T], bool],
) -> int:
    """One part of the bench alone: measured in a temporary directory, printed,
    written to `results`; 1 when its checks failed."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="modelrouter-bench-") as tmp:
        found = measure(Path(tmp))
    for print_part in report:
        print_part(found)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(rounded(document(found)), indent=2) + "\n")
    print(f"\n({time.monotonic() - started:.0f} s)")
    print(f"written to {results}")
    return 1 if failed(found) else 0


def main_auth(rounds: int) -> int:
    """Only the API key and TLS runs."""
    return _part(
        AUTH_RESULTS,
        lambda tmp: auth_cost.measure(tmp, rounds),
        (auth_cost.print_auth, auth_cost.print_checks),
        lambda found: auth_cost.document(found, rounds),
        lambda found: bool(found.problems),
    )


def main_views(rounds: int) -> int:
    """Only the decision view runs."""
    return _part(
        VIEWS_RESULTS,
        lambda tmp: views.measure(tmp, rounds),
        (views.print_views, views.print_checks),
        lambda found: views.document(found, rounds),
        lambda found: bool(found.problems),
    )


def main_learned(rounds: int) -> int:
    """Only what the learned strategy costs against weighted (not in the default run: about 11 minutes)."""
    return _part(
        LEARNED_RESULTS,
        lambda tmp: learned_cost.measure(tmp, rounds),
        (learned_cost.print_learned, learned_cost.print_checks),
        lambda found: learned_cost.document(found, rounds),
        lambda found: bool(found.problems),
    )


def main_reload() -> int:
    """Only the configuration reload's cost (in this process; no h2load)."""
    return _part(RELOAD_RESULTS, reload.measure, (reload.print_costs,), reload.document, lambda _: False)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "part",
        nargs="?",
        choices=("all", "auth", "views", "reload", "learned"),
        default="all",
        help="auth: only the API key and TLS runs; views: only the decision view runs; "
        "reload: only the configuration reload's cost; learned: only learned against weighted",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"rounds of the API key and TLS and decision view runs (default {auth_cost.ROUNDS}), "
        f"or pairs of the learned runs (default {learned_cost.ROUNDS})",
    )
    args = parser.parse_args()
    if args.rounds is None:
        args.rounds = learned_cost.ROUNDS if args.part == "learned" else auth_cost.ROUNDS
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if args.part == "reload":
        return main_reload()
    if len(os.sched_getaffinity(0)) < 2 or not shutil.which("h2load") or not shutil.which("taskset"):
        print("bench needs 2 CPUs, h2load (nghttp2-client) and taskset (util-linux)", file=sys.stderr)
        return 2
    os.sched_setaffinity(0, {LOAD_CPU})  # this process stays off the server's core
    if args.part == "auth":
        return main_auth(args.rounds)
    if args.part == "views":
        return main_views(args.rounds)
    if args.part == "learned":
        return main_learned(args.rounds)
    started = time.monotonic()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="modelrouter-bench-") as tmp:
        print("bare grpc.aio echo server", flush=True)
        with start_echo(SERVER_CPU, Path(tmp, "echo.log")) as echo:
            probe(echo, None)
            runs += [measure(CACHED, echo, None), measure(UNCACHED, echo, None)]
        for n in MODEL_COUNTS:
            print(f"modelrouter, {n} models", flush=True)
            config = configs.write(Path(tmp), n)
            with start_router(config, SERVER_CPU, Path(tmp, f"router-{n}.log")) as router:
                probe(router, n)
                runs += [measure(CACHED, router, n), measure(UNCACHED, router, n)]
        zero = invoke.measure_zero_latency(Path(tmp))
        cache_hit = cache_path.measure_cache_hits(Path(tmp))
        cache_fill = cache_path.measure_cache_memory(Path(tmp))
        latency = invoke.measure_added_latency(Path(tmp))
        slow = invoke.measure_slow_upstream(Path(tmp))
        auth = auth_cost.measure(Path(tmp), args.rounds)
        view_runs = views.measure(Path(tmp), args.rounds)
    ratios = compare(runs, MODEL_COUNTS)
    print_table(runs, LOADS, DURATION_S)
    print()
    print_verdicts(ratios, MODEL_COUNTS)
    invoke.print_zero_latency(zero)
    invoke.print_added_latency(latency)
    invoke.print_slow_upstream(slow)
    cache_path.print_cache(cache_hit, cache_fill)
    auth_cost.print_auth(auth)
    views.print_views(view_runs)
    more_problems = invoke.listed(zero, latency, slow, "problems")
    more_problems += [f"Invoke cache hit: {p}" for p in cache_hit.problems]
    more_problems += [f"cache full: {p}" for p in cache_fill.problems]
    more_problems += [f"API keys and TLS: {p}" for p in auth.problems]
    more_problems += [f"decision view: {p}" for p in view_runs.problems]
    more_warnings = invoke.listed(zero, latency, slow, "warnings") + cache_hit.warnings
    more_warnings += [f"API keys and TLS: {w}" for w in auth.warnings]
    more_warnings += [f"decision view: {w}" for w in view_runs.warnings]
    problems = print_checks(runs, more_problems, more_warnings)
    settings = {
        "server_cpu": SERVER_CPU,
        "load_cpu": LOAD_CPU,
        "warmup_s": WARMUP_S,
        "duration_s": DURATION_S,
        "loads": LOADS,
        "model_counts": MODEL_COUNTS,
    }
    document = invoke.document(zero, latency, slow)
    document["cache_hit"] = {
        **asdict(cache_hit),
        "calls_per_s_vs_echo": cache_hit.ratio,
    }
    document["cache_full"] = asdict(cache_fill)
    document["auth"] = auth_cost.document(auth, args.rounds)
    document["views"] = views.document(view_runs, args.rounds)
    write_json(RESULTS, settings, runs, ratios, document, more_problems, more_warnings)
    print(f"\n({time.monotonic() - started:.0f} s)")
    print(f"written to {RESULTS}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
