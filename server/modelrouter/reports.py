"""Stats: the figures a caller may see, built from the router's live state, its
usage totals, caches, budgets and rate limits. Who sees what: an admin every
tenant's usage (or one tenant's), anyone else its own tenant's only, and none
of what tells of every tenant's use (cache figures, suggestions, other budgets)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modelrouter.budgets.ledger import BudgetView
from modelrouter.clock import Clock
from modelrouter.errors import InvalidRequest, PermissionDenied, clip
from modelrouter.identity import Caller
from modelrouter.learning.posterior import Evidence, Learning, Posterior
from modelrouter.learning.store import LearnKey
from modelrouter.live import ModelState
from modelrouter.suggestions import ModelView, suggest
from modelrouter.usage.figures import Figures, merged
from modelrouter.usage.store import Key
from modelrouter.usage.views import has_calls, per_deployment, per_tenant

if TYPE_CHECKING:
    from modelrouter.manager import Router


@dataclass(frozen=True, slots=True)
class CacheFigures:
    hits: int
    misses: int
    entries: int
    bytes: int
    evictions: int
    selection_hits: int
    selection_misses: int
    selection_entries: int


@dataclass(frozen=True, slots=True)
class Span:
    """One model's or deployment's figures: totals and the recent window."""

    total: Figures
    recent: Figures


@dataclass(frozen=True, slots=True)
class LearnedRow:
    """What feedback taught of a model on one task, for one tenant."""

    tenant: str
    task: str
    quality: float
    """The posterior mean."""
    uncertainty: float
    """The posterior standard deviation."""
    scores: int
    configured: float
    """The configured quality for the task: the prior."""


@dataclass(frozen=True, slots=True)
class ModelReport:
    state: ModelState
    figures: Span
    deployments: tuple[Span, ...]
    """In the order of state.deployments."""
    learned: tuple[LearnedRow, ...] = ()


NO_CACHE_FIGURES = CacheFigures(0, 0, 0, 0, 0, 0, 0, 0)
"""What a caller without the admin role sees of the caches: they serve every tenant."""


@dataclass(frozen=True, slots=True)
class TenantReport:
    """One tenant's usage totals (every model's), and its rate limits' standing."""

    tenant: str
    requests: int
    successes: int
    failures: int
    input_tokens: int
    output_tokens: int
    cost_nusd: int
    requests_last_minute: int
    tokens_last_minute: int
    requests_per_minute: int
    """0: no limit."""
    tokens_per_minute: int


@dataclass(frozen=True, slots=True)
class StatsReport:
    models: tuple[ModelReport, ...]
    cache: CacheFigures
    suggestions: tuple[str, ...]
    uptime_s: float
    window_s: float
    totals_since: float
    budgets: tuple[BudgetView, ...]
    tenant: str = ""
    """Whose usage the figures count; empty: every tenant's."""
    tenants: tuple[TenantReport, ...] = ()
    """Per tenant, by name: every tenant for an admin's every-tenant view, else the one."""


