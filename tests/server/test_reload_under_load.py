"""Reloading the configuration under load changes what new calls see and breaks
none: 64 callers keep Select, Invoke and InvokeStream in flight, against
simulated models and models on real HTTP upstreams, while ten reloads (through
AdminService.ReloadConfig) add, change and remove models, change a weight, add
and remove a deployment, and keep a drained deployment draining until it is
restored. Every call succeeds at its first attempt, every stream ends with its
`done` (one held open upstream across each swap too), Stats counts exactly the
calls made, no call started after a reload returned is answered by a model it
removed (or by the drained deployment), and each reload says what it added,
removed and changed. An invalid file, reloaded in the middle of it all, is
refused INVALID_CONFIG naming its problems and changes nothing."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml

from modelrouter.config.load import load_config
from modelrouter.manager import Router
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import admin_pb2_grpc as apb_grpc
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.providers.fake_openai import FakeOpenAI, Reply
from tests.support import Served, details_of, established_at, field_violations, serving

WORKERS = 64
CHANNELS = 4
PACE = 150
"""Calls that end between one reload and the next (and after the last)."""
MAX_CALLS = 40_000
"""The run's bound, whatever happens: it ends long before in a passing run."""
CALL_TIMEOUT_S = 20.0
USER = [pb.ChatMessage(role="user", content="hello there, how are you today?")]
BYPASS = pb.CACHE_POLICY_BYPASS
ACTIVE, DRAINING = pb.DEPLOYMENT_STATE_ACTIVE, pb.DEPLOYMENT_STATE_DRAINING

Doc = dict[str, Any]


# -- the configuration files ---------------------------------------------------


def simulated(mid: str, quality: float, ttft_ms: float, deployments: list[Doc] | None = None) -> Doc:
    return {
        "id": mid,
        "provider": "simulated",
        "context_window": 16000,
        "pricing": {"input_per_mtok": 1.0, "output_per_mtok": 2.0},
        "quality": {"default": quality},
        "latency": {"ttft_ms": ttft_ms, "tokens_per_s": 2000.0},
        "simulate": {"ttft_ms": ttft_ms, "tokens_per_s": 2000.0},
        "balancer": "weighted_round_robin",
        "deployments": deployments or [{"name": "only"}],
    }


def on_http(mid: str, quality: float, deployments: list[Doc]) -> Doc:
    return {
        "id": mid,
        "provider": "openai",
        "context_window": 16000,
        "pricing": {"input_per_mtok": 0.5, "output_per_mtok": 1.5},
        "quality": {"default": quality},
        "latency": {"ttft_ms": 20.0, "tokens_per_s": 500.0},
        "timeout_s": 10.0,
        "balancer": "weighted_round_robin",
        "deployments": deployments,
    }


def first_doc(openai: FakeOpenAI, holding: FakeOpenAI) -> Doc:
    """What the server starts with. `doomed` is the best by quality, so the
    default selection picks it until a reload removes it."""
    return {
        "server": {"max_attempts_per_model": 2, "retry_backoff_s": 0.01},
        # Every call reaches an upstream: Stats then counts each one.
        "cache": {"default_policy": "never"},
        "usage": {"store": "memory"},
        # No probes: a probe would take the answer scripted for the held stream
        # (`Admin.reload`). test_reload_memory runs them across reloads.
        "health": {"check_interval_s": 0},
        "models": [
            simulated("doomed", 0.9, 10.0),
            simulated("steady-a", 0.7, 15.0, [{"name": "a1"}, {"name": "a2"}]),
            simulated("steady-b", 0.6, 5.0),
            on_http("http-m", 0.5, [{"name": "h1", "base_url": openai.base_url}]),
            # Named only by the stream each reload holds open; never chosen by a selection.
            on_http("held", 0.3, [{"name": "x1", "base_url": holding.base_url}]),
        ],
    }


def model(doc: Doc, mid: str) -> Doc:
    found: Doc = next(m for m in doc["models"] if m["id"] == mid)
    return found


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- the load ------------------------------------------------------------------


