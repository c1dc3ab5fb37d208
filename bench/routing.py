"""``python -m bench.routing`` (``make bench-routing``): does the ``learned`` strategy find the
good-value models from feedback alone, and follow a change?

A synthetic workload (bench/routing_world.py): six simulated models over a 100x price spread,
six tasks (chat the main one), a true quality per (model, task) that the router never sees (its
configuration says 0.5 everywhere, or each model's qualities are another's). Requests go one at
a time through a real server in this process (Invoke with ``selection {strategy, requirements
{task}}``); for the learned pass each answer is scored from the table (Bernoulli(q) by default),
some scores never sent and some sent requests later, through Feedback. Scenarios: stationary
(flat and wrong priors), the main task's best model dropping halfway, the dearest model's price
cut tenfold by reload, a new model added by reload.

Against always-best, always-cheapest, random, the oracle (knows the table, maximises the same
weighted score) and the static ``weighted`` strategy (sent through the server too, no feedback):
quality and cost as % of the best single model, regret against the oracle per window, and how
fast the learned router follows the change. Prints the tables, writes bench/results/routing.json;
exits 1 when the harness failed (an error, an answer it did not expect), not when an aim is
missed. The server samples with its own randomness: the same seed gives the same requests and
scores, and figures that agree within noise, not the same choices."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import routing_figures as fig
from bench.routing_drive import LEARNED, STATIC, HarnessError, Pass, Plan, drive
from bench.routing_world import BY_NAME, SCENARIOS, TASKS, Judge, Scenario, Weights, requests, worlds

RESULTS = Path(__file__).resolve().parent / "results" / "routing.json"
SEEDS = (1, 2)
REQUESTS = 16_000
QUALITY_WEIGHT = 0.9
MISSING, LATE, MAX_DELAY = 0.2, 0.25, 100


@dataclass(frozen=True)
class Settings:
    seeds: tuple[int, ...]
    requests: int
    scenarios: tuple[Scenario, ...]
    plan: Plan
    missing: float
    late: float
    max_delay: int


@dataclass
class Run:
    """One scenario under one seed."""

    scenario: str
    seed: int
    best_single: str
    cheapest: str
    policies: list[fig.PolicyFigures]
    windows: dict[str, fig.Windows]
    adaptation: dict[str, fig.Adaptation | None]
    picks: dict[str, list[dict[str, dict[str, int]]]]
    learned: list[dict[str, Any]]
    aims: list[fig.Aim]
    seconds: dict[str, float]
    feedback_sent: int


async def run_one(scenario: Scenario, seed: int, settings: Settings, directory: Path) -> Run:
    reqs = requests(settings.requests, seed, settings.missing, settings.late, settings.max_delay)
    judge = Judge(scenario, reqs, settings.plan.weights)
    passes: dict[str, Pass] = {}
    for strategy in (STATIC, LEARNED):
        passes[strategy] = await drive(judge, settings.plan, strategy, directory)
    best, cheapest = judge.best_single(), judge.cheapest()
    best_outcomes = judge.always(best)
    oracle_choices = judge.oracle()
    oracle = judge.judge(oracle_choices)
    judged = {
        "always-best": best_outcomes,
        "always-cheapest": judge.always(cheapest),
        "random": judge.random(),
        "oracle": oracle,
        "static weighted": judge.judge(passes[STATIC].choices),
        "learned": judge.judge(passes[LEARNED].choices),
    }
    policies = [
        fig.figures(name, outcomes, best_outcomes, oracle, judge.switch) for name, outcomes in judged.items()
    ]
    learned = next(p for p in policies if p.policy == "learned")
    routed = {
        "static weighted": passes[STATIC].choices,
        "learned": passes[LEARNED].choices,
        "oracle": oracle_choices,
    }
    adaptations = {name: fig.adaptation(judge, choices) for name, choices in routed.items()}
    return Run(
        scenario.name,
        seed,
        best,
        cheapest,
        policies,
        {name: fig.windows(judged[name], oracle) for name in ("static weighted", "learned")},
        adaptations,
        {name: [fig.picks(judge, choices, half) for half in (0, 1)] for name, choices in routed.items()},
        [asdict(entry) for entry in passes[LEARNED].learned],
        fig.aims(judge, learned, adaptations["learned"]),
        {strategy: p.seconds for strategy, p in passes.items()},
        passes[LEARNED].feedback_sent,
    )


def print_scenario(scenario: Scenario, runs: Sequence[Run], n: int) -> None:
    bests = ", ".join(sorted({r.best_single for r in runs}))
    print(f"\n== {scenario.name}: {scenario.summary}; {n} requests; best single model {bests}")
    print("quality and cost as % of the best single model's, over the run and over its second half;")
    print("regret: the oracle's score minus the policy's, per request (the score `weighted` computes)")
    print(f"{'':18}" + " ".join(f"{'seed ' + str(r.seed):>37}" for r in runs))
    head = f"{'quality%':>9}{'cost%':>7}{'regret':>8}{'2nd q%':>7}{'2nd c%':>7}"
    print(f"{'policy':18}" + " ".join(head for _ in runs))
    for k, p in enumerate(runs[0].policies):
        print(f"{p.policy:18}" + " ".join(_cells(r.policies[k]) for r in runs))
    print(f"regret per request against the oracle, per {runs[0].windows['learned'].size} requests (x1000):")
    for r in runs:
        for name in ("learned", "static weighted"):
            w = r.windows[name]
            line = " ".join(f"{x * 1000:4.0f}" for x in w.regret_per_request)
            print(f"  {name:15} seed {r.seed}: {line}  (total {w.cumulative[-1]:.1f})")
    for r in runs:
        a = r.adaptation["learned"]
        if a is not None:
            print(f"  learned, seed {r.seed}: {describe(scenario, a)}")
    for r in runs:
        for aim in r.aims:
            print(f"  aim, seed {r.seed}: {aim.name}: {_verdict(aim)} ({aim.detail})")


def _verdict(aim: fig.Aim) -> str:
    return "NOT TESTED" if aim.met is None else "MET" if aim.met else "MISSED"


def _cells(p: fig.PolicyFigures) -> str:
    return (
        f"{p.quality_pct:>9.1f}{p.cost_pct:>7.1f}{p.regret_per_request:>8.4f}"
        f"{p.late_quality_pct:>7.1f}{p.late_cost_pct:>7.1f}"
    )


def describe(scenario: Scenario, a: fig.Adaptation) -> str:
    tasks = "+".join(a.tasks) or "no task"
    n = "never" if a.requests_until is None else f"after {a.requests_until}"
    window = f"(last {fig.SHARE_WINDOW})"
    if scenario.change == "drop":
        return (
            f"{a.model} on {tasks}: share {a.share_before:.0%} before the drop; "
            f"below {fig.DROPPED_SHARE:.0%} {window} {n} {tasks} requests; "
            f"answered {a.answered_after} of them after the drop; {a.share_at_end:.0%} at the end"
        )
    first = "never" if a.first_tried is None else f"after {a.first_tried} {tasks} requests"
    return (
        f"{a.model} on {tasks} (the tasks the change gave it): share {a.share_before:.0%} before; "
        f"first answered {first}; at least {fig.TAKEN_SHARE:.0%} {window} {n} {tasks} requests; "
        f"{a.share_at_end:.0%} at the end (oracle {a.oracle_share_at_end:.0%})"
    )


def print_learned(run: Run) -> None:
    """What the server learned by the end (ModelStats.learned), against the truth."""
    if not run.learned:
        print(f"  (seed {run.seed}: the server's Stats report nothing learned)")
        return
    truth = {m.id: m.quality for m in worlds(BY_NAME[run.scenario])[1]}
    print(f"  learned by the end, seed {run.seed}: true/learned±sd (scores) per task and model")
    for task in TASKS:
        rows = [e for e in run.learned if e["task"] == task]
        cells = "  ".join(_learned_cell(e, truth[e["model"]][task]) for e in rows)
        print(f"    {task:10} {cells}")


def _learned_cell(entry: dict[str, Any], true_quality: float) -> str:
    e = entry
    return f"{e['model']} {true_quality:.2f}/{e['quality']:.2f}±{e['uncertainty']:.2f} ({e['scores']})"


def document(
    settings: Settings, runs: Sequence[Run], errors: Sequence[str], seconds: float
) -> dict[str, Any]:
    return {
        "settings": {
            "seeds": list(settings.seeds),
            "requests": settings.requests,
            "weights": asdict(settings.plan.weights),
            "feedback": dict(settings.plan.feedback),
            "scores": settings.plan.scores,
            "missing": settings.missing,
            "late": settings.late,
            "max_delay": settings.max_delay,
        },
        "runs": [asdict(r) for r in runs],
        "errors": list(errors),
        "seconds": seconds,
    }


async def run_all(settings: Settings, directory: Path) -> tuple[list[Run], list[str]]:
    runs: list[Run] = []
    errors: list[str] = []
    for scenario in settings.scenarios:
        done = []
        for seed in settings.seeds:
            try:
                done.append(await run_one(scenario, seed, settings, directory))
            except HarnessError as e:
                errors.append(f"{scenario.name}, seed {seed}: {e}")
                print(f"HARNESS ERROR {scenario.name}, seed {seed}: {e}", file=sys.stderr)
        if done:
            print_scenario(scenario, done, settings.requests)
            if scenario.change in ("none", "drop", "new_model"):
                print_learned(done[0])
        runs += done
    return runs, errors


def parse(argv: Sequence[str] | None) -> tuple[Settings, Path]:
    p = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--requests", type=int, default=REQUESTS, help="per scenario and seed")
    p.add_argument(
        "--scenarios", nargs="+", choices=[s.name for s in SCENARIOS], default=[s.name for s in SCENARIOS]
    )
    p.add_argument("--quality-weight", type=float, default=QUALITY_WEIGHT, help="cost gets the rest")
    p.add_argument(
        "--prior-weight", type=float, help="feedback.prior_weight (the server's default if not given)"
    )
    p.add_argument("--half-life", type=float, help="feedback.half_life_scores")
    p.add_argument("--drift-scores", type=int, help="feedback.drift_scores")
    p.add_argument("--scores", choices=["bernoulli", "beta"], default="bernoulli")
    p.add_argument("--missing", type=float, default=MISSING, help="share of answers never scored")
    p.add_argument("--late", type=float, default=LATE, help="share of scored answers scored late")
    p.add_argument(
        "--max-delay", type=int, default=MAX_DELAY, help="a late score comes 1..this many requests later"
    )
    p.add_argument("--output", type=Path, default=RESULTS)
    a = p.parse_args(argv)
    feedback: dict[str, float | int] = {}
    for key, value in (
        ("prior_weight", a.prior_weight),
        ("half_life_scores", a.half_life),
        ("drift_scores", a.drift_scores),
    ):
        if value is not None:
            feedback[key] = value
    plan = Plan(Weights(a.quality_weight, 1 - a.quality_weight), feedback, a.scores)
    scenarios = tuple(BY_NAME[name] for name in a.scenarios)
    return Settings(tuple(a.seeds), a.requests, scenarios, plan, a.missing, a.late, a.max_delay), a.output


def main(argv: Sequence[str] | None = None) -> int:
    settings, output = parse(argv)
    started = time.perf_counter()
    w = settings.plan.weights
    print(
        f"routing benchmark: {len(settings.scenarios)} scenarios x seeds {list(settings.seeds)}, "
        f"{settings.requests} requests each; weights quality {w.quality:g} cost {w.cost:g}; "
        f"feedback {dict(settings.plan.feedback) or 'server defaults'}; {settings.plan.scores} scores, "
        f"{settings.missing:.0%} never sent, {settings.late:.0%} of the rest "
        f"1..{settings.max_delay} requests late"
    )
    with tempfile.TemporaryDirectory(prefix="bench-routing-") as tmp:
        runs, errors = asyncio.run(run_all(settings, Path(tmp)))
    seconds = time.perf_counter() - started
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document(settings, runs, errors, seconds), indent=1))
    print(f"\n{len(runs)} runs in {seconds:.0f} s; written to {output}")
    for r in runs:
        for a in r.aims:
            print(f"aim {_verdict(a)}: {r.scenario}, seed {r.seed}: {a.name} ({a.detail})")
    if errors:
        print(f"harness errors ({len(errors)}): the figures are incomplete", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
