"""The feedback service: mints decision ids, takes scores, keeps the evidence
per (tenant, task, model) that the `learned` strategy reads, and keeps it in
the store.

A score is applied here at once (the next decision of that tenant on that task
sees it) and queued for the store, which a loop writes every
`usage.flush_interval_s`, reading back what other replicas added; no score
waits on the store but for the check that its decision was not scored already."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from cachetools import LRUCache
from structlog.typing import FilteringBoundLogger

from modelrouter.config.schema import FeedbackConfig, UsageConfig
from modelrouter.errors import FeedbackExists, FeedbackUnavailable, InvalidRequest, UnknownDecision
from modelrouter.learning.ids import DecisionIds
from modelrouter.learning.posterior import Belief, Evidence, Learning
from modelrouter.learning.redis_store import RedisLearnedStore
from modelrouter.learning.store import (
    KEY_BYTES,
    LearnedStore,
    LearnKey,
    MemoryLearnedStore,
    SqliteLearnedStore,
)
from modelrouter.redact import redact

MAX_TASKS = 10_000
"""(tenant, task) pairs kept in memory, the least recently used dropped first:
tasks are the callers' words, so their number is theirs to grow, and each pair
holds up to `max_scores` scores per model. (Per pair, the models are the
configured ones: a decision id names no other.)"""


class TaskEvidence(dict[str, Evidence]):
    """Each model's evidence on one task for one tenant. `version` counts the
    changes: what a learned ranking prepared from it holds while it is unchanged."""

    __slots__ = ("posteriors", "version")

    def __init__(self) -> None:
        super().__init__()
        self.version = 0
        self.posteriors: dict[str, Belief] = {}
        """Per scored model: what a reader worked out of its evidence (which holds
        the configured quality it started from); emptied at every change."""

    def changing(self) -> None:
        self.version += 1
        self.posteriors.clear()


NO_EVIDENCE = TaskEvidence()
"""A tenant's evidence on a task before any score (never written to)."""
WARN_EVERY_S = 10.0


def learning_of(config: FeedbackConfig) -> Learning:
    return Learning(config.prior_weight, config.half_life_scores, config.drift_scores, config.max_scores)


def build_learned_store(
    usage: UsageConfig, feedback: FeedbackConfig, sqlite_path: Path, wall: Callable[[], float]
) -> LearnedStore:
    """Beside usage: the same Redis (shared by replicas), the same SQLite file, or memory."""
    if usage.store == "redis":
        return RedisLearnedStore(usage.redis_url, usage.key_prefix, feedback.max_scores)
    if usage.store == "sqlite":
        path = Path(usage.path) if usage.path else sqlite_path
        return SqliteLearnedStore(path, feedback.max_scores, wall)
    return MemoryLearnedStore(feedback.max_remembered, feedback.window_s, wall)


