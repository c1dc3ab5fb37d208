"""Attribution: every call is counted for its key's tenant. `Stats` shows a caller
without the admin role only its own tenant's counts, tokens and cost (and naming
another tenant is PERMISSION_DENIED); an admin sees every tenant, and
`StatsRequest.tenant` narrows to one. The figures per tenant survive a restart
(SQLite) and are shared by replicas (Redis); files and keys written before
tenants read as tenant "". Prometheus series carry a `tenant` label whose values
are the configured tenants', and no key ever shows in a log line or an answer."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import grpc
import pytest
import redis.asyncio as aioredis

from modelrouter.config.load import RouterConfig, parse_config
from modelrouter_client._proto import router_pb2 as pb
from tests.support import RedisServer, Served, details_of, need_redis_server, serving

A_KEY = "sk-team-a-PLANTED-attribution-0001"
B_KEY = "sk-team-b-PLANTED-attribution-0002"
OPS_KEY = "sk-ops-PLANTED-attribution-0003"
KEYS = {"A_KEY": A_KEY, "B_KEY": B_KEY, "OPS_KEY": OPS_KEY}
KEY_IDS = {A_KEY: "a-key", B_KEY: "b-key", OPS_KEY: "ops-key"}
TENANTS = {"team-a", "team-b", "ops"}

BASE = """
budgets: {overall: {daily_usd: 100}}
tenants:
  team-a: {rate_limits: {requests_per_minute: 1000, tokens_per_minute: 1000000}, budgets: {daily_usd: 50}}
  team-b: {}
  ops: {}
auth:
  api_keys:
    - {id: a-key, tenant: team-a, roles: [invoke], key_env: A_KEY}
    - {id: b-key, tenant: team-b, roles: [invoke], key_env: B_KEY}
    - {id: ops-key, tenant: ops, roles: [admin], key_env: OPS_KEY}
models:
  - id: m
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 1, output_per_mtok: 2}
    quality: {default: 0.5}
    simulate: {ttft_ms: 0, tokens_per_s: 1000000}
    deployments: [{name: a}, {name: b}]
"""


def config(extra: str = "") -> RouterConfig:
    return parse_config("cache: {default_policy: always}\n" + extra + BASE, "<attribution>", env=KEYS)


def bearer(key: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {key}"),)


@dataclass
class Usage:
    """What one tenant's answers said it used."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, u: pb.Usage) -> None:
        self.calls += 1
        self.input_tokens += u.input_tokens
        self.output_tokens += u.output_tokens
        self.cost_usd += u.cost_usd


@dataclass
class Seen:
    """Everything the callers of a run were sent (to look for keys in)."""

    answers: list[bytes] = field(default_factory=list)

    def keep(self, message: object) -> None:
        if isinstance(message, grpc.aio.AioRpcError):
            self.answers.append(f"{message.details()} {message.trailing_metadata()}".encode())
        else:
            assert hasattr(message, "SerializeToString")
            self.answers.append(message.SerializeToString())


async def invoke(served: Served, key: str, text: str, used: Usage, seen: Seen) -> None:
    reply = await served.stub.Invoke(
        pb.InvokeRequest(model="m", messages=[pb.ChatMessage(role="user", content=text)]),
        metadata=bearer(key),
        timeout=10,
    )
    seen.keep(reply)
    assert not reply.cache_hit
    used.add(reply.usage)


async def stream(served: Served, key: str, text: str, used: Usage, seen: Seen) -> None:
    request = pb.InvokeStreamRequest(model="m", messages=[pb.ChatMessage(role="user", content=text)])
    async for message in served.stub.InvokeStream(request, metadata=bearer(key), timeout=10):
        seen.keep(message)
        if message.HasField("done"):
            used.add(message.done.usage)


async def stats(served: Served, key: str, seen: Seen, tenant: str = "") -> pb.StatsResponse:
    reply = await served.stub.Stats(pb.StatsRequest(tenant=tenant), metadata=bearer(key), timeout=10)
    seen.keep(reply)
    return reply


