"""What the Go, Java and Node example tests share: skipping (or, under CI=true,
failing) for a missing toolchain, the server the examples call (the built-in
configuration behind mTLS and an API key), the ids of its models, reading the
examples' `step: key=value ...` lines, and checking their tool call round trip and
the feedback on its answer."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

from modelrouter.config.load import default_config_text
from modelrouter_client import AlreadyExistsError, Router
from tests.pki import Pki

KEY_ENV = "MODELROUTER_EXAMPLES_KEY"
"""The variable the server reads the examples' API key from (`key_env`)."""


def unavailable(what: str, hint: str) -> NoReturn:
    """Skips the test for a missing tool, saying which; under CI=true, where every
    toolchain must be there, fails instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but {what} ({hint})")
    pytest.skip(f"skipped: {what} ({hint})")


def secured_config(pki: Pki, directory: Path) -> Path:
    """The built-in configuration with `server.tls` (the test CA's server certificate,
    and client certificates that CA signed required: mTLS) and one API key, read by
    the server from $KEY_ENV; written to `directory`, its path returned."""
    config: dict[str, Any] = yaml.safe_load(default_config_text())
    config["server"]["tls"] = {
        "cert_file": pki.write("server.pem", pki.server.cert),
        "key_file": pki.write("server.key", pki.server.key),
        "client_ca_file": pki.write("ca.pem", pki.ca.cert),
    }
    config["auth"] = {
        "api_keys": [{"id": "examples", "tenant": "examples", "roles": ["invoke"], "key_env": KEY_ENV}]
    }
    path = directory / "secured.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@dataclass(frozen=True)
class SecuredServer:
    """A live server that wants TLS, a client certificate and an API key, and what a
    client needs to call it."""

    address: str
    api_key: str
    pki: Pki

    def client_env(self, *, key: bool = True, tls: bool = True) -> dict[str, str]:
        """The environment an example runs in: the CA, the client certificate and its
        key as files (unless tls=False), and the API key (unless key=False)."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("MODELROUTER_")}
        if tls:
            env["MODELROUTER_CA_FILE"] = self.pki.write("ca.pem", self.pki.ca.cert)
            env["MODELROUTER_CERT_FILE"] = self.pki.write("client.pem", self.pki.client.cert)
            env["MODELROUTER_KEY_FILE"] = self.pki.write("client.key", self.pki.client.key)
        if key:
            env["MODELROUTER_API_KEY"] = self.api_key
        return env

    def router(self) -> Router:
        """The Python client, for what the tests check behind the examples."""
        return Router(
            self.address,
            root_certificates=self.pki.ca.cert,
            private_key=self.pki.client.key,
            certificate_chain=self.pki.client.cert,
            api_key=self.api_key,
        )


def model_ids(server: SecuredServer, capability: str | None = None) -> set[str]:
    """The ids of the server's models (only those with `capability`, when given)."""
    with server.router() as router:
        return {m.id for m in router.list_models(timeout=10) if capability in (None, *m.capabilities)}


def tool_round_trip(lines: list[str], server: SecuredServer) -> None:
    """The examples' tool call round trip, as they print it: one `tool_call:` line (a
    model with tools called get_weather for the city the user named; `arguments=` last,
    as JSON), then one `tool_result:` line (that model's answer to the result the
    example sent back; `text=` last, quoted), in that order."""
    with_tools = model_ids(server, "tools")
    (call_line,) = [line for line in lines if line.startswith("tool_call: ")]
    (result_line,) = [line for line in lines if line.startswith("tool_result: ")]
    assert lines.index(call_line) < lines.index(result_line)
    head, arguments = call_line.split(" arguments=", 1)
    call = fields(head)
    assert call["model"] in with_tools, call_line
    assert (call["finish_reason"], call["name"]) == ("tool_calls", "get_weather"), call_line
    assert call["id"], call_line
    assert json.loads(arguments) == {"city": "Paris"}, call_line
    head, quoted = result_line.split(" text=", 1)
    result = fields(head)
    assert result["model"] in with_tools and result["finish_reason"] == "stop", result_line
    # The answer is made from the tool's result: the forecast the example sent.
    assert '"temperature_c":21' in json.loads(quoted), result_line


def feedback_sent(lines: list[str], server: SecuredServer) -> None:
    """The examples' Feedback, as they print it: one `feedback: sent` line after the
    tool call round trip, naming the decision of its answer and the model that gave
    it. The score landed under the examples' tenant: the server has learned from it,
    and refuses a second score for that decision."""
    (line,) = [line for line in lines if line.startswith("feedback: ")]
    (result_line,) = [line for line in lines if line.startswith("tool_result: ")]
    assert line.startswith("feedback: sent ") and lines.index(result_line) < lines.index(line), line
    sent = fields(line)
    assert sent["decision_id"] and sent["score"] == "1", line
    assert sent["model"] == fields(result_line.split(" text=", 1)[0])["model"], line
    with server.router() as router:
        (stats,) = router.stats(models=[sent["model"]], timeout=10).models
        with pytest.raises(AlreadyExistsError) as second:
            router.feedback(sent["decision_id"], 1, timeout=10)
    assert second.value.reason == "FEEDBACK_EXISTS"
    assert any(q.tenant == "examples" and q.scores >= 1 for q in stats.learned), stats.learned


def refused_unauthenticated(returncode: int, stdout: str, stderr: str) -> None:
    """An example run without the key: it stops at its first call, exit status 1, and
    says UNAUTHENTICATED (the code, in the language's spelling, and the reason)."""
    assert returncode == 1, f"expected exit status 1:\n{stdout}{stderr}"
    assert not stdout.strip(), f"nothing should have been answered:\n{stdout}"
    (failed,) = [line for line in stderr.splitlines() if line.startswith(("fatal: code=", "failed: code="))]
    assert fields(failed)["code"].upper() == "UNAUTHENTICATED", stderr
    assert fields(failed)["reason"].rstrip(":") == "UNAUTHENTICATED", stderr


def fields(line: str) -> dict[str, str]:
    """`step: a=1 b=2` -> {"a": "1", "b": "2"}."""
    return dict(word.split("=", 1) for word in line.split() if "=" in word)
