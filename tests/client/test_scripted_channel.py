"""The sync client against grpcio-testing's scripted channel, for what a healthy server
never sends: malformed `grpc-status-details-bin`, trailer-only replies without details,
status codes the contract does not use (or no valid code at all), streams that break
their protocol. The test plays the server: it takes each call the client makes and
answers it by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
import grpc_testing
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from modelrouter_client import (
    BudgetExceededError,
    InternalError,
    InvalidArgumentError,
    NoEligibleModelError,
    ResourceExhaustedError,
    Router,
    RouterError,
    UnavailableError,
    UnknownError,
)
from modelrouter_client._errors import DETAILS_KEY
from modelrouter_client._proto import router_pb2 as pb

SERVICE = pb.DESCRIPTOR.services_by_name["RouterService"]
T = TypeVar("T")


def method(name: str) -> Any:
    return SERVICE.methods_by_name[name]


@pytest.fixture
def channel() -> Any:
    return grpc_testing.channel([SERVICE], grpc_testing.strict_real_time())


@pytest.fixture
def router(channel: Any) -> Iterator[Router]:
    with Router(channel=channel, metadata=[("x-tenant", "t1")]) as client:
        yield client


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


def in_thread(pool: ThreadPoolExecutor, fn: Callable[[], T]) -> Future[T]:
    """The client blocks until the test answers, so the call runs in another thread."""
    return pool.submit(fn)


def status_bytes(code: grpc.StatusCode, message: str, *details: Any) -> bytes:
    packed = []
    for detail in details:
        any_ = any_pb2.Any()
        any_.Pack(detail)
        packed.append(any_)
    return bytes(status_pb2.Status(code=code.value[0], message=message, details=packed).SerializeToString())


def info(reason: str, **metadata: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain="modelrouter.v1", metadata=metadata)


def fail_select(
    channel: Any,
    pool: ThreadPoolExecutor,
    router: Router,
    trailers: tuple[tuple[str, str | bytes], ...],
    code: Any,
    message: str | None,
) -> RouterError:
    future = in_thread(pool, lambda: router.select(task="chat"))
    invocation_metadata, request, rpc = channel.take_unary_unary(method("Select"))
    assert request.requirements.task == "chat"
    assert ("x-tenant", "t1") in invocation_metadata
    rpc.terminate(None, trailers, code, message)
    with pytest.raises(RouterError) as caught:
        future.result(timeout=5)
    return caught.value


# -- unary calls ---------------------------------------------------------------------------------


def test_a_healthy_answer(channel: Any, pool: ThreadPoolExecutor, router: Router) -> None:
    future = in_thread(pool, lambda: router.select(task="code", max_cost_usd=0.5))
    _, request, rpc = channel.take_unary_unary(method("Select"))
    assert (request.requirements.task, request.requirements.max_cost_usd) == ("code", 0.5)
    rpc.terminate(
        pb.SelectResponse(decision=pb.Decision(model="m1", deployment="d")), (), grpc.StatusCode.OK, ""
    )
    assert future.result(timeout=5).model == "m1"


@pytest.mark.parametrize(
    "details",
    [
        b"\xff\xfe\x00 not a google.rpc.Status",
        b"\x0a",  # a truncated field
        b"\x12\x05abc",  # a field whose length runs past the end
        b"",
    ],
    ids=["garbage", "truncated", "overlong", "empty"],
)
def test_malformed_details(channel: Any, pool: ThreadPoolExecutor, router: Router, details: bytes) -> None:
    err = fail_select(
        channel, pool, router, ((DETAILS_KEY, details),), grpc.StatusCode.INVALID_ARGUMENT, "bad weights"
    )
    assert type(err) is InvalidArgumentError
    assert (err.code, err.reason, err.domain, err.metadata) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
        "",
        {},
    )
    assert err.message == "bad weights"


def test_details_with_undecodable_and_unknown_entries(
    channel: Any, pool: ThreadPoolExecutor, router: Router
) -> None:
    broken = any_pb2.Any(type_url="type.googleapis.com/google.rpc.ErrorInfo", value=b"\xff\xff\xff")
    unknown = any_pb2.Any(type_url="type.googleapis.com/acme.Custom", value=b"\x08\x01")
    good = any_pb2.Any()
    good.Pack(info("UNKNOWN_STRATEGY", strategy="x"))
    raw = status_pb2.Status(code=3, message="unknown strategy", details=[broken, unknown, good])
    err = fail_select(
        channel, pool, router, ((DETAILS_KEY, raw.SerializeToString()),), grpc.StatusCode.INVALID_ARGUMENT, ""
    )
    assert (err.reason, err.metadata) == ("UNKNOWN_STRATEGY", {"strategy": "x"})
    assert err.message == "unknown strategy"  # no call message: the Status's


def test_trailer_only_reply_without_details(channel: Any, pool: ThreadPoolExecutor, router: Router) -> None:
    err = fail_select(channel, pool, router, (), grpc.StatusCode.INTERNAL, None)
    assert type(err) is InternalError
    assert (err.reason, err.domain, err.metadata) == ("INTERNAL", "", {})
    assert err.message == "call failed with INTERNAL"  # never empty


def test_no_eligible_model_without_its_failure_detail(
    channel: Any, pool: ThreadPoolExecutor, router: Router
) -> None:
    raw = status_bytes(grpc.StatusCode.FAILED_PRECONDITION, "none", info("NO_ELIGIBLE_MODEL"))
    err = fail_select(channel, pool, router, ((DETAILS_KEY, raw),), grpc.StatusCode.FAILED_PRECONDITION, "x")
    assert isinstance(err, NoEligibleModelError)
    assert err.rejections == ()


def test_budget_exceeded_with_unreadable_figures(
    channel: Any, pool: ThreadPoolExecutor, router: Router
) -> None:
    raw = status_bytes(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "over budget",
        info("BUDGET_EXCEEDED", budget="*/day", limitUsd="ten", spentUsd="nan", neededUsd="0.5"),
    )
    err = fail_select(channel, pool, router, ((DETAILS_KEY, raw),), grpc.StatusCode.RESOURCE_EXHAUSTED, "")
    assert isinstance(err, BudgetExceededError) and isinstance(err, ResourceExhaustedError)
    assert (err.budget, err.limit_usd, err.spent_usd, err.reserved_usd, err.needed_usd) == (
        "*/day",
        None,
        None,
        None,
        0.5,
    )


def test_details_that_disagree_with_the_call_code(
    channel: Any, pool: ThreadPoolExecutor, router: Router
) -> None:
    # The status code of the call is the truth; the copy in the details is not checked.
    raw = status_bytes(grpc.StatusCode.NOT_FOUND, "m", info("ALL_CANDIDATES_FAILED", attempts="a/b=TIMEOUT"))
    err = fail_select(channel, pool, router, ((DETAILS_KEY, raw),), grpc.StatusCode.UNAVAILABLE, "all failed")
    assert type(err) is UnavailableError
    assert err.reason == "ALL_CANDIDATES_FAILED"


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.DATA_LOSS, grpc.StatusCode.ABORTED, grpc.StatusCode.CANCELLED]
)
def test_codes_the_contract_does_not_use(
    channel: Any, pool: ThreadPoolExecutor, router: Router, code: grpc.StatusCode
) -> None:
    err = fail_select(channel, pool, router, (), code, "odd")
    assert type(err) is UnknownError
    assert err.code is code
    assert err.reason == code.name


@pytest.mark.parametrize("code", [42, "UNAVAILABLE", (14, "unavailable")])
def test_no_valid_status_code_at_all(
    channel: Any, pool: ThreadPoolExecutor, router: Router, code: Any
) -> None:
    raw = status_bytes(grpc.StatusCode.UNAVAILABLE, "m", info("SOMETHING"))
    err = fail_select(channel, pool, router, ((DETAILS_KEY, raw),), code, "what")
    assert type(err) is UnknownError
    assert err.code is grpc.StatusCode.UNKNOWN
    assert err.reason == "SOMETHING"


def test_details_as_text_instead_of_bytes(channel: Any, pool: ThreadPoolExecutor, router: Router) -> None:
    err = fail_select(channel, pool, router, ((DETAILS_KEY, "not bytes"),), grpc.StatusCode.UNAVAILABLE, "x")
    assert type(err) is UnavailableError and err.reason == "UNAVAILABLE"


# -- streams -------------------------------------------------------------------------------------


def delta(text: str) -> pb.InvokeStreamResponse:
    return pb.InvokeStreamResponse(delta=text)


def test_stream_ending_ok_without_its_summary(channel: Any, router: Router) -> None:
    stream = router.invoke_stream("hi", model="m1")
    _, request, rpc = channel.take_unary_stream(method("InvokeStream"))
    assert request.model == "m1" and not request.HasField("selection")
    rpc.send_response(delta("a"))
    rpc.terminate((), grpc.StatusCode.OK, "")
    assert next(stream) == "a"
    with pytest.raises(InternalError) as caught:
        next(stream)
    assert caught.value.reason == "MISSING_SUMMARY"
    assert stream.done and stream.final is None


def test_stream_broken_mid_way_with_malformed_details(channel: Any, router: Router) -> None:
    stream = router.invoke_stream("hi")
    _, _, rpc = channel.take_unary_stream(method("InvokeStream"))
    rpc.send_response(delta("par"))
    rpc.send_response(pb.InvokeStreamResponse())  # an event this client does not know: skipped
    rpc.send_response(delta("tial"))
    # (The scripted channel drops responses still queued when the call ends: read first.)
    assert [next(stream), next(stream)] == ["par", "tial"]
    rpc.terminate(((DETAILS_KEY, b"\xff garbage"),), grpc.StatusCode.UNAVAILABLE, "upstream went away")
    with pytest.raises(UnavailableError) as caught:
        list(stream)
    assert caught.value.message == "upstream went away"
    assert stream.text == "partial"
    with pytest.raises(UnavailableError):
        stream.result()


def test_stream_with_an_unknown_status_code(channel: Any, router: Router) -> None:
    stream = router.invoke_stream("hi")
    _, _, rpc = channel.take_unary_stream(method("InvokeStream"))
    rpc.terminate((), 99, None)
    with pytest.raises(UnknownError):
        stream.result()


def test_stream_summary_and_cancellation(channel: Any, router: Router) -> None:
    with router.invoke_stream("hi") as stream:
        _, _, rpc = channel.take_unary_stream(method("InvokeStream"))
        rpc.send_response(delta("h"))
        assert next(stream) == "h"
    # Leaving the block early cancelled the call: the "server" sees it.
    rpc.cancelled()
    with pytest.raises(UnknownError) as caught:
        stream.result()
    assert caught.value.code is grpc.StatusCode.CANCELLED

    stream = router.invoke_stream("hi")
    _, _, rpc = channel.take_unary_stream(method("InvokeStream"))
    rpc.send_response(delta("h"))
    rpc.send_response(delta("i"))
    rpc.send_response(pb.InvokeStreamResponse(done=pb.InvokeResponse(model="m1")))  # no text: the deltas'
    rpc.terminate((), grpc.StatusCode.OK, "")
    assert list(stream) == ["h", "i"]
    assert stream.final is not None and stream.final.text == "hi"
    stream.cancel()  # after the end: nothing to cancel, the summary stays
    assert stream.result().model == "m1"
