"""API keys (`auth.api_keys`): with any configured, every RouterService call needs
`authorization: Bearer <key>` (UNAUTHENTICATED otherwise, with its ErrorInfo);
health never does; reflection follows `auth.reflection`; a key is never logged
or echoed."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from modelrouter.config.load import ConfigError, parse_config
from modelrouter.server import is_loopback
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import details_of, serving

TEAM_KEY = "sk-team-a-PLANTED-0123456789"
OPS_KEY = "ops-PLANTED-9876543210"
MODELS = """
models:
  - {id: m, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
"""


def keys_config(*, team: bool = True, reflection: bool = True) -> str:
    entries = ["{id: ops, tenant: ops, roles: [admin], key_env: OPS_KEY}"]
    if team:
        digest = hashlib.sha256(TEAM_KEY.encode()).hexdigest()
        entries.append(f"{{id: team-a-prod, tenant: team-a, roles: [invoke], sha256: {digest}}}")
    return f"auth: {{reflection: {str(reflection).lower()}, api_keys: [{', '.join(entries)}]}}\n" + MODELS


USER = [pb.ChatMessage(role="user", content="hi")]
Call = Callable[[pb_grpc.RouterServiceStub, tuple[tuple[str, str], ...]], Awaitable[object]]


async def _stream(stub: pb_grpc.RouterServiceStub, md: tuple[tuple[str, str], ...]) -> object:
    return [
        m
        async for m in stub.InvokeStream(
            pb.InvokeStreamRequest(model="m", messages=USER), metadata=md, timeout=5
        )
    ]


RPCS: dict[str, Call] = {
    "Select": lambda s, md: s.Select(pb.SelectRequest(), metadata=md, timeout=5),
    "Invoke": lambda s, md: s.Invoke(pb.InvokeRequest(model="m", messages=USER), metadata=md, timeout=5),
    "InvokeStream": _stream,
    "Stats": lambda s, md: s.Stats(pb.StatsRequest(), metadata=md, timeout=5),
    "ListModels": lambda s, md: s.ListModels(pb.ListModelsRequest(), metadata=md, timeout=5),
}


def bearer(key: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {key}"),)


async def test_every_rpc_needs_a_known_key() -> None:
    config = parse_config(keys_config(), "<t>", env={"OPS_KEY": OPS_KEY})
    async with serving(config) as served:
        seen: list[str] = []
        for rpc, call in RPCS.items():
            for md in (
                (),
                bearer("sk-unknown"),
                (("authorization", TEAM_KEY),),
            ):  # none, unknown, no "Bearer"
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await call(served.stub, md)
                details = details_of(caught.value)
                assert (details.code, details.reason) == (
                    grpc.StatusCode.UNAUTHENTICATED,
                    "UNAUTHENTICATED",
                ), rpc
                seen.append(str(caught.value))
            for key in (TEAM_KEY, OPS_KEY):  # the invoke role and the admin role
                seen.append(str(await call(served.stub, bearer(key))))
        # The health service asks for nothing: orchestrators probe it.
        health = health_pb2_grpc.HealthStub(served.channel)
        reply = await health.Check(
            health_pb2.HealthCheckRequest(service="modelrouter.v1.RouterService"), timeout=5
        )
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        # No key in any answer or log line.
        everything = "\n".join(seen) + served.log.getvalue()
        assert TEAM_KEY not in everything and OPS_KEY not in everything


async def test_a_revoked_key_is_refused() -> None:
    config = parse_config(keys_config(team=False), "<t>", env={"OPS_KEY": OPS_KEY})
    async with serving(config) as served:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.ListModels(pb.ListModelsRequest(), metadata=bearer(TEAM_KEY), timeout=5)
        assert details_of(caught.value).reason == "UNAUTHENTICATED"
        assert (
            await served.stub.ListModels(pb.ListModelsRequest(), metadata=bearer(OPS_KEY), timeout=5)
        ).models


@pytest.mark.parametrize("enabled", [True, False])
async def test_reflection_follows_its_setting(enabled: bool) -> None:
    config = parse_config(keys_config(reflection=enabled), "<t>", env={"OPS_KEY": OPS_KEY})
    async with serving(config) as served:
        stub = reflection_pb2_grpc.ServerReflectionStub(served.channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        if enabled:  # served without a key
            replies = [r async for r in stub.ServerReflectionInfo(iter([request]), timeout=5)]
            names = {s.name for s in replies[0].list_services_response.service}
            assert "modelrouter.v1.RouterService" in names
        else:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                _ = [r async for r in stub.ServerReflectionInfo(iter([request]), timeout=5)]
            assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_key_configuration_errors_name_the_field_never_the_value() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(keys_config(), "<t>", env={})
    assert any(p.startswith("auth.api_keys[0].key_env: not the name of a set") for p in caught.value.problems)
    pasted = keys_config().replace("key_env: OPS_KEY", f"key_env: {OPS_KEY}")
    with pytest.raises(ConfigError) as caught:
        parse_config(pasted, "<t>", env={})
    assert OPS_KEY not in caught.value.report()
    both = (
        MODELS
        + "auth: {api_keys: [{id: x, tenant: t, roles: [invoke], key_env: K, sha256: "
        + "a" * 64
        + "}]}"
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(both, "<t>", env={"K": "v"})
    assert any("exactly one of sha256" in p for p in caught.value.problems)


def test_serving_beyond_loopback_without_keys_warns() -> None:
    assert is_loopback("127.0.0.1:50051") and is_loopback("[::1]:1") and is_loopback("localhost:1")
    assert (
        not is_loopback("0.0.0.0:50051")
        and not is_loopback("[::]:1")
        and not is_loopback("router.internal:1")
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelrouter", "serve", "--address", "0.0.0.0:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("listening on 0.0.0.0:")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "serving beyond this machine without API keys" in err
