"""Per-tenant rate limits (`tenants.<t>.rate_limits`): under 200 concurrent calls,
in one server or in two sharing a Redis, exactly the limit is admitted and the
rest are RESOURCE_EXHAUSTED RATE_LIMITED with a RetryInfo; tokens count what was
used (a cache hit nothing, a stream cut by its caller what it had received);
other tenants are not touched; the minute rolls (on an injected clock); a hung
store refuses the limited tenant's calls UNAVAILABLE within usage.timeout_ms."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import grpc
import pytest
import redis.asyncio as aioredis
from google.rpc import error_details_pb2, status_pb2

from modelrouter.config.load import parse_config
from modelrouter.conversation import ChatMessage
from modelrouter.domain import InvokeCall, InvokeParams
from modelrouter.errors import RateLimited
from modelrouter.manager import Router
from modelrouter.selection.estimate import estimate_input_tokens
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import BlackHole, RedisServer, Served, details_of, need_redis_server, serving

KEYS = {"A_KEY": "sk-a-PLANTED-1", "B_KEY": "sk-b-PLANTED-2", "C_KEY": "sk-c-PLANTED-3"}
N = 20
# Every Invoke asks "call NNN" (9 input tokens as estimated, and as the simulated
# model counts them) for at most 10 output tokens, and the model writes 40
# characters: 10 tokens. So a call reserves 19 tokens and uses 19.
REPLY = "y" * 40
MAX_OUTPUT = 10
ASKED = (ChatMessage("user", "call 000"),)
PER_CALL = estimate_input_tokens(ASKED) + MAX_OUTPUT
MODELS = f"""
models:
  - {{id: m, provider: simulated, context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.5}},
     simulate: {{ttft_ms: 5, tokens_per_s: 1000000, reply: "{REPLY}"}}}}
  - {{id: slow, provider: simulated, context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.1}},
     simulate: {{ttft_ms: 0, tokens_per_s: 20, reply: "{"z" * 400}"}}}}
"""


def config(limits: str, extra: str = "", cache: str = "never") -> str:
    """team-a has `limits`; team-b has none; team-c has N requests a minute."""
    return f"""
auth:
  api_keys:
    - {{id: a, tenant: team-a, roles: [invoke], key_env: A_KEY}}
    - {{id: b, tenant: team-b, roles: [invoke], key_env: B_KEY}}
    - {{id: c, tenant: team-c, roles: [invoke], key_env: C_KEY}}
tenants:
  team-a: {{rate_limits: {limits}}}
  team-b: {{}}
  team-c: {{rate_limits: {{requests_per_minute: {N}}}}}
cache: {{default_policy: {cache}}}
{extra}{MODELS}"""


def bearer(name: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {KEYS[name]}"),)


def ask(i: int, model: str = "m") -> pb.InvokeRequest:
    return pb.InvokeRequest(
        model=model,
        messages=[pb.ChatMessage(role="user", content=f"call {i:03d}")],
        max_output_tokens=MAX_OUTPUT,
    )


async def _select(stub: pb_grpc.RouterServiceStub, i: int, key: str) -> object:
    return await stub.Select(pb.SelectRequest(), metadata=bearer(key), timeout=30)


async def _invoke(stub: pb_grpc.RouterServiceStub, i: int, key: str) -> object:
    return await stub.Invoke(ask(i), metadata=bearer(key), timeout=30)


async def _stream(stub: pb_grpc.RouterServiceStub, i: int, key: str) -> object:
    request = pb.InvokeStreamRequest(
        model="m",
        messages=[pb.ChatMessage(role="user", content=f"call {i:03d}")],
        max_output_tokens=MAX_OUTPUT,
    )
    return [m async for m in stub.InvokeStream(request, metadata=bearer(key), timeout=30)]


Call = Callable[[pb_grpc.RouterServiceStub, int, str], Awaitable[object]]
RPCS: dict[str, Call] = {"Select": _select, "Invoke": _invoke, "InvokeStream": _stream}


async def storm(
    stubs: list[pb_grpc.RouterServiceStub], n: int, call: Call, key: str = "A_KEY"
) -> tuple[int, list[grpc.aio.AioRpcError]]:
    """`n` concurrent calls, spread over `stubs`: how many succeeded, and the errors."""
    results = await asyncio.gather(
        *(call(stubs[i % len(stubs)], i, key) for i in range(n)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    others = [r for r in results if isinstance(r, BaseException) and r not in errors]
    assert not others, others
    return len(results) - len(errors), errors


def retry_delay_s(err: grpc.aio.AioRpcError) -> float:
    """The RetryInfo's delay, from the grpc-status-details-bin trailer."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw is not None
    infos = []
    for detail in status_pb2.Status.FromString(raw).details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            infos.append(info)
    assert len(infos) == 1, "expected exactly one RetryInfo"
    delay = infos[0].retry_delay
    return float(delay.seconds + delay.nanos / 1e9)


