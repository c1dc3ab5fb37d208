"""Sends a scenario's requests through a real server in this process (`bench/routing.py`):
Invoke with a selection by strategy and task, one call at a time, and for the learned pass a
Feedback for each scored answer, at once or some requests later; at the switch, the
configuration file is rewritten and ReloadConfig called when the scenario changes it.

Anything that is not what the harness expects (a failed call, an answer from a model other
than the decision's, a cost estimate that is not the table's, a reload that changed other
models) stops the pass with a HarnessError: the figures would be wrong."""

from __future__ import annotations

import heapq
import io
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import yaml

from bench.routing_world import (
    INPUT_TOKENS,
    NEWCOMER,
    OUTPUT_TOKENS,
    PRICE_CUT,
    Judge,
    Model,
    Request,
    ScoreKind,
    Weights,
    config,
    score,
)
from modelrouter.config.load import load_config
from modelrouter.logs import make_logging
from modelrouter.server import start
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb

LEARNED, STATIC = "smart", "static"  # the configuration's strategy names
CALL_TIMEOUT_S = 10.0


class Calls:
    """The four RPCs the harness makes, on one channel."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.invoke: grpc.aio.UnaryUnaryMultiCallable[pb.InvokeRequest, pb.InvokeResponse] = (
            channel.unary_unary(
                "/modelrouter.v1.RouterService/Invoke",
                request_serializer=pb.InvokeRequest.SerializeToString,
                response_deserializer=pb.InvokeResponse.FromString,
            )
        )
        self.feedback: grpc.aio.UnaryUnaryMultiCallable[pb.FeedbackRequest, pb.FeedbackResponse] = (
            channel.unary_unary(
                "/modelrouter.v1.RouterService/Feedback",
                request_serializer=pb.FeedbackRequest.SerializeToString,
                response_deserializer=pb.FeedbackResponse.FromString,
            )
        )
        self.stats: grpc.aio.UnaryUnaryMultiCallable[pb.StatsRequest, pb.StatsResponse] = channel.unary_unary(
            "/modelrouter.v1.RouterService/Stats",
            request_serializer=pb.StatsRequest.SerializeToString,
            response_deserializer=pb.StatsResponse.FromString,
        )
        self.reload: grpc.aio.UnaryUnaryMultiCallable[apb.ReloadConfigRequest, apb.ReloadConfigResponse] = (
            channel.unary_unary(
                "/modelrouter.v1.AdminService/ReloadConfig",
                request_serializer=apb.ReloadConfigRequest.SerializeToString,
                response_deserializer=apb.ReloadConfigResponse.FromString,
            )
        )


class HarnessError(Exception):
    """The benchmark itself went wrong: its figures cannot be trusted."""


@dataclass(frozen=True)
class Learned:
    """What the server had learned by the end of the pass (ModelStats.learned)."""

    model: str
    task: str
    quality: float
    uncertainty: float
    scores: int
    configured: float


@dataclass
class Pass:
    strategy: str
    choices: list[str]
    feedback_sent: int = 0
    seconds: float = 0.0
    reload_at: int | None = None
    learned: list[Learned] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """How the pass runs: the scores' kind and the server's feedback settings."""

    weights: Weights
    feedback: Mapping[str, float | int]
    scores: ScoreKind


def _write(path: Path, judge: Judge, models: Sequence[Model], plan: Plan) -> None:
    text = yaml.safe_dump(config(judge.scenario, models, plan.weights, plan.feedback), sort_keys=False)
    path.write_text(text)


def _invoke_request(request: Request, strategy: str) -> pb.InvokeRequest:
    requirements = pb.Requirements(
        task=request.task, expected_input_tokens=INPUT_TOKENS, expected_output_tokens=OUTPUT_TOKENS
    )
    return pb.InvokeRequest(
        selection=pb.SelectRequest(strategy=strategy, requirements=requirements),
        messages=[pb.ChatMessage(role="user", content=f"request {request.index}: {request.task}")],
    )


def _check_answer(answer: pb.InvokeResponse, request: Request, judge: Judge, strategy: str) -> None:
    i = request.index
    known = {m.id for m in judge.world(i)}
    decision = answer.decision
    if answer.model not in known or decision.model != answer.model:
        raise HarnessError(f"request {i}: answered by {answer.model!r}, decided {decision.model!r}")
    if decision.strategy != strategy:
        raise HarnessError(f"request {i}: decided by {decision.strategy!r}, not {strategy!r}")
    expected = judge.model(i, answer.model).cost_usd
    if abs(decision.estimated_cost_usd - expected) > 1e-9 * max(1.0, expected) + expected * 1e-6:
        estimated = decision.estimated_cost_usd
        raise HarnessError(
            f"request {i}: {answer.model} estimated ${estimated:.9g}, the table ${expected:.9g}"
        )
    if strategy == LEARNED and not decision.decision_id:
        raise HarnessError(f"request {i}: no decision_id")


def _expected_reload(judge: Judge) -> tuple[list[str], list[str]]:
    """(added, changed) that the reload at the switch must report."""
    change = judge.scenario.change
    if change == "new_model":
        return [NEWCOMER.id], []
    if change == "price_cut":
        return [], [PRICE_CUT]
    return [], []


async def _reload(calls: Calls, path: Path, judge: Judge, plan: Plan) -> None:
    _write(path, judge, judge.after, plan)
    try:
        answer = await calls.reload(apb.ReloadConfigRequest(), timeout=CALL_TIMEOUT_S)
    except grpc.aio.AioRpcError as e:
        raise HarnessError(f"ReloadConfig: {e.code().name}: {e.details()}") from e
    added, changed = _expected_reload(judge)
    got = (sorted(answer.added_models), sorted(answer.changed_models), sorted(answer.removed_models))
    if got != (added, changed, []):
        raise HarnessError(
            f"ReloadConfig reported added/changed/removed {got}, expected {(added, changed, [])}"
        )


async def _learned(calls: Calls) -> list[Learned]:
    stats = await calls.stats(pb.StatsRequest(), timeout=CALL_TIMEOUT_S)
    return [
        Learned(m.model, q.task, q.quality, q.uncertainty, q.scores, q.configured_quality)
        for m in stats.models
        for q in m.learned
    ]


async def drive(judge: Judge, plan: Plan, strategy: str, directory: Path) -> Pass:
    """One pass of the scenario's requests through a fresh server; feedback when learning."""
    learning = strategy == LEARNED
    path = directory / f"{judge.scenario.name}-{strategy}.yaml"
    _write(path, judge, judge.before, plan)
    running = await start(load_config(path), "127.0.0.1:0", make_logging(io.StringIO()))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    calls = Calls(channel)
    result = Pass(strategy, [])
    # Scores waiting to be sent: (due request index, request index, decision id, score).
    pending: list[tuple[int, int, str, float]] = []
    started = time.perf_counter()
    try:
        for request in judge.requests:
            if request.index == judge.switch and judge.scenario.change in ("price_cut", "new_model"):
                await _reload(calls, path, judge, plan)
                result.reload_at = request.index
            try:
                answer = await calls.invoke(_invoke_request(request, strategy), timeout=CALL_TIMEOUT_S)
            except grpc.aio.AioRpcError as e:
                raise HarnessError(f"request {request.index}: Invoke {e.code().name}: {e.details()}") from e
            _check_answer(answer, request, judge, strategy)
            result.choices.append(answer.model)
            if learning and request.feedback_delay is not None:
                quality = judge.model(request.index, answer.model).quality[request.task]
                value = score(quality, request, plan.scores)
                due = request.index + request.feedback_delay
                heapq.heappush(pending, (due, request.index, answer.decision.decision_id, value))
            while pending and pending[0][0] <= request.index:
                _, index, decision_id, value = heapq.heappop(pending)
                await _feedback(calls, index, decision_id, value)
                result.feedback_sent += 1
        # Scores still due after the last request are never sent: the run is over.
        result.seconds = time.perf_counter() - started
        if learning:
            result.learned = await _learned(calls)
    finally:
        await channel.close()
        await running.server.stop(0)
        await running.lifecycle.close()
    return result


async def _feedback(calls: Calls, index: int, decision_id: str, value: float) -> None:
    try:
        await calls.feedback(pb.FeedbackRequest(decision_id=decision_id, score=value), timeout=CALL_TIMEOUT_S)
    except grpc.aio.AioRpcError as e:
        raise HarnessError(f"request {index}: Feedback {e.code().name}: {e.details()}") from e
