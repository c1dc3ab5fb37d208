"""Feedback kept in Redis is shared by replicas: they seal decision ids with one
key, a decision takes one score whichever replica hears it, every replica reads
the same scores in the same order (exactly: the floats come back bit for bit),
each learns what the others added, and so two replicas reach identical figures.

Runs against $REDIS_URL when set, else a redis-server started on a free port
(skipped without one, but under CI=true). Each test uses a key prefix of its own."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from modelrouter.config.schema import FeedbackConfig
from modelrouter.errors import FeedbackExists, FeedbackUnavailable
from modelrouter.learning.feedback import Feedback
from modelrouter.learning.posterior import Evidence
from modelrouter.learning.redis_store import RedisLearnedStore
from modelrouter.learning.store import Kept, LearnKey
from tests.support import RedisServer, need_redis_server

K1: LearnKey = ("acme", "summarize", "small")
K2: LearnKey = ("acme", "summarize", "large")
K3: LearnKey = ("", "code", "small")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    need_redis_server()
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class Shared:
    """One Redis and one key prefix; stores made on it are closed, and the
    prefix's keys deleted, when the test ends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"fb-test-{uuid.uuid4().hex[:12]}"
        self.admin = aioredis.Redis.from_url(url)
        self._made: list[RedisLearnedStore] = []

    def store(self, max_scores: int = 1000) -> RedisLearnedStore:
        made = RedisLearnedStore(self.url, self.prefix, max_scores)
        self._made.append(made)
        return made

    @contextlib.asynccontextmanager
    async def replicas(self) -> AsyncIterator[tuple[Feedback, Feedback]]:
        """Two feedback services on this Redis, as two replicas would run them
        (flushing only when a test says so), closed when the block ends."""
        config = FeedbackConfig()
        a = Feedback(config, self.store(config.max_scores), flush_interval_s=3600, timeout_s=5)
        b = Feedback(config, self.store(config.max_scores), flush_interval_s=3600, timeout_s=5)
        await a.start()
        await b.start()
        try:
            yield a, b
        finally:
            await a.close()
            await b.close()

    async def wipe(self) -> None:
        async for name in self.admin.scan_iter(match=f"{self.prefix}:*"):
            await self.admin.delete(name)

    async def close(self) -> None:
        for made in self._made:
            await made.close()
        await self.wipe()
        await self.admin.aclose()


@pytest_asyncio.fixture
async def shared(redis_url: str) -> AsyncIterator[Shared]:
    on = Shared(redis_url)
    try:
        yield on
    finally:
        await on.close()


async def test_every_store_on_one_redis_seals_with_the_same_key(shared: Shared) -> None:
    a, b = shared.store(), shared.store()
    key_b, key_a = await b.secret(), await a.secret()
    assert len(key_a) == 32
    assert key_a == key_b
    assert await shared.store().secret() == key_a
    assert await shared.admin.get(f"{shared.prefix}:feedback:key") == key_a


async def test_a_decision_is_scored_once_across_stores(shared: Shared) -> None:
    a, b = shared.store(), shared.store()
    mac = os.urandom(12)
    assert await a.scored_first(mac, 60.0) is True
    assert await b.scored_first(mac, 60.0) is False
    assert await a.scored_first(mac, 60.0) is False
    assert await b.scored_first(os.urandom(12), 0.25) is True
    # The memory lasts the feedback window (rounded up to whole seconds), no longer.
    ttl = await shared.admin.ttl(f"{shared.prefix}:feedback:scored:{mac.hex()}")
    assert 0 < ttl <= 60


async def test_appends_from_two_stores_read_back_in_redis_order_exactly(shared: Shared) -> None:
    a, b, c = shared.store(), shared.store(), shared.store()
    # Floats whose repr is long or extreme: they must come back bit for bit.
    odd = [1 / 3, 0.1 + 0.2, math.nextafter(0.0, 1.0), math.nextafter(1.0, 0.0), 1e-300, 0.0, 1.0]
    await a.append([(K1, odd[0]), (K2, odd[1]), (K1, odd[2])])
    await b.append([(K1, odd[3])])
    await a.append([(K3, odd[4]), (K1, odd[5])])
    await b.append([(K2, odd[6]), (K1, 0.5)])
    loaded = await c.load()
    assert loaded == {
        K1: ([odd[0], odd[2], odd[3], odd[5], 0.5], 5),
        K2: ([odd[1], odd[6]], 2),
        K3: ([odd[4]], 1),
    }