def assert_rate_limited(errors: list[grpc.aio.AioRpcError], limit: str, per_minute: int) -> None:
    for err in errors:
        details = details_of(err)
        assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED"), err
        assert details.metadata["tenant"] == "team-a"
        assert details.metadata["limit"] == limit
        assert details.metadata["perMinute"] == str(per_minute)
        delay = retry_delay_s(err)
        assert 0 < delay <= 60
        assert details.metadata["retryDelayMs"] == str(round(delay * 1000))
        assert f"limit of {per_minute} {limit.split('_')[0]} per minute" in details.message
        assert "retry in" in details.message


@asynccontextmanager
async def servers(text: str, count: int = 1) -> AsyncIterator[list[Served]]:
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(serving(parse_config(text, "<t>", env=KEYS)))
            for _ in range(count)
        ]


@pytest.mark.parametrize("rpc", list(RPCS))
async def test_200_concurrent_calls_admit_exactly_the_requests_per_minute(rpc: str) -> None:
    async with servers(config(f"{{requests_per_minute: {N}}}")) as (served,):
        ok, errors = await storm([served.stub], 200, RPCS[rpc])
        assert ok == N
        assert len(errors) == 200 - N
        assert_rate_limited(errors, "requests_per_minute", N)
        # Refusals are counted and logged like any error.
        calls = served.running.access_log.calls
        refused = sum(n for k, n in calls.items() if k[:3] == (rpc, "RESOURCE_EXHAUSTED", "RATE_LIMITED"))
        assert refused == 200 - N
        # Other tenants are untouched: one without limits, one with the same limit.
        for key, calls in (("B_KEY", 200), ("C_KEY", N)):
            ok, errors = await storm([served.stub], calls, RPCS[rpc], key)
            assert (ok, errors) == (calls, [])
        rate_limits = served.running.router.rate_limits
        assert await rate_limits.usage("team-b") == (0, 0)
        assert (await rate_limits.usage("team-a"))[0] == N


async def test_200_concurrent_invokes_use_exactly_the_tokens_per_minute() -> None:
    async with servers(config(f"{{tokens_per_minute: {N * PER_CALL}}}")) as (served,):
        ok, errors = await storm([served.stub], 200, _invoke)
        assert ok == N  # each reserved what it used: exactly N fit
        assert_rate_limited(errors, "tokens_per_minute", N * PER_CALL)
        for err in errors:
            assert details_of(err).metadata["neededTokens"] == str(PER_CALL)
        # Everything settled: the window holds what the calls used, nothing reserved.
        assert await served.running.router.rate_limits.usage("team-a") == (N, N * PER_CALL)
        # A Select uses no tokens: still admitted.
        await served.stub.Select(pb.SelectRequest(), metadata=bearer("A_KEY"), timeout=10)


async def test_a_cached_answer_uses_no_tokens() -> None:
    text = config(f"{{tokens_per_minute: {10 * PER_CALL}}}", cache="deterministic")
    async with servers(text) as (served,):
        same = ask(0)
        same.temperature = 0
        first = await served.stub.Invoke(same, metadata=bearer("A_KEY"), timeout=10)
        again = await served.stub.Invoke(same, metadata=bearer("A_KEY"), timeout=10)
        assert (first.cache_hit, again.cache_hit) == (False, True)
        used = first.usage.input_tokens + first.usage.output_tokens
        assert await served.running.router.rate_limits.usage("team-a") == (2, used)