class Feedback:
    def __init__(
        self,
        config: FeedbackConfig,
        store: LearnedStore,
        flush_interval_s: float,
        timeout_s: float,
        wall: Callable[[], float] = time.time,
        log: FilteringBoundLogger | None = None,
    ) -> None:
        self.learning = learning_of(config)
        self._window_s = config.window_s
        self._store = store
        self._interval = flush_interval_s
        self._timeout = timeout_s
        self._wall = wall
        self._log = log
        self._evidence: LRUCache[tuple[str, str], TaskEvidence] = LRUCache(MAX_TASKS)
        """Per (tenant, task) with scores, each model's evidence: one lookup per ranking."""
        self._pending: list[tuple[LearnKey, float]] = []
        # Until `start` reads the shared key: ids minted before it (none are, the
        # server starts the router first) would not survive the switch.
        self.ids = DecisionIds(os.urandom(KEY_BYTES), config.window_s, wall)
        self._task: asyncio.Task[None] | None = None
        self._recording: set[asyncio.Task[bool]] = set()  # the loop holds tasks weakly
        self._marking: set[asyncio.Task[bool]] = set()
        """Marks the store answered too late for their callers (`_record`)."""
        self._warned_at = -WARN_EVERY_S
        self.scores = 0
        """Scores taken by this process (metrics)."""

    async def start(self) -> None:
        """Reads the shared key and the kept scores; starts the flush loop. A store
        away at start: ids are sealed with this process's own key, the scores come
        with the loop's first read."""
        try:
            async with asyncio.timeout(self._timeout):
                key = await self._store.secret()
            self.ids = DecisionIds(key, self._window_s, self._wall)
            async with asyncio.timeout(self._timeout):
                self._replace(await self._store.load())
        except Exception as exc:
            self._warn("feedback store unreachable at start", exc)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="modelrouter-feedback")

    def mint(self, tenant: str, task: str, model: str) -> str:
        return self.ids.mint(tenant, task, model)

    async def score(self, tenant: str, decision_id: str, score: float) -> LearnKey:
        """Credits `score` to what `decision_id` names, for `tenant` (the caller's:
        a decision issued to another tenant is unknown to it). Returns the key."""
        if not math.isfinite(score) or not 0.0 <= score <= 1.0:
            raise InvalidRequest("score", f"must be between 0 and 1 (1 best), not {score!r}")
        minted = self.ids.read(decision_id)
        if minted.tenant != tenant:
            raise UnknownDecision(decision_id)
        key = (tenant, minted.task, minted.model)
        # Marking the decision scored and counting the score go together, even
        # when the caller leaves half-way (its deadline, a cancel): a mark without
        # its score would refuse the retry FEEDBACK_EXISTS and lose the score.
        recording = asyncio.get_running_loop().create_task(self._record(key, minted.mac, score))
        self._recording.add(recording)
        recording.add_done_callback(self._recording.discard)
        if not await asyncio.shield(recording):
            raise FeedbackExists(decision_id)
        return key

    async def _record(self, key: LearnKey, mac: bytes, score: float) -> bool:
        """Counts the score unless the decision was scored already (False).

        The mark is not abandoned when the store answers late: the caller hears
        FEEDBACK_UNAVAILABLE after the timeout, but a mark that lands after all
        counts its score (`_marked_late`), so that the retry, which then hears
        FEEDBACK_EXISTS, has lost nothing. (Cut short, a mark could land in the
        store without its score: a reply lost in Redis, or SQLite's thread, which
        a cancel does not stop.)"""
        marking = asyncio.get_running_loop().create_task(self._store.scored_first(mac, self._window_s))
        try:
            async with asyncio.timeout(self._timeout):
                first = await asyncio.shield(marking)
        except TimeoutError:
            self._marking.add(marking)
            marking.add_done_callback(partial(self._marked_late, key, score))
            raise FeedbackUnavailable() from None
        except Exception as exc:
            self._warn("feedback store unreachable", exc)
            raise FeedbackUnavailable() from None
        if first:
            self._count(key, score)
        return first

    def _marked_late(self, key: LearnKey, score: float, marking: asyncio.Task[bool]) -> None:
        self._marking.discard(marking)
        if marking.cancelled():
            return
        exc = marking.exception()
        if exc is not None:
            self._warn("feedback store unreachable", exc)
        elif marking.result():
            self._count(key, score)

    def _count(self, key: LearnKey, score: float) -> None:
        self._add(key, score)
        self._pending.append((key, score))
        self.scores += 1

    def _models(self, tenant: str, task: str) -> TaskEvidence:
        models = self._evidence.get((tenant, task))
        if models is None:
            models = self._evidence[(tenant, task)] = TaskEvidence()
        models.changing()  # the caller is about to change it
        return models

    def _add(self, key: LearnKey, score: float) -> None:
        models = self._models(key[0], key[1])
        evidence = models.get(key[2])
        if evidence is None:
            evidence = models[key[2]] = Evidence(self.learning)
        evidence.add(score, self.learning)

    def on(self, tenant: str, task: str) -> TaskEvidence:
        """Each model's evidence on `task` for `tenant`: empty while it has no
        scores there (for reading only)."""
        return self._evidence.get((tenant, task)) or NO_EVIDENCE

    def evidence(self, tenant: str, task: str, model: str) -> Evidence | None:
        """What the scores say of `model` on `task` for `tenant`; None before any."""
        return self.on(tenant, task).get(model)

    def rows(self) -> Iterator[tuple[LearnKey, Evidence]]:
        """Every key with scores (for reading only)."""
        return iter(
            [
                ((tenant, task, model), e)
                for (tenant, task), models in self._evidence.items()
                for model, e in models.items()
            ]
        )

    def _replace(self, kept: dict[LearnKey, tuple[list[float], int]]) -> None:
        for (tenant, task, model), (scores, count) in kept.items():
            self._models(tenant, task)[model] = Evidence.of(scores, count, self.learning)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            with contextlib.suppress(Exception):
                await self.flush()

    async def flush(self) -> None:
        """Writes the queued scores; reads what other replicas added. A store
        that fails keeps the scores queued for the next flush."""
        pending, self._pending = self._pending, []
        try:
            async with asyncio.timeout(self._timeout):
                if pending:
                    await self._store.append(pending)
                changed = await self._store.changed()
        except Exception as exc:
            self._pending = pending + self._pending
            self._warn("feedback store write failed", exc)
            raise
        self._replace(changed)

    async def close(self) -> None:
        if self._recording:  # scores whose callers left: counted before the last flush
            await asyncio.gather(*self._recording, return_exceptions=True)
        if self._marking:  # late marks: a timeout more for them, no longer (a hung store)
            _, late = await asyncio.wait(self._marking, timeout=self._timeout)
            for marking in late:
                marking.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        with contextlib.suppress(Exception):
            await self.flush()
        with contextlib.suppress(Exception):
            await self._store.close()

    def _warn(self, event: str, exc: BaseException) -> None:
        now = self._wall()
        if self._log is not None and now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            error = (
                "no answer in time"
                if isinstance(exc, TimeoutError)
                else redact(f"{type(exc).__name__}: {exc}")
            )
            self._log.warning(event, error=error)
