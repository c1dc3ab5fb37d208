"""The `serve` and `health` commands as a user runs them: a real process, the
listening line, health, reflection, the access log, and a graceful drain."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import serving


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "modelrouter", *args]


@pytest.fixture
def server_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        cli("serve", "--address", "127.0.0.1:0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on 127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
    address = line.removeprefix("listening on ")
    assert int(address.rsplit(":", 1)[1]) > 0
    yield proc, address
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_serve_answers_health_and_reflection_then_drains_on_sigterm(
    server_process: tuple[subprocess.Popen[str], str],
) -> None:
    proc, address = server_process
    assert (
        subprocess.run(cli("health", "--address", address), capture_output=True, timeout=30).returncode == 0
    )
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "modelrouter.v1.RouterService"):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        listed = next(
            iter(
                reflection.ServerReflectionInfo(
                    iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
                )
            )
        )
        names = {s.name for s in listed.list_services_response.service}
        assert {"modelrouter.v1.RouterService", "grpc.health.v1.Health"} <= names
        decision = pb_grpc.RouterServiceStub(channel).Select(pb.SelectRequest(), timeout=5).decision
        assert decision.model == "eu-balanced"

        watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=20)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        proc.send_signal(signal.SIGTERM)
        # Health turns NOT_SERVING before the server goes away.
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
    assert proc.wait(timeout=20) == 0
    assert (
        subprocess.run(
            cli("health", "--address", address, "--timeout", "1"), capture_output=True, timeout=30
        ).returncode
        == 1
    )
    assert proc.stderr is not None
    events = [json.loads(line)["event"] for line in proc.stderr.read().splitlines()]
    # Calls still waiting in the access log's batch are written during the drain.
    assert events[0] == "serving" and events[-1] == "stopped"
    assert events.index("draining") < events.index("stopped")
    assert events.count("call") == 1  # the Select; health and reflection are not RouterService calls


def test_sigint_also_exits_zero(server_process: tuple[subprocess.Popen[str], str]) -> None:
    proc, _ = server_process
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0


def test_modelrouter_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "modelrouter")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert {"serve", "check-config", "health"} <= set(
        result.stdout.replace(",", " ").replace("{", " ").replace("}", " ").split()
    )


async def test_one_access_log_line_per_call() -> None:
    async with serving() as served:
        await served.stub.Select(pb.SelectRequest(strategy="quick"), timeout=5)
        with pytest.raises(grpc.aio.AioRpcError):
            await served.stub.Select(pb.SelectRequest(strategy="nope"), timeout=5)
        await served.stub.ListModels(pb.ListModelsRequest(), timeout=5)
        assert served.log.getvalue() == ""  # rendered off the calls' path, in batches
        served.running.access_log.flush()
        lines = [json.loads(line) for line in served.log.getvalue().splitlines()]
    calls = [line for line in lines if line["event"] == "call"]
    assert [(c["rpc"], c["outcome"], c["model"]) for c in calls] == [
        ("Select", "OK", "turbo-chat"),
        ("Select", "INVALID_ARGUMENT", ""),
        ("ListModels", "OK", ""),
    ]
    assert calls[1]["reason"] == "UNKNOWN_STRATEGY"
    assert all(len(c["request_id"]) == 16 and c["latency_ms"] >= 0 for c in calls)
    assert all(c["timestamp"].endswith("+00:00") and c["level"] == "info" for c in calls)
    assert len({c["request_id"] for c in calls}) == 3


async def test_access_log_can_be_turned_off() -> None:
    text = (
        "models:\n  - {id: m, provider: simulated, context_window: 9000, pricing: {input_per_mtok: 0, "
        "output_per_mtok: 0}, quality: {default: 1}}\nserver: {access_log: false}\n"
    )
    async with serving(text) as served:
        await served.stub.Select(pb.SelectRequest(), timeout=5)
        served.running.access_log.flush()
        assert served.log.getvalue() == ""


def test_an_address_that_cannot_be_bound_is_a_clear_error(
    server_process: tuple[subprocess.Popen[str], str],
) -> None:
    _, taken = server_process
    result = subprocess.run(cli("serve", "--address", taken), capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    # grpc's core logs a line of its own first; ours is the last.
    assert result.stderr.strip().splitlines()[-1].startswith(f"cannot listen on {taken}:")
    assert "Traceback" not in result.stderr


def test_sigterm_lets_calls_in_flight_finish(tmp_path: Path) -> None:
    config = tmp_path / "slow.yaml"
    config.write_text(
        "models:\n"
        "  - {id: slow, provider: simulated, context_window: 8000,\n"
        "     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5},\n"
        "     simulate: {ttft_ms: 1500, tokens_per_s: 1000000}}\n"
    )
    proc = subprocess.Popen(
        cli("serve", "--config", str(config), "--address", "127.0.0.1:0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip().removeprefix("listening on ")
        with grpc.insecure_channel(address) as channel:
            stub = pb_grpc.RouterServiceStub(channel)
            request = pb.InvokeRequest(model="slow", messages=[pb.ChatMessage(role="user", content="hi")])
            future = stub.Invoke.future(request, timeout=20)
            deadline = time.monotonic() + 5
            while stub.Stats(pb.StatsRequest(), timeout=5).models[0].in_flight == 0:
                assert time.monotonic() < deadline, "the call never reached the provider"
                time.sleep(0.02)
            proc.send_signal(signal.SIGTERM)  # while the call waits on its upstream
            reply = future.result(timeout=20)
            assert (reply.model, reply.text) == ("slow", "hi")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
