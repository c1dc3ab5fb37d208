"""The stream classes and the per-call options (deadline, metadata), on fake grpc calls
and channels.

InvokeStream is not served by every server version yet; these check the protocol
(deltas, then exactly one `done`) and failure handling without one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import grpc
import grpc.aio
import pytest

from modelrouter_client import (
    DEFAULT_TIMEOUT,
    AsyncInvokeStream,
    DeadlineExceededError,
    InternalError,
    InvokeStream,
    Router,
    ToolCall,
    ToolCallDelta,
    UnavailableError,
    UnknownError,
)
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._transport import Deadline


def delta(text: str) -> pb.InvokeStreamResponse:
    return pb.InvokeStreamResponse(delta=text)


def done(text: str = "") -> pb.InvokeStreamResponse:
    """The summary; the server leaves its `text` empty (the deltas carry the text)."""
    return pb.InvokeStreamResponse(done=pb.InvokeResponse(text=text, model="m1", finish_reason="stop"))


class Failure(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "every candidate failed"

    def trailing_metadata(self) -> tuple[()]:
        return ()


class SyncCall:
    """A grpc streaming call: an iterator of messages that may end in an RpcError."""

    def __init__(self, *events: pb.InvokeStreamResponse | grpc.RpcError) -> None:
        self._events = iter(events)
        self.cancelled = False

    def __next__(self) -> pb.InvokeStreamResponse:
        event = next(self._events)
        if isinstance(event, grpc.RpcError):
            raise event
        return event

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class AsyncCall:
    """A grpc.aio UnaryStreamCall, read with `read()`; `None` in the events waits forever."""

    def __init__(self, *events: pb.InvokeStreamResponse | grpc.RpcError | None) -> None:
        self._events = list(events)
        self.cancelled = False

    async def read(self) -> object:
        if not self._events:
            return grpc.aio.EOF
        event = self._events.pop(0)
        if event is None:
            await asyncio.Event().wait()
        if isinstance(event, grpc.RpcError):
            raise event
        return event

    def cancel(self) -> bool:
        self.cancelled = True
        return True


def test_sync_stream_yields_deltas_then_keeps_the_summary() -> None:
    stream = InvokeStream(SyncCall(delta("hel"), delta("lo"), pb.InvokeStreamResponse(), done()))
    assert stream.final is None
    assert list(stream) == ["hel", "lo"]  # the empty (unknown) event is skipped
    assert stream.final is not None and stream.final.text == "hello" == stream.text
    assert stream.result() is stream.final
    assert list(stream) == []  # ended stays ended


def test_sync_result_drains_the_stream() -> None:
    stream = InvokeStream(SyncCall(delta("a"), delta("b"), done()))
    assert stream.result().text == "ab"
    assert stream.text == "ab"


def test_the_final_text_is_the_deltas_joined() -> None:
    """The summary's own text is empty: `final.text` is what the deltas carried,
    however many there were (a large answer comes in many)."""
    pieces = ["\u00e9" * 1000, "\U0001f600", "x" * 70_000, ""]
    stream = InvokeStream(SyncCall(*(delta(p) for p in pieces), done()))
    assert stream.result().text == "".join(pieces) == stream.text
    assert stream.final is not None and stream.final.raw is not None and stream.final.raw.text == ""
    assert (stream.final.model, stream.final.finish_reason) == ("m1", "stop")


def test_an_empty_answer_has_empty_text() -> None:
    assert InvokeStream(SyncCall(done())).result().text == ""


def test_a_summary_carrying_text_keeps_it_when_no_delta_did() -> None:
    """An older server repeated the text in the summary: with deltas, they are the
    same text; with none, the summary's text is the answer."""
    assert InvokeStream(SyncCall(delta("h"), delta("i"), done("hi"))).result().text == "hi"
    assert InvokeStream(SyncCall(done("hi"))).result().text == "hi"


async def test_async_final_text_is_the_deltas_joined() -> None:
    stream = AsyncInvokeStream(AsyncCall(delta("x" * 100_000), delta("y"), done()))  # type: ignore[arg-type]
    assert (await stream.result()).text == "x" * 100_000 + "y"


def test_sync_stream_without_summary_is_an_internal_error() -> None:
    stream = InvokeStream(SyncCall(delta("a")))
    assert next(stream) == "a"
    with pytest.raises(InternalError) as caught:
        next(stream)
    assert caught.value.reason == "MISSING_SUMMARY"
    with pytest.raises(InternalError):
        stream.result()


def test_sync_stream_failure_mid_way() -> None:
    stream = InvokeStream(SyncCall(delta("a"), Failure()))
    with pytest.raises(UnavailableError) as caught:
        list(stream)
    assert caught.value.message == "every candidate failed"
    assert stream.text == "a" and stream.final is None
    with pytest.raises(UnavailableError):
        stream.result()


