"""Typed exceptions, and their construction from a failed gRPC call.

The server puts a `google.rpc.Status` in the `grpc-status-details-bin` trailer carrying
exactly one `google.rpc.ErrorInfo` (and, for NO_ELIGIBLE_MODEL, a
`google.rpc.PreconditionFailure`; for a refused configuration reload, a
`google.rpc.BadRequest`). We decode it with googleapis-common-protos alone
rather than grpcio-status: callers should not need another dependency to read an error.

Decoding never raises: a call can fail in ways the server never saw (deadline passed
in the client, connection refused, a proxy answering), so trailers may be missing or
garbage. Whatever arrives, the caller gets a RouterError with the status code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import ClassVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped, unused-ignore]

from modelrouter_client._types import Rejection

DETAILS_KEY = "grpc-status-details-bin"


class RouterError(Exception):
    """Base of every error the client raises for a failed call.

    `code` is the gRPC status code, `reason` the ErrorInfo reason (an UPPER_SNAKE code
    such as UNKNOWN_STRATEGY), `domain` its domain ("modelrouter.v1" when the server
    explained the failure) and `metadata` the ErrorInfo metadata (lowerCamelCase keys).
    When the server sent no ErrorInfo (e.g. the deadline passed in the client or the
    connection failed) `reason` is the code's name and `domain` is empty.

    Each subclass stands for one status code, the default `code` when callers build
    one themselves (e.g. in a fake of the router for their own tests).
    """

    default_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "",
        domain: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: grpc.StatusCode = self.default_code if code is None else code
        self.reason = reason or self.code.name
        self.domain = domain
        self.metadata: dict[str, str] = dict(metadata or {})

    def __str__(self) -> str:
        return f"{self.code.name} {self.reason}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code.name}, reason={self.reason!r}, message={self.message!r})"
        )


class InvalidArgumentError(RouterError):
    """INVALID_ARGUMENT: INVALID_REQUEST (metadata `field`), MALFORMED_REQUEST, UNKNOWN_STRATEGY."""

    default_code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(RouterError):
    """NOT_FOUND: UNKNOWN_MODEL (metadata `model`), or UNKNOWN_DECISION (`feedback`
    for a decision id the server does not know, or no longer: its window passed)."""

    default_code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(RouterError):
    """ALREADY_EXISTS: FEEDBACK_EXISTS, a second `feedback` for the same decision (the
    first score stands)."""

    default_code = grpc.StatusCode.ALREADY_EXISTS


class FailedPreconditionError(RouterError):
    """FAILED_PRECONDITION."""

    default_code = grpc.StatusCode.FAILED_PRECONDITION


class NoEligibleModelError(FailedPreconditionError):
    """FAILED_PRECONDITION / NO_ELIGIBLE_MODEL: no registered model satisfies the
    requirements. `rejections` says, per model, why it was not eligible."""

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "NO_ELIGIBLE_MODEL",
        domain: str = "",
        metadata: Mapping[str, str] | None = None,
        rejections: Iterable[Rejection] = (),
    ) -> None:
        super().__init__(message, code=code, reason=reason, domain=domain, metadata=metadata)
        self.rejections: tuple[Rejection, ...] = tuple(rejections)


CONFIG_REFUSALS = ("INVALID_CONFIG", "RESTART_REQUIRED")


class ConfigRefusedError(FailedPreconditionError):
    """FAILED_PRECONDITION / INVALID_CONFIG or RESTART_REQUIRED: `reload_config` changed
    nothing, because the configuration file does not validate or changes what only a
    restart applies. `problems` lists why, as (field, description) pairs: a
    configuration path such as "models[2].pricing" and what is wrong with it."""

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "INVALID_CONFIG",
        domain: str = "",
        metadata: Mapping[str, str] | None = None,
        problems: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message, code=code, reason=reason, domain=domain, metadata=metadata)
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)


class UnavailableError(RouterError):
    """UNAVAILABLE: ALL_CANDIDATES_FAILED (metadata `attempts`), or the server is unreachable."""

    default_code = grpc.StatusCode.UNAVAILABLE


class ResourceExhaustedError(RouterError):
    """RESOURCE_EXHAUSTED: BUDGET_EXCEEDED (raised as BudgetExceededError) or
    RATE_LIMITED (the router's own limits)."""

    default_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class BudgetExceededError(ResourceExhaustedError):
    """RESOURCE_EXHAUSTED / BUDGET_EXCEEDED: a configured spend limit cannot cover the call.

    The budget's figures come from the ErrorInfo metadata: `budget` ("SCOPE/PERIOD",
    e.g. "*/day"), `model`, and the amounts in USD `limit_usd`, `spent_usd`,
    `reserved_usd` (held by calls in flight) and `needed_usd` (what this call needed at
    most). An amount the server did not send (or sent unreadable) is None; the raw
    strings stay in `metadata`. `rejections` lists every model and why, when the
    budget stopped the selection itself (OVER_BUDGET for those it keeps out).
    """

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "BUDGET_EXCEEDED",
        domain: str = "",
        metadata: Mapping[str, str] | None = None,
        rejections: Iterable[Rejection] = (),
    ) -> None:
        super().__init__(message, code=code, reason=reason, domain=domain, metadata=metadata)
        self.rejections: tuple[Rejection, ...] = tuple(rejections)

    @property
    def budget(self) -> str:
        """The limit that refused the call, "SCOPE/PERIOD" (e.g. "*/day", "gpt-x/month")."""
        return self.metadata.get("budget", "")

    @property
    def model(self) -> str:
        """The model the call would have used."""
        return self.metadata.get("model", "")

    @property
    def limit_usd(self) -> float | None:
        """The limit, in USD."""
        return _usd(self.metadata.get("limitUsd"))

    @property
    def spent_usd(self) -> float | None:
        """Spend settled in the current period, in USD."""
        return _usd(self.metadata.get("spentUsd"))

    @property
    def reserved_usd(self) -> float | None:
        """Spend reserved by calls in flight, in USD."""
        return _usd(self.metadata.get("reservedUsd"))

    @property
    def needed_usd(self) -> float | None:
        """What this call needed at most, in USD."""
        return _usd(self.metadata.get("neededUsd"))


