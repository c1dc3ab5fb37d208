"""A bare grpc.aio server answering the Select and Invoke method paths with the request bytes.

It is the baseline: what grpc.aio costs with no work behind the method. Run it as
``python -m bench.echo_server --address 127.0.0.1:0``; it prints ``listening on HOST:PORT``
once it accepts calls and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import grpc

from bench.requests import INVOKE_PATH, SELECT_PATH


async def _echo(request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
    return request


async def serve(address: str) -> None:
    server = grpc.aio.server()
    service = SELECT_PATH.strip("/").split("/")[0]
    methods = [path.strip("/").split("/")[1] for path in (SELECT_PATH, INVOKE_PATH)]
    # No (de)serializers: the handler gets the request bytes and returns them as the response.
    echo: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(_echo)
    handler = grpc.method_handlers_generic_handler(service, dict.fromkeys(methods, echo))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port(address)
    await server.start()
    print(f"listening on {address.rsplit(':', 1)[0]}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(grace=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", default="127.0.0.1:0")
    asyncio.run(serve(parser.parse_args().address))


if __name__ == "__main__":
    main()
