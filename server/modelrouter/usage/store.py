"""Where usage totals and budget spend live between restarts, behind one small
interface: a store adds deltas to its totals and reads them back. Replicas that
share a store (Redis) share the totals, since each adds only its own deltas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from modelrouter.usage.figures import Figures

Deployment = tuple[str, str]
"""(model, deployment)."""
Key = tuple[str, str, str]
"""(tenant, model, deployment): totals are kept per tenant ("" for calls made
without an API key, and for selections)."""
SpendKey = tuple[str, str]
"""(scope, period id): a model id or "*", and "day:2026-11-26" or "month:2026-11"."""


class UsageStoreError(Exception):
    """The configured usage store cannot be opened; the message names the setting."""


@dataclass(slots=True)
class Stored:
    figures: dict[Key, Figures]
    since: float
    """When these totals began (Unix seconds)."""
    spend: dict[SpendKey, int] = field(default_factory=dict)
    """Settled spend in nano-USD."""


class UsageStore(Protocol):
    async def add(self, deltas: Mapping[Key, Figures], spend: Mapping[SpendKey, int]) -> None:
        """Adds the deltas to the totals, atomically per key."""

    async def load(self) -> Stored: ...

    async def close(self) -> None: ...


class MemoryStore:
    """Totals kept in this process only (`usage.store: memory`): lost at exit."""

    def __init__(self, since: float) -> None:
        self._stored = Stored({}, since)

    async def add(self, deltas: Mapping[Key, Figures], spend: Mapping[SpendKey, int]) -> None:
        for key, figures in deltas.items():
            self._stored.figures.setdefault(key, Figures()).merge(figures)
        for skey, nusd in spend.items():
            self._stored.spend[skey] = self._stored.spend.get(skey, 0) + nusd

    async def load(self) -> Stored:
        # A copy: the caller merges pending figures into what it gets.
        figures: dict[Key, Figures] = {}
        for key, f in self._stored.figures.items():
            figures[key] = Figures()
            figures[key].merge(f)
        return Stored(figures, self._stored.since, dict(self._stored.spend))

    async def close(self) -> None:
        return None
