"""The strategy registry: every configured strategy built once at start-up.

`KINDS` maps a kind to the function that builds it from its configuration; adding
a kind is adding a module and a row here, nothing else branches on kind names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from modelrouter.config.load import requirements_from_config
from modelrouter.config.schema import (
    CostAwareConfig,
    FallbackConfig,
    LearnedConfig,
    PerformanceConfig,
    StrategyConfig,
    TaskBasedConfig,
    WeightedConfig,
)
from modelrouter.domain import Requirements
from modelrouter.errors import UnknownStrategy
from modelrouter.learning.feedback import Feedback
from modelrouter.selection.strategies.base import Sampling, Strategy
from modelrouter.selection.strategies.cost_aware import CostAware
from modelrouter.selection.strategies.fallback import Fallback
from modelrouter.selection.strategies.learned import Learned
from modelrouter.selection.strategies.performance import Performance
from modelrouter.selection.strategies.task_based import TaskBased
from modelrouter.selection.strategies.weighted import Weighted

Resolve = Callable[[str], Strategy]


@dataclass(frozen=True, slots=True)
class Needs:
    """What a strategy may need beyond its configuration, built once for all."""

    resolve: Resolve
    """Another strategy by name (a fallback chain's members)."""
    feedback: Feedback
    """What feedback taught (a learned strategy)."""


def _own(cfg: StrategyConfig) -> Requirements | None:
    req = requirements_from_config(cfg.requirements)
    return None if req == Requirements() else req


def _task_based(name: str, cfg: TaskBasedConfig, needs: Needs) -> Strategy:
    return TaskBased(name, _own(cfg))


def _cost_aware(name: str, cfg: CostAwareConfig, needs: Needs) -> Strategy:
    return CostAware(name, _own(cfg))


def _performance(name: str, cfg: PerformanceConfig, needs: Needs) -> Strategy:
    return Performance(name, _own(cfg))


def _weighted(name: str, cfg: WeightedConfig, needs: Needs) -> Strategy:
    return Weighted(name, MappingProxyType(cfg.weights.model_dump()), _own(cfg))


def _learned(name: str, cfg: LearnedConfig, needs: Needs) -> Strategy:
    return Learned(name, MappingProxyType(cfg.weights.model_dump()), needs.feedback, _own(cfg))


def _fallback(name: str, cfg: FallbackConfig, needs: Needs) -> Strategy:
    return Fallback(name, tuple(needs.resolve(member) for member in cfg.chain), _own(cfg))


# Each builder takes its own kind's config class; `Any` is where the union is dispatched.
KINDS: Mapping[str, Callable[[str, Any, Needs], Strategy]] = MappingProxyType(
    {
        "task_based": _task_based,
        "cost_aware": _cost_aware,
        "performance": _performance,
        "weighted": _weighted,
        "learned": _learned,
        "fallback": _fallback,
    }
)


class StrategyRegistry:
    """Strategies by name, and the default."""

    def __init__(self, configs: Mapping[str, StrategyConfig], default: str, feedback: Feedback) -> None:
        built: dict[str, Strategy] = {}

        def resolve(name: str) -> Strategy:
            if name not in built:
                cfg = configs[name]
                built[name] = KINDS[cfg.kind](name, cfg, needs)
            return built[name]

        needs = Needs(resolve, feedback)

        for name in configs:
            resolve(name)
        self._strategies: Mapping[str, Strategy] = MappingProxyType(built)
        # Told apart once here, not per call (a runtime protocol check is slow).
        self._sampling: Mapping[str, Sampling] = MappingProxyType(
            {name: s for name, s in built.items() if isinstance(s, Sampling)}
        )
        self.default = default
        self.names = tuple(built)

    def sampling(self, name: str) -> Sampling | None:
        """The strategy `name` (a known one) when it draws anew on every call."""
        return self._sampling.get(name or self.default)

    def get(self, name: str) -> Strategy:
        try:
            return self._strategies[name or self.default]
        except KeyError:
            raise UnknownStrategy(name, self.names) from None
