"""The caller of the call being handled, for the handlers and the access log:
set once per call by the API-key interceptor (`modelrouter.api.auth`) in a context
variable of the call's task, in which its handler then runs. A server without
keys sets nothing, and every call's caller is `LOCAL`."""

from __future__ import annotations

from contextvars import ContextVar

from modelrouter.identity import LOCAL, Caller

_CALLER: ContextVar[Caller] = ContextVar("modelrouter_caller", default=LOCAL)


def current_caller() -> Caller:
    """The caller of the call being handled (LOCAL on a server without keys)."""
    return _CALLER.get()


def set_caller(caller: Caller) -> None:
    """From now on, in this call's task, `caller` is who calls."""
    _CALLER.set(caller)
