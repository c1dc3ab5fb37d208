"""TLS and mTLS on the gRPC API (`server.tls`), with certificates made in the test:
TLS only (no plaintext beside it), and with `client_ca_file` a client certificate
signed by that CA required in the handshake."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import grpc
import pytest

from modelrouter.config.load import ConfigError, parse_config
from modelrouter_client import AsyncRouter
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.pki import Pki
from tests.support import serving

MODELS = """
models:
  - {id: m, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5}}
"""


def tls_config(pki: Pki, mtls: bool) -> str:
    cert, key = pki.write("server.pem", pki.server.cert), pki.write("server.key", pki.server.key)
    ca = f", client_ca_file: {pki.write('ca.pem', pki.ca.cert)}" if mtls else ""
    return f"server: {{tls: {{cert_file: {cert}, key_file: {key}{ca}}}}}\n" + MODELS


async def list_models(address: str, credentials: grpc.ChannelCredentials | None) -> list[str]:
    channel = (
        grpc.aio.secure_channel(address, credentials)
        if credentials is not None
        else grpc.aio.insecure_channel(address)
    )
    async with channel:
        reply = await pb_grpc.RouterServiceStub(channel).ListModels(pb.ListModelsRequest(), timeout=5)
    return [m.id for m in reply.models]


async def test_tls_only(pki: Pki) -> None:
    async with serving(tls_config(pki, mtls=False)) as served:
        assert await list_models(served.address, grpc.ssl_channel_credentials(pki.ca.cert)) == ["m"]
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await list_models(served.address, None)  # no plaintext beside TLS
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        # A client that does not trust the server's CA refuses it.
        with pytest.raises(grpc.aio.AioRpcError):
            await list_models(served.address, grpc.ssl_channel_credentials(pki.rogue_client.cert))


async def test_mtls_wants_a_certificate_its_ca_signed(pki: Pki) -> None:
    async with serving(tls_config(pki, mtls=True)) as served:
        good = grpc.ssl_channel_credentials(pki.ca.cert, pki.client.key, pki.client.cert)
        assert await list_models(served.address, good) == ["m"]
        for credentials in (
            grpc.ssl_channel_credentials(pki.ca.cert),  # no client certificate
            grpc.ssl_channel_credentials(pki.ca.cert, pki.rogue_client.key, pki.rogue_client.cert),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await list_models(served.address, credentials)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


async def _health(*argv: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "modelrouter", "health", *argv, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode().strip()


async def test_the_python_client_and_the_health_command_speak_tls(pki: Pki) -> None:
    async with serving(tls_config(pki, mtls=True)) as served:
        async with AsyncRouter(
            served.address,
            tls=True,
            root_certificates=pki.ca.cert,
            private_key=pki.client.key,
            certificate_chain=pki.client.cert,
            timeout=5,
        ) as router:
            assert [m.id for m in (await router.list_models()).models] == ["m"]
        ca = pki.write("c.pem", pki.ca.cert)
        cert, key = pki.write("cl.pem", pki.client.cert), pki.write("cl.key", pki.client.key)
        address = ("--address", served.address)
        assert await _health(*address, "--ca-file", ca, "--cert-file", cert, "--key-file", key) == (
            0,
            f"{served.address}: SERVING",
        )
        assert (await _health(*address, "--ca-file", ca))[0] == 1  # no client certificate


def test_an_unreadable_certificate_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigError) as caught:
        parse_config(
            f"server: {{tls: {{cert_file: {missing}, key_file: {missing}}}}}\n" + MODELS, "t.yaml", env={}
        )
    assert any(p.startswith("server.tls") and "cert_file: cannot read" in p for p in caught.value.problems), (
        caught.value.problems
    )
