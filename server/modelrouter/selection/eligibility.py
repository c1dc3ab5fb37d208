"""Which models may serve a request, and why each other one may not.

Checks run in a fixed order and the first that fails names the rejection, so the
reason a caller sees is stable: the caller's tenant's models, the caller's own
lists (include/exclude), draining, health,
then what the model is (capabilities, labels, context), then what the request
would get from it (quality, cost, latency), and last its budget.

The first group depends only on the request's lists, capabilities and labels and
on health and draining, not on its token counts: its outcome is kept per
distinct set of them (until health or a deployment's state changes), so most
requests only run the checks that depend on their counts. Rejections come in
that order too: those of the first group, then the others, each in registry
order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from cachetools import LRUCache

from modelrouter.domain import Candidate, Health, Rejection, RejectReason, Requirements
from modelrouter.errors import clip
from modelrouter.live import LiveState, ModelState

_UNHEALTHY = Health.UNHEALTHY
# Outcomes of the static checks kept per distinct set of static requirements
# (`Eligibility._static`); callers rarely use more than a few.
# Rule: LRU, at most MAX_STATIC_ENTRIES entries, all dropped when health or budgets change.
MAX_STATIC_ENTRIES = 1024

# Candidate's own constructor is a Python function; tuple's is not.
new_candidate = partial(tuple.__new__, Candidate)

StaticKey = tuple[
    frozenset[str] | None, frozenset[str] | None, frozenset[str], frozenset[str], tuple[tuple[str, str], ...]
]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Eligible candidates (with their estimates) and the rejections."""

    candidates: tuple[Candidate, ...]
    rejections: tuple[Rejection, ...]
    input_tokens: int
    output_tokens: int
    task: str = ""
    """The task the requirements name (a strategy's own when the request names none)."""


class Eligibility:
    """Evaluates requirements against the live registry; built once at start-up."""

    def __init__(self, live: LiveState) -> None:
        self._models = tuple(live.models.values())
        self._static: LRUCache[StaticKey, tuple[tuple[ModelState, ...], tuple[Rejection, ...]]] = LRUCache(
            MAX_STATIC_ENTRIES
        )
        live.on_change(self._drop_static)

    def _drop_static(self) -> None:
        # A new LRUCache, not LRUCache.clear(), which pops entries one at a time.
        self._static = LRUCache(MAX_STATIC_ENTRIES)

    def evaluate(
        self, req: Requirements, input_tokens: int, output_tokens: int, allowed: frozenset[str] | None = None
    ) -> Evaluation:
        """`allowed`: the models the caller's tenant may use (None: every model)."""
        key = (allowed, req.include_models, req.exclude_models, req.capabilities, req.labels)
        static = self._static.get(key)
        if static is None:
            static = self._static[key] = _static_filter(self._models, req, allowed)
        survivors, rejected = static
        candidates, dynamic = _dynamic_filter(survivors, req, input_tokens, output_tokens)
        return Evaluation(
            candidates, rejected + dynamic if dynamic else rejected, input_tokens, output_tokens, req.task
        )


def _static_filter(
    models: tuple[ModelState, ...], req: Requirements, allowed: frozenset[str] | None
) -> tuple[tuple[ModelState, ...], tuple[Rejection, ...]]:
    """The checks that do not depend on token counts: lists, health, capabilities, labels."""
    survivors: list[ModelState] = []
    rejections: list[Rejection] = []
    include, exclude, capabilities, labels = (
        req.include_models,
        req.exclude_models,
        req.capabilities,
        req.labels,
    )
    for state in models:
        spec = state.spec
        mid = spec.id
        if allowed is not None and mid not in allowed:
            rejections.append(Rejection(mid, RejectReason.NOT_ALLOWED, "not among your tenant's models"))
        elif include is not None and mid not in include:
            rejections.append(Rejection(mid, RejectReason.NOT_INCLUDED, "not in include_models"))
        elif mid in exclude:
            rejections.append(Rejection(mid, RejectReason.EXCLUDED, "listed in exclude_models"))
        elif state.draining:
            rejections.append(Rejection(mid, RejectReason.DRAINING, "every deployment is draining"))
        elif state.health is _UNHEALTHY:
            rejections.append(Rejection(mid, RejectReason.UNHEALTHY, "no healthy deployment"))
        elif capabilities and not capabilities <= spec.capabilities:
            rejections.append(
                Rejection(mid, RejectReason.MISSING_CAPABILITY, _lacks(capabilities - spec.capabilities))
            )
        elif labels and (mismatch := _label_mismatch(labels, spec.labels)):
            rejections.append(Rejection(mid, RejectReason.LABEL_MISMATCH, mismatch))
        else:
            survivors.append(state)
    return tuple(survivors), tuple(rejections)


