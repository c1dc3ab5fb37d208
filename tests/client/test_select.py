"""Select through the client against a real server: typed decisions and typed errors."""

from __future__ import annotations

import grpc
import pytest

from modelrouter_client import (
    AsyncRouter,
    ChatMessage,
    Decision,
    FailedPreconditionError,
    InvalidArgumentError,
    NoEligibleModelError,
    Rejection,
    Requirements,
    Router,
    RouterError,
    ScoredModel,
)
from tests.client.conftest import DEFAULT_MODELS, DEFAULT_STRATEGIES

DOMAIN = "modelrouter.v1"


def assert_well_formed(decision: Decision) -> None:
    assert isinstance(decision, Decision)
    assert decision.ranking, "a decision ranks at least the chosen model"
    assert all(isinstance(s, ScoredModel) for s in decision.ranking)
    assert all(isinstance(r, Rejection) for r in decision.rejected)
    assert decision.model == decision.ranking[0].model
    assert decision.deployment
    assert decision.strategy
    # Every registered model appears exactly once: ranked or rejected.
    seen = [s.model for s in decision.ranking] + [r.model for r in decision.rejected]
    assert sorted(seen) == sorted(DEFAULT_MODELS)
    assert decision.raw is not None and decision.raw.model == decision.model


def test_select_returns_typed_decision(router: Router) -> None:
    decision = router.select(task="code")
    assert_well_formed(decision)
    best = decision.ranking[0]
    assert decision.estimated_cost_usd == pytest.approx(best.estimated_cost_usd)
    assert decision.expected_latency_ms == pytest.approx(best.expected_latency_ms)
    assert set(best.components) <= {"quality", "cost", "latency", "reliability"}
    assert decision.requested_strategy == router.list_models().default_strategy


async def test_select_async_returns_typed_decision(async_router: AsyncRouter) -> None:
    decision = await async_router.select(task="chat", max_cost_usd=1.0)
    assert_well_formed(decision)


@pytest.mark.parametrize("strategy", DEFAULT_STRATEGIES)
def test_select_with_each_registered_strategy(router: Router, strategy: str) -> None:
    decision = router.select(strategy=strategy)
    assert_well_formed(decision)
    assert decision.requested_strategy == strategy


def test_requirements_dataclass_and_keyword_overrides(router: Router) -> None:
    base = Requirements(capabilities=("tools",), task="code")
    first = router.select(base)
    assert_well_formed(first)
    tools = {m.id for m in router.list_models() if "tools" in m.capabilities}
    assert first.model in tools

    # A keyword overrides that field of the dataclass; the others stay.
    second = router.select(base, exclude_models=[first.model])
    assert second.model != first.model
    assert second.model in tools
    assert {r.model: r.reason for r in second.rejected}[first.model] == "EXCLUDED"


def test_message_forms_estimate_the_same(router: Router) -> None:
    text = "Summarise the following report in three sentences. " * 40
    forms: list[object] = [
        text,
        [("user", text)],
        [{"role": "user", "content": text}],
        [ChatMessage(role="user", content=text)],
    ]
    estimates = {router.select(messages=form).estimated_input_tokens for form in forms}  # type: ignore[arg-type]
    assert len(estimates) == 1
    assert estimates.pop() > 0


def test_weights_are_sent(router: Router) -> None:
    cost_only = router.select(strategy="weighted", weights={"cost": 1.0})
    assert_well_formed(cost_only)
    cheapest = min(cost_only.ranking, key=lambda s: s.estimated_cost_usd)
    assert cost_only.ranking[0].estimated_cost_usd == pytest.approx(cheapest.estimated_cost_usd)


def test_unknown_strategy_is_invalid_argument(router: Router) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        router.select(strategy="no-such-strategy")
    err = caught.value
    assert err.code is grpc.StatusCode.INVALID_ARGUMENT
    assert err.reason == "UNKNOWN_STRATEGY"
    assert err.domain == DOMAIN
    assert "no-such-strategy" in err.message


async def test_unknown_strategy_is_invalid_argument_async(async_router: AsyncRouter) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await async_router.select(strategy="no-such-strategy")
    assert caught.value.reason == "UNKNOWN_STRATEGY"


def check_no_eligible_model(err: NoEligibleModelError) -> None:
    assert isinstance(err, FailedPreconditionError)
    assert err.code is grpc.StatusCode.FAILED_PRECONDITION
    assert err.reason == "NO_ELIGIBLE_MODEL"
    assert err.domain == DOMAIN
    assert len(err.rejections) == len(DEFAULT_MODELS) == 9
    assert sorted(r.model for r in err.rejections) == sorted(DEFAULT_MODELS)
    assert {r.reason for r in err.rejections} == {"MISSING_CAPABILITY"}


def test_impossible_requirements_raise_no_eligible_model(router: Router) -> None:
    with pytest.raises(NoEligibleModelError) as caught:
        router.select(capabilities=["teleport"])
    check_no_eligible_model(caught.value)


async def test_impossible_requirements_raise_no_eligible_model_async(async_router: AsyncRouter) -> None:
    with pytest.raises(NoEligibleModelError) as caught:
        await async_router.select(capabilities=["teleport"])
    check_no_eligible_model(caught.value)


def test_unknown_excluded_model_is_invalid_request(router: Router) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        router.select(exclude_models=["no-such-model"])
    err = caught.value
    assert err.reason == "INVALID_REQUEST"
    assert "exclude_models" in err.metadata["field"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weights": {"bogus": 1.0}}, "weights"),
        ({"messages": [("robot", "hello")]}, "role"),
        ({"max_cost_usd": -1.0}, "max_cost_usd"),
    ],
)
def test_malformed_requests_name_the_field(router: Router, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        router.select(**kwargs)  # type: ignore[arg-type]
    assert caught.value.reason == "INVALID_REQUEST"
    assert field in caught.value.metadata["field"]


def test_every_error_is_a_router_error(router: Router) -> None:
    with pytest.raises(RouterError):
        router.select(strategy="no-such-strategy")
