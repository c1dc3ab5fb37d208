"""The router's own vocabulary: plain frozen values that know nothing of protobuf,
configuration files or gRPC."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from modelrouter.conversation import ChatMessage, ResponseFormat, ToolChoice, ToolSpec


class Health(enum.IntEnum):
    """Live health of a deployment or model; values match the proto enum."""

    UNSPECIFIED = 0
    HEALTHY = 1
    DEGRADED = 2
    UNHEALTHY = 3


class RejectReason:
    """Why a model was not eligible: the wire codes. Plain strings rather than an
    enum so a cached ranking holds nothing the garbage collector must track."""

    MISSING_CAPABILITY: Final = "MISSING_CAPABILITY"
    CONTEXT_TOO_SMALL: Final = "CONTEXT_TOO_SMALL"
    OVER_COST: Final = "OVER_COST"
    OVER_LATENCY: Final = "OVER_LATENCY"
    BELOW_QUALITY: Final = "BELOW_QUALITY"
    UNHEALTHY: Final = "UNHEALTHY"
    EXCLUDED: Final = "EXCLUDED"
    NOT_INCLUDED: Final = "NOT_INCLUDED"
    NOT_ALLOWED: Final = "NOT_ALLOWED"
    """Not among the models the caller's tenant may use."""
    LABEL_MISMATCH: Final = "LABEL_MISMATCH"
    OVER_BUDGET: Final = "OVER_BUDGET"
    DRAINING: Final = "DRAINING"
    """Every deployment of the model is draining (AdminService.SetDeploymentState)."""

    ALL: Final = (
        MISSING_CAPABILITY,
        CONTEXT_TOO_SMALL,
        OVER_COST,
        OVER_LATENCY,
        BELOW_QUALITY,
        UNHEALTHY,
        EXCLUDED,
        NOT_INCLUDED,
        NOT_ALLOWED,
        LABEL_MISMATCH,
        OVER_BUDGET,
        DRAINING,
    )


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per million tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6


@dataclass(frozen=True, slots=True)
class LatencyProfile:
    """Time to first token and output speed; a configured prior or live figures."""

    ttft_ms: float
    tokens_per_s: float

    def full_answer_ms(self, output_tokens: int) -> float:
        """Expected time to the whole answer. (Eligibility inlines the same sum in
        its per-model loop.)"""
        return self.ttft_ms + output_tokens * 1000.0 / self.tokens_per_s


@dataclass(frozen=True, slots=True)
class SimulatedBehaviour:
    """How the offline `simulated` provider answers."""

    ttft_ms: float = 40.0
    tokens_per_s: float = 400.0
    failure_rate: float = 0.0
    reply: str = "echo"


