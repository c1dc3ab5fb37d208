"""AdminService on a real server: draining a deployment sends new calls to the
others while its calls in flight finish; a model whose every deployment drains
is rejected DRAINING by selection and refused MODEL_DRAINING when named;
GetConfig shows the configuration in force with key digests redacted; only the
admin role may call it, and without keys it is served on loopback only."""

from __future__ import annotations

import hashlib
import io
from collections import Counter

import grpc
import pytest
import yaml

from modelrouter.config.load import REDACTED, parse_config
from modelrouter.logs import make_logging
from modelrouter.server import start
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import admin_pb2_grpc as apb_grpc
from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, details_of, select_error, serving

ACTIVE, DRAINING = pb.DEPLOYMENT_STATE_ACTIVE, pb.DEPLOYMENT_STATE_DRAINING
TEAM_KEY = "sk-team-PLANTED-0123456789"
OPS_KEY = "ops-PLANTED-9876543210"
MODELS = """
models:
  - id: m
    provider: simulated
    capabilities: [chat, streaming]
    context_window: 8000
    pricing: {input_per_mtok: 1, output_per_mtok: 1}
    quality: {default: 0.5}
    simulate: {ttft_ms: 0, tokens_per_s: 1000000}
    # Round robin: a restored deployment's turn comes back for certain (latency_p2c,
    # the default, may keep preferring the warmer one).
    balancer: weighted_round_robin
    deployments: [{name: a}, {name: b}]
  - id: slow
    provider: simulated
    capabilities: [chat, streaming]
    context_window: 8000
    pricing: {input_per_mtok: 1, output_per_mtok: 1}
    quality: {default: 0.1}
    simulate: {ttft_ms: 0, tokens_per_s: 100}
    deployments: [{name: only}]
"""
USER = [pb.ChatMessage(role="user", content="hi")]
BYPASS = pb.CACHE_POLICY_BYPASS


def admin(served: Served) -> apb_grpc.AdminServiceStub:
    return apb_grpc.AdminServiceStub(served.channel)


async def set_state(
    served: Served, model: str, deployment: str, state: pb.DeploymentState
) -> apb.SetDeploymentStateResponse:
    request = apb.SetDeploymentStateRequest(model=model, deployment=deployment, state=state)
    response: apb.SetDeploymentStateResponse = await admin(served).SetDeploymentState(request, timeout=5)
    return response


async def deployments_of(served: Served, calls: int) -> Counter[str]:
    seen: Counter[str] = Counter()
    for _ in range(calls):
        reply = await served.stub.Invoke(pb.InvokeRequest(model="m", messages=USER, cache=BYPASS), timeout=5)
        seen[reply.deployment] += 1
    return seen


async def test_a_draining_deployment_gets_no_new_calls_until_restored() -> None:
    async with serving(MODELS) as served:
        changed = await set_state(served, "m", "a", DRAINING)
        assert (changed.previous_state, changed.state) == (ACTIVE, DRAINING)
        assert await deployments_of(served, 50) == {"b": 50}
        only_m = pb.SelectRequest(requirements=pb.Requirements(include_models=["m"]))
        chosen = (await served.stub.Select(only_m, timeout=5)).decision
        assert (chosen.model, chosen.deployment) == ("m", "b")

        changed = await set_state(served, "m", "a", ACTIVE)
        assert (changed.previous_state, changed.state) == (DRAINING, ACTIVE)
        assert set(await deployments_of(served, 10)) == {"a", "b"}


async def test_a_model_whose_every_deployment_drains_is_rejected_and_refused_by_name() -> None:
    async with serving(MODELS) as served:
        for name in ("a", "b"):
            await set_state(served, "m", name, DRAINING)
        # Selection passes it over for the other model, and says why when it is the only one.
        chosen = (await served.stub.Select(pb.SelectRequest(), timeout=5)).decision
        assert chosen.model == "slow"
        error = await select_error(
            served.stub, pb.SelectRequest(requirements=pb.Requirements(include_models=["m"]))
        )
        assert error.code == grpc.StatusCode.FAILED_PRECONDITION
        assert error.reason == "NO_ELIGIBLE_MODEL"
        assert ("m", "DRAINING") in error.violations

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(pb.InvokeRequest(model="m", messages=USER), timeout=5)
        refused = details_of(caught.value)
        assert (refused.code, refused.reason) == (grpc.StatusCode.UNAVAILABLE, "MODEL_DRAINING")
        assert refused.metadata == {"model": "m"}

        await set_state(served, "m", "b", ACTIVE)
        assert await deployments_of(served, 5) == {"b": 5}


