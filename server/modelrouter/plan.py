"""The retry and fallback policy of one call: which (model, deployment) next, after
what delay. Pure: it reads no clock and does no I/O; the invoker tells it how
each attempt ended and how much of the caller's deadline is left.

- Models are tried in the decision's order, best first.
- A model gets at most `max_attempts_per_model` attempts that reached it. A retry
  goes to a deployment not yet tried in this call while there is one; a
  deployment the router itself refused (circuit open, gate full) or that
  refused our credentials is not asked again in this call; a budget refusal
  moves on to the next model at once.
- A retryable failure waits a jittered, doubling backoff (or the upstream's
  Retry-After) before the same deployment is asked again; another deployment is
  asked at once. A wait that would pass the deadline moves on to the next model.
- A context refusal skips every model whose context is no larger."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass

from modelrouter.live import DeploymentState, ModelState
from modelrouter.outcomes import AGAINST_DEPLOYMENT, NOT_SENT, RETRYABLE, Outcome


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts_per_model: int = 2
    backoff_s: float = 0.05
    """The first backoff; it doubles with each retry, with full jitter."""
    backoff_max_s: float = 2.0


@dataclass(frozen=True, slots=True)
class Step:
    state: ModelState
    deployment: DeploymentState
    delay_s: float
    """Wait this long before the attempt."""


Pick = Callable[[str, Set[str]], DeploymentState]


class Plan:
    __slots__ = (
        "_delay",
        "_first",
        "_index",
        "_min_context",
        "_models",
        "_order",
        "_pick",
        "_policy",
        "_refused",
        "_rng",
        "_tried",
        "_tries",
    )

    def __init__(
        self,
        order: Sequence[str],
        first_deployment: str,
        models: Mapping[str, ModelState],
        pick: Pick,
        policy: RetryPolicy,
        rng: random.Random,
    ) -> None:
        self._order = order
        self._first = first_deployment
        self._models = models
        self._pick = pick
        self._policy = policy
        self._rng = rng
        self._index = -1
        self._min_context = 0
        self._next_model()

    def _next_model(self) -> None:
        self._index += 1
        self._tries = 0
        self._delay = 0.0
        self._tried: set[str] = set()
        """Deployments of this model that an attempt reached."""
        self._refused: set[str] = set()
        """Deployments of this model not to be asked again in this call: the
        router refused them without sending, or they failed for good."""

    def next(self, remaining_s: float | None) -> Step | None:
        """The next attempt, or None when every candidate is spent."""
        while self._index < len(self._order):
            state = self._models[self._order[self._index]]
            if (
                state.context_window <= self._min_context
                or self._tries >= self._policy.max_attempts_per_model
            ):
                self._next_model()
                continue
            deployment = self._choose(state)
            if deployment is None:  # the router refused every deployment of this model
                self._next_model()
                continue
            delay = self._delay if deployment.name in self._tried else 0.0
            if delay > 0 and remaining_s is not None and delay >= remaining_s:
                self._next_model()  # no time to wait for this one: the next model now
                continue
            return Step(state, deployment, delay)
        return None

    def _choose(self, state: ModelState) -> DeploymentState | None:
        if self._index == 0 and self._first and not self._tried and not self._refused:
            first = self._first
            return next(d for d in state.deployments if d.name == first)
        avoid = self._tried | self._refused
        deployment = self._pick(state.id, avoid)
        if deployment.name in avoid:  # every deployment was tried: any but the refused
            deployment = self._pick(state.id, self._refused)
            if deployment.name in self._refused:
                return None
        return deployment

    def ended(self, step: Step, outcome: str, retry_after_s: float | None) -> None:
        """How the attempt of `step` ended."""
        name = step.deployment.name
        if outcome in NOT_SENT:
            if outcome in (Outcome.OVER_BUDGET, Outcome.BUDGET_UNAVAILABLE):
                self._next_model()  # a budget holds for the whole model
            else:
                self._refused.add(name)
            return
        self._tries += 1
        self._tried.add(name)
        if outcome == Outcome.CONTEXT_TOO_LONG:
            self._min_context = max(self._min_context, step.state.context_window)
            self._next_model()
        elif outcome in AGAINST_DEPLOYMENT and outcome not in RETRYABLE:
            # This deployment will not do (AUTH_FAILED: its key or endpoint is
            # wrong); another deployment of the model may.
            self._refused.add(name)
        elif outcome not in RETRYABLE:
            self._next_model()
        else:
            policy = self._policy
            ceiling = min(policy.backoff_max_s, policy.backoff_s * 2 ** (self._tries - 1))
            self._delay = max(retry_after_s or 0.0, self._rng.uniform(0, ceiling))
