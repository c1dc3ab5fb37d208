"""The configuration file's schema: parsed strictly (unknown keys refused, types
checked), then turned into runtime objects once by `modelrouter.config.load`."""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEIGHT_KEYS = ("quality", "cost", "latency", "reliability")
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Unit = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ConnectionsConfig(Strict):
    """What one client's connections may hold of the server (gRPC's own limits)."""

    max_connections: Annotated[int, Field(ge=1)] = 4096
    """Incoming connections at once; more are closed as they arrive."""
    max_concurrent_streams: Annotated[int, Field(ge=1)] = 1000
    """Calls in flight on one connection; more wait in the client."""
    idle_timeout_s: Positive = 300.0
    """A connection with no call this long is closed (GOAWAY); clients reconnect."""
    max_age_s: NonNegative = 0.0
    """Connections are closed (GOAWAY, calls in flight finish) after this long, so
    that clients spread over new replicas; 0: never."""
    keepalive_min_interval_s: Positive = 30.0
    """A client that pings more often than this without calls is told off, and
    disconnected after two such pings."""


class TlsConfig(Strict):
    """TLS for the gRPC API: with it the server speaks TLS only (no plaintext port)."""

    cert_file: str
    """The server's certificate chain (PEM)."""
    key_file: str
    """Its private key (PEM)."""
    client_ca_file: str | None = None
    """mTLS: clients must present a certificate signed by this CA (PEM); without
    one the handshake fails."""

    @model_validator(mode="after")
    def _readable(self) -> TlsConfig:
        for name in ("cert_file", "key_file", "client_ca_file"):
            path = getattr(self, name)
            if path is not None and not os.access(path, os.R_OK):
                raise ValueError(f"{name}: cannot read {path!r}")
        return self


class ServerConfig(Strict):
    address: str = "127.0.0.1:50051"
    default_strategy: str = "weighted"
    shutdown_grace_s: NonNegative = 10.0
    access_log: bool = True
    default_expected_input_tokens: Annotated[int, Field(ge=1)] = 1000
    default_expected_output_tokens: Annotated[int, Field(ge=1)] = 256
    max_attempts_per_model: Annotated[int, Field(ge=1, le=10)] = 2
    retry_backoff_s: NonNegative = 0.05
    retry_backoff_max_s: NonNegative = 2.0
    log_content: bool = False
    """Debug only: put message contents and answers in the access log. API keys
    are never logged."""
    max_messages: Annotated[int, Field(ge=1)] = 1024
    """The most messages one Select or Invoke may carry; past it the request is
    refused (INVALID_ARGUMENT INVALID_REQUEST, field `messages`)."""
    max_message_chars: Annotated[int, Field(ge=1)] = 4_000_000
    """The most characters a request may carry in all (messages' text, image URLs
    and bytes, tool calls, tools, the answer's schema); past it the request is
    refused (INVALID_REQUEST, naming the field that passed the total)."""
    connections: ConnectionsConfig = ConnectionsConfig()
    tls: TlsConfig | None = None
    """TLS (and mTLS); none: plaintext, fit for loopback only."""


class PricingConfig(Strict):
    input_per_mtok: NonNegative
    output_per_mtok: NonNegative


class LatencyConfig(Strict):
    ttft_ms: NonNegative = 500.0
    tokens_per_s: Positive = 50.0


class SimulateConfig(Strict):
    ttft_ms: NonNegative = 40.0
    tokens_per_s: Positive = 400.0
    failure_rate: Unit = 0.0
    reply: str = "echo"


class DeploymentConfig(Strict):
    name: Name
    base_url: str | None = None
    weight: Positive = 1.0


