"""The configured limits and the calendar periods they reset on."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from modelrouter.config.schema import BudgetLimits, BudgetsConfig
from modelrouter.usage.figures import NANO

OVERALL = "*"


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    """A model id, or "*" for all models together."""
    period: str
    """"day" or "month"."""
    limit_nusd: int

    def describe(self) -> str:
        what = "overall" if self.scope == OVERALL else f"model {self.scope}"
        return f"the {what} {self.period}ly budget of ${self.limit_nusd / NANO:g}".replace("dayly", "daily")


def limits_of(config: BudgetsConfig) -> tuple[Limit, ...]:
    out: list[Limit] = list(_limits(OVERALL, config.overall))
    for model, limits in config.models.items():
        out += _limits(model, limits)
    return tuple(out)


def _limits(scope: str, limits: BudgetLimits) -> list[Limit]:
    out = []
    if limits.daily_usd is not None:
        out.append(Limit(scope, "day", math.floor(limits.daily_usd * NANO)))
    if limits.monthly_usd is not None:
        out.append(Limit(scope, "month", math.floor(limits.monthly_usd * NANO)))
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
