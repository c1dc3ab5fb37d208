"""Usage totals and budget spend survive a restart, on SQLite (the default) and
on Redis; SIGTERM loses nothing, even what was recorded since the last flush."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import RedisServer, need_redis_server, server_process

NANO = 1_000_000_000
MODELS = """
cache: {default_policy: never}
budgets: {overall: {daily_usd: 100, monthly_usd: 1000}}
models:
  - id: kept
    provider: simulated
    context_window: 8000
    pricing: {input_per_mtok: 2, output_per_mtok: 8}
    quality: {default: 0.8}
    simulate: {ttft_ms: 2, tokens_per_s: 100000}
    deployments: [{name: a}, {name: b}]
"""


def run_calls(address: str, n: int) -> list[pb.InvokeResponse]:
    with grpc.insecure_channel(address) as channel:
        stub = pb_grpc.RouterServiceStub(channel)
        return [
            stub.Invoke(
                pb.InvokeRequest(
                    model="kept", messages=[pb.ChatMessage(role="user", content=f"keep {i} " * i)]
                ),
                timeout=10,
            )
            for i in range(1, n + 1)
        ]


def stats_of(address: str) -> pb.StatsResponse:
    with grpc.insecure_channel(address) as channel:
        return pb_grpc.RouterServiceStub(channel).Stats(pb.StatsRequest(), timeout=10)


def check_restart(config: Path, env: dict[str, str] | None = None) -> None:
    # A flush interval far longer than the test: only the flush at SIGTERM saves.
    with server_process(config, env) as first:
        calls = run_calls(first.address, 12)
        before = stats_of(first.address)
        code, err = first.stop()
        assert code == 0, err
    with server_process(config, env) as second:
        calls += run_calls(second.address, 3)
        after = stats_of(second.address)
    (model,) = after.models
    assert model.requests == model.successes == 15
    assert model.input_tokens == sum(c.usage.input_tokens for c in calls)
    assert model.output_tokens == sum(c.usage.output_tokens for c in calls)
    assert round(model.cost_usd * NANO) == sum(round(c.usage.cost_usd * NANO) for c in calls)
    assert model.latency_p50_ms > 0 and sum(d.requests for d in model.deployments) == 15
    assert after.totals_since == before.totals_since  # the same totals, carried on
    assert model.recent.requests == 3  # the window is this process's
    spent = {(b.scope, b.period): round(b.spent_usd * NANO) for b in after.budgets}
    assert spent == {("*", "day"): round(model.cost_usd * NANO), ("*", "month"): round(model.cost_usd * NANO)}


def test_totals_and_spend_survive_a_restart_on_sqlite(tmp_path: Path) -> None:
    config = tmp_path / "sqlite.yaml"
    db = tmp_path / "state" / "usage.sqlite"
    config.write_text(f"usage: {{store: sqlite, path: '{db}', flush_interval_s: 3600}}\n" + MODELS)
    check_restart(config)
    assert db.exists()


def test_the_default_store_is_a_sqlite_file_under_xdg_state_home(tmp_path: Path) -> None:
    config = tmp_path / "default.yaml"
    config.write_text("usage: {flush_interval_s: 3600}\n" + MODELS)
    check_restart(config, {"XDG_STATE_HOME": str(tmp_path / "xdg")})
    assert (tmp_path / "xdg" / "modelrouter" / "usage.sqlite").exists()


def test_totals_and_spend_survive_a_restart_on_redis(tmp_path: Path) -> None:
    need_redis_server()
    redis = RedisServer()
    redis.start()
    try:
        config = tmp_path / "redis.yaml"
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        config.write_text(
            f"usage: {{store: redis, redis_url: '{redis.url}', key_prefix: {prefix},"
            " flush_interval_s: 3600}\n" + MODELS
        )
        check_restart(config)
    finally:
        redis.stop()


@pytest.mark.parametrize("key", ["store", "window_s", "flush_interval_s"])
def test_bad_usage_settings_name_the_field(tmp_path: Path, key: str) -> None:
    import subprocess
    import sys

    value = {"store": "postgres", "window_s": "0", "flush_interval_s": "-1"}[key]
    config = tmp_path / "bad.yaml"
    config.write_text(f"usage: {{{key}: {value}}}\n" + MODELS)
    result = subprocess.run(
        [sys.executable, "-m", "modelrouter", "check-config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert f"usage.{key}" in result.stdout + result.stderr


def test_a_usage_store_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    config = tmp_path / "unwritable.yaml"
    config.write_text(f"usage: {{path: '{blocker / 'usage.sqlite'}'}}\n" + MODELS)
    result = subprocess.run(
        [sys.executable, "-m", "modelrouter", "serve", "--config", str(config), "--address", "127.0.0.1:0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("usage.path: cannot open the usage store"), result.stderr
    assert "Traceback" not in result.stderr
