"""The one map from the router's errors to gRPC status codes and AIP-193 details:
exactly one google.rpc.ErrorInfo per error, plus a PreconditionFailure listing
every rejected model for NO_ELIGIBLE_MODEL, and a QuotaFailure naming the budget
for BUDGET_EXCEEDED."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from modelrouter.errors import (
    AllCandidatesFailed,
    BudgetExceeded,
    DeadlineExceeded,
    InvalidRequest,
    MalformedRequest,
    NoEligibleModel,
    RouterError,
    ShuttingDown,
    StreamInterrupted,
    UnknownModel,
    UnknownStrategy,
)

DOMAIN = "modelrouter.v1"
DETAILS_KEY = "grpc-status-details-bin"

CODES: dict[type[RouterError], grpc.StatusCode] = {
    InvalidRequest: grpc.StatusCode.INVALID_ARGUMENT,
    MalformedRequest: grpc.StatusCode.INVALID_ARGUMENT,
    UnknownStrategy: grpc.StatusCode.INVALID_ARGUMENT,
    UnknownModel: grpc.StatusCode.NOT_FOUND,
    NoEligibleModel: grpc.StatusCode.FAILED_PRECONDITION,
    DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
    AllCandidatesFailed: grpc.StatusCode.UNAVAILABLE,
    StreamInterrupted: grpc.StatusCode.UNAVAILABLE,
    ShuttingDown: grpc.StatusCode.UNAVAILABLE,
    BudgetExceeded: grpc.StatusCode.RESOURCE_EXHAUSTED,
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


def error_details(error: RouterError) -> tuple[grpc.StatusCode, bytes]:
    code = code_for(error)
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=error.metadata))
    details = [info]
    if isinstance(error, BudgetExceeded):
        quota = any_pb2.Any()
        quota.Pack(
            error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(
                        subject=error.metadata.get("budget") or error.metadata.get("models", ""),
                        description=error.message,
                    )
                ]
            )
        )
        details.append(quota)
    if isinstance(error, NoEligibleModel | BudgetExceeded) and error.rejections:
        failure = any_pb2.Any()
        failure.Pack(
            error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=r.reason, subject=r.model, description=r.detail
                    )
                    for r in error.rejections
                ]
            )
        )
        details.append(failure)
    status = status_pb2.Status(code=code.value[0], message=error.message, details=details)
    return code, bytes(status.SerializeToString())


INTERNAL_DETAILS = status_details(
    grpc.StatusCode.INTERNAL, "internal error; this is a bug in modelrouter", "INTERNAL", {}
)
