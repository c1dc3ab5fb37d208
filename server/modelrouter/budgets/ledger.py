"""Reserve, settle, and keep selection told which models a budget keeps out.

A model is kept out (OVER_BUDGET) while one of its limits is spent: nothing left,
or less left than a call it refused needed. The state flips only on a refusal,
a settlement, or the periodic refresh that sees other replicas' spend and the
start of a new period; each flip tells the live state, which drops cached
rankings.

A tenant's limits apply to its calls on every model, on top of the global ones.
One that is spent keeps no model out (other tenants may still pay): it is kept
per tenant, and that tenant's calls are refused before selection
(`tenant_refusal`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.books import SpendBook
from modelrouter.budgets.limits import OVERALL, Limit, period_end, period_id, period_start
from modelrouter.errors import BudgetExceeded
from modelrouter.live import LiveState
from modelrouter.redact import redact
from modelrouter.usage.figures import NANO
from modelrouter.usage.store import SpendKey

# How long a reservation outlives the longest a call may take, when the caller
# does not say: past this a shared book releases it.
DEFAULT_HOLD_S = 600.0
# How long the size of a call that was asked for counts toward deciding that a
# limit is spent: a model kept out then comes back to be tried again after this.
NEED_MEMORY_S = 60.0
# How long the book may take to answer when not configured (`budgets.timeout_ms`):
# a call under a budget waits this long at most for its reservation.
DEFAULT_TIMEOUT_S = 0.25


# An unreachable budget store is logged at most this often.
WARN_EVERY_S = 10.0


class LedgerUnavailable(Exception):
    """The spend book (Redis) cannot be reached: no call under a budget can be
    let through, since nothing could stop it passing the limit."""


class Reservation(NamedTuple):
    keys: tuple[SpendKey, ...]
    amount_nusd: int
    token: str
    """The book's name for it (empty in a local book)."""


@dataclass(frozen=True, slots=True)
class BudgetView:
    limit: Limit
    spent_nusd: int
    reserved_nusd: int
    resets_at: float

    @property
    def tenant(self) -> str:
        """The tenant whose budget it is; empty for a global one."""
        return self.limit.tenant


def usd(nusd: int) -> str:
    return f"{nusd / NANO:.9f}".rstrip("0").rstrip(".")


