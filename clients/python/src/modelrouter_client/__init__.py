"""Typed Python client (sync and async) for the modelrouter gRPC service.

```python
from modelrouter_client import Router

with Router("127.0.0.1:50051") as router:
    decision = router.select(task="code", capabilities=["tools"], max_cost_usd=0.01)
    print(decision.model, decision.ranking[0].score)
```

Everything public is importable from here; the underscore modules may change.
"""

from modelrouter_client._async import AsyncInvokeStream, AsyncRouter
from modelrouter_client._errors import (
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
from modelrouter_client._sync import InvokeStream, Router
from modelrouter_client._transport import DEFAULT_TARGET, DEFAULT_TIMEOUT
from modelrouter_client._types import (
    Attempt,
    CachePolicy,
    CacheStats,
    ChatMessage,
    Completion,
    Decision,
    DeploymentInfo,
    DeploymentStats,
    Health,
    MessageLike,
    MessagesLike,
    ModelInfo,
    ModelList,
    ModelStats,
    Rejection,
    Requirements,
    ScoredModel,
    StatsResult,
    Usage,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TARGET",
    "DEFAULT_TIMEOUT",
    "AsyncInvokeStream",
    "AsyncRouter",
    "Attempt",
    "CachePolicy",
    "CacheStats",
    "ChatMessage",
    "Completion",
    "DeadlineExceededError",
    "Decision",
    "DeploymentInfo",
    "DeploymentStats",
    "FailedPreconditionError",
    "Health",
    "InternalError",
    "InvalidArgumentError",
    "InvokeStream",
    "MessageLike",
    "MessagesLike",
    "ModelInfo",
    "ModelList",
    "ModelStats",
    "NoEligibleModelError",
    "NotFoundError",
    "PermissionDeniedError",
    "Rejection",
    "Requirements",
    "ResourceExhaustedError",
    "Router",
    "RouterError",
    "ScoredModel",
    "StatsResult",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "Usage",
    "__version__",
]
