"""One test per defect of the old call lifecycle (the invoker before "One attempt,
one outcome"), each through a real server and real upstream wire formats:

a. a half-open probe refused by a budget or cancelled left the breaker half-open
   for good: the deployment was never probed again nor recovered;
b. a caller's short deadline counted against a healthy model and took it down
   (and the error rate opened a circuit on too few calls);
c. a retry could go back to the deployment that had just failed;
d. an endless stream was never cut, and its text filled the router's memory; a
   silent stream was not cut before the model's whole timeout;
e. cancelled calls were not counted, and were charged their reserved maximum;
f. an over-long SSE line escaped the adapter as an unexpected error (logged
   with a traceback, reported UNAVAILABLE) instead of BAD_RESPONSE.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from modelrouter.circuit import State
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.providers import fake_anthropic, fake_openai
from tests.providers.fake_openai import (
    Endless,
    FakeOpenAI,
    HungConnection,
    Reply,
    SlowFirstByte,
    Status,
)
from tests.support import Served, details_of, server_process, serving

NANO = 1_000_000_000
MiB = 1024 * 1024
SERVICE = "modelrouter.v1.RouterService"
HEALTHY = pb.HealthState.HEALTH_STATE_HEALTHY
UNHEALTHY = pb.HealthState.HEALTH_STATE_UNHEALTHY


def user(text: str = "hello") -> list[pb.ChatMessage]:
    return [pb.ChatMessage(role="user", content=text)]


async def eventually(
    read: Callable[[], Awaitable[pb.StatsResponse]],
    ready: Callable[[pb.StatsResponse], bool],
    within_s: float = 10.0,
) -> pb.StatsResponse:
    """The first Stats for which `ready` holds, polled for at most `within_s`
    (the last one read otherwise: the caller's assertions then say what is wrong)."""
    end = time.monotonic() + within_s
    while True:
        stats = await read()
        if ready(stats) or time.monotonic() > end:
            return stats
        await asyncio.sleep(0.02)


def stats_reader(stub: pb_grpc.RouterServiceStub) -> Callable[[], Awaitable[pb.StatsResponse]]:
    async def read() -> pb.StatsResponse:
        stats: pb.StatsResponse = await stub.Stats(pb.StatsRequest(), timeout=10)
        return stats

    return read


def model_of(stats: pb.StatsResponse, model: str) -> pb.ModelStats:
    (found,) = [m for m in stats.models if m.model == model]
    return found


def budget_of(stats: pb.StatsResponse, scope: str) -> pb.BudgetStatus:
    (found,) = [b for b in stats.budgets if b.scope == scope]
    return found


async def wait_for(condition: Callable[[], bool], within_s: float = 10.0) -> bool:
    end = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.01)
    return True


# -- a. a breaker stuck half-open ------------------------------------------------


def half_open_config(base_url: str) -> str:
    # A call asking for 2,000 output tokens would cost up to $2: more than the
    # whole budget, so the budget refuses it before anything is sent; one asking
    # for 10 reserves $0.01.
    return f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.001, retry_backoff_max_s: 0.002}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0, failure_threshold: 1, cooldown_s: 0.2}}
budgets: {{models: {{m: {{daily_usd: 1}}}}}}
models:
  - {{id: m, provider: openai, base_url: "{base_url}", upstream_model: fake-model, context_window: 100000,
     timeout_s: 5, pricing: {{input_per_mtok: 0, output_per_mtok: 1000}}, quality: {{default: 0.9}}}}
