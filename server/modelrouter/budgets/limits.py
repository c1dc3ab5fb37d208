"""The configured limits and the calendar periods they reset on."""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from modelrouter.config.schema import BudgetLimits, BudgetsConfig
from modelrouter.usage.figures import NANO

OVERALL = "*"
# The scope in spend keys of a tenant's limit. Model ids start with a letter or a
# digit, so no model's spend can be counted under a tenant's, in any book or store.
TENANT_PREFIX = "@tenant/"


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    """A model id, or "*" for all models together (always, for a tenant's)."""
    period: str
    """"day" or "month"."""
    limit_nusd: int
    tenant: str = ""
    """The tenant whose calls alone it counts; empty: everyone's."""

    @property
    def key_scope(self) -> str:
        """The scope its spend is kept under: the model id or "*", or for a
        tenant's limit "@tenant/<name>"."""
        return f"{TENANT_PREFIX}{self.tenant}" if self.tenant else self.scope

    @property
    def name(self) -> str:
        """How errors name it: "metered/day", "*/month", "tenant:team-a/day"."""
        return f"tenant:{self.tenant}/{self.period}" if self.tenant else f"{self.scope}/{self.period}"

    def describe(self) -> str:
        if self.tenant:
            what = f"tenant {self.tenant}'s"
        else:
            what = "the overall" if self.scope == OVERALL else f"the model {self.scope}"
        return f"{what} {self.period}ly budget of ${self.limit_nusd / NANO:g}".replace("dayly", "daily")


def limits_of(config: BudgetsConfig, tenants: Mapping[str, BudgetLimits] | None = None) -> tuple[Limit, ...]:
    """The global limits (overall, then per model), then each tenant's."""
    out: list[Limit] = list(_limits(OVERALL, config.overall))
    for model, limits in config.models.items():
        out += _limits(model, limits)
    for tenant, limits in (tenants or {}).items():
        out += _limits(OVERALL, limits, tenant)
    return tuple(out)


def _limits(scope: str, limits: BudgetLimits, tenant: str = "") -> list[Limit]:
    out = []
    if limits.daily_usd is not None:
        out.append(Limit(scope, "day", math.floor(limits.daily_usd * NANO), tenant))
    if limits.monthly_usd is not None:
        out.append(Limit(scope, "month", math.floor(limits.monthly_usd * NANO), tenant))
    return out


def period_id(period: str, now: float) -> str:
    t = datetime.fromtimestamp(now, UTC)
    return f"day:{t:%Y-%m-%d}" if period == "day" else f"month:{t:%Y-%m}"


def period_start(period: str, now: float) -> float:
    """When the period holding `now` began (Unix seconds)."""
    t = datetime.fromtimestamp(now, UTC)
    day = 1 if period == "month" else t.day
    return datetime(t.year, t.month, day, tzinfo=UTC).timestamp()


def period_end(period: str, now: float) -> float:
    """When the period holding `now` ends (Unix seconds)."""
    t = datetime.fromtimestamp(now, UTC)
    if period == "day":
        start = datetime(t.year, t.month, t.day, tzinfo=UTC).timestamp()
        return start + 86400
    days = calendar.monthrange(t.year, t.month)[1]
    return datetime(t.year, t.month, 1, tzinfo=UTC).timestamp() + days * 86400
