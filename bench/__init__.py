"""Benchmark harness: Select throughput and latency through the real server next to a bare
grpc.aio echo server, with h2load (cached) and Python client processes (uncached); then
Invoke at zero latency, the router's added latency over a direct upstream call, and an
open-loop run against a slow upstream.

Run with ``python -m bench`` (``make bench``).
"""
