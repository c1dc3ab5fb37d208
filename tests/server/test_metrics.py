"""Prometheus metrics: `curl` of the metrics port shows every series, with the
figures of the calls the test made; and logs never hold API keys or message
contents unless `server.log_content` says so."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import aiohttp
import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.providers.fake_openai import FakeOpenAI
from tests.support import free_port, server_process, serving

CONFIG = """
metrics: {address: "127.0.0.1:PORT"}
budgets: {overall: {daily_usd: 5}}
cache: {default_policy: always}
models:
  - id: watched
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 1, output_per_mtok: 2}
    quality: {default: 0.8}
    simulate: {ttft_ms: 20, tokens_per_s: 100000}
    deployments: [{name: a}, {name: b}]
"""


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text format."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name} {labels} in:\n{text}")


def test_curl_of_the_metrics_port_shows_the_series(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "metrics.yaml"
    config.write_text(CONFIG.replace("PORT", str(port)))
    with server_process(config) as server:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.RouterServiceStub(channel)
            replies = [
                stub.Invoke(
                    pb.InvokeRequest(
                        model="watched", messages=[pb.ChatMessage(role="user", content=f"m{i % 3}")]
                    ),
                    timeout=10,
                )
                for i in range(6)
            ]
        body = subprocess.run(
            ["curl", "-sS", "--fail", f"http://127.0.0.1:{port}/metrics"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    called = [r for r in replies if not r.cache_hit]
    assert len(called) == 3
    ok = sum(
        sample(body, "modelrouter_requests_total", model="watched", deployment=d, outcome="OK") for d in "ab"
    )
    assert ok == 3
    assert (
        sum(
            sample(body, "modelrouter_request_duration_seconds_count", model="watched", deployment=d)
            for d in "ab"
        )
        == 3
    )
    assert (
        sample(
            body, "modelrouter_request_duration_seconds_bucket", model="watched", deployment="a", le="+Inf"
        )
        >= 0
    )
    tokens = sum(sample(body, "modelrouter_tokens_total", deployment=d, direction="output") for d in "ab")
    assert tokens == sum(r.usage.output_tokens for r in called)
    cost = sum(sample(body, "modelrouter_cost_usd_total", deployment=d) for d in "ab")
    assert abs(cost - sum(r.usage.cost_usd for r in called)) < 1e-12
    assert sample(body, "modelrouter_cache_lookups_total", cache="response", result="hit") == 3
    assert sample(body, "modelrouter_cache_lookups_total", cache="response", result="miss") == 3
    assert sample(body, "modelrouter_cache_entries", cache="response") == 3
    assert sample(body, "modelrouter_health", model="watched", deployment="a", state="healthy") == 1
    assert sample(body, "modelrouter_circuit_state", model="watched", deployment="b", state="closed") == 1
    assert sample(body, "modelrouter_in_flight", model="watched", deployment="a") == 0
    assert sample(body, "modelrouter_selections_total", model="watched", deployment="a") >= 0
    assert sample(body, "modelrouter_budget_limit_usd", scope="*", period="day") == 5
    assert sample(body, "modelrouter_budget_spent_usd", scope="*", period="day") > 0


SECRET_KEY = "sk-test-very-secret-0123456789"
SECRET_TEXT = "my private medical question about zebras"


@pytest.mark.parametrize("debug", [False, True])
async def test_logs_hold_no_keys_or_contents_unless_debug_says_so(
    debug: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_KEY", SECRET_KEY)
    async with FakeOpenAI() as upstream:
        config = (
            f"server: {{log_content: {str(debug).lower()}}}\n"
            "models:\n"
            f"  - {{id: keyed, provider: openai, base_url: '{upstream.base_url}', api_key_env: TEST_KEY,\n"
            "     context_window: 8000, pricing: {input_per_mtok: 1, output_per_mtok: 1},\n"
            "     quality: {default: 0.5}}\n"
        )
        async with serving(config) as served:
            request = pb.InvokeRequest(
                model="keyed", messages=[pb.ChatMessage(role="user", content=SECRET_TEXT)]
            )
            assert (await served.stub.Invoke(request, timeout=10)).text
            async for _ in served.stub.InvokeStream(
                pb.InvokeStreamRequest(model="keyed", messages=request.messages)
            ):
                pass
            with pytest.raises(grpc.aio.AioRpcError):  # an error path logs too
                await served.stub.Invoke(
                    pb.InvokeRequest(
                        model="keyed", messages=[pb.ChatMessage(role="robot", content=SECRET_TEXT)]
                    )
                )
            served.running.access_log.flush()
            served.running.router.usage.book.fold()
            logs = served.log.getvalue()
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {SECRET_KEY}"  # the key was sent...
    assert SECRET_KEY not in logs  # ...and never logged
    assert '"rpc":"Invoke"' in logs
    assert (SECRET_TEXT in logs) is debug


REFUSING = """
metrics: {address: "127.0.0.1:0"}
cache: {default_policy: never}
budgets: {models: {metered: {daily_usd: 0.015}}}
models:
  - id: metered
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 0, output_per_mtok: 1000}
    quality: {default: 0.9}
    simulate: {ttft_ms: 100, tokens_per_s: 100000, reply: "REPLY"}
""".replace("REPLY", "y" * 40)


async def scrape(port: int) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        return await response.text()


def calls_of(text: str, **labels: str) -> float:
    try:
        return sample(text, "modelrouter_calls_total", **labels)
    except AssertionError:
        return 0.0  # the counter is this process's: a series appears with its first call


async def test_budget_refusals_and_calls_by_status_are_counted_with_the_process_figures() -> None:
    async with serving(REFUSING) as served:
        assert served.running.metrics is not None
        port = served.running.metrics.port
        before = await scrape(port)
        assert sample(before, "modelrouter_refused_total", model="metered", reason="OVER_BUDGET") == 0
        exceeded = {"rpc": "Invoke", "code": "RESOURCE_EXHAUSTED", "reason": "BUDGET_EXCEEDED"}
        answered = {"rpc": "Invoke", "code": "OK", "reason": ""}
        # Each call reserves $0.01 of the $0.015: two at once, and the second is refused.
        request = pb.InvokeRequest(
            model="metered", messages=[pb.ChatMessage(role="user", content="hi")], max_output_tokens=10
        )
        results = await asyncio.gather(
            served.stub.Invoke(request, timeout=10),
            served.stub.Invoke(request, timeout=10),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(errors) == 1 and errors[0].code() == grpc.StatusCode.RESOURCE_EXHAUSTED, results
        with pytest.raises(grpc.aio.AioRpcError):
            await served.stub.Select(pb.SelectRequest(strategy="nope"), timeout=10)
        after = await scrape(port)
    assert sample(after, "modelrouter_refused_total", model="metered", reason="OVER_BUDGET") == 1
    for reason in ("BUDGET_UNAVAILABLE", "CIRCUIT_OPEN", "OVERLOADED"):
        assert sample(after, "modelrouter_refused_total", model="metered", reason=reason) == 0
    assert calls_of(after, **exceeded) - calls_of(before, **exceeded) == 1
    assert calls_of(after, **answered) - calls_of(before, **answered) == 1
    invalid = {"rpc": "Select", "code": "INVALID_ARGUMENT", "reason": "UNKNOWN_STRATEGY"}
    assert calls_of(after, **invalid) - calls_of(before, **invalid) == 1
    assert sample(after, "process_resident_memory_bytes") > 0
    assert sample(after, "process_cpu_seconds_total") > 0
