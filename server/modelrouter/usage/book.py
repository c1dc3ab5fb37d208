"""Every deployment's figures, per tenant, in three spans: since this process
started (for Prometheus, whose counters must only grow within a process), since
the last flush to the store (the delta the store adds to its totals), and the
recent window. Calls append events to their deployment's state; `fold` moves them
here, each to its tenant's figures."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator

from modelrouter.live import DeploymentState, LiveState
from modelrouter.outcomes import Outcome
from modelrouter.usage.figures import CallEvent, Figures, merged
from modelrouter.usage.store import Deployment, Key
from modelrouter.usage.window import Window

UNATTRIBUTED = ""
"""The tenant that selections are counted under: the selection path does not know
who asked (and calls to a server without API keys have this tenant too)."""

# Prometheus histogram bounds, in seconds: from a cached answer to a long generation.
BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class Histogram:
    """Fixed-bucket counts for Prometheus (not cumulative; the exporter sums them)."""

    __slots__ = ("counts", "sum_s")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS_S) + 1)
        self.sum_s = 0.0

    def add(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS_S, seconds)] += 1
        self.sum_s += seconds


class Spans:
    """One tenant's figures on one deployment."""

    __slots__ = ("pending", "process", "window")

    def __init__(self, window_s: float) -> None:
        self.process = Figures()
        self.pending = Figures()
        self.window = Window(window_s)


class DeploymentUsage:
    __slots__ = ("_selections_seen", "_window_s", "earlier", "key", "latency", "state", "tenants", "ttft")

    def __init__(self, state: DeploymentState, window_s: float) -> None:
        self.key: Deployment = (state.model, state.name)
        self.state = state
        self._window_s = window_s
        self.tenants: dict[str, Spans] = {}
        """Per tenant with figures here (a tenant appears with its first call)."""
        # Latency histograms for Prometheus are per deployment, whoever called.
        self.latency = Histogram()
        self.ttft = Histogram()
        self._selections_seen = 0
        self.earlier: list[DeploymentState] = []
        """States this deployment had under earlier configurations (removed by a
        reload, then added again) whose calls in flight have not all ended."""

    def follow(self, state: DeploymentState, now: float) -> None:
        """A reload gave this deployment a new state: what the old one holds is
        folded in, and its calls still in flight are folded as they end."""
        self.fold(now)
        self.earlier.append(self.state)
        self.state = state
        self._selections_seen = state.selections

    def spans(self, tenant: str) -> Spans:
        spans = self.tenants.get(tenant)
        if spans is None:
            spans = self.tenants[tenant] = Spans(self._window_s)
        return spans

    def fold(self, now: float) -> None:
        if self.earlier:
            for old in self.earlier:
                self._fold_events(old)
            self.earlier = [old for old in self.earlier if old.in_flight]
        state = self.state
        self._fold_events(state)
        # Selections are counted on the (hot) selection path as a plain integer;
        # what arrived since the last fold is dated now.
        chosen = state.selections - self._selections_seen
        if chosen:
            self._selections_seen = state.selections
            spans = self.spans(UNATTRIBUTED)
            spans.process.selections += chosen
            spans.pending.selections += chosen
            spans.window.at(now).selections += chosen

    def _fold_events(self, state: DeploymentState) -> None:
        events, state.events = state.events, []
        tenant: str | None = None
        for e in events:
            # Calls come in runs of one tenant's: its figures are looked up when it changes.
            if e.tenant != tenant:
                tenant = e.tenant
                spans = self.spans(tenant)
                process, pending, window = spans.process, spans.pending, spans.window
            process.add(e)
            pending.add(e)
            window.at(e.at).add(e)
            if e.outcome != Outcome.OVERLOADED:
                self.latency.add(e.latency_ms / 1000)
                if e.outcome == Outcome.OK:
                    self.ttft.add(e.ttft_ms / 1000)

    def recent(self, now: float, tenant: str | None, empty: Figures | None) -> Figures:
        """The window's figures, one tenant's or (None) every tenant's, for reading only."""
        if tenant is None:
            parts = [f for s in self.tenants.values() for f in s.window.parts(now)]
        else:
            spans = self.tenants.get(tenant)
            parts = spans.window.parts(now) if spans is not None else []
        return merged(parts, empty)


class UsageBook:
    def __init__(self, live: LiveState, window_s: float, wall: Callable[[], float]) -> None:
        self.window_s = window_s
        self._wall = wall
        self.deployments: dict[Deployment, DeploymentUsage] = {
            (m.id, d.name): DeploymentUsage(d, window_s) for m in live.models.values() for d in m.deployments
        }

    def track(self, live: LiveState) -> None:
        """A reload's swap: deployments new to this process get figures of their
        own; one the reload gave a new state follows it. Removed ones keep their
        figures (Prometheus counters only grow, and their calls in flight still
        end) and are folded as before."""
        now = self._wall()
        for m in live.models.values():
            for d in m.deployments:
                usage = self.deployments.get((m.id, d.name))
                if usage is None:
                    self.deployments[(m.id, d.name)] = DeploymentUsage(d, self.window_s)
                elif usage.state is not d:
                    usage.follow(d, now)

    def __iter__(self) -> Iterator[DeploymentUsage]:
        return iter(self.deployments.values())

    def fold(self) -> None:
        now = self._wall()
        for d in self.deployments.values():
            d.fold(now)

    def take_pending(self) -> dict[Key, Figures]:
        """The figures since the last flush, handed to the store; fresh ones start."""
        taken: dict[Key, Figures] = {}
        for d in self.deployments.values():
            model, name = d.key
            for tenant, spans in d.tenants.items():
                if not spans.pending.is_empty():
                    taken[(tenant, model, name)] = spans.pending
                    spans.pending = Figures()
        return taken

    def give_back(self, taken: dict[Key, Figures]) -> None:
        """A flush that failed: its figures wait for the next one."""
        for (tenant, model, name), figures in taken.items():
            self.deployments[(model, name)].spans(tenant).pending.merge(figures)

    def process(self) -> dict[Key, Figures]:
        """This process's figures since it started (for reading only)."""
        return {(t, *d.key): s.process for d in self.deployments.values() for t, s in d.tenants.items()}

    def pending(self) -> dict[Key, Figures]:
        """The figures not flushed yet (for reading only)."""
        return {
            (t, *d.key): s.pending
            for d in self.deployments.values()
            for t, s in d.tenants.items()
            if not s.pending.is_empty()
        }

    def recent(self, key: Deployment, tenant: str | None = None, empty: Figures | None = None) -> Figures:
        """The window's figures of one deployment, one tenant's or (None) every
        tenant's, for reading only."""
        return self.deployments[key].recent(self._wall(), tenant, empty)


def new_event(
    at: float,
    outcome: str,
    latency_ms: float,
    ttft_ms: float = 0.0,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cost_nusd: int = 0,
    waited: bool = False,
    tenant: str = "",
) -> CallEvent:
    return CallEvent(at, outcome, latency_ms, ttft_ms, input_tokens, output_tokens, cost_nusd, waited, tenant)
