"""The server's TLS credentials (`server.tls`), re-read when their files change.

gRPC asks `ReloadingCredentials.fetch` before each new handshake. At most once
per `check_interval_s` (1 s) it looks at the files' stat (inode, size, mtime),
and reads them only when one changed. A new set replaces the one being served
only when every file parses and the key matches the certificate; anything else
(a half-written file, a key of another certificate, a missing file) is refused
with one warning naming the field, and the last good set keeps being served.
Connections open before a change keep their session until they reconnect."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable

import grpc
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from structlog.typing import FilteringBoundLogger

from modelrouter.config.schema import TlsConfig

CHECK_INTERVAL_S = 1.0

_BEGIN_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"

# A file's identity and version as stat sees it, or None when it cannot be stat'ed.
Stamp = tuple[int, int, int, int] | None


class TlsFilesError(Exception):
    """A set of TLS files that cannot be served; says which field and why, never
    what the file holds."""

    def __init__(self, field: str, path: str, reason: str) -> None:
        super().__init__(f"server.tls.{field} ({path}): {reason}")
        self.field = f"server.tls.{field}"
        self.path = path
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """The contents of the three files (kept out of repr: no key in a traceback),
    and what the log may say of them."""

    cert: bytes = dataclasses.field(repr=False)
    key: bytes = dataclasses.field(repr=False)
    client_ca: bytes | None = dataclasses.field(repr=False)
    subject: str
    expires: str

    def configuration(self) -> grpc.ServerCertificateConfiguration:
        return grpc.ssl_server_certificate_configuration([(self.key, self.cert)], self.client_ca)


def load(tls: TlsConfig) -> TlsFiles:
    """Read and check the files; TlsFilesError when they cannot be served together."""
    cert = _read(tls, "cert_file")
    key = _read(tls, "key_file")
    client_ca = _read(tls, "client_ca_file") if tls.client_ca_file is not None else None
    chain = _certificates(tls, "cert_file", cert)
    try:
        private_key = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # The library's message is not repeated: it could quote the file.
        raise TlsFilesError("key_file", tls.key_file, "not an unencrypted PEM private key") from None
    if _public(private_key.public_key()) != _public(chain[0].public_key()):
        raise TlsFilesError("key_file", tls.key_file, "does not match the certificate in cert_file")
    if client_ca is not None:
        _certificates(tls, "client_ca_file", client_ca)
    return TlsFiles(
        cert,
        key,
        client_ca,
        chain[0].subject.rfc4514_string(),
        chain[0].not_valid_after_utc.isoformat(),
    )


class ReloadingCredentials:
    """Server credentials whose certificates follow their files. `fetch` runs on
    gRPC core's threads, so its state is guarded by a lock and it logs only
    through the (thread-safe) structlog logger."""

    def __init__(
        self,
        tls: TlsConfig,
        log: FilteringBoundLogger,
        check_interval_s: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tls = tls
        self._log = log
        self._interval = check_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = self._stamps()  # taken before reading: a write after it shows as a change
        self._served = load(tls)  # at start, a bad set is an error, not a warning
        self._checked_at = clock()
        self.credentials = grpc.dynamic_ssl_server_credentials(
            self._served.configuration(),
            self.fetch,  # type: ignore[arg-type]  # the stubs omit None, which grpc documents as "no change"
            require_client_authentication=tls.client_ca_file is not None,
        )

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """gRPC's certificate_configuration_fetcher: a new configuration when the
        files changed into a good set, else None (keep the current one)."""
        with self._lock:
            now = self._clock()
            if now - self._checked_at < self._interval:
                return None
            self._checked_at = now
            stamps = self._stamps()
            if stamps == self._seen:
                return None
            self._seen = stamps
            return self._reload()

    def _reload(self) -> grpc.ServerCertificateConfiguration | None:
        try:
            files = load(self._tls)
        except TlsFilesError as err:
            self._log.warning(
                "TLS certificates not reloaded: still serving the previous ones",
                field=err.field,
                path=err.path,
                reason=err.reason,
            )
            return None
        contents = (files.cert, files.key, files.client_ca)
        if contents == (self._served.cert, self._served.key, self._served.client_ca):
            return None  # touched, or put back as it was: nothing to do
        self._served = files
        self._log.info(
            "TLS certificates reloaded",
            subject=files.subject,
            expires=files.expires,
            cert_file=self._tls.cert_file,
        )
        return files.configuration()

    def _stamps(self) -> tuple[Stamp, ...]:
        paths = (self._tls.cert_file, self._tls.key_file, self._tls.client_ca_file)
        return tuple(_stamp(p) for p in paths if p is not None)


def _stamp(path: str) -> Stamp:
    try:
        st = os.stat(path)  # follows symlinks: a swapped Kubernetes Secret volume shows a new inode
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _read(tls: TlsConfig, field: str) -> bytes:
    path: str = getattr(tls, field)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise TlsFilesError(field, path, f"cannot read: {exc.strerror or exc}") from None


def _certificates(tls: TlsConfig, field: str, data: bytes) -> list[x509.Certificate]:
    path: str = getattr(tls, field)
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TlsFilesError(field, path, "not a PEM certificate") from None
    # The parser skips a last block that is cut short: a file caught half-written
    # would lose the end of its chain without an error.
    if len(certificates) != data.count(_BEGIN_CERTIFICATE):
        raise TlsFilesError(field, path, "a certificate in it is cut short")
    return certificates


def _public(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
