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
    ) -> None:
        self._live = live
        self._providers = providers
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._log = log
        self._task: asyncio.Task[None] | None = None
        self.breakers: dict[tuple[str, str], CircuitBreaker] = {
            key: CircuitBreaker(policy, clock, self._transition(*key)) for key in providers
        }

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
