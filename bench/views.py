"""What the decision an Invoke answer carries costs (``python -m bench views``, and a part of
``python -m bench``): ``decision_view`` BASIC (the chosen model's entry only, the default)
against FULL (every model ranked or rejected, as Select answers), at 20 and 1,000 models.

Three servers side by side on CPU 0: the bare echo server and two routers with the
zero-latency registry (simulated models answering "ok" at once, no response cache, no probes),
one with 20 models and one with 1,000. h2load (4 connections x 16 streams) sends one
InvokeRequest with a selection (the cached Select run's requirements: after the first call the
selection cache answers, so what differs between the views is the answer, not the decision),
with decision_view BASIC or FULL; the echo server answers the same path with the request bytes.
Each round sends to echo, then each router with BASIC and with FULL; echo once more at the end.
This machine's speed drifts by as much as 2x within minutes, so each router run is compared with
the mean of the echo runs just before and after it, FULL with the BASIC run just before it at
the same registry size, and the median over the rounds is the figure. The router's Stats must
count every OK call as one successful provider call (h2load ignores grpc-status).
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc

from bench import configs, h2load
from bench.load import LoadResult
from bench.report import STOLEN_LIMIT, percentile_ms
from bench.requests import INVOKE_PATH, invoke_request
from bench.servers import (
    LOAD_CPU,
    SERVER_CPU,
    Server,
    core_busy_seconds,
    invoke_counters,
    start_echo,
    start_router,
)
from modelrouter_client._proto import router_pb2

MODEL_COUNTS = (20, 1000)
ROUNDS = 5
# Each target warmed up once (WARMUP_S), which gives its rate; then every run of it sends the
# calls that rate serves in DURATION_S (a fixed count: every call is answered).
WARMUP_S, DURATION_S = 2.0, 3.0
CLIENTS, STREAMS = 4, 16  # as the cached Select run: 64 calls in flight
BASIC, FULL = "BASIC", "FULL"
_VIEWS = {BASIC: router_pb2.DECISION_VIEW_BASIC, FULL: router_pb2.DECISION_VIEW_FULL}
ECHO = "echo"
LOAD = (
    f"h2load repeating 1 InvokeRequest with a selection (from the selection cache), "
    f"{CLIENTS} connections x {STREAMS} streams"
)


@dataclass(frozen=True)
class _Target:
    """One server with one request body: the echo server, or a router with one view."""

    name: str
    server: Server
    body: bytes
    models: int | None  # None: the echo server
    view: str | None
    response_bytes: int  # the serialized answer (echo: the request it returns)


@dataclass
class ViewRun:
    """One h2load run against one target."""

    target: str
    models: int | None
    view: str | None
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
class ViewFigures:
    """One target's figures: medians over the rounds; ratios to echo are each run's over the
    mean of the echo runs around it, ``vs_basic`` FULL's over the BASIC run just before it."""

    target: str
    models: int | None
    view: str | None
    response_bytes: int
    calls_per_s: float
    server_us_per_call: float
    p50_ms: float
    p99_ms: float
    calls_per_s_vs_echo: float
    server_us_per_call_vs_echo: float
    calls_per_s_vs_basic: float | None = None
    server_us_per_call_vs_basic: float | None = None


@dataclass
class ViewRuns:
    runs: list[ViewRun]
    figures: list[ViewFigures]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Snapshot:
    wall: float
    server_cpu_s: float
    core_busy_s: float
    successes: int  # successful provider calls by the router's Stats (echo: 0)
    failures: int

    @staticmethod
    def take(target: _Target) -> _Snapshot:
        successes = failures = 0
        if target.models is not None:
            counters = invoke_counters(target.server.address)
            successes, failures = counters.successes, counters.failures
        server = target.server
        return _Snapshot(
            time.monotonic(), server.cpu_seconds(), core_busy_seconds(SERVER_CPU), successes, failures
        )


def request(view: str) -> bytes:
    """The InvokeRequest with a selection, asking for ``view``."""
    message = router_pb2.InvokeRequest.FromString(invoke_request(select=True))
    message.decision_view = _VIEWS[view]
    return message.SerializeToString()


