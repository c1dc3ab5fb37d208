"""A real gRPC server (plaintext or TLS) answering RouterService calls from a script.

For what the modelrouter server never does on purpose: fail an idempotent call with
UNAVAILABLE (to watch the channel retry it), serve TLS, and show the headers a call
arrived with (to see call credentials). Everything else is tested against the real
server (conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from modelrouter_client._proto import router_pb2 as pb

SERVICE = "modelrouter.v1.RouterService"

ANSWERS: dict[str, Message] = {
    "Select": pb.SelectResponse(decision=pb.Decision(model="m1", deployment="d1", strategy="weighted")),
    "Invoke": pb.InvokeResponse(text="hi", model="m1", deployment="d1", finish_reason="stop"),
    "Stats": pb.StatsResponse(models=[pb.ModelStats(model="m1")]),
    "ListModels": pb.ListModelsResponse(models=[pb.ModelInfo(id="m1", provider="simulated")]),
}
REQUESTS: dict[str, type[Message]] = {
    "Select": pb.SelectRequest,
    "Invoke": pb.InvokeRequest,
    "InvokeStream": pb.InvokeStreamRequest,
    "Stats": pb.StatsRequest,
    "ListModels": pb.ListModelsRequest,
}


@dataclass
class Call:
    method: str
    metadata: dict[str, str | bytes]


@dataclass
class ScriptedServer:
    """`fail[method]` calls of `method` fail with `fail_code` before it answers."""

    address: str = ""
    fail: dict[str, int] = field(default_factory=dict)
    fail_code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, method: str) -> int:
        with self._lock:
            return sum(1 for c in self.calls if c.method == method)

    def _record(self, method: str, context: grpc.ServicerContext) -> bool:
        """Records the call; True when it is to fail."""
        with self._lock:
            self.calls.append(Call(method, dict(context.invocation_metadata())))
            left = self.fail.get(method, 0)
            if left:
                self.fail[method] = left - 1
            return left > 0

    def _unary(self, method: str) -> Callable[[Message, grpc.ServicerContext], Message]:
        def handle(request: Message, context: grpc.ServicerContext) -> Message:
            if self._record(method, context):
                context.abort(self.fail_code, f"scripted {self.fail_code.name}")
            return ANSWERS[method]

        return handle

    def _stream(self, request: Message, context: grpc.ServicerContext) -> Iterator[Message]:
        if self._record("InvokeStream", context):
            context.abort(self.fail_code, f"scripted {self.fail_code.name}")
        yield pb.InvokeStreamResponse(delta="h")
        yield pb.InvokeStreamResponse(delta="i")
        yield pb.InvokeStreamResponse(done=pb.InvokeResponse(model="m1"))  # the text is the deltas'

    def handler(self) -> grpc.GenericRpcHandler:
        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
            name: grpc.unary_unary_rpc_method_handler(
                self._unary(name),
                request_deserializer=REQUESTS[name].FromString,
                response_serializer=lambda m: m.SerializeToString(),
            )
            for name in ANSWERS
        }
        handlers["InvokeStream"] = grpc.unary_stream_rpc_method_handler(
            self._stream,
            request_deserializer=pb.InvokeStreamRequest.FromString,
            response_serializer=lambda m: m.SerializeToString(),
        )
        return grpc.method_handlers_generic_handler(SERVICE, handlers)


@contextmanager
def scripted_server(
    credentials: grpc.ServerCredentials | None = None, host: str = "127.0.0.1"
) -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((scripted.handler(),))
    if credentials is None:
        port = server.add_insecure_port(f"{host}:0")
    else:
        port = server.add_secure_port(f"{host}:0", credentials)
    server.start()
    scripted.address = f"{host}:{port}"
    try:
        yield scripted
    finally:
        server.stop(None)


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate (its own CA) for localhost and 127.0.0.1, PEM."""

    key: bytes
    cert: bytes


def self_signed_certificate(directory: Path) -> Certificate:
    """Made with the openssl command; the test is skipped where there is none."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the openssl command is needed to make a test certificate (CI skips nothing)")
        pytest.skip("skipped: the openssl command is needed to make a test certificate")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(key.read_bytes(), cert.read_bytes())
