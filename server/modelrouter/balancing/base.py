"""The balancer interface."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Protocol

from modelrouter.domain import Health
from modelrouter.live import DeploymentState


class Balancer(Protocol):
    """Picks the deployment for one call among a model's deployments."""

    def pick(self, exclude: Set[str] = frozenset()) -> DeploymentState:
        """An active (not draining) deployment while there is one; of those a
        healthy one if there is one, else the least bad; one whose name
        is not in `exclude` while there is one (a retry goes to a deployment not
        yet tried in its call: Envoy's previous-hosts rule)."""
        ...


def serving(
    deployments: Sequence[DeploymentState], exclude: Set[str] = frozenset()
) -> Sequence[DeploymentState]:
    """The deployments worth sending to: those not draining (all, when every one
    is: selection rejects such a model and a call naming it fails before a pick),
    of those the ones not excluded (all, when every one is), of those the healthy
    ones, else all (a model whose every deployment is unhealthy is not selected,
    but a call naming it still tries)."""
    deployments = [d for d in deployments if not d.draining] or deployments
    if exclude:
        deployments = [d for d in deployments if d.name not in exclude] or deployments
    healthy = [d for d in deployments if d.health != Health.UNHEALTHY]
    return healthy or deployments
