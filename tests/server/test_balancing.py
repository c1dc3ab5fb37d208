"""The balancers: smooth weighted round robin honours weights exactly over time
(fractional ones too), least-in-flight follows load, latency-aware power of two
choices follows measured latency with weights as a prior, and all of them keep
away from unhealthy deployments."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from modelrouter.balancing.latency_p2c import LatencyP2C
from modelrouter.balancing.least_in_flight import LeastInFlight
from modelrouter.balancing.weighted_round_robin import SmoothWeightedRoundRobin
from modelrouter.domain import Health
from modelrouter.live import DeploymentState


def deployments(*weights: float) -> list[DeploymentState]:
    return [DeploymentState("m", f"d{i}", w) for i, w in enumerate(weights)]


@pytest.mark.parametrize("weights", [(1, 3), (0.5, 1.5, 2.0), (1, 1, 1, 7), (0.1, 0.2), (2.5, 1)])
def test_weighted_round_robin_lands_within_two_percent_over_ten_thousand_picks(
    weights: tuple[float, ...],
) -> None:
    pool = deployments(*weights)
    balancer = SmoothWeightedRoundRobin(pool)
    counts = Counter(balancer.pick().name for _ in range(10_000))
    total = sum(weights)
    for d in pool:
        share = counts[d.name] / 10_000
        assert share == pytest.approx(d.weight / total, abs=0.02), (d.name, share)


def test_weighted_round_robin_is_exact_over_each_cycle_and_spread_out() -> None:
    pool = deployments(1, 3)
    balancer = SmoothWeightedRoundRobin(pool)
    picks = [balancer.pick().name for _ in range(8)]
    assert Counter(picks[:4]) == {"d0": 1, "d1": 3} and Counter(picks[4:]) == {"d0": 1, "d1": 3}
    assert picks[:4] != ["d0", "d0", "d1", "d1"]  # smooth: no bunching of the light one
    assert "d0d0" not in "".join(picks)


def test_unhealthy_deployments_get_nothing_while_others_serve() -> None:
    pool = deployments(1, 1, 1)
    pool[1].health = Health.UNHEALTHY
    for balancer in (SmoothWeightedRoundRobin(pool), LeastInFlight(pool), LatencyP2C(pool, random.Random(1))):
        names = {balancer.pick().name for _ in range(300)}
        assert names == {"d0", "d2"}, type(balancer).__name__


def test_least_in_flight_sends_to_the_least_loaded_relative_to_weight() -> None:
    pool = deployments(1, 2)
    balancer = LeastInFlight(pool)
    pool[0].in_flight, pool[1].in_flight = 3, 4  # loads 3.0 and 2.0
    assert {balancer.pick().name for _ in range(20)} == {"d1"}
    pool[1].in_flight = 8  # 4.0
    assert {balancer.pick().name for _ in range(20)} == {"d0"}
    pool[0].in_flight = pool[1].in_flight = 0
    assert {balancer.pick().name for _ in range(20)} == {"d0", "d1"}  # idle ones share


def test_latency_p2c_prefers_the_faster_and_follows_weights_before_measuring() -> None:
    pool = deployments(1, 1)
    pool[0].ewma_latency_ms, pool[1].ewma_latency_ms = 50.0, 500.0
    balancer = LatencyP2C(pool, random.Random(7))
    counts = Counter(balancer.pick().name for _ in range(2000))
    assert counts["d0"] > 0.7 * 2000  # when the two draws differ, the fast one wins
    fresh = deployments(1, 4)
    prior = LatencyP2C(fresh, random.Random(7))
    counts = Counter(prior.pick().name for _ in range(5000))
    assert counts["d1"] > counts["d0"] * 2  # no figures yet: the weights decide
    pool[0].in_flight = 20  # the fast one is busy: expected wait 50 x 21 > 500 x 1
    assert Counter(balancer.pick().name for _ in range(500))["d1"] > 200
