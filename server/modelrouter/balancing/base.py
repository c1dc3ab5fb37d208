"""The balancer interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from modelrouter.domain import Health
from modelrouter.live import DeploymentState


class Balancer(Protocol):
    """Picks the deployment for one call among a model's deployments."""

    def pick(self) -> DeploymentState:
        """A healthy deployment if there is one, else the least bad."""
        ...


def serving(deployments: Sequence[DeploymentState]) -> Sequence[DeploymentState]:
    """The deployments worth sending to: the healthy ones, else all (a model whose
    every deployment is unhealthy is not selected, but a call naming it still tries)."""
    healthy = [d for d in deployments if d.health != Health.UNHEALTHY]
    return healthy or deployments
