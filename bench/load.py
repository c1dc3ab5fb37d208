"""What every load generator returns, whichever it is."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    ok: int  # calls the generator saw succeed
    errors: dict[str, int]  # failed calls by status
    elapsed_s: float
    latencies_us: list[int]  # one per call
    cpu_s: float  # the generator's own CPU time


def close_processes(procs: Iterable[subprocess.Popen[str]], timeout_s: float) -> None:
    """Ends load-generator processes driven through their stdin: close it (their cue
    to finish), wait, and kill the ones that do not stop in time."""
    for proc in procs:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
