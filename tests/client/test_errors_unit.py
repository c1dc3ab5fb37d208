"""Error parsing from hand-built trailing metadata; no server needed.

Whatever the trailers hold (nothing, garbage, details of unknown types, a code the
contract does not use), the caller must get a RouterError, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import grpc
import grpc.aio
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from modelrouter_client import (
    BudgetExceededError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NoEligibleModelError,
    NotFoundError,
    PermissionDeniedError,
    Rejection,
    ResourceExhaustedError,
    RouterError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
)
from modelrouter_client._errors import DETAILS_KEY, from_rpc_error, from_status

Trailers = Sequence[tuple[str, str | bytes]]


def packed(*messages: object) -> list[any_pb2.Any]:
    out = []
    for message in messages:
        any_ = any_pb2.Any()
        any_.Pack(message)  # type: ignore[arg-type]
        out.append(any_)
    return out


def details(code: grpc.StatusCode, message: str, *detail_messages: object) -> bytes:
    status = status_pb2.Status(code=code.value[0], message=message, details=packed(*detail_messages))
    return bytes(status.SerializeToString())


def error_info(reason: str, **metadata: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain="modelrouter.v1", metadata=metadata)


class FakeRpcError(grpc.RpcError):
    """What a sync call raises: an RpcError that is also a Call."""

    def __init__(self, code: object, message: str | None, trailers: object) -> None:
        self._code, self._message, self._trailers = code, message, trailers

    def code(self) -> object:  # type: ignore[override]
        return self._code

    def details(self) -> str | None:
        return self._message

    def trailing_metadata(self) -> object:  # type: ignore[override]
        return self._trailers


def test_error_info_is_read() -> None:
    trailers: Trailers = (
        ("content-type", "application/grpc"),
        (
            DETAILS_KEY,
            details(grpc.StatusCode.INVALID_ARGUMENT, "bad", error_info("INVALID_REQUEST", field="x")),
        ),
    )
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, "weights: unknown key", trailers))
    assert type(err) is InvalidArgumentError
    assert err.code is grpc.StatusCode.INVALID_ARGUMENT
    assert (err.reason, err.domain, err.metadata) == ("INVALID_REQUEST", "modelrouter.v1", {"field": "x"})
    assert err.message == "weights: unknown key"  # the call's message wins over the Status copy
    assert "INVALID_REQUEST" in str(err) and "weights: unknown key" in str(err)


def test_no_eligible_model_carries_the_rejections() -> None:
    failure = error_details_pb2.PreconditionFailure(
        violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type="MISSING_CAPABILITY", subject="nano-fast", description="lacks teleport"
            ),
            error_details_pb2.PreconditionFailure.Violation(
                type="OVER_COST", subject="reasoner-xl", description="0.03 > 0.01"
            ),
        ]
    )
    raw = details(grpc.StatusCode.FAILED_PRECONDITION, "none", error_info("NO_ELIGIBLE_MODEL"), failure)
    err = from_status(grpc.StatusCode.FAILED_PRECONDITION, "no model", ((DETAILS_KEY, raw),))
    assert isinstance(err, NoEligibleModelError)
    assert isinstance(err, FailedPreconditionError)
    assert err.rejections == (
        Rejection(model="nano-fast", reason="MISSING_CAPABILITY", detail="lacks teleport"),
        Rejection(model="reasoner-xl", reason="OVER_COST", detail="0.03 > 0.01"),
    )


def test_budget_exceeded_exposes_the_budget() -> None:
    raw = details(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "over",
        error_info(
            "BUDGET_EXCEEDED",
            budget="fast/month",
            model="fast",
            limitUsd="5",
            spentUsd="4.5",
            reservedUsd="0.25",
            neededUsd="0.3",
        ),
        error_details_pb2.QuotaFailure(
            violations=[error_details_pb2.QuotaFailure.Violation(subject="fast/month", description="x")]
        ),
        error_details_pb2.PreconditionFailure(
            violations=[error_details_pb2.PreconditionFailure.Violation(type="OVER_BUDGET", subject="fast")]
        ),
    )
    err = from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, "over budget", ((DETAILS_KEY, raw),))
    assert type(err) is BudgetExceededError
    assert isinstance(err, ResourceExhaustedError)
    assert (err.budget, err.model) == ("fast/month", "fast")
    assert (err.limit_usd, err.spent_usd, err.reserved_usd, err.needed_usd) == (5.0, 4.5, 0.25, 0.3)
    assert err.metadata["limitUsd"] == "5"
    assert err.rejections == (Rejection("fast", "OVER_BUDGET"),)


def test_budget_exceeded_without_figures_and_other_exhaustion() -> None:
    raw = details(grpc.StatusCode.RESOURCE_EXHAUSTED, "m", error_info("BUDGET_EXCEEDED"))
    err = from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, "m", ((DETAILS_KEY, raw),))
    assert isinstance(err, BudgetExceededError)
    assert (err.budget, err.limit_usd, err.needed_usd, err.rejections) == ("", None, None, ())
    # The reason alone does not make a budget error: the code must match too.
    raw = details(grpc.StatusCode.UNAVAILABLE, "m", error_info("BUDGET_EXCEEDED"))
    assert type(from_status(grpc.StatusCode.UNAVAILABLE, "m", ((DETAILS_KEY, raw),))) is UnavailableError
    raw = details(grpc.StatusCode.RESOURCE_EXHAUSTED, "m", error_info("RATE_LIMITED"))
    assert type(from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, "m", ((DETAILS_KEY, raw),))) is (
        ResourceExhaustedError
    )
    built = BudgetExceededError("over", metadata={"limitUsd": "inf"})
    assert (built.code, built.reason, built.limit_usd) == (
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "BUDGET_EXCEEDED",
        None,
    )


def test_failed_precondition_with_another_reason_is_not_no_eligible_model() -> None:
    raw = details(grpc.StatusCode.FAILED_PRECONDITION, "m", error_info("SOMETHING_ELSE"))
    err = from_status(grpc.StatusCode.FAILED_PRECONDITION, "m", ((DETAILS_KEY, raw),))
    assert type(err) is FailedPreconditionError
    assert err.reason == "SOMETHING_ELSE"


def test_aio_error_with_aio_metadata() -> None:
    raw = details(grpc.StatusCode.NOT_FOUND, "m", error_info("UNKNOWN_MODEL", model="gpt-9"))
    aio_error = grpc.aio.AioRpcError(
        grpc.StatusCode.NOT_FOUND,
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata((DETAILS_KEY, raw)),
        details="unknown model 'gpt-9'",
    )
    err = from_rpc_error(aio_error)
    assert type(err) is NotFoundError
    assert (err.reason, err.metadata) == ("UNKNOWN_MODEL", {"model": "gpt-9"})


@pytest.mark.parametrize(
    "trailers",
    [
        None,
        (),
        grpc.aio.Metadata(),
        ((DETAILS_KEY, b""),),
        ((DETAILS_KEY, b"\xff\xfe\x00garbage that is not a google.rpc.Status"),),
        ((DETAILS_KEY, b"\x0a"),),  # a truncated field
        ((DETAILS_KEY, "text where bytes belong"),),
        (("some-other-key", "value"), "not a pair", (1, 2, 3)),
        "a string, not metadata",
        42,
    ],
    ids=[
        "none",
        "empty",
        "empty-aio",
        "empty-bytes",
        "garbage",
        "truncated",
        "str-value",
        "odd-items",
        "str",
        "int",
    ],
)
def test_missing_or_malformed_details_still_give_a_typed_error(trailers: object) -> None:
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "connection refused", trailers))
    assert type(err) is UnavailableError
    assert err.code is grpc.StatusCode.UNAVAILABLE
    assert err.reason == "UNAVAILABLE"  # no ErrorInfo: the code's name
    assert err.domain == ""
    assert err.metadata == {}
    assert err.message == "connection refused"


def test_undecodable_detail_is_skipped_and_the_rest_read() -> None:
    broken = any_pb2.Any(
        type_url="type.googleapis.com/google.rpc.ErrorInfo", value=b"\xff\xff\xff\xff not an ErrorInfo"
    )
    unknown = any_pb2.Any(type_url="type.googleapis.com/acme.Custom", value=b"\x08\x01")
    good = packed(error_info("RATE_LIMITED", retryAfterMs="100"))[0]
    status = status_pb2.Status(code=8, message="slow down", details=[broken, unknown, good])
    err = from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, None, ((DETAILS_KEY, status.SerializeToString()),))
    assert type(err) is ResourceExhaustedError
    assert err.reason == "RATE_LIMITED"
    assert err.metadata == {"retryAfterMs": "100"}
    assert err.message == "slow down"  # no call message: the Status message


class BrokenMetadata:
    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        yield ("x", b"y")
        raise RuntimeError("broken iterator")


def test_metadata_that_breaks_while_iterated() -> None:
    err = from_status(grpc.StatusCode.INTERNAL, "boom", BrokenMetadata())
    assert type(err) is InternalError


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, InvalidArgumentError),
        (grpc.StatusCode.NOT_FOUND, NotFoundError),
        (grpc.StatusCode.FAILED_PRECONDITION, FailedPreconditionError),
        (grpc.StatusCode.UNAVAILABLE, UnavailableError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, ResourceExhaustedError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, DeadlineExceededError),
        (grpc.StatusCode.UNAUTHENTICATED, UnauthenticatedError),
        (grpc.StatusCode.PERMISSION_DENIED, PermissionDeniedError),
        (grpc.StatusCode.UNIMPLEMENTED, UnimplementedError),
        (grpc.StatusCode.INTERNAL, InternalError),
        (grpc.StatusCode.UNKNOWN, UnknownError),
        (grpc.StatusCode.CANCELLED, UnknownError),
        (grpc.StatusCode.ABORTED, UnknownError),
        (grpc.StatusCode.DATA_LOSS, UnknownError),
    ],
)
def test_one_class_per_code(code: grpc.StatusCode, cls: type[RouterError]) -> None:
    err = from_status(code, "m", None)
    assert type(err) is cls
    assert err.code is code
    assert isinstance(err, RouterError)


@pytest.mark.parametrize("code", [None, 42, "INVALID_ARGUMENT", (3, "invalid argument")])
def test_unknown_code_becomes_unknown(code: object) -> None:
    err = from_rpc_error(FakeRpcError(code, None, None))
    assert type(err) is UnknownError
    assert err.code is grpc.StatusCode.UNKNOWN
    assert err.message  # never empty, even with no message at all


def test_bare_rpc_error_without_call_methods() -> None:
    err = from_rpc_error(grpc.RpcError("no code, no details, no trailers"))
    assert type(err) is UnknownError


class RaisingRpcError(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        raise RuntimeError("half-constructed")

    def details(self) -> str:
        raise RuntimeError("half-constructed")


def test_rpc_error_whose_methods_raise() -> None:
    assert type(from_rpc_error(RaisingRpcError())) is UnknownError


def test_errors_can_be_built_and_raised_by_callers() -> None:
    # e.g. in a caller's own tests or fakes
    err = NoEligibleModelError("none", rejections=[Rejection("a", "OVER_COST")])
    assert err.code is grpc.StatusCode.FAILED_PRECONDITION
    assert err.reason == "NO_ELIGIBLE_MODEL"
    with pytest.raises(FailedPreconditionError):
        raise err
    plain = InvalidArgumentError("x")
    assert (plain.code, plain.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert RouterError("x").code is grpc.StatusCode.UNKNOWN
