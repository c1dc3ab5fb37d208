"""One attempt's life, from admission to its one recorded outcome.

An attempt is entered with `async with`: in order, the deployment's circuit
breaker admits it, the budgets reserve its most possible cost, the concurrency
gate gives it a slot; the body then calls the provider (`complete`, or `stream`
for deltas). Whichever way it ends (an answer, an upstream error, a refusal by
the breaker, a budget or the gate, the caller's cancellation or deadline, the
server's shutdown) exactly one outcome is recorded, once, to all of: the
breaker, the model's live figures, the usage book and the budget ledger.

- A refusal is raised from entering (`AttemptRefused`): the body never runs.
- An upstream failure is suppressed on leaving: the caller reads `outcome`.
- A cut (cancellation, GeneratorExit, shutdown) is recorded, then propagates.

What an attempt is charged (`_used`): an answer, its reported usage. Anything
else that reached the upstream, the input plus the output actually received,
when it received some or was cut (the caller, its deadline, the model's timeout,
a shutdown: the upstream worked on it); an upstream error with nothing received,
nothing. Never a caller-chosen maximum."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from types import TracebackType

from structlog.typing import FilteringBoundLogger

from modelrouter.budgets.bounds import cost_bound_nusd, cost_nusd, input_token_bound
from modelrouter.budgets.ledger import Ledger, LedgerUnavailable, Reservation
from modelrouter.circuit import CircuitBreaker
from modelrouter.clock import Clock
from modelrouter.conversation import ToolCallDelta
from modelrouter.domain import InvokeParams
from modelrouter.errors import BudgetExceeded
from modelrouter.gate import Gate
from modelrouter.live import DeploymentState, ModelState
from modelrouter.outcomes import CUT, NOT_SENT, Outcome
from modelrouter.providers.base import Completion, CompletionRequest, Provider, ProviderError
from modelrouter.ratelimit.meter import charge
from modelrouter.redact import redact
from modelrouter.selection.estimate import CHARS_PER_TOKEN, estimate_input_tokens
from modelrouter.usage.figures import CallEvent

# An attempt cut to the caller's deadline ends this long before it: the router,
# not gRPC's cancellation of the call, then ends the call, and the attempt's
# outcome is recorded rather than lost in a race with the cancellation.
DEADLINE_SLACK_S = 0.02
# A reservation is held this much longer than its call may take.
HOLD_SLACK_S = 60.0
# How long `Attempts.close` waits for settlements still on their way.
CLOSE_WAIT_S = 2.0


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the caller is told of one attempt."""

    model: str
    deployment: str
    outcome: str
    latency_ms: float
    error: str


class AttemptRefused(Exception):
    """Entering the attempt was refused (circuit, budget, gate): nothing was sent,
    and the refusal is recorded already."""


class Attempts:
    """What every attempt shares, built once: breakers, gates, providers, the
    ledger, the clocks; and the server's shutdown, which names the outcome of
    attempts cut by it."""

    def __init__(
        self,
        providers: Mapping[tuple[str, str], Provider],
        breakers: Mapping[tuple[str, str], CircuitBreaker],
        gates: Mapping[tuple[str, str], Gate],
        ledger: Ledger | None,
        budget_output_tokens: int,
        clock: Clock,
        wall: Clock,
        log: FilteringBoundLogger | None,
    ) -> None:
        self.providers = providers
        self.breakers = breakers
        self.gates = gates
        self.ledger = ledger
        self.budget_output_tokens = budget_output_tokens
        self.clock = clock
        self.wall = wall
        self.log = log
        self.open = 0
        """Attempts entered and not yet ended."""
        self.shutting_down = False
        """Set when the shutdown grace ends: attempts cut then are SHUTTING_DOWN."""
        self.refusals: dict[tuple[str, str, str], int] = {}
        """Attempts refused before anything was sent, by (model, deployment,
        outcome): one of `NOT_SENT`. This process's, since it started (metrics)."""
        self._settling: set[asyncio.Task[None]] = set()

    def settle(self, reservation: Reservation, spent_nusd: int) -> asyncio.Task[None]:
        """Settles in a task of its own, so that a cancelled caller cannot cut it
        short; `close` waits for the ones still on their way."""
        assert self.ledger is not None
        task = asyncio.get_running_loop().create_task(self.ledger.settle(reservation, spent_nusd))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return task

    async def close(self) -> None:
        """Waits (boundedly) for attempts cut by the shutdown to record their
        outcome, and for their settlements: the last usage flush comes after."""
        loop = asyncio.get_running_loop()
        until = loop.time() + CLOSE_WAIT_S
        while self.open and loop.time() < until:
            await asyncio.sleep(0.01)  # a cut stream ends when its generator is closed
        if self._settling:
            await asyncio.wait(set(self._settling), timeout=max(until - loop.time(), 0.1))