async def calls(served: Served, seen: Seen, a: int = 3, b: int = 2, tag: str = "") -> tuple[Usage, Usage]:
    """`a` calls by team-a (the last one streamed), `b` by team-b, each asking
    something new (so that none is a cache hit)."""
    used_a, used_b = Usage(), Usage()
    tag = tag or uuid.uuid4().hex[:8]
    for i in range(a):
        call = stream if i == a - 1 else invoke
        await call(served, A_KEY, f"{tag} a{i} " + "word " * i, used_a, seen)
    for i in range(b):
        await invoke(served, B_KEY, f"{tag} b{i} " + "other " * (i + 3), used_b, seen)
    return used_a, used_b


def totals(m: pb.ModelStats | pb.TenantStats) -> tuple[int, int, int, int]:
    return (m.requests, m.successes, m.input_tokens, m.output_tokens)


def expected(used: Usage) -> tuple[int, int, int, int]:
    return (used.calls, used.calls, used.input_tokens, used.output_tokens)


def model(reply: pb.StatsResponse) -> pb.ModelStats:
    (m,) = reply.models
    return m


def row(reply: pb.StatsResponse, tenant: str) -> pb.TenantStats:
    return next(t for t in reply.tenants if t.tenant == tenant)


def assert_no_keys(texts: Iterable[bytes | str]) -> None:
    for text in texts:
        raw = text.encode() if isinstance(text, str) else text
        for key in KEYS.values():
            assert key.encode() not in raw, f"a key in: {raw[:200]!r}"


def access_lines(served: Served) -> list[dict[str, object]]:
    served.running.access_log.flush()
    lines = [json.loads(line) for line in served.log.getvalue().splitlines()]
    return [line for line in lines if line.get("event") == "call"]


async def test_a_tenant_sees_only_its_own_usage_and_an_admin_sees_every_tenant() -> None:
    seen = Seen()
    async with serving(config()) as served:
        used_a, used_b = await calls(served, seen)

        mine = await stats(served, A_KEY, seen)
        assert mine.tenant == "team-a"
        assert totals(model(mine)) == expected(used_a)
        assert model(mine).cost_usd == pytest.approx(used_a.cost_usd, abs=1e-12)
        assert sum(d.requests for d in model(mine).deployments) == used_a.calls
        assert model(mine).recent.requests == used_a.calls
        assert [t.tenant for t in mine.tenants] == ["team-a"]
        (own,) = mine.tenants
        assert totals(own) == expected(used_a)
        assert own.cost_usd == pytest.approx(used_a.cost_usd, abs=1e-12)
        assert (own.requests_per_minute, own.tokens_per_minute) == (1000, 1_000_000)
        assert own.requests_last_minute == used_a.calls  # the rate limiter's rolling minute
        # Nothing that tells of the other tenants' use: the caches serve every
        # tenant, the overall budget counts every tenant's spend.
        assert mine.cache == pb.CacheStats()
        assert list(mine.suggestions) == []
        assert [(b.tenant, b.scope, b.period) for b in mine.budgets] == [("team-a", "*", "day")]
        assert mine.budgets[0].spent_usd == pytest.approx(used_a.cost_usd, abs=1e-12)

        theirs = await stats(served, B_KEY, seen)
        assert (theirs.tenant, [t.tenant for t in theirs.tenants]) == ("team-b", ["team-b"])
        assert totals(model(theirs)) == expected(used_b)
        assert row(theirs, "team-b").tokens_per_minute == 0  # no limit

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stats(served, A_KEY, seen, tenant="team-b")
        seen.keep(caught.value)
        assert details_of(caught.value).code == grpc.StatusCode.PERMISSION_DENIED

        everyone = await stats(served, OPS_KEY, seen)
        assert everyone.tenant == ""
        assert [t.tenant for t in everyone.tenants] == ["ops", "team-a", "team-b"]  # every configured one
        assert totals(row(everyone, "team-a")) == expected(used_a)
        assert totals(row(everyone, "team-b")) == expected(used_b)
        assert totals(row(everyone, "ops")) == (0, 0, 0, 0)
        both = Usage(used_a.calls + used_b.calls, used_a.input_tokens + used_b.input_tokens)
        both.output_tokens = used_a.output_tokens + used_b.output_tokens
        assert totals(model(everyone)) == expected(both)
        assert model(everyone).cost_usd == pytest.approx(used_a.cost_usd + used_b.cost_usd, abs=1e-12)
        assert everyone.cache.misses == used_a.calls + used_b.calls
        assert {(b.tenant, b.scope) for b in everyone.budgets} == {("", "*"), ("team-a", "*")}

        narrowed = await stats(served, OPS_KEY, seen, tenant="team-b")
        assert narrowed.tenant == "team-b"
        assert [t.tenant for t in narrowed.tenants] == ["team-b"]
        assert totals(model(narrowed)) == expected(used_b)
        assert totals(row(narrowed, "team-b")) == expected(used_b)

        lines = access_lines(served)
    # Every access log line names the caller's tenant and key id (never the key).
    assert lines and all((line["tenant"], line["key"]) in _CALLERS for line in lines), lines
    invokes = [(line["rpc"], line["tenant"], line["key"]) for line in lines if line["rpc"] != "Stats"]
    assert (
        invokes
        == [("Invoke", "team-a", "a-key")] * 2
        + [("InvokeStream", "team-a", "a-key")]
        + [("Invoke", "team-b", "b-key")] * 2
    )
    assert_no_keys([*seen.answers, served.log.getvalue()])


