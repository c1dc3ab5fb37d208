"""The InvokeStream protocol (text deltas and tool-call pieces, then exactly one `done`
summary), kept apart from sync/async plumbing so both stream classes enforce it the
same way."""

from __future__ import annotations

import grpc

from modelrouter_client import _convert
from modelrouter_client._conversation import ToolCall, ToolCallDelta
from modelrouter_client._errors import InternalError, RouterError, UnknownError
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._types import Completion


class _Call:
    """One tool call as its pieces arrive."""

    __slots__ = ("arguments", "id", "name")

    def __init__(self) -> None:
        self.id = ""
        self.name = ""
        self.arguments: list[str] = []


class StreamState:
    """What a stream has delivered so far, and how it ended."""

    def __init__(self) -> None:
        self.final: Completion | None = None
        self.error: RouterError | None = None
        self.finished = False
        self._parts: list[str] = []
        self._calls: dict[int, _Call] = {}

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls so far, their pieces joined, in the order of their index."""
        return tuple(ToolCall(c.id, c.name, "".join(c.arguments)) for _, c in sorted(self._calls.items()))

    def feed(self, message: pb.InvokeStreamResponse) -> str | ToolCallDelta | None:
        """The text delta or tool-call piece a message carries, or None for the summary
        (which is kept) and for events this client does not know."""
        event = message.WhichOneof("event")
        if event == "delta":
            self._parts.append(message.delta)
            return message.delta
        if event == "tool_call":
            piece = _convert.tool_call_delta(message.tool_call)
            call = self._calls.setdefault(piece.index, _Call())
            call.id = piece.id or call.id
            call.name = piece.name or call.name
            call.arguments.append(piece.arguments)
            return piece
        if event == "done":
            # The summary's `text` is empty: the deltas, joined, are the text (repeated
            # there, a large answer would not fit in one message). A summary that
            # carries text nonetheless, with no delta before it, keeps it.
            self.final = _convert.completion(message.done, self.text or message.done.text)
        # Any other event was added to the proto after this client: skipped.
        return None

    def fail(self, error: RouterError) -> RouterError:
        self.finished = True
        self.error = error
        return error

    def end(self) -> None:
        """The call ended with status OK; raises when the summary never came."""
        self.finished = True
        if self.final is None:
            # The contract promises exactly one `done` on every stream that ends OK.
            raise self.fail(
                InternalError(
                    "the stream ended with status OK but without its final summary",
                    code=grpc.StatusCode.INTERNAL,
                    reason="MISSING_SUMMARY",
                )
            )

    def cancelled(self) -> None:
        if not self.finished:
            self.fail(UnknownError("the stream was cancelled by the client", code=grpc.StatusCode.CANCELLED))

    def result(self) -> Completion:
        if self.error is not None:
            raise self.error
        if self.final is None:
            raise RuntimeError("the stream has not ended yet")
        return self.final
