"""Tenants' allow-lists and who may call what: a tenant's calls see only its
models (others rejected NOT_ALLOWED in selection, PERMISSION_DENIED when named
outright), the caches never carry one tenant's decision or answer to another,
every RPC for every role, and a client certificate's subject standing for a key."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest

from modelrouter.config.load import ConfigError, parse_config
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.pki import Pki, issue
from tests.support import details_of, serving

KEYS = {"A_KEY": "sk-a-PLANTED-111", "B_KEY": "sk-b-PLANTED-222", "OPS_KEY": "ops-PLANTED-333"}
MODELS = """
models:
  - {id: cheap, provider: simulated, context_window: 8000, capabilities: [chat],
     pricing: {input_per_mtok: 0.1, output_per_mtok: 0.1}, quality: {default: 0.4},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
  - {id: best, provider: simulated, context_window: 8000, capabilities: [chat],
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.9},
     simulate: {ttft_ms: 0, tokens_per_s: 1000000}}
"""
TENANTS = """
auth:
  api_keys:
    - {id: a-prod, tenant: team-a, roles: [invoke], key_env: A_KEY}
    - {id: b-prod, tenant: team-b, roles: [invoke], key_env: B_KEY}
    - {id: ops, tenant: ops, roles: [admin], key_env: OPS_KEY}
tenants:
  team-a: {models: [cheap]}
  team-b: {}
  ops: {}
"""
USER = [pb.ChatMessage(role="user", content="hello")]


def bearer(name: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {KEYS[name]}"),)


def config() -> str:
    return TENANTS + MODELS


def assert_no_key_in(*texts: str) -> None:
    """None of the keys the tests use in any of `texts` (log, answers, errors)."""
    for text in texts:
        for key in KEYS.values():
            assert key not in text


async def test_a_tenant_selects_only_among_its_models_and_the_cache_keeps_tenants_apart() -> None:
    async with serving(parse_config(config(), "<t>", env=KEYS)) as served:
        stub = served.stub
        ask = pb.SelectRequest()
        # The same request bytes, one after the other, so that the selection cache
        # would hand the first answer to the second caller if it did not tell them apart.
        for _ in range(2):
            a = (await stub.Select(ask, metadata=bearer("A_KEY"), timeout=5)).decision
            b = (await stub.Select(ask, metadata=bearer("B_KEY"), timeout=5)).decision
            assert a.model == "cheap" and b.model == "best"
            assert [s.model for s in a.ranking] == ["cheap"]
            assert [(r.model, r.reason) for r in a.rejected] == [("best", "NOT_ALLOWED")]
            assert {s.model for s in b.ranking} == {"cheap", "best"}
        # Asking for a model outside the list by requirements leaves none eligible,
        # and the rejection says why.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Select(
                pb.SelectRequest(requirements=pb.Requirements(include_models=["best"])),
                metadata=bearer("A_KEY"),
                timeout=5,
            )
        details = details_of(caught.value)
        assert details.reason == "NO_ELIGIBLE_MODEL"
        assert ("best", "NOT_ALLOWED") in details.violations


async def test_a_model_outside_the_list_named_outright_is_permission_denied() -> None:
    async with serving(parse_config(config(), "<t>", env=KEYS)) as served:
        stub = served.stub
        for call in (
            lambda: stub.Invoke(
                pb.InvokeRequest(model="best", messages=USER), metadata=bearer("A_KEY"), timeout=5
            ),
            lambda: _drain(
                stub.InvokeStream(
                    pb.InvokeStreamRequest(model="best", messages=USER), metadata=bearer("A_KEY"), timeout=5
                )
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call()
            details = details_of(caught.value)
            assert (details.code, details.reason) == (grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED")
            assert "best" in caught.value.details() and "team-a" in caught.value.details()
        # Selected, A's Invoke lands on its own model; B may name either.
        reply = await stub.Invoke(pb.InvokeRequest(messages=USER), metadata=bearer("A_KEY"), timeout=5)
        assert reply.model == "cheap"
        named = await stub.Invoke(
            pb.InvokeRequest(model="best", messages=USER), metadata=bearer("B_KEY"), timeout=5
        )
        assert named.model == "best"


async def _drain(
    stream: grpc.aio.UnaryStreamCall[pb.InvokeStreamRequest, pb.InvokeStreamResponse],
) -> list[object]:
    return [m async for m in stream]


async def test_tenants_never_share_cached_answers() -> None:
    async with serving(parse_config(config(), "<t>", env=KEYS)) as served:
        stub = served.stub
        request = pb.InvokeRequest(model="cheap", messages=USER, temperature=0, cache=pb.CACHE_POLICY_USE)
        first = await stub.Invoke(request, metadata=bearer("A_KEY"), timeout=5)
        again = await stub.Invoke(request, metadata=bearer("A_KEY"), timeout=5)
        other = await stub.Invoke(request, metadata=bearer("B_KEY"), timeout=5)
        assert (first.cache_hit, again.cache_hit, other.cache_hit) == (False, True, False)


ROLE_KEYS = """
auth:
  api_keys:
    - {id: inv, tenant: team-a, roles: [invoke], key_env: A_KEY}
    - {id: adm, tenant: ops, roles: [admin], key_env: OPS_KEY}
    - {id: both, tenant: team-b, roles: [invoke, admin], key_env: B_KEY}
