"""`AsyncRouter`: the RouterService client for asyncio (grpc.aio)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import grpc
import grpc.aio

from modelrouter_client import _convert
from modelrouter_client._errors import from_rpc_error
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._requests import invoke_request, invoke_selection, merge_requirements, select_request
from modelrouter_client._stream import StreamState
from modelrouter_client._transport import (
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT,
    AsyncStub,
    Deadline,
    Metadata,
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


class AsyncRouter:
    """Asynchronous client of a modelrouter server.

    ```python
    async with AsyncRouter("127.0.0.1:50051") as router:
        decision = await router.select(task="code", max_cost_usd=0.01)
    ```

    Every call has a deadline: `timeout` seconds (default 10), per client and per call;
    `timeout=None` on the client removes it. Pass `channel=` to reuse a configured
    `grpc.aio.Channel` (the client then leaves closing it to you), or `credentials=` for
    TLS. `metadata` is sent with every call. Failed calls raise a `RouterError` subclass.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        channel: grpc.aio.Channel | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[tuple[str, Any]] | None = None,
        metadata: Metadata | None = None,
    ) -> None:
        if channel is None:
            if credentials is None:
                channel = grpc.aio.insecure_channel(target, options=options)
            else:
                channel = grpc.aio.secure_channel(target, credentials, options=options)
            self._owns_channel = True
        else:
            self._owns_channel = False
        self._channel = channel
        self._stub = AsyncStub(channel)
        self.timeout = timeout
        self._metadata: Metadata = tuple(metadata or ())

    @property
    def channel(self) -> grpc.aio.Channel:
        """The underlying channel."""
        return self._channel

    async def close(self) -> None:
        """Close the channel if this client created it; in-flight calls are cancelled."""
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> AsyncRouter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _deadline(self, timeout: float | None) -> Deadline:
        # A per-call timeout of None means "the client's", not "none": a call with no
        # deadline at all must be asked for on the client, where it is visible.
        return Deadline(self.timeout if timeout is None else timeout)

    async def select(
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
            response = await self._stub.select(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.decision(response.decision)

    async def invoke(
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
            response = await self._stub.invoke(
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
    ) -> AsyncInvokeStream:
        """Like `invoke`, streamed: iterate the returned stream for text deltas, then read
        `stream.final` (or `await stream.result()`) for the summary. Not a coroutine:

        ```python
        async with router.invoke_stream("hello") as stream:
            async for delta in stream:
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
        return AsyncInvokeStream(
            self._stub.invoke_stream(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        )

    async def stats(
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
            response = await self._stub.stats(
                request, timeout=deadline.remaining(), metadata=call_metadata(self._metadata, metadata)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.stats(response)

    async def list_models(
        self, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> ModelList:
        """The registry: every model with its live health, and the registered strategies."""
        deadline = self._deadline(timeout)
        try:
            response = await self._stub.list_models(
                pb.ListModelsRequest(),
                timeout=deadline.remaining(),
                metadata=call_metadata(self._metadata, metadata),
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        return _convert.model_list(response)


class AsyncInvokeStream:
    """An InvokeStream in progress: an async iterator of text deltas.

    Once the iteration ends, `final` holds the summary (full text, usage, decision,
    attempts). A failure, before or during the stream, raises a `RouterError` from the
    iteration (and again from `result()`). Leaving `async with` early cancels the call.
    """

    def __init__(
        self, call: grpc.aio.UnaryStreamCall[pb.InvokeStreamRequest, pb.InvokeStreamResponse]
    ) -> None:
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

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        state = self._state
        while not state.finished:
            try:
                message = await self._call.read()
            except grpc.RpcError as e:
                raise state.fail(from_rpc_error(e)) from e
            if not isinstance(message, pb.InvokeStreamResponse):  # grpc.aio.EOF: status OK
                state.end()
                break
            delta = state.feed(message)
            if delta is not None:
                return delta
        raise StopAsyncIteration

    async def result(self) -> Completion:
        """Read the rest of the stream (dropping its deltas) and return the summary."""
        if not self._state.finished:
            async for _ in self:
                pass
        return self._state.result()

    def cancel(self) -> None:
        """Stop the call; the server sees it cancelled."""
        self._call.cancel()  # a no-op once the call has ended
        self._state.cancelled()

    async def __aenter__(self) -> AsyncInvokeStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
