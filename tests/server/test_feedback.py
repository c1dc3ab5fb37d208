"""Feedback and the learned strategy on a real server: every decision carries
an id of its own (cached ones too); Feedback refuses an unknown, altered or
another tenant's id, a second score and a score outside [0, 1]; a score is
credited to the model that answered (after a fallback too), under the
decision's task and the tenant; the learned ranking shows the learned quality
and its uncertainty, is never served from the selection cache, follows the
scores, behaves like `weighted` on the priors for a tenant without scores, and
tries a model added by reload; learned figures survive a restart on SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
from collections import Counter
from pathlib import Path

import aiohttp
import grpc
import pytest

from modelrouter.config.load import load_config, parse_config
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import admin_pb2_grpc as apb_grpc
from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, details_of, serving

USER = [pb.ChatMessage(role="user", content="hi")]
BYPASS = pb.CACHE_POLICY_BYPASS


def sim(model_id: str, quality: float, price: float = 1.0, extra: str = "") -> str:
    return (
        f"  - {{id: {model_id}, provider: simulated, capabilities: [chat, streaming], context_window: 8000,"
        f" pricing: {{input_per_mtok: {price}, output_per_mtok: {price}}}, quality: {{default: {quality}}},"
        f" simulate: {{ttft_ms: 0, tokens_per_s: 1000000, reply: 'from {model_id}'{extra}}}}}\n"
    )


HEAD = "usage: {store: memory}\nserver: {max_attempts_per_model: 1}\ncache: {selection_ttl_s: 600}\n"
TWO = HEAD + "models:\n" + sim("a", 0.5) + sim("b", 0.5)


def learned(task: str = "code", strategy: str = "learned") -> pb.SelectRequest:
    return pb.SelectRequest(strategy=strategy, requirements=pb.Requirements(task=task))


async def feedback(served: Served, decision_id: str, score: float, key: str = "") -> None:
    metadata = (("authorization", f"Bearer {key}"),) if key else None
    await served.stub.Feedback(
        pb.FeedbackRequest(decision_id=decision_id, score=score), metadata=metadata, timeout=5
    )


async def feedback_error(
    served: Served, decision_id: str, score: float, key: str = ""
) -> tuple[str, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await feedback(served, decision_id, score, key)
    error = details_of(caught.value)
    return error.code.name, error.reason, error.metadata


async def learned_rows(served: Served, model: str, tenant: str = "") -> list[pb.LearnedQuality]:
    stats = await served.stub.Stats(pb.StatsRequest(models=[model], tenant=tenant), timeout=5)
    return list(stats.models[0].learned)


async def test_every_decision_has_an_id_of_its_own_cached_ones_too() -> None:
    async with serving(TWO) as served:
        request = pb.SelectRequest(strategy="weighted")
        first = (await served.stub.Select(request, timeout=5)).decision
        second = (await served.stub.Select(request, timeout=5)).decision
        assert second.from_cache and not first.from_cache
        invoke = await served.stub.Invoke(pb.InvokeRequest(messages=USER, cache=BYPASS), timeout=5)
        stream = served.stub.InvokeStream(pb.InvokeStreamRequest(messages=USER, cache=BYPASS), timeout=5)
        done = [e async for e in stream][-1].done
        full = await served.stub.Invoke(
            pb.InvokeRequest(messages=USER, cache=BYPASS, decision_view=pb.DECISION_VIEW_FULL), timeout=5
        )
        ids = [first.decision_id, second.decision_id, invoke.decision.decision_id, done.decision.decision_id]
        ids.append(full.decision.decision_id)
        assert all(ids) and len(set(ids)) == len(ids)
        for decision_id in ids:
            await feedback(served, decision_id, 1.0)


async def test_feedback_refuses_what_it_cannot_count() -> None:
    async with serving(TWO) as served:
        decision_id = (await served.stub.Select(pb.SelectRequest(), timeout=5)).decision.decision_id
        for score in (1.5, -0.1, math.nan, math.inf):
            code, reason, metadata = await feedback_error(served, decision_id, score)
            assert (code, reason, metadata["field"]) == ("INVALID_ARGUMENT", "INVALID_REQUEST", "score")
        altered = decision_id[:-2] + ("AA" if decision_id[-2:] != "AA" else "BB")
        for unknown in ("", "nope", altered, "x" * 100_000):
            code, reason, _ = await feedback_error(served, unknown, 1.0)
            assert (code, reason) == ("NOT_FOUND", "UNKNOWN_DECISION")
        await feedback(served, decision_id, 0.0)
        code, reason, metadata = await feedback_error(served, decision_id, 1.0)
        assert (code, reason, metadata["decisionId"]) == ("ALREADY_EXISTS", "FEEDBACK_EXISTS", decision_id)
        # The first score stands, the refused ones counted nothing.
        rows = await learned_rows(
            served, (await served.stub.Select(pb.SelectRequest(), timeout=5)).decision.model
        )
        assert [(r.task, r.scores) for r in rows] == [("", 1)]


async def test_a_score_is_credited_to_the_model_that_answered_after_a_fallback() -> None:
    config = HEAD + "models:\n" + sim("broken", 0.9, extra=", failure_rate: 1.0") + sim("backup", 0.5)
    async with serving(config) as served:
        request = pb.InvokeRequest(
            messages=USER,
            cache=BYPASS,
            selection=pb.SelectRequest(strategy="weighted", requirements=pb.Requirements(task="summarize")),
        )
        reply = await served.stub.Invoke(request, timeout=5)
        assert (reply.decision.model, reply.model) == ("broken", "backup")
        await feedback(served, reply.decision.decision_id, 0.25)
        assert await learned_rows(served, "broken") == []
        (row,) = await learned_rows(served, "backup")
        assert (row.task, row.scores, row.configured_quality) == ("summarize", 1, 0.5)
        alpha, beta = 0.5 * 5 + 0.25, 0.5 * 5 + 0.75  # the default prior_weight: 5
        assert row.quality == pytest.approx(alpha / (alpha + beta))
        assert row.uncertainty == pytest.approx(
            math.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
        )


def keyed(tail: str) -> str:
    keys = [
        ("ops", "ops-key-0123456789", "admin"),
        ("a", "team-a-key-012345", "invoke"),
        ("b", "team-b-key-012345", "invoke"),
    ]
    lines = "".join(
        f"    - {{id: {t}, tenant: {t}, roles: [{role}], sha256: {hashlib.sha256(k.encode()).hexdigest()}}}\n"
        for t, k, role in keys
    )
    return "auth:\n  api_keys:\n" + lines + tail


async def test_scores_are_kept_per_tenant_and_an_id_is_its_tenants_only() -> None:
    async with serving(keyed(TWO)) as served:

        async def decide(key: str) -> pb.Decision:
            reply = await served.stub.Select(
                learned(), metadata=(("authorization", f"Bearer {key}"),), timeout=5
            )
            return reply.decision

        mine = await decide("team-a-key-012345")
        code, reason, _ = await feedback_error(served, mine.decision_id, 1.0, "team-b-key-012345")
        assert (code, reason) == ("NOT_FOUND", "UNKNOWN_DECISION")
        await feedback(served, mine.decision_id, 1.0, "team-a-key-012345")
        ops = (("authorization", "Bearer ops-key-0123456789"),)
        stats = await served.stub.Stats(
            pb.StatsRequest(models=[mine.model], tenant="a"), metadata=ops, timeout=5
        )
        assert [(r.tenant, r.task, r.scores) for r in stats.models[0].learned] == [("a", "code", 1)]
        stats = await served.stub.Stats(
            pb.StatsRequest(models=[mine.model], tenant="b"), metadata=ops, timeout=5
        )
        assert list(stats.models[0].learned) == []
        # Tenant b has no scores: its learned ranking is weighted's on the priors, not sampled.
        other = await decide("team-b-key-012345")
        components = {e.model: dict(e.components) for e in other.ranking}
        assert all(c["quality"] == c["learned_quality"] == 0.5 for c in components.values())


async def test_the_learned_ranking_follows_the_scores_and_is_never_cached() -> None:
    async with serving(TWO) as served:
        chosen: Counter[str] = Counter()
        for _ in range(300):
            decision = (await served.stub.Select(learned(), timeout=5)).decision
            assert not decision.from_cache
            chosen[decision.model] += 1
            await feedback(served, decision.decision_id, 1.0 if decision.model == "b" else 0.0)
        # Both were tried while unsure; b, always right, took over.
        assert chosen["a"] >= 1 and chosen["b"] > 250, chosen
        decision = (await served.stub.Select(learned(), timeout=5)).decision
        entries = {e.model: dict(e.components) for e in decision.ranking}
        assert set(entries["a"]) == {"quality", "learned_quality", "uncertainty", "cost", "latency"}
        assert entries["b"]["learned_quality"] > 0.9 > 0.5 > entries["a"]["learned_quality"]
        assert entries["b"]["uncertainty"] < 0.05
        # Another task has learned nothing yet.
        other = (await served.stub.Select(learned("summarize"), timeout=5)).decision
        assert {dict(e.components)["learned_quality"] for e in other.ranking} == {0.5}


async def test_a_model_added_by_reload_starts_from_its_prior_and_is_tried(tmp_path: Path) -> None:
    path = tmp_path / "router.yaml"
    path.write_text(TWO)
    async with serving(load_config(path)) as served:
        for _ in range(100):
            decision = (await served.stub.Select(learned(), timeout=5)).decision
            await feedback(served, decision.decision_id, 0.6)
        path.write_text(TWO + sim("c", 0.5))
        await apb_grpc.AdminServiceStub(served.channel).ReloadConfig(apb.ReloadConfigRequest(), timeout=10)
        tried = 0
        for _ in range(200):
            decision = (await served.stub.Select(learned(), timeout=5)).decision
            tried += decision.model == "c"
            await feedback(served, decision.decision_id, 0.9 if decision.model == "c" else 0.6)
        assert tried >= 100  # tried, and then preferred: it scores better
        (row,) = await learned_rows(served, "c")
        assert row.configured_quality == 0.5 and row.quality > 0.8


async def test_learned_figures_and_decision_ids_survive_a_restart_on_sqlite(tmp_path: Path) -> None:
    config = parse_config(
        f"usage: {{store: sqlite, path: '{tmp_path / 'usage.sqlite'}', flush_interval_s: 60}}\nmodels:\n"
        + sim("a", 0.5)
        + sim("b", 0.5),
        "<test>",
    )
    async with serving(config) as served:
        ids = [(await served.stub.Select(learned(), timeout=5)).decision.decision_id for _ in range(4)]
        for decision_id in ids[:3]:
            await feedback(served, decision_id, 0.8)
        before = {m: await learned_rows(served, m) for m in ("a", "b")}
    async with serving(config) as served:
        after = {m: await learned_rows(served, m) for m in ("a", "b")}
        assert after == before and sum(len(rows) for rows in after.values()) >= 1
        await feedback(served, ids[3], 0.8)  # minted before the restart: still valid
        _, reason, _ = await feedback_error(served, ids[0], 0.8)  # scored before it: still scored
        assert reason == "FEEDBACK_EXISTS"
        _, reason, _ = await feedback_error(served, ids[3], 0.8)
        assert reason == "FEEDBACK_EXISTS"
        rows = [r for m in ("a", "b") for r in await learned_rows(served, m)]
        assert sum(r.scores for r in rows) == 4


async def test_a_learned_select_costs_no_store_round_trip_and_concurrent_scores_all_count() -> None:
    async with serving(TWO) as served:
        decisions = await asyncio.gather(*(served.stub.Select(learned(), timeout=5) for _ in range(100)))
        await asyncio.gather(*(feedback(served, d.decision.decision_id, 1.0) for d in decisions))
        rows = [r for m in ("a", "b") for r in await learned_rows(served, m)]
        assert sum(r.scores for r in rows) == 100


async def test_a_tenants_scores_count_against_its_request_rate_limit() -> None:
    config = keyed("tenants:\n  ops: {}\n  b: {}\n  a: {rate_limits: {requests_per_minute: 3}}\n" + TWO)
    async with serving(config) as served:
        key = (("authorization", "Bearer team-a-key-012345"),)
        decision = (await served.stub.Select(learned(), metadata=key, timeout=5)).decision
        await feedback(served, decision.decision_id, 1.0, "team-a-key-012345")
        await feedback_error(served, decision.decision_id, 1.0, "team-a-key-012345")  # FEEDBACK_EXISTS
        code, reason, _ = await feedback_error(served, decision.decision_id, 1.0, "team-a-key-012345")
        assert (code, reason) == ("RESOURCE_EXHAUSTED", "RATE_LIMITED")


async def test_a_strategys_own_task_is_the_one_scores_are_credited_under() -> None:
    config = TWO + "strategies:\n  coder: {kind: learned, requirements: {task: code}}\n"
    async with serving(config) as served:
        decision = (await served.stub.Select(pb.SelectRequest(strategy="coder"), timeout=5)).decision
        await feedback(served, decision.decision_id, 1.0)
        (row,) = await learned_rows(served, decision.model)
        assert row.task == "code"  # the task the ranking read, not the request's ""
        # And the ranking reads it back: the next coder decision knows the score.
        again = (await served.stub.Select(pb.SelectRequest(strategy="coder"), timeout=5)).decision
        scored = next(e for e in again.ranking if e.model == decision.model)
        assert dict(scored.components)["learned_quality"] > 0.5


async def test_metrics_and_a_suggestion_show_what_feedback_taught() -> None:
    config = (
        "metrics: {address: '127.0.0.1:0'}\n"
        + TWO
        + "  - {id: tasked, provider: simulated, context_window: 8000,"
        " pricing: {input_per_mtok: 9, output_per_mtok: 9},"
        " quality: {default: 0.1, code: 0.9}, simulate: {ttft_ms: 0, tokens_per_s: 1000000}}\n"
    )
    async with serving(config) as served:
        for task in ("code", "a-task-nobody-configured"):
            for _ in range(40):
                request = pb.SelectRequest(
                    strategy="learned", requirements=pb.Requirements(task=task, include_models=["tasked"])
                )
                decision = (await served.stub.Select(request, timeout=5)).decision
                await feedback(served, decision.decision_id, 0.2)
        assert served.running.metrics is not None
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{served.running.metrics.port}/metrics") as response,
        ):
            text = await response.text()
        quality = [line for line in text.splitlines() if line.startswith("modelrouter_learned_quality{")]
        # A configured task is a label; a task only callers named is not (they could grow the series).
        assert len(quality) == 1 and 'task="code"' in quality[0] and 'model="tasked"' in quality[0]
        assert float(quality[0].split()[-1]) < 0.5
        assert 'modelrouter_feedback_scores_total{model="tasked",task="code",tenant=""} 40.0' in text
        assert "modelrouter_learned_uncertainty{" in text
        stats = await served.stub.Stats(pb.StatsRequest(), timeout=5)
        (advice,) = [s for s in stats.suggestions if s.startswith("tasked on task 'code'")]
        assert "40 feedback scores" in advice and "says 0.90" in advice


async def test_a_learned_invoke_answers_the_view_asked_for() -> None:
    async with serving(TWO) as served:
        selection = pb.SelectRequest(strategy="learned", requirements=pb.Requirements(task="code"))
        for view, entries in ((pb.DECISION_VIEW_UNSPECIFIED, 1), (pb.DECISION_VIEW_FULL, 2)):
            request = pb.InvokeRequest(selection=selection, messages=USER, cache=BYPASS, decision_view=view)
            decision = (await served.stub.Invoke(request, timeout=5)).decision
            assert len(decision.ranking) == entries and decision.decision_id
            assert decision.estimated_cost_usd > 0 and decision.requested_strategy == "learned"
            stream = served.stub.InvokeStream(
                pb.InvokeStreamRequest(selection=selection, messages=USER, cache=BYPASS, decision_view=view),
                timeout=5,
            )
            assert len([e async for e in stream][-1].done.decision.ranking) == entries


async def test_a_caller_gone_mid_score_loses_neither_the_score_nor_its_retry(tmp_path: Path) -> None:
    # On SQLite the scored-once mark is written in a worker thread: a 1 ms deadline
    # often leaves while it is under way. Whatever the timing, a retry's answer and
    # the count must agree: scored once, counted once.
    config = f"usage: {{store: sqlite, path: '{tmp_path / 'u.sqlite'}'}}\nmodels:\n" + sim("a", 0.5)
    async with serving(config) as served:
        for attempt in range(1, 21):
            decision = (await served.stub.Select(learned(), timeout=5)).decision
            with contextlib.suppress(grpc.aio.AioRpcError):
                await served.stub.Feedback(
                    pb.FeedbackRequest(decision_id=decision.decision_id, score=1.0), timeout=0.001
                )
            with contextlib.suppress(grpc.aio.AioRpcError):
                await feedback(served, decision.decision_id, 1.0)
            for _ in range(100):  # a recording the first call left may still be landing
                (row,) = await learned_rows(served, "a")
                if row.scores == attempt:
                    break
                await asyncio.sleep(0.01)
            assert row.scores == attempt


async def test_a_kept_learned_preparation_never_outlives_a_score_or_a_drain() -> None:
    """What a learned ranking does not draw anew (the models out of contention,
    the rejections) is prepared once and kept per request and tenant: every
    decision from it still ranks every eligible model, draws the contenders
    anew, renders whole, and the next decision after a score or a drain sees it."""
    weak = "".join(sim(f"weak{i}", 0.05) for i in range(6))
    config = HEAD + "models:\n" + sim("good", 0.5) + sim("rival", 0.5, price=2.0) + weak
    config += sim("vision", 0.9).replace("[chat, streaming]", "[vision]")  # never eligible: a rejection
    everyone = {"good", "rival"} | {f"weak{i}" for i in range(6)}
    request = pb.SelectRequest(
        strategy="learned", requirements=pb.Requirements(task="code", capabilities=["chat"])
    )
    async with serving(config) as served:
        for _ in range(40):
            decision = (await served.stub.Select(request, timeout=5)).decision
            await feedback(served, decision.decision_id, 1.0 if decision.model == "good" else 0.0)
        draws = [(await served.stub.Select(request, timeout=5)).decision for _ in range(30)]
        tails = set()
        for d in draws:
            assert d.ranking[0].model == d.model
            assert sorted(e.model for e in d.ranking) == sorted(everyone)
            assert [(r.model, r.reason) for r in d.rejected] == [("vision", "MISSING_CAPABILITY")]
            # The weak ones (configured 0.05, never scored) are out of contention:
            # last, by their means, the same in every draw.
            tail = tuple((e.model, e.score, tuple(sorted(e.components.items()))) for e in d.ranking[-6:])
            assert {m for m, _, _ in tail} == everyone - {"good", "rival"}
            tails.add(tail)
        assert len(tails) == 1
        # good and rival contend: their qualities are drawn, differently each call.
        assert len({dict(d.ranking[0].components)["quality"] for d in draws}) == len(draws)
        # A score is seen by the very next decision.
        await feedback(served, draws[0].decision_id, 0.0)
        (row,) = [r for r in await learned_rows(served, draws[0].model) if r.task == "code"]
        after = (await served.stub.Select(request, timeout=5)).decision
        seen = {e.model: dict(e.components) for e in after.ranking}
        assert seen[draws[0].model]["learned_quality"] == pytest.approx(row.quality)
        assert (
            seen[draws[0].model]["learned_quality"] != dict(draws[0].ranking[0].components)["learned_quality"]
        )
        # So is a drain.
        admin = apb_grpc.AdminServiceStub(served.channel)
        await admin.SetDeploymentState(
            apb.SetDeploymentStateRequest(
                model="weak3", deployment="default", state=pb.DEPLOYMENT_STATE_DRAINING
            ),
            timeout=5,
        )
        after = (await served.stub.Select(request, timeout=5)).decision
        assert "weak3" not in {e.model for e in after.ranking}


async def test_many_models_in_contention_are_drawn_together_and_ranked_by_their_draws() -> None:
    """From `DRAW_TOGETHER` contenders on, one numpy call draws them all: the
    ranking still holds every model once, ordered by the drawn score, each
    quality drawn anew per call, and the choice spread as the posteriors say."""
    config = HEAD + "models:\n" + "".join(sim(f"m{i:02}", 0.5) for i in range(40))
    async with serving(config) as served:
        first = (await served.stub.Select(learned(), timeout=5)).decision
        await feedback(served, first.decision_id, 1.0)  # one score: every model now contends
        chosen: Counter[str] = Counter()
        qualities = set()
        for _ in range(60):
            d = (await served.stub.Select(learned(), timeout=5)).decision
            assert sorted(e.model for e in d.ranking) == [f"m{i:02}" for i in range(40)]
            scores = [e.score for e in d.ranking]
            assert scores == sorted(scores, reverse=True)
            top = dict(d.ranking[0].components)
            assert top["quality"] != top["learned_quality"]  # drawn, not the mean
            qualities.add(top["quality"])
            chosen[d.model] += 1
        assert len(qualities) == 60
        # 39 models alike and unknown, one with one good score: the choice spreads.
        assert len(chosen) >= 10, chosen


def _beta_pdf(x: float, a: float, b: float) -> float:
    return math.exp(
        (a - 1) * math.log(x)
        + (b - 1) * math.log(1 - x)
        - math.lgamma(a)
        - math.lgamma(b)
        + math.lgamma(a + b)
    )


def _chance_first_beats_second(a: tuple[float, float], b: tuple[float, float], steps: int = 20_000) -> float:
    """P(X > Y) for X ~ Beta(*a), Y ~ Beta(*b): the integral of X's density times Y's distribution."""
    h = 1 / steps
    below = 0.0  # Y's distribution at the grid point
    chance = 0.0
    for i in range(1, steps):
        x = i * h
        below += _beta_pdf(x, *b) * h
        chance += _beta_pdf(x, *a) * below * h
    return chance


async def test_a_kept_preparations_draws_follow_the_posteriors_call_by_call() -> None:
    """A kept learned preparation draws its contenders' qualities ahead, many at a
    time: each call must still get a draw of its own from the current posteriors,
    so over many repeated calls each model is chosen as often as its chance of
    drawing best says, and a score changes those chances at once."""
    async with serving(TWO) as served:
        request = pb.InvokeRequest(messages=USER, cache=BYPASS, selection=learned())
        first = await served.stub.Invoke(request, timeout=5)
        scored = first.decision.model
        other = ({"a", "b"} - {scored}).pop()
        await feedback(served, first.decision.decision_id, 1.0)
        # Prior 0.5 worth 5 scores: Beta(2.5, 2.5); one score of 1.0 makes it Beta(3.5, 2.5).
        # Same price and latency: the better draw is chosen.
        expected = _chance_first_beats_second((3.5, 2.5), (2.5, 2.5))
        calls = 800
        chosen: Counter[str] = Counter()
        for _ in range(calls):
            reply = await served.stub.Invoke(request, timeout=5)
            assert reply.model == reply.decision.model  # nothing fails: the chosen model answers
            chosen[reply.decision.model] += 1
        share = chosen[scored] / calls
        spread = 4 * math.sqrt(expected * (1 - expected) / calls)
        assert abs(share - expected) < spread, (share, expected, chosen)
        # Scores the other way: the draws made ahead lapse with the preparation.
        ids = [(await served.stub.Invoke(request, timeout=5)).decision for _ in range(40)]
        for d in ids:
            await feedback(served, d.decision_id, 0.0 if d.model == scored else 1.0)
        chosen.clear()
        for _ in range(200):
            chosen[(await served.stub.Invoke(request, timeout=5)).decision.model] += 1
        assert chosen[other] > 0.8 * 200, chosen


# A circuit that never opens: a broken model stays eligible for every call.
NEVER_OPEN = "health: {check_interval_s: 0, failure_threshold: 100000, window: 1000, min_calls: 1000}\n"


@pytest.mark.parametrize("others", [2, 30], ids=["few contenders", "many, scored by numpy"])
async def test_a_kept_learned_decision_falls_back_along_its_own_draw(others: int) -> None:
    """A decision drawn from a kept preparation keeps its drawn order for the
    fallback: when the chosen model fails, the next in that draw answers (the full
    view shows which), whichever view the call asked for. With many contenders
    a basic view's order is sorted only when the fallback reads past the first."""
    names = ["x", "y"] if others == 2 else [f"m{i:02}" for i in range(others)]
    # With many others, the broken one is the likeliest choice: it must fail often enough.
    config = (
        HEAD
        + NEVER_OPEN
        + "models:\n"
        + sim("broken", 0.5 if others == 2 else 0.9, extra=", failure_rate: 1.0")
        + "".join(sim(n, 0.5) for n in names)
    )
    async with serving(config) as served:
        selection = learned()
        full = pb.InvokeRequest(
            messages=USER, cache=BYPASS, selection=selection, decision_view=pb.DECISION_VIEW_FULL
        )
        first = await served.stub.Invoke(full, timeout=5)
        await feedback(served, first.decision.decision_id, 0.5)  # from now on every call draws
        seconds: Counter[str] = Counter()
        for _ in range(120):
            reply = await served.stub.Invoke(full, timeout=5)
            order = [e.model for e in reply.decision.ranking]
            assert sorted(order) == sorted(["broken", *names])
            if reply.decision.model == "broken":
                assert reply.model == order[1], order
                seconds[order[1]] += 1
            else:
                assert reply.model == reply.decision.model
        assert len(seconds) >= 2, seconds  # the draw, not a fixed order, decides the fallback
        basic = pb.InvokeRequest(messages=USER, cache=BYPASS, selection=selection)
        fell_back = 0
        for _ in range(60):
            reply = await served.stub.Invoke(basic, timeout=5)
            assert len(reply.decision.ranking) == 1
            if reply.decision.model == "broken":
                fell_back += 1
                assert reply.model in names
                assert [a.model for a in reply.attempts] == ["broken", reply.model]
        assert fell_back > 0