def test_sync_leaving_early_cancels() -> None:
    call = SyncCall(delta("a"), delta("b"), done())
    with InvokeStream(call) as stream:
        assert next(stream) == "a"
    assert call.cancelled
    with pytest.raises(UnknownError) as caught:
        stream.result()
    assert caught.value.code is grpc.StatusCode.CANCELLED


def test_sync_leaving_after_the_end_keeps_the_result() -> None:
    with InvokeStream(SyncCall(delta("a"), done())) as stream:
        list(stream)
    assert stream.result().text == "a"


async def test_async_stream() -> None:
    stream = AsyncInvokeStream(AsyncCall(delta("hel"), delta("lo"), done()))  # type: ignore[arg-type]
    assert [d async for d in stream] == ["hel", "lo"]
    assert stream.final is not None and stream.final.text == "hello"
    assert (await stream.result()).model == "m1"


async def test_async_result_drains_the_stream() -> None:
    stream = AsyncInvokeStream(AsyncCall(delta("a"), done()))  # type: ignore[arg-type]
    assert (await stream.result()).text == "a"


async def test_async_stream_failures() -> None:
    stream = AsyncInvokeStream(AsyncCall(delta("a"), Failure()))  # type: ignore[arg-type]
    with pytest.raises(UnavailableError):
        [d async for d in stream]
    with pytest.raises(UnavailableError):
        await stream.result()

    missing = AsyncInvokeStream(AsyncCall(delta("a")))  # type: ignore[arg-type]
    with pytest.raises(InternalError):
        await missing.result()


async def test_async_leaving_early_cancels() -> None:
    call = AsyncCall(delta("a"), done())
    async with AsyncInvokeStream(call) as stream:  # type: ignore[arg-type]
        await stream.__anext__()
    assert call.cancelled
    with pytest.raises(UnknownError):
        await stream.result()


def test_sync_close_is_cancel() -> None:
    call = SyncCall(delta("a"), done())
    stream = InvokeStream(call)
    assert not stream.done
    stream.close()
    assert call.cancelled and stream.done


async def test_async_cancelling_the_reading_task_cancels_the_call() -> None:
    call = AsyncCall(delta("a"), None)
    stream = AsyncInvokeStream(call)  # type: ignore[arg-type]

    async def read_all() -> list[str]:
        return [d async for d in stream]

    task = asyncio.ensure_future(read_all())
    while stream.text != "a":
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert call.cancelled and stream.done
    with pytest.raises(UnknownError) as caught:
        await stream.result()
    assert caught.value.code is grpc.StatusCode.CANCELLED


async def test_async_aclose() -> None:
    call = AsyncCall(delta("a"), done())
    stream = AsyncInvokeStream(call)  # type: ignore[arg-type]
    await stream.aclose()
    assert call.cancelled and stream.done


# -- per-call options ----------------------------------------------------------------------------


