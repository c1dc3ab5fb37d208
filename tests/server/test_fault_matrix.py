"""The fault matrix: every upstream fault, through unary Invoke and InvokeStream,
with one or two deployments of the faulty model and with or without a healthy
fallback model. One call per cell, on a fresh server and fresh fake upstreams (a
fake per deployment, the faulty one scripted to fail every request), checking:

- the final status: OK whenever a healthy candidate remains; else UNAVAILABLE
  ALL_CANDIDATES_FAILED with the attempts in its metadata, or UNAVAILABLE
  STREAM_INTERRUPTED once text had been streamed;
- the attempts, in order (a retry of a model with two deployments goes to the
  other one; a deployment whose circuit the failure opened is refused, not sent);
- Stats: requests per model and deployment equal to the attempts sent (not
  CIRCUIT_OPEN), requests == successes + failures, failures_by_reason matching
  the attempts, nothing left in flight;
- the faulty model's budget: spent equal to the cost Stats shows, nothing left
  reserved;
- the faulty deployment's breaker (failure_threshold 1): open for a fault that is
  the deployment's (500, reset, malformed, hang, cut, endless, 401), closed for a 429.

The expected attempts are worked out from the policy the router documents
(`modelrouter.plan`, `modelrouter.outcomes`), not read back from the router.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import grpc
import pytest

from modelrouter.circuit import State
from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_openai import (
    Behaviour,
    CutStream,
    Endless,
    FakeOpenAI,
    Hang,
    Malformed,
    Reset,
    Status,
)
from tests.support import Served, details_of, serving

NANO = 1_000_000_000
TIMEOUT_S = 0.3
USER = [pb.ChatMessage(role="user", content="hello there")]
SELECTION = pb.SelectRequest(strategy="task_based")
FAULTY, FALLBACK = "m1", "m2"
BAD, GOOD = "bad", "good"
# More than the calls a cell can send to the faulty deployment.
SCRIPTED = 8


@dataclass(frozen=True)
class Fault:
    name: str
    unary: Behaviour
    stream: Behaviour
    outcome: str
    """The attempt's outcome on the faulty deployment."""
    retryable: bool
    against_deployment: bool
    """Counts against the deployment's circuit."""
    streams_text: bool = False
    """Streamed, some text reaches the caller before the failure."""


FAULTS = (
    Fault("500", Status(500), Status(500), "UNAVAILABLE", retryable=True, against_deployment=True),
    Fault(
        "429",
        Status(429, headers={"Retry-After": "0"}),
        Status(429, headers={"Retry-After": "0"}),
        "RATE_LIMITED",
        retryable=True,
        against_deployment=False,
    ),
    Fault("hang", Hang(5.0), Hang(5.0), "TIMEOUT", retryable=True, against_deployment=True),
    Fault(
        "reset",
        Reset(after_bytes=None),
        Reset(after_bytes=None),
        "UNAVAILABLE",
        retryable=True,
        against_deployment=True,
    ),
    Fault("malformed", Malformed(), Malformed(), "BAD_RESPONSE", retryable=True, against_deployment=True),
    # Unary, a body cut short mid-answer; streamed, a stream cut after two deltas.
    Fault(
        "cut",
        Reset(after_bytes=10),
        CutStream(after_chunks=2),
        "UNAVAILABLE",
        retryable=True,
        against_deployment=True,
        streams_text=True,
    ),
    # Small pieces, so that the model's timeout_s, not max_response_bytes, ends it.
    Fault(
        "endless",
        Endless("x" * 16, 0.005),
        Endless("x" * 16, 0.005),
        "TIMEOUT",
        retryable=True,
        against_deployment=True,
        streams_text=True,
    ),
    Fault("401", Status(401), Status(401), "AUTH_FAILED", retryable=False, against_deployment=True),
)


@dataclass(frozen=True)
class Cell:
    fault: Fault
    stream: bool
    deployments: int
    models: int

    @property
    def id(self) -> str:
        rpc = "stream" if self.stream else "unary"
        return f"{self.fault.name}-{rpc}-{self.deployments}dep-{self.models}model"


@dataclass(frozen=True)
class Expected:
    attempts: list[tuple[str, str, str]]
    status: grpc.StatusCode
    reason: str
    """The ErrorInfo reason; empty when the call succeeds."""


