"""Typed Python client (sync and async) for the modelrouter gRPC service.

```python
from modelrouter_client import Router

with Router("127.0.0.1:50051") as router:
    decision = router.select(task="code", capabilities=["tools"], max_cost_usd=0.01)
    print(decision.model, decision.ranking[0].score)
```

Everything public is importable from here and listed in `__all__`; the underscore
modules may change.
"""

from modelrouter_client._async import AsyncInvokeStream, AsyncRouter
from modelrouter_client._channel import ChannelOptions, Keepalive, RetryPolicy
from modelrouter_client._conversation import (
    ChatMessage,
    ContentPart,
    DecisionView,
    ImagePart,
    JsonSchema,
    ResponseFormat,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
)
from modelrouter_client._errors import (
    AlreadyExistsError,
    BudgetExceededError,
    ConfigRefusedError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NoEligibleModelError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    RouterError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
)
from modelrouter_client._options import CallOptions, InvokeOptions, RequirementOptions, SelectOptions
from modelrouter_client._sync import InvokeStream, Router
from modelrouter_client._transport import DEFAULT_TARGET, DEFAULT_TIMEOUT, Metadata
from modelrouter_client._types import (
    Attempt,
    BudgetStatus,
    CachePolicy,
    CacheStats,
    Completion,
    Decision,
    DeploymentInfo,
    DeploymentStats,
    Health,
    LearnedQuality,
    MessageLike,
    MessagesLike,
    ModelInfo,
    ModelList,
    ModelStats,
    Rejection,
    ReloadResult,
    Requirements,
    ScoredModel,
    StatsResult,
    TenantStats,
    Usage,
    WindowStats,
)
from modelrouter_client._version import __version__

__all__ = [
    "DEFAULT_TARGET",
    "DEFAULT_TIMEOUT",
    "AlreadyExistsError",
    "AsyncInvokeStream",
    "AsyncRouter",
    "Attempt",
    "BudgetExceededError",
    "BudgetStatus",
    "CachePolicy",
    "CacheStats",
    "CallOptions",
    "ChannelOptions",
    "ChatMessage",
    "Completion",
    "ConfigRefusedError",
    "ContentPart",
    "DeadlineExceededError",
    "Decision",
    "DecisionView",
    "DeploymentInfo",
    "DeploymentStats",
    "FailedPreconditionError",
    "Health",
    "ImagePart",
    "InternalError",
    "InvalidArgumentError",
    "InvokeOptions",
    "InvokeStream",
    "JsonSchema",
    "Keepalive",
    "LearnedQuality",
    "MessageLike",
    "MessagesLike",
    "Metadata",
    "ModelInfo",
    "ModelList",
    "ModelStats",
    "NoEligibleModelError",
    "NotFoundError",
    "PermissionDeniedError",
    "Rejection",
    "ReloadResult",
    "RequirementOptions",
    "Requirements",
    "ResourceExhaustedError",
    "ResponseFormat",
    "RetryPolicy",
    "Router",
    "RouterError",
    "ScoredModel",
    "SelectOptions",
    "StatsResult",
    "TenantStats",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "Usage",
    "WindowStats",
    "__version__",
]
