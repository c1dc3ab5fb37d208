"""What the Go, Java and Node example tests share: skipping (or, under CI=true,
failing) for a missing toolchain, the ids of the registered models, and reading
the examples' `step: key=value ...` lines."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from modelrouter_client import Router


def unavailable(what: str, hint: str) -> NoReturn:
    """Skips the test for a missing tool, saying which; under CI=true, where every
    toolchain must be there, fails instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but {what} ({hint})")
    pytest.skip(f"skipped: {what} ({hint})")


def model_ids(address: str) -> set[str]:
    with Router(address) as router:
        return {m.id for m in router.list_models(timeout=10)}


def fields(line: str) -> dict[str, str]:
    """`step: a=1 b=2` -> {"a": "1", "b": "2"}."""
    return dict(word.split("=", 1) for word in line.split() if "=" in word)
