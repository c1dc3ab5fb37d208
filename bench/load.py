"""What every load generator returns, whichever it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    ok: int  # calls the generator saw succeed
    errors: dict[str, int]  # failed calls by status
    elapsed_s: float
    latencies_us: list[int]  # one per call
    cpu_s: float  # the generator's own CPU time
