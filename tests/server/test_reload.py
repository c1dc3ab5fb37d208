"""ReloadConfig on a real server: the answer names what changed; an unchanged
model keeps its figures, circuit and pooled connections, a changed one its
figures and its deployments' drain; a removed model's cached answers are no
longer served and selection caches start afresh; keys, tenants and limits
reload; an invalid file, or one changing what only a restart applies, changes
nothing and says why field by field; calls in flight finish on the
configuration they started with."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import pytest
import yaml
from google.rpc import error_details_pb2, status_pb2

from modelrouter.config.load import load_config
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import admin_pb2_grpc as apb_grpc
from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_openai import FakeOpenAI, Reply, Status
from tests.support import Served, details_of, serving

USER = [pb.ChatMessage(role="user", content="hi")]
BYPASS = pb.CACHE_POLICY_BYPASS
ACTIVE, DRAINING = pb.DEPLOYMENT_STATE_ACTIVE, pb.DEPLOYMENT_STATE_DRAINING


def sim(model_id: str, quality: float, price: float = 1.0, extra: str = "") -> str:
    return (
        f"  - {{id: {model_id}, provider: simulated, capabilities: [chat, streaming], context_window: 8000,"
        f" pricing: {{input_per_mtok: {price}, output_per_mtok: {price}}}, quality: {{default: {quality}}},"
        f" simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: 'from {model_id}'}}{extra}}}\n"
    )


def http(model_id: str, base_url: str, quality: float, price: float = 1.0) -> str:
    return (
        f"  - {{id: {model_id}, provider: openai, base_url: '{base_url}', upstream_model: fake-model,"
        f" context_window: 8000, timeout_s: 5,"
        f" pricing: {{input_per_mtok: {price}, output_per_mtok: {price}}},"
        f" quality: {{default: {quality}}}}}\n"
    )


HEAD = (
    "server: {max_attempts_per_model: 1}\n"
    "health: {check_interval_s: 0, failure_threshold: 1, cooldown_s: 600}\n"
    "cache: {selection_ttl_s: 600}\n"
    "usage: {store: memory}\n"
)


@asynccontextmanager
async def served_from(path: Path, text: str) -> AsyncIterator[Served]:
    path.write_text(text)
    async with serving(load_config(path)) as served:
        yield served


async def reload(served: Served) -> apb.ReloadConfigResponse:
    reply: apb.ReloadConfigResponse = await apb_grpc.AdminServiceStub(served.channel).ReloadConfig(
        apb.ReloadConfigRequest(), timeout=10
    )
    return reply


async def refused_reload(served: Served) -> tuple[str, str, list[tuple[str, str]]]:
    """(code name, reason, BadRequest violations) of a reload that must fail."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await reload(served)
    error = details_of(caught.value)
    raw = dict(caught.value.trailing_metadata() or ())["grpc-status-details-bin"]
    violations = []
    for any_ in status_pb2.Status.FromString(raw).details:
        if any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            any_.Unpack(bad)
            violations += [(v.field, v.description) for v in bad.field_violations]
    return error.code.name, error.reason, violations


async def models(served: Served) -> dict[str, pb.ModelInfo]:
    reply = await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
    return {m.id: m for m in reply.models}


async def invoke(served: Served, model: str = "", cache: pb.CachePolicy = BYPASS) -> pb.InvokeResponse:
    request = pb.InvokeRequest(messages=USER, cache=cache, temperature=0)
    if model:
        request.model = model
    reply: pb.InvokeResponse = await served.stub.Invoke(request, timeout=10)
    return reply


async def calls_of(served: Served, model: str) -> int:
    await served.running.router.usage.flush()
    stats = await served.stub.Stats(pb.StatsRequest(models=[model]), timeout=5)
    return sum(m.requests for m in stats.models)


