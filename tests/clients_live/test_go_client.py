"""The Go client as a user builds and runs it: clients/go/example compiled in GOPATH
mode against Debian's Go libraries, run against a live `modelrouter serve` that wants
mTLS and an API key (with the key, and refused UNAUTHENTICATED without it), and the
committed Go stubs checked against a fresh `tools/generate_go.sh` run.

Skipped when the Go toolchain, Debian's Go libraries, buf or the protoc plugins are
missing, except under CI=true, where each of them must be there."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
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
GO_CLIENT = ROOT / "clients" / "go"
IMPORT_PATH = "github.com/modelrouter/modelrouter/clients/go"
DEBIAN_GOPATH = Path("/usr/share/gocode")
# What the example needs from Debian (see clients/go/README.md). registry.go exists
# only in golang/protobuf 1.5, which grpc 1.33's codec needs for APIv2 messages.
GO_LIBS = {
    "golang-google-grpc-dev": "src/google.golang.org/grpc/clientconn.go",
    "golang-google-protobuf-dev": "src/google.golang.org/protobuf/proto/encode.go",
    "golang-google-genproto-dev": "src/google.golang.org/genproto/googleapis/rpc/errdetails",
    "golang-github-golang-protobuf-1-5-dev": "src/github.com/golang/protobuf/proto/registry.go",
}
APT_HINT = (
    "apt-get install golang-go protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev "
    "golang-google-genproto-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev"
)


def unavailable(what: str) -> NoReturn:
    live.unavailable(f"{what}", APT_HINT)


def go_env(gopath: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GO111MODULE="off", GOPATH=f"{gopath}:{DEBIAN_GOPATH}", GOFLAGS="", GOPROXY="off")
    if not any(env.get(k) for k in ("GOCACHE", "XDG_CACHE_HOME", "HOME")):
        env["GOCACHE"] = str(gopath / "cache")
    return env


@pytest.fixture(scope="module")
def example_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clients/go/example built as the README says: GOPATH mode, -tags legacygrpc."""
    go = shutil.which("go")
    if go is None:
        unavailable("go toolchain not installed: no `go` on PATH")
    missing = [pkg for pkg, path in GO_LIBS.items() if not (DEBIAN_GOPATH / path).exists()]
    if missing:
        unavailable(f"go toolchain not installed: Debian Go libraries missing: {', '.join(missing)}")
    gopath = tmp_path_factory.mktemp("gopath")
    link = gopath / "src" / IMPORT_PATH
    link.parent.mkdir(parents=True)
    link.symlink_to(GO_CLIENT, target_is_directory=True)
    binary = gopath / "bin" / "example"
    build = subprocess.run(
        [go, "build", "-tags", "legacygrpc", "-o", str(binary), f"{IMPORT_PATH}/example"],
        cwd=gopath,
        env=go_env(gopath),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, f"go build failed:\n{build.stdout}{build.stderr}"
    return binary


def run_example(binary: Path, address: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), "-address", address, "-timeout", "30s"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_go_example_against_live_server(example_binary: Path, server: SecuredServer) -> None:
    started = time.monotonic()
    run = run_example(example_binary, server.address, server.client_env())
    assert run.returncode == 0, f"example failed:\n{run.stdout}{run.stderr}"
    assert time.monotonic() - started < 30
    lines = run.stdout.splitlines()
    models = model_ids(server)

    decision = fields(next(line for line in lines if line.startswith("select: model=")))
    assert decision["model"] in models
    assert decision["strategy"] == "by-task"
    assert decision["deployment"]
    # Every registered model appears once: ranked or rejected.
    ranked = [fields(line)["model"] for line in lines if line.startswith("select: rank=")]
    rejected = [fields(line)["model"] for line in lines if line.startswith("select: rejected ")]
    assert ranked[0] == decision["model"]
    assert sorted(ranked + rejected) == sorted(models)

    stream = [line for line in lines if line.startswith("stream: ")]
    deltas = [line for line in stream if line.startswith("stream: delta ")]
    assert deltas, run.stdout
    assert stream[-1].startswith("stream: done "), "the stream must end with its done summary"
    assert sum(line.startswith("stream: done ") for line in stream) == 1
    done = fields(stream[-1])
    assert done["model"] in models
    assert int(done["output_tokens"]) > 0

    tool_round_trip(lines, server)
    feedback_sent(lines, server)

    stats = {fields(line)["model"]: fields(line) for line in lines if line.startswith("stats: model=")}
    assert set(stats) == models
    assert int(stats[done["model"]]["requests"]) >= 1

    error = next(line for line in lines if line.startswith("error: code="))
    assert fields(error)["code"] == "FailedPrecondition"
    assert fields(error)["reason"] == "NO_ELIGIBLE_MODEL"
    assert fields(error)["domain"] == "modelrouter.v1"


def test_go_example_without_the_key_is_refused(example_binary: Path, server: SecuredServer) -> None:
    run = run_example(example_binary, server.address, server.client_env(key=False))
    refused_unauthenticated(run.returncode, run.stdout, run.stderr)


def test_go_example_keeps_the_key_off_plaintext(example_binary: Path, server: SecuredServer) -> None:
    # Without MODELROUTER_CA_FILE the example speaks plaintext, and gRPC will not send
    # the key that way to another machine (192.0.2.1 is a documentation address): it
    # fails before connecting.
    run = run_example(example_binary, "192.0.2.1:50051", server.client_env(tls=False))
    assert run.returncode == 1
    assert "the credentials require transport level security" in run.stderr, run.stderr
    assert server.api_key not in run.stdout + run.stderr


def test_generated_go_stubs_are_current() -> None:
    buf = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    missing = [
        name
        for name, found in (
            ("buf (.tools/node_modules/.bin/buf or PATH)", buf.exists() or shutil.which("buf")),
            ("protoc-gen-go", shutil.which("protoc-gen-go")),
            ("protoc-gen-go-grpc", shutil.which("protoc-gen-go-grpc")),
        )
        if not found
    ]
    if missing:
        unavailable(f"buf or protoc plugins not installed: {', '.join(missing)}")
    check = subprocess.run(
        ["bash", str(ROOT / "tools" / "generate_go.sh"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
