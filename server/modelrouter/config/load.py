"""Read a configuration file, report every problem with its field path at once,
and build the immutable runtime settings the server is made from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from modelrouter.config.schema import (
    BudgetsConfig,
    CacheConfig,
    Config,
    FallbackConfig,
    HealthConfig,
    MetricsConfig,
    ModelConfig,
    RequirementsConfig,
    ServerConfig,
    StrategyConfig,
    UsageConfig,
)
from modelrouter.domain import (
    Deployment,
    LatencyProfile,
    ModelSpec,
    Pricing,
    Requirements,
    SimulatedBehaviour,
)

STRATEGY_KINDS = ("task_based", "cost_aware", "performance", "weighted", "fallback")


class ConfigError(Exception):
    """The configuration does not validate; `problems` holds one `path: what` line each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RouterConfig:
    """Everything the server is built from, validated and immutable."""

    server: ServerConfig
    models: tuple[ModelSpec, ...]
    strategies: Mapping[str, StrategyConfig]
    cache: CacheConfig
    health: HealthConfig
    source: str
    usage: UsageConfig = field(default_factory=UsageConfig)
    budgets: BudgetsConfig = field(default_factory=BudgetsConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)


def default_config_text() -> str:
    return resources.files("modelrouter.config").joinpath("default.yaml").read_text()


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> RouterConfig:
    """Load `path`, or the built-in default configuration when None."""
    if path is None:
        return parse_config(default_config_text(), "<built-in default>", env)
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise ConfigError(str(p), [f"(file): cannot read: {exc.strerror or exc}"]) from exc
    return parse_config(text, str(p), env)


def parse_config(text: str, source: str, env: Mapping[str, str] | None = None) -> RouterConfig:
    env = os.environ if env is None else env
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"(file): not valid YAML: {exc}"]) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(source, ["(top level): expected a mapping of sections (server, models, ...)"])
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, [_describe(err) for err in exc.errors()]) from exc
    problems = _cross_check(config, env)
    if problems:
        raise ConfigError(source, problems)
    return RouterConfig(
        server=config.server,
        models=tuple(_model_spec(m) for m in config.models),
        strategies=MappingProxyType(_all_strategies(config)),
        cache=config.cache,
        health=config.health,
        source=source,
        usage=config.usage,
        budgets=config.budgets,
        metrics=config.metrics,
    )


def _describe(err: Any) -> str:
    loc = list(err["loc"])
    # A discriminated union puts the tag in the path (strategies.cheap.cost_aware.x); drop it.
    if len(loc) >= 3 and loc[0] == "strategies" and loc[2] in STRATEGY_KINDS:
        del loc[2]
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    return f"{path or '(top level)'}: {msg}"