"""


def small_call() -> pb.InvokeRequest:
    return pb.InvokeRequest(model="m", messages=user(), max_output_tokens=10)


async def refused_by_the_budget(fake: FakeOpenAI, served: Served) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await served.stub.Invoke(
            pb.InvokeRequest(model="m", messages=user(), max_output_tokens=2000), timeout=10
        )
    assert details_of(caught.value).reason == "BUDGET_EXCEEDED"
    assert len(fake.requests) == 1  # nothing was sent


async def cancelled_by_the_caller(fake: FakeOpenAI, served: Served) -> None:
    fake.script(HungConnection())
    call = served.stub.Invoke(small_call(), timeout=30)
    assert await wait_for(lambda: len(fake.requests) == 2), "the probe call never reached the upstream"
    call.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await call
    assert await wait_for(lambda: fake.requests[-1].client_closed, 5.0), "the upstream call was not closed"
    # The router has recorded the cut once Stats counts it.
    await eventually(
        stats_reader(served.stub),
        lambda s: model_of(s, "m").failures_by_reason.get("CANCELLED", 0) == 1,
        5.0,
    )


async def by_a_call(fake: FakeOpenAI, served: Served) -> None:
    reply = await served.stub.Invoke(small_call(), timeout=10)
    assert [(a.deployment, a.outcome) for a in reply.attempts] == [("default", "OK")]


async def by_the_health_checker(fake: FakeOpenAI, served: Served) -> None:
    # The checker's own round, run here rather than on a timer so that it cannot
    # race the probe call: it must probe a half-open deployment nobody is probing.
    await served.running.router.health.check_all()
    assert fake.requests[-1].path == "/v1/models"


@pytest.mark.parametrize(
    "kill_probe", [refused_by_the_budget, cancelled_by_the_caller], ids=["budget", "cancelled"]
)
@pytest.mark.parametrize("recover", [by_a_call, by_the_health_checker], ids=["call", "checker"])
async def test_a_half_open_probe_refused_or_cancelled_does_not_leave_the_breaker_stuck(
    kill_probe: Callable[[FakeOpenAI, Served], Awaitable[None]],
    recover: Callable[[FakeOpenAI, Served], Awaitable[None]],
) -> None:
    async with FakeOpenAI() as fake, serving(half_open_config(fake.base_url)) as served:
        breaker = served.running.router.health.breakers[("m", "default")]
        fake.script(Status(500))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(small_call(), timeout=10)
        assert details_of(caught.value).metadata["attempts"] == "m/default=UNAVAILABLE,m/default=CIRCUIT_OPEN"
        assert breaker.state is State.OPEN
        await asyncio.sleep(0.4)  # past the cooldown (0.2 s): the next call is the half-open probe

        await kill_probe(fake, served)
        await recover(fake, served)

        assert breaker.state is State.CLOSED
        stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
        m = model_of(stats, "m")
        assert (m.health, m.deployments[0].health) == (HEALTHY, HEALTHY)
        assert m.in_flight == 0
        # And it serves again (a second good call, whichever way it recovered).
        reply = await served.stub.Invoke(small_call(), timeout=10)
        assert reply.model == "m"
        budget = budget_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "m")
        assert budget.reserved_usd == 0


# -- b. a caller's short deadline does not take a healthy model down --------------


def slow_config(base_url: str) -> str:
    return f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.001}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0, failure_threshold: 5, cooldown_s: 60}}
models:
  - {{id: slow, provider: openai, base_url: "{base_url}", upstream_model: fake-model, context_window: 8000,
     timeout_s: 10, pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
"""


