"""What the ``learned`` strategy costs against ``weighted`` through the real server
(``python -m bench learned``, writing bench/results/learned.json): Select and Invoke with a
selection, at 20 and 1,000 models; the aim (issue 14) is within 10% of ``weighted``.

Routers with the zero-latency registry (simulated models answering "ok" at once, no response
cache, no probes) run side by side on CPU 0, next to the bare echo server; h2load (4 connections
x 16 streams, as the cached Select run) sends from CPU 1. Every call carries the cached Select
run's requirements (task ``chat``) and names its strategy: the built-in ``weighted`` or the
built-in ``learned`` (each with its default weights). Per registry size, four routers:

* selection cache on (the configuration's default, as in the cached Select run): ``weighted``
  is answered from the selection cache after the first call; ``learned`` never is (it samples
  per call), so this is the comparison ``make bench``'s cached run makes;
* selection cache off (``cache.selection_ttl_s: 0``): ``weighted`` ranks every call too. The
  same h2load load and request bytes stand in for the uncached run's distinct requests (whose
  Python load generator sends Select only, with no strategy);

each once without feedback (``learned`` then ranks on the priors: no sampling), once fed
``FEEDBACK_SCORES`` scores on the load's task before measuring (``learned`` then draws each
model's quality from its posterior on every call, and every model is in contention: the scored
ones are few, the rest keep their priors' spread), and once settled (every eligible model scored
on the task, a few near ties and the rest clearly worse: ``learned`` draws the near ties only).
``weighted`` runs on each of the three routers (feedback does not touch it), next to the
``learned`` run there.

Each round sends to echo, then, per registry size and cache setting, Select with ``weighted`` and
``learned`` on the priors, ``weighted`` and ``learned`` sampling, ``weighted`` and ``learned``
settled, then Invoke the same way; echo once more at the end. This machine's speed drifts by as
much as 2x within minutes, and a router that remembers thousands of scored decisions is not the
same process as one that remembers none, so each ``learned`` run is compared with the
``weighted`` run next to it on the same router (same registry, cache setting and call: a pair),
and the median of the pairs' ratios over the rounds is the figure. A pair runs back to back,
``weighted`` first in even rounds and ``learned`` first in odd ones (`_in_turn`), and its runs are
short (``DURATION_S``) so that many pairs fit: a drift inside a pair then favours neither arm.
No call may fail; the router's Stats must count every OK call (a selection, or a successful
provider call: h2load ignores grpc-status), no selection cache hit for ``learned`` or with the
cache off, and hits for (nearly) every ``weighted`` call with it on.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import grpc
import yaml

from bench import configs, h2load
from bench.load import LoadResult
from bench.report import STOLEN_LIMIT, percentile_ms
from bench.requests import INVOKE_PATH, SELECT_PATH, invoke_request, repeated_request
from bench.servers import LOAD_CPU, SERVER_CPU, Server, core_busy_seconds, start_echo, start_router, stats
from modelrouter_client._proto import router_pb2

MODEL_COUNTS = (20, 1000)
ROUNDS = 8
"""Pairs per cell: a cell's figure is the median of its pairs' ratios, so many short pairs
resolve it better than a few long ones (the machine's speed drifts within seconds)."""
# Each target warmed up once (WARMUP_S), which gives its rate; then every run of it sends the
# calls that rate serves in DURATION_S (a fixed count: every call is answered), MIN_CALLS at least.
WARMUP_S, DURATION_S, MIN_CALLS = 2.0, 1.5, 300
CLIENTS, STREAMS = 4, 16  # as the cached Select run: 64 calls in flight
FEEDBACK_SCORES = 50  # learned Select decisions scored on the load's task before the sampling runs
# The settled state: every eligible model scored on the load's task. The priors' first
# NEAR_TIES models LEADER_SCORES times each, 0.9 on average (a near tie: they stay in contention);
# every other model 0.0 SETTLE_ZEROS times, so that it drops out of contention.
NEAR_TIES, LEADER_SCORES, SETTLE_ZEROS = 4, 30, 12
AIM = 0.10  # learned within 10% of weighted: calls/s at least 0.90x, server µs/call at most 1.10x
CACHE_HITS_AT_LEAST = 0.9  # weighted with the cache on: one miss a second (the 1 s TTL) at most
FEEDBACK_PATH = "/modelrouter.v1.RouterService/Feedback"
TASK = "chat"  # the task of the cached Select run's requirements: the feedback's task too

SELECT, INVOKE = "Select", "Invoke"
CACHE_ON, CACHE_OFF = "cache on", "cache off"
WEIGHTED, PRIORS, SAMPLED, SETTLED = "weighted", "learned, priors", "learned, sampled", "learned, settled"
WEIGHTED_FED, WEIGHTED_SETTLED = "weighted, fed router", "weighted, settled router"
WEIGHTED_ARMS = (WEIGHTED, WEIGHTED_FED, WEIGHTED_SETTLED)
REFERENCE = {PRIORS: WEIGHTED, SAMPLED: WEIGHTED_FED, SETTLED: WEIGHTED_SETTLED}
"""Each learned arm's weighted run: on the same router, next to it (`_in_turn`)."""
_STRATEGY = {
    WEIGHTED: "weighted",
    WEIGHTED_FED: "weighted",
    WEIGHTED_SETTLED: "weighted",
    PRIORS: "learned",
    SAMPLED: "learned",
    SETTLED: "learned",
}
DRAWN = (SAMPLED, SETTLED)
ECHO = "echo"
LOAD = (
    f"h2load repeating 1 SelectRequest, or 1 InvokeRequest with a selection, naming its strategy "
    f"(the cached Select run's requirements), {CLIENTS} connections x {STREAMS} streams"
)


@dataclass(frozen=True)
class _Target:
    """One server with one request body: the echo server, or a router with one strategy and call."""

    name: str
    server: Server
    path: str
    body: bytes
    models: int | None  # None: the echo server
    cache: str | None
    call: str | None
    arm: str | None  # one of WEIGHTED_ARMS, PRIORS, SAMPLED or SETTLED
    response_bytes: int


@dataclass
class LearnedRun:
    """One h2load run against one target."""

    target: str
    models: int | None
    cache: str | None
    call: str | None
    arm: str | None
    round: int
    ok: int
    errors: dict[str, int]
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    server_core_busy: float
    server_us_per_call: float
    selection_hits: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class LearnedFigures:
    """One target's figures: medians over the rounds. ``vs_echo``: each run over the mean of the
    echo runs around its round; ``vs_weighted``: each learned run over the weighted run next to
    it on the same router (same registry, cache setting and call), the median and the range over
    the rounds."""

    target: str
    models: int | None
    cache: str | None
    call: str | None
    arm: str | None
    response_bytes: int
    calls_per_s: float
    server_us_per_call: float
    p50_ms: float
    p99_ms: float
    calls_per_s_vs_echo: float
    calls_per_s_vs_weighted: float | None = None
    calls_per_s_vs_weighted_range: tuple[float, float] | None = None
    server_us_per_call_vs_weighted: float | None = None
    server_us_per_call_vs_weighted_range: tuple[float, float] | None = None
    within_aim: bool | None = None  # learned only: calls/s >= 1 - AIM and µs/call <= 1 + AIM of weighted's


@dataclass
class LearnedRuns:
    runs: list[LearnedRun]
    figures: list[LearnedFigures]
    fed: dict[str, int]  # per fed router: distinct models the feedback scored
    contending: dict[str, int]  # per settled router: models a learned ranking still draws
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Snapshot:
    wall: float
    server_cpu_s: float
    core_busy_s: float
    selections: int  # the router's Stats (echo: 0)
    hits: int
    successes: int
    failures: int

    @staticmethod
    def take(target: _Target, after: bool = False) -> _Snapshot:
        """The clocks and the router's counts: the counts read first before a run and last after
        it, so that the Stats call (which costs the router up to half a second of CPU with 1,000
        models that have served calls) is never counted as the run's."""
        server = target.server
        clocks = _clocks(server) if after else None
        selections = hits = successes = failures = 0
        if target.models is not None:
            reply = stats(server.address)
            selections = sum(m.selections for m in reply.models)
            successes = sum(m.successes for m in reply.models)
            failures = sum(m.failures for m in reply.models)
            hits = reply.cache.selection_hits
        wall, cpu, busy = clocks or _clocks(server)
        return _Snapshot(wall, cpu, busy, selections, hits, successes, failures)


def _clocks(server: Server) -> tuple[float, float, float]:
    """Wall time, the server's CPU time, and its core's busy time, now."""
    return time.monotonic(), server.cpu_seconds(), core_busy_seconds(SERVER_CPU)


def select_request(strategy: str) -> bytes:
    """The cached Select run's request, naming ``strategy``."""
    message = router_pb2.SelectRequest.FromString(repeated_request())
    message.strategy = strategy
    return message.SerializeToString()


def invoke_with(strategy: str) -> bytes:
    """The InvokeRequest with a selection (the cached Select run's requirements) by ``strategy``."""
    message = router_pb2.InvokeRequest.FromString(invoke_request(select=True))
    message.selection.strategy = strategy
    return message.SerializeToString()


def write_config(folder: Path, n: int, cache: str) -> Path:
    """The zero-latency registry; with ``CACHE_OFF``, no selection cache (a TTL of 0 stores nothing)."""
    path = configs.write_zero_latency(folder, n)
    if cache == CACHE_OFF:
        config = yaml.safe_load(path.read_text())
        config["cache"]["selection_ttl_s"] = 0
        path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def feed(server: Server) -> int:
    """Scores ``FEEDBACK_SCORES`` learned Select decisions on the load's task (scores 0.2 to 1.0
    in turn), so that from the first on the learned ranking samples; returns the distinct models
    scored. Stats must then show every score on the task."""
    body = select_request("learned")
    chosen = set()
    with grpc.insecure_channel(server.address) as channel:
        select: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(SELECT_PATH)
        score: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(FEEDBACK_PATH)
        for i in range(FEEDBACK_SCORES):
            decision = router_pb2.SelectResponse.FromString(select(body, timeout=30)).decision
            chosen.add(decision.model)
            request = router_pb2.FeedbackRequest(decision_id=decision.decision_id, score=(i % 5 + 1) / 5)
            score(request.SerializeToString(), timeout=30)
    scored = sum(row.scores for m in stats(server.address).models for row in m.learned if row.task == TASK)
    assert scored == FEEDBACK_SCORES, f"Stats show {scored} scores on {TASK!r}, not {FEEDBACK_SCORES}"
    return len(chosen)


def settle(server: Server) -> int:
    """Scores every eligible model on the load's task through decisions restricted to it
    (``include_models``): the priors' first ``NEAR_TIES`` ``LEADER_SCORES`` times each (1.0 and
    0.8 in turn), every other model ``SETTLE_ZEROS`` times 0.0. Returns how many models a learned
    ranking then still draws (those whose drawn quality is not their posterior mean)."""
    body = select_request("learned")
    with grpc.insecure_channel(server.address) as channel:
        select: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(SELECT_PATH)
        invoke: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(INVOKE_PATH)
        score: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(FEEDBACK_PATH)
        first = router_pb2.SelectResponse.FromString(select(body, timeout=30)).decision
        for rank, entry in enumerate(first.ranking):
            request = router_pb2.InvokeRequest.FromString(invoke_with("learned"))
            request.selection.requirements.include_models.append(entry.model)
            one = request.SerializeToString()
            near = rank < NEAR_TIES
            for i in range(LEADER_SCORES if near else SETTLE_ZEROS):
                decision = router_pb2.InvokeResponse.FromString(invoke(one, timeout=30)).decision
                assert decision.model == entry.model, f"{decision.model} answered, not {entry.model}"
                value = (1.0 if i % 2 else 0.8) if near else 0.0
                feedback = router_pb2.FeedbackRequest(decision_id=decision.decision_id, score=value)
                score(feedback.SerializeToString(), timeout=30)
        settled = router_pb2.SelectResponse.FromString(select(body, timeout=30)).decision
    return sum(e.components["quality"] != e.components["learned_quality"] for e in settled.ranking)


def _decision(reply: bytes, call: str) -> router_pb2.Decision:
    if call == SELECT:
        return router_pb2.SelectResponse.FromString(reply).decision
    answer = router_pb2.InvokeResponse.FromString(reply)
    assert answer.text == "ok", f"the router answered {answer.text!r}, not 'ok'"
    return answer.decision


def probe(target: _Target) -> int:
    """Two calls before measuring, so that a broken server, strategy or feedback state fails
    loudly and early; returns the answer's size in bytes.

    The second call shows whether the selection cache answered; the chosen model's score parts
    whether learned sampled (its quality a draw, not the posterior mean) or ranked on the priors.
    """
    with grpc.insecure_channel(target.server.address) as channel:
        call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(target.path)
        replies = [call(target.body, timeout=30) for _ in range(2)]
    if target.models is None or target.call is None or target.arm is None:
        assert replies[0] == target.body, "the echo server did not echo"
        return len(replies[0])
    first, second = (_decision(r, target.call) for r in replies)
    where = target.name
    assert first.strategy == _STRATEGY[target.arm], f"{where}: decided by {first.strategy!r}"
    assert first.decision_id, f"{where}: the decision carries no decision_id"
    if target.call == SELECT:
        named = len(first.ranking) + len(first.rejected)
        assert named == target.models, f"{where}: the decision names {named} models, not {target.models}"
    cached = target.arm in WEIGHTED_ARMS and target.cache == CACHE_ON
    assert second.from_cache == cached, f"{where}: from_cache {second.from_cache}, expected {cached}"
    if target.arm not in WEIGHTED_ARMS:
        parts = first.ranking[0].components
        drawn = parts["quality"] != parts["learned_quality"]
        assert drawn == (target.arm in DRAWN), (
            f"{where}: quality {parts['quality']} against learned_quality {parts['learned_quality']}"
        )
    print(
        f"  {where}: {first.model} chosen, {len(first.ranking)} ranked, answer {len(replies[0])} bytes",
        flush=True,
    )
    return len(replies[0])


def _warm_up(target: _Target) -> float:
    """``WARMUP_S`` of load (not counted); returns the calls per second served."""
    warm = h2load.run(
        target.server.address,
        target.body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        duration_s=WARMUP_S,
        path=target.path,
    )
    time.sleep(0.5)  # the calls cut off at the end of the warm-up finish
    return warm.ok / WARMUP_S


def _check(run: LearnedRun, target: _Target, before: _Snapshot, after: _Snapshot) -> None:
    """What makes the run's figures wrong (problems) or doubtful (warnings)."""
    where = f"{target.name}, round {run.round + 1}"
    if run.errors:
        run.problems.append(f"{where}: failed calls: {run.errors}")
    if target.models is not None:
        if target.call == SELECT:
            served, failures, what = after.selections - before.selections, 0, "selections"
        else:
            served, failures = after.successes - before.successes, after.failures - before.failures
            what = "successful provider calls"
        if served != run.ok or failures:
            run.problems.append(
                f"{where}: the router's Stats count {served} {what} ({failures} failed) for {run.ok} OK calls"
            )
        if target.arm in WEIGHTED_ARMS and target.cache == CACHE_ON:
            if run.selection_hits < CACHE_HITS_AT_LEAST * run.ok:
                run.problems.append(f"{where}: {run.selection_hits} selection cache hits for {run.ok} calls")
        elif run.selection_hits:
            run.problems.append(f"{where}: {run.selection_hits} selection cache hits, expected none")
    stolen = max(0.0, run.server_core_busy - run.server_cpu)
    if stolen > STOLEN_LIMIT:
        run.warnings.append(f"{where}: other processes took {stolen:.0%} of the server's core")
    elif run.server_cpu < 0.9:
        run.warnings.append(f"{where}: the server used {run.server_cpu:.0%} of its core")


def _measure(target: _Target, round_: int, calls: int) -> LearnedRun:
    before = _Snapshot.take(target)
    load: LoadResult = h2load.run(
        target.server.address,
        target.body,
        cpu=LOAD_CPU,
        clients=CLIENTS,
        streams=STREAMS,
        requests=calls,
        path=target.path,
    )
    after = _Snapshot.take(target, after=True)
    wall = after.wall - before.wall
    cpu_s = after.server_cpu_s - before.server_cpu_s
    run = LearnedRun(
        target=target.name,
        models=target.models,
        cache=target.cache,
        call=target.call,
        arm=target.arm,
        round=round_,
        ok=load.ok,
        errors=load.errors,
        calls_per_s=load.ok / load.elapsed_s,
        p50_ms=percentile_ms(load.latencies_us, 0.50),
        p99_ms=percentile_ms(load.latencies_us, 0.99),
        server_cpu=cpu_s / wall,
        server_core_busy=(after.core_busy_s - before.core_busy_s) / wall,
        server_us_per_call=cpu_s / load.ok * 1e6 if load.ok else math.nan,
        selection_hits=after.hits - before.hits,
    )
    _check(run, target, before, after)
    return run


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _figure(t: _Target, runs: list[LearnedRun]) -> LearnedFigures:
    echo = {r.round: r for r in runs if r.target == ECHO}
    mine = [r for r in runs if r.target == t.name]
    vs_echo = [
        _ratio(r.calls_per_s, statistics.fmean((echo[r.round].calls_per_s, echo[r.round + 1].calls_per_s)))
        for r in mine
        if t.models is not None  # echo's own runs: 1.0
    ] or [1.0]
    figure = LearnedFigures(
        target=t.name,
        models=t.models,
        cache=t.cache,
        call=t.call,
        arm=t.arm,
        response_bytes=t.response_bytes,
        calls_per_s=statistics.median(r.calls_per_s for r in mine),
        server_us_per_call=statistics.median(r.server_us_per_call for r in mine),
        p50_ms=statistics.median(r.p50_ms for r in mine),
        p99_ms=statistics.median(r.p99_ms for r in mine),
        calls_per_s_vs_echo=statistics.median(vs_echo),
    )
    if t.arm in (PRIORS, *DRAWN):
        calls, cpu = [], []
        for r in mine:
            weighted = next(
                w
                for w in runs
                if (w.models, w.cache, w.call, w.arm, w.round)
                == (t.models, t.cache, t.call, REFERENCE[t.arm], r.round)
            )
            calls.append(_ratio(r.calls_per_s, weighted.calls_per_s))
            cpu.append(_ratio(r.server_us_per_call, weighted.server_us_per_call))
        figure.calls_per_s_vs_weighted = statistics.median(calls)
        figure.calls_per_s_vs_weighted_range = (min(calls), max(calls))
        figure.server_us_per_call_vs_weighted = statistics.median(cpu)
        figure.server_us_per_call_vs_weighted_range = (min(cpu), max(cpu))
        figure.within_aim = (
            figure.calls_per_s_vs_weighted >= 1 - AIM and figure.server_us_per_call_vs_weighted <= 1 + AIM
        )
    return figure


def _targets(n: int, cache: str, fresh: Server, fed: Server, settled: Server) -> list[_Target]:
    """Select, then Invoke: on each router weighted, then learned (on the priors, sampling,
    settled), in pairs: each learned run is compared with the weighted run next to it on the same
    router (`_in_turn`)."""
    out = []
    servers = {
        WEIGHTED: fresh,
        PRIORS: fresh,
        WEIGHTED_FED: fed,
        SAMPLED: fed,
        WEIGHTED_SETTLED: settled,
        SETTLED: settled,
    }
    for call, path, body_of in ((SELECT, SELECT_PATH, select_request), (INVOKE, INVOKE_PATH, invoke_with)):
        for arm in (WEIGHTED, PRIORS, WEIGHTED_FED, SAMPLED, WEIGHTED_SETTLED, SETTLED):
            server = servers[arm]
            name = f"{n} models, {cache}, {call}, {arm}"
            target = _Target(name, server, path, body_of(_STRATEGY[arm]), n, cache, call, arm, 0)
            out.append(replace(target, response_bytes=probe(target)))
    return out


def _in_turn(targets: list[_Target], round_: int) -> list[_Target]:
    """The targets in round ``round_``'s order: each weighted and learned pair (`_targets`) back to
    back, weighted first in even rounds and learned first in odd ones, so that a drift during a
    pair favours neither arm over the rounds."""
    if round_ % 2 == 0:
        return targets
    echo, paired = targets[:1], targets[1:]
    swapped = [t for i in range(0, len(paired), 2) for t in (paired[i + 1], paired[i])]
    return echo + swapped


def _start(tmp: Path, n: int, cache: str, state: str, servers: list[Server]) -> Server:
    # Each its own state directory: usage totals and kept scores are not shared.
    folder = tmp / f"learned-{n}-{cache.replace(' ', '-')}-{state}"
    folder.mkdir()
    router = start_router(write_config(folder, n, cache), SERVER_CPU, folder / "router.log")
    servers.append(router)
    return router


def measure(tmp: Path, rounds: int = ROUNDS) -> LearnedRuns:
    print(
        f"learned against weighted: echo, and routers with {' and '.join(map(str, MODEL_COUNTS))} simulated "
        f"models answering at once, selection cache on and off, {rounds} rounds",
        flush=True,
    )
    servers: list[Server] = []
    fed_models: dict[str, int] = {}
    contending: dict[str, int] = {}
    try:
        echo = start_echo(SERVER_CPU, tmp / "echo-learned.log")
        servers.append(echo)
        body = select_request("weighted")
        targets = [_Target(ECHO, echo, SELECT_PATH, body, None, None, None, None, len(body))]
        probe(targets[0])
        for n in MODEL_COUNTS:
            for cache in (CACHE_ON, CACHE_OFF):
                fresh = _start(tmp, n, cache, "fresh", servers)
                fed = _start(tmp, n, cache, "fed", servers)
                settled = _start(tmp, n, cache, "settled", servers)
                fed_models[f"{n} models, {cache}"] = scored = feed(fed)
                contending[f"{n} models, {cache}"] = still = settle(settled)
                print(
                    f"  {n} models, {cache}: {FEEDBACK_SCORES} scores on {scored} models (sampled); "
                    f"settled: every model scored, {still} still in contention",
                    flush=True,
                )
                targets += _targets(n, cache, fresh, fed, settled)
        print(f"  {LOAD}", flush=True)
        calls = {t.name: max(MIN_CALLS, round(_warm_up(t) * DURATION_S)) for t in targets}
        runs: list[LearnedRun] = []
        for round_ in range(rounds):
            runs += [_measure(t, round_, calls[t.name]) for t in _in_turn(targets, round_)]
        runs.append(_measure(targets[0], rounds, calls[ECHO]))
    finally:
        for server in servers:
            server.stop()
    out = LearnedRuns(runs, [_figure(t, runs) for t in targets], fed_models, contending)
    for r in runs:
        out.problems += r.problems
        out.warnings += r.warnings
    return out


def _fmt_range(median: float | None, spread: tuple[float, float] | None, digits: int) -> str:
    if median is None or spread is None:
        return ""
    return f"{median:.{digits}f} ({spread[0]:.{digits}f}-{spread[1]:.{digits}f})"


def verdict(f: LearnedFigures) -> str:
    """Whether ``f`` (a learned figure) is within the aim, and by how much it misses it."""
    calls, cpu = f.calls_per_s_vs_weighted, f.server_us_per_call_vs_weighted
    assert calls is not None and cpu is not None
    if f.within_aim:
        return f"within 10%: calls/s {calls:.2f}x, µs/call {cpu:.2f}x"
    return (
        f"MISSES: calls/s {calls:.2f}x ({calls - 1:+.0%}; aim >= {1 - AIM:.2f}x), "
        f"µs/call {cpu:.2f}x ({cpu - 1:+.0%}; aim <= {1 + AIM:.2f}x)"
    )


def print_learned(found: LearnedRuns) -> None:
    rounds = max(r.round for r in found.runs)
    echo = [r.calls_per_s for r in found.runs if r.target == ECHO]
    print(
        f"\nlearned against weighted: {LOAD}; {WARMUP_S:g} s warm-up each, then ~{DURATION_S:g} s "
        f"(at least {MIN_CALLS} calls) per run, {rounds} rounds"
    )
    print(
        f"echo calls/s at each round's start and at the end: {', '.join(f'{e:.0f}' for e in echo)} "
        f"(max/min {max(echo) / min(echo):.2f}: the machine's drift)"
    )
    print(
        "\nMedians over the rounds; ÷ weighted: each learned run over the weighted run next to it "
        "on the same router (same registry, cache setting and call), median (min-max over the rounds)"
    )
    print(
        f"{'target':<50}{'answer B':>9}{'calls/s':>9}{'vs echo':>8}{'srv µs/call':>12}{'p50 ms':>8}"
        f"{'calls/s ÷ weighted':>22}{'µs/call ÷ weighted':>22}"
    )
    for f in found.figures:
        print(
            f"{f.target:<50}{f.response_bytes:>9}{f.calls_per_s:>9.0f}{f.calls_per_s_vs_echo:>8.3f}"
            f"{f.server_us_per_call:>12.0f}{f.p50_ms:>8.2f}"
            f"{_fmt_range(f.calls_per_s_vs_weighted, f.calls_per_s_vs_weighted_range, 3):>22}"
            f"{_fmt_range(f.server_us_per_call_vs_weighted, f.server_us_per_call_vs_weighted_range, 2):>22}"
        )
    print(
        f"\nlearned within 10% of weighted (calls/s at least {1 - AIM:.2f}x and server µs/call at most "
        f"{1 + AIM:.2f}x, medians):"
    )
    for f in found.figures:
        if f.within_aim is not None:
            print(f"  {f.target:<50}{verdict(f)}")
    print(
        "cache on: weighted answered from the selection cache, learned ranking every call (make bench's "
        "cached run);\ncache off: both rank every call. priors: learned before any feedback (no sampling); "
        f"sampled: after {FEEDBACK_SCORES} scores on the task (every model in contention);\n"
        f"settled: every model scored on the task, the priors' first {NEAR_TIES} {LEADER_SCORES}x "
        f"(0.9 on average), the rest {SETTLE_ZEROS}x 0.0 (in contention by the end: "
        f"{', '.join(f'{k}: {v}' for k, v in found.contending.items())})"
    )


def print_checks(found: LearnedRuns) -> None:
    """The outcome of this part's checks (``python -m bench learned``)."""
    if not found.problems:
        print(
            "\nchecks passed: no call failed; the router's Stats count every OK call; the selection cache "
            "answered weighted with it on, and nothing else"
        )
    for title, lines in (("PROBLEMS (the figures are wrong)", found.problems), ("WARNINGS", found.warnings)):
        if lines:
            print(f"\n{title}:")
            for line in lines:
                print(f"  {line}")


def document(found: LearnedRuns, rounds: int) -> dict[str, Any]:
    return {
        "load": LOAD,
        "settings": {
            "model_counts": MODEL_COUNTS,
            "rounds": rounds,
            "warmup_s": WARMUP_S,
            "duration_s": DURATION_S,
            "min_calls": MIN_CALLS,
            "feedback_scores": FEEDBACK_SCORES,
            "near_ties": NEAR_TIES,
            "leader_scores": LEADER_SCORES,
            "settle_zeros": SETTLE_ZEROS,
            "aim": AIM,
        },
        "fed": found.fed,
        "contending": found.contending,
        "runs": [asdict(r) for r in found.runs],
        "figures": [asdict(f) for f in found.figures],
        "verdicts": {f.target: verdict(f) for f in found.figures if f.within_aim is not None},
        "problems": found.problems,
        "warnings": found.warnings,
    }