async def test_concurrent_appends_land_whole(shared: Shared) -> None:
    a, b = shared.store(), shared.store()
    from_a = [[(K1, (10 * i + j) / 1000) for j in range(10)] for i in range(20)]
    from_b = [[(K1, (500 + 10 * i + j) / 1000) for j in range(10)] for i in range(20)]
    await asyncio.gather(*(a.append(call) for call in from_a), *(b.append(call) for call in from_b))
    scores, count = (await shared.store().load())[K1]
    assert count == 400 and len(scores) == 400
    # Each call's scores are together, in their order (one atomic append); calls
    # in flight at once land in whichever order Redis runs them.
    calls = [scores[i : i + 10] for i in range(0, 400, 10)]
    assert sorted(calls) == sorted([[s for _, s in call] for call in from_a + from_b])


async def test_changed_gives_other_stores_appends_with_the_full_lists(shared: Shared) -> None:
    a, b = shared.store(), shared.store()
    assert await a.load() == {}
    assert await a.changed() == {}
    await b.append([(K1, 0.1), (K1, 0.2), (K2, 0.3)])
    assert await a.changed() == {K1: ([0.1, 0.2], 2), K2: ([0.3], 1)}
    assert await a.changed() == {}
    await b.append([(K1, 0.4)])
    assert await a.changed() == {K1: ([0.1, 0.2, 0.4], 3)}
    # Its own appends come back too, whole: the caller refolds from the full list.
    await a.append([(K2, 0.5)])
    assert await a.changed() == {K2: ([0.3, 0.5], 2)}
    assert await b.changed() == {K1: ([0.1, 0.2, 0.4], 3), K2: ([0.3, 0.5], 2)}
    assert await b.changed() == {}
    # After a load, only what lands later.
    await b.append([(K3, 0.6)])
    c = shared.store()
    assert set(await c.load()) == {K1, K2, K3}
    assert await c.changed() == {}
    await a.append([(K3, 0.7)])
    assert await c.changed() == {K3: ([0.6, 0.7], 2)}


async def test_a_redis_that_lost_its_data_is_read_afresh(shared: Shared) -> None:
    a, b = shared.store(), shared.store()
    for score in (0.1, 0.2, 0.3):
        await b.append([(K1, score)])
    assert await a.changed() == {K1: ([0.1, 0.2, 0.3], 3)}
    await shared.wipe()  # as a restart without persistence would
    await b.append([(K2, 0.9)])
    assert await a.changed() == {K2: ([0.9], 1)}


async def test_trimming_keeps_the_latest_scores_and_the_whole_count(shared: Shared) -> None:
    a, b = shared.store(max_scores=10), shared.store(max_scores=10)
    sent = [i / 100 for i in range(25)]
    await a.append([(K1, s) for s in sent[:7]])
    await b.append([(K1, s) for s in sent[7:19]])
    await a.append([(K1, s) for s in sent[19:]])
    assert await shared.store(max_scores=10).load() == {K1: (sent[-10:], 25)}
    # One call with more scores than Redis takes in one push, and more than are kept.
    big = shared.store(max_scores=2000)
    many = [(i % 997) / 997 for i in range(2500)]
    await big.append([(K2, s) for s in many])
    assert (await shared.store(max_scores=2000).load())[K2] == (many[-2000:], 2500)


async def test_keys_with_any_characters_round_trip(shared: Shared) -> None:
    task = ('résumé: "a|b" \\ {x}\n\x00 ' * 100).encode()[:1021].decode("utf-8", "ignore") + "日"
    assert len(task.encode()) <= 1024 and len(task.encode()) > 1000
    odd: list[LearnKey] = [
        ("tën:ant|*", task, "model:with:colons"),
        ("tën:ant|*", task + " ", "model:with:colons"),
        ("", "", ""),
        ("[]", '["a","b"]', "\u2028🙂"),
    ]
    a, b = shared.store(), shared.store()
    await b.load()
    await a.append([(key, i / 4) for i, key in enumerate(odd)])
    expected: Kept = {key: ([i / 4], 1) for i, key in enumerate(odd)}
    assert await b.changed() == expected
    assert await shared.store().load() == expected