async def test_short_caller_deadlines_do_not_take_a_slow_healthy_model_down() -> None:
    async with FakeOpenAI() as fake, serving(slow_config(fake.base_url)) as served:
        fake.script(*[SlowFirstByte(2.0)] * 9)  # a model that answers in 2 s
        request = pb.InvokeRequest(model="slow", messages=user())
        results = await asyncio.gather(
            *(served.stub.Invoke(request, timeout=0.3) for _ in range(8)), return_exceptions=True
        )
        for result in results:
            assert isinstance(result, grpc.aio.AioRpcError), result
            assert result.code() == grpc.StatusCode.DEADLINE_EXCEEDED, result

        stats = await eventually(
            stats_reader(served.stub),
            lambda s: (
                model_of(s, "slow").failures_by_reason.get("DEADLINE_EXCEEDED", 0) == 8
                and model_of(s, "slow").in_flight == 0
            ),
        )
        slow = model_of(stats, "slow")
        # The model is as healthy as it was: its circuit, its health, the service's.
        assert served.running.router.health.breakers[("slow", "default")].state is State.CLOSED
        assert (slow.health, slow.deployments[0].health) == (HEALTHY, HEALTHY)
        check = await health_pb2_grpc.HealthStub(served.channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=10
        )
        assert check.status == health_pb2.HealthCheckResponse.SERVING
        reply = await served.stub.Invoke(request, timeout=30)  # a caller who can wait gets the answer
        assert [(a.model, a.outcome) for a in reply.attempts] == [("slow", "OK")]
        # And the callers' deadlines are counted as theirs.
        slow = model_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "slow")
        assert dict(slow.failures_by_reason) == {"DEADLINE_EXCEEDED": 8}
        assert (slow.requests, slow.successes, slow.failures) == (9, 1, 8)


async def test_the_error_rate_opens_a_circuit_only_once_the_window_holds_min_calls() -> None:
    config = slow_config("BASE").replace(
        "failure_threshold: 5, cooldown_s: 60",
        "failure_threshold: 100, error_rate: 0.5, window: 20, min_calls: 10, cooldown_s: 60",
    )
    config = config.replace("max_attempts_per_model: 2", "max_attempts_per_model: 1")
    async with FakeOpenAI() as fake, serving(config.replace("BASE", fake.base_url)) as served:
        breaker = served.running.router.health.breakers[("slow", "default")]
        request = pb.InvokeRequest(model="slow", messages=user())

        async def calls(*behaviours: fake_openai.Behaviour) -> None:
            for behaviour in behaviours:
                fake.script(behaviour)
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await served.stub.Invoke(request, timeout=10)

        await calls(Status(500), Status(500), Status(500), Reply())
        assert breaker.state is State.CLOSED  # 3 failures of 4 calls: too few calls to judge
        await calls(*[Status(500)] * 5)
        assert breaker.state is State.CLOSED  # 8 of 9: still fewer than min_calls
        await calls(Status(500))
        assert breaker.state is State.OPEN  # 9 of 10
        slow = model_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "slow")
        assert slow.deployments[0].health == UNHEALTHY


# -- c. a retry goes to a deployment not yet tried -------------------------------


async def test_a_retry_goes_to_a_deployment_not_yet_tried() -> None:
    async with FakeOpenAI() as bad, FakeOpenAI() as good:
        bad.script(*[Status(500)] * 200)
        # The thresholds keep the failing deployment's circuit closed, so that the
        # balancer keeps sending it nine calls in ten and every one needs a retry.
        config = f"""
server: {{max_attempts_per_model: 2, retry_backoff_s: 0.001, retry_backoff_max_s: 0.002}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0, failure_threshold: 1000, window: 1000, min_calls: 1000}}
models:
  - {{id: m, provider: openai, upstream_model: fake-model, context_window: 8000, timeout_s: 5,
     balancer: weighted_round_robin,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}},
     deployments: [{{name: bad, base_url: "{bad.base_url}", weight: 9}},
                   {{name: good, base_url: "{good.base_url}", weight: 1}}]}}
"""
        async with serving(config) as served:
            replies = [
                await served.stub.Invoke(pb.InvokeRequest(model="m", messages=user(f"call {i}")), timeout=10)
                for i in range(50)
            ]
            shapes = [[(a.deployment, a.outcome) for a in r.attempts] for r in replies]
            for shape in shapes:
                assert shape in ([("good", "OK")], [("bad", "UNAVAILABLE"), ("good", "OK")]), shape
            retried = sum(1 for s in shapes if len(s) == 2)
            assert retried >= 40  # the balancer sent most calls to `bad` first
            assert all(r.deployment == "good" for r in replies)
            m = model_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "m")
            by_name = {d.deployment: d for d in m.deployments}
            assert (by_name["bad"].requests, by_name["bad"].failures) == (retried, retried)
            assert (by_name["good"].requests, by_name["good"].successes) == (50, 50)
            assert len(bad.requests) == retried and len(good.requests) == 50


