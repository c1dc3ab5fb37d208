import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ToolChoiceMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_CHOICE_MODE_UNSPECIFIED: _ClassVar[ToolChoiceMode]
    TOOL_CHOICE_MODE_AUTO: _ClassVar[ToolChoiceMode]
    TOOL_CHOICE_MODE_NONE: _ClassVar[ToolChoiceMode]
    TOOL_CHOICE_MODE_REQUIRED: _ClassVar[ToolChoiceMode]
    TOOL_CHOICE_MODE_TOOL: _ClassVar[ToolChoiceMode]

class ResponseFormatType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESPONSE_FORMAT_TYPE_UNSPECIFIED: _ClassVar[ResponseFormatType]
    RESPONSE_FORMAT_TYPE_TEXT: _ClassVar[ResponseFormatType]
    RESPONSE_FORMAT_TYPE_JSON_OBJECT: _ClassVar[ResponseFormatType]
    RESPONSE_FORMAT_TYPE_JSON_SCHEMA: _ClassVar[ResponseFormatType]

class DecisionView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_VIEW_UNSPECIFIED: _ClassVar[DecisionView]
    DECISION_VIEW_BASIC: _ClassVar[DecisionView]
    DECISION_VIEW_FULL: _ClassVar[DecisionView]

class CachePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CACHE_POLICY_UNSPECIFIED: _ClassVar[CachePolicy]
    CACHE_POLICY_USE: _ClassVar[CachePolicy]
    CACHE_POLICY_BYPASS: _ClassVar[CachePolicy]
    CACHE_POLICY_REFRESH: _ClassVar[CachePolicy]

class HealthState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_STATE_UNSPECIFIED: _ClassVar[HealthState]
    HEALTH_STATE_HEALTHY: _ClassVar[HealthState]
    HEALTH_STATE_DEGRADED: _ClassVar[HealthState]
    HEALTH_STATE_UNHEALTHY: _ClassVar[HealthState]

class DeploymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPLOYMENT_STATE_UNSPECIFIED: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_ACTIVE: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_DRAINING: _ClassVar[DeploymentState]
TOOL_CHOICE_MODE_UNSPECIFIED: ToolChoiceMode
TOOL_CHOICE_MODE_AUTO: ToolChoiceMode
TOOL_CHOICE_MODE_NONE: ToolChoiceMode
TOOL_CHOICE_MODE_REQUIRED: ToolChoiceMode
TOOL_CHOICE_MODE_TOOL: ToolChoiceMode
RESPONSE_FORMAT_TYPE_UNSPECIFIED: ResponseFormatType
RESPONSE_FORMAT_TYPE_TEXT: ResponseFormatType
RESPONSE_FORMAT_TYPE_JSON_OBJECT: ResponseFormatType
RESPONSE_FORMAT_TYPE_JSON_SCHEMA: ResponseFormatType
DECISION_VIEW_UNSPECIFIED: DecisionView
DECISION_VIEW_BASIC: DecisionView
DECISION_VIEW_FULL: DecisionView
CACHE_POLICY_UNSPECIFIED: CachePolicy
CACHE_POLICY_USE: CachePolicy
CACHE_POLICY_BYPASS: CachePolicy
CACHE_POLICY_REFRESH: CachePolicy
HEALTH_STATE_UNSPECIFIED: HealthState
HEALTH_STATE_HEALTHY: HealthState
HEALTH_STATE_DEGRADED: HealthState
HEALTH_STATE_UNHEALTHY: HealthState
DEPLOYMENT_STATE_UNSPECIFIED: DeploymentState
DEPLOYMENT_STATE_ACTIVE: DeploymentState
DEPLOYMENT_STATE_DRAINING: DeploymentState

