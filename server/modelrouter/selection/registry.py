"""The strategy registry: every configured strategy built once at start-up.

`KINDS` maps a kind to the function that builds it from its configuration; adding
a kind is adding a module and a row here, nothing else branches on kind names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from modelrouter.config.load import requirements_from_config
from modelrouter.config.schema import (
    CostAwareConfig,
    FallbackConfig,
    PerformanceConfig,
    StrategyConfig,
    TaskBasedConfig,
    WeightedConfig,
)
from modelrouter.domain import Requirements
from modelrouter.errors import UnknownStrategy
from modelrouter.selection.strategies.base import Strategy
from modelrouter.selection.strategies.cost_aware import CostAware
from modelrouter.selection.strategies.fallback import Fallback
from modelrouter.selection.strategies.performance import Performance
from modelrouter.selection.strategies.task_based import TaskBased
from modelrouter.selection.strategies.weighted import Weighted

Resolve = Callable[[str], Strategy]


def _own(cfg: StrategyConfig) -> Requirements | None:
    req = requirements_from_config(cfg.requirements)
    return None if req == Requirements() else req


def _task_based(name: str, cfg: TaskBasedConfig, resolve: Resolve) -> Strategy:
    return TaskBased(name, _own(cfg))


def _cost_aware(name: str, cfg: CostAwareConfig, resolve: Resolve) -> Strategy:
    return CostAware(name, _own(cfg))


def _performance(name: str, cfg: PerformanceConfig, resolve: Resolve) -> Strategy:
    return Performance(name, _own(cfg))


def _weighted(name: str, cfg: WeightedConfig, resolve: Resolve) -> Strategy:
    return Weighted(name, MappingProxyType(cfg.weights.model_dump()), _own(cfg))


def _fallback(name: str, cfg: FallbackConfig, resolve: Resolve) -> Strategy:
    return Fallback(name, tuple(resolve(member) for member in cfg.chain), _own(cfg))


# Each builder takes its own kind's config class; `Any` is where the union is dispatched.
KINDS: Mapping[str, Callable[[str, Any, Resolve], Strategy]] = MappingProxyType(
    {
        "task_based": _task_based,
        "cost_aware": _cost_aware,
        "performance": _performance,
        "weighted": _weighted,
        "fallback": _fallback,
    }
)


class StrategyRegistry:
    """Strategies by name, and the default."""

    def __init__(self, configs: Mapping[str, StrategyConfig], default: str) -> None:
        built: dict[str, Strategy] = {}

        def resolve(name: str) -> Strategy:
            if name not in built:
                cfg = configs[name]
                built[name] = KINDS[cfg.kind](name, cfg, resolve)
            return built[name]

        for name in configs:
            resolve(name)
        self._strategies: Mapping[str, Strategy] = MappingProxyType(built)
        self.default = default
        self.names = tuple(built)

    def get(self, name: str) -> Strategy:
        try:
            return self._strategies[name or self.default]
        except KeyError:
            raise UnknownStrategy(name, self.names) from None