class RecordingChannel:
    """Stands in for a grpc.Channel: records the options of every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def unary_unary(self, method: str, request_serializer: Any, response_deserializer: Any) -> Any:
        def call(request: Any, **options: Any) -> Any:
            self.calls.append((method, options))
            return response_deserializer(b"")

        return call

    def unary_stream(self, method: str, request_serializer: Any, response_deserializer: Any) -> Any:
        def call(request: Any, **options: Any) -> Iterator[Any]:
            self.calls.append((method, options))
            return iter(())

        return call

    def close(self) -> None:
        raise AssertionError("a channel passed in is the caller's to close")


def test_every_call_has_the_default_deadline_and_metadata() -> None:
    channel = RecordingChannel()
    with Router(channel=channel, metadata=[("x-tenant", "t1")]) as router:  # type: ignore[arg-type]
        router.select()
        router.invoke("hi")
        router.invoke_stream("hi")
        router.stats()
        router.list_models(timeout=2.5, metadata=[("x-request", "r1")])
    methods = [m.rsplit("/", 1)[1] for m, _ in channel.calls]
    assert methods == ["Select", "Invoke", "InvokeStream", "Stats", "ListModels"]
    # The time left of each call's deadline: a hair under the timeout asked for.
    timeouts = [o["timeout"] for _, o in channel.calls]
    assert timeouts == pytest.approx([DEFAULT_TIMEOUT] * 4 + [2.5], abs=0.5)
    assert all(t <= DEFAULT_TIMEOUT for t in timeouts)
    assert all(m.startswith("/modelrouter.v1.RouterService/") for m, _ in channel.calls)
    assert channel.calls[0][1]["metadata"] == (("x-tenant", "t1"),)
    assert channel.calls[-1][1]["metadata"] == (("x-tenant", "t1"), ("x-request", "r1"))


def test_a_deadline_gone_before_sending_sends_nothing() -> None:
    channel = RecordingChannel()
    router = Router(channel=channel)  # type: ignore[arg-type]
    for timeout in (0.000001, 0.0, -1.0):
        with pytest.raises(DeadlineExceededError) as caught:
            router.select(task="chat", timeout=timeout)
        assert caught.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
        assert caught.value.reason == "DEADLINE_EXCEEDED"
    assert channel.calls == []


def test_deadline() -> None:
    assert Deadline(None).remaining() is None
    left = Deadline(5).remaining()
    assert left is not None and 4 < left <= 5
    with pytest.raises(DeadlineExceededError):
        Deadline(0).remaining()


def test_client_timeout_none_means_no_deadline() -> None:
    channel = RecordingChannel()
    Router(channel=channel, timeout=None).select()  # type: ignore[arg-type]
    assert channel.calls[0][1]["timeout"] is None


def test_unknown_keywords_are_refused_before_sending() -> None:
    channel = RecordingChannel()
    router = Router(channel=channel)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"select\(\) got an unexpected keyword argument 'tsk'; did you mean 'task'"
    ):
        router.select(tsk="code")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="invoke_stream"):
        router.invoke_stream("hi", messages="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="list_models"):
        router.list_models(model="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="list of model ids"):
        router.stats("nano-fast")
    assert channel.calls == []


def test_none_means_not_given() -> None:
    channel = RecordingChannel()
    router = Router(channel=channel)  # type: ignore[arg-type]
    router.select(task=None, strategy=None, timeout=None, metadata=None)
    router.invoke("hi", model=None, temperature=None, cache=None)
    assert len(channel.calls) == 2


def piece(index: int, call_id: str = "", name: str = "", arguments: str = "") -> pb.InvokeStreamResponse:
    return pb.InvokeStreamResponse(
        tool_call=pb.ToolCallDelta(index=index, id=call_id, name=name, arguments=arguments)
    )


def done_with_calls(*calls: ToolCall) -> pb.InvokeStreamResponse:
    """The summary of an answer that calls tools: the calls whole."""
    return pb.InvokeStreamResponse(
        done=pb.InvokeResponse(
            model="m1",
            finish_reason="tool_calls",
            tool_calls=[pb.ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in calls],
        )
    )


CALLS = (ToolCall("call_1", "get_weather", '{"city":"Paris"}'), ToolCall("call_2", "get_time", "{}"))
PIECES = (
    piece(0, "call_1", "get_weather"),
    piece(0, arguments='{"city"'),
    piece(1, "call_2", "get_time"),  # a second call starts before the first is whole
    piece(0, arguments=':"Paris"}'),
    piece(1, arguments="{}"),
)


def test_sync_stream_of_tool_calls() -> None:
    stream = InvokeStream(SyncCall(delta("Let me look."), *PIECES, done_with_calls(*CALLS)))
    events = stream.events()
    assert next(events) == "Let me look."
    assert next(events) == ToolCallDelta(0, "call_1", "get_weather", "")
    assert next(events) == ToolCallDelta(0, arguments='{"city"')
    # Joined as they come: the first call is partial so far.
    assert stream.tool_calls == (ToolCall("call_1", "get_weather", '{"city"'),)
    rest = list(events)
    assert rest == [
        ToolCallDelta(1, "call_2", "get_time"),
        ToolCallDelta(0, arguments=':"Paris"}'),
        ToolCallDelta(1, arguments="{}"),
    ]
    assert stream.tool_calls == CALLS
    final = stream.result()
    assert (final.finish_reason, final.tool_calls, final.text) == ("tool_calls", CALLS, "Let me look.")


def test_plain_iteration_yields_the_text_only() -> None:
    """Code written for text streams keeps working: the pieces are joined all the same."""
    stream = InvokeStream(SyncCall(delta("a"), *PIECES, delta("b"), done_with_calls(*CALLS)))
    assert list(stream) == ["a", "b"]
    assert stream.tool_calls == CALLS == stream.result().tool_calls


def test_a_failure_mid_call_raises_from_events() -> None:
    stream = InvokeStream(SyncCall(*PIECES[:2], Failure()))
    events = stream.events()
    assert len([next(events), next(events)]) == 2
    with pytest.raises(UnavailableError):
        next(events)
    assert stream.tool_calls == (ToolCall("call_1", "get_weather", '{"city"'),) and stream.final is None


async def test_async_stream_of_tool_calls() -> None:
    stream = AsyncInvokeStream(AsyncCall(*PIECES, done_with_calls(*CALLS)))  # type: ignore[arg-type]
    events = [e async for e in stream.events()]
    assert [e.index for e in events if isinstance(e, ToolCallDelta)] == [0, 0, 1, 0, 1]
    assert stream.tool_calls == CALLS == (await stream.result()).tool_calls

    text_only = AsyncInvokeStream(AsyncCall(delta("a"), *PIECES, done_with_calls(*CALLS)))  # type: ignore[arg-type]
    assert [d async for d in text_only] == ["a"]
    assert text_only.tool_calls == CALLS
