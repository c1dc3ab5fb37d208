"""The Invoke runs of ``python -m bench``: what the router costs around a provider call.

1. zero latency: simulated models answering at once ("ok"), Invoke naming a model and Invoke
   with a selection, sent by h2load exactly as the cached Select run sends (gRPC-framed
   body, 4 connections x 16 streams), next to the bare echo server answering the Invoke
   path; the router's Stats (ModelStats.requests/successes summed) must count every OK call;
2. added latency: a fast OpenAI-compatible upstream (``bench.upstream``, CPU 1); p50/p99 of
   direct aiohttp POSTs to it against Invoke through the router (one ``openai`` model in
   front of it, CPU 0) from a grpc.aio client, both closed loop at the same calls in flight;
3. slow upstream: the upstream answers after 1.5 s; Invoke offered open loop at a fixed
   rate (several client processes, each at its share, never waiting for an answer before
   sending the next), the model's ``max_concurrency`` raised so that the calls in flight
   fit; achieved rate, success rate, latency, the router's memory at the end.
Clients, upstream and harness run on CPU 1, the server under test on CPU 0.
"""

from __future__ import annotations

import collections
import json
import math
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc

from bench import configs, h2load
from bench.load import LoadResult, close_processes
from bench.report import STOLEN_LIMIT, percentile_ms
from bench.requests import INVOKE_PATH, invoke_request
from bench.servers import (
    LOAD_CPU,
    SERVER_CPU,
    Counters,
    InvokeCounters,
    Server,
    core_busy_seconds,
    invoke_counters,
    router_counters,
    start_echo,
    start_router,
    start_upstream,
)
from bench.upstream import COMPLETIONS_PATH, TEXT
from modelrouter_client._proto import router_pb2

_REPO = Path(__file__).resolve().parent.parent

# 1. zero latency
ZERO_MODELS = 20
ZERO_WARMUP_S, ZERO_DURATION_S = 2.0, 8.0
ZERO_CLIENTS, ZERO_STREAMS = 4, 16  # as the cached Select run: 64 calls in flight
# 2. added latency
LATENCY_CONCURRENCIES = (1, 8)
LATENCY_WARMUP_S, LATENCY_DURATION_S = 1.0, 5.0
UPSTREAM_MODEL_ID = "upstream"
# 3. slow upstream
SLOW_DELAY_S = 1.5
SLOW_RATE = 500  # calls offered per second, all processes together
SLOW_DURATION_S = 20.0
SLOW_PROCS = 5  # client processes, each offering SLOW_RATE / SLOW_PROCS calls per second
SLOW_MAX_CONCURRENCY = 1000  # the model's max_concurrency: SLOW_RATE x SLOW_DELAY_S = 750 in flight fit
SLOW_TIMEOUT_S = 15.0  # the client's deadline per call (ten times the upstream's delay)
SLOW_STEADY_FROM_S = 2.5  # completions/s counted from here to the end of sending (past the ramp)
SLOW_AIM_RATE, SLOW_AIM_SUCCESS = 480.0, 1.0
SLOW_PUBLISHED = "one Go gateway 424 req/s at 100% success; the leading Python proxy 45 req/s at 89%"
OFFERED_SHORTFALL = 0.02  # the generator's achieved send rate may fall this far short of the rate
LAG_LIMIT_MS = 100.0  # ... and send this late at worst, or the run is not the load it claims

LOADS = {
    "zero_latency": (
        f"h2load repeating 1 InvokeRequest, {ZERO_CLIENTS} connections x {ZERO_STREAMS} streams, "
        f"{ZERO_MODELS} simulated models answering at once"
    ),
    "added_latency": (
        f"closed loop at {', '.join(map(str, LATENCY_CONCURRENCIES))} in flight, {LATENCY_DURATION_S:.0f} s "
        "each: aiohttp POSTs straight to the upstream vs grpc.aio Invoke through the router"
    ),
    "slow_upstream": (
        f"{SLOW_PROCS} grpc.aio processes, open loop, {SLOW_RATE} Invoke/s together for "
        f"{SLOW_DURATION_S:.0f} s; upstream answers after {SLOW_DELAY_S} s; max_concurrency "
        f"{SLOW_MAX_CONCURRENCY}; client deadline {SLOW_TIMEOUT_S:.0f} s"
    ),
}