@dataclass
class Call:
    """One call as its caller saw it; `start` and `end` are places in the run's
    sequence of events (see `Run.tick`), not times."""

    rpc: str
    start: int
    end: int = 0
    model: str = ""
    deployment: str = ""
    attempts: list[tuple[str, str, str]] = field(default_factory=list)
    """(model, deployment, outcome) of each attempt (Invoke and InvokeStream)."""


@dataclass
class Run:
    """The load's record: every call that ended well, every failure, and the
    order of events across callers and reloads."""

    seq: int = 0
    calls: list[Call] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)

    def tick(self) -> int:
        """The next place in the order of events: one event loop, so the order in
        which callers and the admin saw things happen is exact."""
        self.seq += 1
        return self.seq

    def ended(self, call: Call) -> None:
        call.end = self.tick()
        self.calls.append(call)
        self._wake()

    def failed(self, what: str) -> None:
        self.failures.append(what)
        self._wake()

    def _wake(self) -> None:
        done = len(self.calls) + len(self.failures)
        for target, future in self.waiting:
            if done >= target and not future.done():
                future.set_result(None)

    async def more(self, count: int) -> None:
        """Returns once `count` more calls have ended (bounded: a stuck load fails)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((len(self.calls) + len(self.failures) + count, future))
        await asyncio.wait_for(future, 60)


def _attempts(reply: pb.InvokeResponse) -> list[tuple[str, str, str]]:
    return [(a.model, a.deployment, a.outcome) for a in reply.attempts]


async def select(stub: pb_grpc.RouterServiceStub, run: Run, request: pb.SelectRequest) -> None:
    call = Call("Select", run.tick())
    reply = await stub.Select(request, timeout=CALL_TIMEOUT_S)
    call.model, call.deployment = reply.decision.model, reply.decision.deployment
    run.ended(call)


async def invoke(stub: pb_grpc.RouterServiceStub, run: Run, request: pb.InvokeRequest) -> None:
    call = Call("Invoke", run.tick())
    reply = await stub.Invoke(request, timeout=CALL_TIMEOUT_S)
    call.model, call.deployment, call.attempts = reply.model, reply.deployment, _attempts(reply)
    run.ended(call)


async def stream(stub: pb_grpc.RouterServiceStub, run: Run, request: pb.InvokeStreamRequest) -> None:
    call = Call("InvokeStream", run.tick())
    events = [e async for e in stub.InvokeStream(request, timeout=CALL_TIMEOUT_S)]
    kinds = [e.WhichOneof("event") for e in events]
    if not kinds or kinds[-1] != "done" or kinds.count("done") != 1 or "delta" not in kinds:
        run.failed(f"InvokeStream ended without its one done after deltas: {kinds}")
        return
    done = events[-1].done
    call.model, call.deployment, call.attempts = done.model, done.deployment, _attempts(done)
    run.ended(call)


Op = Callable[[pb_grpc.RouterServiceStub, Run], Awaitable[None]]


def operations() -> list[Op]:
    """The mix each caller cycles through: selections by requirements only, and
    calls naming only models that every configuration keeps."""
    good = pb.SelectRequest(requirements=pb.Requirements(min_quality=0.55))
    two = pb.SelectRequest(requirements=pb.Requirements(include_models=["steady-a", "steady-b"]))
    out = 16
    return [
        lambda s, r: select(s, r, good),
        lambda s, r: invoke(
            s, r, pb.InvokeRequest(selection=good, messages=USER, max_output_tokens=out, cache=BYPASS)
        ),
        lambda s, r: stream(
            s, r, pb.InvokeStreamRequest(selection=good, messages=USER, max_output_tokens=out, cache=BYPASS)
        ),
        lambda s, r: invoke(s, r, pb.InvokeRequest(model="http-m", messages=USER, cache=BYPASS)),
        lambda s, r: stream(s, r, pb.InvokeStreamRequest(model="http-m", messages=USER, cache=BYPASS)),
        lambda s, r: invoke(
            s, r, pb.InvokeRequest(model="steady-a", messages=USER, max_output_tokens=out, cache=BYPASS)
        ),
        lambda s, r: stream(
            s, r, pb.InvokeStreamRequest(selection=two, messages=USER, max_output_tokens=out, cache=BYPASS)
        ),
        lambda s, r: select(s, r, two),
    ]


async def caller(number: int, stub: pb_grpc.RouterServiceStub, run: Run) -> None:
    ops = operations()
    for turn in itertools.count(number):
        if run.stop.is_set() or run.started >= MAX_CALLS:
            return
        run.started += 1
        try:
            await ops[turn % len(ops)](stub, run)
        except grpc.aio.AioRpcError as err:
            run.failed(f"{err.code().name}: {err.details()}")


# -- the reloads ---------------------------------------------------------------


def configured(listed: pb.ListModelsResponse) -> pb.ListModelsResponse:
    """ListModels without the figures the calls move (observed latency)."""
    out = pb.ListModelsResponse()
    out.CopyFrom(listed)
    for m in out.models:
        m.ClearField("ttft_ms")
        m.ClearField("tokens_per_s")
    return out


class Admin:
    """Writes the configuration file and reloads it, checking what each reload
    says against what the file changed."""

    def __init__(
        self, served: Served, channel: grpc.aio.Channel, path: Path, run: Run, doc: Doc, holding: FakeOpenAI
    ) -> None:
        self.served = served
        self.holding = holding
        self.stub = apb_grpc.AdminServiceStub(channel)
        self.path = path
        self.run = run
        self.doc = doc
        self.version = version_of(path.read_text())
        self.reloads: list[int] = []
        """When each reload returned (`Run.tick`)."""

    async def reload(
        self,
        doc: Doc,
        added: tuple[str, ...] = (),
        removed: tuple[str, ...] = (),
        changed: tuple[str, ...] = (),
    ) -> int:
        """Reloads `doc`; returns when the reload returned (`Run.tick`)."""
        text = yaml.safe_dump(doc, sort_keys=False)
        self.path.write_text(text)
        # A stream is under way for certain at the swap, whatever the load's
        # timing: its upstream holds it after its first piece until the reload
        # has returned; then it must finish where it started.
        release = asyncio.Event()
        self.holding.script(Reply(hold_after_first=release))
        held = Call("InvokeStream", self.run.tick())
        request = pb.InvokeStreamRequest(model="held", messages=USER, cache=BYPASS)
        events = aiter(self.served.stub.InvokeStream(request, timeout=CALL_TIMEOUT_S))
        first = await anext(events)
        assert first.WhichOneof("event") == "delta"
        try:
            response: apb.ReloadConfigResponse = await self.stub.ReloadConfig(
                apb.ReloadConfigRequest(), timeout=30
            )
            returned = self.run.tick()
        finally:
            release.set()
        rest = [e async for e in events]
        assert [e.WhichOneof("event") for e in rest][-1:] == ["done"]
        summary = rest[-1].done
        held.model, held.deployment, held.attempts = summary.model, summary.deployment, _attempts(summary)
        self.run.ended(held)
        assert (response.previous_version, response.config_version) == (self.version, version_of(text))
        assert sorted(response.added_models) == sorted(added)
        assert sorted(response.removed_models) == sorted(removed)
        assert sorted(response.changed_models) == sorted(changed)
        listed = await self.served.stub.ListModels(pb.ListModelsRequest(), timeout=10)
        assert listed.config_version == response.config_version
        assert [m.id for m in listed.models] == [m["id"] for m in doc["models"]]
        self.version, self.doc = response.config_version, doc
        self.reloads.append(returned)
        return returned

    async def refused(self, text: str) -> list[tuple[str, str]]:
        """Reloads a file that must not validate: the problems it names."""
        before = configured(await self.served.stub.ListModels(pb.ListModelsRequest(), timeout=10))
        self.path.write_text(text)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await self.stub.ReloadConfig(apb.ReloadConfigRequest(), timeout=30)
        error = details_of(caught.value)
        assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_CONFIG")
        after = configured(await self.served.stub.ListModels(pb.ListModelsRequest(), timeout=10))
        assert after == before  # same version, models, deployments and their states
        return field_violations(caught.value)

    async def set_state(self, mid: str, deployment: str, state: pb.DeploymentState) -> int:
        request = apb.SetDeploymentStateRequest(model=mid, deployment=deployment, state=state)
        await self.stub.SetDeploymentState(request, timeout=10)
        return self.run.tick()

    async def state_of(self, mid: str, deployment: str) -> pb.DeploymentState:
        listed = await self.served.stub.ListModels(pb.ListModelsRequest(), timeout=10)
        found = next(m for m in listed.models if m.id == mid)
        state: pb.DeploymentState = next(d.state for d in found.deployments if d.name == deployment)
        return state


@dataclass
class Story:
    """What the reloads did that the calls must bear out."""

    removed_at: dict[str, int] = field(default_factory=dict)
    """Model id: when the reload that removed it returned."""
    drained: tuple[int, int] = (0, 0)
    """When steady-a/a1's drain returned, and when its restore was sent."""


