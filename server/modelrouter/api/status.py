"""The one map from the router's errors to gRPC status codes and AIP-193 details:
exactly one google.rpc.ErrorInfo per error, plus a PreconditionFailure listing
the rejected models for NO_ELIGIBLE_MODEL, a QuotaFailure naming the budget
for BUDGET_EXCEEDED, and a QuotaFailure naming the limit and a RetryInfo for
RATE_LIMITED, and a BadRequest listing the problems for INVALID_CONFIG and
RESTART_REQUIRED. Every error fits in gRPC's default 8 KiB of trailers: the
rejections listed are those that fit, and the last violation (type OMITTED) and
the ErrorInfo metadata `omitted` say how many were left out."""

from __future__ import annotations

import math
from collections.abc import Sequence

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from google.rpc.error_details_pb2 import PreconditionFailure

from modelrouter.domain import Rejection
from modelrouter.errors import (
    MAX_QUOTED,
    AllCandidatesFailed,
    BudgetExceeded,
    ConfigRefused,
    DeadlineExceeded,
    FeedbackExists,
    FeedbackUnavailable,
    InvalidConfig,
    InvalidRequest,
    MalformedRequest,
    ModelDraining,
    NoEligibleModel,
    PermissionDenied,
    RateLimited,
    RateLimitUnavailable,
    RestartRequired,
    RouterError,
    ShuttingDown,
    StreamInterrupted,
    Unauthenticated,
    UnknownDecision,
    UnknownDeployment,
    UnknownModel,
    UnknownStrategy,
    capped_entries,
    clip,
)

DOMAIN = "modelrouter.v1"
DETAILS_KEY = "grpc-status-details-bin"

CODES: dict[type[RouterError], grpc.StatusCode] = {
    InvalidRequest: grpc.StatusCode.INVALID_ARGUMENT,
    MalformedRequest: grpc.StatusCode.INVALID_ARGUMENT,
    UnknownStrategy: grpc.StatusCode.INVALID_ARGUMENT,
    UnknownModel: grpc.StatusCode.NOT_FOUND,
    UnknownDeployment: grpc.StatusCode.NOT_FOUND,
    ModelDraining: grpc.StatusCode.UNAVAILABLE,
    NoEligibleModel: grpc.StatusCode.FAILED_PRECONDITION,
    DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
    AllCandidatesFailed: grpc.StatusCode.UNAVAILABLE,
    StreamInterrupted: grpc.StatusCode.UNAVAILABLE,
    ShuttingDown: grpc.StatusCode.UNAVAILABLE,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    BudgetExceeded: grpc.StatusCode.RESOURCE_EXHAUSTED,
    RateLimited: grpc.StatusCode.RESOURCE_EXHAUSTED,
    RateLimitUnavailable: grpc.StatusCode.UNAVAILABLE,
    ConfigRefused: grpc.StatusCode.FAILED_PRECONDITION,
    InvalidConfig: grpc.StatusCode.FAILED_PRECONDITION,
    RestartRequired: grpc.StatusCode.FAILED_PRECONDITION,
    UnknownDecision: grpc.StatusCode.NOT_FOUND,
    FeedbackExists: grpc.StatusCode.ALREADY_EXISTS,
    FeedbackUnavailable: grpc.StatusCode.UNAVAILABLE,
}


def code_for(error: RouterError) -> grpc.StatusCode:
    for cls in type(error).__mro__:
        code = CODES.get(cls)
        if code is not None:
            return code
    return grpc.StatusCode.INTERNAL


def status_details(code: grpc.StatusCode, message: str, reason: str, metadata: dict[str, str]) -> bytes:
    """The serialised google.rpc.Status for the grpc-status-details-bin trailer."""
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata))
    status = status_pb2.Status(code=code.value[0], message=message, details=[info])
    return bytes(status.SerializeToString())


# A gRPC client refuses trailers past 8 KiB (its default metadata limit), counting
# each entry's name and value plus 32 bytes. An error's trailers are grpc-status,
# grpc-message (the message, percent-encoded) and grpc-status-details-bin (the
# Status, base64): the details are built to keep the whole under TRAILER_BUDGET,
# whatever the registry's size or the request's.
TRAILER_BUDGET = 7 * 1024
VIOLATIONS_BUDGET = 2048
"""The most serialised bytes of a PreconditionFailure's violations; the rest are
left out, and a last violation (type OMITTED) says how many."""
MAX_VIOLATION_DETAIL = 200


def trailer_size(message: str, details: bytes) -> int:
    """What the error's trailers weigh on the wire, as a gRPC client counts them."""
    encoded_message = sum(1 if 0x20 <= b < 0x7F and b != 0x25 else 3 for b in message.encode())
    details_b64 = (len(details) + 2) // 3 * 4
    return (
        len("grpc-status") + 2 + 32
        + len("grpc-message") + encoded_message + 32
        + len(DETAILS_KEY) + details_b64 + 32
    )  # fmt: skip