# -- d. endless and silent streams are cut, and cost bounded memory ---------------


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for {pid}")


async def read_stream(
    stub: pb_grpc.RouterServiceStub, model: str, timeout_s: float
) -> tuple[int, grpc.aio.AioRpcError | None, float]:
    """(characters received, the error the stream ended with or None, seconds taken)."""
    started = time.monotonic()
    received = 0
    try:
        async for message in stub.InvokeStream(
            pb.InvokeStreamRequest(model=model, messages=user()), timeout=timeout_s
        ):
            received += len(message.delta)
    except grpc.aio.AioRpcError as err:
        return received, err, time.monotonic() - started
    return received, None, time.monotonic() - started


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's RSS from /proc")
async def test_an_endless_stream_is_cut_within_timeout_s_in_bounded_memory(tmp_path: Path) -> None:
    timeout_s = 3.0
    bound = 100 * MiB
    async with FakeOpenAI() as trickle, FakeOpenAI() as flood:
        # `trickle` sends about 0.5 MB/s: under max_response_bytes (4 MiB) for
        # longer than timeout_s, so the timeout is what ends it. `flood` sends 64
        # KiB pieces as fast as the router reads them, for ever.
        trickle.script(Endless("x" * 512, 0.001))
        flood.script(*[Endless("x" * 64 * 1024, 0.0)] * 8)
        path = tmp_path / "endless.yaml"
        path.write_text(f"""
server: {{max_attempts_per_model: 1, access_log: false}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0, failure_threshold: 1000}}
models:
  - {{id: trickle, provider: openai, base_url: "{trickle.base_url}", upstream_model: fake-model,
     context_window: 8000, timeout_s: {timeout_s},
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
  - {{id: flood, provider: openai, base_url: "{flood.base_url}", upstream_model: fake-model,
     context_window: 8000, timeout_s: {timeout_s},
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.8}}}}
  - {{id: warm, provider: simulated, context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.1}}}}
""")
        with server_process(path) as server:
            pid = server.proc.pid
            async with grpc.aio.insecure_channel(server.address) as channel:
                stub = pb_grpc.RouterServiceStub(channel)
                await stub.Invoke(pb.InvokeRequest(model="warm", messages=user()), timeout=10)
                before = rss_bytes(pid)
                peak = before
                Ended = tuple[int, grpc.aio.AioRpcError | None, float]

                async def flooding() -> list[Ended]:
                    """Two flood streams, one after the other (eight in all: fewer
                    than min_calls, so that the flood's circuit stays closed)."""
                    return [await read_stream(stub, "flood", 30) for _ in range(2)]

                slow = asyncio.ensure_future(read_stream(stub, "trickle", 30))
                flooders = asyncio.gather(*(flooding() for _ in range(4)))
                streams = asyncio.gather(slow, flooders)
                # Watch the server's memory while the streams run; an unbounded
                # server fails here at once rather than being left to fill the host.
                while not streams.done():
                    peak = max(peak, rss_bytes(pid))
                    if peak - before > bound:
                        streams.cancel()
                        pytest.fail(f"the router's RSS grew by {(peak - before) / MiB:.0f} MiB")
                    await asyncio.sleep(0.02)
                slow_text, slow_err, slow_s = slow.result()
                floods = [f for ended in flooders.result() for f in ended]
                peak = max(peak, rss_bytes(pid, "VmHWM"))

        # Trickle: cut by timeout_s, after some text: an error, never OK.
        assert slow_err is not None and slow_text > 0
        details = details_of(slow_err)
        assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")
        assert details.metadata["attempts"] == "trickle/default=TIMEOUT"
        assert timeout_s - 0.5 <= slow_s <= timeout_s + 4.0, slow_s
        # Flood: cut too (by max_response_bytes, or timeout_s on a slow host).
        for text, err, seconds in floods:
            assert err is not None and text > 0
            details = details_of(err)
            assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")
            assert details.metadata["attempts"] in ("flood/default=BAD_RESPONSE", "flood/default=TIMEOUT")
            assert seconds <= timeout_s + 4.0, seconds
        # What the upstreams would have sent has no end; the router held a bounded
        # part of each answer, and let go of it.
        assert len(floods) == 8
        assert peak - before < bound, f"RSS grew by {(peak - before) / MiB:.0f} MiB"
        # The router closed every upstream connection (the fake notices at its next write).
        received = [*trickle.requests, *flood.requests]
        await asyncio.wait_for(asyncio.gather(*(r.closed.wait() for r in received)), 10)


