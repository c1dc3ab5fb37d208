"""What a caller is told of a failed attempt is the router's own short sentence
(outcome, HTTP status, the provider's error type), never an upstream's body, URL
or credential; the upstream's words go to the server's log, one warning per
failed attempt, with credentials redacted. And the access line of an answered
call says where it went and what it cost."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import pytest_asyncio

from modelrouter.redact import REDACTED, redact
from modelrouter_client._proto import router_pb2 as pb
from tests.providers import fake_anthropic as fa
from tests.providers import fake_openai as fo
from tests.support import Served, details_of, serving

PLANTED = "sk-live-PLANTED123456789"
"""A key an upstream quotes back in its error (as OpenAI's 401 does)."""
CONFIGURED = "sk-test-CONFIGURED987654321"
"""The key the router sends."""
USER = [pb.ChatMessage(role="user", content="hello")]

OPENAI_401 = json.dumps(
    {
        "error": {
            "message": f"Incorrect API key provided: Bearer {PLANTED}. Find your key at platform.example",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
)


def config(openai_url: str, anthropic_url: str) -> str:
    return f"""
server: {{max_attempts_per_model: 1, retry_backoff_s: 0.005, retry_backoff_max_s: 0.01}}
cache: {{default_policy: never}}
models:
  - {{id: gpt-bad, provider: openai, base_url: "{openai_url}", api_key_env: NO_LEAKS_KEY,
     context_window: 8000, timeout_s: 2, pricing: {{input_per_mtok: 1, output_per_mtok: 1}},
     quality: {{default: 0.95}}}}
  - {{id: claude-bad, provider: anthropic, base_url: "{anthropic_url}", api_key_env: NO_LEAKS_KEY,
     context_window: 8000, timeout_s: 2, pricing: {{input_per_mtok: 1, output_per_mtok: 1}},
     quality: {{default: 0.9}}}}
  - {{id: backup, provider: simulated, context_window: 8000,
     pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: 0.5}},
     simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: "from the backup"}}}}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def upstreams(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[fo.FakeOpenAI, fa.FakeAnthropic, Served]]:
    monkeypatch.setenv("NO_LEAKS_KEY", CONFIGURED)
    async with (
        fo.FakeOpenAI() as openai,
        fa.FakeAnthropic() as anthropic,
        serving(config(openai.base_url, anthropic.base_url)) as served,
    ):
        yield openai, anthropic, served


def ranked() -> pb.InvokeRequest:
    """A call that tries gpt-bad, then claude-bad, then backup (by quality)."""
    return pb.InvokeRequest(selection=pb.SelectRequest(strategy="task_based"), messages=USER)


def log_lines(served: Served) -> list[dict[str, Any]]:
    served.running.access_log.flush()
    return [json.loads(line) for line in served.log.getvalue().splitlines() if line.strip()]


def error_texts(err: grpc.aio.AioRpcError) -> list[str]:
    """Everything a failed call tells its caller."""
    details = details_of(err)
    return [
        str(err.code()),
        err.details() or "",
        repr(err.trailing_metadata()),
        repr(err.initial_metadata()),
        details.message,
        repr(details.metadata),
    ]


ATTEMPTS_SUMMARY = re.compile(r"[\w.-]+/[\w.-]+=[A-Z_]+(,[\w.-]+/[\w.-]+=[A-Z_]+)*")


async def test_no_upstream_body_url_or_key_reaches_a_caller_and_the_log_redacts_them(
    upstreams: tuple[fo.FakeOpenAI, fa.FakeAnthropic, Served],
) -> None:
    openai, anthropic, served = upstreams
    seen: list[str] = []  # every text a caller received

    # 1. Unary, falling back: a 401 quoting the key (OpenAI), an auth error naming it (Anthropic).
    openai.script(fo.Status(401, body=OPENAI_401))
    anthropic.then(fa.Status(401, "authentication_error", f"invalid x-api-key: {PLANTED}"))
    reply = await served.stub.Invoke(ranked(), timeout=10)
    assert reply.text == "from the backup"
    assert [(a.model, a.outcome) for a in reply.attempts] == [
        ("gpt-bad", "AUTH_FAILED"),
        ("claude-bad", "AUTH_FAILED"),
        ("backup", "OK"),
    ]
    assert reply.attempts[0].error == "AUTH_FAILED: HTTP 401 (invalid_request_error/invalid_api_key)"
    assert reply.attempts[1].error == "AUTH_FAILED: HTTP 401 (authentication_error)"
    seen.append(str(reply))

    # 2. Streamed, falling back: a garbage answer quoting the key, an SSE error event quoting it.
    openai.script(fo.Malformed(f'{{"choices": "garbage", "note": "Bearer {PLANTED}"}}'))
    anthropic.then(fa.StreamError("overloaded_error", f"Overloaded; key {PLANTED}", after_events=1))
    messages = [m async for m in served.stub.InvokeStream(pb.InvokeStreamRequest(**_fields(ranked())))]
    done = messages[-1].done
    assert done.model == "backup"
    assert [(a.model, a.outcome) for a in done.attempts][:2] == [
        ("gpt-bad", "BAD_RESPONSE"),
        ("claude-bad", "UNAVAILABLE"),
    ]
    assert done.attempts[1].error == "UNAVAILABLE: overloaded_error from the Messages API stream"
    seen += [str(m) for m in messages]

    # 3. Failing entirely, unary: a garbage body, then (the stream) an error event in an OpenAI stream.
    openai.script(fo.Malformed(f"not json at all, api_key={PLANTED}"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await served.stub.Invoke(pb.InvokeRequest(model="gpt-bad", messages=USER), timeout=10)
    details = details_of(caught.value)
    assert details.reason == "ALL_CANDIDATES_FAILED"
    assert ATTEMPTS_SUMMARY.fullmatch(details.metadata["attempts"]), details.metadata
    assert details.metadata["attempts"].endswith("=BAD_RESPONSE")
    seen += error_texts(caught.value)

    openai.script(fo.StreamError(f"upstream exploded; Authorization: Bearer {PLANTED}", after_chunks=0))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for message in served.stub.InvokeStream(
            pb.InvokeStreamRequest(model="gpt-bad", messages=USER), timeout=10
        ):
            seen.append(str(message))
    details = details_of(caught.value)
    assert details.reason == "ALL_CANDIDATES_FAILED"
    assert ATTEMPTS_SUMMARY.fullmatch(details.metadata["attempts"]), details.metadata
    seen += error_texts(caught.value)

    # 4. Anthropic failing entirely, streamed: an error status naming the key.
    anthropic.then(fa.Status(403, "permission_error", f"key {PLANTED} may not use this model"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for message in served.stub.InvokeStream(
            pb.InvokeStreamRequest(model="claude-bad", messages=USER), timeout=10
        ):
            seen.append(str(message))
    seen += error_texts(caught.value)

    # Nothing a caller saw holds a key, the upstream's words, or its URL.
    for text in seen:
        for secret in (PLANTED, CONFIGURED, "Incorrect API key", "127.0.0.1", "http://", "garbage"):
            assert secret not in text, (secret, text)

    # The log: one warning per failed attempt, with the upstream's words, redacted.
    lines = log_lines(served)
    logged = served.log.getvalue()
    assert PLANTED not in logged and CONFIGURED not in logged
    warnings = [line for line in lines if line.get("event") == "attempt failed"]
    assert all(w["level"] == "warning" for w in warnings)
    assert len(warnings) == 7, warnings
    assert {(w["model"], w["outcome"]) for w in warnings} == {
        ("gpt-bad", "AUTH_FAILED"),
        ("claude-bad", "AUTH_FAILED"),
        ("gpt-bad", "BAD_RESPONSE"),
        ("claude-bad", "UNAVAILABLE"),
        ("gpt-bad", "UNAVAILABLE"),
    }
    assert all(w["deployment"] for w in warnings)
    first = warnings[0]
    assert "Incorrect API key provided" in first["reason"] and REDACTED in first["reason"]
    assert openai.base_url in first["reason"]  # the URL is the log's, not the caller's
    assert all(REDACTED in w["reason"] for w in warnings), [w["reason"] for w in warnings]


def _fields(request: pb.InvokeRequest) -> dict[str, Any]:
    return {"selection": request.selection, "messages": request.messages}


async def test_a_failed_attempt_logs_a_warning_and_the_access_line_says_where_and_what_it_cost(
    upstreams: tuple[fo.FakeOpenAI, fa.FakeAnthropic, Served],
) -> None:
    openai, anthropic, served = upstreams
    openai.script(fo.Status(401, body=OPENAI_401))
    anthropic.then(fa.Reply())
    reply = await served.stub.Invoke(ranked(), timeout=10)
    assert reply.model == "claude-bad"
    lines = log_lines(served)
    warnings = [line for line in lines if line.get("event") == "attempt failed"]
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning["level"] == "warning"
    assert (warning["model"], warning["outcome"]) == ("gpt-bad", "AUTH_FAILED")
    assert warning["deployment"] == reply.attempts[0].deployment
    access = [line for line in lines if line.get("event") == "call" and line["rpc"] == "Invoke"]
    assert len(access) == 1
    line = access[0]
    assert line["outcome"] == "OK" and line["model"] == "claude-bad"
    assert line["deployment"] == reply.attempts[-1].deployment
    assert (line["input_tokens"], line["output_tokens"]) == (12, 5)
    assert line["cost_usd"] == pytest.approx(reply.usage.cost_usd)
    assert line["cache_hit"] is False
    # An answered call logs no warning at all: the OK path stays free of logging.
    anthropic.then(fa.Reply())
    await served.stub.Invoke(pb.InvokeRequest(model="claude-bad", messages=USER), timeout=10)
    assert [line for line in log_lines(served) if line.get("level") == "warning"] == warnings


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Authorization: Bearer abc.DEF-123_xyz", "Authorization: Bearer "),
        ("Incorrect API key provided: sk-proj-AbC123dEf456", "Incorrect API key provided: "),
        ("key sk-ant-api03-AAAA_bbbb-CCCC used", "key "),
        ("GET https://host/v1/models?key=AIzaSyD-secret&alt=json", "GET https://host/v1/models?key="),
        ("https://host/x?foo=1&api_key=s3cr3t", "https://host/x?foo=1&api_key="),
        ('{"x-api-key": "abcdef123456"}', '{"x-api-key": "'),
        ("x-api-key=abcdef123456", "x-api-key="),
        ("api_key: hunter2", "api_key: "),
    ],
)
def test_redact_hides_credentials(text: str, kept: str) -> None:
    redacted = redact(text)
    assert REDACTED in redacted and redacted.startswith(kept)
    for secret in (
        "abc.DEF-123_xyz",
        "AbC123dEf456",
        "AAAA_bbbb",
        "AIzaSyD",
        "s3cr3t",
        "abcdef123456",
        "hunter2",
    ):
        assert secret not in redacted


def test_redact_leaves_other_text_alone() -> None:
    text = "HTTP 503 from http://127.0.0.1:8080/v1/chat/completions: task-based risk-free; monkey=1"
    assert redact(text) == text
