"""Every deployment's figures in three spans: since this process started (for
Prometheus, whose counters must only grow within a process), since the last
flush to the store (the delta the store adds to its totals), and the recent
window. Calls append events to their deployment's state; `fold` moves them here."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator

from modelrouter.live import DeploymentState, LiveState
from modelrouter.outcomes import Outcome
from modelrouter.usage.figures import CallEvent, Figures
from modelrouter.usage.window import Window

Key = tuple[str, str]
"""(model, deployment)."""

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


class DeploymentUsage:
    __slots__ = ("_selections_seen", "key", "latency", "pending", "process", "state", "ttft", "window")

    def __init__(self, state: DeploymentState, window_s: float) -> None:
        self.key: Key = (state.model, state.name)
        self.state = state
        self.process = Figures()
        self.pending = Figures()
        self.window = Window(window_s)
        self.latency = Histogram()
        self.ttft = Histogram()
        self._selections_seen = 0

    def fold(self, now: float) -> None:
        state = self.state
        events, state.events = state.events, []
        process, pending, window = self.process, self.pending, self.window
        for e in events:
            process.add(e)
            pending.add(e)
            window.at(e.at).add(e)
            if e.outcome != Outcome.OVERLOADED:
                self.latency.add(e.latency_ms / 1000)
                if e.outcome == Outcome.OK:
                    self.ttft.add(e.ttft_ms / 1000)
        # Selections are counted on the (hot) selection path as a plain integer;
        # what arrived since the last fold is dated now.
        chosen = state.selections - self._selections_seen
        if chosen:
            self._selections_seen = state.selections
            process.selections += chosen
            pending.selections += chosen
            window.at(now).selections += chosen


class UsageBook:
    def __init__(self, live: LiveState, window_s: float, wall: Callable[[], float]) -> None:
        self.window_s = window_s
        self._wall = wall
        self.deployments: dict[Key, DeploymentUsage] = {
            (m.id, d.name): DeploymentUsage(d, window_s) for m in live.models.values() for d in m.deployments
        }

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
            if not d.pending.is_empty():
                taken[d.key] = d.pending
                d.pending = Figures()
        return taken

    def give_back(self, taken: dict[Key, Figures]) -> None:
        """A flush that failed: its figures wait for the next one."""
        for key, figures in taken.items():
            self.deployments[key].pending.merge(figures)

    def recent(self, key: Key, empty: Figures | None = None) -> Figures:
        """The window's figures, for reading only."""
        return self.deployments[key].window.figures(self._wall(), empty)


def new_event(
    at: float,
    outcome: str,
    latency_ms: float,
    ttft_ms: float = 0.0,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cost_nusd: int = 0,
    waited: bool = False,
) -> CallEvent:
    return CallEvent(at, outcome, latency_ms, ttft_ms, input_tokens, output_tokens, cost_nusd, waited)
