"""The figures of each run, the comparisons the benchmark exists for, the table and the JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CACHED, UNCACHED = "cached", "uncached"
AIM_CACHED, AIM_UNCACHED = 0.8, 0.5  # router calls/s over echo calls/s, with the fewer models
STOLEN_LIMIT = 0.05  # the share of the server's core other processes may take before a run is doubtful


@dataclass
class Run:
    """One measured run: one server under one load generator."""

    kind: str  # CACHED (h2load, one repeated request) or UNCACHED (Python processes, all distinct)
    models: int | None  # None: the bare echo server
    ok: int  # calls the load generator saw succeed
    errors: dict[str, int]
    elapsed_s: float
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    server_cpu: float  # the server process's share of its core during the run
    server_core_busy: float  # the server core's busy share, whoever used it
    load_cpu: float  # the load generator's share of its core
    server_us_per_call: float  # server CPU time per OK call
    server_rss_mb: float  # the server's resident memory at the end of the run
    router: dict[str, int] | None = None  # the router's Stats deltas: selections, selection_hits/misses
    problems: list[str] = field(default_factory=list)  # the figures are wrong
    warnings: list[str] = field(default_factory=list)  # the figures are doubtful

    @property
    def stolen(self) -> float:
        """The share of the server's core that other processes took during the run."""
        return max(0.0, self.server_core_busy - self.server_cpu)

    @property
    def name(self) -> str:
        return f"router, {self.models} models" if self.models else "bare grpc.aio echo"


def percentile_ms(latencies_us: list[int], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(latencies_us)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] / 1000 if ordered else math.nan


def check(run: Run) -> None:
    """Records what makes the run's figures wrong (problems) or doubtful (warnings)."""
    if run.errors:
        run.problems.append(f"failed calls: {run.errors}")
    if run.router is not None:
        if run.router["selections"] != run.ok:
            run.problems.append(
                f"the router counted {run.router['selections']} selections for {run.ok} OK calls"
            )
        if run.kind == CACHED and run.router["selection_hits"] < 0.99 * run.ok:
            run.warnings.append(
                f"only {run.router['selection_hits']} of {run.ok} calls hit the selection cache"
            )
        if run.kind == UNCACHED and run.router["selection_hits"]:
            run.problems.append(f"{run.router['selection_hits']} selection cache hits in the uncached run")
    if run.stolen > STOLEN_LIMIT:
        run.warnings.append(
            f"other processes took {run.stolen:.0%} of the server's core: rerun on a quiet machine"
        )
    elif run.server_cpu < 0.9:
        run.warnings.append(
            f"the server used {run.server_cpu:.0%} of its core: the load generator was the limit"
        )


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def compare(runs: list[Run], model_counts: tuple[int, int]) -> dict[str, dict[str, float]]:
    """Per load generator: router over echo (calls/s, p50), and 1,000 over 20 models (CPU per call).

    "above_echo" is the per-call CPU the router spends beyond what bare grpc.aio costs, the
    nearest figure to the decision's own cost.
    """
    by = {(r.kind, r.models): r for r in runs}
    few, many = model_counts
    out: dict[str, dict[str, float]] = {}
    for kind in (CACHED, UNCACHED):
        echo, figures = by[kind, None], {}
        for n in model_counts:
            router = by[kind, n]
            figures[f"calls_per_s_vs_echo_{n}"] = _ratio(router.calls_per_s, echo.calls_per_s)
            # calls per server CPU-second over echo's: the same ratio, blind to other load on the core
            figures[f"calls_per_cpu_s_vs_echo_{n}"] = _ratio(
                echo.server_us_per_call, router.server_us_per_call
            )
            figures[f"p50_vs_echo_{n}"] = _ratio(router.p50_ms, echo.p50_ms)
        cost_few, cost_many = by[kind, few].server_us_per_call, by[kind, many].server_us_per_call
        figures[f"cpu_per_call_{many}_vs_{few}"] = _ratio(cost_many, cost_few)
        figures[f"above_echo_cpu_per_call_{many}_vs_{few}"] = _ratio(
            cost_many - echo.server_us_per_call, cost_few - echo.server_us_per_call
        )
        out[kind] = figures
    return out


