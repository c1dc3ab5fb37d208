"""What one admitted call's attempts were charged, in tokens: the amount its
token reservation settles to.

The call's admission is put in a context variable of the call's task; each
attempt, as it ends, adds what it was charged (`charge`, called from
`modelrouter.attempt`, with the same figures budgets and Stats count). A context
variable rather than a parameter: the attempts are made layers below the
admission (router, response cache, invoker), in the same task, and a call that
makes no attempt (a cache hit, a single-flight follower) is charged nothing
without any layer knowing about rate limits."""

from __future__ import annotations

from contextvars import ContextVar


class Meter:
    """Tokens charged so far to one call."""

    __slots__ = ("used",)

    def __init__(self) -> None:
        self.used = 0


_CURRENT: ContextVar[Meter | None] = ContextVar("modelrouter_rate_meter", default=None)


def meter(m: Meter) -> None:
    """From now on, attempts made in this task charge `m`."""
    _CURRENT.set(m)


def charge(tokens: int) -> None:
    """An attempt of the current call ended, charged `tokens` (input plus output).
    Outside a metered call (a tenant without limits) it costs one lookup."""
    m = _CURRENT.get()
    if m is not None:
        m.used += tokens
