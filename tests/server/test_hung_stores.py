"""A store that hangs (accepts connections, never answers) costs a call at most
its own short timeout, never the caller's deadline: the response cache
(`cache.timeout_ms`), the budget store (`budgets.timeout_ms`) and the usage store
(`usage.timeout_ms`, and shutdown). The hung store is a `BlackHole` listener, so
these tests need no redis-server."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import BlackHole, details_of, free_port, server_process, serving

FAST = "simulate: {ttft_ms: 0, tokens_per_s: 1000000}"
MODELS = f"""
models:
  - id: metered
    provider: simulated
    context_window: 8000
    pricing: {{input_per_mtok: 0, output_per_mtok: 1000}}
    quality: {{default: 0.9}}
    {FAST}
  - id: free
    provider: simulated
    context_window: 8000
    pricing: {{input_per_mtok: 0, output_per_mtok: 0}}
    quality: {{default: 0.4}}
    {FAST}
"""
BUDGET = "budgets: {models: {metered: {daily_usd: 100}}}\n"


def ask(content: str, model: str = "", temperature: float | None = None) -> pb.InvokeRequest:
    return pb.InvokeRequest(
        model=model,
        messages=[pb.ChatMessage(role="user", content=content)],
        max_output_tokens=10,
        temperature=temperature,
    )


async def test_a_hung_response_cache_costs_each_call_its_short_timeout_only() -> None:
    with BlackHole() as hole:
        config = (
            f"cache: {{backend: redis, redis_url: '{hole.url}', default_policy: deterministic}}\n" + MODELS
        )
        async with serving(config) as served:
            for i in range(20):
                # A fresh question each time: a read (a miss) and a write, both hung.
                reply = await served.stub.Invoke(ask(f"question {i}", "free", temperature=0), timeout=0.6)
                assert reply.text and not reply.cache_hit
                # 50 ms for the read and 50 for the write; far under the deadline.
                assert reply.latency_ms < 400, reply.latency_ms
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
            assert (stats.cache.hits, stats.cache.misses) == (0, 20)
            assert served.running.router.responses.errors == 40  # every read and write gave up
            # Warned, but not on every call.
            assert served.log.getvalue().count("response cache unavailable") == 1


async def test_a_hung_budget_store_refuses_budgeted_calls_fast() -> None:
    with BlackHole() as hole:
        config = (
            f"usage: {{store: redis, redis_url: '{hole.url}', key_prefix: hung}}\n"
            "cache: {default_policy: never}\n" + BUDGET + MODELS
        )
        async with serving(config) as served:
            # By selection: the budgeted model is preferred, cannot be reserved
            # against, and the call falls back to the model without a budget.
            reply = await served.stub.Invoke(ask("pick one"), timeout=10)
            assert reply.model == "free"
            assert [(a.model, a.outcome) for a in reply.attempts] == [
                ("metered", "BUDGET_UNAVAILABLE"),
                ("free", "OK"),
            ]
            assert "did not answer within 250 ms" in reply.attempts[0].error
            assert reply.latency_ms < 2000, reply.latency_ms  # not the store's 5 s socket timeout
            # Naming only the budgeted model: refused, fast.
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await served.stub.Invoke(ask("metered only", "metered"), timeout=10)
            elapsed = time.monotonic() - started
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE, caught.value
            details = details_of(caught.value)
            assert details.reason == "ALL_CANDIDATES_FAILED"
            assert details.metadata["attempts"] == "metered/default=BUDGET_UNAVAILABLE"
            assert elapsed < 2, elapsed


async def test_an_unreachable_budget_store_is_not_named_to_callers() -> None:
    """What the store's client says (its host and port) goes to the log, once;
    the caller is told only that the budget store cannot be reached."""
    port = free_port()  # nothing listens there
    config = (
        f"usage: {{store: redis, redis_url: 'redis://127.0.0.1:{port}/0', key_prefix: gone}}\n"
        "cache: {default_policy: never}\n" + BUDGET + MODELS
    )
    async with serving(config) as served:
        for i in range(3):
            reply = await served.stub.Invoke(ask(f"pick {i}"), timeout=10)
            assert [(a.model, a.outcome) for a in reply.attempts] == [
                ("metered", "BUDGET_UNAVAILABLE"),
                ("free", "OK"),
            ]
            assert (
                reply.attempts[0].error
                == "the budget store cannot be reached; calls under a budget wait for it"
            )
        log = served.log.getvalue()
        assert log.count("budget store unreachable") == 1  # at most every 10 s
        assert str(port) in log


async def test_a_hung_usage_store_leaves_stats_answering_with_this_process_figures() -> None:
    with BlackHole() as hole:
        config = f"usage: {{store: redis, redis_url: '{hole.url}', key_prefix: hung}}\n" + MODELS
        async with serving(config) as served:
            await served.stub.Invoke(ask("counted here", "free"), timeout=10)
            # The store's own socket timeout is 5 s: Stats must not wait for it.
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=4)
            assert {m.model: m.requests for m in stats.models} == {"metered": 0, "free": 1}
            assert "usage store unavailable" in served.log.getvalue()


def test_sigterm_on_a_hung_usage_store_exits_within_its_bound(tmp_path: Path) -> None:
    with BlackHole() as hole:
        path = tmp_path / "hung.yaml"
        path.write_text(
            "server: {shutdown_grace_s: 1}\n"
            f"usage: {{store: redis, redis_url: '{hole.url}', key_prefix: hung, flush_interval_s: 0.2}}\n"
            + MODELS
        )
        with server_process(path) as server:
            with grpc.insecure_channel(server.address) as channel:
                pb_grpc.RouterServiceStub(channel).Invoke(ask("to flush", "free"), timeout=10)
            time.sleep(0.5)  # a flush of that call is under way, and hangs
            started = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            _, err = server.proc.communicate(timeout=8)  # raises past 8 s, failing the test
            elapsed = time.monotonic() - started
            assert server.proc.returncode == 0, err
            # Nothing in flight to wait the grace for; the flush under way and the
            # last one (1 s each at most), the close (1 s at most). Without bounds:
            # the rest of the flush under way and the last one, 5 s each.
            assert elapsed < 6, elapsed
            assert "usage store unavailable" in err


async def test_a_hung_feedback_store_refuses_scores_fast_and_leaves_learned_routing_working() -> None:
    with BlackHole() as hole:
        config = (
            f"usage: {{store: redis, redis_url: '{hole.url}', key_prefix: hung, timeout_ms: 200}}\n" + MODELS
        )
        async with serving(config) as served:
            request = pb.SelectRequest(strategy="learned", requirements=pb.Requirements(task="code"))
            decision = (await served.stub.Select(request, timeout=4)).decision
            assert decision.decision_id  # sealed with this process's own key meanwhile
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await served.stub.Feedback(
                    pb.FeedbackRequest(decision_id=decision.decision_id, score=1.0), timeout=4
                )
            error = details_of(caught.value)
            assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "FEEDBACK_UNAVAILABLE")
            assert str(hole.port) not in error.message  # the store's address is not the caller's business
            # Not counted: nothing was learned.
            stats = await served.stub.Stats(pb.StatsRequest(), timeout=4)
            assert all(not m.learned for m in stats.models)
            assert "feedback store unreachable at start" in served.log.getvalue()