def probe(server: Server, body: bytes, models: int | None, view: str | None) -> int:
    """One call before measuring, so that a broken server or view fails loudly and early;
    returns the answer's size in bytes."""
    with grpc.insecure_channel(server.address) as channel:
        call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)
        reply = call(body, timeout=30)
    if models is None:
        assert reply == body, "the echo server did not echo"
        return len(reply)
    answer = router_pb2.InvokeResponse.FromString(reply)
    assert answer.text == "ok", f"the router answered {answer.text!r}, not 'ok'"
    decision = answer.decision
    named = len(decision.ranking) + len(decision.rejected)
    if view == BASIC:
        assert named == 1 and decision.ranking[0].model == answer.model, (
            f"the BASIC decision names {named} models, not the chosen one alone"
        )
    else:
        assert named == models, f"the FULL decision names {named} models, not {models}"
    print(
        f"  {models} models, {view}: {answer.model} chosen by {decision.strategy}, "
        f"{len(decision.ranking)} ranked, {len(decision.rejected)} rejected, answer {len(reply)} bytes",
        flush=True,
    )
    return len(reply)


def _warm_up(target: _Target) -> float:
    """``WARMUP_S`` of load (not counted); returns the calls per second served."""
    warm = h2load.run(
        target.server.address,
        target.body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        duration_s=WARMUP_S,
        path=INVOKE_PATH,
    )
    time.sleep(0.5)  # the calls cut off at the end of the warm-up finish
    return warm.ok / WARMUP_S


def _measure(target: _Target, round_: int, calls: int) -> ViewRun:
    before = _Snapshot.take(target)
    load: LoadResult = h2load.run(
        target.server.address,
        target.body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        requests=calls,
        path=INVOKE_PATH,
    )
    after = _Snapshot.take(target)
    wall = after.wall - before.wall
    cpu_s = after.server_cpu_s - before.server_cpu_s
    run = ViewRun(
        target=target.name,
        models=target.models,
        view=target.view,
        round=round_,
        ok=load.ok,
        errors=load.errors,
        calls_per_s=load.ok / load.elapsed_s,
        p50_ms=percentile_ms(load.latencies_us, 0.50),
        p99_ms=percentile_ms(load.latencies_us, 0.99),
        server_cpu=cpu_s / wall,
        server_core_busy=(after.core_busy_s - before.core_busy_s) / wall,
        server_us_per_call=cpu_s / load.ok * 1e6 if load.ok else math.nan,
    )
    where = f"{target.name}, round {round_ + 1}"
    if load.errors:
        run.problems.append(f"{where}: failed calls: {load.errors}")
    if target.models is not None:
        served, failures = after.successes - before.successes, after.failures - before.failures
        if served != load.ok or failures:
            run.problems.append(
                f"{where}: the router's Stats count {served} successful provider calls ({failures} failed) "
                f"for {load.ok} OK calls"
            )
    stolen = max(0.0, run.server_core_busy - run.server_cpu)
    if stolen > STOLEN_LIMIT:
        run.warnings.append(f"{where}: other processes took {stolen:.0%} of the server's core")
    elif run.server_cpu < 0.9:
        run.warnings.append(f"{where}: the server used {run.server_cpu:.0%} of its core")
    return run


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _figures(runs: list[ViewRun], targets: list[_Target]) -> list[ViewFigures]:
    echo = {r.round: r for r in runs if r.target == ECHO}
    out = []
    for t in targets:
        mine = [r for r in runs if r.target == t.name]
        vs_echo_calls, vs_echo_cpu, vs_basic_calls, vs_basic_cpu = [], [], [], []
        for r in mine:
            if t.models is not None:
                around = (echo[r.round], echo[r.round + 1])
                vs_echo_calls.append(_ratio(r.calls_per_s, statistics.fmean(e.calls_per_s for e in around)))
                vs_echo_cpu.append(
                    _ratio(r.server_us_per_call, statistics.fmean(e.server_us_per_call for e in around))
                )
            if t.view == FULL:
                basic = next(
                    b for b in runs if b.models == t.models and b.view == BASIC and b.round == r.round
                )
                vs_basic_calls.append(_ratio(r.calls_per_s, basic.calls_per_s))
                vs_basic_cpu.append(_ratio(r.server_us_per_call, basic.server_us_per_call))
        out.append(
            ViewFigures(
                target=t.name,
                models=t.models,
                view=t.view,
                response_bytes=t.response_bytes,
                calls_per_s=statistics.median(r.calls_per_s for r in mine),
                server_us_per_call=statistics.median(r.server_us_per_call for r in mine),
                p50_ms=statistics.median(r.p50_ms for r in mine),
                p99_ms=statistics.median(r.p99_ms for r in mine),
                calls_per_s_vs_echo=statistics.median(vs_echo_calls) if vs_echo_calls else 1.0,
                server_us_per_call_vs_echo=statistics.median(vs_echo_cpu) if vs_echo_cpu else 1.0,
                calls_per_s_vs_basic=statistics.median(vs_basic_calls) if vs_basic_calls else None,
                server_us_per_call_vs_basic=statistics.median(vs_basic_cpu) if vs_basic_cpu else None,
            )
        )
    return out