async def test_a_stream_silent_past_idle_timeout_s_is_cut_with_timeout() -> None:
    hold = asyncio.Event()  # never set: after the first piece, silence
    async with FakeOpenAI() as fake:
        fake.script(Reply(hold_after_first=hold))
        config = f"""
server: {{max_attempts_per_model: 2}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0}}
models:
  - {{id: m, provider: openai, base_url: "{fake.base_url}", upstream_model: fake-model, context_window: 8000,
     timeout_s: 5, idle_timeout_s: 0.5,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
"""
        async with serving(config) as served:
            text, err, seconds = await read_stream(served.stub, "m", 30)
            assert err is not None and text > 0
            details = details_of(err)
            assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "STREAM_INTERRUPTED")
            assert details.metadata["attempts"] == "m/default=TIMEOUT"
            assert 0.4 <= seconds < 4.0, seconds  # the idle timeout, not timeout_s (5 s)
            assert await wait_for(lambda: fake.requests[-1].client_closed, 5.0)
            m = model_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "m")
            assert dict(m.failures_by_reason) == {"TIMEOUT": 1}


# -- e. cancelled calls are counted, and charged what they used -------------------


def cancel_config() -> str:
    # A 400-character answer at 20 tokens/s: 5 s, so every call is cancelled
    # mid-answer. $1,000 per million tokens either way: a token is $0.001.
    return """
server: {max_attempts_per_model: 2}
cache: {default_policy: never}
usage: {store: memory}
health: {check_interval_s: 0}
budgets: {models: {slow: {daily_usd: 100000}}}
models:
  - id: slow
    provider: simulated
    context_window: 100000
    max_concurrency: 256
    timeout_s: 60
    pricing: {input_per_mtok: 1000, output_per_mtok: 1000}
    quality: {default: 0.9}
    simulate: {ttft_ms: 10, tokens_per_s: 20, reply: "REPLY"}
""".replace("REPLY", "y" * 400)


async def stream_cancelled_after_first_delta(stub: pb_grpc.RouterServiceStub, i: int, max_output: int) -> int:
    call = stub.InvokeStream(
        pb.InvokeStreamRequest(model="slow", messages=user(f"stream {i}"), max_output_tokens=max_output),
        timeout=60,
    )
    first = await call.read()
    assert first.WhichOneof("event") == "delta"
    call.cancel()
    return len(first.delta)


