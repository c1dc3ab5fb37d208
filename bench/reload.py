"""What a configuration reload costs (`python -m bench reload`): for registries of
20 and 1,000 models, in one server process, reloads that change one model's
price, alternately. Per reload: the time until ReloadConfig's work is done, and
the longest stall of the event loop meanwhile (what every call in flight then
waits: the new Router is built and swapped on the loop), measured by a ticker
that wakes every millisecond."""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import configs
from modelrouter.config.load import load_config
from modelrouter.logs import make_logging
from modelrouter.server import start

MODEL_COUNTS = (20, 1000)
RELOADS = 20
TICK_S = 0.001


@dataclass(frozen=True)
class ReloadCost:
    models: int
    reloads: int
    median_ms: float
    max_ms: float
    max_stall_ms: float
    """The longest the event loop went without running the ticker, over every reload."""


async def _measure(directory: Path, n_models: int, reloads: int) -> ReloadCost:
    config = configs.registry(n_models)
    config["health"] = {"check_interval_s": 0}
    path = directory / f"reload-{n_models}.yaml"
    text = yaml.safe_dump(config, sort_keys=False)
    path.write_text(text)
    running = await start(load_config(path), "127.0.0.1:0", make_logging(io.StringIO()))
    stall = 0.0
    ticking = True

    async def ticker() -> None:
        nonlocal stall
        last = time.perf_counter()
        while ticking:
            await asyncio.sleep(TICK_S)
            now = time.perf_counter()
            stall = max(stall, now - last - TICK_S)
            last = now

    times = []
    try:
        for i in range(reloads):
            config["models"][0]["pricing"]["input_per_mtok"] = 1.0 + i % 2
            path.write_text(yaml.safe_dump(config, sort_keys=False))
            ticks = asyncio.create_task(ticker())
            await asyncio.sleep(0.01)
            started = time.perf_counter()
            reloaded = await running.lifecycle.reload()
            times.append(time.perf_counter() - started)
            ticking = False
            await ticks
            ticking = True
            assert list(reloaded.changed) == [config["models"][0]["id"]], reloaded
    finally:
        await running.server.stop(0)
        await running.lifecycle.close()
    return ReloadCost(n_models, reloads, statistics.median(times) * 1000, max(times) * 1000, stall * 1000)


def measure(directory: Path, reloads: int = RELOADS) -> list[ReloadCost]:
    return [asyncio.run(_measure(directory, n, reloads)) for n in MODEL_COUNTS]


def print_costs(costs: list[ReloadCost]) -> None:
    print("\nconfiguration reload (one model's price changed, in process)")
    print(f"{'models':>8} {'reloads':>8} {'median ms':>10} {'max ms':>8} {'longest loop stall ms':>22}")
    for c in costs:
        print(f"{c.models:>8} {c.reloads:>8} {c.median_ms:>10.1f} {c.max_ms:>8.1f} {c.max_stall_ms:>22.1f}")


def document(costs: list[ReloadCost]) -> list[dict[str, float | int]]:
    return [
        {
            "models": c.models,
            "reloads": c.reloads,
            "median_ms": c.median_ms,
            "max_ms": c.max_ms,
            "max_stall_ms": c.max_stall_ms,
        }
        for c in costs
    ]
