"""How the clients open their channel: credentials (TLS, local, plaintext), the retry
policy (a gRPC service config) and keepalive, shared by the sync and async clients.

Retries are gRPC's own (`grpc.enable_retries` with a `retryPolicy` in the
`grpc.service_config` channel option): the channel retries transparently, inside the
call's deadline, honours server push-back, and a token bucket (`retryThrottling`) stops
retry storms when the server is down. Only the idempotent RPCs are retried (Select,
Stats, ListModels): an Invoke that fails UNAVAILABLE may already have called (and paid
for) a model, so whether to try again is the caller's decision.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import grpc

from modelrouter_client._transport import IDEMPOTENT_METHODS
from modelrouter_client._version import __version__

ChannelOptions: TypeAlias = Sequence[tuple[str, Any]]
"""grpc channel arguments, e.g. [("grpc.max_receive_message_length", 8 << 20)]."""

USER_AGENT = f"modelrouter-client-python/{__version__}"

_STATUS_NAMES = frozenset(code.name for code in grpc.StatusCode)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the channel retries the idempotent calls (Select, Stats, ListModels).

    The defaults: up to 4 attempts in all, on UNAVAILABLE only, waiting a random time up
    to 0.1 s, then up to 0.2 s, 0.4 s, ... (at most `max_backoff_s`) between them. gRPC
    caps `max_attempts` at 5. Every attempt counts against the call's one deadline.
    `throttle_max_tokens` and `throttle_token_ratio` set gRPC's retry throttling: each
    failure costs a token, each success gives back `throttle_token_ratio`, and retries
    stop while fewer than half the tokens are left (0 turns throttling off).
    """

    max_attempts: int = 4
    initial_backoff_s: float = 0.1
    max_backoff_s: float = 2.0
    backoff_multiplier: float = 2.0
    retryable_status_codes: tuple[grpc.StatusCode | str, ...] = (grpc.StatusCode.UNAVAILABLE,)
    throttle_max_tokens: int = 10
    throttle_token_ratio: float = 0.1

    def __post_init__(self) -> None:
        if self.max_attempts < 2:
            raise ValueError("RetryPolicy.max_attempts must be at least 2 (use retries=False for none)")
        if self.initial_backoff_s <= 0 or self.max_backoff_s <= 0 or self.backoff_multiplier <= 0:
            raise ValueError("RetryPolicy backoffs and multiplier must be positive")
        if not self.retryable_status_codes:
            raise ValueError("RetryPolicy.retryable_status_codes must name at least one code")
        for code in self.status_names():
            if code not in _STATUS_NAMES or code == "OK":
                raise ValueError(f"RetryPolicy: {code!r} is not a retryable gRPC status code")
        if self.throttle_max_tokens < 0 or self.throttle_token_ratio <= 0:
            raise ValueError("RetryPolicy throttling: max tokens must be >= 0, the ratio > 0")

    def status_names(self) -> list[str]:
        """The retryable codes as the service config spells them ("UNAVAILABLE")."""
        return [
            c.name if isinstance(c, grpc.StatusCode) else str(c).upper() for c in self.retryable_status_codes
        ]

    def service_config(self) -> dict[str, Any]:
        """The gRPC service config (as a dict; json.dumps it) applying this policy to the
        idempotent RouterService methods."""
        config: dict[str, Any] = {
            "methodConfig": [
                {
                    "name": [{"service": m.service, "method": m.name} for m in IDEMPOTENT_METHODS],
                    "retryPolicy": {
                        "maxAttempts": self.max_attempts,
                        "initialBackoff": _duration(self.initial_backoff_s),
                        "maxBackoff": _duration(self.max_backoff_s),
                        "backoffMultiplier": self.backoff_multiplier,
                        "retryableStatusCodes": self.status_names(),
                    },
                }
            ]
        }
        if self.throttle_max_tokens:
            config["retryThrottling"] = {
                "maxTokens": self.throttle_max_tokens,
                "tokenRatio": self.throttle_token_ratio,
            }
        return config


@dataclass(frozen=True, slots=True)
class Keepalive:
    """HTTP/2 keepalive pings, so that a connection that died silently (a NAT or load
    balancer dropping it) fails the calls on it instead of leaving them hanging.

    By default the client pings after 60 s without activity while calls are in flight,
    and gives the connection up when a ping is not answered within 20 s. Idle
    connections are not pinged (`permit_without_calls=False`): servers refuse pings more
    frequent than they allow (gRPC's default: every 5 minutes with no call in flight).
    """

    time_s: float = 60.0
    timeout_s: float = 20.0
    permit_without_calls: bool = False

    def __post_init__(self) -> None:
        if self.time_s <= 0 or self.timeout_s <= 0:
            raise ValueError("Keepalive.time_s and timeout_s must be positive")

    def options(self) -> dict[str, int]:
        """The grpc channel arguments."""
        return {
            "grpc.keepalive_time_ms": round(self.time_s * 1000),
            "grpc.keepalive_timeout_ms": round(self.timeout_s * 1000),
            "grpc.keepalive_permit_without_calls": int(self.permit_without_calls),
        }


DEFAULT_RETRY_POLICY = RetryPolicy()
DEFAULT_KEEPALIVE = Keepalive()


def _duration(seconds: float) -> str:
    # The JSON form of google.protobuf.Duration: decimal seconds, at most 9 fractional digits.
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