class Reports:
    """Builds StatsReports from a router's parts (read only, never changed here)."""

    def __init__(self, router: Router, clock: Clock, started: float) -> None:
        """`started`: when the process began serving, on `clock` (uptime)."""
        self._router = router
        self._clock = clock
        self._started = started

    def whose(self, caller: Caller, asked: str) -> str | None:
        """Whose usage a Stats call reads: None for every tenant's (an admin asking
        for no tenant), else one tenant's. A caller without the admin role reads
        its own tenant's only; naming another is PERMISSION_DENIED, and an admin
        naming a tenant no key belongs to is told so (a misspelt name would
        otherwise read as a tenant with no usage)."""
        if caller.admin:
            if asked and asked not in self._router.config.tenants:
                known = ", ".join(sorted(self._router.config.tenants)) or "none: no API keys are configured"
                raise InvalidRequest("tenant", f"no tenant {clip(asked)!r}; known: {known}")
            return asked or None
        own = caller.tenant.name
        if asked and asked != own:
            raise PermissionDenied(
                f"key {caller.key_id!r} may read only its own tenant's figures ({own!r}), "
                f"not {clip(asked)!r}",
                {"tenant": clip(asked)},
            )
        return own

    async def stats(
        self, models: tuple[str, ...] = (), tenant: str | None = None, admin: bool = False
    ) -> StatsReport:
        """The figures; `tenant`: only that tenant's usage (None: every tenant's,
        which only an admin is given). Latency percentiles and saturation follow
        the usage too; selections, not counted per tenant, show in the every-tenant
        view only; health and calls in flight are global.
        `admin` (implied by `tenant` None): the caller may also see what tells of
        every tenant's use (cache figures, suggestions, every budget); anyone else
        gets none of it, and only its own tenant's budgets."""
        full = admin or tenant is None
        wanted = frozenset(models)
        stored = await self._router.usage.totals()
        reports = []
        views = []
        empty = Figures()  # shared by every deployment without figures; read only from here on
        totals = per_deployment(stored.figures, tenant)
        recent = self._router.usage.recent
        learned = self._learned(tenant)
        for state in self._router.live.models.values():
            keys = [(state.id, d.name) for d in state.deployments]
            spans = tuple(Span(totals.get(k, empty), recent(k, tenant, empty)) for k in keys)
            model_span = Span(merged([s.total for s in spans]), merged([s.recent for s in spans]))
            if full:  # suggestions speak of every tenant's calls
                everyone = (
                    [s.recent for s in spans] if tenant is None else [recent(k, None, empty) for k in keys]
                )
                views.append(
                    ModelView(
                        state.id,
                        merged(everyone),
                        state.spec.pricing,
                        [
                            (d.name, r, state.spec.max_concurrency)
                            for d, r in zip(state.deployments, everyone, strict=True)
                        ],
                    )
                )
            if not wanted or state.id in wanted:
                rows = tuple(
                    _row(state, key, e, self._router.feedback.learning)
                    for key, e in learned.get(state.id, ())
                )
                reports.append(ModelReport(state, model_span, spans, rows))
        return StatsReport(
            tuple(reports),
            self._cache_figures() if full else NO_CACHE_FIGURES,
            tuple(self._suggestions(views)) + tuple(_learned_suggestions(reports)) if full else (),
            self._clock() - self._started,
            self._router.usage.book.window_s,
            stored.since,
            await self._budgets(None if full else tenant),
            tenant or "",
            await self._tenant_reports(stored.figures, tenant),
        )

    def _learned(self, tenant: str | None) -> dict[str, list[tuple[LearnKey, Evidence]]]:
        """The learned evidence by model: `tenant`'s, or (None) every tenant's."""
        by_model: dict[str, list[tuple[LearnKey, Evidence]]] = {}
        for key, evidence in self._router.feedback.rows():
            if tenant is None or key[0] == tenant:
                by_model.setdefault(key[2], []).append((key, evidence))
        for rows in by_model.values():
            rows.sort(key=lambda r: r[0])
        return by_model

    def _cache_figures(self) -> CacheFigures:
        cache = self._router.selector.cache
        memory = self._router.memory
        return CacheFigures(
            self._router.responses.hits,
            self._router.responses.misses,
            memory.entries if memory else 0,
            memory.bytes if memory else 0,
            memory.evictions if memory else 0,
            cache.hits,
            cache.misses,
            len(cache),
        )

    def _suggestions(self, views: list[ModelView]) -> list[str]:
        server = self._router.config.server
        return suggest(
            views,
            self._router.selector.choices,
            self._router.responses.hits,
            self._router.responses.misses,
            self._router.usage.book.window_s,
            (server.default_expected_input_tokens, server.default_expected_output_tokens),
        )

    async def _budgets(self, tenant: str | None) -> tuple[BudgetView, ...]:
        """Every budget (None), or only `tenant`'s own."""
        if self._router.ledger is None:
            return ()
        try:
            budgets = tuple(await self._router.ledger.views())
        except Exception:  # the budget store is away: the last figures read
            budgets = tuple(self._router.ledger.cached_views())
        if tenant is None:
            return budgets
        return tuple(b for b in budgets if b.tenant == tenant)

    async def _tenant_reports(
        self, figures: Mapping[Key, Figures], tenant: str | None
    ) -> tuple[TenantReport, ...]:
        """One row for `tenant`, or (None) for every tenant configured or with calls."""
        sums = per_tenant(figures)
        configured = self._router.config.tenants
        if tenant is None:
            names = sorted(set(configured) | {t for t, f in sums.items() if has_calls(f)})
        else:
            names = [tenant]
        # (0, 0) for a tenant without limits; asked at once, each may be a Redis round trip.
        minutes = await asyncio.gather(*(self._router.rate_limits.usage(name) for name in names))
        empty = Figures()
        rows = []
        for name, last_minute in zip(names, minutes, strict=True):
            f = sums.get(name, empty)
            rules = configured.get(name)
            rows.append(
                TenantReport(
                    name,
                    f.requests,
                    f.successes,
                    f.failures,
                    f.input_tokens,
                    f.output_tokens,
                    f.cost_nusd,
                    *last_minute,
                    (rules.requests_per_minute or 0) if rules is not None else 0,
                    (rules.tokens_per_minute or 0) if rules is not None else 0,
                )
            )
        return tuple(rows)


def _row(state: ModelState, key: LearnKey, evidence: Evidence, learning: Learning) -> LearnedRow:
    tenant, task, _ = key
    prior = state.quality.get(task, state.default_quality)
    posterior = Posterior(prior, evidence, learning)
    return LearnedRow(tenant, task, posterior.mean, posterior.sd, evidence.count, prior)


def _learned_suggestions(reports: list[ModelReport]) -> list[str]:
    """Where feedback puts a model's quality on a task further from its configured
    quality than the learned figure's own uncertainty: the configuration (which
    every other strategy ranks by) is likely wrong there."""
    out = []
    for report in reports:
        for r in report.learned:
            if abs(r.quality - r.configured) > r.uncertainty:
                task = r.task or "default"
                whose = f" (tenant {r.tenant!r})" if r.tenant else ""
                out.append(
                    f"{report.state.id} on task {task!r}{whose}: {r.scores} feedback scores put its quality "
                    f"at {r.quality:.2f} ± {r.uncertainty:.2f}, but models[].quality.{task} says "
                    f"{r.configured:.2f}; consider {r.quality:.2f}"
                )
    return out
