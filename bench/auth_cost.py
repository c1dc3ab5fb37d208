"""What an API key on every call, and TLS with it, cost the router (``python -m bench auth``, and
the last part of ``python -m bench``).

Three routers with the zero-latency registry (20 simulated models answering at once, no
response cache, no probes) run side by side on CPU 0: one plain (h2c, no key), one asking
every call for an API key, one asking for the key over TLS. The load holds a key with the
invoke role; the harness reads Stats with an admin key (selections show only in the
every-tenant view). Three loads, each sent to the three in turn, round after round, the plain
router once more at the end:
  * Select, cached: h2load, one SelectRequest repeated (as the cached Select run), with the
    key in a header and, for the TLS router, h2 over TLS;
  * Invoke, zero latency: h2load, one InvokeRequest naming a model (as the zero-latency run);
  * Invoke, 1 in flight: a grpc.aio client (``bench.invoke_client grpc``), closed loop, one
    call at a time: the latency one caller sees.
This machine's speed drifts by as much as 2x within minutes, so each keyed run is compared
with the mean of the plain runs just before and after it, and the median over the rounds is
the figure. The router's Stats must count every OK call (h2load ignores grpc-status: a
refused call would look served), and the keyed routers must refuse a call without the key.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc

from bench import configs, h2load
from bench.access import KEY_ENV, PLAIN, Access, make_secrets, sha256
from bench.invoke import ZERO_MODELS, Clients, merged
from bench.load import LoadResult
from bench.report import STOLEN_LIMIT, percentile_ms
from bench.requests import INVOKE_PATH, SELECT_PATH, invoke_request, repeated_request
from bench.servers import (
    LOAD_CPU,
    SERVER_CPU,
    Server,
    core_busy_seconds,
    invoke_counters,
    router_counters,
    start_router,
)

ROUNDS = 5
# h2load: each router warmed up once per load (WARMUP_S), which also gives the plain router's rate;
# then every run sends the calls that rate serves in DURATION_S (a fixed count: all are answered)
WARMUP_S, DURATION_S = 2.0, 3.0
CLIENTS, STREAMS = 4, 16  # as the cached Select run: 64 calls in flight
LATENCY_WARMUP_S, LATENCY_DURATION_S = 0.5, 3.0  # the run at 1 in flight, each a client process of its own
AIM = 0.10  # within 10% of the same run without: calls/s at least 0.90 of it, p50 at most 1.10

SELECT, INVOKE, LATENCY = "Select, cached", "Invoke, zero latency", "Invoke, 1 in flight"
LOADS = {
    SELECT: f"h2load repeating 1 SelectRequest, {CLIENTS} connections x {STREAMS} streams",
    INVOKE: f"h2load repeating 1 InvokeRequest naming a model, {CLIENTS} connections x {STREAMS} streams",
    LATENCY: "one grpc.aio client process, closed loop, 1 Invoke in flight",
}
HEADLINE = {SELECT: "calls_per_s", INVOKE: "calls_per_s", LATENCY: "p50"}  # the figure the aim is for
KEY, TLS_KEY = "key", "TLS + key"


@dataclass
class AccessRun:
    """One load against one of the three routers."""

    load: str
    access: str
    round: int
    ok: int
    errors: dict[str, int]
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    server_core_busy: float
    server_us_per_call: float
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Cost:
    """One load with a key (or TLS and a key) as a ratio to the same load without: each run over
    the mean of the plain runs before and after it, the median over the rounds."""

    load: str
    access: str
    calls_per_s: float
    server_us_per_call: float
    added_us_per_call: float  # the server's CPU per call beyond the plain router's
    p50: float
    p99: float
    added_p50_us: float

    @property
    def meets_aim(self) -> bool:
        if HEADLINE[self.load] == "p50":
            return self.p50 <= 1 + AIM
        return self.calls_per_s >= 1 - AIM


@dataclass
class AuthRuns:
    runs: list[AccessRun]
    costs: list[Cost]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Router:
    """A router under test: ``server.access`` is the harness's (Stats), ``load`` the load's."""

    server: Server
    load: Access


@dataclass(frozen=True)
class _Snapshot:
    wall: float
    server_cpu_s: float
    core_busy_s: float
    served: int  # selections (Select) or successful provider calls (Invoke), by the router's Stats
    failures: int

    @staticmethod
    def take(server: Server, load: str) -> _Snapshot:
        if load == SELECT:
            served, failures = router_counters(server.address, server.access).selections, 0
        else:
            counters = invoke_counters(server.address, server.access)
            served, failures = counters.successes, counters.failures
        return _Snapshot(
            time.monotonic(), server.cpu_seconds(), core_busy_seconds(SERVER_CPU), served, failures
        )


def _h2load_args(load: str, model: str) -> tuple[bytes, str]:
    if load == SELECT:
        return repeated_request(), SELECT_PATH
    return invoke_request(model), INVOKE_PATH


def _warm_up(load: str, router: _Router, model: str) -> float:
    """``WARMUP_S`` of ``load`` (not counted); returns the calls per second served."""
    body, path = _h2load_args(load, model)
    warm = h2load.run(
        router.server.address,
        body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        duration_s=WARMUP_S,
        path=path,
        access=router.load,
    )
    time.sleep(0.5)  # the calls cut off at the end of the warm-up finish
    return warm.ok / WARMUP_S


def _h2load(load: str, router: _Router, model: str, calls: int) -> tuple[LoadResult, _Snapshot, _Snapshot]:
    body, path, server = *_h2load_args(load, model), router.server
    before = _Snapshot.take(server, load)
    result = h2load.run(
        server.address,
        body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        requests=calls,
        path=path,
        access=router.load,
    )
    return result, before, _Snapshot.take(server, load)


def _closed_loop(router: _Router, model: str) -> tuple[LoadResult, _Snapshot, _Snapshot]:
    server, access = router.server, router.load
    argv = ["grpc", "--target", server.address, "--model", model, "--concurrency", "1"]
    argv += ["--warmup", str(LATENCY_WARMUP_S), "--duration", str(LATENCY_DURATION_S)]
    if access.ca_file:
        argv += ["--ca-file", str(access.ca_file)]
    env = {k: v for k, v in os.environ.items() if k != KEY_ENV}
    if access.key:
        env[KEY_ENV] = access.key
    with Clients([argv], env) as clients:
        clients.wait_ready()
        before = _Snapshot.take(server, LATENCY)
        load, _ = merged(clients.run())
        after = _Snapshot.take(server, LATENCY)
    return load, before, after


def _measure(load: str, router: _Router, round_: int, model: str, calls: int) -> AccessRun:
    """One run; ``calls``: how many h2load sends (the closed loop runs for its duration)."""
    if load == LATENCY:
        result, before, after = _closed_loop(router, model)
    else:
        result, before, after = _h2load(load, router, model, calls)
    wall = after.wall - before.wall
    cpu_s = after.server_cpu_s - before.server_cpu_s
    run = AccessRun(
        load=load,
        access=router.load.name,
        round=round_,
        ok=result.ok,
        errors=result.errors,
        calls_per_s=result.ok / result.elapsed_s,
        p50_ms=percentile_ms(result.latencies_us, 0.50),
        p99_ms=percentile_ms(result.latencies_us, 0.99),
        server_cpu=cpu_s / wall,
        server_core_busy=(after.core_busy_s - before.core_busy_s) / wall,
        server_us_per_call=cpu_s / result.ok * 1e6 if result.ok else math.nan,
    )
    where = f"{load}, {run.access}, round {round_ + 1}"
    if result.errors:
        run.problems.append(f"{where}: failed calls: {result.errors}")
    served, failures = after.served - before.served, after.failures - before.failures
    if served != result.ok or failures:
        what = "selections" if load == SELECT else "successful provider calls"
        run.problems.append(
            f"{where}: the router's Stats count {served} {what} ({failures} failed) for {result.ok} OK calls"
        )
    stolen = max(0.0, run.server_core_busy - run.server_cpu)
    if stolen > STOLEN_LIMIT:
        run.warnings.append(f"{where}: other processes took {stolen:.0%} of the server's core")
    elif load != LATENCY and run.server_cpu < 0.9:
        run.warnings.append(f"{where}: the server used {run.server_cpu:.0%} of its core")
    return run


def _refuses_without_key(router: _Router) -> str | None:
    """A problem unless the router answers a call that lacks the key UNAUTHENTICATED."""
    name = router.server.name
    try:
        router_counters(router.server.address, Access("no key", None, router.load.ca_file))
    except grpc.RpcError as err:
        if err.code() == grpc.StatusCode.UNAUTHENTICATED:
            return None
        return f"{name} answered a call without the key {err.code().name}, not UNAUTHENTICATED"
    return f"{name} answered a call without the key: it does not ask for one"


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _costs(runs: list[AccessRun], load: str) -> list[Cost]:
    """Each keyed run over the mean of the plain runs around it (round r: plain r and r + 1)."""
    plain = {r.round: r for r in runs if r.load == load and r.access == PLAIN.name}
    costs = []
    for access in (KEY, TLS_KEY):
        figures: dict[str, list[float]] = {}
        for r in (r for r in runs if r.load == load and r.access == access):
            around = (plain[r.round], plain[r.round + 1])

            def mean(name: str, around: tuple[AccessRun, AccessRun] = around) -> float:
                return statistics.fmean(getattr(p, name) for p in around)

            for name, value in (
                ("calls_per_s", _ratio(r.calls_per_s, mean("calls_per_s"))),
                ("server_us_per_call", _ratio(r.server_us_per_call, mean("server_us_per_call"))),
                ("added_us_per_call", r.server_us_per_call - mean("server_us_per_call")),
                ("p50", _ratio(r.p50_ms, mean("p50_ms"))),
                ("p99", _ratio(r.p99_ms, mean("p99_ms"))),
                ("added_p50_us", (r.p50_ms - mean("p50_ms")) * 1000),
            ):
                figures.setdefault(name, []).append(value)
        costs.append(Cost(load, access, **{k: statistics.median(v) for k, v in figures.items()}))
    return costs


def measure(tmp: Path, rounds: int = ROUNDS) -> AuthRuns:
    registry = configs.registry(ZERO_MODELS)
    model = next(
        m["id"] for m in registry["models"] if "chat" in m["capabilities"] and "deployments" not in m
    )
    s = make_secrets(tmp / "pki")
    tls = (s.cert_file, s.key_file)
    digests = (sha256(s.key), sha256(s.admin_key))
    setups = (  # the load's access, the harness's, the configuration
        (PLAIN, PLAIN, configs.write_zero_latency(tmp, ZERO_MODELS)),
        (Access(KEY, s.key), Access(KEY, s.admin_key), configs.write_keyed(tmp, ZERO_MODELS, *digests)),
        (
            Access(TLS_KEY, s.key, s.ca_file),
            Access(TLS_KEY, s.admin_key, s.ca_file),
            configs.write_keyed(tmp, ZERO_MODELS, *digests, tls),
        ),
    )
    print(
        f"API keys and TLS: three routers ({', '.join(a.name for a, _, _ in setups)}), {ZERO_MODELS} "
        f"simulated models answering at once, {rounds} rounds",
        flush=True,
    )
    out = AuthRuns([], [])
    routers: list[_Router] = []
    try:
        for n, (load_access, harness, config) in enumerate(setups):
            folder = tmp / f"auth-{n}"  # each its own state directory: usage totals are not shared
            folder.mkdir()
            routers.append(
                _Router(start_router(config, SERVER_CPU, folder / "router.log", harness), load_access)
            )
        out.problems += [p for p in map(_refuses_without_key, routers[1:]) if p]
        for load in (SELECT, INVOKE, LATENCY):
            print(f"  {load}: {LOADS[load]}", flush=True)
            calls = 0
            if load != LATENCY:
                rates = [_warm_up(load, r, model) for r in routers]
                calls = max(1000, round(rates[0] * DURATION_S))
            for round_ in range(rounds):
                out.runs += [_measure(load, r, round_, model, calls) for r in routers]
            out.runs.append(_measure(load, routers[0], rounds, model, calls))
            out.costs += _costs(out.runs, load)
    finally:
        for router in routers:
            router.server.stop()
    for r in out.runs:
        out.problems += r.problems
        out.warnings += r.warnings
    return out


def print_auth(runs: AuthRuns) -> None:
    print(
        f"\nAPI keys and TLS: {ZERO_MODELS} simulated models answering at once; the plain router, the one "
        "asking for a key, the one asking for it over TLS, in turn, round after round"
    )
    header = (
        f"{'round':>5}  {'access':<11}{'calls/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'srv CPU':>9}{'core':>7}"
        f"{'srv µs/call':>13}"
    )
    for load in LOADS:
        warmup, duration = (
            (LATENCY_WARMUP_S, LATENCY_DURATION_S) if load == LATENCY else (WARMUP_S, DURATION_S)
        )
        each = "each run " if load == LATENCY else "each router once, then "
        print(f"\n{load}: {LOADS[load]}, {warmup:g} s warm-up {each}~{duration:g} s per run")
        print(header)
        for r in (r for r in runs.runs if r.load == load):
            print(
                f"{r.round + 1:>5}  {r.access:<11}{r.calls_per_s:>9.0f}{r.p50_ms:>9.3f}{r.p99_ms:>9.3f}"
                f"{r.server_cpu:>9.0%}{r.server_core_busy:>7.0%}{r.server_us_per_call:>13.0f}"
            )
    print(
        "\nThe cost of the key, and of TLS with it, as a ratio to the same run without (each run over the "
        "mean of\nthe plain runs just before and after it, median over the rounds; aim: within "
        f"{AIM:.0%}: calls/s >= {1 - AIM:.2f}, p50 <= {1 + AIM:.2f})"
    )
    print(
        f"{'load':<22}{'access':<11}{'calls/s':>9}{'srv µs/call':>13}{'(+µs)':>8}{'p50':>7}{'p99':>7}"
        f"{'(+µs p50)':>11}  verdict"
    )
    for c in runs.costs:
        headline = HEADLINE[c.load]
        aim = f"p50 <= {1 + AIM:.2f}" if headline == "p50" else f"calls/s >= {1 - AIM:.2f}"
        verdict = f"{aim}: {'meets the aim' if c.meets_aim else 'MISSES the aim'}"
        print(
            f"{c.load:<22}{c.access:<11}{c.calls_per_s:>9.3f}{c.server_us_per_call:>13.3f}"
            f"{c.added_us_per_call:>+8.0f}{c.p50:>7.3f}{c.p99:>7.3f}{c.added_p50_us:>+11.0f}  {verdict}"
        )
    print(
        "calls/s, p50, p99: the keyed run's over the plain one's; srv µs/call: the server's CPU per call, "
        "over the\nplain one's (+µs: beyond it); at 64 in flight (h2load) p50/p99 are mostly queueing"
    )


def document(runs: AuthRuns, rounds: int) -> dict[str, Any]:
    return {
        "loads": LOADS,
        "settings": {
            "models": ZERO_MODELS,
            "rounds": rounds,
            "warmup_s": WARMUP_S,
            "duration_s": DURATION_S,
            "latency_warmup_s": LATENCY_WARMUP_S,
            "latency_duration_s": LATENCY_DURATION_S,
            "aim": AIM,
        },
        "runs": [asdict(r) for r in runs.runs],
        "costs": [{**asdict(c), "meets_aim": c.meets_aim} for c in runs.costs],
        "problems": runs.problems,
        "warnings": runs.warnings,
    }


def print_checks(runs: AuthRuns) -> None:
    """The outcome of this part's checks alone (``python -m bench auth``)."""
    if not runs.problems:
        print(
            "\nchecks passed: no call failed, the router's Stats count every OK call (a selection, or a "
            "successful\nprovider call), and the keyed routers refuse a call without the key"
        )
    for title, found in (("PROBLEMS (the figures are wrong)", runs.problems), ("WARNINGS", runs.warnings)):
        if found:
            print(f"\n{title}:")
            for line in found:
                print(f"  {line}")
