"""The SelectRequests and InvokeRequests the benchmark sends, serialized once up front."""

from __future__ import annotations

import struct

from modelrouter_client._proto import router_pb2

SELECT_PATH = "/modelrouter.v1.RouterService/Select"
INVOKE_PATH = "/modelrouter.v1.RouterService/Invoke"
TASKS = ("chat", "code", "summarize")
_INPUT_SPAN, _OUTPUT_SPAN = 4000, 1000  # input tokens 200..4199; output tokens 64..1063
DISTINCT = len(TASKS) * _INPUT_SPAN * _OUTPUT_SPAN  # how many distinct requests there are


def repeated_request() -> bytes:
    """The one request of the cached run: served from the selection cache after the first."""
    return router_pb2.SelectRequest(
        requirements=router_pb2.Requirements(
            task="chat", capabilities=["chat"], expected_input_tokens=1000, expected_output_tokens=256
        )
    ).SerializeToString()


def distinct_request(g: int) -> bytes:
    """Request number ``g`` (0 <= g < DISTINCT) of the uncached run: each number its own request.

    Only the token counts (and the task) vary, and no limit is set, so every request stays
    eligible for the models with the chat capability and a context window of 8k or more.
    """
    if not 0 <= g < DISTINCT:
        raise ValueError(f"request number {g} out of range")
    task, rest = divmod(g, _INPUT_SPAN * _OUTPUT_SPAN)
    return router_pb2.SelectRequest(
        requirements=router_pb2.Requirements(
            task=TASKS[task],
            capabilities=["chat"],
            expected_input_tokens=200 + rest % _INPUT_SPAN,
            expected_output_tokens=64 + rest // _INPUT_SPAN,
        )
    ).SerializeToString()


_MESSAGES = [
    router_pb2.ChatMessage(role="system", content="You are a terse assistant."),
    router_pb2.ChatMessage(role="user", content="Say ok."),
]


def invoke_request(model: str = "", *, select: bool = False) -> bytes:
    """An InvokeRequest naming ``model``, or (``select``) asking for a selection instead.

    The selection is the cached Select run's requirements: repeated, so it is answered from the
    selection cache (for up to ``cache.selection_ttl_s``). Nothing sets a temperature and the
    benchmark's configurations turn the response cache off: every call reaches the provider.
    """
    if select == bool(model):
        raise ValueError("give a model or ask for a selection, not both")
    request = router_pb2.InvokeRequest(messages=_MESSAGES, max_output_tokens=16)
    if select:
        request.selection.CopyFrom(router_pb2.SelectRequest.FromString(repeated_request()))
    else:
        request.model = model
    return request.SerializeToString()


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: flag 0 (uncompressed), 4-byte big-endian length, bytes."""
    return b"\x00" + struct.pack(">I", len(message)) + message