async def test_a_stream_cut_by_its_caller_settles_what_it_received() -> None:
    # 400 characters at 20 tokens a second: the caller leaves after the first delta.
    async with servers(config("{tokens_per_minute: 1000}")) as (served,):
        request = pb.InvokeStreamRequest(
            model="slow", messages=[pb.ChatMessage(role="user", content="call 000")], max_output_tokens=100
        )
        reserved = estimate_input_tokens(ASKED) + 100
        call = served.stub.InvokeStream(request, metadata=bearer("A_KEY"), timeout=30)
        await call.read()
        rate_limits = served.running.router.rate_limits
        assert await rate_limits.usage("team-a") == (1, reserved)  # in flight: its reservation
        call.cancel()
        # The server hears of the cut, ends the attempt, settles: wait for that.
        for _ in range(500):
            if (await rate_limits.usage("team-a"))[1] < reserved:
                break
            await asyncio.sleep(0.01)
        used = (await rate_limits.usage("team-a"))[1]
        # Its input and the output received before the cut; not the reservation.
        assert estimate_input_tokens(ASKED) < used < reserved


@pytest.mark.parametrize(
    ("limits", "call", "limit", "per_minute"),
    [
        (f"{{requests_per_minute: {N}}}", _select, "requests_per_minute", N),
        (f"{{tokens_per_minute: {N * PER_CALL}}}", _invoke, "tokens_per_minute", N * PER_CALL),
    ],
)
async def test_two_replicas_sharing_redis_admit_exactly_the_limit_together(
    limits: str, call: Call, limit: str, per_minute: int
) -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        usage = f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: rl-{uuid.uuid4().hex[:8]}}}\n"
        async with servers(config(limits, usage), 2) as (first, second):
            ok, errors = await storm([first.stub, second.stub], 200, call)
            assert ok == N
            assert_rate_limited(errors, limit, per_minute)
            for served in (first, second):  # both read the shared figures
                requests, tokens = await served.running.router.rate_limits.usage("team-a")
                assert requests == N
                if limit == "tokens_per_minute":
                    assert tokens == N * PER_CALL
            # Another tenant's limit is its own.
            ok, errors = await storm([first.stub, second.stub], N, _select, "C_KEY")
            assert (ok, errors) == (N, [])
    finally:
        redis.stop()


def fake_clock(start: float) -> tuple[list[float], Callable[[], float]]:
    now = [start]
    return now, lambda: now[0]


async def test_the_window_rolls_over_a_minute_of_one_second_buckets() -> None:
    now, clock = fake_clock(1000.5)
    router = Router(parse_config(config("{requests_per_minute: 3}"), "<t>", env=KEYS), clock=clock)
    tenant = router.config.tenants["team-a"]
    try:
        await router.admit(tenant)  # second 1000
        now[0] = 1030.2
        await router.admit(tenant)
        await router.admit(tenant)  # second 1030: 3 in the window
        with pytest.raises(RateLimited) as caught:
            await router.admit(tenant)
        # Room comes when second 1000's bucket leaves the window, at 1060.
        assert caught.value.retry_after_s == pytest.approx(1060 - 1030.2)
        assert caught.value.metadata["retryDelayMs"] == "29800"
        now[0] = 1059.999
        with pytest.raises(RateLimited) as caught:
            await router.admit(tenant)
        assert caught.value.retry_after_s == pytest.approx(0.001)
        now[0] = 1060.0
        await router.admit(tenant)  # the first call left; the two at 1030 are still in
        assert await router.rate_limits.usage("team-a") == (3, 0)
        with pytest.raises(RateLimited) as caught:
            await router.admit(tenant)
        assert caught.value.retry_after_s == pytest.approx(30)  # second 1030 leaves at 1090
        now[0] = 1090.0
        assert await router.rate_limits.usage("team-a") == (1, 0)
        now[0] = 5000.0  # long idle: everything left
        assert await router.rate_limits.usage("team-a") == (0, 0)
    finally:
        await router.close()