@dataclass(frozen=True)
class _Snapshot:
    wall: float
    server_cpu_s: float
    core_busy_s: float
    invoke: InvokeCounters | None
    select: Counters | None

    @staticmethod
    def take(server: Server, is_router: bool) -> _Snapshot:
        return _Snapshot(
            time.monotonic(),
            server.cpu_seconds(),
            core_busy_seconds(SERVER_CPU),
            invoke_counters(server.address) if is_router else None,
            router_counters(server.address) if is_router else None,
        )

    def cpu_share(self, before: _Snapshot) -> tuple[float, float]:
        """The server's share of its core, and the core's busy share, since ``before``."""
        wall = self.wall - before.wall
        return (self.server_cpu_s - before.server_cpu_s) / wall, (
            self.core_busy_s - before.core_busy_s
        ) / wall


def _cpu_warnings(server_cpu: float, core_busy: float, saturate: bool) -> list[str]:
    stolen = max(0.0, core_busy - server_cpu)
    if stolen > STOLEN_LIMIT:
        return [f"other processes took {stolen:.0%} of the server's core: rerun on a quiet machine"]
    if saturate and server_cpu < 0.9:
        return [f"the server used {server_cpu:.0%} of its core: the load generator was the limit"]
    return []


def _stats_problems(stats: InvokeCounters, ok: int, what: str) -> list[str]:
    """The router's Stats must count ``ok`` provider calls, all successful, none failed."""
    problems = []
    if stats.successes != ok or stats.requests != ok:
        problems.append(
            f"the router's Stats count {stats.requests} provider calls, {stats.successes} successful, "
            f"for {ok} OK {what}"
        )
    if stats.failures:
        problems.append(f"the router's Stats count {stats.failures} failures: {stats.failures_by_reason}")
    return problems


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


# --- 1. zero latency --------------------------------------------------------------------------


@dataclass
class ZeroRun:
    """One h2load run against the Invoke path."""

    name: str
    ok: int
    errors: dict[str, int]
    elapsed_s: float
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    server_core_busy: float
    load_cpu: float
    server_us_per_call: float
    server_rss_mb: float
    router: dict[str, Any] | None = None  # Stats deltas: provider requests/successes, selections
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def zero_run(name: str, server: Server, body: bytes, is_router: bool) -> ZeroRun:
    load, before, after = h2load.warm_then_run(
        server.address,
        body,
        cpu=LOAD_CPU,
        clients=ZERO_CLIENTS,
        streams=ZERO_STREAMS,
        warmup_s=ZERO_WARMUP_S,
        duration_s=ZERO_DURATION_S,
        snapshot=lambda: _Snapshot.take(server, is_router),
        path=INVOKE_PATH,
    )
    server_cpu, core_busy = after.cpu_share(before)
    run = ZeroRun(
        name=name,
        ok=load.ok,
        errors=load.errors,
        elapsed_s=round(load.elapsed_s, 3),
        calls_per_s=load.ok / load.elapsed_s,
        p50_ms=percentile_ms(load.latencies_us, 0.50),
        p99_ms=percentile_ms(load.latencies_us, 0.99),
        server_cpu=server_cpu,
        server_core_busy=core_busy,
        load_cpu=load.cpu_s / load.elapsed_s,
        server_us_per_call=(after.server_cpu_s - before.server_cpu_s) / load.ok * 1e6
        if load.ok
        else math.nan,
        server_rss_mb=server.rss_mb(),
    )
    if load.errors:
        run.problems.append(f"failed calls: {load.errors}")
    if after.invoke and before.invoke and after.select and before.select:
        stats, select = after.invoke - before.invoke, after.select - before.select
        run.router = {
            "requests": stats.requests,
            "successes": stats.successes,
            "failures": stats.failures,
            "failures_by_reason": stats.failures_by_reason,
            **select.__dict__,
        }
        run.problems += _stats_problems(stats, load.ok, "calls (h2load ignores grpc-status)")
    run.warnings += _cpu_warnings(server_cpu, core_busy, saturate=True)
    return run


