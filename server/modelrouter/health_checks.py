"""Deployment health: a circuit breaker per deployment, fed by every call's
outcome and by active probes in the background, turned into the deployment's
health (open: UNHEALTHY; closed: HEALTHY), which selection, ListModels, Stats and
the gRPC health service read. Every transition is logged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from structlog.typing import FilteringBoundLogger

from modelrouter.circuit import CircuitBreaker, CircuitPolicy, State
from modelrouter.clock import Clock
from modelrouter.domain import Health
from modelrouter.live import LiveState
from modelrouter.outcomes import Outcome
from modelrouter.providers.base import Provider, ProviderError


def _unheard(before: State, after: State, why: str) -> None:
    """Where a breaker no longer in use reports: nowhere."""


class HealthMonitor:
    def __init__(
        self,
        live: LiveState,
        providers: Mapping[tuple[str, str], Provider],
        policy: CircuitPolicy,
        interval_s: float,
        timeout_s: float,
        clock: Clock,
        log: FilteringBoundLogger | None = None,
        kept: Mapping[tuple[str, str], CircuitBreaker] | None = None,
    ) -> None:
        """`kept`: breakers of the configuration this one replaces (a reload), for
        the deployments that keep theirs; `take_over` makes them report here."""
        self._live = live
        self._providers = providers
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._log = log
        self._task: asyncio.Task[None] | None = None
        kept = kept or {}
        self.breakers: dict[tuple[str, str], CircuitBreaker] = {
            key: kept.get(key) or CircuitBreaker(policy, clock, self._transition(*key)) for key in providers
        }
        self._new = frozenset(key for key in providers if key not in kept)

    def _transition(self, model: str, deployment: str) -> Callable[[State, State, str], None]:
        def changed(before: State, after: State, why: str) -> None:
            if self._log is not None:
                self._log.warning(
                    "circuit",
                    model=model,
                    deployment=deployment,
                    before=before.value,
                    after=after.value,
                    why=why,
                )
            if after is State.OPEN:
                self._live.set_health(model, deployment, Health.UNHEALTHY)
            elif after is State.CLOSED:
                self._live.set_health(model, deployment, Health.HEALTHY)

        return changed

    def take_over(self, previous: HealthMonitor) -> None:
        """At a reload's swap: `previous` stops probing; the breakers kept report
        to this monitor, the ones dropped to no one (the last calls of a removed
        deployment change nothing), and a kept deployment given a new breaker (its
        address changed) starts healthy, as its breaker does."""
        previous.halt()
        for key, breaker in previous.breakers.items():
            if self.breakers.get(key) is not breaker:
                breaker.report_to(_unheard)
        for key, breaker in self.breakers.items():
            breaker.report_to(self._transition(*key))
        for model, deployment in self._new:
            self._live.set_health(model, deployment, Health.HEALTHY)

    def halt(self) -> None:
        """Stops probing now; `stop` waits for the probe loop to end."""
        if self._task is not None:
            self._task.cancel()

    def start(self) -> None:
        if self._interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="modelrouter-health-checks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.check_all()

    async def check_all(self) -> None:
        """Probes every deployment whose breaker wants one: closed ones (a failing
        probe counts like a failing call), open ones whose cooldown is over, and
        half-open ones with no probe under way."""
        due = [key for key, b in self.breakers.items() if b.state is State.CLOSED or b.wants_probe]
        await asyncio.gather(*(self._probe(key) for key in due))

    async def _probe(self, key: tuple[str, str]) -> None:
        breaker = self.breakers[key]
        if breaker.state is not State.CLOSED and not breaker.allow():
            return
        try:
            await asyncio.wait_for(self._providers[key].probe(self._timeout_s), self._timeout_s)
        except ProviderError as err:
            breaker.record(err.outcome)
        except TimeoutError:
            breaker.record(Outcome.TIMEOUT)
        except BaseException:
            breaker.record(Outcome.CANCELLED)  # stopped mid-probe: a half-open breaker must not wait for it
            raise
        else:
            breaker.record(Outcome.OK)