_CALLERS = {("team-a", "a-key"), ("team-b", "b-key"), ("ops", "ops-key")}


async def scrape(served: Served) -> str:
    assert served.running.metrics is not None
    url = f"http://127.0.0.1:{served.running.metrics.port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return await response.text()


def series(text: str, name: str, **labels: str) -> float:
    """The sum of the series of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{"):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


async def test_metrics_carry_a_tenant_label_of_the_configured_tenants_only() -> None:
    seen = Seen()
    async with serving(config('metrics: {address: "127.0.0.1:0"}\n')) as served:
        used_a, used_b = await calls(served, seen)
        await stats(served, OPS_KEY, seen)
        with pytest.raises(grpc.aio.AioRpcError) as caught:  # an error is counted for its tenant too
            await stats(served, B_KEY, seen, tenant="team-a")
        seen.keep(caught.value)
        body = await scrape(served)
    # Budget gauges say "" for a limit over every tenant; the per-call series name
    # only configured tenants.
    per_call = "\n".join(line for line in body.splitlines() if not line.startswith("modelrouter_budget_"))
    assert set(re.findall(r'tenant="([^"]*)"', per_call)) == TENANTS
    for tenant, used in (("team-a", used_a), ("team-b", used_b)):
        assert series(body, "modelrouter_requests_total", tenant=tenant, outcome="OK") == used.calls
        tokens = [
            series(body, "modelrouter_tokens_total", tenant=tenant, direction=d) for d in ("input", "output")
        ]
        assert tokens == [used.input_tokens, used.output_tokens]
        cost = series(body, "modelrouter_cost_usd_total", tenant=tenant)
        assert cost == pytest.approx(used.cost_usd, abs=1e-12)

    def answered(rpc: str, tenant: str, code: str = "OK") -> float:
        return series(body, "modelrouter_calls_total", rpc=rpc, code=code, tenant=tenant)

    assert answered("Invoke", "team-a") == used_a.calls - 1
    assert answered("InvokeStream", "team-a") == 1
    assert answered("Invoke", "team-b") == used_b.calls
    assert answered("Stats", "ops") == 1
    assert answered("Stats", "team-b", "PERMISSION_DENIED") == 1
    # The deployments' latency counts every tenant's calls: the same calls as the per-tenant series.
    assert series(body, "modelrouter_request_duration_seconds_count") == used_a.calls + used_b.calls
    assert_no_keys([body, *seen.answers, served.log.getvalue()])


async def test_usage_per_tenant_survives_a_restart(tmp_path: Path) -> None:
    store = f"usage: {{store: sqlite, path: '{tmp_path / 'usage.sqlite'}'}}\n"
    seen = Seen()
    async with serving(config(store)) as served:
        used_a, used_b = await calls(served, seen, a=2, b=1)
        logs = [served.log.getvalue()]
    # Stopped (its last flush at close); a new server on the same file.
    async with serving(config(store)) as served:
        assert totals(model(await stats(served, A_KEY, seen))) == expected(used_a)
        assert totals(model(await stats(served, B_KEY, seen))) == expected(used_b)
        everyone = await stats(served, OPS_KEY, seen)
        assert totals(row(everyone, "team-a")) == expected(used_a)
        assert totals(row(everyone, "team-b")) == expected(used_b)
        assert model(everyone).requests == used_a.calls + used_b.calls
        logs.append(served.log.getvalue())
    assert_no_keys([*seen.answers, *logs])


# The usage table as every release before tenants wrote it.
OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE usage (
    model TEXT NOT NULL,
    deployment TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_nusd INTEGER NOT NULL DEFAULT 0,
    selections INTEGER NOT NULL DEFAULT 0,
    waited INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    failures_by_reason TEXT NOT NULL DEFAULT '{}',
    latency BLOB NOT NULL DEFAULT x'',
    ttft BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (model, deployment)
);
CREATE TABLE spend (
    scope TEXT NOT NULL,
    period TEXT NOT NULL,
    nusd INTEGER NOT NULL,
    PRIMARY KEY (scope, period)
);
"""