def expected(cell: Cell) -> Expected:
    """The attempts and final status the documented policy gives: at most two
    attempts per model; a retryable failure retries on the other deployment while
    there is one; failure_threshold 1, so a failure against the deployment opens
    its circuit and a retry to it is refused (CIRCUIT_OPEN, not sent); a failure
    after streamed text ends the call; a failure against the deployment that is not
    worth retrying there (401) moves to the model's other deployment while there
    is one (it is the deployment's fault, and a healthy candidate remains)."""
    f = cell.fault
    bad = (FAULTY, BAD, f.outcome)
    attempts = [bad]
    text = cell.stream and f.streams_text
    if text:
        return Expected(attempts, grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")
    if cell.deployments == 2 and (f.retryable or f.against_deployment):
        attempts.append((FAULTY, GOOD, "OK"))
        return Expected(attempts, grpc.StatusCode.OK, "")
    if f.retryable:
        attempts.append((FAULTY, BAD, "CIRCUIT_OPEN" if f.against_deployment else f.outcome))
    if cell.models == 2:
        attempts.append((FALLBACK, "default", "OK"))
        return Expected(attempts, grpc.StatusCode.OK, "")
    return Expected(attempts, grpc.StatusCode.UNAVAILABLE, "ALL_CANDIDATES_FAILED")


def cells() -> list[object]:
    return list(_cells())


def _cells() -> Iterator[object]:
    for fault in FAULTS:
        for stream in (False, True):
            for deployments in (1, 2):
                for models in (1, 2):
                    cell = Cell(fault, stream, deployments, models)
                    yield pytest.param(cell, id=cell.id)


def config(cell: Cell, bad_url: str, good_url: str) -> str:
    deployments = f'{{name: {BAD}, base_url: "{bad_url}", weight: 2}}'
    if cell.deployments == 2:
        # Weighted round robin on a fresh server picks the heavier deployment first.
        deployments += f', {{name: {GOOD}, base_url: "{good_url}", weight: 1}}'
    fallback = f"""
  - {{id: {FALLBACK}, provider: simulated, context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.5}},
     simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: "from the fallback"}}}}"""
    return f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.001, retry_backoff_max_s: 0.002}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0, failure_threshold: 1, cooldown_s: 600}}
budgets: {{models: {{{FAULTY}: {{daily_usd: 100}}}}}}
models:
  - {{id: {FAULTY}, provider: openai, upstream_model: fake-model, context_window: 8000,
     timeout_s: {TIMEOUT_S}, balancer: weighted_round_robin,
     pricing: {{input_per_mtok: 1000, output_per_mtok: 2000}}, quality: {{default: 0.9}},
     deployments: [{deployments}]}}{fallback if cell.models == 2 else ""}
