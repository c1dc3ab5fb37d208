"""`Router`: the RouterService client for synchronous code (grpc)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

import grpc

from modelrouter_client import _convert
from modelrouter_client._errors import from_rpc_error
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._requests import invoke_request, invoke_selection, merge_requirements, select_request
from modelrouter_client._stream import StreamState
from modelrouter_client._transport import (
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT,
    Deadline,
    Metadata,
    SyncStub,
    call_metadata,
)
from modelrouter_client._types import (
    CachePolicy,
    Completion,
    Decision,
    MessagesLike,
    ModelList,
    Requirements,
    StatsResult,
)


class Router:
    """Synchronous client of a modelrouter server; safe to share between threads.

    ```python
    with Router("127.0.0.1:50051") as router:
        decision = router.select(task="code", max_cost_usd=0.01)
    ```

    Every call has a deadline: `timeout` seconds (default 10), per client and per call;
    `timeout=None` on the client removes it. Pass `channel=` to reuse a configured
    `grpc.Channel` (the client then leaves closing it to you), or `credentials=` for
    TLS. `metadata` is sent with every call. Failed calls raise a `RouterError` subclass.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        channel: grpc.Channel | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[tuple[str, Any]] | None = None,
        metadata: Metadata | None = None,
    ) -> None:
        if channel is None:
            if credentials is None:
                channel = grpc.insecure_channel(target, options=options)
            else:
                channel = grpc.secure_channel(target, credentials, options=options)
            self._owns_channel = True
        else:
            self._owns_channel = False
        self._channel = channel
        self._stub = SyncStub(channel)
        self.timeout = timeout
        self._metadata: Metadata = tuple(metadata or ())

    @property
    def channel(self) -> grpc.Channel:
        """The underlying channel."""
        return self._channel

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

    def _deadline(self, timeout: float | None) -> Deadline:
        # A per-call timeout of None means "the client's", not "none": a call with no
        # deadline at all must be asked for on the client, where it is visible.
        return Deadline(self.timeout if timeout is None else timeout)

    def select(
        self,
        requirements: Requirements | None = None,
        *,
        task: str | None = None,
        capabilities: Sequence[str] | None = None,
        min_context_tokens: int | None = None,
        max_cost_usd: float | None = None,
        max_latency_ms: float | None = None,
        min_quality: float | None = None,
        include_models: Sequence[str] | None = None,
        exclude_models: Sequence[str] | None = None,
        labels: Mapping[str, str] | None = None,
        expected_input_tokens: int | None = None,
        expected_output_tokens: int | None = None,
        strategy: str | None = None,
        weights: Mapping[str, float] | None = None,
        messages: MessagesLike | None = None,
        max_output_tokens: int | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Decision:
        """Pick a model and deployment; calls no model.

        The requirement keywords override the fields of `requirements`. `messages` and
        `max_output_tokens` only serve to estimate the token counts.
        Raises NoEligibleModelError when no model qualifies (see `.rejections`).
        """
        deadline = self._deadline(timeout)
        request = select_request(
            merge_requirements(
                requirements,
                dict(
                    task=task,
                    capabilities=capabilities,
                    min_context_tokens=min_context_tokens,
                    max_cost_usd=max_cost_usd,
                    max_latency_ms=max_latency_ms,
                    min_quality=min_quality,
                    include_models=include_models,
                    exclude_models=exclude_models,
                    labels=labels,
                    expected_input_tokens=expected_input_tokens,
                    expected_output_tokens=expected_output_tokens,
                ),
            ),
            strategy=strategy,
            weights=weights,
            messages=messages,
            max_output_tokens=max_output_tokens,
        )
        try:
            response = self._stub.select(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.decision(response.decision)

    def invoke(
        self,
        messages: MessagesLike,
        *,
        model: str | None = None,
        requirements: Requirements | None = None,
        task: str | None = None,
        capabilities: Sequence[str] | None = None,
        min_context_tokens: int | None = None,
        max_cost_usd: float | None = None,
        max_latency_ms: float | None = None,
        min_quality: float | None = None,
        include_models: Sequence[str] | None = None,
        exclude_models: Sequence[str] | None = None,
        labels: Mapping[str, str] | None = None,
        expected_input_tokens: int | None = None,
        expected_output_tokens: int | None = None,
        strategy: str | None = None,
        weights: Mapping[str, float] | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        cache: CachePolicy | str | None = None,
        request_id: str | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Completion:
        """Select a model (or call `model` directly) and return its completion.

        `messages`: ChatMessage values, (role, content) tuples, {"role", "content"} dicts,
        or one string (a single user message). `model` and the selection keywords are
        mutually exclusive (the server answers INVALID_ARGUMENT).
        """
        deadline = self._deadline(timeout)
        request = invoke_request(
            pb.InvokeRequest,
            messages,
            selection=invoke_selection(
                model,
                requirements,
                dict(
                    task=task,
                    capabilities=capabilities,
                    min_context_tokens=min_context_tokens,
                    max_cost_usd=max_cost_usd,
                    max_latency_ms=max_latency_ms,
                    min_quality=min_quality,
                    include_models=include_models,
                    exclude_models=exclude_models,
                    labels=labels,
                    expected_input_tokens=expected_input_tokens,
                    expected_output_tokens=expected_output_tokens,
                ),
                strategy,
                weights,
            ),
            model=model,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            stop=stop,
            cache=cache,
            request_id=request_id,
        )
        try:
            response = self._stub.invoke(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.completion(response)

    def invoke_stream(
        self,
        messages: MessagesLike,
        *,
        model: str | None = None,
        requirements: Requirements | None = None,
        task: str | None = None,
        capabilities: Sequence[str] | None = None,
        min_context_tokens: int | None = None,
        max_cost_usd: float | None = None,
        max_latency_ms: float | None = None,
        min_quality: float | None = None,
        include_models: Sequence[str] | None = None,
        exclude_models: Sequence[str] | None = None,
        labels: Mapping[str, str] | None = None,
        expected_input_tokens: int | None = None,
        expected_output_tokens: int | None = None,
        strategy: str | None = None,
        weights: Mapping[str, float] | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        cache: CachePolicy | str | None = None,
        request_id: str | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> InvokeStream:
        """Like `invoke`, streamed: iterate the returned stream for text deltas, then read
        `stream.final` (or `stream.result()`) for the summary:

        ```python
        with router.invoke_stream("hello") as stream:
            for delta in stream:
                print(delta, end="")
        print(stream.final.usage)
        ```

        The deadline (`timeout`) covers the whole stream. What is wrong before the call
        is sent (a malformed message, a deadline already passed) raises here; what the
        server answers raises from the iteration.
        """
        deadline = self._deadline(timeout)
        request = invoke_request(
            pb.InvokeStreamRequest,
            messages,
            selection=invoke_selection(
                model,
                requirements,
                dict(
                    task=task,
                    capabilities=capabilities,
                    min_context_tokens=min_context_tokens,
                    max_cost_usd=max_cost_usd,
                    max_latency_ms=max_latency_ms,
                    min_quality=min_quality,
                    include_models=include_models,
                    exclude_models=exclude_models,
                    labels=labels,
                    expected_input_tokens=expected_input_tokens,
                    expected_output_tokens=expected_output_tokens,
                ),
                strategy,
                weights,
            ),
            model=model,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            stop=stop,
            cache=cache,
            request_id=request_id,
        )
        return InvokeStream(
            self._stub.invoke_stream(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        )

    def stats(
        self,
        models: Sequence[str] | None = None,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> StatsResult:
        """Usage figures per model and deployment (only `models` when given), cache figures
        and suggestions."""
        deadline = self._deadline(timeout)
        request = pb.StatsRequest(models=list(models or ()))
        try:
            response = self._stub.stats(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.stats(response)

    def list_models(self, *, timeout: float | None = None, metadata: Metadata | None = None) -> ModelList:
        """The registry: every model with its live health, and the registered strategies."""
        deadline = self._deadline(timeout)
        try:
            response = self._stub.list_models(
                pb.ListModelsRequest(),
                timeout=deadline.remaining(),
                metadata=call_metadata(self._metadata, metadata),
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.model_list(response)


class _StreamCall(Protocol):
    """What InvokeStream needs of grpc's streaming call object (a private class of grpc's)."""

    def __next__(self) -> pb.InvokeStreamResponse: ...

    def cancel(self) -> bool: ...


class InvokeStream:
    """An InvokeStream in progress: an iterator of text deltas.

    Once the iteration ends, `final` holds the summary (full text, usage, decision,
    attempts). A failure, before or during the stream, raises a `RouterError` from the
    iteration (and again from `result()`). Leaving `with` early cancels the call.
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

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        state = self._state
        while not state.finished:
            try:
                message = next(self._call)
            except StopIteration:  # status OK
                state.end()
                break
            except grpc.RpcError as e:
                raise state.fail(from_rpc_error(e)) from e
            delta = state.feed(message)
            if delta is not None:
                return delta
        raise StopIteration

    def result(self) -> Completion:
        """Read the rest of the stream (dropping its deltas) and return the summary."""
        for _ in self:
            pass
        return self._state.result()

    def cancel(self) -> None:
        """Stop the call; the server sees it cancelled."""
        self._call.cancel()  # a no-op once the call has ended
        self._state.cancelled()

    def __enter__(self) -> InvokeStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