def measure(tmp: Path, rounds: int = ROUNDS) -> ViewRuns:
    print(
        f"Invoke and the decision view: echo, and routers with {' and '.join(map(str, MODEL_COUNTS))} "
        f"simulated models answering at once, BASIC and FULL, {rounds} rounds",
        flush=True,
    )
    servers: list[Server] = []
    try:
        echo = start_echo(SERVER_CPU, tmp / "echo-views.log")
        servers.append(echo)
        body = request(BASIC)
        targets = [_Target(ECHO, echo, body, None, None, probe(echo, body, None, None))]
        for n in MODEL_COUNTS:
            folder = tmp / f"views-{n}"  # each its own state directory: usage totals are not shared
            folder.mkdir()
            router = start_router(configs.write_zero_latency(folder, n), SERVER_CPU, folder / "router.log")
            servers.append(router)
            for view in (BASIC, FULL):
                body = request(view)
                size = probe(router, body, n, view)
                targets.append(_Target(f"router, {n} models, {view}", router, body, n, view, size))
        print(f"  {LOAD}", flush=True)
        calls = {t.name: max(1000, round(_warm_up(t) * DURATION_S)) for t in targets}
        runs: list[ViewRun] = []
        for round_ in range(rounds):
            runs += [_measure(t, round_, calls[t.name]) for t in targets]
        runs.append(_measure(targets[0], rounds, calls[ECHO]))
    finally:
        for server in servers:
            server.stop()
    out = ViewRuns(runs, _figures(runs, targets))
    for r in runs:
        out.problems += r.problems
        out.warnings += r.warnings
    return out


def print_views(views: ViewRuns) -> None:
    rounds = max(r.round for r in views.runs)
    print(
        f"\nInvoke and the decision view: {LOAD}; {WARMUP_S:g} s warm-up each, then ~{DURATION_S:g} s per "
        f"run, {rounds} rounds"
    )
    print(
        f"{'round':>5}  {'server':<28}{'calls/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'srv CPU':>9}{'core':>7}"
        f"{'srv µs/call':>13}"
    )
    for r in views.runs:
        print(
            f"{r.round + 1:>5}  {r.target:<28}{r.calls_per_s:>9.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
            f"{r.server_cpu:>9.0%}{r.server_core_busy:>7.0%}{r.server_us_per_call:>13.0f}"
        )
    print(
        "\nMedians over the rounds; vs echo: each run over the mean of the echo runs just before and after "
        "it;\nFULL/BASIC: each FULL run over the BASIC run just before it (same registry)"
    )
    print(
        f"{'server':<28}{'answer B':>10}{'calls/s':>9}{'vs echo':>9}{'srv µs/call':>13}{'vs echo':>9}"
        f"{'p50 ms':>9}{'FULL/BASIC calls/s':>20}{'µs/call':>9}"
    )
    for f in views.figures:
        vs_basic = (
            f"{f.calls_per_s_vs_basic:>20.3f}{f.server_us_per_call_vs_basic:>9.2f}"
            if f.calls_per_s_vs_basic is not None and f.server_us_per_call_vs_basic is not None
            else f"{'':>20}{'':>9}"
        )
        print(
            f"{f.target:<28}{f.response_bytes:>10}{f.calls_per_s:>9.0f}{f.calls_per_s_vs_echo:>9.3f}"
            f"{f.server_us_per_call:>13.0f}{f.server_us_per_call_vs_echo:>9.2f}{f.p50_ms:>9.2f}{vs_basic}"
        )
    print(
        "answer B: the serialized InvokeResponse (echo: the request it returns); at 64 in flight p50 is "
        "mostly queueing"
    )


def print_checks(views: ViewRuns) -> None:
    """The outcome of this part's checks alone (``python -m bench views``)."""
    if not views.problems:
        print(
            "\nchecks passed: no call failed, and the router's Stats count every OK call as a provider call"
        )
    for title, found in (("PROBLEMS (the figures are wrong)", views.problems), ("WARNINGS", views.warnings)):
        if found:
            print(f"\n{title}:")
            for line in found:
                print(f"  {line}")


def document(views: ViewRuns, rounds: int) -> dict[str, Any]:
    return {
        "load": LOAD,
        "settings": {
            "model_counts": MODEL_COUNTS,
            "rounds": rounds,
            "warmup_s": WARMUP_S,
            "duration_s": DURATION_S,
        },
        "runs": [asdict(r) for r in views.runs],
        "figures": [asdict(f) for f in views.figures],
        "problems": views.problems,
        "warnings": views.warnings,
    }
