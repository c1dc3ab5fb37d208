"""Balancing across a model's deployments: one module per algorithm behind
`Balancer`, built per model from `BALANCERS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from modelrouter.balancing.base import Balancer
from modelrouter.balancing.latency_p2c import LatencyP2C
from modelrouter.balancing.least_in_flight import LeastInFlight
from modelrouter.balancing.weighted_round_robin import SmoothWeightedRoundRobin
from modelrouter.live import DeploymentState

BALANCERS: Mapping[str, Callable[[Sequence[DeploymentState]], Balancer]] = MappingProxyType(
    {
        "weighted_round_robin": SmoothWeightedRoundRobin,
        "least_in_flight": LeastInFlight,
        "latency_p2c": LatencyP2C,
    }
)

__all__ = ["BALANCERS", "Balancer"]
