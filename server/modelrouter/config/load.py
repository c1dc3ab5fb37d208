"""Read a configuration file, report every problem with its field path at once,
and build the immutable runtime settings the server is made from."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from modelrouter.config.schema import (
    ApiKeyConfig,
    AuthConfig,
    BudgetLimits,
    BudgetsConfig,
    CacheConfig,
    Config,
    FallbackConfig,
    FeedbackConfig,
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
from modelrouter.identity import Caller, Tenant, caller_of, tenants_of

_T = typing.TypeVar("_T")
STRATEGY_KINDS = ("task_based", "cost_aware", "performance", "weighted", "learned", "fallback")
# What an environment variable's name looks like; anything else in `api_key_env`
# is most likely the key itself, pasted by mistake.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# libyaml's safe loader and dumper when PyYAML was built with it: ten times faster
# than the pure-Python ones, which took seconds over a 1,000-model file (a reload
# reads the file again, and GetConfig redacts it).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    budgets: BudgetsConfig = field(default_factory=BudgetsConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    key_digests: Mapping[bytes, Caller] = field(default_factory=dict)
    """Each API key's SHA-256 digest, to the caller it stands for (keys from
    `key_env` hashed at load; the keys themselves are not kept)."""
    cert_subjects: Mapping[str, Caller] = field(default_factory=dict)
    """Client certificate subjects (RFC 4514) that stand for a key, under mTLS."""
    tenants: Mapping[str, Tenant] = field(default_factory=dict)
    """Every tenant, configured or only named by a key."""
    tenant_budgets: Mapping[str, BudgetLimits] = field(default_factory=dict)
    """The tenants that have budgets of their own, with them."""
    text: str = ""
    """The configuration file's text as loaded: AdminService.GetConfig shows it
    (redacted) and its digest is the configuration's version."""

    version: str = field(init=False)
    """The first 16 hex digits of the SHA-256 of the text: equal on replicas
    running the same file, so drift between them shows."""

    def __post_init__(self) -> None:
        # Once, not at every ListModels: a 1,000-model file is 300 KB to hash.
        object.__setattr__(self, "version", hashlib.sha256(self.text.encode()).hexdigest()[:16])

    @property
    def has_keys(self) -> bool:
        """Whether callers must present a key (or a certificate standing for one)."""
        return bool(self.key_digests or self.cert_subjects)


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
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"(file): not valid YAML: {exc}"]) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(source, ["(top level): expected a mapping of sections (server, models, ...)"])
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        # The schema errors, and the cross-checks that can still run on what parsed.
        problems = [_describe(err) for err in exc.errors()]
        problems += _cross_check(_Parsed.from_raw(raw), env)
        raise ConfigError(source, problems) from exc
    problems = _cross_check(_Parsed.from_config(config), env)
    if config.auth.api_keys and any(k.client_cert_subject for k in config.auth.api_keys):
        tls = config.server.tls
        if tls is None or tls.client_ca_file is None:
            problems.append(
                "auth.api_keys: client_cert_subject needs mTLS (server.tls.client_ca_file): "
                "without it no client certificate is asked for"
            )
    tenants = tenants_of(config.tenants, {k.tenant for k in config.auth.api_keys})
    digests = {
        digest: caller_of(key, tenants) for digest, key in _key_digests(config.auth, env, problems).items()
    }
    subjects = {
        k.client_cert_subject: caller_of(k, tenants) for k in config.auth.api_keys if k.client_cert_subject
    }
    if problems:
        raise ConfigError(source, problems)
    return RouterConfig(
        server=config.server,
        models=tuple(_model_spec(m) for m in config.models),
        strategies=MappingProxyType(_all_strategies(config.strategies)),
        cache=config.cache,
        health=config.health,
        source=source,
        text=text,
        usage=config.usage,
        feedback=config.feedback,
        budgets=config.budgets,
        metrics=config.metrics,
        auth=config.auth,
        key_digests=MappingProxyType(digests),
        cert_subjects=MappingProxyType(subjects),
        tenants=MappingProxyType(tenants),
        tenant_budgets=MappingProxyType(
            {name: t.budgets for name, t in config.tenants.items() if tenants[name].has_budget}
        ),
    )


def _key_digests(auth: AuthConfig, env: Mapping[str, str], problems: list[str]) -> dict[bytes, ApiKeyConfig]:
    """Each API key's digest; a `key_env` that is unset (named, never its value) is a problem."""
    digests: dict[bytes, ApiKeyConfig] = {}
    for i, key in enumerate(auth.api_keys):
        if key.sha256 is not None:
            digest = bytes.fromhex(key.sha256)
        elif key.key_env is not None and ENV_NAME.match(key.key_env) and env.get(key.key_env):
            digest = hashlib.sha256(env[key.key_env].encode()).digest()
        elif key.client_cert_subject is not None:
            continue
        else:
            problems.append(
                f"auth.api_keys[{i}].key_env: not the name of a set environment variable "
                f"(key {key.id!r}; the value is not shown)"
            )
            continue
        if digest in digests:
            problems.append(f"auth.api_keys[{i}]: the same key as {digests[digest].id!r}")
        digests[digest] = key
    return digests