def _dynamic_filter(
    models: tuple[ModelState, ...], req: Requirements, input_tokens: int, output_tokens: int
) -> tuple[tuple[Candidate, ...], tuple[Rejection, ...]]:
    """The checks that depend on the request's token counts: context, then quality,
    cost and latency. Runs for every surviving model on every uncached decision,
    so it reads each field once into a local and builds only what it returns."""
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    reject = rejections.append
    accept = candidates.append
    context_needed = max(req.min_context_tokens, input_tokens + output_tokens)
    task = req.task
    min_quality = req.min_quality
    max_cost = req.max_cost_usd
    max_latency = req.max_latency_ms
    for state in models:
        mid = state.id
        if state.context_window < context_needed:
            reject(
                Rejection(
                    mid,
                    RejectReason.CONTEXT_TOO_SMALL,
                    f"context window {state.context_window} < {context_needed} tokens needed",
                )
            )
            continue
        quality = state.quality.get(task, state.default_quality) if task else state.default_quality
        if quality < min_quality:
            reject(
                Rejection(
                    mid, RejectReason.BELOW_QUALITY, f"quality {quality:g} < min_quality {min_quality:g}"
                )
            )
            continue
        # The same arithmetic as Pricing.cost, to the last bit: limits compare exactly.
        cost = (input_tokens * state.input_per_mtok + output_tokens * state.output_per_mtok) / 1e6
        if max_cost and cost > max_cost:
            reject(
                Rejection(mid, RejectReason.OVER_COST, f"estimated ${cost:.6g} > max_cost_usd ${max_cost:g}")
            )
            continue
        profile = state.latency
        latency = profile.ttft_ms + output_tokens * 1000.0 / profile.tokens_per_s
        if max_latency and latency > max_latency:
            reject(
                Rejection(
                    mid,
                    RejectReason.OVER_LATENCY,
                    f"expected {latency:.0f} ms > max_latency_ms {max_latency:g}",
                )
            )
            continue
        if state.budget_block:
            # Last, so that OVER_BUDGET means the budget alone keeps the model out.
            reject(Rejection(mid, RejectReason.OVER_BUDGET, state.budget_block))
            continue
        accept(new_candidate((mid, quality, cost, latency, state.success_rate)))
    return tuple(candidates), tuple(rejections)


def _label_mismatch(required: tuple[tuple[str, str], ...], labels: Mapping[str, str]) -> str:
    for key, value in required:
        actual = labels.get(key)
        if actual != value:
            if actual is None:
                return f"no label {key}"
            return f"label {key}={actual!r} (required {value!r})"
    return ""


# A rejection's detail names at most this many missing capabilities, each clipped:
# a request may ask for 256 capabilities of 1 KiB, and every model's detail is
# built on every decision and kept in the selection cache.
MAX_NAMED_MISSING = 5


def _lacks(missing: frozenset[str] | set[str]) -> str:
    names = sorted(missing)
    shown = ", ".join(clip(n) for n in names[:MAX_NAMED_MISSING])
    more = len(names) - MAX_NAMED_MISSING
    return f"lacks {shown}" + (f" and {more} more" if more > 0 else "")
