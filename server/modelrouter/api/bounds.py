"""What one string or list of a request may hold. Past a bound: INVALID_ARGUMENT
INVALID_REQUEST naming the field. Requests are kept (the selection cache keeps
decisions by a digest of them, the Invoke memo by their bytes) and quoted
(errors, logs): unbounded, one caller could grow the server's memory and logs at
will. Shared by `convert` and `whole_request`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from modelrouter.errors import InvalidRequest, clip

MAX_STRING = 1024
"""The most UTF-8 bytes of one selection string (a task, capability, label key or
value, model id, strategy name or stop sequence) or of one id or name a message
carries (a tool call's id and name, a tool message's tool_call_id)."""
MAX_ENTRIES = 256
"""The most entries of one list or map of a request (capabilities, labels,
include/exclude_models, stop, Stats' models, tools, a message's parts and tool
calls); messages are bounded by config."""
SHORT = MAX_STRING // 4
"""This many characters are at most MAX_STRING bytes of UTF-8."""


def short(values: Iterable[str]) -> bool:
    """Every value short enough to be within MAX_STRING bytes without encoding it."""
    return all(len(v) <= SHORT for v in values)


def string(value: str, path: str) -> None:
    # Characters first: a string of more than MAX_STRING is refused without
    # encoding it (a copy as large as the string, for nothing).
    n = len(value)
    if n > MAX_STRING:
        raise InvalidRequest(path, f"at most {MAX_STRING} bytes of UTF-8, got {n} characters")
    if n > SHORT and len(value.encode()) > MAX_STRING:
        raise InvalidRequest(path, f"at most {MAX_STRING} bytes of UTF-8, got {len(value.encode())}")


def entries(n: int, path: str) -> None:
    if n > MAX_ENTRIES:
        raise InvalidRequest(path, f"at most {MAX_ENTRIES} entries, got {n}")


def strings(values: Sequence[str], path: str) -> None:
    entries(len(values), path)
    for i, value in enumerate(values):
        string(value, f"{path}[{i}]")


def labels(values: Mapping[str, str], path: str) -> None:
    entries(len(values), path)
    for key, value in values.items():
        string(key, path)
        string(value, f'{path}["{clip(key)}"]')