async def test_a_stream_in_flight_on_a_deployment_drained_mid_stream_finishes() -> None:
    async with serving(MODELS) as served:
        request = pb.InvokeStreamRequest(model="slow", messages=USER, max_output_tokens=40, cache=BYPASS)
        stream = served.stub.InvokeStream(request, timeout=30)
        events = aiter(stream)
        first = await anext(events)
        assert first.WhichOneof("event") == "delta"
        await set_state(served, "slow", "only", DRAINING)
        rest = [e async for e in events]
        assert rest and rest[-1].WhichOneof("event") == "done"
        assert rest[-1].done.deployment == "only"
        assert all(e.WhichOneof("event") == "delta" for e in rest[:-1])


async def test_unknown_model_or_deployment_or_state_is_refused() -> None:
    async with serving(MODELS) as served:
        for model, deployment, state, code, reason in (
            ("nope", "a", DRAINING, grpc.StatusCode.NOT_FOUND, "UNKNOWN_MODEL"),
            ("m", "c", DRAINING, grpc.StatusCode.NOT_FOUND, "UNKNOWN_DEPLOYMENT"),
            ("m", "a", pb.DEPLOYMENT_STATE_UNSPECIFIED, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST"),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await set_state(served, model, deployment, state)
            error = details_of(caught.value)
            assert (error.code, error.reason) == (code, reason)


def keys_config() -> str:
    digest = hashlib.sha256(TEAM_KEY.encode()).hexdigest()
    return (
        "auth:\n  api_keys:\n"
        "    - {id: ops, tenant: ops, roles: [admin], key_env: OPS_KEY}\n"
        f"    - {{id: team, tenant: team, roles: [invoke], sha256: {digest}}}\n" + MODELS
    )


async def test_get_config_shows_the_configuration_in_force_with_digests_redacted() -> None:
    text = keys_config()
    config = parse_config(text, "<admin test>", env={"OPS_KEY": OPS_KEY})
    async with serving(config) as served:
        reply = await admin(served).GetConfig(
            apb.GetConfigRequest(), metadata=(("authorization", f"Bearer {OPS_KEY}"),), timeout=5
        )
    expected = yaml.safe_load(text)
    expected["auth"]["api_keys"][1]["sha256"] = REDACTED
    assert yaml.safe_load(reply.yaml) == expected
    assert reply.source == "<admin test>"
    assert reply.config_version == hashlib.sha256(text.encode()).hexdigest()[:16]
    digest = hashlib.sha256(TEAM_KEY.encode()).hexdigest()
    for secret in (TEAM_KEY, OPS_KEY, digest):
        assert secret not in reply.yaml
    assert "OPS_KEY" in reply.yaml  # the variable's name is not a secret


async def test_with_keys_only_the_admin_role_may_call_it() -> None:
    config = parse_config(keys_config(), "<t>", env={"OPS_KEY": OPS_KEY})
    async with serving(config) as served:
        stub = admin(served)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetConfig(
                apb.GetConfigRequest(), metadata=(("authorization", f"Bearer {TEAM_KEY}"),), timeout=5
            )
        assert details_of(caught.value).code == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetConfig(apb.GetConfigRequest(), timeout=5)
        assert details_of(caught.value).code == grpc.StatusCode.UNAUTHENTICATED
        changed = await stub.SetDeploymentState(
            apb.SetDeploymentStateRequest(model="m", deployment="a", state=DRAINING),
            metadata=(("authorization", f"Bearer {OPS_KEY}"),),
            timeout=5,
        )
        assert changed.state == DRAINING


async def test_without_keys_it_is_served_on_loopback_only() -> None:
    async with serving(MODELS) as served:  # 127.0.0.1
        reply = await admin(served).GetConfig(apb.GetConfigRequest(), timeout=5)
        assert yaml.safe_load(reply.yaml) == yaml.safe_load(MODELS)

    log = io.StringIO()
    running = await start(parse_config(MODELS, "<t>"), "0.0.0.0:0", make_logging(log))
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await apb_grpc.AdminServiceStub(channel).GetConfig(apb.GetConfigRequest(), timeout=5)
            assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await running.server.stop(0)
        await running.lifecycle.close()
    assert "AdminService not served" in log.getvalue()


async def test_list_models_shows_states_and_the_config_version() -> None:
    async with serving(MODELS) as served:
        await set_state(served, "m", "a", DRAINING)
        listed = await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
    states = {d.name: d.state for d in listed.models[0].deployments}
    assert states == {"a": DRAINING, "b": ACTIVE}
    assert listed.config_version == hashlib.sha256(MODELS.encode()).hexdigest()[:16]
