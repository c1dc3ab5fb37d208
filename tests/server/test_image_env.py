"""The Docker image's environment, without a Docker engine: `modelrouter serve` run
the way the image runs it (its ENV, ENTRYPOINT and CMD, read from the Dockerfile so
the two cannot drift) as a non-root user whose home does not exist."""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
NO_HOME = "/nonexistent"
METRICS_PORT = "9464"

# Runs the CLI as the image's user would. The interpreter lives where only root
# may read it (/root/.pyenv here), so the child imports what `serve` needs while
# it is still root and then gives root up for good: from there on it is an
# unprivileged process, and every file it opens (the usage store above all) is
# opened as that user.
LAUNCH = """
import os, sys
import modelrouter.cli, modelrouter.logs, modelrouter.server, modelrouter.usage.store
import modelrouter.config.load
modelrouter.config.load.load_config()  # the built-in configuration's lazy imports
# In the image the package's files are world-readable; this checkout may lie in a
# directory only root can enter (a mktemp -d clone): read the built-in file now.
_default = modelrouter.config.load.default_config_text()
modelrouter.config.load.default_config_text = lambda: _default
uid, gid = int(sys.argv[1]), int(sys.argv[2])
if os.getuid() == 0:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
assert os.getuid() != 0 and os.geteuid() != 0
sys.exit(modelrouter.cli.main(sys.argv[3:]))
"""


def final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile's last stage, continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    instructions = [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from + 1 :]


def image_env() -> dict[str, str]:
    """Every ENV of the final stage, `$VAR` expanded as Docker does (PATH from the base image)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
    for op, args in final_stage():
        if op != "ENV":
            continue
        pairs = shlex.split(args)
        if "=" not in pairs[0]:  # the legacy `ENV KEY value` form
            pairs = [f"{pairs[0]}={args.split(None, 1)[1]}"]
        for pair in pairs:
            key, _, value = pair.partition("=")
            env[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), value)
    return env


def json_or_words(args: str) -> list[str]:
    return list(json.loads(args)) if args.startswith("[") else shlex.split(args)


def instruction(op: str) -> str:
    found = [args for o, args in final_stage() if o == op]
    assert found, f"the Dockerfile has no {op}"
    return found[-1]


def image_user() -> tuple[int, int]:
    """The uid and gid the test runs the server as: `nobody` when it runs as root."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def test_the_image_gives_its_user_a_state_directory_and_exposes_both_ports() -> None:
    env = image_env()
    state = env.get("XDG_STATE_HOME", "")
    assert state.startswith("/"), f"the Dockerfile sets no absolute XDG_STATE_HOME: {env}"
    assert state in json_or_words(instruction("VOLUME")), "the state directory is not a VOLUME"
    user = instruction("USER").split(":")[0]
    assert user not in ("root", "0")
    runs = " ".join(args for op, args in final_stage() if op == "RUN")
    assert f"mkdir -p {state}" in runs and re.search(rf"chown {user}(:\S+)? {re.escape(state)}", runs), runs
    assert set(instruction("EXPOSE").split()) >= {"50051", METRICS_PORT}


def image_command(address: str) -> list[str]:
    """ENTRYPOINT + CMD with the listening address replaced by `address`."""
    entry, cmd = json_or_words(instruction("ENTRYPOINT")), json_or_words(instruction("CMD"))
    assert entry == ["modelrouter"], entry
    assert cmd[:2] == ["serve", "--address"], cmd
    return [*cmd[:2], address, *cmd[3:]]


def run_as_image_user(args: list[str], env: dict[str, str], cwd: str) -> subprocess.Popen[str]:
    uid, gid = image_user()
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(uid), str(gid), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def child_env(image: dict[str, str]) -> dict[str, str]:
    """The image's ENV, with PATH kept for this checkout's interpreter and no home."""
    env = {k: v for k, v in image.items() if k != "PATH"}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    env["HOME"] = NO_HOME
    return env


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """A directory the image's user owns, standing in for the image's volume
    (under /tmp: pytest's tmp_path is readable by root only)."""
    path = Path(tempfile.mkdtemp(prefix="modelrouter-state-"))
    uid, gid = image_user()
    os.chown(path, uid, gid)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_serve_runs_as_the_image_does_with_no_home(state_dir: Path) -> None:
    assert not os.access(NO_HOME, os.F_OK), f"{NO_HOME} exists here: the test needs a home that does not"
    env = child_env(image_env())
    env["XDG_STATE_HOME"] = str(state_dir)
    proc = run_as_image_user(image_command("127.0.0.1:0"), env, str(state_dir))
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on 127.0.0.1:"), (line, proc.poll() and proc.stderr.read())
        address = line.removeprefix("listening on ")
        health = json_or_words(instruction("HEALTHCHECK").split("CMD", 1)[1].strip())
        assert health[:3] == ["modelrouter", "health", "--address"], health
        check = [sys.executable, "-m", "modelrouter", *health[1:3], address, *health[4:]]
        deadline = time.monotonic() + 30
        while True:
            answer = subprocess.run(check, capture_output=True, text=True, timeout=30)
            if answer.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.returncode == 0 and "SERVING" in answer.stdout, answer
        store = state_dir / "modelrouter" / "usage.sqlite"
        assert store.exists() and store.stat().st_uid == image_user()[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # The server says where its usage store is, once, on the line that says it serves.
    serving = [ln for ln in err.splitlines() if '"serving"' in ln or " serving " in f" {ln} "]
    assert len(serving) == 1 and str(store) in serving[0], err


def test_serve_fails_clearly_when_no_state_directory_is_writable(state_dir: Path) -> None:
    env = child_env(image_env())
    env.pop("XDG_STATE_HOME", None)
    proc = run_as_image_user(image_command("127.0.0.1:0"), env, str(state_dir))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("usage.path: "), err
    assert "Permission denied" in lines[0] and "XDG_STATE_HOME" in lines[0], err
