"""RouterService's methods (and AdminService's ReloadConfig), typed handles for them on
sync and aio channels, and the per-call plumbing (deadline, metadata) both clients share.

The generated `router_pb2_grpc.RouterServiceStub` is untyped (grpcio-tools writes no
.pyi for it), so under `mypy --strict` every call through it would be Any. Building the
multi-callables here from the method paths and the (typed) message classes keeps
requests and responses checked end to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar, cast

import grpc
import grpc.aio
from google.protobuf.message import Message

from modelrouter_client._errors import DeadlineExceededError
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 10.0
"""Seconds; every call has a deadline unless the client is built with timeout=None."""

SERVICE = "modelrouter.v1.RouterService"
ADMIN_SERVICE = "modelrouter.v1.AdminService"

Metadata: TypeAlias = Sequence[tuple[str, str | bytes]]
"""Extra request headers, e.g. [("x-tenant", "acme")]; keys are lower case, and keys
ending in "-bin" carry bytes."""

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)
R = TypeVar("R")


@dataclass(frozen=True, slots=True, eq=False)
class Method(Generic[Req, Resp]):
    """One RPC of RouterService (or of `service`): its name, message types and whether it
    is idempotent (safe to retry: it changes nothing, or nothing that a second try would
    double)."""

    name: str
    request_type: type[Req]
    response_type: type[Resp]
    idempotent: bool
    streaming: bool = False
    service: str = SERVICE

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"

    def serialize(self, request: Req) -> bytes:
        return request.SerializeToString()

    def deserialize(self, data: bytes) -> Resp:
        return self.response_type.FromString(data)


SELECT = Method("Select", pb.SelectRequest, pb.SelectResponse, idempotent=True)
INVOKE = Method("Invoke", pb.InvokeRequest, pb.InvokeResponse, idempotent=False)
INVOKE_STREAM = Method(
    "InvokeStream", pb.InvokeStreamRequest, pb.InvokeStreamResponse, idempotent=False, streaming=True
)
STATS = Method("Stats", pb.StatsRequest, pb.StatsResponse, idempotent=True)
LIST_MODELS = Method("ListModels", pb.ListModelsRequest, pb.ListModelsResponse, idempotent=True)
# Not retried: a retry of a score that landed before the connection failed would be
# refused FEEDBACK_EXISTS, reporting a failure for a score that counted.
FEEDBACK = Method("Feedback", pb.FeedbackRequest, pb.FeedbackResponse, idempotent=False)
# Not retried: a reload the server applied before the connection failed would be
# answered again as "nothing changed", hiding what the first one did.
RELOAD_CONFIG = Method(
    "ReloadConfig",
    apb.ReloadConfigRequest,
    apb.ReloadConfigResponse,
    idempotent=False,
    service=ADMIN_SERVICE,
)

METHODS: tuple[Method[Message, Message], ...] = cast(
    "tuple[Method[Message, Message], ...]",
    (SELECT, INVOKE, INVOKE_STREAM, STATS, LIST_MODELS, FEEDBACK, RELOAD_CONFIG),
)
IDEMPOTENT_METHODS = tuple(m for m in METHODS if m.idempotent)


class SyncStub:
    """The client's methods on a `grpc.Channel`: one multi-callable each."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._callables: dict[str, object] = {}
        for m in METHODS:
            make = channel.unary_stream if m.streaming else channel.unary_unary
            self._callables[m.path] = make(
                m.path, request_serializer=m.serialize, response_deserializer=m.deserialize
            )

    def unary(self, method: Method[Req, Resp]) -> grpc.UnaryUnaryMultiCallable[Req, Resp]:
        return cast("grpc.UnaryUnaryMultiCallable[Req, Resp]", self._callables[method.path])

    def stream(self, method: Method[Req, Resp]) -> grpc.UnaryStreamMultiCallable[Req, Resp]:
        return cast("grpc.UnaryStreamMultiCallable[Req, Resp]", self._callables[method.path])


class AsyncStub:
    """The client's methods on a `grpc.aio.Channel`: one multi-callable each."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._callables: dict[str, object] = {}
        for m in METHODS:
            make = channel.unary_stream if m.streaming else channel.unary_unary
            self._callables[m.path] = make(
                m.path, request_serializer=m.serialize, response_deserializer=m.deserialize
            )

    def unary(self, method: Method[Req, Resp]) -> grpc.aio.UnaryUnaryMultiCallable[Req, Resp]:
        return cast("grpc.aio.UnaryUnaryMultiCallable[Req, Resp]", self._callables[method.path])

    def stream(self, method: Method[Req, Resp]) -> grpc.aio.UnaryStreamMultiCallable[Req, Resp]:
        return cast("grpc.aio.UnaryStreamMultiCallable[Req, Resp]", self._callables[method.path])


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


@dataclass(frozen=True, slots=True)
class Prepared(Generic[Req, Resp, R]):
    """A call ready to send: built by the shared client code, sent by the sync or async
    client, whose answer `convert` turns into the public result."""

    method: Method[Req, Resp]
    request: Req
    deadline: Deadline
    metadata: tuple[tuple[str, str | bytes], ...] | None
    convert: Callable[[Resp], R]
