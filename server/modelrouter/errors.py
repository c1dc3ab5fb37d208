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


# Every error travels in HTTP/2 trailers, which a gRPC client refuses past 8 KiB
# (its default metadata limit): the message twice (grpc-message, percent-encoded,
# and inside grpc-status-details-bin, base64) and the details once. So each part is
# capped, whatever the registry's size or the request's: `modelrouter.api.status`
# caps the message and the lists of the details; here, each metadata value.
MAX_METADATA_VALUE = 1000
"""The most characters of one ErrorInfo metadata value."""


MAX_MESSAGE = 1000
"""The most characters of an error's message (and at most 1 KiB of UTF-8): it is
sent twice, and percent-encoding can triple it."""


def capped_message(message: str) -> str:
    """`message` cut to MAX_MESSAGE characters and 1 KiB of UTF-8, marked when cut."""
    if len(message) <= MAX_MESSAGE and (message.isascii() or len(message.encode()) <= 1024):
        return message
    cut = message[: MAX_MESSAGE - 40]
    while len(cut.encode()) > 1024 - 40:
        cut = cut[: len(cut) * 3 // 4]
    return f"{cut}...({len(message)} characters)"


def capped_entries(text: str, limit: int = MAX_METADATA_VALUE, sep: str = ",") -> str:
    """`text`, a `sep`-separated list, cut after the entries that fit in `limit`
    characters and ended by how many were left out ("...and 12 more"); a first
    entry too long on its own is cut too. Text with no separator is cut like
    `clip` (marked, with its length)."""
    if len(text) <= limit:
        return text
    entries = text.split(sep)
    kept: list[str] = []
    size = 0
    for entry in entries:
        # Room for the entry, its separator and the tail ("...and N more").
        if size + len(entry) + len(sep) + 24 > limit:
            break
        kept.append(entry)
        size += len(entry) + len(sep)
    if not kept:  # the first entry alone is too long: cut it too
        if len(entries) == 1:
            return f"{text[: max(limit - 32, 0)]}...({len(text)} characters)"
        return f"{entries[0][: max(limit - 40, 0)]}...{sep}...and {len(entries) - 1} more"
    return f"{sep.join(kept)}{sep}...and {len(entries) - len(kept)} more"


class RouterError(Exception):
    """Base of every error a caller may see. `reason` is the ErrorInfo reason;
    `metadata` its lowerCamelCase metadata."""

    reason: str = "ROUTER_ERROR"

    def __init__(self, message: str, metadata: Mapping[str, str] | None = None) -> None:
        message = capped_message(message)
        super().__init__(message)
        self.message = message
        self.metadata: dict[str, str] = {k: capped_entries(v) for k, v in (metadata or {}).items()}


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


class UnknownDeployment(UnknownModel):
    """The model exists but has no deployment of that name (NOT_FOUND, as UnknownModel)."""

    reason = "UNKNOWN_DEPLOYMENT"

    def __init__(self, model: str, deployment: str) -> None:
        RouterError.__init__(
            self,
            f"model {clip(model)!r} has no deployment {clip(deployment)!r}; ListModels shows its deployments",
            {"model": clip(model), "deployment": clip(deployment)},
        )


class ModelDraining(RouterError):
    """A call named a model whose every deployment is draining: it takes no new
    calls until an operator makes a deployment active again."""

    reason = "MODEL_DRAINING"

    def __init__(self, model: str) -> None:
        super().__init__(
            f"model {clip(model)!r} takes no new calls: every deployment is draining; "
            "name another model, or make a deployment active (AdminService.SetDeploymentState)",
            {"model": clip(model)},
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


class RateLimited(RouterError):
    """The tenant's rate limit (`metadata["limit"]`) stops the call; it would fit
    after `retry_after_s`, which the API sends as a RetryInfo."""

    reason = "RATE_LIMITED"

    def __init__(self, message: str, metadata: Mapping[str, str], retry_after_s: float) -> None:
        super().__init__(message, metadata)
        self.retry_after_s = retry_after_s


class RateLimitUnavailable(RouterError):
    """The rate limit store (Redis) did not answer in time: a call of a tenant with
    rate limits is refused rather than let through uncounted."""

    reason = "RATE_LIMIT_UNAVAILABLE"


class DeadlineExceeded(RouterError):
    reason = "DEADLINE_EXCEEDED"


class Unauthenticated(RouterError):
    """No API key, or one the server does not know."""

    reason = "UNAUTHENTICATED"


class PermissionDenied(RouterError):
    """The key's roles do not allow the call."""

    reason = "PERMISSION_DENIED"


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
        # The message and details travel in trailers of a few KiB: long lists are
        # cut, saying how many attempts were left out (RouterError caps the metadata).
        shown = capped_entries(summary, 500)
        super().__init__(
            f"every candidate failed ({len(attempts)} attempts: {shown}); the ErrorInfo lists the attempts",
            {"attempts": summary},
        )
        self.attempts = tuple(attempts)


class StreamInterrupted(RouterError):
    """The answer failed after part of it was streamed: not retried, since the
    caller has text already; the stream ends with this error, never with OK."""

    reason = "STREAM_INTERRUPTED"

    def __init__(self, summary: str, attempts: Sequence[object]) -> None:
        super().__init__(
            "the upstream failed after part of the answer was sent; the text received is incomplete",
            {"attempts": summary},
        )
        self.attempts = tuple(attempts)


class ConfigRefused(RouterError):
    """A configuration reload that changed nothing; `problems` are (field, what)
    pairs, sent as a google.rpc.BadRequest (one violation each)."""

    reason = "INVALID_CONFIG"

    def __init__(self, message: str, problems: Sequence[tuple[str, str]], source: str) -> None:
        super().__init__(message, {"source": source, "problems": str(len(problems))})
        self.problems = tuple(problems)


class InvalidConfig(ConfigRefused):
    """The file does not validate: the server keeps the configuration in force."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]) -> None:
        first = f"{problems[0][0]}: {problems[0][1]}" if problems else ""
        super().__init__(
            f"{source} does not validate ({len(problems)} problem(s); first: {clip(first)}); "
            "nothing changed: the configuration in force stays; `modelrouter check-config` lists them too",
            problems,
            source,
        )


class RestartRequired(ConfigRefused):
    """The file changes what only a restart can apply (where the server listens,
    its TLS, its stores): the server keeps the configuration in force."""

    reason = "RESTART_REQUIRED"

    def __init__(self, source: str, fields: Sequence[str]) -> None:
        super().__init__(
            f"{source} changes {', '.join(fields)}, which only a restart applies; nothing changed: "
            "restart the server (a rolling restart across replicas), "
            "or revert those fields to reload the rest",
            [(f, "changed; takes effect only at a restart") for f in fields],
            source,
        )


class UnknownDecision(RouterError):
    """A Feedback call named no decision this router can score: not one it
    issued, altered, issued to another tenant, or older than `feedback.window_s`."""

    reason = "UNKNOWN_DECISION"

    def __init__(self, decision_id: str) -> None:
        super().__init__(
            f"no decision {clip(decision_id)!r} to score: decision ids come from a Select or Invoke "
            "answer (decision.decision_id) and can be scored for feedback.window_s",
            {"decisionId": clip(decision_id)},
        )


class FeedbackExists(RouterError):
    """The decision was scored already: each decision takes one score."""

    reason = "FEEDBACK_EXISTS"

    def __init__(self, decision_id: str) -> None:
        super().__init__(
            f"decision {clip(decision_id)!r} was scored already; each decision takes one score",
            {"decisionId": clip(decision_id)},
        )


class FeedbackUnavailable(RouterError):
    """The store that remembers scored decisions (Redis) did not answer in time."""

    reason = "FEEDBACK_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__(
            "the feedback store did not answer in time; the score was not counted: send it again"
        )