async def test_the_answer_names_what_changed_and_listmodels_shows_the_new_version(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with served_from(
        path, HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5) + sim("c", 0.1)
    ) as served:
        before = (await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)).config_version
        text = HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5, price=3) + sim("d", 0.2)
        path.write_text(text)
        reply = await reload(served)
        assert (list(reply.added_models), list(reply.removed_models), list(reply.changed_models)) == (
            ["d"],
            ["c"],
            ["b"],
        )
        assert reply.previous_version == before
        assert reply.config_version == hashlib.sha256(text.encode()).hexdigest()[:16]
        listed = await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
        assert [m.id for m in listed.models] == ["a", "b", "d"]
        assert listed.config_version == reply.config_version
        assert listed.models[1].input_cost_per_mtok == 3
        config = await apb_grpc.AdminServiceStub(served.channel).GetConfig(apb.GetConfigRequest(), timeout=5)
        assert (yaml.safe_load(config.yaml), config.config_version) == (
            yaml.safe_load(text),
            reply.config_version,
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await invoke(served, "c")
        assert details_of(caught.value).reason == "UNKNOWN_MODEL"
        assert (await invoke(served, "d")).text.startswith("from d")


async def test_unchanged_and_changed_models_keep_their_figures(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with served_from(path, HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5)) as served:
        for _ in range(3):
            await invoke(served, "a")
        for _ in range(2):
            await invoke(served, "b")
        kept = served.running.router.live.models["a"]
        path.write_text(HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.6) + sim("z", 0.1))
        await reload(served)
        assert served.running.router.live.models["a"] is kept
        assert (await calls_of(served, "a"), await calls_of(served, "b")) == (3, 2)
        await invoke(served, "b")
        assert await calls_of(served, "b") == 3
        stats = await served.stub.Stats(pb.StatsRequest(), timeout=5)
        assert sum(t.requests for t in stats.tenants) == 6


