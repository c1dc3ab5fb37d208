"""Certificates made in the test (the `cryptography` package): a CA, a server
certificate for localhost and 127.0.0.1, a client certificate the CA signed, and
one signed by another CA. Shared by the TLS tests, the client examples' live tests
and the bench's TLS runs."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Issued:
    cert: bytes
    key: bytes


def issue(subject: str, issuer: Issued | None, *, ca: bool = False, server: bool = False) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    if issuer is None:
        issuer_name, signer = name, key
    else:
        issuer_name = x509.load_pem_x509_certificate(issuer.cert).subject
        signer = serialization.load_pem_private_key(issuer.key, None)  # type: ignore[assignment]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    cert = builder.sign(signer, hashes.SHA256())
    return Issued(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


@dataclass(frozen=True)
class Pki:
    ca: Issued
    server: Issued
    client: Issued
    rogue_client: Issued
    dir: Path

    def write(self, name: str, data: bytes) -> str:
        path = self.dir / name
        path.write_bytes(data)
        return str(path)


def make_pki(directory: Path) -> Pki:
    """A fresh CA with its server and client certificates, written under `directory` on demand."""
    ca = issue("modelrouter test CA", None, ca=True)
    rogue_ca = issue("someone else's CA", None, ca=True)
    return Pki(
        ca,
        issue("localhost", ca, server=True),
        issue("team-a client", ca),
        issue("team-a client", rogue_ca),
        directory,
    )
