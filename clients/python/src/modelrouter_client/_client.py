"""What Router and AsyncRouter share: opening the channel, per-call defaults, building
each request and converting each answer. The two clients only send (one blocking, one
awaiting) what is prepared here."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Generic, TypeVar

import grpc

from modelrouter_client import _convert
from modelrouter_client._channel import (
    ChannelOptions,
    Keepalive,
    RetryPolicy,
    api_key_credentials,
    channel_credentials,
    channel_options,
)
from modelrouter_client._options import (
    CALL_KEYS,
    INVOKE_KEYS,
    SELECT_KEYS,
    CallOptions,
    InvokeOptions,
    SelectOptions,
    check_keywords,
)
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._requests import build_invoke, build_select
from modelrouter_client._transport import (
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT,
    FEEDBACK,
    INVOKE,
    INVOKE_STREAM,
    LIST_MODELS,
    RELOAD_CONFIG,
    SELECT,
    STATS,
    Deadline,
    Metadata,
    Prepared,
    call_metadata,
)
from modelrouter_client._types import (
    Completion,
    Decision,
    MessagesLike,
    ModelList,
    ReloadResult,
    Requirements,
    StatsResult,
)

ChannelT = TypeVar("ChannelT")


def _decision(response: pb.SelectResponse) -> Decision:
    return _convert.decision(response.decision)


def _acknowledged(response: pb.FeedbackResponse) -> None:
    return None  # an empty answer: the score counted


def _unconverted(response: pb.InvokeStreamResponse) -> pb.InvokeStreamResponse:
    return response  # a stream's messages are read by the stream classes


class RouterBase(Generic[ChannelT]):
    """The parts of Router and AsyncRouter that do not depend on how calls are sent."""

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        tls: bool | grpc.ChannelCredentials | None = None,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        call_credentials: grpc.CallCredentials | None = None,
        api_key: str | None = None,
        metadata: Metadata | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: bool | RetryPolicy = True,
        keepalive: bool | Keepalive = True,
        options: ChannelOptions | None = None,
        channel: ChannelT | None = None,
    ) -> None:
        """Connect to the server at `target` ("HOST:PORT", or any gRPC target such as
        "unix:/run/modelrouter.sock"). The channel connects lazily, on the first call.

        Security: `tls=None` (the default) is plaintext for a local target (localhost, a
        loopback address, a Unix socket) and TLS with the system's root certificates for
        any other; `tls=True` / `tls=False` force it; a `grpc.ChannelCredentials` is used
        as given. `root_certificates` (PEM) trusts a private CA; `private_key` with
        `certificate_chain` (PEM) present a client certificate (mutual TLS).
        `api_key` is sent as `authorization: Bearer <api_key>` on every call (the key a
        server with `auth.api_keys` asks for); `call_credentials` (e.g.
        `grpc.access_token_call_credentials(token)`) authorise every call in a way of
        your own; pass one or neither. gRPC sends either only over TLS or to a local
        target: to any other target in plaintext the client refuses, with ValueError.
        `metadata` is sent with every call, before each call's own.

        Calls: `timeout` is every call's default deadline in seconds (None: no deadline).
        `retries` retries Select, Stats and ListModels on UNAVAILABLE (never Invoke,
        InvokeStream or Feedback): True for the default `RetryPolicy`, a `RetryPolicy` of
        your own, or False for none. `keepalive` pings a connection that has gone quiet during a call:
        True for the default `Keepalive`, your own, or False for none. `options` are
        further grpc channel arguments; they win over the client's own (so
        `("grpc.service_config", json)` replaces the retry configuration entirely).

        `channel`: use this channel instead (the client then leaves closing it to you;
        `tls`, the certificates and `options` must be left out, and `retries` and
        `keepalive` do not apply). `api_key`, `call_credentials`, `metadata` and `timeout`
        still do.
        """
        call_credentials = api_key_credentials(api_key, call_credentials)
        if channel is None:
            credentials = channel_credentials(
                target,
                tls,
                root_certificates,
                private_key,
                certificate_chain,
                call_credentials,
                api_key=api_key is not None,
            )
            channel = self._open(target, credentials, channel_options(retries, keepalive, options))
            self._owns_channel = True
        else:
            given = [
                name
                for name, value in (
                    ("tls", tls),
                    ("root_certificates", root_certificates),
                    ("private_key", private_key),
                    ("certificate_chain", certificate_chain),
                    ("options", options),
                )
                if value is not None
            ]
            if given:
                raise ValueError(f"{', '.join(given)}: set on the channel passed in, not here")
            self._owns_channel = False
        self.timeout = timeout
        self._channel: ChannelT = channel
        self._metadata: tuple[tuple[str, str | bytes], ...] = tuple(metadata or ())
        self._call_credentials = call_credentials
        self._bind(channel)

    def _open(
        self, target: str, credentials: grpc.ChannelCredentials | None, options: Sequence[tuple[str, object]]
    ) -> ChannelT:
        raise NotImplementedError

    def _bind(self, channel: ChannelT) -> None:
        raise NotImplementedError

    @property
    def channel(self) -> ChannelT:
        """The underlying gRPC channel."""
        return self._channel

    # -- preparing calls ---------------------------------------------------------------------

    def _deadline(self, options: CallOptions) -> Deadline:
        # A per-call timeout of None means "the client's", not "none": a call with no
        # deadline at all must be asked for on the client, where it is visible.
        timeout = options.get("timeout")
        return Deadline(self.timeout if timeout is None else timeout)

    def _headers(self, options: CallOptions) -> tuple[tuple[str, str | bytes], ...] | None:
        return call_metadata(self._metadata, options.get("metadata"))

    def _prepare_select(
        self, requirements: Requirements | None, options: SelectOptions
    ) -> Prepared[pb.SelectRequest, pb.SelectResponse, Decision]:
        deadline = self._deadline(options)  # the clock starts before the request is built
        check_keywords("select", options, SELECT_KEYS)
        request = build_select(requirements, options)
        return Prepared(SELECT, request, deadline, self._headers(options), _decision)

    def _prepare_invoke(
        self, messages: MessagesLike, options: InvokeOptions
    ) -> Prepared[pb.InvokeRequest, pb.InvokeResponse, Completion]:
        deadline = self._deadline(options)
        check_keywords("invoke", options, INVOKE_KEYS)
        request = build_invoke(pb.InvokeRequest, messages, options)
        return Prepared(INVOKE, request, deadline, self._headers(options), _convert.completion)

    def _prepare_invoke_stream(
        self, messages: MessagesLike, options: InvokeOptions
    ) -> Prepared[pb.InvokeStreamRequest, pb.InvokeStreamResponse, pb.InvokeStreamResponse]:
        deadline = self._deadline(options)
        check_keywords("invoke_stream", options, INVOKE_KEYS)
        request = build_invoke(pb.InvokeStreamRequest, messages, options)
        return Prepared(INVOKE_STREAM, request, deadline, self._headers(options), _unconverted)

    def _prepare_stats(
        self, models: Sequence[str] | None, options: CallOptions
    ) -> Prepared[pb.StatsRequest, pb.StatsResponse, StatsResult]:
        deadline = self._deadline(options)
        check_keywords("stats", options, CALL_KEYS)
        if isinstance(models, str):
            raise TypeError(f"models: expected a list of model ids, got the string {models!r}")
        request = pb.StatsRequest(models=list(models or ()))
        return Prepared(STATS, request, deadline, self._headers(options), _convert.stats)

    def _prepare_list_models(
        self, options: CallOptions
    ) -> Prepared[pb.ListModelsRequest, pb.ListModelsResponse, ModelList]:
        deadline = self._deadline(options)
        check_keywords("list_models", options, CALL_KEYS)
        return Prepared(
            LIST_MODELS, pb.ListModelsRequest(), deadline, self._headers(options), _convert.model_list
        )

    def _prepare_feedback(
        self, decision_id: str, score: float, options: CallOptions
    ) -> Prepared[pb.FeedbackRequest, pb.FeedbackResponse, None]:
        deadline = self._deadline(options)
        check_keywords("feedback", options, CALL_KEYS)
        # Whether the id is known and the score in [0, 1] only the server can say
        # (NOT_FOUND, INVALID_ARGUMENT); a value of the wrong type is caught here.
        if not isinstance(decision_id, str):
            raise TypeError(
                f"decision_id: expected the decision's id, a str, got {type(decision_id).__name__}"
            )
        if not isinstance(score, numbers.Real):  # a bool is a 0 or 1, like a thumb down or up
            raise TypeError(f"score: expected a number in [0, 1], got {type(score).__name__}")
        request = pb.FeedbackRequest(decision_id=decision_id, score=float(score))
        return Prepared(FEEDBACK, request, deadline, self._headers(options), _acknowledged)

    def _prepare_reload_config(
        self, options: CallOptions
    ) -> Prepared[apb.ReloadConfigRequest, apb.ReloadConfigResponse, ReloadResult]:
        deadline = self._deadline(options)
        check_keywords("reload_config", options, CALL_KEYS)
        return Prepared(
            RELOAD_CONFIG, apb.ReloadConfigRequest(), deadline, self._headers(options), _convert.reload_result
        )
