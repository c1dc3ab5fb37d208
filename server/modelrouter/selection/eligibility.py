"""Which models may serve a request, and why each other one may not.

Checks run in a fixed order and the first that fails names the rejection, so the
reason a caller sees is stable: the caller's own lists (include/exclude), health,
then what the model is (capabilities, labels, context), then what the request
would get from it (quality, cost, latency).

This loop runs for every model on every uncached decision, so it reads each
field once into a local and builds nothing for an eligible model but its
`Candidate`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from modelrouter.domain import Candidate, Health, Rejection, RejectReason, Requirements
from modelrouter.live import ModelState

_UNHEALTHY = Health.UNHEALTHY
_NOT_INCLUDED = RejectReason.NOT_INCLUDED
_EXCLUDED = RejectReason.EXCLUDED
_UNHEALTHY_REASON = RejectReason.UNHEALTHY
_MISSING_CAPABILITY = RejectReason.MISSING_CAPABILITY
_LABEL_MISMATCH = RejectReason.LABEL_MISMATCH
_CONTEXT_TOO_SMALL = RejectReason.CONTEXT_TOO_SMALL
_BELOW_QUALITY = RejectReason.BELOW_QUALITY
_OVER_COST = RejectReason.OVER_COST
_OVER_LATENCY = RejectReason.OVER_LATENCY


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Eligible candidates (with their estimates) and the rejections, in registry order."""

    candidates: tuple[Candidate, ...]
    rejections: tuple[Rejection, ...]
    input_tokens: int
    output_tokens: int


def evaluate(
    models: Iterable[ModelState], req: Requirements, input_tokens: int, output_tokens: int
) -> Evaluation:
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    reject = rejections.append
    accept = candidates.append
    context_needed = max(req.min_context_tokens, input_tokens + output_tokens)
    include = req.include_models
    exclude = req.exclude_models
    capabilities = req.capabilities
    labels = req.labels
    task = req.task
    min_quality = req.min_quality
    max_cost = req.max_cost_usd
    max_latency = req.max_latency_ms
    for state in models:
        spec = state.spec
        mid = spec.id
        if include is not None and mid not in include:
            reject(Rejection(mid, _NOT_INCLUDED, "not in include_models"))
            continue
        if mid in exclude:
            reject(Rejection(mid, _EXCLUDED, "listed in exclude_models"))
            continue
        if state.health is _UNHEALTHY:
            reject(Rejection(mid, _UNHEALTHY_REASON, "no healthy deployment"))
            continue
        if capabilities and not capabilities <= spec.capabilities:
            missing = ", ".join(sorted(capabilities - spec.capabilities))
            reject(Rejection(mid, _MISSING_CAPABILITY, f"lacks {missing}"))
            continue
        if labels:
            mismatch = _label_mismatch(labels, spec.labels)
            if mismatch:
                reject(Rejection(mid, _LABEL_MISMATCH, mismatch))
                continue
        if spec.context_window < context_needed:
            reject(
                Rejection(
                    mid,
                    _CONTEXT_TOO_SMALL,
                    f"context window {spec.context_window} < {context_needed} tokens needed",
                )
            )
            continue
        quality = spec.quality.get(task) if task else None
        if quality is None:
            quality = spec.quality["default"]
        if quality < min_quality:
            reject(Rejection(mid, _BELOW_QUALITY, f"quality {quality:g} < min_quality {min_quality:g}"))
            continue
        pricing = spec.pricing
        cost = (input_tokens * pricing.input_per_mtok + output_tokens * pricing.output_per_mtok) / 1e6
        if max_cost and cost > max_cost:
            reject(Rejection(mid, _OVER_COST, f"estimated ${cost:.6g} > max_cost_usd ${max_cost:g}"))
            continue
        latency_profile = state.latency
        latency = latency_profile.ttft_ms + output_tokens * 1000.0 / latency_profile.tokens_per_s
        if max_latency and latency > max_latency:
            reject(
                Rejection(mid, _OVER_LATENCY, f"expected {latency:.0f} ms > max_latency_ms {max_latency:g}")
            )
            continue
        accept(Candidate(mid, quality, cost, latency, state.success_rate))
    return Evaluation(tuple(candidates), tuple(rejections), input_tokens, output_tokens)


def _label_mismatch(required: tuple[tuple[str, str], ...], labels: Mapping[str, str]) -> str:
    for key, value in required:
        actual = labels.get(key)
        if actual != value:
            if actual is None:
                return f"no label {key}"
            return f"label {key}={actual!r} (required {value!r})"
    return ""
