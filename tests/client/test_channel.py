"""The channel the clients open: retry policy (service config), keepalive, TLS and
credentials.

Retries and TLS need a server that fails on purpose or speaks TLS, which the
modelrouter server does not: those run against a scripted gRPC server
(scripted_server.py). Call credentials over a local channel also run against the real
server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from modelrouter_client import (
    AsyncRouter,
    Keepalive,
    RetryPolicy,
    Router,
    UnauthenticatedError,
    UnavailableError,
)
from modelrouter_client._channel import (
    USER_AGENT,
    channel_credentials,
    channel_options,
    is_local_target,
)
from tests.client.scripted_server import (
    Certificate,
    ScriptedServer,
    scripted_server,
    self_signed_certificate,
)

# -- channel arguments ---------------------------------------------------------------------------


def service_config(options: list[tuple[str, Any]]) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(dict(options)["grpc.service_config"])
    return config


def test_default_options_retry_only_the_idempotent_methods() -> None:
    options = channel_options(True, True, None)
    named = dict(options)
    assert named["grpc.enable_retries"] == 1
    assert named["grpc.primary_user_agent"] == USER_AGENT
    config = service_config(options)
    [method_config] = config["methodConfig"]
    names = {(n["service"], n["method"]) for n in method_config["name"]}
    assert names == {
        ("modelrouter.v1.RouterService", "Select"),
        ("modelrouter.v1.RouterService", "Stats"),
        ("modelrouter.v1.RouterService", "ListModels"),
    }
    assert method_config["retryPolicy"] == {
        "maxAttempts": 4,
        "initialBackoff": "0.1s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2.0,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    assert config["retryThrottling"] == {"maxTokens": 10, "tokenRatio": 0.1}
    assert named["grpc.keepalive_time_ms"] == 60_000
    assert named["grpc.keepalive_timeout_ms"] == 20_000
    assert named["grpc.keepalive_permit_without_calls"] == 0


def test_custom_policy_no_retries_no_keepalive_and_caller_options() -> None:
    policy = RetryPolicy(
        max_attempts=5,
        initial_backoff_s=0.25,
        max_backoff_s=1.5,
        backoff_multiplier=3,
        retryable_status_codes=(grpc.StatusCode.UNAVAILABLE, "resource_exhausted"),
        throttle_max_tokens=0,
    )
    config = service_config(channel_options(policy, Keepalive(time_s=30, timeout_s=5), None))
    retry = config["methodConfig"][0]["retryPolicy"]
    assert (retry["maxAttempts"], retry["initialBackoff"], retry["maxBackoff"]) == (5, "0.25s", "1.5s")
    assert retry["retryableStatusCodes"] == ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]
    assert "retryThrottling" not in config

    off = dict(channel_options(False, False, None))
    assert off["grpc.enable_retries"] == 0
    assert "grpc.service_config" not in off
    assert not any(k.startswith("grpc.keepalive") for k in off)

    # The caller's options win, key by key.
    mine = dict(channel_options(True, True, [("grpc.keepalive_time_ms", 1234), ("grpc.lb_policy_name", "x")]))
    assert (mine["grpc.keepalive_time_ms"], mine["grpc.lb_policy_name"]) == (1234, "x")
    with pytest.raises(TypeError):
        channel_options(True, True, [("just-a-name",)])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 1},
        {"initial_backoff_s": 0},
        {"backoff_multiplier": -1},
        {"retryable_status_codes": ()},
        {"retryable_status_codes": ("NOT_A_CODE",)},
        {"retryable_status_codes": ("OK",)},
    ],
)
def test_retry_policy_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_keepalive_validation() -> None:
    with pytest.raises(ValueError):
        Keepalive(time_s=0)


# -- retries, against a server that fails on purpose --------------------------------------------


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        yield server


def test_idempotent_calls_are_retried_on_unavailable(scripted: ScriptedServer) -> None:
    scripted.fail = {"Select": 2, "Stats": 1, "ListModels": 1}
    with Router(scripted.address) as router:
        assert router.select().model == "m1"
        assert router.stats().models[0].model == "m1"
        assert router.list_models().ids == ("m1",)
    assert (scripted.count("Select"), scripted.count("Stats"), scripted.count("ListModels")) == (3, 2, 2)


def test_up_to_four_attempts_and_then_throttled(scripted: ScriptedServer) -> None:
    scripted.fail = {"ListModels": 3, "Select": 10}
    with Router(scripted.address) as router:
        assert router.list_models().ids == ("m1",)  # the 4th attempt succeeds
        # Each failure costs a retry token (10 to start with); at half of them left,
        # the channel stops retrying rather than adding to a failing server's load.
        with pytest.raises(UnavailableError):
            router.select()
    assert scripted.count("ListModels") == 4
    # 10 tokens - 3 failures + 0.1 for the success = 7.1; then 6.1 and 5.1 still allow a
    # retry, 4.1 does not.
    assert scripted.count("Select") == 3


def test_invoke_is_never_retried(scripted: ScriptedServer) -> None:
    scripted.fail = {"Invoke": 1, "InvokeStream": 1}
    with Router(scripted.address) as router:
        with pytest.raises(UnavailableError):
            router.invoke("hi")
        with pytest.raises(UnavailableError):
            router.invoke_stream("hi").result()
        # The next ones succeed: the failure was the server's answer, not a broken channel.
        assert router.invoke("hi").text == "hi"
        assert router.invoke_stream("hi").result().text == "hi"
    assert (scripted.count("Invoke"), scripted.count("InvokeStream")) == (2, 2)


def test_other_codes_are_not_retried(scripted: ScriptedServer) -> None:
    scripted.fail, scripted.fail_code = {"Select": 1}, grpc.StatusCode.INTERNAL
    with Router(scripted.address) as router, pytest.raises(Exception, match="INTERNAL"):
        router.select()
    assert scripted.count("Select") == 1


def test_retries_off(scripted: ScriptedServer) -> None:
    scripted.fail = {"Select": 1}
    with Router(scripted.address, retries=False) as router:
        with pytest.raises(UnavailableError):
            router.select()
        assert router.select().model == "m1"
    assert scripted.count("Select") == 2


def test_custom_policy_bounds_the_attempts(scripted: ScriptedServer) -> None:
    scripted.fail = {"ListModels": 5}
    policy = RetryPolicy(max_attempts=2, initial_backoff_s=0.01)
    with Router(scripted.address, retries=policy) as router, pytest.raises(UnavailableError):
        router.list_models()
    assert scripted.count("ListModels") == 2


async def test_async_client_retries_too(scripted: ScriptedServer) -> None:
    scripted.fail = {"Select": 2, "Invoke": 1}
    async with AsyncRouter(scripted.address) as router:
        assert (await router.select()).model == "m1"
        with pytest.raises(UnavailableError):
            await router.invoke("hi")
    assert (scripted.count("Select"), scripted.count("Invoke")) == (3, 1)


def test_keepalive_options_reach_a_working_channel(scripted: ScriptedServer) -> None:
    with Router(
        scripted.address, keepalive=Keepalive(time_s=10, timeout_s=5, permit_without_calls=True)
    ) as r:
        assert r.list_models().ids == ("m1",)


# -- security ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("127.0.0.1:50051", True),
        ("127.3.4.5:1", True),
        ("localhost:50051", True),
        ("localhost", True),
        ("api.localhost:443", True),
        ("[::1]:50051", True),
        ("::1", True),
        ("ipv4:127.0.0.1:50051", True),
        ("ipv6:[::1]:50051", True),
        ("dns:localhost:50051", True),
        ("dns:///localhost:50051", True),
        ("dns://8.8.8.8/localhost:50051", True),
        ("unix:/run/modelrouter.sock", True),
        ("0.0.0.0:50051", True),
        ("[::]:50051", True),
        ("unix-abstract:modelrouter", True),
        ("router.example.com:443", False),
        ("10.0.0.7:50051", False),
        ("[2001:db8::1]:50051", False),
        ("dns:///router.example.com:443", False),
        ("ipv4:192.168.1.2:50051", False),
        ("localhost.example.com:1", False),
    ],
)
def test_local_targets(target: str, local: bool) -> None:
    assert is_local_target(target) is local


def test_credentials_choice() -> None:
    tokens = grpc.access_token_call_credentials("t")
    assert channel_credentials("127.0.0.1:1", None, None, None, None, None) is None  # local: plaintext
    assert channel_credentials("127.0.0.1:1", False, None, None, None, None) is None
    remote = channel_credentials("router.example.com:443", None, None, None, None, None)
    assert isinstance(remote, grpc.ChannelCredentials)  # remote: TLS by default
    assert isinstance(
        channel_credentials("127.0.0.1:1", None, b"PEM", None, None, None), grpc.ChannelCredentials
    )
    own = grpc.ssl_channel_credentials()
    assert channel_credentials("x:1", own, None, None, None, None) is own
    # Call credentials on a local plaintext target: local credentials carry them.
    assert isinstance(
        channel_credentials("localhost:1", None, None, None, None, tokens), grpc.ChannelCredentials
    )
    with pytest.raises(ValueError, match="not local"):
        channel_credentials("router.example.com:443", False, None, None, None, tokens)
    with pytest.raises(ValueError, match="need TLS"):
        channel_credentials("x:1", False, b"PEM", None, None, None)
    with pytest.raises(ValueError, match="go together"):
        channel_credentials("x:1", True, None, b"KEY", None, None)
    with pytest.raises(ValueError, match="ChannelCredentials"):
        channel_credentials("x:1", own, b"PEM", None, None, None)


def test_channel_passed_in_excludes_channel_settings() -> None:
    channel = grpc.insecure_channel("127.0.0.1:1")
    try:
        with pytest.raises(ValueError, match="tls"):
            Router(channel=channel, tls=True)
        with pytest.raises(ValueError, match="options"):
            Router(channel=channel, options=[("grpc.x", 1)])
    finally:
        channel.close()


class Headers(grpc.AuthMetadataPlugin):
    """Call credentials that add one header."""

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        callback((("x-api-key", "k-123"),), None)


def test_call_credentials_on_a_local_plaintext_server_real(address: str) -> None:
    # The real server: gRPC refuses to send call credentials over plaintext, so the
    # client uses local credentials for a local target; the calls go through.
    credentials = grpc.metadata_call_credentials(Headers())
    with Router(address, call_credentials=credentials) as router:
        assert len(router.list_models()) == 9


def test_call_credentials_and_metadata_arrive(scripted: ScriptedServer) -> None:
    credentials = grpc.metadata_call_credentials(Headers())
    with Router(scripted.address, call_credentials=credentials, metadata=[("x-tenant", "t1")]) as router:
        router.select(metadata=[("x-request", "r1")])
        router.invoke_stream("hi").result()
    for call in scripted.calls:
        assert call.metadata["x-api-key"] == "k-123"
        assert call.metadata["x-tenant"] == "t1"
        assert call.metadata["user-agent"].startswith(USER_AGENT)
    assert scripted.calls[0].metadata["x-request"] == "r1"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def tls_server(certificate: Certificate) -> Iterator[ScriptedServer]:
    credentials = grpc.ssl_server_credentials([(certificate.key, certificate.cert)])
    with scripted_server(credentials) as server:
        yield server


def test_tls_with_a_private_ca(tls_server: ScriptedServer, certificate: Certificate) -> None:
    token = grpc.access_token_call_credentials("s3cret")
    # root_certificates alone implies TLS, even to a local address.
    with Router(tls_server.address, root_certificates=certificate.cert, call_credentials=token) as router:
        assert router.list_models().ids == ("m1",)
        assert router.invoke_stream("hi").result().text == "hi"
    assert all(c.metadata["authorization"] == "Bearer s3cret" for c in tls_server.calls)


async def test_tls_async(tls_server: ScriptedServer, certificate: Certificate) -> None:
    credentials = grpc.ssl_channel_credentials(certificate.cert)
    async with AsyncRouter(tls_server.address, tls=credentials) as router:
        assert (await router.select()).model == "m1"


def test_tls_failures(tls_server: ScriptedServer) -> None:
    # Plaintext to a TLS port, and TLS with the system's roots to a self-signed server.
    for tls in (False, True):
        router = Router(tls_server.address, tls=tls, timeout=3, retries=False)
        with router, pytest.raises(UnavailableError):
            router.list_models()
    assert tls_server.calls == []


def test_mutual_tls(certificate: Certificate) -> None:
    server_credentials = grpc.ssl_server_credentials(
        [(certificate.key, certificate.cert)], root_certificates=certificate.cert, require_client_auth=True
    )
    with scripted_server(server_credentials) as server:
        with Router(
            server.address,
            root_certificates=certificate.cert,
            private_key=certificate.key,
            certificate_chain=certificate.cert,
        ) as router:
            assert router.list_models().ids == ("m1",)
        with (
            Router(server.address, root_certificates=certificate.cert, timeout=3, retries=False) as anonymous,
            pytest.raises((UnavailableError, UnauthenticatedError)),
        ):
            anonymous.list_models()
