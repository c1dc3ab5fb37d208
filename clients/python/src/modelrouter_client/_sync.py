"""`Router`: the RouterService client for synchronous code (grpc)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

import grpc

from modelrouter_client._client import RouterBase
from modelrouter_client._conversation import ToolCall, ToolCallDelta
from modelrouter_client._errors import from_rpc_error
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._stream import StreamState
from modelrouter_client._transport import Prepared, R, Req, Resp, SyncStub
from modelrouter_client._types import (
    Completion,
    Decision,
    MessagesLike,
    ModelList,
    ReloadResult,
    Requirements,
    StatsResult,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from modelrouter_client._options import CallOptions, InvokeOptions, SelectOptions


class Router(RouterBase[grpc.Channel]):
    """Synchronous client of a modelrouter server; safe to share between threads.

    ```python
    with Router("127.0.0.1:50051") as router:
        decision = router.select(task="code", max_cost_usd=0.01)
    ```

    See `__init__` for the connection (TLS, credentials, retries, keepalive) and the
    per-client defaults (`router.timeout` is the default deadline, in seconds, and can be
    changed); each method takes `timeout=` and `metadata=` for one call.
    Failed calls raise a `RouterError` subclass.
    """

    _stub: SyncStub

    def _open(
        self, target: str, credentials: grpc.ChannelCredentials | None, options: Sequence[tuple[str, object]]
    ) -> grpc.Channel:
        if credentials is None:
            return grpc.insecure_channel(target, options=options)
        return grpc.secure_channel(target, credentials, options=options)

    def _bind(self, channel: grpc.Channel) -> None:
        self._stub = SyncStub(channel)

    def close(self) -> None:
        """Close the channel if this client created it; in-flight calls are cancelled."""
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> Router:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _unary(self, call: Prepared[Req, Resp, R]) -> R:
        send = self._stub.unary(call.method)
        try:
            response = send(
                call.request,
                timeout=call.deadline.remaining(),
                metadata=call.metadata,
                credentials=self._call_credentials,
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return call.convert(response)

    def select(self, requirements: Requirements | None = None, **options: Unpack[SelectOptions]) -> Decision:
        """Pick a model and deployment for a request; calls no model.

        Keywords (`SelectOptions`): the `Requirements` fields (`task`, `capabilities`,
        `max_cost_usd`, ...; each overrides that field of `requirements`), `strategy`,
        `weights`, `messages` and `max_output_tokens` (these two only estimate the token
        counts), `timeout`, `metadata`.
        Raises NoEligibleModelError when no model qualifies (see `.rejections`).
        """
        return self._unary(self._prepare_select(requirements, options))

    def invoke(self, messages: MessagesLike, **options: Unpack[InvokeOptions]) -> Completion:
        """Select a model (or call `model` directly) and return its completion.

        `messages`: ChatMessage values, (role, content) tuples, {"role", "content"} dicts,
        or one string (a single user message). Keywords (`InvokeOptions`): `model`, or
        selection (`requirements`, the requirement fields, `strategy`, `weights`; not
        both: the server answers INVALID_ARGUMENT), then `max_output_tokens`,
        `temperature`, `stop`, `cache`, `request_id`, `tools`, `tool_choice`,
        `response_format`, `decision_view`, `timeout`, `metadata`. What the request uses
        is required of the model: tools the `tools` capability, images `vision`, a JSON
        format `json_mode`.
        Invoke is never retried by the client: a failed call may have reached a model.
        """
        return self._unary(self._prepare_invoke(messages, options))

    def invoke_stream(self, messages: MessagesLike, **options: Unpack[InvokeOptions]) -> InvokeStream:
        """Like `invoke`, streamed: iterate the returned stream for the text deltas, then
        read `stream.final` (or call `stream.result()`) for the summary:

        ```python
        with router.invoke_stream("hello") as stream:
            for delta in stream:
                print(delta, end="")
        print(stream.final.usage)
        ```

        The deadline (`timeout`) covers the whole stream. What is wrong before the call
        is sent (a malformed message, a deadline already passed) raises here; what the
        server answers raises from the iteration. Leaving the `with` block (or calling
        `stream.cancel()`) before the end cancels the call.
        """
        call = self._prepare_invoke_stream(messages, options)
        send = self._stub.stream(call.method)
        return InvokeStream(
            send(
                call.request,
                timeout=call.deadline.remaining(),
                metadata=call.metadata,
                credentials=self._call_credentials,
            )
        )

    def stats(self, models: Sequence[str] | None = None, **options: Unpack[CallOptions]) -> StatsResult:
        """Usage figures per model and deployment (only `models` when given: a list of
        model ids), with the recent window, budgets, cache figures and suggestions."""
        return self._unary(self._prepare_stats(models, options))

    def list_models(self, **options: Unpack[CallOptions]) -> ModelList:
        """The registry: every model with its live health, and the registered strategies."""
        return self._unary(self._prepare_list_models(options))

    def feedback(self, decision_id: str, score: float, **options: Unpack[CallOptions]) -> None:
        """Score the answer a decision led to, by its `decision_id` (`Decision.decision_id`,
        or `Completion.decision_id`): `score` in [0, 1], 1 best (a thumb up is 1, down 0).
        The `learned` strategy learns each model's quality per tenant and task from these
        scores. Scores the decision's model (for an invoke that fell back, the model that
        answered), under the decision's task and the caller's tenant.
        Raises NotFoundError (`UNKNOWN_DECISION`) for an id the server does not know or
        no longer remembers, AlreadyExistsError (`FEEDBACK_EXISTS`) for a decision already
        scored, InvalidArgumentError for a score outside [0, 1]. Not retried by the
        client: a score that landed before the connection failed would be refused."""
        self._unary(self._prepare_feedback(decision_id, score, options))

    def reload_config(self, **options: Unpack[CallOptions]) -> ReloadResult:
        """AdminService.ReloadConfig: the server re-reads its configuration file and
        swaps it in at once (its calls in flight finish on the one they started with).
        On a server with API keys this needs a key with the `admin` role.
        Raises ConfigRefusedError when the file does not validate (`INVALID_CONFIG`) or
        changes what only a restart applies (`RESTART_REQUIRED`); nothing changed then,
        and `.problems` says why. Not retried by the client."""
        return self._unary(self._prepare_reload_config(options))


class _StreamCall(Protocol):
    """What InvokeStream needs of grpc's streaming call object (a private class of grpc's)."""

    def __next__(self) -> pb.InvokeStreamResponse: ...

    def cancel(self) -> bool | None: ...


class InvokeStream:
    """An InvokeStream in progress: an iterator of text deltas (`events()` yields the
    pieces of tool calls too; `tool_calls` joins them as they come).

    Once the iteration ends, `final` holds the summary (full text, tool calls, usage,
    decision, attempts) as a `Completion`. A failure, before or during the stream, raises a
    `RouterError` from the iteration (and again from `result()`). Leaving `with` early,
    `cancel()` or `close()` cancels the call.
    """

    def __init__(self, call: _StreamCall) -> None:
        self._call = call
        self._state = StreamState()

    @property
    def final(self) -> Completion | None:
        """The summary, once the stream has ended with it; None before."""
        return self._state.final

    @property
    def text(self) -> str:
        """The text received so far."""
        return self._state.text

    @property
    def done(self) -> bool:
        """Whether the stream has ended (with its summary, an error, or cancelled)."""
        return self._state.finished

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls received so far, their pieces joined (the last one may still be
        partial); once the stream has ended, `final.tool_calls` holds them whole."""
        return self._state.tool_calls

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while (event := self._next_event()) is not None:
            if isinstance(event, str):
                return event
        raise StopIteration

    def events(self) -> Iterator[str | ToolCallDelta]:
        """Iterate the text deltas (str) and the pieces of tool calls (`ToolCallDelta`)
        alike, in the order they arrive; plain iteration yields the text only."""
        while (event := self._next_event()) is not None:
            yield event

    def _next_event(self) -> str | ToolCallDelta | None:
        """The next text delta or tool-call piece; None once the stream has ended."""
        state = self._state
        while not state.finished:
            try:
                message = next(self._call)
            except StopIteration:  # status OK
                state.end()
                break
            except grpc.RpcError as e:
                raise state.fail(from_rpc_error(e)) from e
            event = state.feed(message)
            if event is not None:
                return event
        return None

    def result(self) -> Completion:
        """Read the rest of the stream (dropping its deltas) and return the summary."""
        for _ in self:
            pass
        return self._state.result()

    def cancel(self) -> None:
        """Stop the call, if it is still going; the server sees it cancelled."""
        if not self._state.finished:
            self._call.cancel()
        self._state.cancelled()

    close = cancel

    def __enter__(self) -> InvokeStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
