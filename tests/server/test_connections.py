"""What one client's connections may hold of the server (`server.connections`):
idle connections are closed, and connections past the limit are refused, so
that a thousand idle sockets cannot pile up in the router."""

from __future__ import annotations

import asyncio
import time

import grpc

from modelrouter.config.load import load_config, parse_config
from modelrouter.server import server_options
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import serving

MODELS = """
models:
  - {id: m, provider: simulated, context_window: 8000,
     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5}}
"""


def own_connection(address: str) -> grpc.aio.Channel:
    """A channel with a TCP connection of its own (channels in one process share
    connections to the same target otherwise)."""
    return grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


async def test_idle_connections_are_closed() -> None:
    async with serving("server: {connections: {idle_timeout_s: 0.5}}" + MODELS) as served:
        channels = [own_connection(served.address) for _ in range(20)]
        try:
            for channel in channels:
                await pb_grpc.RouterServiceStub(channel).ListModels(pb.ListModelsRequest(), timeout=10)
            assert all(c.get_state() is grpc.ChannelConnectivity.READY for c in channels)
            # The server's GOAWAY moves each client channel back to IDLE.
            until = time.monotonic() + 20
            while time.monotonic() < until:
                if all(c.get_state() is grpc.ChannelConnectivity.IDLE for c in channels):
                    break
                await asyncio.sleep(0.1)
            assert [c.get_state() for c in channels] == [grpc.ChannelConnectivity.IDLE] * 20
            # A closed connection costs the client nothing: the next call reconnects.
            reply = await pb_grpc.RouterServiceStub(channels[0]).ListModels(
                pb.ListModelsRequest(), timeout=10
            )
            assert [m.id for m in reply.models] == ["m"]
        finally:
            for channel in channels:
                await channel.close()


async def test_connections_past_the_limit_are_refused() -> None:
    async with serving("server: {connections: {max_connections: 3}}" + MODELS) as served:
        channels = [own_connection(served.address) for _ in range(4)]
        try:
            for channel in channels[:3]:
                await pb_grpc.RouterServiceStub(channel).ListModels(pb.ListModelsRequest(), timeout=10)
            try:
                await pb_grpc.RouterServiceStub(channels[3]).ListModels(pb.ListModelsRequest(), timeout=2)
            except grpc.aio.AioRpcError as err:
                assert err.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            else:
                raise AssertionError("a fourth connection was served past max_connections: 3")
            await channels[0].close()  # one leaves: room for another
            until = time.monotonic() + 20
            while True:
                try:
                    await pb_grpc.RouterServiceStub(channels[3]).ListModels(pb.ListModelsRequest(), timeout=2)
                    break
                except grpc.aio.AioRpcError:
                    assert time.monotonic() < until, "no room after a connection closed"
                    await asyncio.sleep(0.2)
        finally:
            for channel in channels:
                await channel.close()


def test_the_options_follow_the_configuration() -> None:
    default = dict(server_options(load_config()))
    assert default["grpc.max_allowed_incoming_connections"] == 4096
    assert default["grpc.max_connection_idle_ms"] == 300_000
    assert "grpc.max_connection_age_ms" not in default  # off by default
    aged = dict(server_options(parse_config("server: {connections: {max_age_s: 60}}" + MODELS, "<t>")))
    assert aged["grpc.max_connection_age_ms"] == 60_000
