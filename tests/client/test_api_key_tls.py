"""The Python client's `api_key` and TLS options against a real server with
`server.tls` (and `client_ca_file` for mTLS) and `auth.api_keys`: the right key
works over TLS and mTLS, sync and async, unary and streamed; no key or a wrong
one raises UnauthenticatedError; the key is never sent in plaintext to a
non-local target, and never appears in an error message or a repr.

The server runs in process, so the sync client runs in a worker thread
(asyncio.to_thread) while the event loop serves."""

from __future__ import annotations

import asyncio
import hashlib

import grpc
import pytest

from modelrouter.config.load import RouterConfig, parse_config
from modelrouter_client import (
    AsyncRouter,
    Router,
    RouterError,
    UnauthenticatedError,
    UnavailableError,
)
from tests.pki import Pki
from tests.support import serving

KEY = "sk-client-PLANTED-5d0c21e7"
WRONG_KEY = "sk-client-WRONG-PLANTED-90ab"
MODELS = """
models:
  - {id: m, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5},
     simulate: {ttft_ms: 0, tokens_per_s: 100000}}
"""


def secured(pki: Pki, *, tls: bool = True, mtls: bool = False) -> RouterConfig:
    """TLS (mTLS: a client certificate the test CA signed) and one key: by its digest,
    or under mTLS by the variable holding it (both forms a server accepts)."""
    server = ""
    if tls:
        cert, key = pki.write("server.pem", pki.server.cert), pki.write("server.key", pki.server.key)
        ca = f", client_ca_file: {pki.write('ca.pem', pki.ca.cert)}" if mtls else ""
        server = f"server: {{tls: {{cert_file: {cert}, key_file: {key}{ca}}}}}\n"
    source = "key_env: CLIENT_TEST_KEY" if mtls else f"sha256: {hashlib.sha256(KEY.encode()).hexdigest()}"
    auth = f"auth: {{api_keys: [{{id: client-test, tenant: team-a, roles: [invoke], {source}}}]}}\n"
    return parse_config(server + auth + MODELS, "<test>", env={"CLIENT_TEST_KEY": KEY})


def no_secret(*texts: str) -> None:
    for text in texts:
        assert KEY not in text and WRONG_KEY not in text, text


def shown(err: RouterError) -> list[str]:
    """Everything a traceback or a log line could show of a failed call."""
    cause = err.__cause__
    return [str(err), repr(err), err.message, str(cause), repr(cause), repr(err.metadata)]


async def test_the_right_key_over_tls_works(pki: Pki) -> None:
    async with serving(secured(pki)) as served:
        trusting = AsyncRouter(served.address, root_certificates=pki.ca.cert, api_key=KEY, timeout=5)
        async with trusting as router:
            assert (await router.list_models()).ids == ("m",)
            assert (await router.select()).model == "m"
            assert (await router.invoke("hi", model="m")).text
            assert (await router.invoke_stream("hi", model="m").result()).model == "m"
            no_secret(repr(router), repr(vars(router)))

        def sync_calls() -> tuple[tuple[str, ...], str]:
            with Router(served.address, root_certificates=pki.ca.cert, api_key=KEY, timeout=5) as router:
                no_secret(repr(router), repr(vars(router)))
                return router.list_models().ids, router.invoke_stream("hi", model="m").result().model

        assert await asyncio.to_thread(sync_calls) == (("m",), "m")


async def test_no_key_or_a_wrong_key_is_unauthenticated(pki: Pki) -> None:
    refused: list[RouterError] = []
    async with serving(secured(pki)) as served:
        for api_key in (None, WRONG_KEY):
            async with AsyncRouter(
                served.address, root_certificates=pki.ca.cert, api_key=api_key, timeout=5
            ) as router:
                with pytest.raises(UnauthenticatedError) as listing:
                    await router.list_models()
                with pytest.raises(UnauthenticatedError) as invoking:
                    await router.invoke("hi", model="m")
                with pytest.raises(UnauthenticatedError) as streaming:
                    await router.invoke_stream("hi", model="m").result()
                refused += [listing.value, invoking.value, streaming.value]
                no_secret(repr(router), repr(vars(router)))

            def sync_call(api_key: str | None = api_key) -> RouterError:
                with Router(served.address, root_certificates=pki.ca.cert, api_key=api_key, timeout=5) as r:
                    with pytest.raises(UnauthenticatedError) as caught:
                        r.select()
                    return caught.value

            refused.append(await asyncio.to_thread(sync_call))
        no_secret(served.log.getvalue())
    for err in refused:
        assert (err.code, err.reason, err.domain) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "UNAUTHENTICATED",
            "modelrouter.v1",
        )
        assert "authorization: Bearer" in err.message  # the server says what it wants
        no_secret(*shown(err))


def mutual(pki: Pki, address: str, api_key: str | None) -> AsyncRouter:
    """A client presenting the client certificate the test CA signed."""
    return AsyncRouter(
        address,
        root_certificates=pki.ca.cert,
        private_key=pki.client.key,
        certificate_chain=pki.client.cert,
        api_key=api_key,
        timeout=5,
    )


async def test_a_key_over_mtls_works(pki: Pki) -> None:
    async with serving(secured(pki, mtls=True)) as served:
        async with mutual(pki, served.address, KEY) as router:
            assert (await router.invoke_stream("hi", model="m").result()).model == "m"
        # The certificate is not a key here: without the key the call is refused.
        async with mutual(pki, served.address, None) as router:
            with pytest.raises(UnauthenticatedError) as caught:
                await router.list_models()
            no_secret(*shown(caught.value))
        # Nor is the key a certificate: without one the handshake fails.
        async with AsyncRouter(
            served.address, root_certificates=pki.ca.cert, api_key=KEY, timeout=5, retries=False
        ) as router:
            with pytest.raises(UnavailableError) as handshake:
                await router.list_models()
            no_secret(*shown(handshake.value))


async def test_a_key_reaches_a_local_plaintext_server(pki: Pki) -> None:
    # gRPC sends call credentials only over a secure channel; to a loopback address
    # the client uses gRPC's local credentials, which count as one.
    async with (
        serving(secured(pki, tls=False)) as served,
        AsyncRouter(served.address, api_key=KEY, timeout=5) as router,
    ):
        assert (await router.list_models()).ids == ("m",)


async def test_no_key_in_plaintext_to_a_remote_target() -> None:
    for client in (Router, AsyncRouter):
        with pytest.raises(ValueError, match="api_key is sent only over TLS") as caught:
            client("router.example.com:443", tls=False, api_key=KEY)
        no_secret(str(caught.value))
        assert "'router.example.com:443' is not local" in str(caught.value)
    # With TLS (the default for a remote target) nothing is refused up front.
    Router("router.example.com:443", api_key=KEY).close()


def test_a_key_is_checked_without_being_repeated() -> None:
    for bad in ("", f" {KEY}", f"{KEY}\n", f"{KEY}é"):
        with pytest.raises(ValueError, match="api_key") as caught:
            Router("127.0.0.1:1", api_key=bad)
        no_secret(str(caught.value))
    with pytest.raises(TypeError, match="expected a str, got bytes"):
        Router("127.0.0.1:1", api_key=KEY.encode())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pass one"):
        Router("127.0.0.1:1", api_key=KEY, call_credentials=grpc.access_token_call_credentials("t"))
