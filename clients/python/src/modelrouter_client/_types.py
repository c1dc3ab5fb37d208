"""The client's public vocabulary: plain frozen values and enums.

Nothing here imports protobuf or gRPC, so callers can build, compare and print these
values without knowing the wire format. `_convert` and `_requests` translate.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from modelrouter_client._conversation import ChatMessage, ToolCall

if TYPE_CHECKING:
    # Only for the annotations of `.raw`; at run time this module needs no protobuf.
    from modelrouter_client._proto import admin_pb2, router_pb2

_EMPTY_STR_MAP: Mapping[str, str] = MappingProxyType({})
_EMPTY_FLOAT_MAP: Mapping[str, float] = MappingProxyType({})
_EMPTY_INT_MAP: Mapping[str, int] = MappingProxyType({})


# -- enums ---------------------------------------------------------------------------------------
# (str, Enum) rather than StrEnum: the client supports Python 3.10, StrEnum is 3.11+.


class Health(str, enum.Enum):  # noqa: UP042
    """Live health of a model or deployment."""

    UNSPECIFIED = "unspecified"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class CachePolicy(str, enum.Enum):  # noqa: UP042
    """How an Invoke uses the response cache. Plain strings ("use", "bypass", ...) work too."""

    DEFAULT = "default"
    """The server's configured default (cache.default_policy)."""
    USE = "use"
    """Serve from the cache when possible and store the answer, whatever the temperature."""
    BYPASS = "bypass"
    """Neither read nor write the cache."""
    REFRESH = "refresh"
    """Do not read the cache; store the fresh answer."""


# -- inputs --------------------------------------------------------------------------------------


MessageLike: TypeAlias = ChatMessage | tuple[str, str] | Mapping[str, Any]
"""A message as a ChatMessage, a (role, content) tuple, or a dict with the ChatMessage
fields as keys ({"role", "content"}, and "parts", "tool_calls", "tool_call_id")."""

MessagesLike: TypeAlias = str | Sequence[MessageLike]
"""A conversation; a bare string is shorthand for one user message."""


@dataclass(frozen=True, slots=True)
class Requirements:
    """What the chosen model must satisfy. Zero / empty means "no constraint" (or, for
    the token counts, "let the server estimate"), exactly as in the proto."""

    task: str = ""
    capabilities: Sequence[str] = ()
    min_context_tokens: int = 0
    max_cost_usd: float = 0.0
    max_latency_ms: float = 0.0
    min_quality: float = 0.0
    include_models: Sequence[str] = ()
    exclude_models: Sequence[str] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY_STR_MAP)
    expected_input_tokens: int = 0
    expected_output_tokens: int = 0


# -- results -------------------------------------------------------------------------------------
# Every result keeps the message it came from in `.raw` (excluded from ==, repr): fields added to
# the proto after this client was released stay reachable without waiting for a new version.