def probe_invoke(address: str, body: bytes) -> str:
    """One Invoke before measuring, so that a broken router fails loudly and early."""
    with grpc.insecure_channel(address) as channel:
        call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)
        reply = router_pb2.InvokeResponse.FromString(call(body, timeout=30))
    assert reply.text == TEXT, f"the router answered {reply.text!r}, not {TEXT!r}"
    decision = reply.decision
    return (
        f"{reply.model}/{reply.deployment} by {decision.strategy or 'name'}, "
        f"{len(decision.ranking)} ranked, {len(decision.rejected)} rejected"
    )


def measure_zero_latency(tmp: Path) -> list[ZeroRun]:
    registry = configs.registry(ZERO_MODELS)
    model = next(
        m["id"] for m in registry["models"] if "chat" in m["capabilities"] and "deployments" not in m
    )
    by_model, selected = invoke_request(model), invoke_request(select=True)
    runs = []
    print("Invoke at zero latency: bare grpc.aio echo server", flush=True)
    with start_echo(SERVER_CPU, tmp / "echo-invoke.log") as echo:
        runs.append(zero_run("bare grpc.aio echo", echo, by_model, is_router=False))
    print(f"Invoke at zero latency: modelrouter, {ZERO_MODELS} simulated models", flush=True)
    config = configs.write_zero_latency(tmp, ZERO_MODELS)
    with start_router(config, SERVER_CPU, tmp / "router-zero.log") as router:
        for name, body in ((f"router, model={model}", by_model), ("router, selection", selected)):
            print(f"  {name}: probe {probe_invoke(router.address, body)}", flush=True)
            runs.append(zero_run(name, router, body, is_router=True))
    return runs


def print_zero_latency(runs: list[ZeroRun]) -> None:
    print(f"\nInvoke at zero latency: {LOADS['zero_latency']}, {ZERO_DURATION_S:.0f} s per run")
    print(
        f"{'server':<26}{'calls/s':>9}{'vs echo':>9}{'p50 ms':>9}{'p99 ms':>9}{'srv CPU':>9}{'core':>7}"
        f"{'load CPU':>10}{'srv µs/call':>13}{'srv MiB':>9}{'Stats req/succ':>16}{'sel. hits/miss':>16}"
    )
    echo = runs[0]
    for r in runs:
        stats = f"{r.router['requests']}/{r.router['successes']}" if r.router else "-"
        hits = f"{r.router['selection_hits']}/{r.router['selection_misses']}" if r.router else "-"
        print(
            f"{r.name:<26}{r.calls_per_s:>9.0f}{_ratio(r.calls_per_s, echo.calls_per_s):>9.2f}"
            f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.server_cpu:>9.0%}{r.server_core_busy:>7.0%}"
            f"{r.load_cpu:>10.0%}{r.server_us_per_call:>13.0f}{r.server_rss_mb:>9.0f}{stats:>16}{hits:>16}"
        )


# --- the client processes ---------------------------------------------------------------------