class Ledger:
    def __init__(
        self,
        limits: tuple[Limit, ...],
        book: SpendBook,
        live: LiveState,
        wall: Callable[[], float],
        log: FilteringBoundLogger | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """`timeout_s` bounds every exchange with the book: a reservation, a
        settlement, a read of the figures."""
        self.limits = limits
        self._log = log
        self._timeout = timeout_s
        self._warned_at = float("-inf")
        self.settle_errors = 0
        self._book = book
        self._live = live
        self._wall = wall
        self._of_model: Mapping[str, tuple[Limit, ...]] = {
            m: tuple(lim for lim in limits if not lim.tenant and lim.scope in (m, OVERALL))
            for m in live.models
        }
        """The global limits on each model: the ones that keep it out of selection."""
        own: dict[str, tuple[Limit, ...]] = {}
        for lim in limits:
            if lim.tenant:
                own[lim.tenant] = (*own.get(lim.tenant, ()), lim)
        self._of_tenant: Mapping[str, tuple[Limit, ...]] = own
        self._of_pair: dict[tuple[str, str], tuple[Limit, ...]] = {}
        """A tenant's call on a model: the model's limits, then the tenant's. Filled
        once per pair as calls come (tenants and models are the configured ones)."""
        self._tenant_spent: dict[Limit, int] = {}
        """Tenants' limits that are spent, with their settled spend as last read."""
        self._blocked_tenants: dict[str, Limit] = {}
        """Tenants with a spent limit: the first such limit."""
        self._need: dict[tuple[Limit, str], tuple[int, float]] = {}
        """Per limit and period id: the smallest amount a call on it asked to reserve
        recently, and when it was last asked (calls larger than the limit itself
        are not counted: they could never fit)."""
        self._blocked: dict[Limit, str] = {}
        self._period_keys: dict[tuple[Limit, ...], tuple[float, float, tuple[SpendKey, ...]]] = {}
        self._views: list[BudgetView] = []
        self._retired = False

    def retire(self) -> None:
        """A reload replaced this ledger: its calls still in flight reserve and
        settle as before, but what it sees no longer keeps models out of
        selection (its limits may be gone; the new ledger decides)."""
        self._retired = True

    def applies(self, model: str, tenant: str = "") -> bool:
        return bool(self._limits_on(model, tenant))

    def _limits_on(self, model: str, tenant: str) -> tuple[Limit, ...]:
        """Every limit a call of `tenant` on `model` reserves under."""
        own = self._of_tenant.get(tenant)
        if own is None:
            return self._of_model[model]
        limits = self._of_pair.get((model, tenant))
        if limits is None:
            limits = self._of_pair[(model, tenant)] = self._of_model[model] + own
        return limits

    def tenant_refusal(self, tenant: str) -> BudgetExceeded | None:
        """Why `tenant`'s calls are refused before selection: one of its own limits
        is spent. None while it is not."""
        limit = self._blocked_tenants.get(tenant)
        if limit is None:
            return None
        spent = self._tenant_spent[limit]
        left = limit.limit_nusd - spent
        short = "" if left <= 0 else f" (${usd(left)} left is less than its recent calls needed)"
        return BudgetExceeded(
            f"{limit.describe()} is spent{short}: ${usd(spent)} spent; "
            f"it resets at the end of the {limit.period} (UTC)",
            {
                "budget": limit.name,
                "tenant": tenant,
                "limitUsd": usd(limit.limit_nusd),
                "spentUsd": usd(spent),
            },
        )

    def _keys(self, limits: tuple[Limit, ...], now: float) -> tuple[SpendKey, ...]:
        """The spend keys of these limits' current periods; worked out once per
        period, not on every call."""
        known = self._period_keys.get(limits)
        if known is not None and known[0] <= now < known[1]:
            return known[2]
        keys = tuple((lim.key_scope, period_id(lim.period, now)) for lim in limits)
        starts = max((period_start(lim.period, now) for lim in limits), default=now)
        ends = min((period_end(lim.period, now) for lim in limits), default=now)
        self._period_keys[limits] = (starts, ends, keys)
        return keys

    async def reserve(
        self, model: str, amount_nusd: int, hold_s: float = DEFAULT_HOLD_S, tenant: str = ""
    ) -> Reservation:
        """Reserves `amount_nusd` under every limit on a call of `tenant` on `model`
        (the model's, the overall ones, the tenant's) in one step, or raises
        BudgetExceeded naming the one that would pass. A reservation not settled
        within `hold_s` (its replica died mid-call) is released by a shared book."""
        limits = self._limits_on(model, tenant)
        now = self._wall()
        keys = self._keys(limits, now)
        self._note_need(limits, keys, amount_nusd, now)
        try:
            async with asyncio.timeout(self._timeout):
                refused = await self._book.try_reserve(
                    keys, [lim.limit_nusd for lim in limits], amount_nusd, hold_s
                )
        except TimeoutError:
            # The reservation may have been made all the same (the store got the
            # script but its answer was late): unsettled, it lapses after `hold_s`.
            raise LedgerUnavailable(
                f"the budget store did not answer within {self._timeout * 1000:g} ms; "
                "calls under a budget wait for it"
            ) from None
        except Exception as exc:
            # The caller is told only that; what the store's client said (it may
            # name an internal host) goes to the log, at most every WARN_EVERY_S.
            if self._log is not None and now - self._warned_at >= WARN_EVERY_S:
                self._warned_at = now
                self._log.warning("budget store unreachable", error=redact(f"{type(exc).__name__}: {exc}"))
            raise LedgerUnavailable(
                "the budget store cannot be reached; calls under a budget wait for it"
            ) from None
        if isinstance(refused, str):
            return Reservation(keys, amount_nusd, refused)
        index, spent, reserved = refused
        limit = limits[index]
        self._update(limit, spent, keys[index][1], now)
        metadata = {
            "budget": limit.name,
            "model": model,
            "limitUsd": usd(limit.limit_nusd),
            "spentUsd": usd(spent),
            "reservedUsd": usd(reserved),
            "neededUsd": usd(amount_nusd),
        }
        if limit.tenant:
            metadata["tenant"] = limit.tenant
        raise BudgetExceeded(
            f"{limit.describe()} cannot cover this call on {model}: ${usd(spent)} spent and "
            f"${usd(reserved)} reserved by calls in flight, ${usd(amount_nusd)} needed at most; "
            f"it resets at the end of the {limit.period} (UTC)",
            metadata,
        )

    async def settle(self, reservation: Reservation, actual_nusd: int) -> None:
        """The call is over: its reservation is released and `actual_nusd` spent."""
        keys, amount, token = reservation
        try:
            # One bound for the settlement and the re-read after it: the caller
            # waits for both.
            async with asyncio.timeout(self._timeout):
                await self._book.settle(keys, token, amount, actual_nusd)
                if self._blocked or actual_nusd:
                    await self._refresh(keys)
        except Exception as exc:
            # The call is over and answered. If the store did not take the
            # settlement, the reservation lapses there by itself after its hold (and
            # the call's spend goes uncounted); one that timed out may have landed.
            self.settle_errors += 1
            if self._log is not None:
                error = "no answer in time" if isinstance(exc, TimeoutError) else repr(exc)
                self._log.warning(
                    "budget settlement failed",
                    error=error,
                    reserved_nusd=amount,
                    spent_nusd=actual_nusd,
                    timeout_ms=round(self._timeout * 1000),
                )

    async def refresh(self, only: tuple[SpendKey, ...] | None = None) -> None:
        """Re-reads the figures (every limit, or those under `only`) and updates
        which models are kept out. Raises TimeoutError past the book's bound."""
        async with asyncio.timeout(self._timeout):
            await self._refresh(only)

    async def _refresh(self, only: tuple[SpendKey, ...] | None) -> None:
        now = self._wall()
        limits = [
            lim for lim in self.limits if only is None or (lim.key_scope, period_id(lim.period, now)) in only
        ]
        if not limits:
            return
        periods = [period_id(lim.period, now) for lim in limits]
        figures = await self._book.read([(lim.key_scope, p) for lim, p in zip(limits, periods, strict=True)])
        for lim, p, (spent, _) in zip(limits, periods, figures, strict=True):
            self._update(lim, spent, p, now)
        if only is None:
            self._views = [
                BudgetView(lim, spent, reserved, period_end(lim.period, now))
                for lim, (spent, reserved) in zip(limits, figures, strict=True)
            ]
            # Needs from an earlier period, or not seen for a while, no longer count.
            self._need = {
                k: v
                for k, v in self._need.items()
                if k[1] == period_id(k[0].period, now) and now - v[1] <= NEED_MEMORY_S
            }

    def _note_need(
        self, limits: tuple[Limit, ...], keys: tuple[SpendKey, ...], amount: int, now: float
    ) -> None:
        for lim, key in zip(limits, keys, strict=True):
            if amount > lim.limit_nusd:
                continue
            pkey = (lim, key[1])
            known = self._need.get(pkey)
            fresh = known is not None and now - known[1] <= NEED_MEMORY_S
            self._need[pkey] = (min(known[0], amount) if fresh and known else amount, now)

    def _update(self, limit: Limit, spent: int, period: str, now: float) -> None:
        """A limit is spent when what its settled spend leaves cannot cover the
        smallest call recently made under it. Reservations in flight do not count:
        they are settled within the call, and often for less."""
        left = limit.limit_nusd - spent
        need = self._need.get((limit, period))
        recent = need is not None and now - need[1] <= NEED_MEMORY_S
        if left <= 0 or (recent and need is not None and left < need[0]):
            block = f"{limit.describe()} is spent (${usd(max(left, 0))} left)"
        else:
            block = ""
        if self._blocked.get(limit, "") == block:
            if block and limit.tenant:
                self._tenant_spent[limit] = spent  # the figure its refusals report
            return
        if block:
            self._blocked[limit] = block
        else:
            self._blocked.pop(limit, None)
        if limit.tenant:
            self._block_tenant(limit, spent if block else None)
            return
        if self._retired:
            return
        changed = False
        for model, limits in self._of_model.items():
            state = self._live.models[model]
            detail = next((self._blocked[lim] for lim in limits if lim in self._blocked), "")
            if state.budget_block != detail:
                state.budget_block = detail
                changed = True
        if changed:
            self._live.changed()

    def _block_tenant(self, limit: Limit, spent: int | None) -> None:
        """One of a tenant's limits became spent (`spent`: its settled spend) or
        not (None). No model's state changes: other tenants may still pay. The
        tenant is refused while any of its limits is spent, naming the first."""
        if spent is None:
            self._tenant_spent.pop(limit, None)
        else:
            self._tenant_spent[limit] = spent
        tenant = limit.tenant
        first = next((lim for lim in self._of_tenant[tenant] if lim in self._tenant_spent), None)
        if first is None:
            self._blocked_tenants.pop(tenant, None)
        else:
            self._blocked_tenants[tenant] = first

    def cached_views(self) -> list[BudgetView]:
        """The figures as of the last full refresh (every flush interval)."""
        return self._views

    async def views(self) -> list[BudgetView]:
        now = self._wall()
        keys = [(lim.key_scope, period_id(lim.period, now)) for lim in self.limits]
        async with asyncio.timeout(self._timeout):  # Stats then serves cached_views()
            figures = await self._book.read(keys)
        return [
            BudgetView(lim, spent, reserved, period_end(lim.period, now))
            for lim, (spent, reserved) in zip(self.limits, figures, strict=True)
        ]

    def restore(self, spend: dict[SpendKey, int]) -> None:
        """Settled spend saved by earlier runs, from the usage store."""
        self._book.restore(spend)

    def take_settled(self) -> dict[SpendKey, int]:
        return self._book.take_settled()

    def give_back_settled(self, spend: dict[SpendKey, int]) -> None:
        self._book.give_back_settled(spend)

    async def close(self) -> None:
        await self._book.close()
