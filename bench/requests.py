"""The SelectRequests the benchmark sends, serialized once up front."""

from __future__ import annotations

import struct

from modelrouter_client._proto import router_pb2

SELECT_PATH = "/modelrouter.v1.RouterService/Select"
TASKS = ("chat", "code", "summarize")
_INPUT_SPAN = 4000  # expected_input_tokens runs over 200..4199, then expected_output_tokens steps


def repeated_request() -> bytes:
    """The one request of the cached run: served from the selection cache after the first."""
    return router_pb2.SelectRequest(
        requirements=router_pb2.Requirements(
            task="chat", capabilities=["chat"], expected_input_tokens=1000, expected_output_tokens=256
        )
    ).SerializeToString()


def distinct_request(g: int) -> bytes:
    """Request number ``g`` of the uncached run: no two numbers give the same request.

    Only the token counts (and the task) vary, and no limit is set, so every request stays
    eligible for the models with the chat capability and a context window of 8k or more.
    """
    return router_pb2.SelectRequest(
        requirements=router_pb2.Requirements(
            task=TASKS[g % len(TASKS)],
            capabilities=["chat"],
            expected_input_tokens=200 + g % _INPUT_SPAN,
            expected_output_tokens=64 + g // _INPUT_SPAN,
        )
    ).SerializeToString()


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: flag 0 (uncompressed), 4-byte big-endian length, bytes."""
    return b"\x00" + struct.pack(">I", len(message)) + message
