"""Live state per model and deployment: health, load and observed performance.

Selection reads it; the invoker, health checker and budget ledger write it. Any
change that could alter a decision (health, budgets) tells the listeners, so
cached rankings are dropped at that moment."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from modelrouter.domain import Health, LatencyProfile, ModelSpec
from modelrouter.usage.figures import CallEvent

Listener = Callable[[], None]

# Observed figures are smoothed with this factor; about the last 20 calls count.
EWMA_ALPHA = 0.1


class DeploymentState:
    """One deployment's mutable figures."""

    __slots__ = (
        "draining",
        "events",
        "ewma_latency_ms",
        "health",
        "in_flight",
        "model",
        "name",
        "selections",
        "weight",
    )

    def __init__(self, model: str, name: str, weight: float) -> None:
        self.model = model
        self.name = name
        self.weight = weight
        self.health = Health.HEALTHY
        self.draining = False
        """Set by an operator (AdminService.SetDeploymentState): no new calls go
        here; the calls in flight finish."""
        self.in_flight = 0
        self.selections = 0
        self.ewma_latency_ms = 0.0
        self.events: list[CallEvent] = []
        """Calls ended since the usage book last folded them in."""


class ModelState:
    """One model's mutable figures and its deployments' states."""

    __slots__ = (
        "_obs_tps",
        "_obs_ttft",
        "budget_block",
        "calls",
        "context_window",
        "default_quality",
        "deployments",
        "draining",
        "health",
        "id",
        "input_per_mtok",
        "latency",
        "output_per_mtok",
        "quality",
        "selections",
        "spec",
        "success_rate",
        "successes",
    )

    def __init__(self, spec: ModelSpec, kept: Mapping[str, DeploymentState] | None = None) -> None:
        """`kept`: deployments of an earlier configuration of this model, by name;
        a deployment still configured keeps its state (figures, health, drain)."""
        self.spec = spec
        self.deployments = tuple(_deployment(spec.id, d.name, d.weight, kept) for d in spec.deployments)
        self.selections = 0
        self.calls = 0
        self.successes = 0
        self.success_rate = 1.0
        """Share of calls that succeeded; 1.0 before any call (no evidence against it)."""
        # The spec's figures that every decision reads for every model, flattened
        # once here: one attribute read each instead of a chain.
        self.id = spec.id
        self.context_window = spec.context_window
        self.quality = dict(spec.quality)
        self.default_quality = spec.quality["default"]
        self.input_per_mtok = spec.pricing.input_per_mtok
        self.output_per_mtok = spec.pricing.output_per_mtok
        self._obs_ttft = 0.0
        self._obs_tps = 0.0
        self.latency: LatencyProfile = spec.latency
        """Observed time to first token and speed once measured, else the configured prior."""
        self.budget_block = ""
        """Why a budget keeps this model out of selection (OVER_BUDGET), or empty."""
        self.draining = False
        """Whether every deployment is draining: selection then rejects the model
        (DRAINING) and a call naming it fails MODEL_DRAINING."""
        self.health = Health.HEALTHY
        """Derived from the deployments' health; kept current by `LiveState.set_health`
        because selection reads it for every model on every decision."""

    def carry(self, before: ModelState) -> None:
        """This model's configuration changed at a reload: it keeps the figures it
        had (`before`'s), its observed latency included."""
        self.selections = before.selections
        self.calls, self.successes, self.success_rate = before.calls, before.successes, before.success_rate
        self._obs_ttft, self._obs_tps = before._obs_ttft, before._obs_tps
        if self._obs_tps > 0:
            self.latency = before.latency
        self.health = self.derive_health()
        self.draining = all(d.draining for d in self.deployments)

    def derive_health(self) -> Health:
        states = [d.health for d in self.deployments]
        if all(h == Health.UNHEALTHY for h in states):
            return Health.UNHEALTHY
        if any(h == Health.UNHEALTHY for h in states):
            return Health.DEGRADED
        return Health.HEALTHY

    def record_call(self, ok: bool) -> None:
        self.calls += 1
        self.successes += ok
        self.success_rate = self.successes / self.calls

    def observe_latency(self, ttft_ms: float, tokens_per_s: float) -> None:
        if self._obs_tps <= 0:
            self._obs_ttft, self._obs_tps = ttft_ms, tokens_per_s
        else:
            self._obs_ttft += EWMA_ALPHA * (ttft_ms - self._obs_ttft)
            self._obs_tps += EWMA_ALPHA * (tokens_per_s - self._obs_tps)
        self.latency = LatencyProfile(self._obs_ttft, self._obs_tps)


def _deployment(
    model: str, name: str, weight: float, kept: Mapping[str, DeploymentState] | None
) -> DeploymentState:
    state = kept.get(name) if kept is not None else None
    # A kept state takes its new weight at the swap (`LiveState.adopt`):
    # until then the configuration in force still balances with the old one.
    return DeploymentState(model, name, weight) if state is None else state


class LiveState:
    """Every model's state, by id, in registry order."""

    def __init__(self, specs: Iterable[ModelSpec], before: LiveState | None = None) -> None:
        """`before`: the state under the configuration this one replaces (a
        reload). A model configured exactly as before keeps its state object, and
        with it everything hung on it (balancer, gate, breaker, connections); a
        model whose configuration changed gets a new one that keeps its figures
        and its deployments' states; a new model starts afresh."""
        states: dict[str, ModelState] = {}
        for spec in specs:
            old = before.models.get(spec.id) if before is not None else None
            if old is not None and old.spec == spec:
                states[spec.id] = old
            elif old is not None:
                states[spec.id] = state = ModelState(spec, {d.name: d for d in old.deployments})
                state.carry(old)
            else:
                states[spec.id] = ModelState(spec)
        self.models: Mapping[str, ModelState] = MappingProxyType(states)
        self._listeners: list[Listener] = []

    def adopt(self) -> None:
        """At a reload's swap: each deployment takes the weight configured now, and
        each model's health and drain are derived again from its deployments'
        (a drain or a circuit may have moved since this state was built)."""
        for m in self.models.values():
            for state, configured in zip(m.deployments, m.spec.deployments, strict=True):
                state.weight = configured.weight
            m.health = m.derive_health()
            m.draining = all(d.draining for d in m.deployments)

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        """Something that may alter decisions changed: invalidate what depends on it."""
        for listener in self._listeners:
            listener()

    def set_health(self, model: str, deployment: str, health: Health) -> bool:
        """Record a deployment's health; returns True when it changed."""
        state = self.models[model]
        for d in state.deployments:
            if d.name == deployment:
                if d.health == health:
                    return False
                d.health = health
                state.health = state.derive_health()
                self.changed()
                return True
        raise KeyError(f"{model}/{deployment}")

    def set_draining(self, model: str, deployment: str, draining: bool) -> bool:
        """Drain a deployment or make it active again; returns the state it had
        (True: draining). KeyError names an unknown model or deployment."""
        state = self.models[model]
        for d in state.deployments:
            if d.name == deployment:
                was = d.draining
                if was != draining:
                    d.draining = draining
                    state.draining = all(x.draining for x in state.deployments)
                    self.changed()  # cached rankings and eligibility may name it
                return was
        raise KeyError(f"{model}/{deployment}")
