"""Budgets through the client, against a real server configured with a spend limit
too small for any call: BudgetExceededError and its figures, and the BudgetStatus
entries of Stats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import grpc
import pytest

from modelrouter_client import (
    AsyncRouter,
    BudgetExceededError,
    BudgetStatus,
    ResourceExhaustedError,
    Router,
    RouterError,
)
from tests.client.conftest import running_server

LIMIT_USD = 0.00001
CONFIG = f"""
server: {{default_strategy: weighted}}
usage: {{store: memory}}
budgets:
  overall: {{daily_usd: {LIMIT_USD:.5f}}}
models:
  - id: pricey
    provider: simulated
    capabilities: [chat, streaming]
    context_window: 8192
    pricing: {{input_per_mtok: 100.0, output_per_mtok: 100.0}}
    quality: {{default: 0.5}}
    simulate: {{ttft_ms: 1, tokens_per_s: 1000}}
"""


@pytest.fixture(scope="module")
def budget_address() -> Iterator[str]:
    with running_server(CONFIG) as server:
        yield server.address


def test_budget_exceeded() -> None:
    # A server of its own: the first call must meet a budget nothing has refused yet.
    with running_server(CONFIG) as server, Router(server.address) as router:
        # The first call: the budget cannot cover what it may cost.
        with pytest.raises(BudgetExceededError) as caught:
            router.invoke("hello", max_output_tokens=10)
        err = caught.value
        assert isinstance(err, ResourceExhaustedError)
        assert (err.code, err.reason, err.domain) == (
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "BUDGET_EXCEEDED",
            "modelrouter.v1",
        )
        assert (err.budget, err.model) == ("*/day", "pricey")
        assert err.limit_usd == pytest.approx(LIMIT_USD)
        assert err.spent_usd == 0 and err.reserved_usd == 0
        assert err.needed_usd is not None and err.needed_usd > LIMIT_USD
        assert err.metadata["limitUsd"] and "budget" in err.message

        # A call larger than the whole limit says nothing of smaller ones: selection
        # still offers the model (the server's tests cover OVER_BUDGET in selection).
        assert router.select().model == "pricey"


def check_budgets(budgets: tuple[BudgetStatus, ...]) -> None:
    [overall] = budgets
    assert (overall.scope, overall.period) == ("*", "day")
    assert overall.limit_usd == pytest.approx(LIMIT_USD)
    assert overall.spent_usd == 0 and overall.reserved_usd == 0
    assert overall.remaining_usd == pytest.approx(LIMIT_USD)
    now = datetime.now(timezone.utc)  # noqa: UP017 - as the client, which supports 3.10
    assert overall.resets_at is not None and overall.resets_at.tzinfo is not None
    assert now < overall.resets_at <= now + timedelta(days=1)
    assert (overall.resets_at.hour, overall.resets_at.minute) == (0, 0)  # midnight UTC


def test_budgets_in_stats(budget_address: str) -> None:
    with Router(budget_address) as router:
        check_budgets(router.stats().budgets)


async def test_budgets_async(budget_address: str) -> None:
    async with AsyncRouter(budget_address) as router:
        check_budgets((await router.stats()).budgets)
        with pytest.raises(RouterError) as caught:
            await router.invoke("hello")
        assert isinstance(caught.value, BudgetExceededError)