class ModelConfig(Strict):
    id: Name
    provider: Literal["openai", "anthropic", "simulated"]
    base_url: str | None = None
    upstream_model: str | None = None
    api_key_env: str | None = None
    capabilities: list[Name] = Field(default_factory=lambda: ["chat"])
    context_window: Annotated[int, Field(ge=1)]
    pricing: PricingConfig
    quality: dict[str, Unit]
    latency: LatencyConfig = LatencyConfig()
    labels: dict[str, str] = Field(default_factory=dict)
    timeout_s: Positive = 30.0
    """The whole answer, first byte to last, streamed or not."""
    idle_timeout_s: Positive = 15.0
    """A stream that sends nothing for this long is cut (TIMEOUT); bounded by timeout_s."""
    max_response_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 4 * 1024 * 1024
    """An answer larger than this (the body, or a stream's text) is cut (BAD_RESPONSE)."""
    max_concurrency: Annotated[int, Field(ge=1)] = 64
    balancer: Literal["weighted_round_robin", "least_in_flight", "latency_p2c"] = "latency_p2c"
    deployments: list[DeploymentConfig] = Field(default_factory=list)
    simulate: SimulateConfig | None = None
    structured_output: Literal["json_schema", "json_object_schema"] = "json_schema"
    """Provider openai: how the server takes an answer's JSON Schema. `json_schema`:
    OpenAI's response_format {type: json_schema, json_schema: {name, schema,
    strict}} (OpenAI, vLLM, SGLang); `json_object_schema`: {type: json_object,
    schema} (llama-cpp-python's server, which takes no other)."""

    @model_validator(mode="after")
    def _coherent(self) -> ModelConfig:
        if "default" not in self.quality:
            raise ValueError(
                "quality: the key 'default' is required (used for tasks the model has no entry for)"
            )
        names = [d.name for d in self.deployments]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"deployments: duplicate names {dup}")
        if self.provider == "simulated":
            if self.base_url or any(d.base_url for d in self.deployments):
                raise ValueError("base_url: a simulated model calls nothing; remove base_url")
        else:
            if self.simulate is not None:
                raise ValueError(f"simulate: only for provider 'simulated', not {self.provider!r}")
            # Without base_url each provider calls its public API (openai:
            # https://api.openai.com/v1, anthropic: https://api.anthropic.com/v1).
            for url in [self.base_url, *(d.base_url for d in self.deployments)]:
                if url and not url.startswith(("http://", "https://")):
                    raise ValueError(
                        "base_url: expected an http:// or https:// URL that includes the API's "
                        "version path (such as https://host/v1)"
                    )
        if "structured_output" in self.model_fields_set and self.provider != "openai":
            raise ValueError(f"structured_output: only for provider 'openai', not {self.provider!r}")
        return self


class RequirementsConfig(Strict):
    """A strategy's own requirements; the same keys as the Requirements message."""

    task: str = ""
    capabilities: list[str] = Field(default_factory=list)
    min_context_tokens: Annotated[int, Field(ge=0)] = 0
    max_cost_usd: NonNegative = 0.0
    max_latency_ms: NonNegative = 0.0
    min_quality: Unit = 0.0
    include_models: list[str] = Field(default_factory=list)
    exclude_models: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    expected_input_tokens: Annotated[int, Field(ge=0)] = 0
    expected_output_tokens: Annotated[int, Field(ge=0)] = 0


class WeightsConfig(Strict):
    quality: NonNegative = 0.6
    cost: NonNegative = 0.2
    latency: NonNegative = 0.1
    reliability: NonNegative = 0.1

    @model_validator(mode="after")
    def _some_weight(self) -> WeightsConfig:
        if self.quality + self.cost + self.latency + self.reliability <= 0:
            raise ValueError("weights: at least one weight must be above zero")
        return self


class TaskBasedConfig(Strict):
    kind: Literal["task_based"]
    requirements: RequirementsConfig = RequirementsConfig()


class CostAwareConfig(Strict):
    kind: Literal["cost_aware"]
    requirements: RequirementsConfig = RequirementsConfig()


class PerformanceConfig(Strict):
    kind: Literal["performance"]
    requirements: RequirementsConfig = RequirementsConfig()


class WeightedConfig(Strict):
    kind: Literal["weighted"]
    requirements: RequirementsConfig = RequirementsConfig()
    weights: WeightsConfig = WeightsConfig()


class LearnedWeightsConfig(Strict):
    """How `learned` weighs the quality it learned against cost and latency
    (computed as `weighted` computes them)."""

    quality: NonNegative = 0.8
    cost: NonNegative = 0.2
    latency: NonNegative = 0.0

    @model_validator(mode="after")
    def _some_weight(self) -> LearnedWeightsConfig:
        if self.quality + self.cost + self.latency <= 0:
            raise ValueError("weights: at least one weight must be above zero")
        return self