async def reload_ten_times(admin: Admin, run: Run, second: FakeOpenAI, first: FakeOpenAI) -> Story:
    story = Story()
    doc = copy.deepcopy(admin.doc)

    await run.more(PACE)
    doc["models"] = [m for m in doc["models"] if m["id"] != "doomed"]
    story.removed_at["doomed"] = await admin.reload(copy.deepcopy(doc), removed=("doomed",))

    await run.more(PACE)
    doc["models"].append(simulated("fresh", 0.92, 8.0))
    await admin.reload(copy.deepcopy(doc), added=("fresh",))

    await run.more(PACE)
    model(doc, "steady-a")["quality"] = {"default": 0.75}
    await admin.reload(copy.deepcopy(doc), changed=("steady-a",))

    await run.more(PACE)
    model(doc, "steady-a")["deployments"][1]["weight"] = 3.0
    await admin.reload(copy.deepcopy(doc), changed=("steady-a",))

    await run.more(PACE)
    model(doc, "http-m")["deployments"].append({"name": "h2", "base_url": second.base_url})
    await admin.reload(copy.deepcopy(doc), changed=("http-m",))

    # An invalid file in the middle of the load: refused, naming both problems.
    await run.more(PACE)
    bad = copy.deepcopy(doc)
    bad["surprise"] = True
    model(bad, "steady-b")["pricing"]["input_per_mtok"] = -1.0
    problems = await admin.refused(yaml.safe_dump(bad, sort_keys=False))
    fields = [f for f, _ in problems]
    index = [m["id"] for m in bad["models"]].index("steady-b")
    assert sorted(fields) == sorted(["surprise", f"models[{index}].pricing.input_per_mtok"])

    # A drained deployment stays drained through a reload that changes its model.
    await run.more(PACE)
    drained_at = await admin.set_state("steady-a", "a1", DRAINING)
    model(doc, "steady-a")["pricing"] = {"input_per_mtok": 1.5, "output_per_mtok": 2.5}
    await admin.reload(copy.deepcopy(doc), changed=("steady-a",))
    assert await admin.state_of("steady-a", "a1") == DRAINING

    await run.more(PACE)
    restore_sent = run.tick()
    await admin.set_state("steady-a", "a1", ACTIVE)
    story.drained = (drained_at, restore_sent)
    doc["strategies"] = {"thrifty": {"kind": "cost_aware"}}
    await admin.reload(copy.deepcopy(doc))  # a strategy added: no model changes
    assert await admin.state_of("steady-a", "a1") == ACTIVE

    await run.more(PACE)
    model(doc, "http-m")["deployments"].pop()
    await admin.reload(copy.deepcopy(doc), changed=("http-m",))

    await run.more(PACE)
    doc["models"] = [m for m in doc["models"] if m["id"] != "fresh"]
    story.removed_at["fresh"] = await admin.reload(copy.deepcopy(doc), removed=("fresh",))

    await run.more(PACE)
    doc["models"].append(on_http("http-late", 0.95, [{"name": "l1", "base_url": first.base_url}]))
    await admin.reload(copy.deepcopy(doc), added=("http-late",))

    await run.more(PACE)  # the tail: calls on the last configuration
    return story


