"""The routing benchmark's hidden world (`bench/routing.py`): six models over a 100x price
spread, six tasks, a true quality per (model, task) that the router never sees, the
scenarios that change it halfway, the seeded requests, and what each fixed policy
(always one model, random, the oracle that knows the table) would have got.

A request's outcome is judged by the table, never by the score the router was sent: the
quality of an answer is the chosen model's true quality for the task (the expected score),
its cost the model's price for the request's fixed token counts. Scores sent as feedback are
drawn from the same table: Bernoulli (a thumbs up with probability q: the noisiest kind) or
Beta around q."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from modelrouter.selection.strategies.weighted import COST_FLOOR_USD

# Every request states its token counts, so the router's cost estimate is exactly the table's.
INPUT_TOKENS, OUTPUT_TOKENS = 1000, 250
OUTPUT_PRICE_RATIO = 4.0  # output tokens cost this many times input tokens, for every model

TASKS: Mapping[str, float] = {  # the task mix: chat is the main task
    "chat": 0.40,
    "code": 0.15,
    "summarize": 0.15,
    "reasoning": 0.10,
    "extract": 0.10,
    "translate": 0.10,
}
MAIN_TASK = "chat"


@dataclass(frozen=True)
class Model:
    id: str
    price: float  # USD per million input tokens; output costs OUTPUT_PRICE_RATIO times more
    quality: Mapping[str, float]  # the truth, per task; the router is configured otherwise

    @property
    def cost_usd(self) -> float:
        """What one benchmark request costs on this model."""
        return (INPUT_TOKENS * self.price + OUTPUT_TOKENS * self.price * OUTPUT_PRICE_RATIO) / 1e6


def _model(model_id: str, price: float, *quality: float) -> Model:
    return Model(model_id, price, dict(zip(TASKS, quality, strict=True)))


# The dearest is the best single model over the mix; each cheaper one is nearly as good at
# something (large even better at chat), and reasoning needs the dearest.
#                       price   chat  code  summ  reas  extr  trans
MODELS: tuple[Model, ...] = (
    _model("tiny", 0.10, 0.62, 0.35, 0.70, 0.25, 0.80, 0.60),
    _model("small", 0.25, 0.70, 0.50, 0.84, 0.35, 0.86, 0.72),
    _model("medium", 0.60, 0.80, 0.62, 0.85, 0.50, 0.87, 0.86),
    _model("large", 1.50, 0.90, 0.75, 0.86, 0.65, 0.88, 0.87),
    _model("xl", 4.00, 0.86, 0.89, 0.86, 0.80, 0.88, 0.88),
    _model("frontier", 10.0, 0.89, 0.90, 0.88, 0.92, 0.89, 0.89),
)
# The model added by reload: cheap, the best at code and good at reasoning, poor elsewhere.
NEWCOMER = _model("newcomer", 0.30, 0.60, 0.93, 0.60, 0.86, 0.60, 0.60)
DEGRADED, DEGRADED_QUALITY = "large", 0.40  # the drop: the main task's best model, to this
PRICE_CUT, PRICE_CUT_FACTOR = "frontier", 10.0  # the price cut: the dearest model, tenfold


Priors = Literal["flat", "wrong"]
Change = Literal["none", "drop", "price_cut", "new_model"]


@dataclass(frozen=True)
class Scenario:
    name: str
    priors: Priors  # what the configuration claims: 0.5 everywhere, or another model's qualities
    change: Change  # what happens at the switch, halfway
    summary: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("stationary", "flat", "none", "nothing changes; configured qualities all 0.5"),
    Scenario("stationary-wrong", "wrong", "none", "nothing changes; each model configured with another's"),
    Scenario("drop", "flat", "drop", f"halfway {DEGRADED}'s {MAIN_TASK} quality falls to {DEGRADED_QUALITY}"),
    Scenario("price-cut", "flat", "price_cut", f"halfway {PRICE_CUT}'s price is cut {PRICE_CUT_FACTOR:g}x"),
    Scenario("new-model", "flat", "new_model", f"halfway {NEWCOMER.id} is added by reload"),
)
BY_NAME = {s.name: s for s in SCENARIOS}


def worlds(scenario: Scenario) -> tuple[tuple[Model, ...], tuple[Model, ...]]:
    """The models before and after the switch."""
    before = MODELS
    if scenario.change == "drop":
        after = tuple(
            replace(m, quality={**m.quality, MAIN_TASK: DEGRADED_QUALITY}) if m.id == DEGRADED else m
            for m in before
        )
    elif scenario.change == "price_cut":
        after = tuple(
            replace(m, price=m.price / PRICE_CUT_FACTOR) if m.id == PRICE_CUT else m for m in before
        )
    elif scenario.change == "new_model":
        after = (*before, NEWCOMER)
    else:
        after = before
    return before, after


def configured_quality(models: Sequence[Model], priors: Priors) -> dict[str, dict[str, float]]:
    """What the configuration says of each model: flat 0.5, or (wrong) the true qualities of
    the model three places on, so the cheap claim to be good and the good to be poor."""
    if priors == "flat":
        return {m.id: {"default": 0.5} | dict.fromkeys(TASKS, 0.5) for m in models}
    rows = [m.quality for m in MODELS]
    claimed = {m.id: dict(rows[(i + 3) % len(rows)]) for i, m in enumerate(MODELS)}
    return {m.id: {"default": 0.5} | claimed.get(m.id, dict.fromkeys(TASKS, 0.5)) for m in models}


@dataclass(frozen=True)
class Weights:
    quality: float
    cost: float

    def normalised(self) -> tuple[float, float]:
        total = self.quality + self.cost
        return self.quality / total, self.cost / total


def utilities(models: Sequence[Model], task: str, weights: Weights) -> dict[str, float]:
    """Each model's score as the router's `weighted` computes it (cost on a log scale between
    the cheapest and the dearest model), with the true quality in place of the configured one:
    what the router would maximise if it knew the table."""
    wq, wc = weights.normalised()
    logs = {m.id: math.log(m.cost_usd + COST_FLOOR_USD) for m in models}
    worst = max(logs.values())
    span = worst - min(logs.values())
    return {
        m.id: wq * m.quality[task] + wc * (1.0 if span <= 0 else (worst - logs[m.id]) / span) for m in models
    }


@dataclass(frozen=True)
class Request:
    index: int
    task: str
    feedback_delay: int | None  # requests later its score is sent (0: at once); None: never
    draw: float  # uniform in [0, 1): a Bernoulli score is 1 when below the quality
    noise_seed: int  # a Beta score's own generator


def requests(n: int, seed: int, missing: float, late: float, max_delay: int) -> list[Request]:
    """`n` requests over the task mix; `missing` of them never scored, `late` of the rest
    scored 1..`max_delay` requests later. The same seed gives the same requests and draws."""
    rng = random.Random(seed)
    tasks, shares = list(TASKS), list(TASKS.values())
    out = []
    for i in range(n):
        task = rng.choices(tasks, shares)[0]
        delay: int | None = None
        if rng.random() >= missing:
            delay = rng.randint(1, max_delay) if rng.random() < late else 0
        out.append(Request(i, task, delay, rng.random(), rng.getrandbits(32)))
    return out


ScoreKind = Literal["bernoulli", "beta"]
BETA_CONCENTRATION = 10.0  # Beta(q k, (1 - q) k): mean q, sd about 0.1 for q near 0.8


def score(quality: float, request: Request, kind: ScoreKind) -> float:
    if kind == "bernoulli":
        return 1.0 if request.draw < quality else 0.0
    rng = random.Random(request.noise_seed)
    return rng.betavariate(quality * BETA_CONCENTRATION, (1 - quality) * BETA_CONCENTRATION)


@dataclass(frozen=True)
class Outcome:
    """One request's result under a policy: expected quality, cost, and utility regret
    against the oracle."""

    quality: float
    cost: float
    regret: float


class Judge:
    """Judges choices by the hidden table, and computes the fixed policies."""

    def __init__(self, scenario: Scenario, reqs: Sequence[Request], weights: Weights) -> None:
        self.scenario = scenario
        self.requests = reqs
        self.switch = len(reqs) // 2
        self.before, self.after = worlds(scenario)
        self.weights = weights
        self._utilities = {
            (phase, task): utilities(models, task, weights)
            for phase, models in ((0, self.before), (1, self.after))
            for task in TASKS
        }

    def world(self, index: int) -> tuple[Model, ...]:
        return self.before if index < self.switch else self.after

    def model(self, index: int, model_id: str) -> Model:
        return next(m for m in self.world(index) if m.id == model_id)

    def utility(self, index: int, task: str) -> dict[str, float]:
        return self._utilities[(0 if index < self.switch else 1, task)]

    def oracle_choice(self, request: Request) -> str:
        """The model with the best true utility; equal ones go to the cheaper (as `weighted` does)."""
        u = self.utility(request.index, request.task)
        world = self.world(request.index)
        return min(world, key=lambda m: (-u[m.id], m.cost_usd, m.id)).id

    def clear_winner(self, index: int, task: str, margin: float) -> str | None:
        """The model whose true score on `task` (at request `index`) beats every other's by at
        least `margin`; None when the best are closer than that (no router could tell)."""
        ranked = sorted(self.utility(index, task).items(), key=lambda kv: -kv[1])
        (best, top), (_, second) = ranked[0], ranked[1]
        return best if top - second >= margin else None

    def outcome(self, request: Request, model_id: str) -> Outcome:
        m = self.model(request.index, model_id)
        u = self.utility(request.index, request.task)
        return Outcome(m.quality[request.task], m.cost_usd, max(u.values()) - u[model_id])

    def judge(self, choices: Sequence[str]) -> list[Outcome]:
        return [self.outcome(r, c) for r, c in zip(self.requests, choices, strict=True)]

    def always(self, model_id: str) -> list[Outcome]:
        return self.judge([model_id] * len(self.requests))

    def oracle(self) -> list[str]:
        return [self.oracle_choice(r) for r in self.requests]

    def random(self) -> list[Outcome]:
        """Uniform over the models in force: each request's expected outcome."""
        out = []
        for r in self.requests:
            each = [self.outcome(r, m.id) for m in self.world(r.index)]
            n = len(each)
            out.append(
                Outcome(
                    sum(o.quality for o in each) / n,
                    sum(o.cost for o in each) / n,
                    sum(o.regret for o in each) / n,
                )
            )
        return out

    def fixed_models(self) -> list[str]:
        """The models there from the first request to the last: the candidates for always-X."""
        later = {m.id for m in self.after}
        return [m.id for m in self.before if m.id in later]

    def best_single(self) -> str:
        """The fixed model with the best total quality over the run (hindsight); equal: cheaper."""
        return max(
            self.fixed_models(),
            key=lambda mid: (sum(o.quality for o in self.always(mid)), -self.model(0, mid).cost_usd),
        )

    def cheapest(self) -> str:
        return min(self.fixed_models(), key=lambda mid: self.model(0, mid).cost_usd)