class Clients:
    """``bench.invoke_client`` processes pinned to LOAD_CPU, driven through stdin and stdout."""

    def __init__(self, argvs: list[list[str]], env: dict[str, str] | None = None) -> None:
        self._procs = [
            subprocess.Popen(
                ["taskset", "-c", str(LOAD_CPU), sys.executable, "-m", "bench.invoke_client", *argv],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=_REPO,
                env=env,
            )
            for argv in argvs
        ]

    def wait_ready(self) -> None:
        for proc in self._procs:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != "ready":
                raise RuntimeError(f"client process {proc.pid} failed (said {line!r}, exit {proc.wait()})")

    def run(self) -> list[dict[str, Any]]:
        for proc in self._procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in self._procs:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                raise RuntimeError(f"client process {proc.pid} died (exit {proc.wait()})")
            results.append(json.loads(line))
        return results

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        close_processes(self._procs, 30)


def merged(results: list[dict[str, Any]]) -> tuple[LoadResult, dict[str, str]]:
    errors: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    for r in results:
        errors.update(r["errors"])
        for key, message in r["error_examples"].items():
            examples.setdefault(key, message)
    load = LoadResult(
        ok=sum(r["ok"] for r in results),
        errors=dict(errors),
        elapsed_s=max(r["elapsed_s"] for r in results),
        latencies_us=[lat for r in results for lat in r["latencies_us"]],
        cpu_s=sum(r["cpu_s"] for r in results),
    )
    return load, examples


# --- 2. added latency -------------------------------------------------------------------------


@dataclass
class LatencyRun:
    """Direct POSTs and routed Invokes at one concurrency."""

    concurrency: int
    direct_ok: int
    direct_calls_per_s: float
    direct_p50_ms: float
    direct_p99_ms: float
    router_ok: int
    router_calls_per_s: float
    router_p50_ms: float
    router_p99_ms: float
    added_p50_ms: float
    added_p99_ms: float
    router_cpu: float  # the router's share of its core during the routed run
    router_us_per_call: float
    errors: dict[str, int]
    error_examples: dict[str, str]
    router: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _closed(mode: str, target: list[str], concurrency: int) -> list[str]:
    return [
        mode,
        *target,
        "--concurrency",
        str(concurrency),
        "--warmup",
        str(LATENCY_WARMUP_S),
        "--duration",
        str(LATENCY_DURATION_S),
    ]


def _latency_run(url: str, router: Server, concurrency: int) -> LatencyRun:
    with Clients([_closed("http", ["--url", url], concurrency)]) as direct_clients:
        direct_clients.wait_ready()
        direct, direct_examples = merged(direct_clients.run())
    routed_argv = _closed("grpc", ["--target", router.address, "--model", UPSTREAM_MODEL_ID], concurrency)
    with Clients([routed_argv]) as routed_clients:
        routed_clients.wait_ready()
        before = _Snapshot.take(router, is_router=True)
        routed, routed_examples = merged(routed_clients.run())
        after = _Snapshot.take(router, is_router=True)
    router_cpu, core_busy = after.cpu_share(before)
    d50, d99 = percentile_ms(direct.latencies_us, 0.5), percentile_ms(direct.latencies_us, 0.99)
    r50, r99 = percentile_ms(routed.latencies_us, 0.5), percentile_ms(routed.latencies_us, 0.99)
    errors = {f"direct {k}": v for k, v in direct.errors.items()}
    errors.update({f"router {k}": v for k, v in routed.errors.items()})
    examples = {f"direct {k}": v for k, v in direct_examples.items()}
    examples.update({f"router {k}": v for k, v in routed_examples.items()})
    assert after.invoke and before.invoke
    stats = after.invoke - before.invoke
    run = LatencyRun(
        concurrency=concurrency,
        direct_ok=direct.ok,
        direct_calls_per_s=direct.ok / direct.elapsed_s,
        direct_p50_ms=d50,
        direct_p99_ms=d99,
        router_ok=routed.ok,
        router_calls_per_s=routed.ok / routed.elapsed_s,
        router_p50_ms=r50,
        router_p99_ms=r99,
        added_p50_ms=r50 - d50,
        added_p99_ms=r99 - d99,
        router_cpu=router_cpu,
        router_us_per_call=(after.server_cpu_s - before.server_cpu_s) / routed.ok * 1e6
        if routed.ok
        else math.nan,
        errors=errors,
        error_examples=examples,
        router={"requests": stats.requests, "successes": stats.successes, "failures": stats.failures},
    )
    if errors:
        run.problems.append(f"failed calls: {errors}; e.g. {examples}")
    run.problems += _stats_problems(stats, routed.ok, "Invoke calls")
    run.warnings += _cpu_warnings(router_cpu, core_busy, saturate=False)
    return run


