"""The README's grpcurl walkthrough, run as written but for the port; and its
subsection with an API key and TLS, run against a server made as it says: its
openssl lines make the certificates, its YAML goes into the default configuration,
and the key is one of the test's own in $MODELROUTER_KEY."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelrouter.config.load import default_config_text, parse_config
from modelrouter_client._proto import router_pb2 as pb
from tests.clients_live.live import unavailable
from tests.support import Served, serving

ROOT = Path(__file__).resolve().parents[2]
GRPCURL = Path(sys.executable).parent / "grpcurl"
SECURED = "### With an API key and TLS"


def section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("## Try it with grpcurl", 1)[1].split("\n## ", 1)[0]


def grpcurl_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(".venv/bin/grpcurl ")]


CAPTURE = "ID=$(.venv/bin/grpcurl "
"""A walkthrough line that keeps a decision id in $ID for the lines after it."""


def walkthrough() -> list[str]:
    """The grpcurl lines of the README's walkthrough section, before the key and TLS
    (the line that captures $ID included)."""
    text = section().split(SECURED, 1)[0]
    return [line for line in text.splitlines() if line.startswith((".venv/bin/grpcurl ", CAPTURE))]


def secured() -> str:
    """The walkthrough's subsection with an API key and TLS."""
    parts = section().split(SECURED, 1)
    assert len(parts) == 2, f"the grpcurl section has no {SECURED!r}"
    return parts[1]


def run(line: str, address: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(line.replace("127.0.0.1:50051", address))
    argv[0] = str(GRPCURL)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd)