def config(
    scenario: Scenario,
    models: Sequence[Model],
    weights: Weights,
    feedback: Mapping[str, float | int],
) -> dict[str, Any]:
    """The router's configuration for one phase: the models with their configured (not true)
    qualities, `smart` (learned) and `static` (weighted) with the same weights, in-memory usage,
    no response cache, no probes, no access log."""
    claimed = configured_quality(models, scenario.priors)
    entries = [
        {
            "id": m.id,
            "provider": "simulated",
            "capabilities": ["chat"],
            "context_window": 128000,
            "pricing": {"input_per_mtok": m.price, "output_per_mtok": m.price * OUTPUT_PRICE_RATIO},
            "quality": claimed[m.id],
            "simulate": {"ttft_ms": 0.0, "tokens_per_s": 1e9, "reply": "ok"},
        }
        for m in models
    ]
    w = {"quality": weights.quality, "cost": weights.cost, "latency": 0.0}
    out: dict[str, Any] = {
        "server": {"default_strategy": "smart", "access_log": False},
        "models": entries,
        "strategies": {
            "smart": {"kind": "learned", "weights": w},
            "static": {"kind": "weighted", "weights": w | {"reliability": 0.0}},
        },
        "cache": {"default_policy": "never"},
        "usage": {"store": "memory"},
        "health": {"check_interval_s": 0},
    }
    if feedback:
        out["feedback"] = dict(feedback)
    return out