"""


@pytest.mark.parametrize("key", ["A_KEY", "OPS_KEY", "B_KEY"])
async def test_every_rpc_for_every_role(key: str) -> None:
    """invoke: every RouterService RPC, Stats of its own tenant only; admin (alone
    or with invoke): everything, any tenant's Stats."""
    async with serving(parse_config(ROLE_KEYS + MODELS, "<t>", env=KEYS)) as served:
        stub, md = served.stub, bearer(key)
        assert (await stub.Select(pb.SelectRequest(), metadata=md, timeout=5)).decision.model
        assert (await stub.Invoke(pb.InvokeRequest(messages=USER), metadata=md, timeout=5)).text
        assert await _drain(stub.InvokeStream(pb.InvokeStreamRequest(messages=USER), metadata=md, timeout=5))
        assert len((await stub.ListModels(pb.ListModelsRequest(), metadata=md, timeout=5)).models) == 2
        own = {"A_KEY": "team-a", "OPS_KEY": "ops", "B_KEY": "team-b"}[key]
        mine = await stub.Stats(pb.StatsRequest(tenant=own), metadata=md, timeout=5)
        assert mine.tenant == own
        unnamed = await stub.Stats(pb.StatsRequest(), metadata=md, timeout=5)
        other = pb.StatsRequest(tenant="team-z")
        if key == "A_KEY":
            assert unnamed.tenant == "team-a"  # its own, whatever it asks
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.Stats(other, metadata=md, timeout=5)
            assert details_of(caught.value).reason == "PERMISSION_DENIED"
            assert "team-z" in caught.value.details()
            # A hostile name of a megabyte is quoted clipped, not echoed whole.
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.Stats(pb.StatsRequest(tenant="x" * 1_000_000), metadata=md, timeout=5)
            assert details_of(caught.value).reason == "PERMISSION_DENIED"
            assert len(caught.value.details()) < 1000
        else:
            assert unnamed.tenant == ""  # every tenant's
            narrowed = await stub.Stats(pb.StatsRequest(tenant="team-a"), metadata=md, timeout=5)
            assert narrowed.tenant == "team-a"
            with pytest.raises(grpc.aio.AioRpcError) as caught:  # no such tenant: said so
                await stub.Stats(other, metadata=md, timeout=5)
            details = details_of(caught.value)
            assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
            assert "team-z" in caught.value.details() and "team-a" in caught.value.details()
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.Stats(pb.StatsRequest(tenant="x" * 1_000_000), metadata=md, timeout=5)
            assert details_of(caught.value).reason == "INVALID_REQUEST"
            assert len(caught.value.details()) < 1000
        # AdminService is the admin role's only; a method no service has is
        # UNIMPLEMENTED for anyone (nothing to protect).
        get_config = served.channel.unary_unary("/modelrouter.v1.AdminService/GetConfig")
        missing = served.channel.unary_unary("/modelrouter.v1.AdminService/NoSuchMethod")
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await missing(b"", metadata=md, timeout=5)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        seen = [str(mine), str(unnamed), str(caught.value)]
        if key == "A_KEY":
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await get_config(b"", metadata=md, timeout=5)
            assert details_of(caught.value).reason == "PERMISSION_DENIED"
            seen.append(str(caught.value))
        else:
            seen.append(repr(await get_config(b"", metadata=md, timeout=5)))
        served.running.access_log.flush()
        assert_no_key_in(served.log.getvalue(), *seen)


def test_tenant_configuration_errors_name_the_field() -> None:
    bad = """
auth:
  api_keys:
    - {id: a, tenant: team-a, roles: [invoke], key_env: A_KEY}
    - {id: b, tenant: team-bb, roles: [invoke], key_env: B_KEY}
    - {id: c, tenant: team-a, roles: [invoke], client_cert_subject: "CN=billing"}
tenants:
  team-a: {models: [cheap, bestt]}
  team-b: {}
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(bad + MODELS, "<t>", env=KEYS)
    problems = "\n".join(caught.value.problems)
    assert "tenants.team-a.models[1]: unknown model 'bestt'; did you mean 'best'?" in problems
    assert "auth.api_keys[1].tenant: 'team-bb' is not under `tenants`; did you mean 'team-b'?" in problems
    assert "client_cert_subject needs mTLS (server.tls.client_ca_file)" in problems
    with pytest.raises(ConfigError) as caught:
        parse_config(
            "auth: {api_keys: [{id: x, tenant: t, roles: [invoke], key_env: A_KEY, "
            'client_cert_subject: "CN=x"}]}\n' + MODELS,
            "<t>",
            env=KEYS,
        )
    assert "exactly one of sha256" in "\n".join(caught.value.problems)


async def test_a_client_certificate_subject_stands_for_a_key(pki: Pki) -> None:
    billing = issue("billing", pki.ca)  # a certificate of the server's client CA
    cert, key, ca = (
        pki.write("s.pem", pki.server.cert),
        pki.write("s.key", pki.server.key),
        pki.write("ca.pem", pki.ca.cert),
    )
    tls = f"server: {{tls: {{cert_file: {cert}, key_file: {key}, client_ca_file: {ca}}}}}\n"
    keys = """
