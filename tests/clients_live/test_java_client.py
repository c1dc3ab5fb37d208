"""The Java client as a user builds and runs it: clients/java compiled by
clients/java/build.sh (plain javac against Debian's jars), its example run against a
live `modelrouter serve` that wants mTLS and an API key (with the key, and refused
UNAUTHENTICATED without it), and the committed generated classes checked against a
fresh `tools/generate_java.sh` run.

Skipped when the JDK, Debian's jars, buf or the protoc plugins are missing, except
under CI=true, where each of them must be there."""

from __future__ import annotations

import shutil
import subprocess
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
JAVA_CLIENT = ROOT / "clients" / "java"
BUILD = JAVA_CLIENT / "build.sh"
MAIN_CLASS = "dev.modelrouter.example.Example"
APT_HINT = (
    "apt-get install openjdk-17-jdk-headless protobuf-compiler protobuf-compiler-grpc-java-plugin "
    "libprotobuf-java libgrpc-java libnetty-java libnetty-tcnative-java libperfmark-java "
    "libgoogle-common-protos-java libguava-java libgeronimo-annotation-1.3-spec-java"
)


def unavailable(what: str) -> NoReturn:
    live.unavailable(f"java toolchain/jars not installed: {what}", APT_HINT)


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The client compiled into a scratch folder by build.sh; the classpath to run it with."""
    check = subprocess.run(
        ["bash", str(BUILD), "--check-toolchain"], capture_output=True, text=True, timeout=60
    )
    if check.returncode != 0:
        unavailable(", ".join(check.stdout.split("\n")).strip(", ") or check.stderr.strip())
    out = tmp_path_factory.mktemp("java-classes")
    build = subprocess.run(["bash", str(BUILD), str(out)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"build.sh failed:\n{build.stdout}{build.stderr}"
    assert (out / "dev" / "modelrouter" / "example" / "Example.class").exists()
    printed = subprocess.run(
        ["bash", str(BUILD), "--classpath", str(out)], capture_output=True, text=True, timeout=60, check=True
    )
    return printed.stdout.strip()


def run_example(classpath: str, address: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    java = shutil.which("java")
    assert java is not None
    return subprocess.run(
        [java, "-cp", classpath, MAIN_CLASS, address], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_java_example_against_live_server(classpath: str, server: SecuredServer) -> None:
    run = run_example(classpath, server.address, server.client_env())
    assert run.returncode == 0, f"example failed:\n{run.stdout}{run.stderr}"
    lines = run.stdout.splitlines()
    models = model_ids(server)

    decision = fields(next(line for line in lines if line.startswith("select: model=")))
    assert decision["model"] in models
    assert decision["deployment"]
    assert decision["strategy"] == "by-task"
    # Every registered model appears once: in the ranking (chosen one first) or rejected.
    ranking = fields(next(line for line in lines if line.startswith("select: ranking=")))["ranking"]
    rejected = fields(next(line for line in lines if line.startswith("select: rejected=")))["rejected"]
    ranked = [entry.split(":")[0] for entry in ranking.split(",") if entry]
    refused = [entry.split(":")[0] for entry in rejected.split(",") if entry]
    assert ranked[0] == decision["model"]
    assert sorted(ranked + refused) == sorted(models)
    assert "MISSING_CAPABILITY" in rejected  # the default registry has models without tools

    stream = [line for line in lines if line.startswith("stream: ")]
    deltas = [line for line in stream if line.startswith("stream: delta=")]
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

    error = fields(next(line for line in lines if line.startswith("error: code=")))
    assert error["code"] == "FAILED_PRECONDITION"
    assert error["reason"] == "NO_ELIGIBLE_MODEL"
    assert error["domain"] == "modelrouter.v1"


@pytest.mark.slow
def test_java_example_without_the_key_is_refused(classpath: str, server: SecuredServer) -> None:
    run = run_example(classpath, server.address, server.client_env(key=False))
    refused_unauthenticated(run.returncode, run.stdout, run.stderr)


def test_generated_java_classes_are_current() -> None:
    buf = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    missing = [
        name
        for name, found in (
            ("buf (.tools/node_modules/.bin/buf, or npm to install it)", buf.exists() or shutil.which("npm")),
            ("/usr/bin/protoc (protobuf-compiler)", Path("/usr/bin/protoc").exists()),
            (
                "/usr/bin/grpc_java_plugin (protobuf-compiler-grpc-java-plugin)",
                Path("/usr/bin/grpc_java_plugin").exists(),
            ),
        )
        if not found
    ]
    if missing:
        unavailable(", ".join(missing))
    check = subprocess.run(
        ["bash", str(ROOT / "tools" / "generate_java.sh"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