async def test_an_unchanged_model_keeps_its_circuit_and_its_pooled_connections(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with FakeOpenAI() as good, FakeOpenAI() as bad:
        text = HEAD + "models:\n" + http("g", good.base_url, 0.9) + http("x", bad.base_url, 0.8)
        async with served_from(path, text) as served:
            good.script(Reply())
            await invoke(served, "g")
            bad.script(Status(500))
            with pytest.raises(grpc.aio.AioRpcError):
                await invoke(served, "x")  # one failure opens the circuit (failure_threshold 1)
            assert (await models(served))["x"].health == pb.HEALTH_STATE_UNHEALTHY
            connections = good.connections
            path.write_text(text + sim("s", 0.1))
            assert list((await reload(served)).added_models) == ["s"]
            assert (await models(served))["x"].health == pb.HEALTH_STATE_UNHEALTHY
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await invoke(served, "x")
            assert "CIRCUIT_OPEN" in details_of(caught.value).metadata["attempts"]
            good.script(Reply())
            await invoke(served, "g")
            assert good.connections == connections  # the same pool: no new connection


async def test_a_moved_deployment_gets_a_fresh_circuit_and_a_new_pool(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with (
        FakeOpenAI() as old,
        FakeOpenAI() as new,
        served_from(path, HEAD + "models:\n" + http("x", old.base_url, 0.8)) as served,
    ):
        old.script(Status(500))
        with pytest.raises(grpc.aio.AioRpcError):
            await invoke(served, "x")
        assert (await models(served))["x"].health == pb.HEALTH_STATE_UNHEALTHY
        path.write_text(HEAD + "models:\n" + http("x", new.base_url, 0.8))
        assert list((await reload(served)).changed_models) == ["x"]
        assert (await models(served))["x"].health == pb.HEALTH_STATE_HEALTHY
        new.script(Reply(text="moved"))
        assert (await invoke(served, "x")).text == "moved"
        assert len(new.requests) == 1


async def test_a_removed_models_cached_answers_are_no_longer_served(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    always = pb.CACHE_POLICY_USE
    async with served_from(path, HEAD + "models:\n" + sim("best", 0.9) + sim("other", 0.5)) as served:
        first = await invoke(served, cache=always)
        assert first.model == "best"
        assert (await invoke(served, cache=always)).cache_hit
        path.write_text(HEAD + "models:\n" + sim("other", 0.5))
        await reload(served)
        again = await invoke(served, cache=always)
        assert (again.model, again.cache_hit, again.text.startswith("from other")) == ("other", False, True)
        stream = served.stub.InvokeStream(
            pb.InvokeStreamRequest(messages=USER, cache=always, temperature=0), timeout=10
        )
        done = [e async for e in stream][-1].done
        assert (done.model, done.cache_hit) == ("other", True)  # the answer cached just now


async def test_selection_caches_start_afresh(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with served_from(path, HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5)) as served:
        request = pb.SelectRequest(strategy="weighted")
        assert (await served.stub.Select(request, timeout=5)).decision.model == "a"
        assert (await served.stub.Select(request, timeout=5)).decision.model == "a"  # cached for 600 s
        path.write_text(HEAD + "models:\n" + sim("a", 0.1) + sim("b", 0.5))
        await reload(served)
        assert (await served.stub.Select(request, timeout=5)).decision.model == "b"


async def test_a_drained_deployment_stays_drained_across_reloads(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    two = ", balancer: weighted_round_robin, deployments: [{name: d1}, {name: d2}]"
    async with served_from(
        path, HEAD + "models:\n" + sim("m", 0.9, extra=two) + sim("n", 0.5, extra=two)
    ) as served:
        stub = apb_grpc.AdminServiceStub(served.channel)
        for model in ("m", "n"):
            await stub.SetDeploymentState(
                apb.SetDeploymentStateRequest(model=model, deployment="d1", state=DRAINING), timeout=5
            )
        # m changes (its price), n does not: both keep d1 drained.
        path.write_text(HEAD + "models:\n" + sim("m", 0.9, price=2, extra=two) + sim("n", 0.5, extra=two))
        assert list((await reload(served)).changed_models) == ["m"]
        listed = await models(served)
        for model in ("m", "n"):
            assert [(d.name, d.state) for d in listed[model].deployments] == [
                ("d1", DRAINING),
                ("d2", ACTIVE),
            ]
        assert {(await invoke(served, "m")).deployment for _ in range(6)} == {"d2"}
        assert {(await invoke(served, "n")).deployment for _ in range(6)} == {"d2"}


async def test_an_invalid_file_changes_nothing_and_says_why_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    text = HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5)
    async with served_from(path, text) as served:
        version = (await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)).config_version
        path.write_text(
            HEAD
            + "models:\n"
            + sim("a", 0.9, price=-1)
            + "  - {id: b, provider: simulated, context_window: 8000, pricing: {input_per_mtok: 1,"
            " output_per_mtok: 1}, quality: {default: 0.5}, colour: blue}\n"
        )
        code, reason, violations = await refused_reload(served)
        assert (code, reason) == ("FAILED_PRECONDITION", "INVALID_CONFIG")
        fields = [f for f, _ in violations]
        assert any(f.startswith("models[0].pricing") for f in fields), violations
        assert any(f.startswith("models[1]") and "colour" in f + d for f, d in violations), violations
        listed = await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
        assert listed.config_version == version
        assert [m.id for m in listed.models] == ["a", "b"]
        assert (await invoke(served, "b")).text.startswith("from b")

        path.write_text("models: [this is: not yaml")
        code, reason, violations = await refused_reload(served)
        assert (code, reason, violations[0][0]) == ("FAILED_PRECONDITION", "INVALID_CONFIG", "(file)")
        path.unlink()
        code, reason, violations = await refused_reload(served)
        assert (reason, violations[0][0]) == ("INVALID_CONFIG", "(file)")
        assert "cannot read" in violations[0][1]
        assert "reload refused: invalid configuration" in served.log.getvalue()


async def test_a_change_only_a_restart_applies_is_refused_naming_the_fields(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    body = "models:\n" + sim("a", 0.9)
    async with served_from(path, HEAD + body) as served:
        path.write_text(
            HEAD.replace("store: memory", "store: memory, window_s: 60")
            + "server: {address: '0.0.0.0:9999'}\n"
            + body
            + sim("new", 0.5)
        )
        # (a second `server:` key: YAML keeps the last one, which drops max_attempts too)
        code, reason, violations = await refused_reload(served)
        assert (code, reason) == ("FAILED_PRECONDITION", "RESTART_REQUIRED")
        assert {f for f, _ in violations} == {"server.address", "usage"}
        assert list(await models(served)) == ["a"]


async def test_keys_and_tenants_reload(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"

    def keyed(team_key: str, allowed: str) -> str:
        digest = hashlib.sha256(team_key.encode()).hexdigest()
        ops = hashlib.sha256(b"ops-key-0123456789").hexdigest()
        return (
            HEAD
            + "auth:\n  api_keys:\n"
            + f"    - {{id: ops, tenant: ops, roles: [admin], sha256: {ops}}}\n"
            + f"    - {{id: team, tenant: team, roles: [invoke], sha256: {digest}}}\n"
            + f"tenants:\n  ops: {{}}\n  team: {{models: [{allowed}]}}\n"
            + "models:\n"
            + sim("a", 0.9)
            + sim("b", 0.5)
        )

    ops = (("authorization", "Bearer ops-key-0123456789"),)
    async with served_from(path, keyed("team-key-old-0123", "a")) as served:

        async def chosen(key: str) -> str:
            request = pb.SelectRequest()
            reply = await served.stub.Select(
                request, metadata=(("authorization", f"Bearer {key}"),), timeout=5
            )
            return reply.decision.model

        assert await chosen("team-key-old-0123") == "a"
        path.write_text(keyed("team-key-new-4567", "b"))
        await apb_grpc.AdminServiceStub(served.channel).ReloadConfig(
            apb.ReloadConfigRequest(), metadata=ops, timeout=10
        )
        assert await chosen("team-key-new-4567") == "b"  # the new key, and the tenant's new list
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await chosen("team-key-old-0123")
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await apb_grpc.AdminServiceStub(served.channel).ReloadConfig(
                apb.ReloadConfigRequest(),
                metadata=(("authorization", "Bearer team-key-new-4567"),),
                timeout=5,
            )
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_stream_in_flight_finishes_on_a_model_its_reload_removed(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    held = asyncio.Event()
    async with FakeOpenAI() as fake:
        text = HEAD + "models:\n" + sim("a", 0.9)
        async with served_from(path, text + http("slow", fake.base_url, 0.5)) as served:
            fake.script(Reply(pieces=("one ", "two ", "three"), hold_after_first=held))
            stream = served.stub.InvokeStream(
                pb.InvokeStreamRequest(model="slow", messages=USER, cache=BYPASS), timeout=30
            )
            events = aiter(stream)
            assert (await anext(events)).delta == "one "
            old = served.running.router
            path.write_text(text)
            assert list((await reload(served)).removed_models) == ["slow"]
            assert served.running.lifecycle.retiring == 1  # the stream still runs on it
            held.set()
            rest = [e async for e in events]
            assert "".join(e.delta for e in rest[:-1]) == "two three"
            assert (rest[-1].WhichOneof("event"), rest[-1].done.model) == ("done", "slow")
            for _ in range(500):  # the retirement follows the stream's end
                if not served.running.lifecycle.retiring:
                    break
                await asyncio.sleep(0.01)
            assert served.running.lifecycle.retiring == 0
            assert old.retired and old.calls == 0
            await served.running.router.usage.flush()
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=5)
            assert sum(t.requests for t in stats.tenants) == 1  # the removed model's call is counted


async def test_concurrent_reloads_run_one_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with served_from(path, HEAD + "models:\n" + sim("a", 0.9)) as served:
        path.write_text(HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5))
        replies = await asyncio.gather(*(reload(served) for _ in range(5)))
        # Whichever ran first added b; each later one found nothing to change.
        assert sorted(list(r.added_models) for r in replies) == [[], [], [], [], ["b"]]
        assert served.running.lifecycle.reloads == 5
        assert list(await models(served)) == ["a", "b"]


async def test_budgets_keep_their_spend_and_take_their_new_limits(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    dear = sim("a", 0.9, price=1000)  # $1 per 1,000 tokens each way

    def budgets(daily: float) -> str:
        return HEAD + f"budgets:\n  models:\n    a: {{daily_usd: {daily}}}\nmodels:\n" + dear + sim("b", 0.5)

    async with served_from(path, budgets(100)) as served:
        for _ in range(3):
            await invoke(served, "a")

        async def budget() -> tuple[float, float]:
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=5)
            (only,) = [b for b in stats.budgets if b.scope == "a"]
            return only.limit_usd, only.spent_usd

        await served.running.router.usage.flush()
        limit, spent = await budget()
        assert limit == 100 and spent > 0
        # A limit below what is spent: the model is kept out at once, by the new ledger.
        path.write_text(budgets(spent / 2))
        await reload(served)
        assert await budget() == (spent / 2, spent)
        assert (await served.stub.Select(pb.SelectRequest(), timeout=5)).decision.model == "b"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await invoke(served, "a")
        assert details_of(caught.value).reason == "BUDGET_EXCEEDED"
        path.write_text(budgets(100))
        await reload(served)
        assert (await invoke(served, "a")).model == "a"


async def test_a_reload_whose_caller_leaves_half_way_still_lands(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    async with served_from(path, HEAD + "models:\n" + sim("a", 0.9)) as served:
        # The file becomes a pipe: the reload's read waits, in the server, until the
        # test writes the new configuration, after the caller's deadline has passed.
        path.unlink()
        os.mkfifo(path)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await apb_grpc.AdminServiceStub(served.channel).ReloadConfig(
                apb.ReloadConfigRequest(), timeout=0.5
            )
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        text = HEAD + "models:\n" + sim("a", 0.9) + sim("b", 0.5)
        await asyncio.wait_for(asyncio.to_thread(path.write_text, text), 10)
        for _ in range(500):  # the reload goes on without its caller
            if list(await models(served)) == ["a", "b"]:
                break
            await asyncio.sleep(0.01)
        assert list(await models(served)) == ["a", "b"]
        assert (served.running.lifecycle.reloads, served.running.lifecycle.refused) == (1, 0)
