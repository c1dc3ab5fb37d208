"""TLS and mTLS on the gRPC API (`server.tls`), with certificates made in the test:
TLS only (no plaintext beside it), and with `client_ca_file` a client certificate
signed by that CA required in the handshake."""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509

from modelrouter.api.tls import ReloadingCredentials
from modelrouter.config.load import ConfigError, parse_config
from modelrouter.config.schema import TlsConfig
from modelrouter.logs import make_logging
from modelrouter.server import ListenError
from modelrouter_client import AsyncRouter
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.pki import Issued, Pki, issue
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


# -- certificates re-read when their files change ---------------------------------
#
# The server looks at the files at most once a second, at a handshake: the tests
# make new connections until the change shows (bounded), then assert where it
# ended. A second CA signs the replacement, so which set answers is plain.


@pytest.fixture(scope="module")
def second_ca() -> Issued:
    return issue("second test CA", None, ca=True)


def replace(path: Path, data: bytes) -> None:
    """As a renewal does: the new file is written beside the old, then renamed over it."""
    new = path.with_name(path.name + ".new")
    new.write_bytes(data)
    os.replace(new, path)


def serve_files(tmp_path: Path, cert: bytes, key: bytes, client_ca: bytes | None = None) -> str:
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    ca = ""
    if client_ca is not None:
        (tmp_path / "ca.pem").write_bytes(client_ca)
        ca = f", client_ca_file: {tmp_path / 'ca.pem'}"
    return (
        f"server: {{tls: {{cert_file: {tmp_path / 'cert.pem'}, key_file: {tmp_path / 'key.pem'}{ca}}}}}\n"
        + MODELS
    )


async def reaches(address: str, credentials: grpc.ChannelCredentials) -> bool:
    """Whether a new connection with these credentials gets an answer."""
    try:
        await list_models(address, credentials)
    except grpc.aio.AioRpcError as err:
        assert err.code() == grpc.StatusCode.UNAVAILABLE, err
        return False
    return True


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + 10
    while not await check():
        assert time.monotonic() < deadline, f"not within 10 s: {what}"
        await asyncio.sleep(0.05)


def events(log: io.StringIO, level: str) -> list[dict[str, Any]]:
    lines = (json.loads(line) for line in log.getvalue().splitlines() if line.startswith("{"))
    return [e for e in lines if e.get("level") == level and e["event"].startswith("TLS certificates")]


async def test_replaced_certificates_serve_new_connections(
    pki: Pki, second_ca: Issued, tmp_path: Path
) -> None:
    renewed = issue("localhost", second_ca, server=True)
    first, second = grpc.ssl_channel_credentials(pki.ca.cert), grpc.ssl_channel_credentials(second_ca.cert)
    async with serving(serve_files(tmp_path, pki.server.cert, pki.server.key)) as served:
        async with grpc.aio.secure_channel(served.address, first) as kept:
            stub = pb_grpc.RouterServiceStub(kept)
            await stub.ListModels(pb.ListModelsRequest(), timeout=5)
            assert not await reaches(served.address, second)

            replace(tmp_path / "cert.pem", renewed.cert)
            replace(tmp_path / "key.pem", renewed.key)
            await eventually(lambda: reaches(served.address, second), "a client of the second CA gets in")
            assert not await reaches(served.address, first)
            # A connection made before keeps its session until it reconnects.
            await stub.ListModels(pb.ListModelsRequest(), timeout=5)
        [reloaded] = events(served.log, "info")
        assert reloaded["subject"] == "CN=localhost"
        expires = x509.load_pem_x509_certificate(renewed.cert).not_valid_after_utc
        assert datetime.datetime.fromisoformat(reloaded["expires"]) == expires
        assert events(served.log, "warning") == []


async def test_a_bad_replacement_is_refused_and_the_last_good_pair_served(
    pki: Pki, second_ca: Issued, tmp_path: Path
) -> None:
    renewed = issue("localhost", second_ca, server=True)
    first, second = grpc.ssl_channel_credentials(pki.ca.cert), grpc.ssl_channel_credentials(second_ca.cert)
    garbage = b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0IHNlY3JldCBzZWNyZXQ=\n-----END PRIVATE KEY-----\n"
    async with serving(serve_files(tmp_path, pki.server.cert, pki.server.key)) as served:

        def refused(count: int) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                assert await reaches(served.address, first)  # the first pair, all along
                return len(events(served.log, "warning")) >= count

            return check

        # One file at a time, each seen before the next, so each is one change.
        replace(tmp_path / "key.pem", garbage)
        await eventually(refused(1), "the unreadable key is refused")
        replace(tmp_path / "key.pem", renewed.key)  # the new key, still beside the old certificate
        await eventually(refused(2), "the key of another certificate is refused")
        assert not await reaches(served.address, second)

        replace(tmp_path / "cert.pem", renewed.cert)
        await eventually(lambda: reaches(served.address, second), "the good pair is served once whole")
        assert not await reaches(served.address, first)

        assert [(w["field"], w["reason"]) for w in events(served.log, "warning")] == [
            ("server.tls.key_file", "not an unencrypted PEM private key"),
            ("server.tls.key_file", "does not match the certificate in cert_file"),
        ]
        assert len(events(served.log, "info")) == 1
        for key in (garbage, pki.server.key, renewed.key):
            body = key.splitlines()[1].decode()
            assert body not in served.log.getvalue()


