"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, settings

from tests.pki import Pki, make_pki
from tests.support import Served, serving

# Property tests: a bounded budget under CI so the suite's time stays predictable;
# HYPOTHESIS_PROFILE=thorough for a deeper local run.
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# Usage totals go to $XDG_STATE_HOME/modelrouter/usage.sqlite by default: keep
# every run's, and every test's, apart from the user's and from each other's.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="modelrouter-tests-")


@pytest.fixture(autouse=True)
def _own_state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest_asyncio.fixture(scope="session")
async def default_server() -> AsyncIterator[Served]:
    """The built-in default configuration, served once for the whole session."""
    async with serving() as served:
        yield served


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA with a server certificate and client certificates, made for this module."""
    return make_pki(tmp_path_factory.mktemp("pki"))
