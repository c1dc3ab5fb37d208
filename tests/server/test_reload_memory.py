"""A hundred reloads leave nothing behind: alternating between two
configurations (one adds a model on a real HTTP upstream, the other removes it
and changes another model), with calls on each, the server ends with as many
asyncio tasks as it had after a warm-up, no replaced Router is still alive, no
connection to the upstream stays open once the model using it is gone, and its
resident memory grows by no more than a small bound. The Router the server
started with is freed once replaced, like any other."""

from __future__ import annotations

import asyncio
import gc
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelrouter.config.load import load_config
from modelrouter.manager import Router
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import admin_pb2_grpc as apb_grpc
from modelrouter_client._proto import router_pb2 as pb
from tests.providers.fake_openai import FakeOpenAI
from tests.support import Served, established_at, serving

WARM_UP = 10
RELOADS = 100
RSS_BOUND = 20 * 1024 * 1024
USER = [pb.ChatMessage(role="user", content="hello")]
BYPASS = pb.CACHE_POLICY_BYPASS


def doc(with_extra: bool, openai: FakeOpenAI) -> dict[str, Any]:
    """With `extra` (on the HTTP upstream) and `steady` at one quality, or
    without it and `steady` at another: each reload adds or removes `extra`
    and changes `steady`."""
    models: list[dict[str, Any]] = [
        {
            "id": "steady",
            "provider": "simulated",
            "context_window": 8000,
            "pricing": {"input_per_mtok": 1.0, "output_per_mtok": 1.0},
            "quality": {"default": 0.5 if with_extra else 0.6},
            "simulate": {"ttft_ms": 1.0, "tokens_per_s": 5000.0},
        }
    ]
    if with_extra:
        models.append(
            {
                "id": "extra",
                "provider": "openai",
                "context_window": 8000,
                "pricing": {"input_per_mtok": 1.0, "output_per_mtok": 1.0},
                "quality": {"default": 0.9},
                "timeout_s": 10.0,
                "deployments": [{"name": "e1", "base_url": openai.base_url}],
            }
        )
    return {
        "server": {"access_log": False},
        "cache": {"default_policy": "never"},
        "usage": {"store": "memory"},
        # Each configuration starts its own probe loop: one left running would show.
        "health": {"check_interval_s": 1.0},
        "models": models,
    }


def rss() -> int:
    """This process's resident memory, in bytes."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


async def settle(check: Callable[[], bool], what: str) -> None:
    """Waits, bounded, for what the server finishes after its calls end."""
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still not so after 10 s: {what}")


async def cycle(served: Served, path: Path, openai: FakeOpenAI, number: int) -> None:
    """One reload, then calls on what it put in force."""
    with_extra = number % 2 == 0
    path.write_text(yaml.safe_dump(doc(with_extra, openai)))
    admin = apb_grpc.AdminServiceStub(served.channel)
    reloaded = await admin.ReloadConfig(apb.ReloadConfigRequest(), timeout=10)
    assert list(reloaded.added_models) == (["extra"] if with_extra else [])
    assert list(reloaded.removed_models) == ([] if with_extra else ["extra"])
    assert list(reloaded.changed_models) == ["steady"]
    stub = served.stub
    await stub.Invoke(pb.InvokeRequest(model="steady", messages=USER, cache=BYPASS), timeout=10)
    if with_extra:
        await stub.Invoke(pb.InvokeRequest(model="extra", messages=USER, cache=BYPASS), timeout=10)
        request = pb.InvokeStreamRequest(model="extra", messages=USER, cache=BYPASS)
        events = [e.WhichOneof("event") async for e in stub.InvokeStream(request, timeout=10)]
        assert events[-1] == "done"
        assert established_at(openai.port) >= 1  # extra's pool keeps its connection open
    else:
        # `extra` is gone with its pool: once the Router that had it retires,
        # nothing holds a connection to the upstream.
        await settle(lambda: served.running.lifecycle.retiring == 0, "the replaced Router retired")
        await settle(lambda: established_at(openai.port) == 0, "extra's connections closed")


async def fewest_tasks() -> int:
    """The asyncio tasks that stay: the fewest seen over a short while, since
    the tasks of calls just answered take a moment to end."""
    counts = []
    for _ in range(20):
        await asyncio.sleep(0.01)
        counts.append(len(asyncio.all_tasks()))
    return min(counts)


async def resident(served: Served, openai: FakeOpenAI) -> int:
    """Resident bytes once the server is at rest: replaced configurations
    retired, usage folded and flushed, garbage collected. What the test itself
    keeps (the upstream's record of requests, the log) is dropped first."""
    await settle(lambda: served.running.lifecycle.retiring == 0, "replaced Routers retired")
    await served.running.router.usage.flush()
    openai.requests.clear()
    served.log.seek(0)
    served.log.truncate()
    gc.collect()
    return rss()


@pytest.mark.slow
async def test_a_hundred_reloads_leak_no_task_router_connection_or_memory(tmp_path: Path) -> None:
    path = tmp_path / "modelrouter.yaml"
    async with FakeOpenAI() as openai:
        path.write_text(yaml.safe_dump(doc(False, openai)))
        async with serving(load_config(path)) as served:
            for number in range(WARM_UP):
                await cycle(served, path, openai, number)
            rss_before = await resident(served, openai)
            tasks_before = await fewest_tasks()

            replaced: list[weakref.ref[Router]] = []
            for number in range(WARM_UP, WARM_UP + RELOADS):
                replaced.append(weakref.ref(served.running.router))
                await cycle(served, path, openai, number)
            rss_after = await resident(served, openai)
            # Bounded: a task left behind by each reload would never let it get there.
            await settle(lambda: len(asyncio.all_tasks()) <= tasks_before, "tasks back to the warm-up's")
            tasks_after = len(asyncio.all_tasks())
            alive = sum(ref() is not None for ref in replaced)
    grown = rss_after - rss_before
    print(
        f"\nafter {WARM_UP} reloads: {tasks_before} tasks, RSS {rss_before / 2**20:.1f} MiB; "
        f"after {RELOADS} more: {tasks_after} tasks, RSS {rss_after / 2**20:.1f} MiB "
        f"({grown / 2**20:+.2f} MiB); replaced Routers still alive: {alive} of {RELOADS}"
    )
    assert tasks_after == tasks_before
    assert alive == 0
    assert grown < RSS_BOUND


async def test_the_router_the_server_started_with_is_freed_once_replaced(tmp_path: Path) -> None:
    path = tmp_path / "modelrouter.yaml"
    async with FakeOpenAI() as openai:
        path.write_text(yaml.safe_dump(doc(False, openai)))
        async with serving(load_config(path)) as served:
            first = weakref.ref(served.running.router)
            await cycle(served, path, openai, 0)
            await cycle(served, path, openai, 1)
            await resident(served, openai)  # retired, collected
            assert first() is None, "the first Router outlives its replacement"