def _did_you_mean(name: str, known: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


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
        close = difflib.get_close_matches(str(loc[-1]), _known_keys(list(err["loc"][:-1])), n=1)
        if close:
            msg += f"; did you mean {close[0]!r}?"
    return f"{path or '(top level)'}: {msg}"


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The schema classes a field's type can hold (one, several for a union, or none)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _models_in(arg)]
    return [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _known_keys(loc: list[Any]) -> list[str]:
    """The keys of the schema section at `loc` (a pydantic error location), or []."""
    tp: Any = Config
    for part in loc:
        models = _models_in(tp)
        if len(models) > 1:  # a discriminated union: this part of the location is the tag
            tagged = [m for m in models if part in typing.get_args(m.model_fields["kind"].annotation)]
            tp = tagged[0] if tagged else None
        elif models:
            field_info = models[0].model_fields.get(str(part))
            tp = None if field_info is None else field_info.annotation
        else:  # a list or a dict: go to its items
            while typing.get_origin(tp) is typing.Annotated:
                tp = typing.get_args(tp)[0]
            origin, args = typing.get_origin(tp), typing.get_args(tp)
            tp = args[0] if origin is list else args[1] if origin is dict else None
    models = _models_in(tp)
    return list(models[0].model_fields) if len(models) == 1 else []


def _all_strategies(configured: Mapping[str, StrategyConfig]) -> dict[str, StrategyConfig]:
    """Each kind under its own name with default settings, then the configured ones."""
    adapter: TypeAdapter[StrategyConfig] = TypeAdapter(StrategyConfig)
    built: dict[str, StrategyConfig] = {}
    for kind in STRATEGY_KINDS:
        if kind != "fallback":
            built[kind] = adapter.validate_python({"kind": kind})
    # A bare `fallback`: quality first, then the cheapest that is eligible at all.
    built["fallback"] = FallbackConfig(kind="fallback", chain=["task_based", "cost_aware"])
    built.update(configured)
    return built


def _valid(adapter: TypeAdapter[_T], value: Any) -> _T | None:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


@dataclass
class _Parsed:
    """What the cross-checks read: the whole file once the schema passes, else
    the sections and entries of it that parsed on their own."""

    model_ids: list[tuple[int, str]] = field(default_factory=list)
    """(index, id) of every model entry that names an id, parsed or not."""
    key_envs: list[tuple[int, str, str]] = field(default_factory=list)
    """(index, model id, api_key_env) of every model entry that sets one."""
    strategies: dict[str, StrategyConfig] = field(default_factory=dict)
    strategy_names: set[str] = field(default_factory=set)
    """Every configured strategy name, parsed or not (a chain may name a broken one)."""
    requirements: dict[str, RequirementsConfig] = field(default_factory=dict)
    default_strategy: str | None = None
    budget_models: list[str] = field(default_factory=list)
    metrics_address: str = ""
    tenant_models: dict[str, list[str]] = field(default_factory=dict)
    """Each configured tenant's allow-list, where it has one."""
    tenant_names: set[str] | None = None
    """The configured tenants' names; None when the section did not parse."""
    key_tenants: list[tuple[int, str]] = field(default_factory=list)
    """(index, tenant) of every API key that names one."""

    @classmethod
    def from_config(cls, config: Config) -> _Parsed:
        return cls(
            model_ids=[(i, m.id) for i, m in enumerate(config.models)],
            key_envs=[(i, m.id, m.api_key_env) for i, m in enumerate(config.models) if m.api_key_env],
            strategies=dict(config.strategies),
            strategy_names=set(config.strategies),
            requirements={name: s.requirements for name, s in config.strategies.items()},
            default_strategy=config.server.default_strategy,
            budget_models=list(config.budgets.models),
            metrics_address=config.metrics.address,
            tenant_models={n: list(t.models) for n, t in config.tenants.items() if t.models is not None},
            tenant_names=set(config.tenants),
            key_tenants=[(i, k.tenant) for i, k in enumerate(config.auth.api_keys)],
        )

    @classmethod
    def from_raw(cls, raw: dict[Any, Any]) -> _Parsed:
        parsed = cls()
        models = raw.get("models")
        for i, item in enumerate(models if isinstance(models, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            parsed.model_ids.append((i, item["id"]))
            if isinstance(item.get("api_key_env"), str) and item["api_key_env"]:
                parsed.key_envs.append((i, item["id"], item["api_key_env"]))
        strategies = raw.get("strategies")
        adapter: TypeAdapter[StrategyConfig] = TypeAdapter(StrategyConfig)
        for name, value in (strategies if isinstance(strategies, dict) else {}).items():
            if not isinstance(name, str):
                continue
            parsed.strategy_names.add(name)
            strategy = _valid(adapter, value)
            if strategy is not None:
                parsed.strategies[name] = strategy
                parsed.requirements[name] = strategy.requirements
            elif isinstance(value, dict) and "requirements" in value:
                r = _valid(TypeAdapter(RequirementsConfig), value["requirements"])
                if r is not None:
                    parsed.requirements[name] = r
        server = raw.get("server", {})
        if isinstance(server, dict):
            chosen = server.get("default_strategy", ServerConfig().default_strategy)
            parsed.default_strategy = chosen if isinstance(chosen, str) else None
        budgets = raw.get("budgets")
        if isinstance(budgets, dict) and isinstance(budgets.get("models"), dict):
            parsed.budget_models = [k for k in budgets["models"] if isinstance(k, str)]
        metrics = raw.get("metrics")
        if isinstance(metrics, dict) and isinstance(metrics.get("address"), str):
            parsed.metrics_address = metrics["address"]
        tenants = raw.get("tenants", {})
        if isinstance(tenants, dict) and all(isinstance(n, str) for n in tenants):
            parsed.tenant_names = set(tenants)
            for name, t in tenants.items():
                models = t.get("models") if isinstance(t, dict) else None
                if isinstance(models, list):
                    parsed.tenant_models[name] = [m for m in models if isinstance(m, str)]
        auth = raw.get("auth")
        keys = auth.get("api_keys") if isinstance(auth, dict) else None
        for i, key in enumerate(keys if isinstance(keys, list) else []):
            if isinstance(key, dict) and isinstance(key.get("tenant"), str):
                parsed.key_tenants.append((i, key["tenant"]))
        return parsed


def _cross_check(parsed: _Parsed, env: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, mid in parsed.model_ids:
        if mid in seen:
            problems.append(f"models[{i}].id: duplicate id {mid!r} (also models[{seen[mid]}])")
        seen.setdefault(mid, i)
    # The value of api_key_env is never repeated: a key pasted there by mistake
    # would end up in terminals, CI logs and bug reports.
    for i, mid, name in parsed.key_envs:
        if not ENV_NAME.match(name):
            problems.append(
                f"models[{i}].api_key_env: not an environment variable name (model {mid!r}); "
                "it must name the variable that holds the key, not hold the key itself "
                "(the value is not shown)"
            )
        elif name not in env:
            problems.append(
                f"models[{i}].api_key_env: the environment variable it names is not set "
                f"(model {mid!r} reads its key from it)"
            )
    strategies = _all_strategies(parsed.strategies)
    known = set(strategies) | parsed.strategy_names
    for name, r in parsed.requirements.items():
        problems += _check_requirements(f"strategies.{name}.requirements", r, seen)
    for name, s in parsed.strategies.items():
        if isinstance(s, FallbackConfig):
            for j, member in enumerate(s.chain):
                if member not in known:
                    problems.append(f"strategies.{name}.chain[{j}]: unknown strategy {member!r}")
            cycle = _cycle_from(name, strategies)
            if cycle:
                problems.append(f"strategies.{name}.chain: cycle {' -> '.join(cycle)}")
    for mid in parsed.budget_models:
        if mid not in seen:
            problems.append(f"budgets.models.{mid}: unknown model {mid!r}")
    for name, models in parsed.tenant_models.items():
        for j, mid in enumerate(models):
            if mid not in seen:
                problems.append(
                    f"tenants.{name}.models[{j}]: unknown model {mid!r}{_did_you_mean(mid, seen)}"
                )
    # With tenants configured, a key's tenant must be one of them: a misspelt
    # tenant would otherwise escape every limit set for the right one.
    if parsed.tenant_names:
        for i, tenant in parsed.key_tenants:
            if tenant not in parsed.tenant_names:
                problems.append(
                    f"auth.api_keys[{i}].tenant: {tenant!r} is not under `tenants`"
                    f"{_did_you_mean(tenant, parsed.tenant_names)}"
                )
    if parsed.metrics_address and not _is_host_port(parsed.metrics_address):
        problems.append(f"metrics.address: expected HOST:PORT, got {parsed.metrics_address!r}")
    if parsed.default_strategy is not None and parsed.default_strategy not in known:
        problems.append(
            f"server.default_strategy: unknown strategy {parsed.default_strategy!r}; "
            f"known: {', '.join(sorted(known))}"
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
        structured_output=m.structured_output,
    )


REDACTED = "<redacted>"
# Keys whose values are secrets, wherever they appear: an API key's digest would let
# anyone who reads the configuration test guesses offline.
_SECRET_KEYS = frozenset({"sha256"})
# user:password@ in a URL (a Redis URL, say): the password goes.
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@")


def redacted_yaml(text: str) -> str:
    """The configuration `text` as YAML with every secret replaced by "<redacted>":
    API key digests (`sha256`) and passwords in URLs. Names of environment
    variables (`api_key_env`, `key_env`) are kept: they name a secret, not hold it.
    Comments and layout are not kept (the text is parsed and dumped again)."""
    raw = yaml.load(text, Loader=SAFE_LOADER) or {}
    return yaml.dump(_redact(raw), Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True)


def _redact(value: object) -> object:
    if isinstance(value, dict):
        return {k: REDACTED if k in _SECRET_KEYS and v is not None else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<head>{REDACTED}@", value)
    return value
