"""The Node client as a user runs it: `npm ci` in clients/node, clients/node/example.js
against a live `modelrouter serve` that wants mTLS and an API key (with the key, and
refused UNAUTHENTICATED without it), the example type-checked against the generated
types, and the committed protos and types checked against a fresh
`tools/generate_node.sh --check`.

Skipped when node or npm is missing, except under CI=true, where both must be there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

from tests.clients_live import live
from tests.clients_live.live import (
    SecuredServer,
    feedback_sent,
    fields,
    model_ids,
    refused_unauthenticated,
    tool_round_trip,
)

ROOT = Path(__file__).resolve().parents[2]
NODE_CLIENT = ROOT / "clients" / "node"
INSTALL_HINT = "apt-get install nodejs npm (Node 20 or later)"


def unavailable(what: str) -> NoReturn:
    live.unavailable(f"{what}", INSTALL_HINT)


@pytest.fixture(scope="module")
def node() -> str:
    """The `node` binary, with clients/node's dependencies installed (`npm ci`)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        unavailable(f"node not installed: no {missing} on PATH")
        raise AssertionError("unreachable")
    if not (NODE_CLIENT / "node_modules" / "@grpc" / "grpc-js").is_dir():
        install = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_CLIENT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if install.returncode != 0:
            unavailable(f"node not installed: `npm ci` in clients/node failed:\n{install.stderr[-2000:]}")
    return node


def starting(lines: list[str], prefix: str) -> list[dict[str, str]]:
    return [fields(line) for line in lines if line.startswith(prefix)]


def run_example(node: str, address: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, "example.js", address],
        cwd=NODE_CLIENT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_node_example_against_live_server(node: str, server: SecuredServer) -> None:
    run = run_example(node, server.address, server.client_env())
    assert run.returncode == 0, f"example failed:\n{run.stdout}{run.stderr}"
    lines = run.stdout.splitlines()
    models = model_ids(server)

    (decision,) = starting(lines, "select: model=")
    assert decision["model"] in models
    assert decision["strategy"] == "by-task"
    assert decision["deployment"]
    ranked = [f["model"] for f in starting(lines, "select: rank=")]
    rejected = starting(lines, "select: rejected ")
    assert ranked[0] == decision["model"]
    # Every registered model appears once: ranked or rejected.
    assert sorted(ranked + [f["model"] for f in rejected]) == sorted(models)
    assert {f["reason"] for f in rejected} == {"MISSING_CAPABILITY"}

    stream = [line for line in lines if line.startswith("stream: ")]
    assert any(line.startswith('stream: delta "') for line in stream), run.stdout
    assert stream[-1].startswith("stream: done "), "the stream must end with its done summary"
    assert sum(line.startswith("stream: done ") for line in stream) == 1
    done = fields(stream[-1])
    assert done["model"] in models
    assert done["deployment"]
    assert int(done["output_tokens"]) > 0
    assert float(done["cost_usd"]) > 0

    tool_round_trip(lines, server)
    feedback_sent(lines, server)

    stats = {f["model"]: f for f in starting(lines, "stats: model=")}
    assert set(stats) == models
    assert int(stats[done["model"]]["requests"]) >= 1

    (error,) = starting(lines, "error: code=")
    assert error == {"code": "FAILED_PRECONDITION", "reason": "NO_ELIGIBLE_MODEL", "domain": "modelrouter.v1"}
    violations = starting(lines, "error: rejected ")
    assert sorted(f["model"] for f in violations) == sorted(models)


def test_node_example_without_the_key_is_refused(node: str, server: SecuredServer) -> None:
    run = run_example(node, server.address, server.client_env(key=False))
    refused_unauthenticated(run.returncode, run.stdout, run.stderr)


def test_node_example_keeps_the_key_off_plaintext(node: str, server: SecuredServer) -> None:
    # Without MODELROUTER_CA_FILE the example speaks plaintext, and sends the key that
    # way only to this machine (192.0.2.1 is a documentation address): it stops first.
    run = run_example(node, "192.0.2.1:50051", server.client_env(tls=False))
    assert run.returncode == 1
    assert "MODELROUTER_API_KEY is sent only over TLS" in run.stderr, run.stderr
    assert server.api_key not in run.stdout + run.stderr


def test_node_example_typechecks_against_generated_types(node: str) -> None:
    tsc = NODE_CLIENT / "node_modules" / "typescript" / "bin" / "tsc"
    check = subprocess.run(
        [node, str(tsc), "-p", "jsconfig.json"], cwd=NODE_CLIENT, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_generated_node_types_are_current(node: str) -> None:
    check = subprocess.run(
        ["bash", str(ROOT / "tools" / "generate_node.sh"), "--check"],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
