"""The one source of time. Components take a `Clock` so tests can drive time."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic scale."""

monotonic: Clock = time.monotonic