class FeedbackRequest(_message.Message):
    __slots__ = ("decision_id", "score")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    score: float
    def __init__(self, decision_id: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class FeedbackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Requirements(_message.Message):
    __slots__ = ("task", "capabilities", "min_context_tokens", "max_cost_usd", "max_latency_ms", "min_quality", "include_models", "exclude_models", "labels", "expected_input_tokens", "expected_output_tokens")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    MIN_CONTEXT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_USD_FIELD_NUMBER: _ClassVar[int]
    MAX_LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    MIN_QUALITY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_MODELS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_MODELS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    task: str
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    min_context_tokens: int
    max_cost_usd: float
    max_latency_ms: float
    min_quality: float
    include_models: _containers.RepeatedScalarFieldContainer[str]
    exclude_models: _containers.RepeatedScalarFieldContainer[str]
    labels: _containers.ScalarMap[str, str]
    expected_input_tokens: int
    expected_output_tokens: int
    def __init__(self, task: _Optional[str] = ..., capabilities: _Optional[_Iterable[str]] = ..., min_context_tokens: _Optional[int] = ..., max_cost_usd: _Optional[float] = ..., max_latency_ms: _Optional[float] = ..., min_quality: _Optional[float] = ..., include_models: _Optional[_Iterable[str]] = ..., exclude_models: _Optional[_Iterable[str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., expected_input_tokens: _Optional[int] = ..., expected_output_tokens: _Optional[int] = ...) -> None: ...

class ChatMessage(_message.Message):
    __slots__ = ("role", "content", "parts", "tool_calls", "tool_call_id")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    content: str
    parts: _containers.RepeatedCompositeFieldContainer[ContentPart]
    tool_calls: _containers.RepeatedCompositeFieldContainer[ToolCall]
    tool_call_id: str
    def __init__(self, role: _Optional[str] = ..., content: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[ContentPart, _Mapping]]] = ..., tool_calls: _Optional[_Iterable[_Union[ToolCall, _Mapping]]] = ..., tool_call_id: _Optional[str] = ...) -> None: ...

class ContentPart(_message.Message):
    __slots__ = ("text", "image")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    image: Image
    def __init__(self, text: _Optional[str] = ..., image: _Optional[_Union[Image, _Mapping]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("url", "data", "media_type")
    URL_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    url: str
    data: bytes
    media_type: str
    def __init__(self, url: _Optional[str] = ..., data: _Optional[bytes] = ..., media_type: _Optional[str] = ...) -> None: ...

class ToolCall(_message.Message):
    __slots__ = ("id", "name", "arguments")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    arguments: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., arguments: _Optional[str] = ...) -> None: ...

class Tool(_message.Message):
    __slots__ = ("name", "description", "parameters")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    parameters: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., parameters: _Optional[str] = ...) -> None: ...

class ToolChoice(_message.Message):
    __slots__ = ("mode", "tool")
    MODE_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    mode: ToolChoiceMode
    tool: str
    def __init__(self, mode: _Optional[_Union[ToolChoiceMode, str]] = ..., tool: _Optional[str] = ...) -> None: ...

class ResponseFormat(_message.Message):
    __slots__ = ("type", "schema_name", "schema", "strict")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    STRICT_FIELD_NUMBER: _ClassVar[int]
    type: ResponseFormatType
    schema_name: str
    schema: str
    strict: bool
    def __init__(self, type: _Optional[_Union[ResponseFormatType, str]] = ..., schema_name: _Optional[str] = ..., schema: _Optional[str] = ..., strict: _Optional[bool] = ...) -> None: ...

class SelectRequest(_message.Message):
    __slots__ = ("requirements", "strategy", "weights", "messages", "max_output_tokens")
    class WeightsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    requirements: Requirements
    strategy: str
    weights: _containers.ScalarMap[str, float]
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    max_output_tokens: int
    def __init__(self, requirements: _Optional[_Union[Requirements, _Mapping]] = ..., strategy: _Optional[str] = ..., weights: _Optional[_Mapping[str, float]] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., max_output_tokens: _Optional[int] = ...) -> None: ...

class SelectResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    def __init__(self, decision: _Optional[_Union[Decision, _Mapping]] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("model", "deployment", "strategy", "ranking", "rejected", "estimated_cost_usd", "expected_latency_ms", "from_cache", "requested_strategy", "estimated_input_tokens", "estimated_output_tokens", "decision_id")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    RANKING_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COST_USD_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    FROM_CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    model: str
    deployment: str
    strategy: str
    ranking: _containers.RepeatedCompositeFieldContainer[ScoredModel]
    rejected: _containers.RepeatedCompositeFieldContainer[Rejection]
    estimated_cost_usd: float
    expected_latency_ms: float
    from_cache: bool
    requested_strategy: str
    estimated_input_tokens: int
    estimated_output_tokens: int
    decision_id: str
    def __init__(self, model: _Optional[str] = ..., deployment: _Optional[str] = ..., strategy: _Optional[str] = ..., ranking: _Optional[_Iterable[_Union[ScoredModel, _Mapping]]] = ..., rejected: _Optional[_Iterable[_Union[Rejection, _Mapping]]] = ..., estimated_cost_usd: _Optional[float] = ..., expected_latency_ms: _Optional[float] = ..., from_cache: _Optional[bool] = ..., requested_strategy: _Optional[str] = ..., estimated_input_tokens: _Optional[int] = ..., estimated_output_tokens: _Optional[int] = ..., decision_id: _Optional[str] = ...) -> None: ...

class ScoredModel(_message.Message):
    __slots__ = ("model", "score", "components", "estimated_cost_usd", "expected_latency_ms")
    class ComponentsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COST_USD_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    model: str
    score: float
    components: _containers.ScalarMap[str, float]
    estimated_cost_usd: float
    expected_latency_ms: float
    def __init__(self, model: _Optional[str] = ..., score: _Optional[float] = ..., components: _Optional[_Mapping[str, float]] = ..., estimated_cost_usd: _Optional[float] = ..., expected_latency_ms: _Optional[float] = ...) -> None: ...

class Rejection(_message.Message):
    __slots__ = ("model", "reason", "detail")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    model: str
    reason: str
    detail: str
    def __init__(self, model: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class InvokeRequest(_message.Message):
    __slots__ = ("selection", "model", "messages", "max_output_tokens", "temperature", "stop", "cache", "request_id", "tools", "tool_choice", "response_format", "decision_view")
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DECISION_VIEW_FIELD_NUMBER: _ClassVar[int]
    selection: SelectRequest
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    max_output_tokens: int
    temperature: float
    stop: _containers.RepeatedScalarFieldContainer[str]
    cache: CachePolicy
    request_id: str
    tools: _containers.RepeatedCompositeFieldContainer[Tool]
    tool_choice: ToolChoice
    response_format: ResponseFormat
    decision_view: DecisionView
    def __init__(self, selection: _Optional[_Union[SelectRequest, _Mapping]] = ..., model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., max_output_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., stop: _Optional[_Iterable[str]] = ..., cache: _Optional[_Union[CachePolicy, str]] = ..., request_id: _Optional[str] = ..., tools: _Optional[_Iterable[_Union[Tool, _Mapping]]] = ..., tool_choice: _Optional[_Union[ToolChoice, _Mapping]] = ..., response_format: _Optional[_Union[ResponseFormat, _Mapping]] = ..., decision_view: _Optional[_Union[DecisionView, str]] = ...) -> None: ...

class InvokeStreamRequest(_message.Message):
    __slots__ = ("selection", "model", "messages", "max_output_tokens", "temperature", "stop", "cache", "request_id", "tools", "tool_choice", "response_format", "decision_view")
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DECISION_VIEW_FIELD_NUMBER: _ClassVar[int]
    selection: SelectRequest
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    max_output_tokens: int
    temperature: float
    stop: _containers.RepeatedScalarFieldContainer[str]
    cache: CachePolicy
    request_id: str
    tools: _containers.RepeatedCompositeFieldContainer[Tool]
    tool_choice: ToolChoice
    response_format: ResponseFormat
    decision_view: DecisionView
    def __init__(self, selection: _Optional[_Union[SelectRequest, _Mapping]] = ..., model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., max_output_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., stop: _Optional[_Iterable[str]] = ..., cache: _Optional[_Union[CachePolicy, str]] = ..., request_id: _Optional[str] = ..., tools: _Optional[_Iterable[_Union[Tool, _Mapping]]] = ..., tool_choice: _Optional[_Union[ToolChoice, _Mapping]] = ..., response_format: _Optional[_Union[ResponseFormat, _Mapping]] = ..., decision_view: _Optional[_Union[DecisionView, str]] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("input_tokens", "output_tokens", "cost_usd")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    def __init__(self, input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ...) -> None: ...

class Attempt(_message.Message):
    __slots__ = ("model", "deployment", "outcome", "latency_ms", "error")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    model: str
    deployment: str
    outcome: str
    latency_ms: float
    error: str
    def __init__(self, model: _Optional[str] = ..., deployment: _Optional[str] = ..., outcome: _Optional[str] = ..., latency_ms: _Optional[float] = ..., error: _Optional[str] = ...) -> None: ...

class InvokeResponse(_message.Message):
    __slots__ = ("text", "finish_reason", "usage", "model", "decision", "attempts", "cache_hit", "latency_ms", "request_id", "deployment", "tool_calls")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    text: str
    finish_reason: str
    usage: Usage
    model: str
    decision: Decision
    attempts: _containers.RepeatedCompositeFieldContainer[Attempt]
    cache_hit: bool
    latency_ms: float
    request_id: str
    deployment: str
    tool_calls: _containers.RepeatedCompositeFieldContainer[ToolCall]
    def __init__(self, text: _Optional[str] = ..., finish_reason: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., model: _Optional[str] = ..., decision: _Optional[_Union[Decision, _Mapping]] = ..., attempts: _Optional[_Iterable[_Union[Attempt, _Mapping]]] = ..., cache_hit: _Optional[bool] = ..., latency_ms: _Optional[float] = ..., request_id: _Optional[str] = ..., deployment: _Optional[str] = ..., tool_calls: _Optional[_Iterable[_Union[ToolCall, _Mapping]]] = ...) -> None: ...

class InvokeStreamResponse(_message.Message):
    __slots__ = ("delta", "done", "tool_call")
    DELTA_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    delta: str
    done: InvokeResponse
    tool_call: ToolCallDelta
    def __init__(self, delta: _Optional[str] = ..., done: _Optional[_Union[InvokeResponse, _Mapping]] = ..., tool_call: _Optional[_Union[ToolCallDelta, _Mapping]] = ...) -> None: ...

class ToolCallDelta(_message.Message):
    __slots__ = ("index", "id", "name", "arguments")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    index: int
    id: str
    name: str
    arguments: str
    def __init__(self, index: _Optional[int] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., arguments: _Optional[str] = ...) -> None: ...

class StatsRequest(_message.Message):
    __slots__ = ("models", "tenant")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedScalarFieldContainer[str]
    tenant: str
    def __init__(self, models: _Optional[_Iterable[str]] = ..., tenant: _Optional[str] = ...) -> None: ...

class DeploymentStats(_message.Message):
    __slots__ = ("deployment", "requests", "successes", "failures", "failures_by_reason", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "ttft_p50_ms", "input_tokens", "output_tokens", "cost_usd", "in_flight", "selections", "health", "ttft_p95_ms", "recent", "saturation")
    class FailuresByReasonEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESSES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_BY_REASON_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    TTFT_P50_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    SELECTIONS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    TTFT_P95_MS_FIELD_NUMBER: _ClassVar[int]
    RECENT_FIELD_NUMBER: _ClassVar[int]
    SATURATION_FIELD_NUMBER: _ClassVar[int]
    deployment: str
    requests: int
    successes: int
    failures: int
    failures_by_reason: _containers.ScalarMap[str, int]
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    ttft_p50_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    in_flight: int
    selections: int
    health: HealthState
    ttft_p95_ms: float
    recent: WindowStats
    saturation: float
    def __init__(self, deployment: _Optional[str] = ..., requests: _Optional[int] = ..., successes: _Optional[int] = ..., failures: _Optional[int] = ..., failures_by_reason: _Optional[_Mapping[str, int]] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., ttft_p50_ms: _Optional[float] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., in_flight: _Optional[int] = ..., selections: _Optional[int] = ..., health: _Optional[_Union[HealthState, str]] = ..., ttft_p95_ms: _Optional[float] = ..., recent: _Optional[_Union[WindowStats, _Mapping]] = ..., saturation: _Optional[float] = ...) -> None: ...

class ModelStats(_message.Message):
    __slots__ = ("model", "requests", "successes", "failures", "failures_by_reason", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "ttft_p50_ms", "input_tokens", "output_tokens", "cost_usd", "in_flight", "selections", "health", "deployments", "ttft_p95_ms", "recent", "learned")
    class FailuresByReasonEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESSES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_BY_REASON_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    TTFT_P50_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    SELECTIONS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    TTFT_P95_MS_FIELD_NUMBER: _ClassVar[int]
    RECENT_FIELD_NUMBER: _ClassVar[int]
    LEARNED_FIELD_NUMBER: _ClassVar[int]
    model: str
    requests: int
    successes: int
    failures: int
    failures_by_reason: _containers.ScalarMap[str, int]
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    ttft_p50_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    in_flight: int
    selections: int
    health: HealthState
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentStats]
    ttft_p95_ms: float
    recent: WindowStats
    learned: _containers.RepeatedCompositeFieldContainer[LearnedQuality]
    def __init__(self, model: _Optional[str] = ..., requests: _Optional[int] = ..., successes: _Optional[int] = ..., failures: _Optional[int] = ..., failures_by_reason: _Optional[_Mapping[str, int]] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., ttft_p50_ms: _Optional[float] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., in_flight: _Optional[int] = ..., selections: _Optional[int] = ..., health: _Optional[_Union[HealthState, str]] = ..., deployments: _Optional[_Iterable[_Union[DeploymentStats, _Mapping]]] = ..., ttft_p95_ms: _Optional[float] = ..., recent: _Optional[_Union[WindowStats, _Mapping]] = ..., learned: _Optional[_Iterable[_Union[LearnedQuality, _Mapping]]] = ...) -> None: ...

class LearnedQuality(_message.Message):
    __slots__ = ("task", "quality", "uncertainty", "scores", "configured_quality", "tenant")
    TASK_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    UNCERTAINTY_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    CONFIGURED_QUALITY_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    task: str
    quality: float
    uncertainty: float
    scores: int
    configured_quality: float
    tenant: str
    def __init__(self, task: _Optional[str] = ..., quality: _Optional[float] = ..., uncertainty: _Optional[float] = ..., scores: _Optional[int] = ..., configured_quality: _Optional[float] = ..., tenant: _Optional[str] = ...) -> None: ...

class WindowStats(_message.Message):
    __slots__ = ("requests", "successes", "failures", "failures_by_reason", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "ttft_p50_ms", "ttft_p95_ms", "input_tokens", "output_tokens", "cost_usd", "selections")
    class FailuresByReasonEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESSES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_BY_REASON_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    TTFT_P50_MS_FIELD_NUMBER: _ClassVar[int]
    TTFT_P95_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    SELECTIONS_FIELD_NUMBER: _ClassVar[int]
    requests: int
    successes: int
    failures: int
    failures_by_reason: _containers.ScalarMap[str, int]
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    ttft_p50_ms: float
    ttft_p95_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    selections: int
    def __init__(self, requests: _Optional[int] = ..., successes: _Optional[int] = ..., failures: _Optional[int] = ..., failures_by_reason: _Optional[_Mapping[str, int]] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., ttft_p50_ms: _Optional[float] = ..., ttft_p95_ms: _Optional[float] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., selections: _Optional[int] = ...) -> None: ...

class BudgetStatus(_message.Message):
    __slots__ = ("scope", "tenant", "period", "limit_usd", "spent_usd", "reserved_usd", "resets_at")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    LIMIT_USD_FIELD_NUMBER: _ClassVar[int]
    SPENT_USD_FIELD_NUMBER: _ClassVar[int]
    RESERVED_USD_FIELD_NUMBER: _ClassVar[int]
    RESETS_AT_FIELD_NUMBER: _ClassVar[int]
    scope: str
    tenant: str
    period: str
    limit_usd: float
    spent_usd: float
    reserved_usd: float
    resets_at: _timestamp_pb2.Timestamp
    def __init__(self, scope: _Optional[str] = ..., tenant: _Optional[str] = ..., period: _Optional[str] = ..., limit_usd: _Optional[float] = ..., spent_usd: _Optional[float] = ..., reserved_usd: _Optional[float] = ..., resets_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CacheStats(_message.Message):
    __slots__ = ("hits", "misses", "entries", "bytes", "evictions", "selection_hits", "selection_misses", "selection_entries")
    HITS_FIELD_NUMBER: _ClassVar[int]
    MISSES_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    EVICTIONS_FIELD_NUMBER: _ClassVar[int]
    SELECTION_HITS_FIELD_NUMBER: _ClassVar[int]
    SELECTION_MISSES_FIELD_NUMBER: _ClassVar[int]
    SELECTION_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    hits: int
    misses: int
    entries: int
    bytes: int
    evictions: int
    selection_hits: int
    selection_misses: int
    selection_entries: int
    def __init__(self, hits: _Optional[int] = ..., misses: _Optional[int] = ..., entries: _Optional[int] = ..., bytes: _Optional[int] = ..., evictions: _Optional[int] = ..., selection_hits: _Optional[int] = ..., selection_misses: _Optional[int] = ..., selection_entries: _Optional[int] = ...) -> None: ...

class StatsResponse(_message.Message):
    __slots__ = ("models", "cache", "suggestions", "uptime_s", "window_s", "totals_since", "budgets", "tenant", "tenants")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_S_FIELD_NUMBER: _ClassVar[int]
    WINDOW_S_FIELD_NUMBER: _ClassVar[int]
    TOTALS_SINCE_FIELD_NUMBER: _ClassVar[int]
    BUDGETS_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    TENANTS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelStats]
    cache: CacheStats
    suggestions: _containers.RepeatedScalarFieldContainer[str]
    uptime_s: float
    window_s: float
    totals_since: _timestamp_pb2.Timestamp
    budgets: _containers.RepeatedCompositeFieldContainer[BudgetStatus]
    tenant: str
    tenants: _containers.RepeatedCompositeFieldContainer[TenantStats]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelStats, _Mapping]]] = ..., cache: _Optional[_Union[CacheStats, _Mapping]] = ..., suggestions: _Optional[_Iterable[str]] = ..., uptime_s: _Optional[float] = ..., window_s: _Optional[float] = ..., totals_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., budgets: _Optional[_Iterable[_Union[BudgetStatus, _Mapping]]] = ..., tenant: _Optional[str] = ..., tenants: _Optional[_Iterable[_Union[TenantStats, _Mapping]]] = ...) -> None: ...