def _violations(rejections: Sequence[Rejection]) -> tuple[list[PreconditionFailure.Violation], int]:
    """The violations that fit in VIOLATIONS_BUDGET, in order, and how many did not."""
    out: list[PreconditionFailure.Violation] = []
    size = 0
    for r in rejections:
        v = PreconditionFailure.Violation(
            type=r.reason,
            subject=clip(r.model),
            description=capped_entries(r.detail, MAX_VIOLATION_DETAIL, ", "),
        )
        size += v.ByteSize() + 3
        if size > VIOLATIONS_BUDGET:
            break
        out.append(v)
    return out, len(rejections) - len(out)


def _omitted(n: int) -> PreconditionFailure.Violation:
    return PreconditionFailure.Violation(
        type="OMITTED",
        subject=f"...and {n} more",
        description=f"{n} more rejections left out to keep the error within gRPC's 8 KiB trailer limit; "
        "the ErrorInfo metadata `omitted` counts them too",
    )


def error_details(error: RouterError) -> tuple[grpc.StatusCode, bytes]:
    """The error's code and serialised Status: its ErrorInfo, and a QuotaFailure
    and PreconditionFailure where they apply, sized to fit the trailers
    (TRAILER_BUDGET). Past the budget, less is said rather than the error lost:
    the rejections first, then each metadata value is clipped."""
    code = code_for(error)
    rejections = error.rejections if isinstance(error, NoEligibleModel | BudgetExceeded) else ()
    violations, omitted = _violations(rejections)
    details = b""
    for metadata_cap in (0, MAX_QUOTED, 20):
        details = _status(code, error, violations, omitted, metadata_cap)
        if trailer_size(error.message, details) <= TRAILER_BUDGET:
            break
        if violations:  # drop the rejections before anything else
            violations, omitted = [], len(rejections)
            details = _status(code, error, violations, omitted, metadata_cap)
            if trailer_size(error.message, details) <= TRAILER_BUDGET:
                break
    return code, details


def _status(
    code: grpc.StatusCode,
    error: RouterError,
    violations: list[PreconditionFailure.Violation],
    omitted: int,
    metadata_cap: int,
) -> bytes:
    metadata = dict(error.metadata)
    if metadata_cap:
        metadata = {k: v if len(v) <= metadata_cap else v[:metadata_cap] + "..." for k, v in metadata.items()}
    if omitted:
        metadata["omitted"] = str(omitted)
    bad_request = _bad_request(error, metadata) if isinstance(error, ConfigRefused) else None
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=metadata))
    details = [info]
    if isinstance(error, BudgetExceeded):
        quota = any_pb2.Any()
        quota.Pack(
            error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(
                        subject=metadata.get("budget") or metadata.get("models", ""),
                        description=error.message,
                    )
                ]
            )
        )
        details.append(quota)
    if isinstance(error, RateLimited):
        details += _rate_limited(error, metadata)
    if bad_request is not None:
        details.append(bad_request)
    if violations or omitted:
        failure = any_pb2.Any()
        failure.Pack(
            PreconditionFailure(violations=[*violations, _omitted(omitted)] if omitted else violations)
        )
        details.append(failure)
    status = status_pb2.Status(code=code.value[0], message=error.message, details=details)
    return bytes(status.SerializeToString())


def _bad_request(error: ConfigRefused, metadata: dict[str, str]) -> any_pb2.Any:
    """A BadRequest with one violation per problem, as many as fit in
    VIOLATIONS_BUDGET; `metadata["omitted"]` (set here, before the ErrorInfo is
    packed) counts the rest."""
    violations: list[error_details_pb2.BadRequest.FieldViolation] = []
    size = 0
    for field, what in error.problems:
        v = error_details_pb2.BadRequest.FieldViolation(
            field=clip(field), description=capped_entries(what, MAX_VIOLATION_DETAIL, ", ")
        )
        size += v.ByteSize() + 3
        if size > VIOLATIONS_BUDGET:
            metadata["omitted"] = str(len(error.problems) - len(violations))
            break
        violations.append(v)
    packed = any_pb2.Any()
    packed.Pack(error_details_pb2.BadRequest(field_violations=violations))
    return packed


def _rate_limited(error: RateLimited, metadata: dict[str, str]) -> list[any_pb2.Any]:
    """A QuotaFailure naming the tenant's limit (`tenant/limit`), and a RetryInfo:
    when the call would fit, rounded up to the millisecond."""
    quota, retry = any_pb2.Any(), any_pb2.Any()
    quota.Pack(
        error_details_pb2.QuotaFailure(
            violations=[
                error_details_pb2.QuotaFailure.Violation(
                    subject=f"{metadata.get('tenant', '')}/{metadata.get('limit', '')}",
                    description=error.message,
                )
            ]
        )
    )
    ms = max(math.ceil(error.retry_after_s * 1000), 1)
    retry.Pack(
        error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=ms // 1000, nanos=ms % 1000 * 1_000_000)
        )
    )
    return [quota, retry]


INTERNAL_DETAILS = status_details(
    grpc.StatusCode.INTERNAL, "internal error; this is a bug in modelrouter", "INTERNAL", {}
)
