"""Which models may serve a request, and why each other one may not.

Checks run in a fixed order and the first that fails names the rejection, so the
reason a caller sees is stable: the caller's own lists (include/exclude), health,
then what the model is (capabilities, labels, context), then what the request
would get from it (quality, cost, latency)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from modelrouter.domain import Candidate, Health, Rejection, RejectReason, Requirements
from modelrouter.live import ModelState


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Eligible candidates (with their estimates) and the rejections, in registry order."""

    candidates: tuple[Candidate, ...]
    rejections: tuple[Rejection, ...]


def evaluate(
    models: Iterable[ModelState], req: Requirements, input_tokens: int, output_tokens: int
) -> Evaluation:
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    context_needed = max(req.min_context_tokens, input_tokens + output_tokens)
    for state in models:
        spec = state.spec
        mid = spec.id
        if req.include_models and mid not in req.include_models:
            rejections.append(Rejection(mid, RejectReason.NOT_INCLUDED, "not in include_models"))
            continue
        if mid in req.exclude_models:
            rejections.append(Rejection(mid, RejectReason.EXCLUDED, "listed in exclude_models"))
            continue
        if state.health == Health.UNHEALTHY:
            rejections.append(Rejection(mid, RejectReason.UNHEALTHY, "no healthy deployment"))
            continue
        if not req.capabilities <= spec.capabilities:
            missing = ", ".join(sorted(req.capabilities - spec.capabilities))
            rejections.append(Rejection(mid, RejectReason.MISSING_CAPABILITY, f"lacks {missing}"))
            continue
        if req.labels:
            wrong = [k for k, v in req.labels.items() if spec.labels.get(k) != v]
            if wrong:
                k = wrong[0]
                have = spec.labels.get(k)
                rejections.append(
                    Rejection(
                        mid,
                        RejectReason.LABEL_MISMATCH,
                        f"label {k}={have!r} (required {req.labels[k]!r})"
                        if have is not None
                        else f"no label {k}",
                    )
                )
                continue
        if spec.context_window < context_needed:
            rejections.append(
                Rejection(
                    mid,
                    RejectReason.CONTEXT_TOO_SMALL,
                    f"context window {spec.context_window} < {context_needed} tokens needed",
                )
            )
            continue
        quality = spec.quality_for(req.task)
        if quality < req.min_quality:
            rejections.append(
                Rejection(
                    mid, RejectReason.BELOW_QUALITY, f"quality {quality:g} < min_quality {req.min_quality:g}"
                )
            )
            continue
        cost = spec.pricing.cost(input_tokens, output_tokens)
        if req.max_cost_usd and cost > req.max_cost_usd:
            rejections.append(
                Rejection(
                    mid, RejectReason.OVER_COST, f"estimated ${cost:.6g} > max_cost_usd ${req.max_cost_usd:g}"
                )
            )
            continue
        latency = state.latency.full_answer_ms(output_tokens)
        if req.max_latency_ms and latency > req.max_latency_ms:
            rejections.append(
                Rejection(
                    mid,
                    RejectReason.OVER_LATENCY,
                    f"expected {latency:.0f} ms > max_latency_ms {req.max_latency_ms:g}",
                )
            )
            continue
        candidates.append(Candidate(spec, quality, cost, latency, state.success_rate))
    return Evaluation(tuple(candidates), tuple(rejections))