class TenantStats(_message.Message):
    __slots__ = ("tenant", "requests", "successes", "failures", "input_tokens", "output_tokens", "cost_usd", "requests_last_minute", "tokens_last_minute", "requests_per_minute", "tokens_per_minute")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESSES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    requests: int
    successes: int
    failures: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    requests_last_minute: int
    tokens_last_minute: int
    requests_per_minute: int
    tokens_per_minute: int
    def __init__(self, tenant: _Optional[str] = ..., requests: _Optional[int] = ..., successes: _Optional[int] = ..., failures: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., requests_last_minute: _Optional[int] = ..., tokens_last_minute: _Optional[int] = ..., requests_per_minute: _Optional[int] = ..., tokens_per_minute: _Optional[int] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeploymentInfo(_message.Message):
    __slots__ = ("name", "weight", "health", "state")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    name: str
    weight: float
    health: HealthState
    state: DeploymentState
    def __init__(self, name: _Optional[str] = ..., weight: _Optional[float] = ..., health: _Optional[_Union[HealthState, str]] = ..., state: _Optional[_Union[DeploymentState, str]] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("id", "provider", "capabilities", "context_window", "input_cost_per_mtok", "output_cost_per_mtok", "quality", "labels", "deployments", "health", "upstream_model", "ttft_ms", "tokens_per_s", "balancer")
    class QualityEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    INPUT_COST_PER_MTOK_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_COST_PER_MTOK_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    TTFT_MS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_S_FIELD_NUMBER: _ClassVar[int]
    BALANCER_FIELD_NUMBER: _ClassVar[int]
    id: str
    provider: str
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    context_window: int
    input_cost_per_mtok: float
    output_cost_per_mtok: float
    quality: _containers.ScalarMap[str, float]
    labels: _containers.ScalarMap[str, str]
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentInfo]
    health: HealthState
    upstream_model: str
    ttft_ms: float
    tokens_per_s: float
    balancer: str
    def __init__(self, id: _Optional[str] = ..., provider: _Optional[str] = ..., capabilities: _Optional[_Iterable[str]] = ..., context_window: _Optional[int] = ..., input_cost_per_mtok: _Optional[float] = ..., output_cost_per_mtok: _Optional[float] = ..., quality: _Optional[_Mapping[str, float]] = ..., labels: _Optional[_Mapping[str, str]] = ..., deployments: _Optional[_Iterable[_Union[DeploymentInfo, _Mapping]]] = ..., health: _Optional[_Union[HealthState, str]] = ..., upstream_model: _Optional[str] = ..., ttft_ms: _Optional[float] = ..., tokens_per_s: _Optional[float] = ..., balancer: _Optional[str] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "strategies", "default_strategy", "config_version")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    strategies: _containers.RepeatedScalarFieldContainer[str]
    default_strategy: str
    config_version: str
    def __init__(self, models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., strategies: _Optional[_Iterable[str]] = ..., default_strategy: _Optional[str] = ..., config_version: _Optional[str] = ...) -> None: ...
