"""Typed method handles for RouterService, for sync and aio channels.

The generated `router_pb2_grpc.RouterServiceStub` is untyped (grpcio-tools writes no
.pyi for it), so under `mypy --strict` every call through it would be Any. Building the
multi-callables here from the same method paths and (typed) message classes keeps
requests and responses checked end to end.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TypeAlias

import grpc
import grpc.aio

from modelrouter_client._errors import DeadlineExceededError
from modelrouter_client._proto import router_pb2 as pb

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 10.0
"""Seconds; every call has a deadline unless the client is built with timeout=None."""

SERVICE = "modelrouter.v1.RouterService"

Metadata: TypeAlias = Sequence[tuple[str, str | bytes]]
"""Extra request headers, e.g. [("authorization", "Bearer ...")]."""


def _path(method: str) -> str:
    return f"/{SERVICE}/{method}"


class SyncStub:
    """RouterService on a `grpc.Channel`."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.select: grpc.UnaryUnaryMultiCallable[pb.SelectRequest, pb.SelectResponse] = channel.unary_unary(
            _path("Select"),
            request_serializer=pb.SelectRequest.SerializeToString,
            response_deserializer=pb.SelectResponse.FromString,
        )
        self.invoke: grpc.UnaryUnaryMultiCallable[pb.InvokeRequest, pb.InvokeResponse] = channel.unary_unary(
            _path("Invoke"),
            request_serializer=pb.InvokeRequest.SerializeToString,
            response_deserializer=pb.InvokeResponse.FromString,
        )
        self.invoke_stream: grpc.UnaryStreamMultiCallable[pb.InvokeStreamRequest, pb.InvokeStreamResponse] = (
            channel.unary_stream(
                _path("InvokeStream"),
                request_serializer=pb.InvokeStreamRequest.SerializeToString,
                response_deserializer=pb.InvokeStreamResponse.FromString,
            )
        )
        self.stats: grpc.UnaryUnaryMultiCallable[pb.StatsRequest, pb.StatsResponse] = channel.unary_unary(
            _path("Stats"),
            request_serializer=pb.StatsRequest.SerializeToString,
            response_deserializer=pb.StatsResponse.FromString,
        )
        self.list_models: grpc.UnaryUnaryMultiCallable[pb.ListModelsRequest, pb.ListModelsResponse] = (
            channel.unary_unary(
                _path("ListModels"),
                request_serializer=pb.ListModelsRequest.SerializeToString,
                response_deserializer=pb.ListModelsResponse.FromString,
            )
        )


class AsyncStub:
    """RouterService on a `grpc.aio.Channel`."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.select: grpc.aio.UnaryUnaryMultiCallable[pb.SelectRequest, pb.SelectResponse] = (
            channel.unary_unary(
                _path("Select"),
                request_serializer=pb.SelectRequest.SerializeToString,
                response_deserializer=pb.SelectResponse.FromString,
            )
        )
        self.invoke: grpc.aio.UnaryUnaryMultiCallable[pb.InvokeRequest, pb.InvokeResponse] = (
            channel.unary_unary(
                _path("Invoke"),
                request_serializer=pb.InvokeRequest.SerializeToString,
                response_deserializer=pb.InvokeResponse.FromString,
            )
        )
        self.invoke_stream: grpc.aio.UnaryStreamMultiCallable[
            pb.InvokeStreamRequest, pb.InvokeStreamResponse
        ] = channel.unary_stream(
            _path("InvokeStream"),
            request_serializer=pb.InvokeStreamRequest.SerializeToString,
            response_deserializer=pb.InvokeStreamResponse.FromString,
        )
        self.stats: grpc.aio.UnaryUnaryMultiCallable[pb.StatsRequest, pb.StatsResponse] = channel.unary_unary(
            _path("Stats"),
            request_serializer=pb.StatsRequest.SerializeToString,
            response_deserializer=pb.StatsResponse.FromString,
        )
        self.list_models: grpc.aio.UnaryUnaryMultiCallable[pb.ListModelsRequest, pb.ListModelsResponse] = (
            channel.unary_unary(
                _path("ListModels"),
                request_serializer=pb.ListModelsRequest.SerializeToString,
                response_deserializer=pb.ListModelsResponse.FromString,
            )
        )


def call_metadata(base: Metadata, extra: Metadata | None) -> tuple[tuple[str, str | bytes], ...] | None:
    """The client's headers followed by the call's; None when there are none."""
    merged = (*base, *(extra or ()))
    return merged or None


class Deadline:
    """One call's time budget, counted from the moment the caller called the method.

    grpc only learns the time that remains once the request is built, and a call whose
    deadline has already passed is not sent at all: the caller gets DeadlineExceededError
    at once (the contract lets a client raise it alone), rather than grpc racing its
    millisecond-grained timer against a fast answer, or an Invoke being paid for and
    then cancelled.
    """

    __slots__ = ("_at", "timeout")

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._at = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        """Seconds left (None: no deadline); raises DeadlineExceededError when none are."""
        if self._at is None:
            return None
        left = self._at - time.monotonic()
        if left <= 0:
            raise DeadlineExceededError(
                f"the deadline ({self.timeout:g} s) passed before the call was sent",
                reason="DEADLINE_EXCEEDED",
            )
        return left
