"""How a bench client reaches a router: plain h2c, with an API key on every call, or over TLS
with the key. The keys and the certificates are made for the run (``make_secrets``) and are
worthless after it, which is why a key may appear on h2load's command line.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import grpc

from tests.pki import make_pki

KEY_ENV = "BENCH_API_KEY"  # how a client process (bench.invoke_client) is given the key


@dataclass(frozen=True)
class Access:
    """What a client sends: ``key`` in ``authorization: Bearer`` on every call when set; TLS,
    trusting ``ca_file`` (the CA that signed the server's certificate), when that is set."""

    name: str
    key: str | None = None
    ca_file: Path | None = None

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.key}"),) if self.key else ()

    @property
    def scheme(self) -> str:
        return "https" if self.ca_file else "http"

    def _credentials(self) -> grpc.ChannelCredentials:
        assert self.ca_file is not None
        return grpc.ssl_channel_credentials(self.ca_file.read_bytes())

    def channel(self, address: str) -> grpc.Channel:
        if self.ca_file is None:
            return grpc.insecure_channel(address)
        return grpc.secure_channel(address, self._credentials())

    def aio_channel(self, address: str) -> grpc.aio.Channel:
        if self.ca_file is None:
            return grpc.aio.insecure_channel(address)
        return grpc.aio.secure_channel(address, self._credentials())


PLAIN = Access("plain")


@dataclass(frozen=True)
class Secrets:
    """Two API keys: ``key`` for the load (role invoke, what a client holds) and ``admin_key`` for
    the harness's Stats calls (an admin sees every tenant's figures, selections included); and a
    server certificate for 127.0.0.1 with its key and the CA that signed it, as files."""

    key: str
    admin_key: str
    cert_file: Path
    key_file: Path
    ca_file: Path


def make_secrets(directory: Path) -> Secrets:
    """A fresh key and certificates (tests/pki.py, the `cryptography` package) under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    pki = make_pki(directory)
    return Secrets(
        key=secrets.token_urlsafe(32),
        admin_key=secrets.token_urlsafe(32),
        cert_file=Path(pki.write("server.pem", pki.server.cert)),
        key_file=Path(pki.write("server-key.pem", pki.server.key)),
        ca_file=Path(pki.write("ca.pem", pki.ca.cert)),
    )


def sha256(key: str) -> str:
    """What the server's configuration holds of a key (``auth.api_keys[].sha256``)."""
    return hashlib.sha256(key.encode()).hexdigest()