def measure_added_latency(tmp: Path) -> list[LatencyRun]:
    print(
        "Invoke's added latency: a fast OpenAI-compatible upstream, direct and through the router", flush=True
    )
    runs = []
    with start_upstream(LOAD_CPU, tmp / "upstream-fast.log") as upstream:
        base_url = f"http://{upstream.address}/v1"
        config = configs.write_openai(tmp, "fast-upstream", UPSTREAM_MODEL_ID, base_url, max_concurrency=64)
        with start_router(config, SERVER_CPU, tmp / "router-fast-upstream.log") as router:
            print(f"  probe: {probe_invoke(router.address, invoke_request(UPSTREAM_MODEL_ID))}", flush=True)
            for concurrency in LATENCY_CONCURRENCIES:
                runs.append(_latency_run(f"http://{upstream.address}{COMPLETIONS_PATH}", router, concurrency))
    return runs


def print_added_latency(runs: list[LatencyRun]) -> None:
    print(f"\nInvoke's added latency: {LOADS['added_latency']}")
    print(
        f"{'in flight':>9}{'direct /s':>11}{'p50 ms':>9}{'p99 ms':>9}{'router /s':>11}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'added p50':>11}{'added p99':>11}{'srv CPU':>9}{'srv µs/call':>13}"
    )
    for r in runs:
        print(
            f"{r.concurrency:>9}{r.direct_calls_per_s:>11.0f}{r.direct_p50_ms:>9.3f}{r.direct_p99_ms:>9.3f}"
            f"{r.router_calls_per_s:>11.0f}{r.router_p50_ms:>9.3f}{r.router_p99_ms:>9.3f}"
            f"{r.added_p50_ms:>11.3f}{r.added_p99_ms:>11.3f}{r.router_cpu:>9.0%}{r.router_us_per_call:>13.0f}"
        )
    print("added: the router's p50 (p99) minus the direct call's; srv CPU: the router's share of CPU 0")


# --- 3. slow upstream -------------------------------------------------------------------------


@dataclass
class SlowRun:
    """The open-loop run against the slow upstream."""

    offered_rate: float  # calls per second asked for
    sent: int
    offered_achieved: float  # calls sent over the time sending took
    lag_p99_ms: float  # how late the generator sent, p99 and worst
    lag_max_ms: float
    max_in_flight: int  # the sum of each process's most calls in flight
    ok: int
    errors: dict[str, int]
    error_examples: dict[str, str]
    success_rate: float
    completions_per_s: float  # OK calls over the time offered
    steady_completions_per_s: float  # OK completions per second past the ramp, while sending
    p50_ms: float
    p99_ms: float
    max_ms: float
    server_cpu: float
    server_core_busy: float
    load_cpu: float
    server_rss_mb: float  # at the end, calls all answered
    server_peak_rss_mb: float  # VmHWM: the most the router held at once
    router: dict[str, Any] | None = None
    meets_aim: bool = False
    problems: list[str] = field(default_factory=list)  # the figures are wrong (the generator fell short)
    warnings: list[str] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)  # what the router did wrong