class LearnedConfig(Strict):
    kind: Literal["learned"]
    requirements: RequirementsConfig = RequirementsConfig()
    weights: LearnedWeightsConfig = LearnedWeightsConfig()


class FallbackConfig(Strict):
    kind: Literal["fallback"]
    requirements: RequirementsConfig = RequirementsConfig()
    chain: Annotated[list[str], Field(min_length=1)]


StrategyConfig = Annotated[
    TaskBasedConfig | CostAwareConfig | PerformanceConfig | WeightedConfig | LearnedConfig | FallbackConfig,
    Field(discriminator="kind"),
]


class CacheConfig(Strict):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    ttl_s: NonNegative = 600.0
    default_policy: Literal["deterministic", "always", "never"] = "deterministic"
    max_bytes: Annotated[int, Field(ge=0)] = 64 * 1024 * 1024
    selection_ttl_s: NonNegative = 1.0
    selection_max_entries: Annotated[int, Field(ge=0)] = 10_000
    timeout_ms: Annotated[float, Field(gt=0, le=60_000)] = 50.0
    """A cache read or write that takes longer is given up (a read is then a miss);
    bounded too by what is left of the caller's deadline."""


class HealthConfig(Strict):
    check_interval_s: NonNegative = 10.0
    """Active probes of every deployment this often; 0 turns them off."""
    check_timeout_s: Positive = 2.0
    failure_threshold: Annotated[int, Field(ge=1)] = 5
    """Failures in a row that open a deployment's circuit."""
    error_rate: Annotated[float, Field(gt=0, le=1)] = 0.5
    """Share of failures over the last `window` calls that opens it."""
    window: Annotated[int, Field(ge=1)] = 20
    cooldown_s: NonNegative = 10.0
    """How long an open circuit refuses calls before a half-open probe."""
    min_calls: Annotated[int, Field(ge=1)] = 10
    """Calls the window must hold before its error rate can open the circuit."""

    @model_validator(mode="after")
    def _reachable(self) -> HealthConfig:
        if self.min_calls > self.window:
            raise ValueError(
                f"min_calls ({self.min_calls}) is larger than window ({self.window}): "
                "the error rate could never open a circuit"
            )
        return self


class UsageConfig(Strict):
    store: Literal["sqlite", "redis", "memory"] = "sqlite"
    """Where usage totals and budget spend are kept: a SQLite file (one replica),
    Redis (shared by every replica), or memory (lost at exit)."""
    path: str | None = None
    """The SQLite file; default $XDG_STATE_HOME/modelrouter/usage.sqlite
    (~/.local/state/... when XDG_STATE_HOME is unset)."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    key_prefix: Name = "modelrouter"
    """Redis keys start with this; replicas that share state share the prefix."""
    flush_interval_s: Positive = 1.0
    window_s: Annotated[float, Field(gt=0, le=86400)] = 300.0
    """The recent window that Stats' `recent` figures cover."""
    timeout_ms: Annotated[float, Field(gt=0, le=60_000)] = 1000.0
    """A read or write of the usage store that takes longer is given up: Stats then
    serves this process's own figures, and a flush keeps its figures for the next."""


class BudgetLimits(Strict):
    daily_usd: NonNegative | None = None
    monthly_usd: NonNegative | None = None


class BudgetsConfig(Strict):
    overall: BudgetLimits = BudgetLimits()
    models: dict[str, BudgetLimits] = Field(default_factory=dict)
    max_output_tokens: Annotated[int, Field(ge=1)] = 4096
    """Sent upstream as the output cap when a call under a budget sets none, so
    that the cost reserved before the call is a true upper bound."""
    timeout_ms: Annotated[float, Field(gt=0, le=60_000)] = 250.0
    """A reservation or settlement the budget store has not answered by then is
    given up: the attempt is refused BUDGET_UNAVAILABLE (nothing is sent)."""


class MetricsConfig(Strict):
    address: str = ""
    """HOST:PORT for Prometheus metrics at /metrics; empty turns them off."""


