"""`modelrouter reload` and SIGHUP against a real `modelrouter serve` process: a
model added to the file is named in the command's output and served by
ListModels; an invalid file or a change only a restart applies exits 1 with the
code, reason and each problem's field, and ListModels is unchanged; SIGHUP
reloads the same way (a refused one changes nothing; both are counted in
`modelrouter_config_reloads_total`); the admin key is read from the named
variable and never printed; TLS and mTLS work with the health command's
options; an unreachable server is one line and exit 1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import grpc

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.pki import Pki
from tests.support import free_port, server_process

ADMIN_KEY = "ops-PLANTED-reload-0123456789"
TEAM_KEY = "team-PLANTED-reload-9876543210"
SIGHUP_LIMIT_S = 10.0


def model(model_id: str, quality: float = 0.5) -> str:
    return (
        f"  - {{id: {model_id}, provider: simulated, context_window: 8000,"
        f" pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: {quality}}}}}\n"
    )


def config(*models: str, head: str = "") -> str:
    return head + "models:\n" + "".join(models)


def reload(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`modelrouter reload ARGS`, with MODELROUTER_API_KEY only when `env` sets it."""
    base = {k: v for k, v in os.environ.items() if k != "MODELROUTER_API_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "modelrouter", "reload", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
    )


def list_models(
    address: str, credentials: grpc.ChannelCredentials | None = None, key: str | None = None
) -> pb.ListModelsResponse:
    channel = grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)
    metadata = (("authorization", f"Bearer {key}"),) if key else None
    with channel:
        reply: pb.ListModelsResponse = pb_grpc.RouterServiceStub(channel).ListModels(
            pb.ListModelsRequest(), timeout=10, metadata=metadata
        )
    return reply


def ids(reply: pb.ListModelsResponse) -> list[str]:
    return [m.id for m in reply.models]


def test_reload_applies_the_file_and_names_what_it_added(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    path.write_text(config(model("a")))
    with server_process(path) as server:
        before = list_models(server.address)
        path.write_text(config(model("a"), model("b")))
        done = reload("--address", server.address)
        assert done.returncode == 0, done.stderr
        after = list_models(server.address)
        assert ids(after) == ["a", "b"]
        assert after.config_version != before.config_version
        assert f"{before.config_version} -> {after.config_version}" in done.stdout
        assert "added models: b" in done.stdout
        assert "removed models: none" in done.stdout

        path.write_text(config(model("b", quality=0.9)))
        done = reload("--address", server.address)
        assert done.returncode == 0, done.stderr
        assert "removed models: a" in done.stdout
        assert "changed models: b" in done.stdout
        assert ids(list_models(server.address)) == ["b"]


def test_a_refused_reload_exits_1_with_each_problem_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    path.write_text(config(model("a")))
    with server_process(path) as server:
        before = list_models(server.address)
        # The second model has no pricing.
        path.write_text(config(model("a"), "  - {id: b, provider: simulated, context_window: 8000}\n"))
        refused = reload("--address", server.address)
        assert refused.returncode == 1
        assert refused.stdout == ""
        assert "FAILED_PRECONDITION INVALID_CONFIG" in refused.stderr
        assert "  models[1].pricing: " in refused.stderr
        assert list_models(server.address) == before

        path.write_text(config(model("a"), model("b"), head="server: {access_log: false}\n"))
        refused = reload("--address", server.address)
        assert refused.returncode == 1
        assert "FAILED_PRECONDITION RESTART_REQUIRED" in refused.stderr
        assert "  server.access_log: " in refused.stderr
        assert list_models(server.address) == before


def reloads(metrics_address: str) -> dict[str, float]:
    """`modelrouter_config_reloads_total` by result, from the metrics endpoint."""
    with urllib.request.urlopen(f"http://{metrics_address}/metrics", timeout=10) as page:
        text = page.read().decode()
    found = re.findall(
        r'^modelrouter_config_reloads_total\{result="(\w+)"\} (\S+)$', text, flags=re.MULTILINE
    )
    return {result: float(value) for result, value in found}


def wait_for(condition: Callable[[], bool]) -> bool:
    """Polls `condition` until it holds or SIGHUP_LIMIT_S passes: the reload runs on
    the server's loop some time after the signal."""
    give_up = time.monotonic() + SIGHUP_LIMIT_S
    while not condition() and time.monotonic() < give_up:
        time.sleep(0.05)
    return condition()


def test_sighup_reloads_the_file_and_a_refused_one_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    metrics = f"127.0.0.1:{free_port()}"
    head = f"metrics: {{address: '{metrics}'}}\n"
    path.write_text(config(model("a"), head=head))
    with server_process(path) as server:
        path.write_text(config(model("a"), model("b"), head=head))
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: ids(list_models(server.address)) == ["a", "b"])
        assert reloads(metrics) == {"applied": 1, "refused": 0}
        before = list_models(server.address)

        path.write_text("models: [")  # not YAML
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: reloads(metrics)["refused"] == 1)
        assert list_models(server.address) == before
        code, log = server.stop()
    assert code == 0
    assert "configuration reloaded" in log
    assert "reload refused: invalid configuration" in log


