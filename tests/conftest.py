"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest_asyncio
from hypothesis import HealthCheck, settings

from tests.support import Served, serving

# Property tests: a bounded budget under CI so the suite's time stays predictable;
# HYPOTHESIS_PROFILE=thorough for a deeper local run.
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest_asyncio.fixture(scope="session")
async def default_server() -> AsyncIterator[Served]:
    """The built-in default configuration, served once for the whole session."""
    async with serving() as served:
        yield served