class ApiKeyConfig(Strict):
    """One API key: who holds it (`id`, its tenant), what it may do (`roles`), and
    how the server knows it: the SHA-256 of the key (hex), or the environment
    variable that holds the key. The key itself is never in the file."""

    id: Name
    tenant: Name
    roles: Annotated[list[Literal["invoke", "admin"]], Field(min_length=1)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    key_env: str | None = None
    client_cert_subject: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    """Under mTLS (`server.tls.client_ca_file`): a client certificate whose subject is
    exactly this (RFC 4514, as `openssl x509 -subject -nameopt RFC2253` prints it,
    such as "CN=billing,O=Example") stands for the key, with no bearer token."""

    @model_validator(mode="after")
    def _one_source(self) -> ApiKeyConfig:
        given = [self.sha256, self.key_env, self.client_cert_subject]
        if sum(v is not None for v in given) != 1:
            raise ValueError(
                "give exactly one of sha256 (the key's digest), key_env (a variable holding "
                "it) and client_cert_subject (a client certificate's subject)"
            )
        return self


class AuthConfig(Strict):
    reflection: bool = True
    """Serve gRPC reflection (without credentials); false: not at all."""
    api_keys: list[ApiKeyConfig] = Field(default_factory=list)
    """With none (the default) nothing is asked; with any, every RouterService call
    needs `authorization: Bearer <key>`. Health never does."""

    @model_validator(mode="after")
    def _unique(self) -> AuthConfig:
        ids = [k.id for k in self.api_keys]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"api_keys: duplicate ids {dup}")
        return self


class RateLimitsConfig(Strict):
    """A tenant's rate limits, over any rolling minute; none: no limit."""

    requests_per_minute: Annotated[int, Field(ge=1)] | None = None
    """Select, Invoke and InvokeStream calls admitted."""
    tokens_per_minute: Annotated[int, Field(ge=1)] | None = None
    """Input and output tokens used by Invoke and InvokeStream calls."""


class TenantConfig(Strict):
    """What one tenant (the holders of its keys) may use, on top of the global rules."""

    models: Annotated[list[Name], Field(min_length=1)] | None = None
    """The models it may use; none: every model. Others are rejected NOT_ALLOWED in
    selection, and naming one outright is PERMISSION_DENIED."""
    budgets: BudgetLimits = BudgetLimits()
    """Its spend over every model, on top of the global `budgets`."""
    rate_limits: RateLimitsConfig = RateLimitsConfig()


class FeedbackConfig(Strict):
    """Scores of answers (RouterService.Feedback) and what the `learned` strategy
    makes of them."""

    window_s: Annotated[float, Field(gt=0, le=30 * 86400)] = 86400.0
    """How long a decision id may be scored."""
    max_remembered: Annotated[int, Field(ge=1, le=10_000_000)] = 100_000
    """Scored decision ids remembered (for `window_s`) to refuse a second score."""
    prior_weight: Annotated[float, Field(gt=0, le=10_000)] = 5.0
    """How many scores the configured quality counts as, before any feedback.
    (5: `make bench-routing` measured 10 as too slow to adopt a model that became
    good value, and 2 as exploring dear models too much.)"""
    half_life_scores: Annotated[float, Field(ge=1, le=100_000)] = 100.0
    """A score weighs half as much once this many later scores of the same
    (tenant, task, model) have come."""
    drift_scores: Annotated[int, Field(ge=5, le=10_000)] = 30
    """The recent scores the drift test compares with older evidence: when they
    depart from it beyond chance, the older evidence is dropped."""
    max_scores: Annotated[int, Field(ge=10, le=100_000)] = 1000
    """Scores kept per (tenant, task, model), newest first; older ones weigh
    almost nothing by then (see `half_life_scores`)."""


class Config(Strict):
    server: ServerConfig = ServerConfig()
    models: Annotated[list[ModelConfig], Field(min_length=1)]
    strategies: dict[Name, StrategyConfig] = Field(default_factory=dict)
    cache: CacheConfig = CacheConfig()
    health: HealthConfig = HealthConfig()
    usage: UsageConfig = UsageConfig()
    budgets: BudgetsConfig = BudgetsConfig()
    metrics: MetricsConfig = MetricsConfig()
    auth: AuthConfig = AuthConfig()
    tenants: dict[Name, TenantConfig] = Field(default_factory=dict)
    """Per tenant (the `tenant` of API keys): allowed models, budgets, rate limits."""
    feedback: FeedbackConfig = FeedbackConfig()