async def test_cancelled_calls_are_counted_and_charged_only_what_they_used() -> None:
    async with serving(cancel_config()) as served:
        stub = served.stub
        read = stats_reader(stub)
        await asyncio.gather(*(stream_cancelled_after_first_delta(stub, i, 0) for i in range(50)))
        unary = [
            stub.Invoke(pb.InvokeRequest(model="slow", messages=user(f"call {i}")), timeout=60)
            for i in range(50)
        ]
        waiting = asyncio.gather(*(asyncio.ensure_future(c) for c in unary), return_exceptions=True)
        # Cancelled once the router has them in flight (about 50 ms in).
        await eventually(read, lambda s: model_of(s, "slow").in_flight >= 50)
        await asyncio.sleep(0.05)
        for c in unary:
            c.cancel()
        await waiting

        stats = await eventually(
            read,
            lambda s: model_of(s, "slow").requests >= 100 and model_of(s, "slow").in_flight == 0,
        )
        slow = model_of(stats, "slow")
        assert (slow.requests, slow.successes, slow.failures) == (100, 0, 100)
        assert dict(slow.failures_by_reason) == {"CANCELLED": 100}
        assert slow.in_flight == 0
        budget = budget_of(stats, "slow")
        assert round(budget.spent_usd * NANO) == round(slow.cost_usd * NANO) > 0
        assert budget.reserved_usd == 0
        # Each reserved up to 4,096 output tokens ($4.10): 100 of them, $410. Each
        # used a few input tokens and the text received: well under a cent.
        assert budget.spent_usd < 100 * 0.01

        # A caller cannot burn the budget by cancelling: eight streams that may
        # each cost $20 (20,000 output tokens) cancelled after their first delta.
        spent_before = round(budget.spent_usd * NANO)
        await asyncio.gather(*(stream_cancelled_after_first_delta(stub, 100 + i, 20_000) for i in range(8)))
        stats = await eventually(
            read,
            lambda s: model_of(s, "slow").requests >= 108 and model_of(s, "slow").in_flight == 0,
        )
        slow = model_of(stats, "slow")
        assert dict(slow.failures_by_reason) == {"CANCELLED": 108}
        budget = budget_of(stats, "slow")
        assert round(budget.spent_usd * NANO) == round(slow.cost_usd * NANO)
        spent = round(budget.spent_usd * NANO) - spent_before
        # Input (a few tokens) and the output received (the first delta, a token or
        # two more at most) at $0.001 a token: far below 8 x $20.
        assert 0 < spent <= 8 * 20 * NANO // 1000, spent / NANO
        assert budget.reserved_usd == 0


# -- f. an over-long SSE line through the server ---------------------------------


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_an_over_long_sse_line_is_a_bad_response_not_a_provider_error(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default max_response_bytes (4 MiB) allows a line of 16 MiB: this one is longer.
    line = 16 * MiB + 64 * 1024
    fake: fake_openai.FakeOpenAI | fake_anthropic.FakeAnthropic
    async with contextlib.AsyncExitStack() as stack:
        if provider == "openai":
            fake = await stack.enter_async_context(fake_openai.FakeOpenAI())
            fake.script(fake_openai.LongLine(line))
        else:
            monkeypatch.setenv("MODELROUTER_TEST_ANTHROPIC_KEY", "sk-test")
            fake = await stack.enter_async_context(fake_anthropic.FakeAnthropic())
            fake.then(fake_anthropic.LongLine(line))
        key = "api_key_env: MODELROUTER_TEST_ANTHROPIC_KEY, " if provider == "anthropic" else ""
        config = f"""
server: {{max_attempts_per_model: 1}}
cache: {{default_policy: never}}
usage: {{store: memory}}
health: {{check_interval_s: 0}}
models:
  - {{id: m, provider: {provider}, base_url: "{fake.base_url}", upstream_model: fake-model, {key}
     context_window: 8000, timeout_s: 30,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
"""
        served = await stack.enter_async_context(serving(config))
        text, err, _ = await read_stream(served.stub, "m", 30)
        assert err is not None and text == 0
        details = details_of(err)
        assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "ALL_CANDIDATES_FAILED")
        assert details.metadata["attempts"] == "m/default=BAD_RESPONSE"
        m = model_of(await served.stub.Stats(pb.StatsRequest(), timeout=10), "m")
        assert dict(m.failures_by_reason) == {"BAD_RESPONSE": 1}
        served.running.access_log.flush()
        log = served.log.getvalue()
        assert "InvokeStream" in log  # the call's own line is there
        assert "Traceback" not in log and "provider error" not in log, log[-3000:]
