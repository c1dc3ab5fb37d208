"""Fixtures for the client tests: a real `modelrouter serve` process, and clients on it.

The server runs as a subprocess through its CLI, exactly as a user starts it, so these
tests hold the client and the served contract together (no in-process shortcuts).
Set MODELROUTER_TEST_ADDRESS=HOST:PORT to test against a server you started yourself
(it must serve the built-in default configuration).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from modelrouter_client import AsyncRouter, Router

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = float(os.environ.get("MODELROUTER_TEST_START_TIMEOUT", "30"))
STOP_TIMEOUT_S = 15.0  # above the default shutdown grace (10 s)
LISTENING = re.compile(r"^listening on (\S+:\d+)\s*$")

DEFAULT_MODELS = (
    "nano-fast",
    "mini-general",
    "turbo-chat",
    "code-specialist",
    "eu-balanced",
    "long-context",
    "vision-pro",
    "reasoner-xl",
    "local-llama",
)
DEFAULT_STRATEGIES = (
    "task_based",
    "cost_aware",
    "performance",
    "weighted",
    "fallback",
    "cheap",
    "quick",
    "balanced",
    "by-task",
    "resilient",
    "eu-only",
)


@dataclass
class ServerProcess:
    """A `modelrouter serve` subprocess and what it has printed."""

    address: str
    process: subprocess.Popen[str] | None
    stdout: deque[str] = field(default_factory=lambda: deque(maxlen=200))


def _server_command(config: Path | None) -> list[str]:
    command = [sys.executable, "-m", "modelrouter", "serve", "--address", "127.0.0.1:0"]
    if config is not None:
        command += ["--config", str(config)]
    return command


def _server_env(scratch: str) -> dict[str, str]:
    # The checkout's packages first, so the suite runs the code under test even when
    # an older `modelrouter` is installed in the environment. The usage store (SQLite
    # under $XDG_STATE_HOME by default) goes to the scratch directory: every server the
    # tests start counts from zero and leaves nothing behind.
    env = dict(os.environ, PYTHONUNBUFFERED="1", XDG_STATE_HOME=scratch)
    paths = [str(REPO / "server"), str(REPO / "clients" / "python" / "src")]
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "<unreadable>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty>"


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the contract: SIGTERM drains, then exits 0
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running_server(config_text: str | None = None) -> Iterator[ServerProcess]:
    """`modelrouter serve --address 127.0.0.1:0` as a subprocess: with the built-in
    configuration, or with `config_text` (YAML) written to a file first. Stopped with
    SIGTERM on exit."""
    with tempfile.TemporaryDirectory(prefix="modelrouter-client-tests-") as scratch:
        config = None
        if config_text is not None:
            config = Path(scratch) / "config.yaml"
            config.write_text(config_text)
        command = _server_command(config)
        stderr_path = Path(scratch) / "stderr.log"
        with stderr_path.open("w") as stderr:
            process = subprocess.Popen(
                command,
                cwd=scratch,
                env=_server_env(scratch),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                bufsize=1,
            )
        served = ServerProcess(address="", process=process)
        lines: queue.Queue[str | None] = queue.Queue()

        def read_stdout() -> None:
            # Drains stdout for the whole session: a server writing to a full pipe blocks.
            assert process.stdout is not None
            for line in process.stdout:
                served.stdout.append(line.rstrip("\n"))
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read_stdout, name="modelrouter-stdout", daemon=True)
        reader.start()
        try:
            served.address = _await_listening(process, lines, served, stderr_path, command)
            yield served
        finally:
            _stop(process)
            reader.join(timeout=5)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    """`modelrouter serve --address 127.0.0.1:0` with the built-in configuration, once per session."""
    external = os.environ.get("MODELROUTER_TEST_ADDRESS")
    if external:
        yield ServerProcess(address=external, process=None)
        return
    with running_server() as served:
        yield served


def _await_listening(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    served: ServerProcess,
    stderr_path: Path,
    command: list[str],
) -> str:
    def failure(what: str) -> str:
        printed = "\n".join(served.stdout) or "<nothing>"
        return (
            f"modelrouter server {what}.\n"
            f"command: {' '.join(command)}\n"
            f"stdout:\n{printed}\n"
            f"stderr (last lines):\n{_tail(stderr_path)}"
        )

    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(
                    failure(f"did not print 'listening on HOST:PORT' within {START_TIMEOUT_S:g} s"),
                    pytrace=False,
                )
            if line is None:
                code = process.wait(timeout=5)
                pytest.fail(failure(f"exited with code {code} before listening"), pytrace=False)
            match = LISTENING.match(line.strip())
            if match:
                return match.group(1)
    except BaseException:
        _stop(process)
        raise


@pytest.fixture(scope="session")
def address(server: ServerProcess) -> str:
    return server.address


@pytest.fixture(scope="session")
def router(address: str) -> Iterator[Router]:
    with Router(address, tls=False) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def async_router(address: str) -> AsyncIterator[AsyncRouter]:
    async with AsyncRouter(address, tls=False) as client:
        yield client
