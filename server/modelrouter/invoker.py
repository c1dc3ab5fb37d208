"""Calling models: for each step of the call's plan (`modelrouter.plan`), one
attempt (`modelrouter.attempt`), until one answers or the plan is spent; every
attempt is kept for the caller.

Everything happens inside the caller's deadline: each attempt's time is cut to
what is left, and a backoff that would pass the deadline is not slept."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.attempt import DEADLINE_SLACK_S, Attempt, AttemptRefused, AttemptRun, Attempts
from modelrouter.budgets.ledger import Ledger
from modelrouter.circuit import CircuitBreaker
from modelrouter.clock import Clock, monotonic
from modelrouter.conversation import ToolCallDelta
from modelrouter.domain import Decision, InvokeParams
from modelrouter.errors import AllCandidatesFailed, BudgetExceeded, DeadlineExceeded, StreamInterrupted
from modelrouter.gate import Gate
from modelrouter.live import LiveState
from modelrouter.outcomes import Outcome
from modelrouter.plan import Pick, Plan, RetryPolicy, Step
from modelrouter.providers.base import Completion, Provider
from modelrouter.usage.figures import NANO

__all__ = ("Attempt", "Invoked", "Invoker", "RetryPolicy")


@dataclass(frozen=True, slots=True)
class Invoked:
    """A successful call and how it was reached."""

    completion: Completion
    model: str
    deployment: str
    cost_usd: float
    attempts: tuple[Attempt, ...]
    cache_hit: bool = False
    """Served from the response cache: no attempt was made."""


def _summary(attempts: list[Attempt]) -> str:
    return ",".join(f"{a.model}/{a.deployment}={a.outcome}" for a in attempts)


class _Call:
    """One Invoke's plan and the attempts made so far."""

    __slots__ = ("budget_error", "deadline", "plan", "records")

    def __init__(self, plan: Plan, deadline: float | None) -> None:
        self.plan = plan
        self.deadline = deadline
        self.records: list[Attempt] = []
        self.budget_error: BudgetExceeded | None = None

    def ended(self, step: Step, run: AttemptRun) -> None:
        assert run.record is not None
        self.records.append(run.record)
        if run.budget_error is not None:
            self.budget_error = run.budget_error
        self.plan.ended(step, run.outcome, run.retry_after_s)
        if run.outcome == Outcome.DEADLINE_EXCEEDED:
            raise self.deadline_passed()

    def deadline_passed(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"the caller's deadline passed after {len(self.records)} attempts",
            {"attempts": _summary(self.records)},
        )

    def succeeded(self, run: AttemptRun) -> Invoked:
        assert run.completion is not None
        return Invoked(
            run.completion, run.state.id, run.deployment.name, run.cost_nusd / NANO, tuple(self.records)
        )

    def exhausted(self) -> AllCandidatesFailed | BudgetExceeded:
        """Why no candidate answered: a budget, when it refused every attempt; else
        every candidate failing."""
        if self.budget_error is not None and all(a.outcome == Outcome.OVER_BUDGET for a in self.records):
            return self.budget_error
        return AllCandidatesFailed(_summary(self.records), tuple(self.records))


class Invoker:
    live: LiveState
    attempts: Attempts

    def __init__(
        self,
        live: LiveState,
        pick: Pick,
        providers: Mapping[tuple[str, str], Provider],
        breakers: Mapping[tuple[str, str], CircuitBreaker],
        retry: RetryPolicy,
        clock: Clock = monotonic,
        rng: random.Random | None = None,
        log: FilteringBoundLogger | None = None,
        ledger: Ledger | None = None,
        budget_output_tokens: int = 4096,
        wall: Clock = time.time,
        before: Invoker | None = None,
    ) -> None:
        """`before`: the invoker of the configuration this one replaces (a
        reload): a model whose state carried over keeps its deployments' gates
        (their calls in flight and waiting), and the refusal counts go on."""
        self.live = live
        self.pick = pick
        self.retry = retry
        self.clock = clock
        self.rng = rng or random.Random()
        self._providers = providers
        kept = before.attempts.gates if before is not None else {}
        carried = before.live.models if before is not None else {}
        gates = {
            (m.id, d.name): kept[(m.id, d.name)]
            if carried.get(m.id) is m
            else Gate(d, m.spec.max_concurrency)
            for m in live.models.values()
            for d in m.deployments
        }
        self.attempts = Attempts(providers, breakers, gates, ledger, budget_output_tokens, clock, wall, log)
        if before is not None:
            self.attempts.refusals = before.attempts.refusals

    def _call(self, decision: Decision, deadline: float | None) -> _Call:
        plan = Plan(decision.order, decision.deployment, self.live.models, self.pick, self.retry, self.rng)
        return _Call(plan, deadline)

    async def _next(self, call: _Call) -> Step | None:
        """The next step, once its backoff is over; DeadlineExceeded when the
        caller's deadline is (all but) spent."""
        deadline = call.deadline
        step = call.plan.next(None if deadline is None else deadline - self.clock())
        if step is None:
            return None
        if step.delay_s > 0:
            await asyncio.sleep(step.delay_s)
        if deadline is not None and deadline - self.clock() <= DEADLINE_SLACK_S:
            raise call.deadline_passed()
        return step

    def _run(self, step: Step, params: InvokeParams, deadline: float | None, tenant: str) -> AttemptRun:
        return AttemptRun(self.attempts, step.state, step.deployment, params, deadline, tenant)

    async def complete(
        self, decision: Decision, params: InvokeParams, deadline: float | None, tenant: str = ""
    ) -> Invoked:
        """`tenant`: whose call it is (its budgets apply, its usage is counted)."""
        call = self._call(decision, deadline)
        while (step := await self._next(call)) is not None:
            run = self._run(step, params, deadline, tenant)
            try:
                async with run:
                    await run.complete()
            except AttemptRefused:
                pass
            call.ended(step, run)
            if run.outcome == Outcome.OK:
                return call.succeeded(run)
        raise call.exhausted()

    async def stream(
        self, decision: Decision, params: InvokeParams, deadline: float | None, tenant: str = ""
    ) -> AsyncGenerator[str | ToolCallDelta | Invoked, None]:
        """Text deltas as they arrive, then one Invoked. A failure before the first
        delta falls back like `complete`; after it, StreamInterrupted."""
        call = self._call(decision, deadline)
        while (step := await self._next(call)) is not None:
            run = self._run(step, params, deadline, tenant)
            try:
                async with run, aclosing(run.stream()) as deltas:
                    async for delta in deltas:
                        yield delta
            except AttemptRefused:
                pass
            call.ended(step, run)
            if run.outcome == Outcome.OK:
                yield call.succeeded(run)
                return
            if run.received:
                # The caller has part of an answer: another model cannot continue it.
                raise StreamInterrupted(_summary(call.records), tuple(call.records))
        raise call.exhausted()

    async def close(self) -> None:
        await self.attempts.close()
        await asyncio.gather(*(p.close() for p in self._providers.values()), return_exceptions=True)
