"""Calling models: for each candidate of a decision, best first, pick a deployment,
pass its gate, call its provider; retry what is worth retrying with backoff, fall
back down the ranking for the rest, and keep every attempt.

Everything happens inside the caller's deadline: each provider timeout is cut to
what is left, and a backoff that would pass the deadline is not slept."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.bounds import cost_bound_nusd, cost_nusd, input_token_bound
from modelrouter.budgets.ledger import Ledger, LedgerUnavailable, Reservation
from modelrouter.circuit import CircuitBreaker
from modelrouter.clock import Clock, monotonic
from modelrouter.domain import Decision, InvokeParams
from modelrouter.errors import AllCandidatesFailed, BudgetExceeded, DeadlineExceeded, StreamInterrupted
from modelrouter.gate import Gate
from modelrouter.live import DeploymentState, LiveState, ModelState
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, Provider, ProviderError
from modelrouter.usage.figures import NANO, CallEvent

OVER_BUDGET = "OVER_BUDGET"
"""An attempt a budget refused before anything was sent."""
BUDGET_UNAVAILABLE = "BUDGET_UNAVAILABLE"
"""An attempt under a budget whose store could not be reached: nothing was sent."""

# A reservation is held this much longer than its call may take.
HOLD_SLACK_S = 60.0
# An attempt cut to the caller's deadline ends this long before it: the router,
# not gRPC's cancellation of the call, then ends the call, and the attempt's
# TIMEOUT is recorded rather than lost in a race with the cancellation.
DEADLINE_SLACK_S = 0.02


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts_per_model: int = 2
    backoff_s: float = 0.05
    """The first backoff; it doubles with each retry, with full jitter."""
    backoff_max_s: float = 2.0


@dataclass(frozen=True, slots=True)
class Attempt:
    model: str
    deployment: str
    outcome: str
    latency_ms: float
    error: str


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


@dataclass(slots=True)
class _Slot:
    state: ModelState
    deployment: DeploymentState
    timeout_s: float
    started: float
    reservation: Reservation | None = None
    """What the call holds against budgets (None: no budget applies)."""
    waited: bool = False
    """The call found the deployment at its max_concurrency and waited."""


class _Plan:
    """Which deployment to try next, and whether to wait first: the retry and
    fallback policy in one place, shared by unary and streaming calls."""

    def __init__(
        self, invoker: Invoker, decision: Decision, params: InvokeParams, deadline: float | None
    ) -> None:
        self._inv = invoker
        self._params = params
        self._order = decision.order
        self._first = decision.deployment
        self._deadline = deadline
        self._index = 0
        self._tries = 0
        self._min_context = 0
        self._delay = 0.0
        self.attempts: list[Attempt] = []
        self.budget_error: BudgetExceeded | None = None

    def _remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - self._inv.clock()

    async def next(self) -> _Slot | None:
        inv = self._inv
        while self._index < len(self._order):
            state = inv.live.models[self._order[self._index]]
            if state.context_window <= self._min_context or self._tries >= inv.retry.max_attempts_per_model:
                self._next_model()
                continue
            if self._delay > 0:
                remaining = self._remaining()
                if remaining is not None and self._delay >= remaining:
                    self._next_model()  # no time to wait for this one: try the next model now
                    continue
                await asyncio.sleep(self._delay)
                self._delay = 0.0
            remaining = self._remaining()
            if remaining is not None and remaining <= DEADLINE_SLACK_S:
                raise DeadlineExceeded(
                    "the caller's deadline passed before an answer", {"attempts": _summary(self.attempts)}
                )
            if self._index == 0 and self._tries == 0 and self._first:
                name = self._first
                deployment = next(d for d in state.deployments if d.name == name)
            else:
                deployment = inv.pick(state.id)
            self._tries += 1
            if not inv.breakers[(state.id, deployment.name)].allow():
                # Refused without a call: an attempt, not a request to the deployment.
                self.attempts.append(
                    Attempt(state.id, deployment.name, Outcome.CIRCUIT_OPEN, 0.0, "the circuit is open")
                )
                continue
            timeout = (
                state.spec.timeout_s
                if remaining is None
                else min(state.spec.timeout_s, remaining - DEADLINE_SLACK_S)
            )
            slot = _Slot(state, deployment, timeout, inv.clock())
            try:
                slot.reservation = await inv.reserve(slot, self._params)
            except (BudgetExceeded, LedgerUnavailable) as err:
                self.refused(slot, err)  # nothing sent: the next model may fit
                continue
            return slot
        return None

    def _next_model(self) -> None:
        self._index += 1
        self._tries = 0
        self._delay = 0.0

    def refused(self, slot: _Slot, err: BudgetExceeded | LedgerUnavailable) -> None:
        """A budget refused this model, or could not be asked: nothing was sent;
        the next model may fit."""
        if isinstance(err, BudgetExceeded):
            self.attempts.append(Attempt(slot.state.id, slot.deployment.name, OVER_BUDGET, 0.0, err.message))
            self.budget_error = err
        else:
            self.attempts.append(
                Attempt(slot.state.id, slot.deployment.name, BUDGET_UNAVAILABLE, 0.0, str(err))
            )
        self._next_model()

    def failed(self, slot: _Slot, err: ProviderError) -> None:
        latency_ms = (self._inv.clock() - slot.started) * 1000
        self.attempts.append(
            Attempt(slot.state.id, slot.deployment.name, err.outcome, latency_ms, err.message)
        )
        self._inv.record_failure(slot, err.outcome, latency_ms)
        if err.outcome == Outcome.CONTEXT_TOO_LONG:
            self._min_context = max(self._min_context, slot.state.context_window)
            self._next_model()
        elif not err.retryable:
            self._next_model()
        else:
            policy = self._inv.retry
            ceiling = min(policy.backoff_max_s, policy.backoff_s * 2 ** (self._tries - 1))
            self._delay = max(err.retry_after_s or 0.0, self._inv.rng.uniform(0, ceiling))

    def succeeded(self, slot: _Slot, completion: Completion, ttft_ms: float) -> Invoked:
        latency_ms = (self._inv.clock() - slot.started) * 1000
        cost = self._inv.record_success(slot, completion, latency_ms, ttft_ms)
        self.attempts.append(Attempt(slot.state.id, slot.deployment.name, Outcome.OK, latency_ms, ""))
        return Invoked(completion, slot.state.id, slot.deployment.name, cost, tuple(self.attempts))

    def exhausted(self) -> AllCandidatesFailed | DeadlineExceeded | BudgetExceeded:
        """Why no candidate answered: a budget, when it refused every attempt; the
        caller's deadline, when it is (all but) spent, since the last attempt was
        cut by it; else every candidate failing."""
        if self.budget_error is not None and all(a.outcome == OVER_BUDGET for a in self.attempts):
            return self.budget_error
        remaining = self._remaining()
        if remaining is not None and remaining < 2 * DEADLINE_SLACK_S:
            return DeadlineExceeded(
                f"the caller's deadline passed after {len(self.attempts)} attempts",
                {"attempts": _summary(self.attempts)},
            )
        return AllCandidatesFailed(_summary(self.attempts), tuple(self.attempts))


def _bound(reservation: Reservation | None) -> int:
    return reservation.amount_nusd if reservation is not None else 0


def _summary(attempts: list[Attempt]) -> str:
    return ",".join(f"{a.model}/{a.deployment}={a.outcome}" for a in attempts)


class Invoker:
    def __init__(
        self,
        live: LiveState,
        pick: Callable[[str], DeploymentState],
        providers: Mapping[tuple[str, str], Provider],
        breakers: Mapping[tuple[str, str], CircuitBreaker],
        retry: RetryPolicy,
        clock: Clock = monotonic,
        rng: random.Random | None = None,
        log: FilteringBoundLogger | None = None,
        ledger: Ledger | None = None,
        budget_output_tokens: int = 4096,
        wall: Clock = time.time,
    ) -> None:
        self.live = live
        self.ledger = ledger
        self._budget_output_tokens = budget_output_tokens
        self.wall = wall
        self.pick = pick
        self.retry = retry
        self.clock = clock
        self.rng = rng or random.Random()
        self._log = log
        self._providers = providers
        self.breakers = breakers
        self._gates = {
            (m.spec.id, d.name): Gate(d, m.spec.max_concurrency)
            for m in live.models.values()
            for d in m.deployments
        }

    def _request(self, slot: _Slot, params: InvokeParams, budgeted: bool) -> CompletionRequest:
        max_output = params.max_output_tokens
        if budgeted and max_output is None:
            max_output = self._budget_output_tokens  # what the reservation assumed
        return CompletionRequest(
            slot.state.spec.upstream_model,
            params.messages,
            max_output,
            params.temperature,
            params.stop,
            slot.timeout_s,
        )

    async def reserve(self, slot: _Slot, params: InvokeParams) -> Reservation | None:
        """Reserves the most this call could cost under every budget on its model;
        None when no budget applies. Raises BudgetExceeded."""
        ledger = self.ledger
        if ledger is None or not ledger.applies(slot.state.id):
            return None
        output = params.max_output_tokens or self._budget_output_tokens
        bound = cost_bound_nusd(slot.state.spec.pricing, input_token_bound(params.messages), output)
        # Held for the call's longest possible time and a minute more: a replica
        # that dies mid-call does not keep its reservation past that.
        # The call may wait up to timeout_s for a slot, then run as long again.
        return await ledger.reserve(slot.state.id, bound, 2 * slot.timeout_s + HOLD_SLACK_S)

    async def _settle(self, reservation: Reservation | None, spent_nusd: int) -> None:
        if reservation is not None and self.ledger is not None:
            await self.ledger.settle(reservation, spent_nusd)

    async def complete(self, decision: Decision, params: InvokeParams, deadline: float | None) -> Invoked:
        plan = _Plan(self, decision, params, deadline)
        while (slot := await plan.next()) is not None:
            key = (slot.state.id, slot.deployment.name)
            reservation = slot.reservation
            spent = 0
            try:
                async with self._gates[key].enter(slot.timeout_s) as waited:
                    slot.waited = waited
                    completion = await self._providers[key].complete(
                        self._request(slot, params, reservation is not None)
                    )
                invoked = plan.succeeded(slot, completion, (self.clock() - slot.started) * 1000)
                spent = round(invoked.cost_usd * NANO)
                return invoked
            except ProviderError as err:
                plan.failed(slot, err)
            except Exception as exc:  # an adapter's bug must not end the call: log it, move on
                plan.failed(slot, self._unexpected(slot, exc))
            except BaseException:
                # The caller went away mid-call: the upstream may bill what it
                # generated, which nobody will report. Count the bound.
                spent = _bound(reservation)
                raise
            finally:
                await asyncio.shield(self._settle(reservation, spent))
        raise plan.exhausted()

    async def stream(
        self, decision: Decision, params: InvokeParams, deadline: float | None
    ) -> AsyncIterator[str | Invoked]:
        """Text deltas as they arrive, then one Invoked. A failure before the first
        delta falls back like `complete`; after it, StreamInterrupted."""
        plan = _Plan(self, decision, params, deadline)
        while (slot := await plan.next()) is not None:
            key = (slot.state.id, slot.deployment.name)
            reservation = slot.reservation
            ttft_ms = 0.0
            sent = False
            completion: Completion | None = None
            try:
                async with self._gates[key].enter(slot.timeout_s) as waited:
                    slot.waited = waited
                    upstream = self._providers[key].stream(
                        self._request(slot, params, reservation is not None)
                    )
                    try:
                        async for item in upstream:
                            if isinstance(item, str):
                                if not sent:
                                    ttft_ms = (self.clock() - slot.started) * 1000
                                    sent = True
                                yield item
                            else:
                                completion = item
                    finally:
                        await upstream.aclose()
                if completion is None:
                    raise ProviderError(Outcome.BAD_RESPONSE, "stream ended without a summary")
            except Exception as exc:
                # Cut after text arrived: the upstream bills what it generated, which
                # it no longer reports. Count the bound; before any text, nothing.
                await self._settle(reservation, _bound(reservation) if sent else 0)
                failure = exc if isinstance(exc, ProviderError) else self._unexpected(slot, exc)
                plan.failed(slot, failure)
                if sent:
                    raise StreamInterrupted(_summary(plan.attempts), tuple(plan.attempts)) from None
                continue
            except BaseException:  # the caller went away mid-call: count the bound, as above
                await asyncio.shield(self._settle(reservation, _bound(reservation)))
                raise
            invoked = plan.succeeded(
                slot, completion, ttft_ms if sent else (self.clock() - slot.started) * 1000
            )
            await self._settle(reservation, round(invoked.cost_usd * NANO))
            yield invoked
            return
        raise plan.exhausted()

    def _unexpected(self, slot: _Slot, exc: Exception) -> ProviderError:
        if self._log is not None:
            self._log.exception("provider error", model=slot.state.id, deployment=slot.deployment.name)
        return ProviderError(Outcome.UNAVAILABLE, f"unexpected provider error: {exc!r}")

    def record_failure(self, slot: _Slot, outcome: str, latency_ms: float) -> None:
        slot.deployment.events.append(CallEvent(self.wall(), outcome, latency_ms, 0.0, 0, 0, 0, slot.waited))
        if outcome == Outcome.OVERLOADED:
            return  # refused by our own gate: nothing was sent
        slot.state.record_call(False)
        self.breakers[(slot.state.id, slot.deployment.name)].record(outcome)

    def record_success(self, slot: _Slot, completion: Completion, latency_ms: float, ttft_ms: float) -> float:
        state = slot.state
        nusd = cost_nusd(state.spec.pricing, completion.input_tokens, completion.output_tokens)
        slot.deployment.events.append(
            CallEvent(
                self.wall(),
                Outcome.OK,
                latency_ms,
                ttft_ms,
                completion.input_tokens,
                completion.output_tokens,
                nusd,
                slot.waited,
            )
        )
        state.record_call(True)
        self.breakers[(state.id, slot.deployment.name)].record(Outcome.OK)
        generation_s = max(latency_ms - ttft_ms, 0.0) / 1000
        if completion.output_tokens > 1 and generation_s > 0:
            state.observe_latency(ttft_ms, (completion.output_tokens - 1) / generation_s)
        d = slot.deployment
        d.ewma_latency_ms = (
            latency_ms if d.ewma_latency_ms <= 0 else d.ewma_latency_ms * 0.9 + latency_ms * 0.1
        )
        return nusd / NANO

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self._providers.values()), return_exceptions=True)
