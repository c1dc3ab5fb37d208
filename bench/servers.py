"""Start a server pinned to one CPU, find its port, read its CPU time and its Stats."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.access import PLAIN, Access
from modelrouter_client._proto import router_pb2

_REPO = Path(__file__).resolve().parent.parent
SERVER_CPU, LOAD_CPU = 0, 1  # the server under test; the load generators, upstreams and harness
_LISTENING = re.compile(r"listening on (\S+:\d+)")
_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


class ServerFailed(RuntimeError):
    """The server exited or never said it was listening."""


class Server:
    """A server process pinned with taskset; its stdout and stderr (the access log) go to a file.

    A file rather than a pipe: the access log stays on and costs what writing it costs,
    and no reader of ours competes with the load generator for its CPU.
    """

    def __init__(self, name: str, argv: list[str], cpu: int, log_path: Path, access: Access = PLAIN) -> None:
        self.name = name
        self.access = access  # how clients reach it: TLS or not, an API key or none
        self.log_path = log_path
        # The repo's own sources first, in case the packages are not installed (yet).
        paths = [str(_REPO / "server"), str(_REPO), os.environ.get("PYTHONPATH", "")]
        # Usage totals go to the run's own folder, not the user's state directory.
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(p for p in paths if p),
            XDG_STATE_HOME=str(log_path.parent / "state"),
        )
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                ["taskset", "-c", str(cpu), *argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=_REPO,
            )
        self.address = self._wait_listening(timeout_s=60)

    def _wait_listening(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.log_path.open("rb") as log:
                for line in log:  # the line is among the first; the access log comes after it
                    match = _LISTENING.search(line.decode(errors="replace"))
                    if match:
                        return match.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise ServerFailed(f"{self.name} did not start (exit {self.proc.returncode}):\n{tail}")

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the process, all its threads included."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS_PER_S

    def rss_mb(self, field: str = "VmRSS") -> float:
        """Resident memory of the process now (``VmHWM``: its peak so far), in MiB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def core_busy_seconds(cpu: int) -> float:
    """Time the CPU spent on anything but idle (and I/O wait), whoever ran, from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name == f"cpu{cpu}":
            idle, iowait = int(ticks[3]), int(ticks[4])
            return (sum(int(t) for t in ticks[:8]) - idle - iowait) / _TICKS_PER_S
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def start_echo(cpu: int, log_path: Path) -> Server:
    argv = [sys.executable, "-m", "bench.echo_server", "--address", "127.0.0.1:0"]
    return Server("echo server", argv, cpu, log_path)


def start_upstream(cpu: int, log_path: Path, delay_s: float = 0.0) -> Server:
    argv = [sys.executable, "-m", "bench.upstream", "--delay", str(delay_s)]
    return Server(f"upstream (answers after {delay_s:g} s)", argv, cpu, log_path)


def start_router(config: Path, cpu: int, log_path: Path, access: Access = PLAIN) -> Server:
    """``access``: what the configuration asks of a client (an API key, TLS), for the harness's own calls."""
    argv = [sys.executable, "-m", "modelrouter", "serve", "--address", "127.0.0.1:0", "--config", str(config)]
    return Server(f"modelrouter ({config.name})", argv, cpu, log_path, access)


@dataclass(frozen=True)
class Counters:
    """The router's own count of what it served: successful selections and selection cache use."""

    selections: int
    selection_hits: int
    selection_misses: int

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.selections - other.selections,
            self.selection_hits - other.selection_hits,
            self.selection_misses - other.selection_misses,
        )


def stats(address: str, access: Access = PLAIN) -> router_pb2.StatsResponse:
    """The router's Stats, over a channel of its own."""
    with access.channel(address) as channel:
        call = channel.unary_unary(
            "/modelrouter.v1.RouterService/Stats",
            request_serializer=router_pb2.StatsRequest.SerializeToString,
            response_deserializer=router_pb2.StatsResponse.FromString,
        )
        reply: router_pb2.StatsResponse = call(
            router_pb2.StatsRequest(), timeout=30, metadata=access.metadata
        )
    return reply


def router_counters(address: str, access: Access = PLAIN) -> Counters:
    reply = stats(address, access)
    return Counters(
        selections=sum(m.selections for m in reply.models),
        selection_hits=reply.cache.selection_hits,
        selection_misses=reply.cache.selection_misses,
    )


@dataclass(frozen=True)
class InvokeCounters:
    """The router's own count of provider calls, summed over its models (ModelStats)."""

    requests: int
    successes: int
    failures: int
    failures_by_reason: dict[str, int]
    in_flight: int

    def __sub__(self, other: InvokeCounters) -> InvokeCounters:
        reasons = {
            k: v - other.failures_by_reason.get(k, 0)
            for k, v in self.failures_by_reason.items()
            if v != other.failures_by_reason.get(k, 0)
        }
        return InvokeCounters(
            self.requests - other.requests,
            self.successes - other.successes,
            self.failures - other.failures,
            reasons,
            self.in_flight,
        )


def invoke_counters(address: str, access: Access = PLAIN) -> InvokeCounters:
    reply = stats(address, access)
    reasons: dict[str, int] = {}
    for m in reply.models:
        for reason, n in m.failures_by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + n
    return InvokeCounters(
        requests=sum(m.requests for m in reply.models),
        successes=sum(m.successes for m in reply.models),
        failures=sum(m.failures for m in reply.models),
        failures_by_reason=reasons,
        in_flight=sum(m.in_flight for m in reply.models),
    )
