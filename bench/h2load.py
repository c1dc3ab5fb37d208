"""Run h2load with gRPC framing: one request body, repeated, over HTTP/2 (h2c, or h2 over TLS
by ALPN when the access says TLS; h2load does not verify the server's certificate).

h2load counts a call as succeeded on HTTP status 200, which a failed gRPC call also has
(its grpc-status comes in the trailers): the caller checks the count against the server's.
"""

from __future__ import annotations

import re
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench.access import PLAIN, Access
from bench.load import LoadResult
from bench.requests import SELECT_PATH, grpc_frame

_FINISHED = re.compile(r"finished in ([\d.]+)(us|ms|s)\b")
_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
_REQUESTS = re.compile(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded")
_S = TypeVar("_S")


def run(
    address: str,
    message: bytes,
    *,
    cpu: int,
    clients: int,
    streams: int,
    requests: int | None = None,
    duration_s: float | None = None,
    path: str = SELECT_PATH,
    access: Access = PLAIN,
) -> LoadResult:
    """Send ``message`` to ``path`` (the Select method unless told), ``requests`` times or for
    ``duration_s`` seconds; ``access`` adds TLS and the API key header.

    ``ok`` counts HTTP 200 responses: the caller checks it against the server's own count.
    """
    with tempfile.TemporaryDirectory(prefix="bench-h2load-") as tmp:
        body, log = Path(tmp, "body.bin"), Path(tmp, "requests.tsv")
        body.write_bytes(grpc_frame(message))
        argv = ["taskset", "-c", str(cpu), "h2load", "-t", "1", "-c", str(clients), "-m", str(streams)]
        if requests is not None:
            argv += ["-n", str(requests)]
        else:
            assert duration_s is not None, "give requests or duration_s"
            argv += ["-D", f"{round(duration_s * 1000)}ms"]
        argv += ["-d", str(body), "-H", "content-type: application/grpc", "-H", "te: trailers"]
        for name, value in access.metadata:
            argv += ["-H", f"{name}: {value}"]
        argv += [f"--log-file={log}", f"{access.scheme}://{address}{path}"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(argv, capture_output=True, text=True)
        out = proc.stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finished, counts = _FINISHED.search(out), _REQUESTS.search(out)
        if proc.returncode or not finished or not counts:
            raise RuntimeError(f"h2load failed (exit {proc.returncode}):\n{out}\n{proc.stderr}")
        # Columns: start (µs since epoch), HTTP status, µs until the end of the response.
        latencies = [int(line.split("\t")[2]) for line in log.read_text().splitlines() if line]
    done, succeeded = int(counts.group(2)), int(counts.group(3))
    return LoadResult(
        ok=succeeded,
        errors={"HTTP_NOT_200": done - succeeded} if done != succeeded else {},
        elapsed_s=float(finished.group(1)) * _SECONDS[finished.group(2)],
        latencies_us=latencies,
        cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


def warm_then_run(
    address: str,
    message: bytes,
    *,
    cpu: int,
    clients: int,
    streams: int,
    warmup_s: float,
    duration_s: float,
    snapshot: Callable[[], _S],
    path: str = SELECT_PATH,
    access: Access = PLAIN,
) -> tuple[LoadResult, _S, _S]:
    """A warm-up of ``warmup_s`` gives the rate, then ~``duration_s`` worth of calls (a fixed
    count, so that every call is answered), with ``snapshot()`` taken just before and after."""
    common = dict(cpu=cpu, clients=clients, streams=streams)
    warm = run(address, message, duration_s=warmup_s, path=path, access=access, **common)
    time.sleep(0.5)  # the calls cut off at the end of the warm-up finish
    calls = max(1000, int(warm.ok / warmup_s * duration_s))
    before = snapshot()
    load = run(address, message, requests=calls, path=path, access=access, **common)
    after = snapshot()
    return load, before, after