def channel_options(
    retries: bool | RetryPolicy, keepalive: bool | Keepalive, options: ChannelOptions | None
) -> list[tuple[str, Any]]:
    """The channel arguments the client sets; `options` (the caller's) win key by key."""
    merged: dict[str, Any] = {"grpc.primary_user_agent": USER_AGENT}
    if retries is False:
        merged["grpc.enable_retries"] = 0
    else:
        policy = DEFAULT_RETRY_POLICY if retries is True else retries
        merged["grpc.enable_retries"] = 1
        merged["grpc.service_config"] = json.dumps(policy.service_config(), separators=(",", ":"))
    if keepalive is not False:
        merged.update((DEFAULT_KEEPALIVE if keepalive is True else keepalive).options())
    merged.update(_pairs(options or ()))
    return list(merged.items())


def _pairs(options: Iterable[tuple[str, Any]]) -> Mapping[str, Any]:
    out: dict[str, Any] = {}
    for item in options:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise TypeError(f"options: expected (name, value) pairs, got {item!r}")
        out[item[0]] = item[1]
    return out


def is_local_target(target: str) -> bool:
    """Whether `target` names this machine: a Unix socket, localhost, a loopback address
    or 0.0.0.0 / :: (with or without a port, or a `dns:`/`ipv4:`/`ipv6:` scheme). The
    machine's own name or public address does not count: pass tls=False for those."""
    if target.startswith(("unix:", "unix-abstract:")):
        return True
    rest = target
    for scheme in ("dns:", "ipv4:", "ipv6:"):
        if rest.startswith(scheme):
            rest = rest[len(scheme) :]
            if rest.startswith("//"):  # dns://AUTHORITY/host:port
                rest = rest[2:].split("/", 1)[-1]
            rest = rest.split(",", 1)[0]  # ipv4:a:1,b:2 names several addresses
            break
    host = _host(rest)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    # 0.0.0.0 and :: (what a server bound to every interface prints) reach this machine.
    return ip.is_loopback or ip.is_unspecified


def _host(hostport: str) -> str:
    if hostport.startswith("["):  # [::1]:50051
        return hostport[1:].split("]", 1)[0]
    if hostport.count(":") > 1:  # a bare IPv6 address
        return hostport
    return hostport.rsplit(":", 1)[0] if ":" in hostport else hostport


def api_key_credentials(
    api_key: str | None, call_credentials: grpc.CallCredentials | None
) -> grpc.CallCredentials | None:
    """The call credentials that send `authorization: Bearer <api_key>` on every call,
    or `call_credentials` as given when there is no key.

    The key lives only inside the returned grpc object: no attribute, repr or error
    message of the client holds it, so it cannot leak into a log or a traceback.
    """
    if api_key is None:
        return call_credentials
    if not isinstance(api_key, str):
        raise TypeError(f"api_key: expected a str, got {type(api_key).__name__}")
    # A header value is printable ASCII; the server strips surrounding blanks, so a key
    # with them would be refused as another key. The messages never repeat the key.
    if not api_key or api_key != api_key.strip():
        raise ValueError("api_key: empty, or with spaces around it")
    if not all(" " <= ch <= "~" for ch in api_key):
        raise ValueError("api_key: only printable ASCII characters can go in a header")
    if call_credentials is not None:
        raise ValueError(
            "api_key and call_credentials both authorise every call: pass one "
            "(grpc.composite_call_credentials combines your own)"
        )
    return grpc.access_token_call_credentials(api_key)


def channel_credentials(
    target: str,
    tls: bool | grpc.ChannelCredentials | None,
    root_certificates: bytes | None,
    private_key: bytes | None,
    certificate_chain: bytes | None,
    call_credentials: grpc.CallCredentials | None,
    *,
    api_key: bool = False,
) -> grpc.ChannelCredentials | None:
    """The channel's credentials; None means plaintext.

    tls=None (the default) picks plaintext for a local target and TLS (with the
    system's root certificates unless `root_certificates` is given) for any other.
    `api_key` says that `call_credentials` carry the client's API key, for the error
    that refuses to send them in plaintext.
    """
    given_files = [
        name
        for name, value in (
            ("root_certificates", root_certificates),
            ("private_key", private_key),
            ("certificate_chain", certificate_chain),
        )
        if value is not None
    ]
    if (private_key is None) != (certificate_chain is None):
        raise ValueError("private_key and certificate_chain (a client certificate) go together")
    if isinstance(tls, grpc.ChannelCredentials):
        if given_files:
            raise ValueError(
                f"{', '.join(given_files)}: build them into the grpc.ChannelCredentials passed as tls"
            )
        return tls
    if tls is None:
        tls = bool(given_files) or not is_local_target(target)
    if tls:
        return grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
    if given_files:
        raise ValueError(f"{', '.join(given_files)} need TLS, but tls=False")
    if call_credentials is None:
        return None
    if is_local_target(target):
        # gRPC sends call credentials only over a secure channel; local credentials count
        # as one (the bytes never leave the machine) and need nothing of the server.
        kind = (
            grpc.LocalConnectionType.UDS if target.startswith("unix") else grpc.LocalConnectionType.LOCAL_TCP
        )
        return grpc.local_channel_credentials(kind)
    if api_key:
        # No plaintext way out is suggested: a key sent in the clear can be read on the way.
        raise ValueError(
            f"api_key is sent only over TLS, and {target!r} is not local: use tls=True "
            "(with root_certificates= for a private CA)"
        )
    raise ValueError(
        f"call credentials are sent only over TLS, and {target!r} is not local; use tls=True, "
        "or metadata=[('authorization', ...)] to send a header over plaintext"
    )
