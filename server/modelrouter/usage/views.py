"""The store's totals, kept per (tenant, model, deployment), regrouped for Stats:
per deployment (one tenant's or every tenant's) and per tenant."""

from __future__ import annotations

from collections.abc import Mapping

from modelrouter.usage.figures import Figures, merged
from modelrouter.usage.store import Deployment, Key


def per_deployment(figures: Mapping[Key, Figures], tenant: str | None) -> dict[Deployment, Figures]:
    """Each deployment's figures: one tenant's, or (None) every tenant's merged.
    For reading only (a single part is returned as it is)."""
    parts: dict[Deployment, list[Figures]] = {}
    for (t, model, name), f in figures.items():
        if tenant is None or t == tenant:
            parts.setdefault((model, name), []).append(f)
    return {key: merged(fs) for key, fs in parts.items()}


def per_tenant(figures: Mapping[Key, Figures]) -> dict[str, Figures]:
    """Each tenant's counters over every deployment (the sketches stay empty:
    percentiles over a tenant's every model would say nothing)."""
    out: dict[str, Figures] = {}
    for (tenant, _, _), f in figures.items():
        total = out.get(tenant)
        if total is None:
            total = out[tenant] = Figures()
        total.add_counters(f)
    return out


def has_calls(f: Figures) -> bool:
    """Calls were made (selections alone, counted under tenant "", are not)."""
    return bool(f.requests or f.refused)