class AttemptRun:
    """One attempt: an async context manager, entered once."""

    __slots__ = (
        "_admitted",
        "_end_at",
        "_ended",
        "_env",
        "_key",
        "_reservation",
        "_sent",
        "_ttft_ms",
        "budget_error",
        "completion",
        "cost_nusd",
        "cut_by_caller",
        "deployment",
        "error",
        "limit_s",
        "outcome",
        "params",
        "received",
        "record",
        "retry_after_s",
        "started",
        "state",
        "tenant",
        "waited",
    )

    def __init__(
        self,
        env: Attempts,
        state: ModelState,
        deployment: DeploymentState,
        params: InvokeParams,
        deadline: float | None,
        tenant: str = "",
    ) -> None:
        self._env = env
        self.tenant = tenant
        """Whose call it is: its budgets apply, its usage is counted."""
        self.state = state
        self.deployment = deployment
        self.params = params
        self._key = (state.id, deployment.name)
        self.started = env.clock()
        own = state.spec.timeout_s
        left = own if deadline is None else deadline - self.started - DEADLINE_SLACK_S
        self.cut_by_caller = left < own
        """The caller's deadline, not the model's timeout, bounds this attempt."""
        self.limit_s = min(own, left)
        """The attempt's whole time: a wait for a slot, then the call."""
        self._end_at = self.started + self.limit_s
        self.outcome = ""
        self.error = ""
        self.retry_after_s: float | None = None
        self.completion: Completion | None = None
        self.cost_nusd = 0
        """What the attempt was charged."""
        self.received = 0
        """Characters of text received so far."""
        self.budget_error: BudgetExceeded | None = None
        self.record: Attempt | None = None
        self.waited = False
        self._ttft_ms = 0.0
        self._admitted = False
        self._sent = False
        self._ended = False
        self._reservation: Reservation | None = None

    # -- the life ---------------------------------------------------------------

    async def __aenter__(self) -> AttemptRun:
        env = self._env
        env.open += 1
        if not env.breakers[self._key].allow():
            await self._end(Outcome.CIRCUIT_OPEN, "the circuit is open")
            raise AttemptRefused
        self._admitted = True
        refusal: tuple[str, str] | tuple[str, str, str] | None = None
        try:
            if env.ledger is not None and env.ledger.applies(self.state.id, self.tenant):
                self._reservation = await self._reserve(env.ledger)
            self.waited = await env.gates[self._key].acquire(self.limit_s)
        except BudgetExceeded as err:
            self.budget_error = err
            refusal = (Outcome.OVER_BUDGET, err.message)
        except LedgerUnavailable as err:
            refusal = (Outcome.BUDGET_UNAVAILABLE, str(err))
        except ProviderError as err:  # the gate: OVERLOADED
            refusal = (err.outcome, err.message)
        except BaseException:
            await self._end(self._cut_outcome(), "cut while waiting for admission")
            raise
        if refusal is not None:
            await self._end(*refusal)
            raise AttemptRefused
        self._sent = True
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        self._env.gates[self._key].release()
        if exc is None:
            if self.completion is None:
                await self._end(Outcome.BAD_RESPONSE, "the answer ended without its summary")
            else:
                await self._end(Outcome.OK, "")
            return False
        if isinstance(exc, ProviderError):
            self.retry_after_s = exc.retry_after_s
            outcome = exc.outcome
            if outcome == Outcome.TIMEOUT and self.cut_by_caller and self._past_limit():
                outcome = Outcome.DEADLINE_EXCEEDED  # the caller's deadline, not the model's timeout
            await self._end(outcome, exc.message, exc.detail)
            return True
        if isinstance(exc, Exception):  # an adapter's bug must not end the call: log it, move on
            if self._env.log is not None:
                self._env.log.error(
                    "provider error",
                    model=self.state.id,
                    deployment=self.deployment.name,
                    error=repr(exc),
                    exc_info=exc,
                )
            await self._end(
                Outcome.UNAVAILABLE, f"unexpected provider error: {type(exc).__name__}", "see the error above"
            )
            return True
        await self._end(self._cut_outcome(), "cut")
        return False

    # -- the body: one call to the provider ---------------------------------------

    def request(self) -> CompletionRequest:
        params = self.params
        max_output = params.max_output_tokens
        if self._reservation is not None and max_output is None:
            max_output = self._env.budget_output_tokens  # what the reservation assumed
        spec = self.state.spec
        return CompletionRequest(
            spec.upstream_model,
            params.messages,
            max_output,
            params.temperature,
            params.stop,
            max(self._end_at - self._env.clock(), 0.0),
            spec.max_response_bytes,
            params.tools,
            params.tool_choice,
            params.response_format,
        )

    async def complete(self) -> Completion:
        """The whole answer, within the attempt's time."""
        request = self.request()
        try:
            async with asyncio.timeout(request.timeout_s):
                completion = await self._env.providers[self._key].complete(request)
        except TimeoutError:
            raise self._timed_out() from None
        self.completion = completion
        self._ttft_ms = (self._env.clock() - self.started) * 1000
        return completion

    async def stream(self) -> AsyncGenerator[str | ToolCallDelta, None]:
        """Text deltas and tool-call pieces as they arrive, within the attempt's time, never silent past
        the model's `idle_timeout_s` (the adapters bound its size by
        `max_response_bytes`); the summary lands in `completion`."""
        env = self._env
        spec = self.state.spec
        idle = spec.idle_timeout_s
        end = self._end_at
        clock = env.clock
        upstream = env.providers[self._key].stream(self.request())
        async with contextlib.aclosing(upstream):
            while True:
                left = end - clock()
                wait = min(idle, left)
                try:
                    async with asyncio.timeout(max(wait, 0.0)):
                        item = await anext(upstream)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    if wait < idle:
                        raise self._timed_out() from None
                    raise ProviderError(Outcome.TIMEOUT, f"the stream was silent for {idle:g} s") from None
                if isinstance(item, Completion):
                    self.completion = item
                    continue
                if not self.received:
                    self._ttft_ms = (clock() - self.started) * 1000
                # A tool call's piece counts as received even when it is only a name:
                # the caller has part of an answer, which no other model can continue.
                self.received += (
                    len(item) if isinstance(item, str) else len(item.name) + len(item.arguments) + 1
                )
                yield item

    # -- the one outcome ---------------------------------------------------------

    def _timed_out(self) -> ProviderError:
        if self.cut_by_caller:
            return ProviderError(
                Outcome.DEADLINE_EXCEEDED, f"the caller's deadline left {self.limit_s:.3g} s for this attempt"
            )
        return ProviderError(Outcome.TIMEOUT, f"no whole answer within timeout_s ({self.limit_s:g} s)")

    def _past_limit(self) -> bool:
        """Whether the attempt's time is (all but) spent: a timeout or cut then is
        the deadline's doing."""
        return self._end_at - self._env.clock() <= max(0.1 * self.limit_s, DEADLINE_SLACK_S)

    def _cut_outcome(self) -> str:
        if self._env.shutting_down:
            return Outcome.SHUTTING_DOWN
        if self.cut_by_caller and self._past_limit():
            return Outcome.DEADLINE_EXCEEDED
        return Outcome.CANCELLED

    def _used(self, outcome: str) -> tuple[int, int, int]:
        """(input tokens, output tokens, cost in nano-USD) this attempt is charged."""
        pricing = self.state.spec.pricing
        if outcome == Outcome.OK and self.completion is not None:
            c = self.completion
            return c.input_tokens, c.output_tokens, cost_nusd(pricing, c.input_tokens, c.output_tokens)
        if not self._sent or (not self.received and outcome not in CUT and outcome != Outcome.TIMEOUT):
            return 0, 0, 0
        input_tokens = estimate_input_tokens(self.params.messages)
        output_tokens = (self.received + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
        return input_tokens, output_tokens, cost_nusd(pricing, input_tokens, output_tokens)

    async def _end(self, outcome: str, error: str, detail: str = "") -> None:
        """Records `outcome` everywhere, once. `error` is what the caller is told
        (the router's own words); a failure's `detail` (the upstream's, when it
        said more) goes to the server's log, redacted, one warning per attempt."""
        if self._ended:
            return
        self._ended = True
        env = self._env
        env.open -= 1
        self.outcome, self.error = outcome, error
        latency_ms = (env.clock() - self.started) * 1000
        self.record = Attempt(self.state.id, self.deployment.name, outcome, latency_ms, error)
        if outcome != Outcome.OK:
            self._failed(outcome, error, detail, latency_ms)
        if self._admitted:
            env.breakers[self._key].record(outcome)
        input_tokens, output_tokens, nusd = self._used(outcome)
        self.cost_nusd = nusd
        charge(input_tokens + output_tokens)  # the call's token rate limit settles to it
        if outcome not in NOT_SENT or outcome == Outcome.OVERLOADED:
            self.deployment.events.append(
                CallEvent(
                    env.wall(),
                    outcome,
                    latency_ms,
                    self._ttft_ms,
                    input_tokens,
                    output_tokens,
                    nusd,
                    self.waited,
                    self.tenant,
                )
            )
        if self._sent and outcome not in CUT:
            self._observe(outcome == Outcome.OK, latency_ms)
        if self._reservation is not None:
            await asyncio.shield(env.settle(self._reservation, nusd))

    def _failed(self, outcome: str, error: str, detail: str, latency_ms: float) -> None:
        """A failed attempt: a refusal is counted (the metrics export it; a storm of
        them, say an open circuit's, must not flood the log), an upstream failure is
        logged at warning with the upstream's own (redacted) words, a cut at info."""
        env = self._env
        if outcome in NOT_SENT:
            key = (self.state.id, self.deployment.name, outcome)
            env.refusals[key] = env.refusals.get(key, 0) + 1
            return
        if env.log is not None:
            log = env.log.info if outcome in CUT else env.log.warning
            log(
                "attempt failed",
                model=self.state.id,
                deployment=self.deployment.name,
                outcome=outcome,
                latency_ms=round(latency_ms, 3),
                reason=redact(detail or error),
            )

    def _observe(self, ok: bool, latency_ms: float) -> None:
        state = self.state
        state.record_call(ok)
        if not ok or self.completion is None:
            return
        ttft_ms = self._ttft_ms
        generation_s = max(latency_ms - ttft_ms, 0.0) / 1000
        if self.completion.output_tokens > 1 and generation_s > 0:
            state.observe_latency(ttft_ms, (self.completion.output_tokens - 1) / generation_s)
        d = self.deployment
        d.ewma_latency_ms = (
            latency_ms if d.ewma_latency_ms <= 0 else d.ewma_latency_ms * 0.9 + latency_ms * 0.1
        )

    async def _reserve(self, ledger: Ledger) -> Reservation:
        """Reserves the most this call could cost under every budget on its model
        and its tenant's own."""
        params = self.params
        output = params.max_output_tokens or self._env.budget_output_tokens
        bound = cost_bound_nusd(
            self.state.spec.pricing,
            input_token_bound(params.messages, params.tools, params.response_format),
            output,
        )
        # Held for the call's longest possible time and a minute more: a replica
        # that dies mid-call does not keep its reservation past that. The call may
        # wait up to its limit for a slot, then run as long again.
        return await ledger.reserve(self.state.id, bound, 2 * self.limit_s + HOLD_SLACK_S, self.tenant)