def _usd(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        amount = float(value)
    except ValueError:
        return None
    return amount if math.isfinite(amount) else None


class DeadlineExceededError(RouterError):
    """DEADLINE_EXCEEDED: the call's deadline passed (noticed by the server or the client)."""

    default_code = grpc.StatusCode.DEADLINE_EXCEEDED


class UnauthenticatedError(RouterError):
    """UNAUTHENTICATED: missing or wrong credentials."""

    default_code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDeniedError(RouterError):
    """PERMISSION_DENIED: the credentials do not allow this call."""

    default_code = grpc.StatusCode.PERMISSION_DENIED


class UnimplementedError(RouterError):
    """UNIMPLEMENTED: the server does not serve this RPC (yet)."""

    default_code = grpc.StatusCode.UNIMPLEMENTED


class InternalError(RouterError):
    """INTERNAL: a bug in the server (or a broken stream); worth reporting."""

    default_code = grpc.StatusCode.INTERNAL


class UnknownError(RouterError):
    """Any status code the contract does not use (UNKNOWN, CANCELLED, ABORTED, ...); see `.code`."""


_BY_CODE: dict[grpc.StatusCode, type[RouterError]] = {
    cls.default_code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        FailedPreconditionError,
        UnavailableError,
        ResourceExhaustedError,
        DeadlineExceededError,
        UnauthenticatedError,
        PermissionDeniedError,
        UnimplementedError,
        InternalError,
    )
}


def error_class(code: grpc.StatusCode) -> type[RouterError]:
    """The exception class raised for a status code."""
    return _BY_CODE.get(code, UnknownError)


