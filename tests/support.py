"""Test support: a real modelrouter gRPC server on a free port, in process, and
readers for the AIP-193 error details."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from modelrouter.config.load import RouterConfig, load_config, parse_config
from modelrouter.logs import make_logging
from modelrouter.server import RunningServer, start
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a server a test starts as a process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running server, a stub on a channel to it, and its access log."""

    address: str
    running: RunningServer
    channel: grpc.aio.Channel
    stub: pb_grpc.RouterServiceStub
    log: io.StringIO


@asynccontextmanager
async def serving(config: RouterConfig | str | None = None) -> AsyncIterator[Served]:
    """Serve `config` (a RouterConfig, YAML text, or None for the built-in default)."""
    if config is None:
        config = load_config()
    elif isinstance(config, str):
        config = parse_config(config, "<test>")
    log = io.StringIO()
    running = await start(config, "127.0.0.1:0", make_logging(log))
    address = f"127.0.0.1:{running.port}"
    channel = grpc.aio.insecure_channel(address)
    try:
        yield Served(address, running, channel, pb_grpc.RouterServiceStub(channel), log)
    finally:
        await channel.close()
        await running.server.stop(0)
        await running.router.close()


@dataclass
class ErrorDetails:
    code: grpc.StatusCode
    message: str
    reason: str
    domain: str
    metadata: dict[str, str]
    violations: list[tuple[str, str]]
    error_infos: int


def details_of(err: grpc.aio.AioRpcError) -> ErrorDetails:
    """The AIP-193 details of a failed call (asserting there is exactly one ErrorInfo)."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw is not None, f"no grpc-status-details-bin on {err.code()}: {err.details()}"
    status = status_pb2.Status.FromString(raw)
    assert status.code == err.code().value[0]
    infos, violations = [], []
    for any_ in status.details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
            infos.append(info)
        elif any_.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            any_.Unpack(failure)
            violations += [(v.subject, v.type) for v in failure.violations]
    assert len(infos) == 1, f"expected exactly one ErrorInfo, got {len(infos)}"
    return ErrorDetails(
        err.code(),
        err.details() or "",
        infos[0].reason,
        infos[0].domain,
        dict(infos[0].metadata),
        violations,
        1,
    )


async def select_error(stub: pb_grpc.RouterServiceStub, request: pb.SelectRequest) -> ErrorDetails:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Select(request, timeout=10)
    return details_of(caught.value)