# -- the test ------------------------------------------------------------------


def in_flight_at_swaps(served: Served) -> list[int]:
    """Filled at each swap with the calls then under way on the configuration
    replaced: that the reloads happened under load, not between calls."""
    counts: list[int] = []
    replaced = [served.running.router]

    def swapped(router: Router) -> None:
        counts.append(replaced[0].calls)
        replaced[0] = router

    served.running.lifecycle.on_swap(swapped)
    return counts


async def settle(check: Callable[[], bool], what: str) -> None:
    """Waits, bounded, for something the server finishes after the calls end."""
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still not so after 10 s: {what}")


@pytest.mark.slow
async def test_ten_reloads_under_load_fail_no_call_and_change_what_new_calls_see(tmp_path: Path) -> None:
    path = tmp_path / "modelrouter.yaml"
    async with FakeOpenAI() as first, FakeOpenAI() as second, FakeOpenAI() as holding:
        doc = first_doc(first, holding)
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        async with serving(load_config(path)) as served:
            channels = [grpc.aio.insecure_channel(served.address) for _ in range(CHANNELS)]
            admin_channel = grpc.aio.insecure_channel(served.address)
            try:
                run = Run()
                admin = Admin(served, admin_channel, path, run, doc, holding)
                at_swaps = in_flight_at_swaps(served)
                stubs = [pb_grpc.RouterServiceStub(c) for c in channels]
                callers = [asyncio.create_task(caller(i, stubs[i % CHANNELS], run)) for i in range(WORKERS)]
                try:
                    story = await reload_ten_times(admin, run, second, first)
                finally:
                    run.stop.set()
                    await asyncio.gather(*callers)
                stats = await served.stub.Stats(pb.StatsRequest(), timeout=10)
                await settle(
                    lambda: served.running.lifecycle.retiring == 0, "replaced configurations retired"
                )
                # h2, removed with its model's change, was the only user of the second upstream.
                await settle(lambda: established_at(second.port) == 0, "h2's connections closed")
                assert second.requests, "h2 took no call: the check above proves nothing"
            finally:
                for channel in (*channels, admin_channel):
                    await channel.close()

    assert run.failures == [], f"{len(run.failures)} failed calls, first: {run.failures[:5]}"
    assert len(admin.reloads) == 10
    calls = run.calls
    assert run.started < MAX_CALLS
    invoked = [c for c in calls if c.rpc != "Select"]
    print(f"\n{len(calls)} calls ({len(invoked)} Invoke/InvokeStream) across 10 reloads")

    # Each call answered at its first attempt: a reload fails no attempt either.
    assert all(c.attempts == [(c.model, c.deployment, "OK")] for c in invoked)
    totals = [(t.requests, t.successes, t.failures) for t in stats.tenants]
    assert tuple(map(sum, zip(*totals, strict=True))) == (len(invoked), len(invoked), 0)

    # No call started after a removal returned was answered by what it removed.
    late = [c for c in calls if c.model in story.removed_at and c.start > story.removed_at[c.model]]
    assert late == []
    for mid, when in story.removed_at.items():
        assert any(c.model == mid and c.start < when for c in calls), (
            f"{mid} was never chosen: proves nothing"
        )
    drained_from, drained_until = story.drained
    on_drained = [
        c
        for c in calls
        if (c.model, c.deployment) == ("steady-a", "a1") and drained_from < c.start and c.end < drained_until
    ]
    assert on_drained == []
    assert any(c.model == "steady-a" and drained_from < c.start and c.end < drained_until for c in invoked)
    assert any(c.model == "http-late" for c in calls)

    # Calls were under way at every swap (the held stream at least), on both kinds of upstream.
    print(f"Invoke and InvokeStream calls in flight on the replaced configuration at each swap: {at_swaps}")
    assert len(at_swaps) == 10 and all(at_swaps)
    assert {c.model for c in invoked} >= {"doomed", "fresh", "steady-a", "steady-b", "http-m", "http-late"}