async def test_tokens_settle_to_what_was_used_and_roll_over() -> None:
    now, clock = fake_clock(2000.0)
    router = Router(
        parse_config(config(f"{{tokens_per_minute: {2 * PER_CALL}}}"), "<t>", env=KEYS), clock=clock
    )
    tenant = router.config.tenants["team-a"]
    call = InvokeCall("m", None, b"", InvokeParams(ASKED, MAX_OUTPUT, None, ()), "")
    try:
        first = await router.admit(tenant, call)
        second = await router.admit(tenant, call)
        assert first is not None and second is not None
        assert await router.rate_limits.usage("team-a") == (2, 2 * PER_CALL)  # both reserved
        with pytest.raises(RateLimited) as caught:
            await router.admit(tenant, call)
        # Reservations alone stand in the way: they are settled as their calls end.
        assert caught.value.retry_after_s == 1.0
        assert caught.value.metadata["reservedTokens"] == str(2 * PER_CALL)
        now[0] = 2010.0
        first.used = 5  # what its attempts were charged
        router.settle(first)
        second.used = 0  # a cache hit: nothing
        router.settle(second)
        assert await router.rate_limits.usage("team-a") == (2, 5)
        third = await router.admit(tenant, call)  # 5 + 19 <= 38
        assert third is not None
        with pytest.raises(RateLimited) as caught:
            await router.admit(tenant, call)  # 5 + 19 + 19 > 38
        assert caught.value.retry_after_s == pytest.approx(60)  # the 5 leave at 2070
        router.settle(third)
        now[0] = 2070.0
        assert await router.rate_limits.usage("team-a") == (0, 0)
    finally:
        await router.close()


async def test_a_hung_rate_limit_store_refuses_limited_calls_within_its_timeout() -> None:
    with BlackHole() as hole:
        usage = f"usage: {{store: redis, redis_url: '{hole.url}', key_prefix: hung, timeout_ms: 200}}\n"
        async with servers(config(f"{{requests_per_minute: {N}}}", usage)) as (served,):
            for _ in range(3):
                # The store's own socket timeout is 5 s, the call's deadline 4 s:
                # only usage.timeout_ms can answer in time.
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await served.stub.Select(pb.SelectRequest(), metadata=bearer("A_KEY"), timeout=4)
                details = details_of(caught.value)
                assert (details.code, details.reason) == (
                    grpc.StatusCode.UNAVAILABLE,
                    "RATE_LIMIT_UNAVAILABLE",
                )
                assert details.metadata == {"tenant": "team-a"}
                assert "did not answer within 200 ms" in details.message
            # A tenant without limits does not ask the store.
            await served.stub.Select(pb.SelectRequest(), metadata=bearer("B_KEY"), timeout=4)
            # Stats' figures: the last read (none), not a wait.
            assert await served.running.router.rate_limits.usage("team-a") == (0, 0)
            assert served.log.getvalue().count("rate limit store unavailable") == 1  # every 10 s at most


async def test_a_caller_gone_while_the_store_is_slow_leaves_no_reservation_behind() -> None:
    """A caller whose deadline passes while its admission script waits on Redis
    (held here by CLIENT PAUSE WRITE) is gone before it hears whether it was
    admitted. The script is not abandoned half-way (a reply lost after the script
    ran would leave its reservation holding the tenant's tokens for 10 minutes):
    it runs to its answer, the request counts, and what it reserved is released."""
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        usage = f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: rl-{uuid.uuid4().hex[:8]}}}\n"
        async with servers(config(f"{{tokens_per_minute: {10 * PER_CALL}}}", usage)) as (served,):
            limits = served.running.router.rate_limits
            assert await limits.usage("team-a") == (0, 0)
            admin = aioredis.from_url(redis.url)
            try:
                await admin.execute_command("CLIENT", "PAUSE", "400", "WRITE")
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await served.stub.Invoke(ask(1), metadata=bearer("A_KEY"), timeout=0.1)
                assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            finally:
                await admin.aclose()
            # The pause ends, the script runs (one request counted, its tokens
            # reserved), then the release: wait, boundedly, for the end state.
            deadline = asyncio.get_running_loop().time() + 10
            while (figures := await limits.usage("team-a")) != (1, 0):
                assert asyncio.get_running_loop().time() < deadline, figures
                await asyncio.sleep(0.05)
    finally:
        redis.stop()
