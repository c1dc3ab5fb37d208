"""The ledger on its own, with a clock the test moves: periods are UTC calendar
days and months, a spent model comes back when its period ends, and a release
that makes room lets it back in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modelrouter.budgets.books import LocalBook, RedisBook
from modelrouter.budgets.ledger import NEED_MEMORY_S, Ledger
from modelrouter.budgets.limits import Limit, period_end, period_id
from modelrouter.config.load import parse_config
from modelrouter.errors import BudgetExceeded
from modelrouter.live import LiveState
from tests.support import RedisServer, need_redis_server

CONFIG = """
models:
  - {id: m, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}}
  - {id: other, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 1},
     quality: {default: 0.5}}
"""


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_periods_are_utc_calendar_days_and_months() -> None:
    t = at("2026-02-28T23:59:59")
    assert period_id("day", t) == "day:2026-02-28" and period_id("month", t) == "month:2026-02"
    assert period_end("day", t) == at("2026-03-01T00:00:00")
    assert period_end("month", t) == at("2026-03-01T00:00:00")
    assert period_end("month", at("2026-12-31T12:00:00")) == at("2027-01-01T00:00:00")


async def test_a_limit_is_spent_when_its_settled_spend_cannot_cover_a_usual_call() -> None:
    live = LiveState(parse_config(CONFIG, "<test>").models)
    now = [at("2026-11-26T23:00:00")]
    changes: list[int] = []
    live.on_change(lambda: changes.append(1))
    ledger = Ledger((Limit("m", "day", 100),), LocalBook(), live, lambda: now[0])
    first = await ledger.reserve("m", 60)
    with pytest.raises(BudgetExceeded) as caught:
        await ledger.reserve("m", 60)  # 60 reserved + 60 > 100
    assert caught.value.metadata["budget"] == "m/day" and caught.value.metadata["reservedUsd"] == "0.00000006"
    # Refused only for a call in flight, which may cost less: not spent.
    assert live.models["m"].budget_block == "" and changes == []
    await ledger.settle(first, 10)
    second = await ledger.reserve("m", 60)
    await ledger.settle(second, 60)  # 70 settled: 30 left, less than the usual call's 60
    assert "daily budget" in live.models["m"].budget_block and not live.models["other"].budget_block
    assert changes == [1]  # selection was told once
    with pytest.raises(BudgetExceeded):
        await ledger.reserve("m", 1_000)  # larger than the limit itself: says nothing of the others
    now[0] += NEED_MEMORY_S + 1  # nobody asked for a while: let it be tried again
    await ledger.refresh()
    assert live.models["m"].budget_block == "" and changes == [1, 1]
    small = await ledger.reserve("m", 25)  # a small call fits what is left
    await ledger.settle(small, 25)
    assert live.models["m"].budget_block  # 5 left < 25
    now[0] = at("2026-11-27T00:00:01")  # a new day
    await ledger.refresh()
    assert live.models["m"].budget_block == ""
    (view,) = await ledger.views()
    assert (view.spent_nusd, view.reserved_nusd) == (0, 0) and view.resets_at == at("2026-11-28T00:00:00")
    await ledger.reserve("m", 100)  # the whole new day's budget


async def test_one_oversized_call_does_not_keep_every_model_out() -> None:
    live = LiveState(parse_config(CONFIG, "<test>").models)
    ledger = Ledger((Limit("*", "day", 10_000),), LocalBook(), live, lambda: at("2026-11-26T12:00:00"))
    with pytest.raises(BudgetExceeded):
        await ledger.reserve("m", 20_000)
    await ledger.refresh()
    assert all(state.budget_block == "" for state in live.models.values())
    await ledger.settle(await ledger.reserve("other", 100), 100)
    assert all(state.budget_block == "" for state in live.models.values())


async def test_a_reservation_its_replica_never_settled_lapses_on_redis() -> None:
    """A replica that dies mid-call never settles: its reservation is released
    once its hold has passed, by the next reservation or read, and a late
    settlement does not release it twice."""
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        live = LiveState(parse_config(CONFIG, "<test>").models)
        now = [at("2026-11-26T12:00:00")]
        book = RedisBook(redis.url, "lapse", lambda: now[0])
        ledger = Ledger((Limit("m", "day", 100),), book, live, lambda: now[0])
        orphan = await ledger.reserve("m", 70, hold_s=30)  # its replica "dies" here
        with pytest.raises(BudgetExceeded):
            await ledger.reserve("m", 70, hold_s=30)
        now[0] += 31
        (view,) = await ledger.views()
        assert (view.spent_nusd, view.reserved_nusd) == (0, 0)  # released by the read
        second = await ledger.reserve("m", 70, hold_s=30)
        await ledger.settle(orphan, 50)  # the dead call's late word: spent, not released again
        (view,) = await ledger.views()
        assert (view.spent_nusd, view.reserved_nusd) == (50, 70)
        await ledger.settle(second, 40)
        (view,) = await ledger.views()
        assert (view.spent_nusd, view.reserved_nusd) == (90, 0)
        await book.close()
    finally:
        redis.stop()
