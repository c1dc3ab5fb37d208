"""`feedback()` of the Python client, sync and async, against a real server: every
decision (of a Select, an Invoke, a stream, served from a cache or not) carries its
own `decision_id`; a score for one is accepted and shows in `stats()` as what the
server learned of the model that answered, for the task and the caller's tenant (for
an invoke that fell back, the model that answered, not the one first chosen); a
second score raises AlreadyExistsError, an unknown id NotFoundError, a score outside
[0, 1] InvalidArgumentError; and what the client can judge alone (an id or a score
of the wrong type, an unknown keyword) raises TypeError before anything is sent."""

from __future__ import annotations

import asyncio
import hashlib
import math

import grpc
import pytest

from modelrouter_client import (
    AlreadyExistsError,
    AsyncRouter,
    Completion,
    Decision,
    InvalidArgumentError,
    LearnedQuality,
    NotFoundError,
    Router,
    RouterError,
)
from tests.support import serving


def model(model_id: str, quality: str, failure_rate: float = 0.0) -> str:
    return (
        f"  - {{id: {model_id}, provider: simulated, context_window: 8000, capabilities: [chat, streaming],"
        f" pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {quality},"
        f" simulate: {{ttft_ms: 1, tokens_per_s: 100000, failure_rate: {failure_rate}}}}}\n"
    )


# A selection cache that outlives any test, so that a repeated Select is served from it.
CONFIG = (
    "cache: {selection_ttl_s: 600}\n"
    "strategies: {by-task: {kind: task_based}}\n"
    "server: {default_strategy: by-task}\n"
    "models:\n"
    + model("writer", "{default: 0.5, chat: 0.9, code: 0.3}")
    + model("coder", "{default: 0.5, chat: 0.4, code: 0.8}")
)


def learned(router: Router, model_id: str) -> tuple[LearnedQuality, ...]:
    (stats,) = router.stats(models=[model_id]).models
    return stats.learned


async def learned_async(router: AsyncRouter, model_id: str) -> tuple[LearnedQuality, ...]:
    (stats,) = (await router.stats(models=[model_id])).models
    return stats.learned


def decision_of(completion: Completion) -> Decision:
    assert completion.decision is not None
    return completion.decision


async def test_every_async_decision_has_an_id_of_its_own() -> None:
    async with serving(CONFIG) as served, AsyncRouter(served.address, timeout=10) as router:
        first = await router.select(task="code")
        cached = await router.select(task="code")
        invoked = await router.invoke("hello", task="chat", temperature=0)
        again = await router.invoke("hello", task="chat", temperature=0)
        stream = router.invoke_stream("hello", task="chat")
        streamed = await stream.result()
    assert cached.from_cache and cached.model == first.model == "coder"
    assert again.cache_hit and again.text == invoked.text
    ids = [
        first.decision_id,
        cached.decision_id,
        invoked.decision_id,
        again.decision_id,
        streamed.decision_id,
    ]
    assert all(ids) and len(set(ids)) == len(ids), ids
    # The completion's id is its decision's, in the basic view as in the full one.
    assert invoked.decision_id == decision_of(invoked).decision_id
    assert streamed.decision_id == decision_of(streamed).decision_id
    assert first.raw is not None and first.raw.decision_id == first.decision_id


async def test_sync_ids_and_scores() -> None:
    async with serving(CONFIG) as served:

        def score_twice() -> tuple[Decision, Completion, AlreadyExistsError]:
            with Router(served.address, timeout=10) as router:
                decision = router.select(task="code")
                reply = router.invoke("hello", task="chat", decision_view="full")
                assert router.feedback(decision.decision_id, 0.25) is None
                router.feedback(reply.decision_id, 1, timeout=5, metadata=[("x-note", "thumb up")])
                with pytest.raises(AlreadyExistsError) as second:
                    router.feedback(reply.decision_id, 0)
                return decision, reply, second.value

        decision, reply, second = await asyncio.to_thread(score_twice)
    assert decision.decision_id and reply.decision_id and decision.decision_id != reply.decision_id
    assert second.code is grpc.StatusCode.ALREADY_EXISTS and second.reason == "FEEDBACK_EXISTS"
    assert isinstance(second, RouterError)


