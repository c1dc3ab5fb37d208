"""How every servicer's handlers read a request and answer a failure, in one place:
request bytes that do not decode are MALFORMED_REQUEST, a RouterError is its
status and details (`modelrouter.api.status`), anything else is INTERNAL; each is
recorded in the access log before the call is aborted."""

from __future__ import annotations

from typing import NoReturn, TypeVar

import grpc
from google.protobuf.message import Message
from structlog.typing import FilteringBoundLogger

from modelrouter.api.access_log import AccessLog
from modelrouter.api.status import DETAILS_KEY, INTERNAL_DETAILS, error_details
from modelrouter.errors import MalformedRequest, RouterError

M = TypeVar("M", bound=Message)
Context = grpc.aio.ServicerContext[bytes, bytes]


def parse(cls: type[M], raw: bytes) -> M:
    try:
        return cls.FromString(raw)
    except Exception as exc:  # any decode failure is the caller's bytes, not our bug
        raise MalformedRequest(
            f"request bytes do not decode as {cls.DESCRIPTOR.full_name}: {exc}",
            {"message": cls.DESCRIPTOR.full_name},
        ) from None


class Replies:
    """Aborts a failed call with its status, after recording it."""

    def __init__(self, log: FilteringBoundLogger, access_log: AccessLog) -> None:
        self._log = log
        self._record = access_log.record

    async def fail(
        self, context: Context, rpc: str, request_id: str, started: float, err: RouterError
    ) -> NoReturn:
        # grpc keeps an aborted call in a reference cycle, the handler's frame and
        # the error's traceback in it, until the garbage collector runs: neither may
        # keep the request (up to megabytes) alive that long.
        err.__traceback__ = None
        code, details = error_details(err)
        self._record(rpc, request_id, started, code.name, reason=err.reason)
        await context.abort(code, err.message, trailing_metadata=((DETAILS_KEY, details),))

    async def crash(self, context: Context, rpc: str, request_id: str, started: float) -> NoReturn:
        """A bug: logged with its traceback, answered INTERNAL."""
        self._log.exception("unhandled error", rpc=rpc, request_id=request_id)
        self._record(rpc, request_id, started, "INTERNAL")
        await context.abort(
            grpc.StatusCode.INTERNAL,
            "internal error; this is a bug in modelrouter",
            trailing_metadata=((DETAILS_KEY, INTERNAL_DETAILS),),
        )