@dataclass(frozen=True, slots=True)
class Deployment:
    """One load-balanced instance of a model."""

    name: str
    base_url: str | None
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A registered model, as configured."""

    id: str
    provider: str
    upstream_model: str
    capabilities: frozenset[str]
    context_window: int
    pricing: Pricing
    quality: Mapping[str, float]
    latency: LatencyProfile
    labels: Mapping[str, str]
    deployments: tuple[Deployment, ...]
    balancer: str
    timeout_s: float
    max_concurrency: int
    idle_timeout_s: float = 15.0
    """A stream silent this long between pieces is cut (TIMEOUT)."""
    max_response_bytes: int = 4 * 1024 * 1024
    """An answer (body, or a stream's text) past this is cut (BAD_RESPONSE)."""
    base_url: str | None = None
    api_key_env: str | None = None
    simulate: SimulatedBehaviour | None = None
    structured_output: str = "json_schema"
    """Provider openai: how the server takes a JSON Schema (`models[].structured_output`)."""


class Requirements(NamedTuple):
    """What a chosen model must satisfy; zero or empty means no constraint.
    (Named tuples here and below: built on every request, they cost a fraction of
    a frozen dataclass.)"""

    task: str = ""
    capabilities: frozenset[str] = frozenset()
    min_context_tokens: int = 0
    max_cost_usd: float = 0.0
    max_latency_ms: float = 0.0
    min_quality: float = 0.0
    include_models: frozenset[str] | None = None
    """None: any model; a set (even an empty one, after tightening): only these."""
    exclude_models: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()
    """Required (key, value) pairs. Pairs, not a mapping: tightening a request by a
    strategy keeps both values of a key they disagree on, which no model matches."""
    expected_input_tokens: int = 0
    expected_output_tokens: int = 0

    def tightened_by(self, other: Requirements) -> Requirements:
        """The stricter of two sets of requirements (a strategy's own tighten a request's)."""
        return Requirements(
            task=self.task or other.task,
            capabilities=self.capabilities | other.capabilities,
            min_context_tokens=max(self.min_context_tokens, other.min_context_tokens),
            max_cost_usd=_tighter_limit(self.max_cost_usd, other.max_cost_usd),
            max_latency_ms=_tighter_limit(self.max_latency_ms, other.max_latency_ms),
            min_quality=max(self.min_quality, other.min_quality),
            include_models=_narrower_include(self.include_models, other.include_models),
            exclude_models=self.exclude_models | other.exclude_models,
            labels=tuple(sorted(set(self.labels) | set(other.labels))),
            expected_input_tokens=self.expected_input_tokens or other.expected_input_tokens,
            expected_output_tokens=self.expected_output_tokens or other.expected_output_tokens,
        )


def _tighter_limit(a: float, b: float) -> float:
    if a == 0:
        return b
    if b == 0:
        return a
    return min(a, b)


def _narrower_include(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


class SelectQuery(NamedTuple):
    """One selection question: requirements, strategy, weights and the token counts
    the estimates assume (already resolved from the messages or defaults)."""

    requirements: Requirements
    strategy: str
    weights: Mapping[str, float] | None
    input_tokens: int
    output_tokens: int


# The three per-model values of a decision are named tuples of plain values (the
# model's id, not its spec): immutable like the dataclasses here, several times
# cheaper to build, and, holding only atomic values, dropped from the garbage
# collector's watch after its first pass, so cached rankings over a large
# registry do not make every collection slower.


class Candidate(NamedTuple):
    """An eligible model (by id) with the estimates every strategy ranks by."""

    model: str
    quality: float
    cost_usd: float
    latency_ms: float
    success_rate: float


class Rejection(NamedTuple):
    model: str
    reason: str
    """One of `RejectReason`."""
    detail: str


class ScoredModel(NamedTuple):
    candidate: Candidate
    score: float
    components: tuple[float, ...]
    """The parts of the score, named by the ranking's `component_names`."""


class Ranking:
    """What a strategy produced: eligible models best first, and the rejected ones.
    An empty `ranked` means the strategy yields nothing for this query. Compared by
    identity: a cached ranking is the same object on every hit, which lets the API
    layer reuse its serialised form. Set once when built, never changed."""

    __slots__ = (
        "__weakref__",
        "component_names",
        "input_tokens",
        "output_tokens",
        "ranked",
        "rejected",
        "strategy",
        "task",
    )

    def __init__(
        self,
        strategy: str,
        ranked: tuple[ScoredModel, ...],
        rejected: tuple[Rejection, ...],
        input_tokens: int,
        output_tokens: int,
        component_names: tuple[str, ...] = (),
        task: str = "",
    ) -> None:
        self.strategy = strategy
        self.task = task
        """The task it ranked for: what feedback on its decision is credited under."""
        self.ranked = ranked
        self.rejected = rejected
        self.input_tokens = input_tokens
        """The input tokens the estimates assumed."""
        self.output_tokens = output_tokens
        """The output tokens the estimates assumed."""
        self.component_names = component_names
        """The names of every ranked model's score components, in order."""


class Decision(NamedTuple):
    """A selection's result for one call: the model, the deployment picked for
    this call, the eligible models in order, and how the caller rendered the
    ranking. (A named tuple: one is built for every call, cached or not.)"""

    requested_strategy: str
    model: str
    deployment: str
    order: Sequence[str]
    """Every eligible model id, best first."""
    ranking: Ranking | None
    """The full ranking of a fresh decision; None when it came from the selection
    cache, which keeps only `order` and `rendered` (plain values, so that cached
    decisions cost the garbage collector nothing), or was drawn from a kept
    preparation (whose rendering holds what it did not draw anew)."""
    rendered: bytes = b""
    """The caller's rendering of the ranking (the API's wire bytes), made once
    when the decision was fresh and kept with it in the cache."""
    from_cache: bool = False
    task: str = ""
    """The task the selection was for ("" for none, and for a named model): what
    feedback on this decision is credited under."""

    @property
    def best(self) -> ScoredModel:
        """The chosen model's entry of a fresh decision's ranking."""
        if self.ranking is None:
            raise ValueError("a cached decision keeps no ranking")
        return self.ranking.ranked[0]


@dataclass(frozen=True, slots=True)
class InvokeParams:
    """What an Invoke asks of the model, whichever model it is."""

    messages: tuple[ChatMessage, ...]
    max_output_tokens: int | None
    """None: the provider's default."""
    temperature: float | None
    """None: the provider's default."""
    stop: tuple[str, ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice | None = None
    """None: the provider's default (auto, with tools)."""
    response_format: ResponseFormat | None = None
    """None: free text."""


@dataclass(frozen=True, slots=True)
class InvokeCall:
    """One Invoke or InvokeStream: either a model named outright or a selection
    query, and what to ask."""

    model: str | None
    query: SelectQuery | None
    selection_key: bytes
    """Identifies the query for the selection cache (empty with `model`)."""
    params: InvokeParams
    request_id: str
    """The caller's, or empty for one to be generated."""
    cache_policy: int = 0
    """The request's CachePolicy number (0: the server's default)."""
    input_tokens: int = 0
    """For a named model: the input tokens its estimates assume."""
    output_tokens: int = 0
    """For a named model: the output tokens its estimates assume."""
    answer_key: str = ""
    """The response cache's key for what is asked, when the builder computed it
    once for every repeat of the call; empty: computed per call."""