def from_rpc_error(error: grpc.RpcError) -> RouterError:
    """Translate a failed call (sync `grpc.RpcError` or `grpc.aio.AioRpcError`)."""
    return from_status(
        _safe_call(error, "code"),
        _safe_call(error, "details"),
        _safe_call(error, "trailing_metadata"),
    )


def from_status(code: object, message: object, trailing_metadata: object) -> RouterError:
    """Build the RouterError for a status code, its message and the trailing metadata.

    Every argument is checked rather than trusted: `code` may be anything (an unknown or
    missing code becomes UNKNOWN), `trailing_metadata` may be None, a tuple of pairs or a
    `grpc.aio.Metadata`, and the details bytes may not decode.
    """
    status_code = code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.UNKNOWN
    status = _decode_status(_find_details(trailing_metadata))

    reason = domain = ""
    metadata: dict[str, str] = {}
    rejections: list[Rejection] = []
    problems: list[tuple[str, str]] = []
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            failure = error_details_pb2.PreconditionFailure()
            bad_request = error_details_pb2.BadRequest()
            # Unpack also checks the type URL; a detail whose bytes do not decode is
            # skipped, like one of a type we do not know.
            if not reason and _unpack(detail, info):
                reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
            elif _unpack(detail, failure):
                rejections.extend(
                    Rejection(model=v.subject, reason=v.type, detail=v.description)
                    for v in failure.violations
                )
            elif _unpack(detail, bad_request):
                problems.extend((v.field, v.description) for v in bad_request.field_violations)

    text = message if isinstance(message, str) and message else ""
    if not text and status is not None:
        text = status.message
    if not text:
        text = f"call failed with {status_code.name}"

    if status_code is grpc.StatusCode.FAILED_PRECONDITION and reason == "NO_ELIGIBLE_MODEL":
        return NoEligibleModelError(
            text, code=status_code, reason=reason, domain=domain, metadata=metadata, rejections=rejections
        )
    if status_code is grpc.StatusCode.FAILED_PRECONDITION and reason in CONFIG_REFUSALS:
        return ConfigRefusedError(
            text, code=status_code, reason=reason, domain=domain, metadata=metadata, problems=problems
        )
    if status_code is grpc.StatusCode.RESOURCE_EXHAUSTED and reason == "BUDGET_EXCEEDED":
        return BudgetExceededError(
            text, code=status_code, reason=reason, domain=domain, metadata=metadata, rejections=rejections
        )
    cls = error_class(status_code)
    return cls(text, code=status_code, reason=reason, domain=domain, metadata=metadata)


def _safe_call(error: object, name: str) -> object:
    """error.name() or None: a bare grpc.RpcError need not implement the Call methods."""
    method = getattr(error, name, None)
    if not callable(method):
        return None
    try:
        result: object = method()
    except Exception:  # the object is broken; we still owe the caller an error
        return None
    return result


def _find_details(trailing_metadata: object) -> bytes | None:
    # Sync calls give a tuple of pairs, aio calls a grpc.aio.Metadata; both iterate as pairs.
    if not isinstance(trailing_metadata, Iterable) or isinstance(trailing_metadata, (str, bytes)):
        return None
    try:
        for pair in trailing_metadata:
            if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == DETAILS_KEY:
                value = pair[1]
                if isinstance(value, bytes):
                    return value
    except Exception:  # an iterable that breaks half-way is still no details
        return None
    return None


def _decode_status(data: bytes | None) -> status_pb2.Status | None:
    if not data:
        return None
    status = status_pb2.Status()
    try:
        status.ParseFromString(data)
    except Exception:  # DecodeError and whatever else the C parser raises on garbage
        return None
    return status


def _unpack(detail: any_pb2.Any, into: Message) -> bool:
    try:
        return bool(detail.Unpack(into))
    except Exception:  # right type URL, undecodable value
        return False
