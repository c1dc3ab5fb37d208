"""Test support: a real modelrouter gRPC server on a free port, in process, and
readers for the AIP-193 error details."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

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
        await running.lifecycle.close()


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


class ServerProcess:
    """`modelrouter serve` as a process of its own, on a free port."""

    def __init__(self, config: Path | None = None, env: dict[str, str] | None = None) -> None:
        argv = [sys.executable, "-m", "modelrouter", "serve", "--address", "127.0.0.1:0"]
        if config is not None:
            argv += ["--config", str(config)]
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"server did not start: {line!r}\n{err}")
        self.address = line.removeprefix("listening on ")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Signals the server and waits: its exit code and what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@contextmanager
def server_process(config: Path | None = None, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    server = ServerProcess(config, env)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.communicate(timeout=10)


def need_redis_server() -> None:
    """Skips the test without redis-server, saying so; under CI=true it must be there."""
    if shutil.which("redis-server") is None and os.environ.get("CI") != "true":
        pytest.skip("skipped: redis-server is not installed")


class RedisServer:
    """A redis-server of the test's own on a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


class BlackHole:
    """A store that hangs: a TCP listener on 127.0.0.1 and a free port that accepts
    every connection and never answers (nor reads). A context manager: on exit it
    closes the listener and every connection it accepted."""

    def __init__(self) -> None:
        import threading  # here, not at the top: this helper is appended to the module

        self._listener = socket.create_server(("127.0.0.1", 0))
        # Accepting polls, so that close() ends the thread without relying on a
        # close from another thread waking a blocked accept (it does not on Linux).
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._accepted: list[socket.socket] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="black-hole", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._accepted.append(conn)  # held open, never read: the peer waits for ever

    def close(self) -> None:
        self._closing.set()
        self._thread.join(5)
        self._listener.close()
        for conn in self._accepted:
            conn.close()
        self._accepted.clear()

    def __enter__(self) -> BlackHole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def field_violations(err: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """The (field, description) pairs of a failed call's google.rpc.BadRequest
    details, in order (empty without one)."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw is not None, f"no grpc-status-details-bin on {err.code()}: {err.details()}"
    found: list[tuple[str, str]] = []
    for any_ in status_pb2.Status.FromString(raw).details:
        if any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            any_.Unpack(bad)
            found += [(v.field, v.description) for v in bad.field_violations]
    return found


def established_at(port: int) -> int:
    """TCP connections a server listening on `port` of this machine has accepted
    and not yet closed (ESTABLISHED, as the kernel lists them): what a client's
    pool still holds open to it."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count
