"""A fast OpenAI-compatible upstream for the Invoke runs: ``python -m bench.upstream [--delay S]``.

aiohttp's low-level server (no router, no access log) answering POST /v1/chat/completions
with a fixed small chat completion (usage included) after ``--delay`` seconds (an
``asyncio.sleep``: no CPU spent waiting), and GET /v1/models with a one-model list. It
prints ``listening on HOST:PORT`` once it accepts connections and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

COMPLETIONS_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
UPSTREAM_MODEL = "bench-model"
TEXT = "ok"

ANSWER = json.dumps(
    {
        "id": "chatcmpl-bench0001",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": UPSTREAM_MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": TEXT}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
    },
    separators=(",", ":"),
).encode()
_MODELS = json.dumps(
    {"object": "list", "data": [{"id": UPSTREAM_MODEL, "object": "model", "owned_by": "bench"}]},
    separators=(",", ":"),
).encode()


def _handler(delay_s: float) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        if request.method == "POST" and request.path == COMPLETIONS_PATH:
            await request.read()
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            return web.Response(body=ANSWER, content_type="application/json")
        if request.method == "GET" and request.path == MODELS_PATH:
            return web.Response(body=_MODELS, content_type="application/json")
        return web.Response(status=404)

    return handle


async def serve(host: str, delay_s: float) -> None:
    runner = web.ServerRunner(web.Server(_handler(delay_s)), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, 0, backlog=4096)
    await site.start()
    port = runner.addresses[0][1]
    print(f"listening on {host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each completion answer")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.delay))


if __name__ == "__main__":
    main()