def test_the_admin_key_is_read_from_the_named_variable_and_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    keys = (
        "auth:\n  api_keys:\n"
        "    - {id: ops, tenant: ops, roles: [admin], key_env: OPS_KEY}\n"
        "    - {id: team, tenant: team, roles: [invoke], key_env: TEAM_KEY}\n"
    )
    path.write_text(config(model("a"), head=keys))
    with server_process(path, env={"OPS_KEY": ADMIN_KEY, "TEAM_KEY": TEAM_KEY}) as server:
        path.write_text(config(model("a"), model("b"), head=keys))
        without = reload("--address", server.address)
        assert without.returncode == 1
        assert "UNAUTHENTICATED" in without.stderr
        as_team = reload("--address", server.address, env={"MODELROUTER_API_KEY": TEAM_KEY})
        assert as_team.returncode == 1
        assert "PERMISSION_DENIED" in as_team.stderr
        assert ids(list_models(server.address, key=TEAM_KEY)) == ["a"]

        done = reload("--address", server.address, "--api-key-env", "MY_ADMIN", env={"MY_ADMIN": ADMIN_KEY})
        assert done.returncode == 0, done.stderr
        assert ids(list_models(server.address, key=TEAM_KEY)) == ["a", "b"]
    for run in (without, as_team, done):
        assert ADMIN_KEY not in run.stdout + run.stderr
        assert TEAM_KEY not in run.stdout + run.stderr


def test_reload_speaks_tls_and_mtls_with_the_files_given(tmp_path: Path, pki: Pki) -> None:
    ca = pki.write("ca.pem", pki.ca.cert)
    cert, key = pki.write("server.pem", pki.server.cert), pki.write("server.key", pki.server.key)
    client_cert, client_key = (
        pki.write("client.pem", pki.client.cert),
        pki.write("client.key", pki.client.key),
    )
    head = f"server: {{tls: {{cert_file: {cert}, key_file: {key}, client_ca_file: {ca}}}}}\n"
    path = tmp_path / "router.yaml"
    path.write_text(config(model("a"), head=head))
    with server_process(path) as server:
        path.write_text(config(model("a"), model("b"), head=head))
        plaintext = reload("--address", server.address, "--timeout", "5")
        assert plaintext.returncode == 1
        no_client_cert = reload("--address", server.address, "--timeout", "5", "--ca-file", ca)
        assert no_client_cert.returncode == 1
        mtls = ("--ca-file", ca, "--cert-file", client_cert, "--key-file", client_key)
        done = reload("--address", server.address, *mtls)
        assert done.returncode == 0, done.stderr
        credentials = grpc.ssl_channel_credentials(pki.ca.cert, pki.client.key, pki.client.cert)
        assert ids(list_models(server.address, credentials)) == ["a", "b"]


def test_an_unreachable_server_is_one_line_and_exit_1() -> None:
    address = f"127.0.0.1:{free_port()}"  # free now: nothing listens there
    failed = reload("--address", address, "--timeout", "5")
    assert failed.returncode == 1
    assert failed.stdout == ""
    lines = failed.stderr.splitlines()
    assert len(lines) == 1, failed.stderr
    assert lines[0].startswith(f"{address}: reload failed: UNAVAILABLE: ")