"""


@dataclass
class Result:
    status: grpc.StatusCode
    reason: str
    attempts: list[tuple[str, str, str]]
    text: str
    deltas: int


def parsed(summary: str) -> list[tuple[str, str, str]]:
    """The ErrorInfo `attempts` metadata: model/deployment=OUTCOME,..."""
    out = []
    for item in summary.split(","):
        where, outcome = item.split("=")
        model, deployment = where.split("/")
        out.append((model, deployment, outcome))
    return out


def of_error(err: grpc.aio.AioRpcError, deltas: int) -> Result:
    details = details_of(err)
    return Result(details.code, details.reason, parsed(details.metadata["attempts"]), "", deltas)


def of_reply(reply: pb.InvokeResponse, deltas: int) -> Result:
    attempts = [(a.model, a.deployment, a.outcome) for a in reply.attempts]
    return Result(grpc.StatusCode.OK, "", attempts, reply.text, deltas)


async def call(served: Served, stream: bool) -> Result:
    if not stream:
        try:
            reply = await served.stub.Invoke(pb.InvokeRequest(selection=SELECTION, messages=USER), timeout=10)
        except grpc.aio.AioRpcError as err:
            return of_error(err, 0)
        return of_reply(reply, 0)
    deltas: list[str] = []
    done: pb.InvokeResponse | None = None
    try:
        async for message in served.stub.InvokeStream(
            pb.InvokeStreamRequest(selection=SELECTION, messages=USER), timeout=10
        ):
            if message.WhichOneof("event") == "delta":
                assert done is None, "a delta after done"
                deltas.append(message.delta)
            else:
                done = message.done
    except grpc.aio.AioRpcError as err:
        return of_error(err, len(deltas))
    assert done is not None, "the stream ended OK without done"
    assert done.text == ""  # the deltas carry the text
    result = of_reply(done, len(deltas))
    result.text = "".join(deltas)
    return result


def sent(attempts: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [a for a in attempts if a[2] not in ("CIRCUIT_OPEN", "OVER_BUDGET", "BUDGET_UNAVAILABLE")]


async def stats_when(served: Served, requests: int) -> pb.StatsResponse:
    """Stats once `requests` calls are counted in all (they are recorded before
    the answer, so at once; polled, bounded, all the same)."""
    for _ in range(200):
        stats: pb.StatsResponse = await served.stub.Stats(pb.StatsRequest(), timeout=10)
        if sum(m.requests for m in stats.models) >= requests and all(m.in_flight == 0 for m in stats.models):
            break
        await asyncio.sleep(0.02)
    return stats


@pytest.mark.parametrize("cell", cells())
async def test_fault_matrix(cell: Cell) -> None:
    fault = cell.fault
    want = expected(cell)
    async with AsyncExitStack() as stack:
        bad = await stack.enter_async_context(FakeOpenAI())
        good = await stack.enter_async_context(FakeOpenAI())
        bad.script(*[fault.stream if cell.stream else fault.unary] * SCRIPTED)
        served = await stack.enter_async_context(serving(config(cell, bad.base_url, good.base_url)))

        got = await call(served, cell.stream)

        # -- the final status and the attempts, in order
        assert (got.status, got.reason) == (want.status, want.reason), got
        assert got.attempts == want.attempts
        if want.status == grpc.StatusCode.OK:
            assert got.text == (
                "from the fallback" if want.attempts[-1][0] == FALLBACK else "Hello there, world!"
            )
        if cell.stream and fault.streams_text:
            assert got.deltas >= 1  # the text that makes it STREAM_INTERRUPTED, not a fallback
        elif want.status != grpc.StatusCode.OK:
            assert got.deltas == 0
        # The upstreams saw exactly the attempts that were sent.
        went = sent(want.attempts)
        assert len(bad.requests) == sum(1 for a in went if a[:2] == (FAULTY, BAD))
        assert len(good.requests) == sum(1 for a in went if a[:2] == (FAULTY, GOOD))

        # -- Stats: requests are the attempts sent, failures by their outcomes
        stats = await stats_when(served, len(went))
        by_model = {m.model: m for m in stats.models}
        for model in {FAULTY, FALLBACK} & set(by_model):
            m = by_model[model]
            mine = [a for a in went if a[0] == model]
            assert m.requests == len(mine), (model, m)
            assert m.requests == m.successes + m.failures
            assert m.successes == sum(1 for a in mine if a[2] == "OK")
            assert dict(m.failures_by_reason) == dict(Counter(a[2] for a in mine if a[2] != "OK"))
            assert m.in_flight == 0
            for d in m.deployments:
                theirs = [a for a in mine if a[1] == d.deployment]
                assert d.requests == len(theirs), (model, d)
                assert d.requests == d.successes + d.failures
                assert dict(d.failures_by_reason) == dict(Counter(a[2] for a in theirs if a[2] != "OK"))
                assert d.in_flight == 0

        # -- the budget's spend is the usage Stats shows
        (budget,) = [b for b in stats.budgets if b.scope == FAULTY]
        faulty = by_model[FAULTY]
        assert round(budget.spent_usd * NANO) == round(faulty.cost_usd * NANO)
        assert budget.reserved_usd == 0
        charged = (
            any(a[0] == FAULTY and a[2] == "OK" for a in went)
            or fault.outcome == "TIMEOUT"  # the upstream worked on it until the timeout
            or (cell.stream and fault.streams_text)  # input and the text received
        )
        assert (faulty.cost_usd > 0) == charged, faulty

        # -- the breakers
        breakers = served.running.router.health.breakers
        assert breakers[(FAULTY, BAD)].state is (State.OPEN if fault.against_deployment else State.CLOSED)
        if cell.deployments == 2:
            assert breakers[(FAULTY, GOOD)].state is State.CLOSED
        if cell.models == 2:
            assert breakers[(FALLBACK, "default")].state is State.CLOSED