async def test_a_replaced_client_ca_admits_only_the_clients_it_signed(
    pki: Pki, second_ca: Issued, tmp_path: Path
) -> None:
    newcomer = issue("team-b client", second_ca)
    old = grpc.ssl_channel_credentials(pki.ca.cert, pki.client.key, pki.client.cert)
    new = grpc.ssl_channel_credentials(pki.ca.cert, newcomer.key, newcomer.cert)
    async with serving(serve_files(tmp_path, pki.server.cert, pki.server.key, pki.ca.cert)) as served:
        assert await reaches(served.address, old)
        assert not await reaches(served.address, new)
        (tmp_path / "ca.pem").write_bytes(second_ca.cert)  # rewritten in place this time
        await eventually(lambda: reaches(served.address, new), "a client the new CA signed gets in")
        assert not await reaches(served.address, old)


async def test_a_bad_pair_at_start_stops_the_server(pki: Pki, second_ca: Issued, tmp_path: Path) -> None:
    other = issue("localhost", second_ca, server=True)
    with pytest.raises(ListenError) as caught:
        async with serving(serve_files(tmp_path, pki.server.cert, other.key)):
            pass
    assert "server.tls.key_file" in str(caught.value)
    assert "does not match the certificate in cert_file" in str(caught.value)


# -- the check itself, without a server (ReloadingCredentials.fetch, as gRPC calls it)


def tls_files(tmp_path: Path, pki: Pki) -> TlsConfig:
    (tmp_path / "cert.pem").write_bytes(pki.server.cert)
    (tmp_path / "key.pem").write_bytes(pki.server.key)
    return TlsConfig(cert_file=str(tmp_path / "cert.pem"), key_file=str(tmp_path / "key.pem"))


def test_the_files_are_looked_at_once_per_interval(pki: Pki, second_ca: Issued, tmp_path: Path) -> None:
    now = [0.0]
    log = io.StringIO()
    reloading = ReloadingCredentials(tls_files(tmp_path, pki), make_logging(log).log, clock=lambda: now[0])
    renewed = issue("localhost", second_ca, server=True)
    replace(tmp_path / "cert.pem", renewed.cert)
    replace(tmp_path / "key.pem", renewed.key)
    now[0] = 0.5
    assert reloading.fetch() is None  # within the interval: not looked at
    now[0] = 1.0
    assert isinstance(reloading.fetch(), grpc.ServerCertificateConfiguration)
    now[0] = 2.5
    assert reloading.fetch() is None  # looked at, unchanged
    os.utime(tmp_path / "cert.pem", ns=(0, 0))
    now[0] = 4.0
    assert reloading.fetch() is None  # changed on disk, same content: nothing to reload
    assert len(events(log, "info")) == 1


def test_a_refused_set_warns_once_per_change(pki: Pki, second_ca: Issued, tmp_path: Path) -> None:
    log = io.StringIO()
    tls = tls_files(tmp_path, pki)
    reloading = ReloadingCredentials(tls, make_logging(log).log, check_interval_s=0)
    renewed = issue("localhost", second_ca, server=True)
    cut_short = renewed.cert + second_ca.cert[: len(second_ca.cert) // 2]  # a chain caught mid-write
    steps = [
        ("cert.pem", cut_short, "server.tls.cert_file", "a certificate in it is cut short"),
        ("cert.pem", b"not PEM at all", "server.tls.cert_file", "not a PEM certificate"),
        ("cert.pem", renewed.cert, "server.tls.key_file", "does not match the certificate in cert_file"),
    ]
    for name, data, field, reason in steps:
        replace(tmp_path / name, data)
        for _ in range(3):  # handshakes after the change: one warning for it
            assert reloading.fetch() is None
        assert (events(log, "warning")[-1]["field"], events(log, "warning")[-1]["reason"]) == (field, reason)
    (tmp_path / "key.pem").unlink()
    assert reloading.fetch() is None
    assert events(log, "warning")[-1]["reason"] == "cannot read: No such file or directory"
    assert len(events(log, "warning")) == 4

    replace(tmp_path / "key.pem", renewed.key)
    assert isinstance(reloading.fetch(), grpc.ServerCertificateConfiguration)
    assert reloading.fetch() is None
    assert len(events(log, "info")) == 1
    assert len(events(log, "warning")) == 4
