"""Who calls: every call to the modelrouter.v1 services carries
`authorization: Bearer <key>` (or, under mTLS, a client certificate whose subject
stands for a key), checked once per call here, before any handler runs. Health
and reflection are other services and pass without one (orchestrators probe
health).

The presented key is hashed with SHA-256 and looked up by its digest: the
configuration holds only digests, and the lookup compares digests, never keys,
so its timing says nothing about a key. Keys are never logged or echoed.

The caller found travels to the handler in a context variable
(`modelrouter.api.caller`), set in the call's task, which then runs the handler.
A server without keys has no interceptor."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import grpc

from modelrouter.api.access_log import AccessLog
from modelrouter.api.caller import set_caller
from modelrouter.api.status import DETAILS_KEY, error_details
from modelrouter.errors import PermissionDenied, RouterError, Unauthenticated
from modelrouter.identity import Caller

API_PREFIX = "/modelrouter.v1."
ROUTER_PREFIX = API_PREFIX + "RouterService/"
ROLE_NOTE = "the invoke role may call RouterService; the admin role every service"

_Req = TypeVar("_Req")
_Resp = TypeVar("_Resp")
if TYPE_CHECKING:  # subscripted at run time, these grpc classes raise TypeError
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]


def _subject(context: Context) -> str | None:
    """The verified client certificate's subject (RFC 4514), under mTLS."""
    values = list(context.auth_context().get("x509_subject", ()))
    if not values:
        return None
    return bytes(values[0]).decode(errors="replace")


class ApiKeys(grpc.aio.ServerInterceptor):
    def __init__(
        self, digests: Mapping[bytes, Caller], subjects: Mapping[str, Caller], access_log: AccessLog
    ) -> None:
        """A refused call is logged and counted like any other (`access_log`)."""
        self._digests = dict(digests)
        self._subjects = dict(subjects)
        self._access_log = access_log

    def replace(self, digests: Mapping[bytes, Caller], subjects: Mapping[str, Caller]) -> None:
        """A reload's keys: calls from now on are checked against these (a call
        under way keeps the caller it was given)."""
        self._digests, self._subjects = dict(digests), dict(subjects)

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[_Req, _Resp] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[_Req, _Resp] | None:
        method = handler_call_details.method
        handler = await continuation(handler_call_details)
        if handler is None or not method.startswith(API_PREFIX):
            return handler
        bearer = self._bearer(handler_call_details.invocation_metadata)
        admin_only = not method.startswith(ROUTER_PREFIX)
        if isinstance(bearer, Caller) and (bearer.admin or not admin_only):
            # The common case, a known key allowed the call: set the caller here and
            # serve the handler as it is. grpc.aio runs the interceptors and then the
            # handler in one coroutine of the call's task, so the handler sees it;
            # wrapping the handler on every call cost a third of the key's price
            # (`python -m bench auth`).
            set_caller(bearer)
            return handler
        # A refusal, or a certificate to read: only the handler's context has the
        # peer's certificate, so the check runs in a wrapper around the handler.
        return cast("grpc.RpcMethodHandler[_Req, _Resp]", self._wrap(handler, method, bearer, admin_only))

    def _bearer(self, metadata: Any) -> Caller | bool | None:
        """The caller a bearer key stands for; False: a key that stands for no one;
        None: no key sent."""
        for name, value in metadata or ():
            if name == "authorization" and isinstance(value, str):
                if value[:7].lower() != "bearer ":
                    return False
                digest = hashlib.sha256(value[7:].strip().encode()).digest()
                return self._digests.get(digest, False)
        return None

    def _caller(self, bearer: Caller | bool | None, context: Context) -> Caller:
        """Who calls: a bearer key first; without one, a certificate subject."""
        if isinstance(bearer, Caller):
            return bearer
        if bearer is None and self._subjects:
            subject = _subject(context)
            caller = self._subjects.get(subject) if subject is not None else None
            if caller is not None:
                return caller
        raise Unauthenticated("a valid API key is required: send `authorization: Bearer <key>`")

    def _wrap(self, handler: Handler, method: str, bearer: Caller | bool | None, admin_only: bool) -> Handler:
        """`handler`, run only for a caller allowed `method`, with the caller set."""

        access_log = self._access_log
        rpc = method.rsplit("/", 1)[-1]

        def admit(context: Context) -> Caller:
            started = time.perf_counter()
            try:
                caller = self._caller(bearer, context)
            except RouterError as err:
                access_log.record(rpc, access_log.request_id(), started, "UNAUTHENTICATED", reason=err.reason)
                raise
            set_caller(caller)
            if admin_only and not caller.admin:
                denied = PermissionDenied(f"key {caller.key_id!r} may not call {method}: {ROLE_NOTE}")
                access_log.record(
                    rpc, access_log.request_id(), started, "PERMISSION_DENIED", reason=denied.reason
                )
                raise denied
            return caller

        if handler.unary_stream is not None:
            # grpc.aio's handlers are coroutines and async generators; the stubs
            # describe the synchronous server's.
            behaviour_stream = cast("Callable[[Any, Context], AsyncIterator[Any]]", handler.unary_stream)

            async def unary_stream(request: Any, context: Context) -> AsyncIterator[Any]:
                try:
                    admit(context)
                except RouterError as err:
                    await _abort(context, err)
                async for message in behaviour_stream(request, context):
                    yield message

            return grpc.unary_stream_rpc_method_handler(
                unary_stream, handler.request_deserializer, handler.response_serializer
            )
        if handler.unary_unary is None:  # every RPC of the API is unary or server-streaming
            raise TypeError(f"{method}: unsupported streaming kind")
        behaviour = cast("Callable[[Any, Context], Awaitable[Any]]", handler.unary_unary)

        async def unary_unary(request: Any, context: Context) -> Any:
            try:
                admit(context)
            except RouterError as err:
                await _abort(context, err)
            return await behaviour(request, context)

        return grpc.unary_unary_rpc_method_handler(
            unary_unary, handler.request_deserializer, handler.response_serializer
        )


async def _abort(context: Context, err: RouterError) -> None:
    code, details = error_details(err)
    await context.abort(code, err.message, trailing_metadata=((DETAILS_KEY, details),))
