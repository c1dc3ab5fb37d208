"""Benchmark harness: Select throughput and latency through the real server next to a bare
grpc.aio echo server, with h2load (cached) and Python client processes (uncached).

Run with ``python -m bench`` (``make bench``).
"""