def measure_slow_upstream(tmp: Path) -> SlowRun:
    print(
        f"Invoke against a slow upstream ({SLOW_DELAY_S} s per answer), {SLOW_RATE}/s offered for "
        f"{SLOW_DURATION_S:.0f} s",
        flush=True,
    )
    per_proc = SLOW_RATE / SLOW_PROCS
    with start_upstream(LOAD_CPU, tmp / "upstream-slow.log", delay_s=SLOW_DELAY_S) as upstream:
        base_url = f"http://{upstream.address}/v1"
        config = configs.write_openai(
            tmp, "slow-upstream", UPSTREAM_MODEL_ID, base_url, max_concurrency=SLOW_MAX_CONCURRENCY
        )
        with start_router(config, SERVER_CPU, tmp / "router-slow-upstream.log") as router:
            common = ["--target", router.address, "--model", UPSTREAM_MODEL_ID, "--rate", str(per_proc)]
            common += ["--duration", str(SLOW_DURATION_S), "--procs", str(SLOW_PROCS)]
            common += ["--timeout", str(SLOW_TIMEOUT_S)]
            argvs = [["open", *common, "--index", str(i)] for i in range(SLOW_PROCS)]
            with Clients(argvs) as clients:
                clients.wait_ready()
                before = _Snapshot.take(router, is_router=True)
                results = clients.run()
                after = _Snapshot.take(router, is_router=True)
            rss, peak = router.rss_mb(), router.rss_mb("VmHWM")
    load, examples = merged(results)
    server_cpu, core_busy = after.cpu_share(before)
    sent = sum(r["sent"] for r in results)
    span = max(r["send_span_s"] for r in results)
    window = SLOW_DURATION_S - SLOW_STEADY_FROM_S
    steady = sum(
        1 for r in results for c in r["completion_offsets_s"] if SLOW_STEADY_FROM_S <= c < SLOW_DURATION_S
    )
    assert after.invoke and before.invoke
    stats = after.invoke - before.invoke
    run = SlowRun(
        offered_rate=SLOW_RATE,
        sent=sent,
        offered_achieved=sent / span if span else math.nan,
        lag_p99_ms=max(r["lag_p99_ms"] for r in results),
        lag_max_ms=max(r["lag_max_ms"] for r in results),
        max_in_flight=sum(r["max_in_flight"] for r in results),
        ok=load.ok,
        errors=load.errors,
        error_examples=examples,
        success_rate=load.ok / sent if sent else math.nan,
        completions_per_s=load.ok / SLOW_DURATION_S,
        steady_completions_per_s=steady / window,
        p50_ms=percentile_ms(load.latencies_us, 0.50),
        p99_ms=percentile_ms(load.latencies_us, 0.99),
        max_ms=max(load.latencies_us, default=0) / 1000,
        server_cpu=server_cpu,
        server_core_busy=core_busy,
        load_cpu=load.cpu_s / load.elapsed_s,
        server_rss_mb=rss,
        server_peak_rss_mb=peak,
        router={
            "requests": stats.requests,
            "successes": stats.successes,
            "failures": stats.failures,
            "failures_by_reason": stats.failures_by_reason,
            "in_flight_at_end": stats.in_flight,
        },
    )
    run.meets_aim = run.completions_per_s >= SLOW_AIM_RATE and run.success_rate >= SLOW_AIM_SUCCESS
    if sent != round(SLOW_RATE * SLOW_DURATION_S):
        run.problems.append(f"the generator sent {sent} calls, not {round(SLOW_RATE * SLOW_DURATION_S)}")
    if run.offered_achieved < SLOW_RATE * (1 - OFFERED_SHORTFALL) or run.lag_max_ms > LAG_LIMIT_MS:
        run.problems.append(
            f"the generator offered {run.offered_achieved:.0f}/s (of {SLOW_RATE}/s), up to "
            f"{run.lag_max_ms:.0f} ms late: not the load asked for"
        )
    if load.errors:
        run.shortfalls.append(f"failed calls: {load.errors}")
        run.shortfalls += [f"  e.g. {key}: {message}" for key, message in examples.items()]
    if stats.failures:
        run.shortfalls.append(f"the router's Stats count failed provider calls: {stats.failures_by_reason}")
    if stats.successes != load.ok:
        run.warnings.append(
            f"the router's Stats count {stats.successes} successful provider calls for {load.ok} OK Invokes"
        )
    if server_cpu >= 0.9:
        run.warnings.append(f"the router used {server_cpu:.0%} of its core: its CPU was the limit")
    run.warnings += _cpu_warnings(server_cpu, core_busy, saturate=False)
    return run


