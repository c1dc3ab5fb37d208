"""`modelrouter reload`: AdminService.ReloadConfig on a running server, said in
a few lines a person (or a deploy script's log) can read."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2

from modelrouter_client._proto import admin_pb2 as apb

RELOAD_CONFIG = "/modelrouter.v1.AdminService/ReloadConfig"
DETAILS_KEY = "grpc-status-details-bin"
NOT_SERVED = (
    "; the server serves no AdminService: without API keys it does so only when listening on "
    "loopback (send it SIGHUP instead), and it must be a version with ReloadConfig"
)

TlsFiles = tuple[str | None, str | None, str | None]
"""(CA file, client certificate file, client key file), each optional."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a failed call said: its code and message, the ErrorInfo reason ("" when
    the server sent none), and the BadRequest's field violations (`omitted`: how
    many did not fit in the error)."""

    code: str
    reason: str
    message: str
    violations: tuple[tuple[str, str], ...]
    omitted: int


def open_channel(address: str, tls: TlsFiles | None) -> grpc.Channel:
    """Plaintext without `tls`; else TLS trusting the CA file (or the system's
    roots), presenting the client certificate when one is given (mTLS)."""
    if tls is None:
        return grpc.insecure_channel(address)
    ca, cert, key = (Path(p).read_bytes() if p else None for p in tls)
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(ca, key, cert))


def refusal_of(err: grpc.RpcError) -> Refusal:
    """The code, message, reason and violations of a failed call. A failure the
    server never explained (no server, a proxy, the deadline) has no details."""
    code: grpc.StatusCode = err.code()
    message = " ".join((err.details() or "").split())  # one line, whatever grpc wrote
    reason, violations, omitted = "", [], "0"
    # (key, value) pairs at run time, whatever grpc's type stubs say.
    trailers = cast("tuple[tuple[str, str | bytes], ...]", err.trailing_metadata() or ())
    raw = next((value for key, value in trailers if key == DETAILS_KEY), None)
    # Details that do not decode are not modelrouter's (a proxy's): the code says enough.
    with contextlib.suppress(DecodeError):
        for detail in status_pb2.Status.FromString(raw if isinstance(raw, bytes) else b"").details:
            info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
            if detail.Unpack(info):
                reason, omitted = info.reason, info.metadata.get("omitted", "0")
            elif detail.Unpack(bad):
                violations += [(v.field, v.description) for v in bad.field_violations]
    more = int(omitted) if omitted.isdigit() else 0
    return Refusal(code.name, reason, message, tuple(violations), more)


def _models(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names) if names else "none"


def reload_config(
    address: str, timeout_s: float, tls: TlsFiles | None = None, api_key: str | None = None
) -> int:
    """Asks the server at `address` to reload its configuration file: 0 when it
    did (the versions and the models added, removed and changed on stdout), 1
    when it refused or could not be reached (why, on stderr). `api_key` goes as
    `authorization: Bearer`, never printed."""
    metadata = (("authorization", f"Bearer {api_key}"),) if api_key else None
    try:
        channel = open_channel(address, tls)
    except OSError as err:  # a TLS file missing or unreadable
        print(f"{address}: reload not sent: {err}", file=sys.stderr)
        return 1
    with channel:
        call = channel.unary_unary(
            RELOAD_CONFIG,
            request_serializer=apb.ReloadConfigRequest.SerializeToString,
            response_deserializer=apb.ReloadConfigResponse.FromString,
        )
        try:
            reply: apb.ReloadConfigResponse = call(
                apb.ReloadConfigRequest(), timeout=timeout_s, metadata=metadata
            )
        except grpc.RpcError as err:
            _print_refusal(address, refusal_of(err))
            return 1
    if reply.previous_version == reply.config_version:  # the version is the file's digest
        print(f"{address}: configuration reloaded: version {reply.config_version} (the same file)")
    else:
        print(
            f"{address}: configuration reloaded: version {reply.previous_version} -> {reply.config_version}"
        )
    print(f"  added models: {_models(list(reply.added_models))}")
    print(f"  removed models: {_models(list(reply.removed_models))}")
    print(f"  changed models: {_models(list(reply.changed_models))}")
    return 0


def _print_refusal(address: str, refusal: Refusal) -> None:
    if not refusal.reason:  # nothing from modelrouter: no server, a proxy, the deadline
        hint = NOT_SERVED if refusal.code == grpc.StatusCode.UNIMPLEMENTED.name else ""
        print(f"{address}: reload failed: {refusal.code}: {refusal.message}{hint}", file=sys.stderr)
    else:
        print(
            f"{address}: reload refused: {refusal.code} {refusal.reason}: {refusal.message}", file=sys.stderr
        )
    for field, description in refusal.violations:
        print(f"  {field}: {description}", file=sys.stderr)
    if refusal.omitted:
        print(f"  ... and {refusal.omitted} more", file=sys.stderr)