@dataclass(frozen=True, slots=True)
class ScoredModel:
    """One eligible model in a decision's ranking, best first."""

    model: str
    score: float
    components: Mapping[str, float] = field(default_factory=lambda: _EMPTY_FLOAT_MAP)
    estimated_cost_usd: float = 0.0
    expected_latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a model was not eligible. `reason` is an open set of UPPER_SNAKE codes
    (MISSING_CAPABILITY, OVER_COST, ...): handle codes you do not know."""

    model: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """A selection's result with its explanation. In `select`'s answer (and an
    invoke's with `decision_view="full"`) every registered model appears exactly once,
    in `ranking` or in `rejected`; an invoke's answer carries the basic view by default:
    `ranking` holds the chosen model only and `rejected` is empty."""

    model: str
    deployment: str
    strategy: str
    ranking: tuple[ScoredModel, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    estimated_cost_usd: float = 0.0
    expected_latency_ms: float = 0.0
    from_cache: bool = False
    requested_strategy: str = ""
    estimated_input_tokens: int = 0
    estimated_output_tokens: int = 0
    decision_id: str = ""
    """This call's decision, unique per call: pass it to `feedback` to score the
    answer (within the server's `feedback.window_s`, a day by default)."""
    raw: router_pb2.Decision | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Usage:
    """What a call consumed."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of one deployment; `outcome` is an open UPPER_SNAKE code (OK, TIMEOUT, ...)."""

    model: str
    deployment: str
    outcome: str
    latency_ms: float = 0.0
    error: str = ""


@dataclass(frozen=True, slots=True)
class Completion:
    """The answer of Invoke, or the final summary of InvokeStream: the text (or the
    `tool_calls`, with `finish_reason` "tool_calls"), what it cost, and how it was
    served."""

    text: str
    finish_reason: str
    usage: Usage
    model: str
    deployment: str
    decision: Decision | None
    attempts: tuple[Attempt, ...] = ()
    cache_hit: bool = False
    latency_ms: float = 0.0
    request_id: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    """The tools the model called, in order, whole (`finish_reason` "tool_calls")."""
    raw: router_pb2.InvokeResponse | None = field(default=None, repr=False, compare=False)

    def as_message(self) -> ChatMessage:
        """The answer as the assistant's message, to send back in the next turn (with
        its tool calls, followed by their results: `ChatMessage.tool_result`)."""
        return ChatMessage("assistant", self.text, tool_calls=self.tool_calls)

    @property
    def decision_id(self) -> str:
        """The id of the decision this answer followed, to score it with `feedback`;
        "" when the answer carries no decision."""
        return self.decision.decision_id if self.decision is not None else ""

    def json(self) -> Any:
        """The text, parsed as JSON: the answer to a `response_format` of "json_object"
        or a `JsonSchema`. Raises ValueError when the text is not JSON (an answer cut
        short at max_output_tokens, say: `finish_reason` "length")."""
        return json.loads(self.text)


@dataclass(frozen=True, slots=True)
class WindowStats:
    """A model's or deployment's figures over the recent window only
    (`StatsResult.window_s` seconds). The percentiles come from a quantile sketch
    with 1% relative accuracy."""

    requests: int = 0
    successes: int = 0
    failures: int = 0
    failures_by_reason: Mapping[str, int] = field(default_factory=lambda: _EMPTY_INT_MAP)
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_p99_ms: float = 0.0
    ttft_p50_ms: float = 0.0
    ttft_p95_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    selections: int = 0


@dataclass(frozen=True, slots=True)
class DeploymentStats:
    """One deployment's figures: totals (counted since `StatsResult.totals_since`),
    live gauges (`in_flight`, `health`, `saturation`) and the recent window."""

    deployment: str
    requests: int = 0
    successes: int = 0
    failures: int = 0
    failures_by_reason: Mapping[str, int] = field(default_factory=lambda: _EMPTY_INT_MAP)
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_p99_ms: float = 0.0
    ttft_p50_ms: float = 0.0
    ttft_p95_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    in_flight: int = 0
    selections: int = 0
    health: Health = Health.UNSPECIFIED
    recent: WindowStats = field(default_factory=WindowStats)
    saturation: float = 0.0
    """Share (0..1) of the recent window's calls that found the deployment at its
    max_concurrency and waited for a slot."""


@dataclass(frozen=True, slots=True)
class LearnedQuality:
    """What feedback taught about one model's quality on one task, for one tenant: the
    posterior mean and standard deviation, the configured quality counting as a prior."""

    task: str
    """The task ("" for requests that named none)."""
    quality: float = 0.0
    """The learned quality, in [0, 1]."""
    uncertainty: float = 0.0
    """Its standard deviation: small once many scores agree."""
    scores: int = 0
    """Scores received, all of them (older ones weigh less as they age)."""
    configured_quality: float = 0.0
    """The quality the configuration gives the model for the task (the prior)."""
    tenant: str = ""
    """The tenant whose scores these are."""


@dataclass(frozen=True, slots=True)
class ModelStats:
    """One model's figures, summed over its deployments: totals (counted since
    `StatsResult.totals_since`), live gauges and the recent window."""

    model: str
    requests: int = 0
    successes: int = 0
    failures: int = 0
    failures_by_reason: Mapping[str, int] = field(default_factory=lambda: _EMPTY_INT_MAP)
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_p99_ms: float = 0.0
    ttft_p50_ms: float = 0.0
    ttft_p95_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    in_flight: int = 0
    selections: int = 0
    health: Health = Health.UNSPECIFIED
    deployments: tuple[DeploymentStats, ...] = ()
    recent: WindowStats = field(default_factory=WindowStats)
    learned: tuple[LearnedQuality, ...] = ()
    """The quality learned from `feedback`, per tenant and task; only (tenant, task)
    pairs with scores appear."""

    def deployment(self, name: str) -> DeploymentStats | None:
        """The figures of one deployment, or None."""
        return next((d for d in self.deployments if d.deployment == name), None)


@dataclass(frozen=True, slots=True)
class CacheStats:
    """The response and selection caches' figures."""

    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0
    evictions: int = 0
    selection_hits: int = 0
    selection_misses: int = 0
    selection_entries: int = 0


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """One configured spend limit and where it stands in its current period."""

    scope: str
    """A model id, or "*" for all models together."""
    period: str
    """"day" or "month" (UTC calendar periods)."""
    limit_usd: float = 0.0
    spent_usd: float = 0.0
    """Spend settled in the current period."""
    reserved_usd: float = 0.0
    """Spend reserved by calls in flight (an upper bound of their cost)."""
    resets_at: datetime | None = None
    """When the period ends and spend starts again from zero (timezone-aware, UTC)."""
    tenant: str = ""
    """The tenant whose budget this is; empty for a budget over every tenant."""

    @property
    def remaining_usd(self) -> float:
        """What is left for new calls: the limit less spent and reserved, never below 0."""
        return max(0.0, self.limit_usd - self.spent_usd - self.reserved_usd)


@dataclass(frozen=True, slots=True)
class TenantStats:
    """One tenant's usage, and where it stands against its rate limits."""

    tenant: str
    """The tenant's name; empty for calls made without a key."""
    requests: int = 0
    """Calls sent to models for it, each retry included."""
    successes: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    requests_last_minute: int = 0
    """Requests admitted over the last minute."""
    tokens_last_minute: int = 0
    """Tokens counted against its tokens-per-minute limit over the last minute."""
    requests_per_minute: int = 0
    """Its requests-per-minute limit; 0: none."""
    tokens_per_minute: int = 0
    """Its tokens-per-minute limit; 0: none."""


@dataclass(frozen=True, slots=True)
class StatsResult:
    """The answer of Stats."""

    models: tuple[ModelStats, ...]
    cache: CacheStats
    suggestions: tuple[str, ...] = ()
    uptime_s: float = 0.0
    window_s: float = 0.0
    """The length of the recent window every `recent` figure covers, in seconds."""
    totals_since: datetime | None = None
    """When the totals started counting (they survive restarts); timezone-aware, UTC."""
    budgets: tuple[BudgetStatus, ...] = ()
    """Every configured budget the caller may see, overall first."""
    tenant: str = ""
    """Whose usage the model figures count; empty: every tenant's (an admin's view)."""
    tenants: tuple[TenantStats, ...] = ()
    """Usage per tenant: every tenant for an admin, the caller's own otherwise."""
    raw: router_pb2.StatsResponse | None = field(default=None, repr=False, compare=False)

    def get(self, model: str) -> ModelStats | None:
        """The figures of one model, or None when the answer holds none for it."""
        return next((m for m in self.models if m.model == model), None)


@dataclass(frozen=True, slots=True)
class DeploymentInfo:
    """One deployment of a model."""

    name: str
    weight: float = 1.0
    health: Health = Health.UNSPECIFIED
    state: str = ""
    """"ACTIVE" or "DRAINING" (AdminService.SetDeploymentState); "" when the
    server does not say."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One registered model."""

    id: str
    provider: str
    capabilities: tuple[str, ...] = ()
    context_window: int = 0
    input_cost_per_mtok: float = 0.0
    output_cost_per_mtok: float = 0.0
    quality: Mapping[str, float] = field(default_factory=lambda: _EMPTY_FLOAT_MAP)
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY_STR_MAP)
    deployments: tuple[DeploymentInfo, ...] = ()
    health: Health = Health.UNSPECIFIED
    upstream_model: str = ""
    ttft_ms: float = 0.0
    tokens_per_s: float = 0.0
    balancer: str = ""


@dataclass(frozen=True, slots=True)
class ModelList:
    """The answer of ListModels: the registry and the registered strategies.
    Iterating it yields the models, in configuration order."""

    models: tuple[ModelInfo, ...]
    strategies: tuple[str, ...] = ()
    default_strategy: str = ""
    config_version: str = ""
    """A digest of the server's configuration: replicas that differ run different files."""
    raw: router_pb2.ListModelsResponse | None = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def get(self, model_id: str) -> ModelInfo | None:
        """The model with this id, or None."""
        return next((m for m in self.models if m.id == model_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every model id, in configuration order."""
        return tuple(m.id for m in self.models)


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """The answer of `reload_config`: the configuration's version before and after (a
    digest of the file: equal when it did not change), and the ids of the models the
    reload added, removed and changed, in configuration order."""

    previous_version: str
    config_version: str
    added_models: tuple[str, ...] = ()
    removed_models: tuple[str, ...] = ()
    changed_models: tuple[str, ...] = ()
    raw: admin_pb2.ReloadConfigResponse | None = field(default=None, repr=False, compare=False)
