"""Advice drawn from the figures. Each suggestion names the model or deployment
and the figure behind it, and only speaks on enough evidence: a healthy, quiet
run gives none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modelrouter.domain import Pricing
from modelrouter.usage.figures import Figures

# Evidence needed before speaking, and the figures that make a suggestion.
MIN_CALLS = 20
FAILURE_RATE = 0.20
MIN_CHOICES = 20
CHEAPER_SHARE = 0.80
MIN_LOOKUPS = 100
LOW_HIT_RATE = 0.10
SATURATION = 0.90


@dataclass(frozen=True, slots=True)
class ModelView:
    model: str
    recent: Figures
    pricing: Pricing
    deployments: Sequence[tuple[str, Figures, int]]
    """(name, recent figures, max_concurrency) per deployment."""


def suggest(
    models: Sequence[ModelView],
    choices: Mapping[tuple[str, tuple[str, ...]], int],
    cache_hits: int,
    cache_misses: int,
    window_s: float,
    tokens: tuple[int, int],
) -> list[str]:
    out: list[str] = []
    span = _span(window_s)
    for m in models:
        out += _failing(m, span)
        out += _saturated(m, span)
    out += _cheaper(models, choices, tokens)
    out += _cache(cache_hits, cache_misses)
    return out


def _span(window_s: float) -> str:
    return f"{window_s / 60:g} min" if window_s >= 60 else f"{window_s:g} s"


def _failing(m: ModelView, span: str) -> list[str]:
    f = m.recent
    if f.requests < MIN_CALLS or f.failures / f.requests < FAILURE_RATE:
        return []
    top = sorted(f.failures_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    reasons = ", ".join(f"{reason} {n}" for reason, n in top)
    return [
        f"model {m.model} failed {f.failures} of its {f.requests} calls ({f.failures / f.requests:.0%}) "
        f"in the last {span} ({reasons}): check its deployments, or exclude it until it recovers"
    ]


def _saturated(m: ModelView, span: str) -> list[str]:
    out = []
    for name, f, limit in m.deployments:
        tried = f.requests + f.refused
        if tried >= MIN_CALLS and f.saturation >= SATURATION:
            out.append(
                f"deployment {m.model}/{name} was at its max_concurrency of {limit} for "
                f"{f.saturation:.0%} of its {tried} calls in the last {span} ({f.refused} refused): "
                "raise max_concurrency if the upstream can take it, or add a deployment"
            )
    return out


def _cheaper(
    models: Sequence[ModelView], choices: Mapping[tuple[str, tuple[str, ...]], int], tokens: tuple[int, int]
) -> list[str]:
    chosen: dict[str, int] = {}
    cheaper: dict[tuple[str, str], int] = {}
    for (model, alternatives), n in choices.items():
        chosen[model] = chosen.get(model, 0) + n
        for alt in alternatives:
            cheaper[(model, alt)] = cheaper.get((model, alt), 0) + n
    pricing = {m.model: m.pricing for m in models}
    out = []
    for (model, alt), n in sorted(cheaper.items()):
        total = chosen[model]
        if model not in pricing or alt not in pricing or total < MIN_CHOICES or n / total < CHEAPER_SHARE:
            continue
        mine, theirs = pricing[model].cost(*tokens), pricing[alt].cost(*tokens)
        saving = f", and costs {1 - theirs / mine:.0%} less per call" if mine > 0 else ""
        out.append(
            f"model {alt} met the requirements of {n} of the {total} selections that chose {model} "
            f"({n / total:.0%}){saving} at {tokens[0]} input and {tokens[1]} output tokens: "
            "a cost_aware strategy or a max_cost_usd would route them there"
        )
    return out


def _cache(hits: int, misses: int) -> list[str]:
    lookups = hits + misses
    if lookups < MIN_LOOKUPS or hits / lookups >= LOW_HIT_RATE:
        return []
    return [
        f"the response cache answered {hits} of {lookups} lookups ({hits / lookups:.0%}): "
        "requests rarely repeat, so set cache.default_policy: never (or CACHE_POLICY_BYPASS) "
        "to save the lookups and the memory"
    ]