async def test_a_usage_file_from_before_tenants_reads_as_tenant_empty(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.execute("INSERT INTO meta (key, value) VALUES ('since', ?)", (repr(time.time() - 3600),))
    db.execute(
        "INSERT INTO usage (model, deployment, requests, successes, failures, input_tokens, "
        "output_tokens, cost_nusd, failures_by_reason) VALUES ('m', 'a', 7, 6, 1, 70, 140, 350, ?)",
        ('{"TIMEOUT": 1}',),
    )
    db.commit()
    db.close()
    store = f"usage: {{store: sqlite, path: '{path}'}}\n"
    seen = Seen()
    async with serving(config(store)) as served:
        before = await stats(served, OPS_KEY, seen)
        assert totals(row(before, "")) == (7, 6, 70, 140)
        assert row(before, "").cost_usd == pytest.approx(350e-9)
        assert dict(model(before).failures_by_reason) == {"TIMEOUT": 1}
        used_a, _ = await calls(served, seen, a=1, b=0)
        assert totals(model(await stats(served, A_KEY, seen))) == expected(used_a)  # not the old calls
    async with serving(config(store)) as served:  # the migrated file opens as any other
        after = await stats(served, OPS_KEY, seen)
        assert totals(row(after, "")) == (7, 6, 70, 140)
        assert totals(row(after, "team-a")) == expected(used_a)
        assert model(after).requests == 7 + used_a.calls
    assert_no_keys(seen.answers)


async def test_replicas_on_one_redis_share_the_usage_per_tenant() -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        prefix = f"attribution-{uuid.uuid4().hex[:8]}"
        # A deployment's totals as a release before tenants wrote them: tenant "".
        client = aioredis.Redis.from_url(redis.url)
        await client.hset(f"{prefix}:usage:m|a", mapping={"requests": 4, "successes": 4, "input_tokens": 9})
        await client.sadd(f"{prefix}:usage:keys", "m|a")
        await client.aclose()
        store = f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: {prefix}}}\n"
        seen = Seen()
        async with serving(config(store)) as first, serving(config(store)) as second:
            a1, b1 = await calls(first, seen, a=2, b=1)
            a2, _ = await calls(second, seen, a=1, b=0)
            # What each replica's periodic flush does, done now.
            await first.running.router.usage.flush()
            await second.running.router.usage.flush()
            for served in (first, second):
                mine = await stats(served, A_KEY, seen)
                assert mine.tenants[0].requests == model(mine).requests == a1.calls + a2.calls
                assert model(mine).input_tokens == a1.input_tokens + a2.input_tokens
                everyone = await stats(served, OPS_KEY, seen)
                assert totals(row(everyone, "")) == (4, 4, 9, 0)
                assert totals(row(everyone, "team-b")) == expected(b1)
                assert model(everyone).requests == 4 + a1.calls + a2.calls + b1.calls
            logs = first.log.getvalue() + second.log.getvalue()
        assert_no_keys([*seen.answers, logs])
    finally:
        redis.stop()