def _all_strategies(config: Config) -> dict[str, StrategyConfig]:
    """Each kind under its own name with default settings, then the configured ones."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[StrategyConfig] = TypeAdapter(StrategyConfig)
    built: dict[str, StrategyConfig] = {}
    for kind in STRATEGY_KINDS:
        if kind != "fallback":
            built[kind] = adapter.validate_python({"kind": kind})
    # A bare `fallback`: quality first, then the cheapest that is eligible at all.
    built["fallback"] = FallbackConfig(kind="fallback", chain=["task_based", "cost_aware"])
    built.update(config.strategies)
    return built


def _cross_check(config: Config, env: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, m in enumerate(config.models):
        if m.id in seen:
            problems.append(f"models[{i}].id: duplicate id {m.id!r} (also models[{seen[m.id]}])")
        seen.setdefault(m.id, i)
        if m.api_key_env and m.api_key_env not in env:
            problems.append(
                f"models[{i}].api_key_env: environment variable {m.api_key_env} is not set "
                f"(model {m.id!r} reads its key from it)"
            )
    strategies = _all_strategies(config)
    for name, s in config.strategies.items():
        problems += _check_requirements(f"strategies.{name}.requirements", s.requirements, seen)
        if isinstance(s, FallbackConfig):
            for j, member in enumerate(s.chain):
                if member not in strategies:
                    problems.append(f"strategies.{name}.chain[{j}]: unknown strategy {member!r}")
            cycle = _cycle_from(name, strategies)
            if cycle:
                problems.append(f"strategies.{name}.chain: cycle {' -> '.join(cycle)}")
    for mid in config.budgets.models:
        if mid not in seen:
            problems.append(f"budgets.models.{mid}: unknown model {mid!r}")
    if config.metrics.address and not _is_host_port(config.metrics.address):
        problems.append(f"metrics.address: expected HOST:PORT, got {config.metrics.address!r}")
    if config.server.default_strategy not in strategies:
        problems.append(
            f"server.default_strategy: unknown strategy {config.server.default_strategy!r}; "
            f"known: {', '.join(sorted(strategies))}"
        )
    return problems


def _is_host_port(address: str) -> bool:
    host, sep, port = address.rpartition(":")
    return bool(sep and host and port.isdigit() and int(port) < 65536)


def _check_requirements(path: str, r: RequirementsConfig, models: Mapping[str, int]) -> list[str]:
    out = []
    for key in ("include_models", "exclude_models"):
        for j, mid in enumerate(getattr(r, key)):
            if mid not in models:
                out.append(f"{path}.{key}[{j}]: unknown model {mid!r}")
    return out


def _cycle_from(start: str, strategies: Mapping[str, StrategyConfig]) -> list[str]:
    def walk(name: str, path: list[str]) -> list[str]:
        s = strategies.get(name)
        if not isinstance(s, FallbackConfig):
            return []
        for member in s.chain:
            if member == start:
                return [*path, member]
            if member not in path:
                found = walk(member, [*path, member])
                if found:
                    return found
        return []

    return walk(start, [start])


def requirements_from_config(r: RequirementsConfig) -> Requirements:
    return Requirements(
        task=r.task,
        capabilities=frozenset(r.capabilities),
        min_context_tokens=r.min_context_tokens,
        max_cost_usd=r.max_cost_usd,
        max_latency_ms=r.max_latency_ms,
        min_quality=r.min_quality,
        include_models=frozenset(r.include_models) if r.include_models else None,
        exclude_models=frozenset(r.exclude_models),
        labels=tuple(sorted(r.labels.items())),
        expected_input_tokens=r.expected_input_tokens,
        expected_output_tokens=r.expected_output_tokens,
    )


def _latency_prior(m: ModelConfig, sim: SimulatedBehaviour | None) -> LatencyProfile:
    # A simulated model without a `latency` block is best predicted by what it simulates.
    if sim is not None and "latency" not in m.model_fields_set:
        return LatencyProfile(sim.ttft_ms, sim.tokens_per_s)
    return LatencyProfile(m.latency.ttft_ms, m.latency.tokens_per_s)


def _model_spec(m: ModelConfig) -> ModelSpec:
    deployments = tuple(Deployment(d.name, d.base_url or m.base_url, d.weight) for d in m.deployments) or (
        Deployment("default", m.base_url, 1.0),
    )
    sim = None
    if m.provider == "simulated":
        s = m.simulate
        sim = (
            SimulatedBehaviour()
            if s is None
            else SimulatedBehaviour(s.ttft_ms, s.tokens_per_s, s.failure_rate, s.reply)
        )
    return ModelSpec(
        id=m.id,
        provider=m.provider,
        upstream_model=m.upstream_model or m.id,
        capabilities=frozenset(m.capabilities),
        context_window=m.context_window,
        pricing=Pricing(m.pricing.input_per_mtok, m.pricing.output_per_mtok),
        quality=MappingProxyType(dict(m.quality)),
        latency=_latency_prior(m, sim),
        labels=MappingProxyType(dict(m.labels)),
        deployments=deployments,
        balancer=m.balancer,
        timeout_s=m.timeout_s,
        max_concurrency=m.max_concurrency,
        idle_timeout_s=min(m.idle_timeout_s, m.timeout_s),
        max_response_bytes=m.max_response_bytes,
        base_url=m.base_url,
        api_key_env=m.api_key_env,
        simulate=sim,
    )