def capture(line: str, address: str) -> subprocess.CompletedProcess[str]:
    """Runs the line that sets $ID as a shell would (its pipe into Python included)
    and prints $ID."""
    script = (
        line.replace("127.0.0.1:50051", address)
        .replace(".venv/bin/grpcurl ", f"{shlex.quote(str(GRPCURL))} ")
        .replace(".venv/bin/python ", f"{shlex.quote(sys.executable)} ")
    )
    return subprocess.run(
        ["bash", "-c", f'{script} && printf %s "$ID"'], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_the_readme_has_a_walkthrough() -> None:
    commands = walkthrough()
    assert len(commands) >= 7
    for needed in (
        " list",
        " describe ",
        "Health/Check",
        "/Select",
        "/ListModels",
        "/Invoke ",
        "/InvokeStream",
        "/Stats",
        "/Feedback",
    ):
        assert any(c.endswith(needed.strip()) or needed in c for c in commands), needed
    assert any('"tools": [' in c and c.endswith("/Invoke") for c in commands), "no Invoke with tools"


@pytest.mark.skipif(not GRPCURL.exists() and os.environ.get("CI") != "true", reason="grpcurl not installed")
async def test_every_grpcurl_command_works_as_written() -> None:
    # A server of its own: the walkthrough invokes models, which moves their
    # observed latency, and the session's default server must not see that.
    async with serving() as served:
        await _walkthrough(served)


async def _walkthrough(default_server: Served) -> None:
    outputs = {}
    decision_id = ""
    for line in walkthrough():
        # The server runs on this event loop: wait for grpcurl off the loop.
        if line.startswith(CAPTURE):
            result = await asyncio.to_thread(capture, line, default_server.address)
            decision_id = result.stdout
        else:
            result = await asyncio.to_thread(run, line.replace("$ID", decision_id), default_server.address)
        outputs[line] = result
    (
        listing,
        describe,
        health,
        select,
        select_eu,
        models,
        invoke,
        stream,
        stats,
        impossible,
        tools,
        captured,
        feedback,
        feedback_again,
    ) = outputs.values()
    for result in (
        listing,
        describe,
        health,
        select,
        select_eu,
        models,
        invoke,
        stream,
        stats,
        tools,
        captured,
        feedback,
    ):
        assert result.returncode == 0, result.stderr
    assert "modelrouter.v1.RouterService" in listing.stdout and "grpc.health.v1.Health" in listing.stdout
    assert "rpc Select ( .modelrouter.v1.SelectRequest )" in describe.stdout
    assert json.loads(health.stdout) == {"status": "SERVING"}
    decision = json.loads(select.stdout)["decision"]
    assert (decision["model"], decision["strategy"]) == ("code-specialist", "by-task")
    assert {"model": "nano-fast", "reason": "MISSING_CAPABILITY", "detail": "lacks tools"} in decision[
        "rejected"
    ]
    eu = json.loads(select_eu.stdout)["decision"]
    assert eu["model"] == "mini-general"
    assert len(json.loads(models.stdout)["models"]) == 9
    answer = json.loads(invoke.stdout)
    assert answer["model"] == "code-specialist" and answer["text"], answer
    assert int(answer["usage"]["output_tokens"]) > 0, answer
    assert answer["attempts"][0]["outcome"] == "OK" and answer["decision"]["model"] == "code-specialist"
    again = json.loads(
        (await asyncio.to_thread(run, commands_with("/Invoke"), default_server.address)).stdout
    )
    assert again["cache_hit"] is True and again["text"] == answer["text"] and "attempts" not in again
    messages = [json.loads(chunk) for chunk in _json_objects(stream.stdout)]
    assert len(messages) >= 3 and all("delta" in m for m in messages[:-1])
    assert "".join(m["delta"] for m in messages[:-1]) == "Stream this answer back to me"
    assert messages[-1]["done"]["model"] == "turbo-chat"
    (code,) = json.loads(stats.stdout)["models"]
    assert code["model"] == "code-specialist" and int(code["requests"]) >= 1 and "recent" in code
    assert impossible.returncode != 0
    assert "NO_ELIGIBLE_MODEL" in impossible.stderr and "PreconditionFailure" in impossible.stderr
    # The Invoke with a tool: the cheapest model with tools calls it, for the city named.
    called = json.loads(tools.stdout)
    assert (called["model"], called["finish_reason"]) == ("mini-general", "tool_calls"), called
    (call,) = called["tool_calls"]
    assert call["name"] == "get_weather" and call["id"], call
    assert json.loads(call["arguments"]) == {"city": "Paris"}
    # The basic decision view: the chosen model, no ranking of the others, no rejections.
    assert called["decision"]["model"] == "mini-general" and "rejected" not in called["decision"]
    assert [m["model"] for m in called["decision"]["ranking"]] == ["mini-general"]
    # Feedback on the Select's decision, by the id the shell kept: taken once, then refused.
    assert decision_id and decision_id.strip() == decision_id, repr(decision_id)
    assert json.loads(feedback.stdout) == {}
    assert feedback_again.returncode != 0
    assert "Code: AlreadyExists" in feedback_again.stderr, feedback_again.stderr
    assert "FEEDBACK_EXISTS" in feedback_again.stderr, feedback_again.stderr
    learned = await default_server.stub.Stats(pb.StatsRequest(models=["code-specialist"]), timeout=10)
    assert [(q.task, q.scores) for q in learned.models[0].learned] == [("code", 1)]


@pytest.mark.skipif(not GRPCURL.exists() and os.environ.get("CI") != "true", reason="grpcurl not installed")
async def test_the_key_and_tls_lines_work_as_written(tmp_path: Path) -> None:
    text = secured()
    openssl = [line for line in text.splitlines() if line.startswith("openssl ")]
    assert len(openssl) == 3, openssl
    if shutil.which("openssl") is None:
        unavailable("openssl not installed", "apt-get install openssl")
    for line in openssl:  # the CA, and the server's key and certificate, in tmp_path
        made = await asyncio.to_thread(
            subprocess.run, shlex.split(line), cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert made.returncode == 0, f"{line}\n{made.stderr}"

    # secure.yaml: the README's YAML added to the default configuration, the file
    # names made absolute (they are relative to the directory the server runs in).
    (fragment,) = re.findall(r"^```yaml\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    added: dict[str, Any] = yaml.safe_load(fragment)
    assert set(added) == {"server", "auth"} and set(added["server"]) == {"tls"}, added
    config: dict[str, Any] = yaml.safe_load(default_config_text())
    config["server"]["tls"] = {name: str(tmp_path / file) for name, file in added["server"]["tls"].items()}
    config["auth"] = added["auth"]
    assert "export MODELROUTER_KEY=" in text
    key = secrets.token_hex(24)
    served_config = parse_config(yaml.safe_dump(config), "secure.yaml", env={"MODELROUTER_KEY": key})

    lines = grpcurl_lines(text)
    assert all("-plaintext" not in line and "-cacert ca.pem" in line for line in lines), lines
    async with serving(served_config) as served:
        outputs = [
            await asyncio.to_thread(run, line.replace("$MODELROUTER_KEY", key), served.address, tmp_path)
            for line in lines
        ]
        log = served.log.getvalue()
    listing, select, refused, health = outputs
    for result in (listing, select, health):
        assert result.returncode == 0, result.stderr
    assert len(json.loads(listing.stdout)["models"]) == 9
    assert json.loads(select.stdout)["decision"]["model"]
    assert "$MODELROUTER_KEY" in lines[0] and "$MODELROUTER_KEY" not in lines[2]
    assert refused.returncode != 0
    assert "Code: Unauthenticated" in refused.stderr and '"reason":"UNAUTHENTICATED"' in refused.stderr, (
        refused.stderr
    )
    assert json.loads(health.stdout) == {"status": "SERVING"}
    assert all(key not in r.stdout + r.stderr for r in outputs) and key not in log


def commands_with(ending: str) -> str:
    return next(c for c in walkthrough() if c.endswith(ending))


def _json_objects(text: str) -> list[str]:
    """grpcurl prints a stream's messages as JSON objects one after another."""
    decoder, objects, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        obj, end = decoder.raw_decode(text, i)
        objects.append(json.dumps(obj))
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return objects


def python_example() -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- python-example -->\n```python\n", 1)[1]
    return block.split("```", 1)[0]


async def test_the_python_example_runs_as_written(default_server: Served) -> None:
    source = python_example().replace("127.0.0.1:50051", default_server.address)
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", source], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("code-specialist default $0.000884")
    assert lines[1].startswith("  ranked code-specialist 0.92")
    assert "  rejected nano-fast MISSING_CAPABILITY lacks tools" in lines
    assert lines[-1] == "NO_ELIGIBLE_MODEL ['MISSING_CAPABILITY']"