def print_slow_upstream(run: SlowRun) -> None:
    print(f"\nInvoke, slow upstream: {LOADS['slow_upstream']}")
    print(
        f"{'offered/s':>10}{'sent/s':>8}{'lag max ms':>12}{'in flight':>11}{'OK':>7}{'success':>9}"
        f"{'done/s':>8}{'steady/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'srv CPU':>9}"
        f"{'srv MiB end':>13}{'peak':>7}"
    )
    print(
        f"{run.offered_rate:>10.0f}{run.offered_achieved:>8.0f}{run.lag_max_ms:>12.1f}{run.max_in_flight:>11}"
        f"{run.ok:>7}{run.success_rate:>9.2%}{run.completions_per_s:>8.0f}{run.steady_completions_per_s:>10.0f}"
        f"{run.p50_ms:>9.0f}{run.p99_ms:>9.0f}{run.max_ms:>9.0f}{run.server_cpu:>9.0%}"
        f"{run.server_rss_mb:>13.0f}{run.server_peak_rss_mb:>7.0f}"
    )
    print(
        f"sent/s: calls sent over the time sending took; done/s: OK calls over the {SLOW_DURATION_S:.0f} s "
        f"offered; steady/s: OK completions per second from {SLOW_STEADY_FROM_S} s to the end of sending;"
        "\nlatency from each call's scheduled send time; srv MiB: the router's RSS at the end, and its peak"
    )
    verdict = "meets the aim" if run.meets_aim else "MISSES the aim"
    print(
        f"slow upstream: {run.completions_per_s:.0f} req/s at {run.success_rate:.1%} success "
        f"(aim >= {SLOW_AIM_RATE:.0f} req/s at 100%: {verdict}); published: {SLOW_PUBLISHED}"
    )
    for line in run.shortfalls:
        print(f"  {line}")


# --- the checks and the JSON ------------------------------------------------------------------


def listed(zero: list[ZeroRun], latency: list[LatencyRun], slow: SlowRun, what: str) -> list[str]:
    found = [f"Invoke zero latency, {r.name}: {p}" for r in zero for p in getattr(r, what)]
    found += [f"Invoke added latency, x{r.concurrency}: {p}" for r in latency for p in getattr(r, what)]
    found += [f"Invoke slow upstream: {p}" for p in getattr(slow, what)]
    return found


def document(zero: list[ZeroRun], latency: list[LatencyRun], slow: SlowRun) -> dict[str, Any]:
    echo = zero[0]
    return {
        "loads": LOADS,
        "zero_latency": {
            "runs": [asdict(r) for r in zero],
            "calls_per_s_vs_echo": {r.name: _ratio(r.calls_per_s, echo.calls_per_s) for r in zero[1:]},
            "calls_per_cpu_s_vs_echo": {
                r.name: _ratio(echo.server_us_per_call, r.server_us_per_call) for r in zero[1:]
            },
        },
        "added_latency": [asdict(r) for r in latency],
        "slow_upstream": {
            **asdict(slow),
            "settings": {
                "delay_s": SLOW_DELAY_S,
                "rate": SLOW_RATE,
                "duration_s": SLOW_DURATION_S,
                "procs": SLOW_PROCS,
                "max_concurrency": SLOW_MAX_CONCURRENCY,
                "client_timeout_s": SLOW_TIMEOUT_S,
            },
            "aim": {"rate": SLOW_AIM_RATE, "success": SLOW_AIM_SUCCESS},
            "published": SLOW_PUBLISHED,
        },
    }
