"""API keys: every RouterService call carries `authorization: Bearer <key>`,
checked once per call here, before any handler runs. Health and reflection are
not RouterService and pass without a key (orchestrators probe health).

The presented key is hashed with SHA-256 and looked up by its digest: the
configuration holds only digests, and the lookup compares digests, never keys,
so its timing says nothing about a key. Keys are never logged or echoed."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import grpc

from modelrouter.api.status import DETAILS_KEY, error_details
from modelrouter.config.schema import ApiKeyConfig
from modelrouter.errors import PermissionDenied, RouterError, Unauthenticated

SERVICE_PREFIX = "/modelrouter.v1.RouterService/"
STREAMING = frozenset({SERVICE_PREFIX + "InvokeStream"})
ROLE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "invoke": (SERVICE_PREFIX,),
    "admin": ("/modelrouter.v1.",),
}
"""What each role may call: `invoke` the RouterService, `admin` every service of
the API (the admin service to come included)."""

_Req = TypeVar("_Req")
_Resp = TypeVar("_Resp")


class ApiKeys(grpc.aio.ServerInterceptor):
    def __init__(self, digests: Mapping[bytes, ApiKeyConfig]) -> None:
        self._digests = dict(digests)

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[_Req, _Resp] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[_Req, _Resp] | None:
        method = handler_call_details.method
        if not method.startswith("/modelrouter.v1."):
            return await continuation(handler_call_details)
        key = self._holder(handler_call_details.invocation_metadata)
        if key is None:
            refused = Unauthenticated("a valid API key is required: send `authorization: Bearer <key>`")
            return cast("grpc.RpcMethodHandler[_Req, _Resp]", _refusal(method, refused))
        if not any(method.startswith(p) for role in key.roles for p in ROLE_PREFIXES[role]):
            denied = PermissionDenied(f"key {key.id!r} (roles {', '.join(key.roles)}) may not call {method}")
            return cast("grpc.RpcMethodHandler[_Req, _Resp]", _refusal(method, denied))
        return await continuation(handler_call_details)

    def _holder(self, metadata: Any) -> ApiKeyConfig | None:
        for name, value in metadata or ():
            if name == "authorization" and isinstance(value, str) and value[:7].lower() == "bearer ":
                digest = hashlib.sha256(value[7:].strip().encode()).digest()
                return self._digests.get(digest)
        return None


def _refusal(method: str, err: RouterError) -> grpc.RpcMethodHandler[bytes, bytes]:
    """A handler that answers the call with `err` (its status and ErrorInfo)."""
    code, details = error_details(err)
    trailers = ((DETAILS_KEY, details),)

    async def unary(request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
        await context.abort(code, err.message, trailing_metadata=trailers)
        raise AssertionError("abort returned")  # pragma: no cover

    async def stream(request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> Any:
        await context.abort(code, err.message, trailing_metadata=trailers)
        yield b""  # pragma: no cover: makes this an async generator

    if method in STREAMING:
        return grpc.unary_stream_rpc_method_handler(stream)
    return grpc.unary_unary_rpc_method_handler(unary)