async def test_two_feedback_replicas_reach_identical_figures(shared: Shared) -> None:
    async with shared.replicas() as (a, b):
        keys = [K1, K2]
        # A hears good scores, B bad ones, then the other way round: the fold
        # depends on the order (fading, drift), so only one shared order gives
        # one answer.
        for round_, (good, bad) in enumerate(((a, b), (b, a))):
            for i in range(40):
                key = keys[i % 2]
                high = 0.9 - i / 400 if round_ == 0 else 0.6
                await good.score(key[0], good.mint(*key), high)
                # An id minted by one replica is scored on the other: one key seals both.
                await bad.score(key[0], good.mint(*key), 0.1 + i / 1000)
            await good.flush()
            await bad.flush()
        await a.flush()
        await b.flush()
        stored = await shared.store().load()
        learning = a.learning
        for key in keys:
            ea, eb = a.evidence(*key), b.evidence(*key)
            assert ea is not None and eb is not None
            expected = Evidence.of(*stored[key], learning)
            assert (ea.good, ea.bad, ea.count) == (eb.good, eb.bad, eb.count)
            assert (ea.good, ea.bad, ea.count) == (expected.good, expected.bad, 80)
            assert len(stored[key][0]) == 80


async def test_a_decision_takes_one_score_across_feedback_replicas(shared: Shared) -> None:
    async with shared.replicas() as (a, b):
        decision = a.mint(*K1)
        await b.score(K1[0], decision, 0.8)
        with pytest.raises(FeedbackExists):
            await a.score(K1[0], decision, 0.2)
        with pytest.raises(FeedbackExists):
            await b.score(K1[0], decision, 0.8)


async def test_another_replicas_score_lapses_what_a_learned_ranking_kept(shared: Shared) -> None:
    """A learned ranking kept for a (tenant, task) holds while that task's evidence
    is unchanged (its identity and version, `LearnedDraws.current`); a score
    another replica took changes it at this replica's next flush."""
    async with shared.replicas() as (a, b):
        await a.score(K1[0], a.mint(*K1), 0.9)
        await a.flush()
        kept = a.on(K1[0], K1[1])
        version = kept.version
        await a.flush()  # nothing new: what was kept still holds
        assert a.on(K1[0], K1[1]) is kept and kept.version == version
        await b.score(K2[0], b.mint(*K2), 0.2)
        await b.flush()
        await a.flush()
        now = a.on(K1[0], K1[1])
        assert now is not kept or now.version != version
        assert now.get(K2[2]) is not None and now[K2[2]].count == 1


async def test_a_mark_that_lands_after_its_caller_gave_up_still_counts_its_score() -> None:
    """The store holds the decision's mark past the feedback timeout (CLIENT PAUSE
    WRITE, on a Redis of this test's own): the caller hears FEEDBACK_UNAVAILABLE.
    The mark lands when the pause ends, and its score counts, so the retry, which
    hears FEEDBACK_EXISTS, has lost nothing. Abandoned at the timeout, the mark
    would land without its score, and the retry would lose it."""
    need_redis_server()
    server = RedisServer()
    server.start()
    try:
        own = Shared(server.url)
        feedback = Feedback(FeedbackConfig(), own.store(), flush_interval_s=3600, timeout_s=0.2)
        await feedback.start()
        try:
            decision = feedback.mint(*K1)
            await own.admin.execute_command("CLIENT", "PAUSE", "700", "WRITE")
            with pytest.raises(FeedbackUnavailable):
                await feedback.score(K1[0], decision, 0.9)
            assert feedback.scores == 0  # not yet: the mark is still held
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while feedback.scores != 1:
                assert loop.time() < deadline, "the mark landed, but its score was never counted"
                await asyncio.sleep(0.02)
            with pytest.raises(FeedbackExists):
                await feedback.score(K1[0], decision, 0.9)
            evidence = feedback.on(K1[0], K1[1]).get(K1[2])
            assert evidence is not None and evidence.count == 1
            await feedback.flush()
            assert await own.store().load() == {K1: ([0.9], 1)}
        finally:
            await feedback.close()
            await own.close()
    finally:
        server.stop()
