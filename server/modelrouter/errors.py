"""The router's one error hierarchy. Each error names its ErrorInfo reason and
metadata; `modelrouter.api.status` maps the classes to gRPC codes in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modelrouter.domain import Rejection

# Errors quote what the caller sent so a person can find it; a caller's string can
# be megabytes, and the status message and details travel in HTTP/2 trailers that
# grpc caps at a few KiB. Quote at most this much.
MAX_QUOTED = 100


def clip(text: str) -> str:
    """`text` shortened for quoting in an error, marked when cut."""
    if len(text) <= MAX_QUOTED:
        return text
    return f"{text[:MAX_QUOTED]}...({len(text)} characters)"


class RouterError(Exception):
    """Base of every error a caller may see. `reason` is the ErrorInfo reason;
    `metadata` its lowerCamelCase metadata."""

    reason: str = "ROUTER_ERROR"

    def __init__(self, message: str, metadata: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidRequest(RouterError):
    """A field of the request is wrong; `field` names it in dotted proto form."""

    reason = "INVALID_REQUEST"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", {"field": field})
        self.field = field


class MalformedRequest(RouterError):
    """The request bytes do not decode as the request message."""

    reason = "MALFORMED_REQUEST"


class UnknownStrategy(RouterError):
    reason = "UNKNOWN_STRATEGY"

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(
            f"unknown strategy {clip(name)!r}; registered strategies: {', '.join(known)}",
            {"strategy": clip(name)},
        )


class UnknownModel(RouterError):
    reason = "UNKNOWN_MODEL"

    def __init__(self, model: str) -> None:
        super().__init__(
            f"unknown model {clip(model)!r}; ListModels shows the registered ids", {"model": clip(model)}
        )


class NoEligibleModel(RouterError):
    """No registered model satisfies the requirements; `rejections` says why each failed."""

    reason = "NO_ELIGIBLE_MODEL"

    def __init__(self, strategy: str, rejections: Sequence[Rejection]) -> None:
        counts: dict[str, int] = {}
        for r in rejections:
            counts[r.reason] = counts.get(r.reason, 0) + 1
        summary = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
        super().__init__(
            f"no registered model satisfies the requirements (strategy {strategy!r}): {summary}; "
            "relax the requirements or see the rejections in the error details",
            {"strategy": strategy, "rejected": str(len(rejections))},
        )
        self.rejections = tuple(rejections)


class BudgetExceeded(RouterError):
    """A spend limit stops the call: the budget's figures are in the metadata.
    From selection, `rejections` lists every model and why (OVER_BUDGET for
    those the budget keeps out)."""

    reason = "BUDGET_EXCEEDED"

    def __init__(
        self, message: str, metadata: Mapping[str, str], rejections: Sequence[Rejection] = ()
    ) -> None:
        super().__init__(message, metadata)
        self.rejections = tuple(rejections)


class DeadlineExceeded(RouterError):
    reason = "DEADLINE_EXCEEDED"


class ShuttingDown(RouterError):
    """The server's shutdown grace ended before the call did: the call is cut,
    counted (failure reason SHUTTING_DOWN) and charged what it used; the caller
    may retry it on another replica."""

    reason = "SHUTTING_DOWN"

    def __init__(self) -> None:
        super().__init__(
            "the server is shutting down and its grace period ended before this call did; "
            "retry it (another replica, or this one once it is back)"
        )


class AllCandidatesFailed(RouterError):
    """Every eligible candidate was tried and failed; `attempts` says how."""

    reason = "ALL_CANDIDATES_FAILED"

    def __init__(self, summary: str, attempts: Sequence[object]) -> None:
        # The message and details travel in trailers of a few KiB: cut long lists.
        shown = summary if len(summary) <= 1000 else summary[:1000] + "..."
        super().__init__(
            f"every candidate failed ({len(attempts)} attempts: {shown}); the ErrorInfo lists each attempt",
            {"attempts": summary if len(summary) <= 3000 else summary[:3000] + "..."},
        )
        self.attempts = tuple(attempts)


class StreamInterrupted(RouterError):
    """The answer failed after part of it was streamed: not retried, since the
    caller has text already; the stream ends with this error, never with OK."""

    reason = "STREAM_INTERRUPTED"

    def __init__(self, summary: str, attempts: Sequence[object]) -> None:
        super().__init__(
            "the upstream failed after part of the answer was sent; the text received is incomplete",
            {"attempts": summary if len(summary) <= 3000 else summary[:3000] + "..."},
        )
        self.attempts = tuple(attempts)