async def test_a_score_teaches_the_server_about_the_model_that_answered() -> None:
    async with serving(CONFIG) as served, AsyncRouter(served.address, timeout=10) as router:
        assert await learned_async(router, "writer") == ()
        reply = await router.invoke("write me a poem", task="chat")
        await router.feedback(reply.decision_id, 1.0)
        decision = await router.select(task="code")
        await router.feedback(decision.decision_id, 0)
        writer = await learned_async(router, "writer")
        coder = await learned_async(router, "coder")
    assert reply.model == "writer" and decision.model == "coder"
    (chat,) = writer
    assert (chat.task, chat.scores, chat.configured_quality, chat.tenant) == ("chat", 1, 0.9, "")
    # A perfect score pulls the learned quality up from the configured one; it stays a
    # probability, with some doubt left after one score.
    assert 0.9 < chat.quality <= 1 and chat.uncertainty > 0
    (code,) = coder
    assert (code.task, code.scores, code.configured_quality) == ("code", 1, 0.8)
    assert code.quality < 0.8


async def test_refused_scores() -> None:
    async with serving(CONFIG) as served, AsyncRouter(served.address, timeout=10) as router:
        reply = await router.invoke("hello", task="chat")
        refused: dict[str, RouterError] = {}
        for score in (1.5, -0.1, math.nan, math.inf):
            with pytest.raises(InvalidArgumentError) as invalid:
                await router.feedback(reply.decision_id, score)
            refused[repr(score)] = invalid.value
        # A refused score consumed nothing: the decision can still be scored, once.
        await router.feedback(reply.decision_id, 0.75)
        with pytest.raises(AlreadyExistsError) as exists:
            await router.feedback(reply.decision_id, 0.75)
        with pytest.raises(NotFoundError) as unknown:
            await router.feedback("no-such-decision", 1)
        with pytest.raises(NotFoundError) as empty:
            await router.feedback("", 1)
        with pytest.raises(NotFoundError) as altered:
            # A real id with its first character changed: garbled, so unknown.
            first = "A" if reply.decision_id[0] != "A" else "B"
            await router.feedback(first + reply.decision_id[1:], 1)
        (chat,) = await learned_async(router, reply.model)
    for error in refused.values():
        assert error.code is grpc.StatusCode.INVALID_ARGUMENT
        assert (error.reason, error.metadata.get("field")) == ("INVALID_REQUEST", "score"), error
    assert exists.value.reason == "FEEDBACK_EXISTS"
    for error in (unknown.value, empty.value, altered.value):
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "UNKNOWN_DECISION"), error
    assert chat.scores == 1  # the one score that was accepted


FALLBACK_CONFIG = (
    "strategies: {by-task: {kind: task_based}}\n"
    "server: {default_strategy: by-task}\n"
    "models:\n" + model("broken", "{default: 0.9}", failure_rate=1.0) + model("steady", "{default: 0.6}")
)


async def test_an_invoke_that_fell_back_credits_the_model_that_answered() -> None:
    async with serving(FALLBACK_CONFIG) as served, AsyncRouter(served.address, timeout=10) as router:
        reply = await router.invoke("hello", task="chat")
        await router.feedback(reply.decision_id, 1)
        broken = await learned_async(router, "broken")
        steady = await learned_async(router, "steady")
    assert reply.model == "steady"
    assert reply.attempts[0].model == "broken" and reply.attempts[0].outcome != "OK", reply.attempts
    assert broken == ()
    assert [(q.task, q.scores) for q in steady] == [("chat", 1)]


def key_entry(key_id: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"    - {{id: {key_id}, tenant: {key_id}, roles: [invoke], sha256: '{digest}'}}\n"


async def test_scores_count_for_the_callers_tenant() -> None:
    key = "acme-PLANTED-feedback-client-0123"
    config = "auth:\n  api_keys:\n" + key_entry("acme", key) + CONFIG
    async with serving(config) as served, AsyncRouter(served.address, api_key=key, timeout=10) as router:
        reply = await router.invoke("hello", task="chat")
        await router.feedback(reply.decision_id, 1)
        (chat,) = await learned_async(router, reply.model)
    assert (chat.tenant, chat.task, chat.scores) == ("acme", "chat", 1)


def test_what_the_client_judges_alone_raises_type_error() -> None:
    # Nothing is sent: the channel to a port nobody listens on is never used.
    with Router("127.0.0.1:9", timeout=1) as router:
        with pytest.raises(TypeError, match="decision_id"):
            router.feedback(None, 1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="score"):
            router.feedback("d-1", "1")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="did you mean 'timeout'"):
            router.feedback("d-1", 1, timeuot=1)  # type: ignore[call-arg]
