"""The routing benchmark's figures (`bench/routing.py`): each policy's quality and cost as a
share of the best single model's, its regret against the oracle over time, and how fast the
learned router follows a change (a degraded model's share falling, a cheaper or a new model's
share rising)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.routing_world import DEGRADED, MAIN_TASK, NEWCOMER, PRICE_CUT, TASKS, Judge, Outcome

WINDOW = 250  # requests per regret window (at the least), and per share at a half's end
REGRET_WINDOWS = 16  # a longer run's regret is printed over this many windows
SHARE_WINDOW = 50  # requests of one task over which a model's share is taken
DROPPED_SHARE = 0.10  # a degraded model's share is "gone" below this
TAKEN_SHARE = 0.50  # a model the oracle now prefers has "taken over" at this share
CLEAR_MARGIN = 0.02  # a model "wins" a task when its true score beats the next one's by this much
AIM_QUALITY_PCT, AIM_COST_PCT = 97.0, 35.0  # stationary: of the best single model's
AIM_DROP_REQUESTS = 300  # the degraded model's share below DROPPED_SHARE within this many of its task
TESTED_SHARE = 0.5  # the drop tests the router only if the model had at least this share before it


@dataclass(frozen=True)
class PolicyFigures:
    policy: str
    quality_pct: float  # total expected quality as % of the best single model's
    cost_pct: float  # total cost as % of the best single model's
    quality: float  # mean expected quality per request
    cost_per_1k_usd: float
    regret_per_request: float  # mean utility regret against the oracle
    quality_vs_oracle_pct: float
    late_quality_pct: float  # the same two over the second half only (after the switch):
    late_cost_pct: float  # learning done, or a change followed


def figures(
    policy: str, outcomes: Sequence[Outcome], best: Sequence[Outcome], oracle: Sequence[Outcome], switch: int
) -> PolicyFigures:
    n = len(outcomes)
    quality = sum(o.quality for o in outcomes)
    cost = sum(o.cost for o in outcomes)
    return PolicyFigures(
        policy,
        100 * quality / sum(o.quality for o in best),
        100 * cost / sum(o.cost for o in best),
        quality / n,
        1000 * cost / n,
        sum(o.regret for o in outcomes) / n,
        100 * quality / sum(o.quality for o in oracle),
        100 * sum(o.quality for o in outcomes[switch:]) / sum(o.quality for o in best[switch:]),
        100 * sum(o.cost for o in outcomes[switch:]) / sum(o.cost for o in best[switch:]),
    )


@dataclass(frozen=True)
class Windows:
    """Regret against the oracle per window of `size` requests."""

    size: int
    regret_per_request: list[float]  # mean utility regret in each window
    cumulative: list[float]  # total regret at each window's end
    quality_vs_oracle_pct: list[float]


def windows(outcomes: Sequence[Outcome], oracle: Sequence[Outcome]) -> Windows:
    size = max(WINDOW, len(outcomes) // REGRET_WINDOWS)
    per, cumulative, quality = [], [], []
    total = 0.0
    for start in range(0, len(outcomes), size):
        part, best = outcomes[start : start + size], oracle[start : start + size]
        regret = sum(o.regret for o in part)
        total += regret
        per.append(regret / len(part))
        cumulative.append(total)
        quality.append(100 * sum(o.quality for o in part) / sum(o.quality for o in best))
    return Windows(size, per, cumulative, quality)


def _first_window(
    choices: Sequence[str], model: str, below: float | None, at_least: float | None, size: int
) -> int | None:
    """The number of requests after which the model's share over the last `size` of them first
    is below `below` (or at least `at_least`); None if it never is. At least `size`."""
    for end in range(size, len(choices) + 1):
        share = sum(1 for c in choices[end - size : end] if c == model) / size
        if (below is not None and share < below) or (at_least is not None and share >= at_least):
            return end
    return None


@dataclass(frozen=True)
class Adaptation:
    """How the router followed the switch, over the requests of the tasks concerned."""

    model: str
    tasks: list[str]  # the tasks whose requests are counted
    share_before: float  # the model's share of those tasks' requests in the first half's last WINDOW
    requests_until: int | None  # requests of those tasks after the switch until the share crossed
    answered_after: int  # requests of those tasks the model answered after the switch
    first_tried: int | None  # requests of those tasks after the switch before the model first answered one
    share_at_end: float  # its share of those tasks' last WINDOW requests
    oracle_share_at_end: float


def adaptation(judge: Judge, choices: Sequence[str]) -> Adaptation | None:
    change = judge.scenario.change
    if change == "none":
        return None
    switch = judge.switch
    if change == "drop":
        model, tasks = DEGRADED, [MAIN_TASK]
    else:
        model = PRICE_CUT if change == "price_cut" else NEWCOMER.id
        # The tasks the change gave the model, clearly: where it is barely ahead a share near half
        # is right, and where it was the best already there is nothing to follow.
        tasks = [
            t
            for t in TASKS
            if judge.clear_winner(switch, t, CLEAR_MARGIN) == model and judge.clear_winner(0, t, 0.0) != model
        ]
    before = [choices[r.index] for r in judge.requests[:switch] if r.task in tasks]
    after_requests = [r for r in judge.requests[switch:] if r.task in tasks]
    after = [choices[r.index] for r in after_requests]
    oracle_end = [judge.oracle_choice(r) for r in after_requests[-WINDOW:]]
    crossed = (
        _first_window(after, model, DROPPED_SHARE, None, SHARE_WINDOW)
        if change == "drop"
        else _first_window(after, model, None, TAKEN_SHARE, SHARE_WINDOW)
    )
    first = next((k for k, c in enumerate(after) if c == model), None)
    return Adaptation(
        model,
        tasks,
        _share(before[-WINDOW:], model),
        crossed,
        sum(1 for c in after if c == model),
        first,
        _share(after[-WINDOW:], model),
        _share(oracle_end, model),
    )


def _share(choices: Sequence[str], model: str) -> float:
    return sum(1 for c in choices if c == model) / len(choices) if choices else 0.0


def picks(judge: Judge, choices: Sequence[str], half: int) -> dict[str, dict[str, int]]:
    """Per task, how often each model answered in the first (0) or second (1) half."""
    part = range(0, judge.switch) if half == 0 else range(judge.switch, len(choices))
    counts: dict[str, Counter[str]] = {t: Counter() for t in TASKS}
    for i in part:
        counts[judge.requests[i].task][choices[i]] += 1
    return {t: dict(c.most_common()) for t, c in counts.items()}


@dataclass(frozen=True)
class Aim:
    name: str
    met: bool | None  # None: the run did not put it to the test
    detail: str


def aims(judge: Judge, learned: PolicyFigures, change: Adaptation | None) -> list[Aim]:
    out: list[Aim] = []
    if judge.scenario.name == "stationary":
        out.append(
            Aim(
                f"quality >= {AIM_QUALITY_PCT:g}% at cost <= {AIM_COST_PCT:g}% of the best single model",
                learned.quality_pct >= AIM_QUALITY_PCT and learned.cost_pct <= AIM_COST_PCT,
                f"{learned.quality_pct:.1f}% at {learned.cost_pct:.1f}%",
            )
        )
    if change is not None and judge.scenario.change == "drop":
        n = change.requests_until
        detail = "never" if n is None else f"after {n}"
        met: bool | None = n is not None and n <= AIM_DROP_REQUESTS
        # A model the router had not settled on shows nothing by falling out of use.
        if change.share_before < TESTED_SHARE:
            met = None
            detail += f"; but it answered only {change.share_before:.0%} of {MAIN_TASK} before the drop"
        out.append(
            Aim(
                f"{change.model}'s {MAIN_TASK} share below {DROPPED_SHARE:.0%} within {AIM_DROP_REQUESTS} "
                f"{MAIN_TASK} requests (over the last {SHARE_WINDOW})",
                met,
                detail,
            )
        )
    return out