auth:
  api_keys:
    - {id: billing-cert, tenant: team-a, roles: [invoke], client_cert_subject: "CN=billing"}
    - {id: b-prod, tenant: team-b, roles: [invoke], key_env: B_KEY}
tenants:
  team-a: {models: [cheap]}
  team-b: {}
"""
    config = parse_config(tls + keys + MODELS, "<t>", env=KEYS)
    async with serving(config) as served:

        async def select(cert: object, md: tuple[tuple[str, str], ...] = ()) -> pb.Decision:
            assert cert is billing or cert is pki.client
            credentials = grpc.ssl_channel_credentials(pki.ca.cert, cert.key, cert.cert)  # type: ignore[attr-defined]
            async with grpc.aio.secure_channel(served.address, credentials) as channel:
                stub = pb_grpc.RouterServiceStub(channel)
                return (await stub.Select(pb.SelectRequest(), metadata=md, timeout=5)).decision

        # The certificate alone: team-a's caller, so its allow-list applies.
        assert (await select(billing)).model == "cheap"
        # A certificate of the right CA with another subject stands for no one.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await select(pki.client)
        assert details_of(caught.value).reason == "UNAUTHENTICATED"
        # A bearer key, when sent, is the caller (team-b: both models), and a wrong
        # one is refused even with a good certificate.
        assert (await select(billing, bearer("B_KEY"))).model == "best"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await select(billing, (("authorization", "Bearer sk-nobody"),))
        assert details_of(caught.value).reason == "UNAUTHENTICATED"


async def test_concurrent_callers_of_two_tenants_each_get_their_own_answers() -> None:
    """The caller travels with each call: interleaved calls of two tenants on one
    channel never see each other's rules."""
    async with serving(parse_config(config(), "<t>", env=KEYS)) as served:
        stub = served.stub

        async def one(i: int) -> tuple[str, str]:
            key = "A_KEY" if i % 2 else "B_KEY"
            reply = await stub.Invoke(pb.InvokeRequest(messages=USER), metadata=bearer(key), timeout=10)
            return key, reply.model

        results = await asyncio.gather(*(one(i) for i in range(200)))
        assert {model for key, model in results if key == "A_KEY"} == {"cheap"}
        assert {model for key, model in results if key == "B_KEY"} == {"best"}
        served.running.access_log.flush()
        assert_no_key_in(served.log.getvalue())


@pytest.mark.parametrize(("address", "warned"), [("127.0.0.1:0", False), ("0.0.0.0:0", True)])
async def test_metrics_beyond_loopback_with_keys_warn(address: str, warned: bool) -> None:
    """The metrics endpoint asks for no key: served beyond loopback on a server
    with keys, the start says so."""
    text = f"metrics: {{address: '{address}'}}\n" + config()
    async with serving(parse_config(text, "<t>", env=KEYS)) as served:
        logged = served.log.getvalue()
    assert ("metrics served beyond this machine" in logged) is warned


async def test_refused_callers_are_logged_and_counted_like_any_call() -> None:
    """An unknown key is refused before any handler, and still leaves its access
    log line and its count (an operator looks there first for a key that
    stopped working)."""
    async with serving(parse_config(config(), "<t>", env=KEYS)) as served:
        with pytest.raises(grpc.aio.AioRpcError):
            await served.stub.Select(
                pb.SelectRequest(), metadata=(("authorization", "Bearer nope"),), timeout=5
            )
        served.running.access_log.flush()
        lines = [json.loads(line) for line in served.log.getvalue().splitlines()]
    refused = [line for line in lines if line.get("outcome") == "UNAUTHENTICATED"]
    assert [(line["rpc"], line["reason"], line["tenant"], line["key"]) for line in refused] == [
        ("Select", "UNAUTHENTICATED", "", "")
    ]
    assert served.running.access_log.calls[("Select", "UNAUTHENTICATED", "UNAUTHENTICATED", "")] == 1
    assert_no_key_in(served.log.getvalue())