def print_table(runs: list[Run], loads: dict[str, str], duration_s: float) -> None:
    header = (
        f"{'server':<22}{'calls/s':>9}{'vs echo':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'srv CPU':>9}{'core':>7}{'load CPU':>10}{'srv µs/call':>13}{'srv MiB':>9}{'sel. hits/misses':>18}"
    )
    for kind in (CACHED, UNCACHED):
        print(f"\nSelect, {kind}: {loads[kind]}, {duration_s:.0f} s per run")
        print(header)
        kind_runs = [r for r in runs if r.kind == kind]
        echo = next(r for r in kind_runs if r.models is None)
        for r in kind_runs:
            hits = f"{r.router['selection_hits']}/{r.router['selection_misses']}" if r.router else "-"
            print(
                f"{r.name:<22}{r.calls_per_s:>9.0f}{_ratio(r.calls_per_s, echo.calls_per_s):>9.2f}"
                f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.server_cpu:>9.0%}{r.server_core_busy:>7.0%}"
                f"{r.load_cpu:>10.0%}{r.server_us_per_call:>13.0f}{r.server_rss_mb:>9.0f}{hits:>18}"
            )
    print(
        "\nsrv CPU: the server process's share of its core (CPU 0); core: CPU 0 busy, whoever ran;"
        "\nload CPU: the load generator's share of CPU 1; srv µs/call: server CPU time per OK call;"
        "\nsrv MiB: the server's resident memory after the run."
    )


def print_verdicts(ratios: dict[str, dict[str, float]], model_counts: tuple[int, int]) -> None:
    few, many = model_counts

    def verdict(ok: bool) -> str:
        return "meets the aim" if ok else "MISSES the aim"

    for kind, aim in ((CACHED, AIM_CACHED), (UNCACHED, AIM_UNCACHED)):
        r = ratios[kind]
        calls, per_cpu = r[f"calls_per_s_vs_echo_{few}"], r[f"calls_per_cpu_s_vs_echo_{few}"]
        print(
            f"{kind} Select over echo, calls/s:       {calls:.2f} with {few} models "
            f"(aim >= {aim}: {verdict(calls >= aim)}), {r[f'calls_per_s_vs_echo_{many}']:.2f} with {many}"
        )
        print(
            f"{kind} Select over echo, calls/CPU-s:   {per_cpu:.2f} with {few} models, "
            f"{r[f'calls_per_cpu_s_vs_echo_{many}']:.2f} with {many} (blind to other load on the core)"
        )
    for kind in (CACHED, UNCACHED):
        r = ratios[kind]
        cost, above = r[f"cpu_per_call_{many}_vs_{few}"], r[f"above_echo_cpu_per_call_{many}_vs_{few}"]
        print(
            f"{kind} server CPU per call, {many} vs {few} models: x{cost:.1f} (beyond echo's: x{above:.1f}), "
            f"models x{many / few:.0f}: {verdict(cost <= many / few)}"
        )


def _listed(runs: list[Run], what: str) -> list[str]:
    return [f"{r.kind}, {r.name}: {p}" for r in runs for p in getattr(r, what)]


def print_checks(
    runs: list[Run], more_problems: Sequence[str] = (), more_warnings: Sequence[str] = ()
) -> list[str]:
    """Prints the checks' outcome (the Select runs', then ``more_*``: the Invoke runs');
    returns the problems."""
    problems = _listed(runs, "problems") + list(more_problems)
    warnings = _listed(runs, "warnings") + list(more_warnings)
    if not problems:
        print(
            "\nchecks passed: no call failed, the router's Stats count every OK call as a selection, "
            "the uncached runs had no selection cache hit, the Stats count every OK Invoke as a "
            "successful provider call, the open-loop generator offered the rate asked for, and the "
            "routers asking for an API key refused a call without one"
        )
    for title, found in (("PROBLEMS (the figures are wrong)", problems), ("WARNINGS", warnings)):
        if found:
            print(f"\n{title}:")
            for line in found:
                print(f"  {line}")
    return problems


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def write_json(
    path: Path,
    settings: dict[str, Any],
    runs: list[Run],
    ratios: dict[str, Any],
    invoke: dict[str, Any] | None = None,
    more_problems: Sequence[str] = (),
    more_warnings: Sequence[str] = (),
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "settings": settings,
        "runs": [{"name": r.name, **asdict(r)} for r in runs],
        "ratios": ratios,
        "invoke": invoke,
        "problems": _listed(runs, "problems") + list(more_problems),
        "warnings": _listed(runs, "warnings") + list(more_warnings),
    }
    path.write_text(json.dumps(rounded(document), indent=2) + "\n")
