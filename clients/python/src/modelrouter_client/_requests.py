"""Caller arguments -> protobuf requests, shared by the sync and async clients.

The clients take keyword arguments with None meaning "not given", so that a ready
`Requirements` value can be passed and then adjusted field by field. Only values the
client can check without the server are checked here (the shape of a message, a cache
policy name, the words `_tools` knows); everything the contract validates (roles,
limits, weight keys, model ids) is left to the server, so every caller sees the same
INVALID_ARGUMENT for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from modelrouter_client import _tools
from modelrouter_client._conversation import DecisionView, JsonSchema, ResponseFormat, Tool, ToolChoice
from modelrouter_client._messages import chat_messages
from modelrouter_client._options import REQUIREMENT_KEYS, InvokeOptions, SelectOptions
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._types import CachePolicy, MessagesLike, Requirements

_Invoke = TypeVar("_Invoke", pb.InvokeRequest, pb.InvokeStreamRequest)

_CACHE: dict[CachePolicy, pb.CachePolicy] = {
    CachePolicy.DEFAULT: pb.CACHE_POLICY_UNSPECIFIED,
    CachePolicy.USE: pb.CACHE_POLICY_USE,
    CachePolicy.BYPASS: pb.CACHE_POLICY_BYPASS,
    CachePolicy.REFRESH: pb.CACHE_POLICY_REFRESH,
}


def build_select(requirements: Requirements | None, options: SelectOptions) -> pb.SelectRequest:
    """The SelectRequest of `select(requirements, **options)`."""
    return select_request(
        merge_requirements(requirements, _requirement_overrides(options)),
        strategy=options.get("strategy"),
        weights=options.get("weights"),
        messages=options.get("messages"),
        max_output_tokens=options.get("max_output_tokens"),
    )


def build_invoke(kind: type[_Invoke], messages: MessagesLike, options: InvokeOptions) -> _Invoke:
    """The InvokeRequest (or InvokeStreamRequest) of `invoke(messages, **options)`."""
    model = options.get("model")
    selection = invoke_selection(
        model,
        options.get("requirements"),
        _requirement_overrides(options),
        options.get("strategy"),
        options.get("weights"),
    )
    return invoke_request(
        kind,
        messages,
        selection=selection,
        model=model,
        max_output_tokens=options.get("max_output_tokens"),
        temperature=options.get("temperature"),
        stop=options.get("stop"),
        cache=options.get("cache"),
        request_id=options.get("request_id"),
        tools=options.get("tools"),
        tool_choice=options.get("tool_choice"),
        response_format=options.get("response_format"),
        decision_view=options.get("decision_view"),
    )


def _requirement_overrides(options: Mapping[str, Any]) -> dict[str, Any]:
    return {key: options[key] for key in REQUIREMENT_KEYS if key in options}


def merge_requirements(base: Requirements | None, overrides: Mapping[str, Any]) -> Requirements | None:
    """`base` with every override that is not None applied; None when neither says anything.

    `overrides` holds the keyword arguments named like the Requirements fields.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    if base is None and not given:
        return None
    return dataclasses.replace(base or Requirements(), **given)


def requirements_proto(r: Requirements) -> pb.Requirements:
    return pb.Requirements(
        task=r.task,
        capabilities=list(_strings(r.capabilities, "capabilities")),
        min_context_tokens=r.min_context_tokens,
        max_cost_usd=r.max_cost_usd,
        max_latency_ms=r.max_latency_ms,
        min_quality=r.min_quality,
        include_models=list(_strings(r.include_models, "include_models")),
        exclude_models=list(_strings(r.exclude_models, "exclude_models")),
        labels=dict(r.labels),
        expected_input_tokens=r.expected_input_tokens,
        expected_output_tokens=r.expected_output_tokens,
    )


def select_request(
    requirements: Requirements | None,
    *,
    strategy: str | None = None,
    weights: Mapping[str, float] | None = None,
    messages: MessagesLike | None = None,
    max_output_tokens: int | None = None,
) -> pb.SelectRequest:
    request = pb.SelectRequest(strategy=strategy or "", max_output_tokens=max_output_tokens or 0)
    if requirements is not None:
        request.requirements.CopyFrom(requirements_proto(requirements))
    if weights:
        request.weights.update({str(k): float(v) for k, v in weights.items()})
    if messages is not None:
        request.messages.extend(chat_messages(messages))
    return request


def invoke_selection(
    model: str | None,
    requirements: Requirements | None,
    overrides: Mapping[str, Any],
    strategy: str | None,
    weights: Mapping[str, float] | None,
) -> pb.SelectRequest | None:
    """The `selection` of an invoke: None when a model is named and nothing selection-like
    was given."""
    selection = select_request(
        merge_requirements(requirements, overrides), strategy=strategy, weights=weights
    )
    if model and selection.ByteSize() == 0:
        return None
    return selection


def invoke_request(
    kind: type[_Invoke],
    messages: MessagesLike,
    *,
    selection: pb.SelectRequest | None,
    model: str | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    stop: Sequence[str] | None = None,
    cache: CachePolicy | str | None = None,
    request_id: str | None = None,
    tools: Sequence[Tool] | None = None,
    tool_choice: ToolChoice | Tool | str | None = None,
    response_format: ResponseFormat | JsonSchema | str | None = None,
    decision_view: DecisionView | str | None = None,
) -> _Invoke:
    """An InvokeRequest or InvokeStreamRequest (the two carry the same fields).

    `selection` is sent whenever no `model` is named, even when empty: "select with the
    server's defaults" is then explicit on the wire. Naming both is passed through for the
    server to refuse with INVALID_ARGUMENT, rather than guessed at here.
    """
    request = kind(
        model=model or "",
        messages=chat_messages(messages),
        max_output_tokens=max_output_tokens or 0,
        stop=list(_strings(stop or (), "stop")),
        cache=cache_policy(cache),
        request_id=request_id or "",
        tools=_tools.tools(tools),
        decision_view=_tools.decision_view(decision_view),
    )
    choice = _tools.tool_choice(tool_choice, tools)
    if choice is not None:
        request.tool_choice.CopyFrom(choice)
    fmt = _tools.response_format(response_format)
    if fmt is not None:
        request.response_format.CopyFrom(fmt)
    if selection is not None:
        request.selection.CopyFrom(selection)
    elif not model:
        request.selection.SetInParent()
    if temperature is not None:
        # proto3 `optional`: assigning sets presence, so 0.0 reaches the server as "zero".
        request.temperature = float(temperature)
    return request


def cache_policy(value: CachePolicy | str | None) -> pb.CachePolicy:
    if value is None:
        return pb.CACHE_POLICY_UNSPECIFIED
    if not isinstance(value, CachePolicy):
        try:
            value = CachePolicy(str(value).lower())
        except ValueError:
            names = ", ".join(p.value for p in CachePolicy)
            raise ValueError(f"unknown cache policy {value!r}; expected one of {names}") from None
    return _CACHE[value]


def _strings(values: Sequence[str], name: str) -> Sequence[str]:
    # A bare string is a Sequence[str] too: ["c", "o", "d", "e"] is never what was meant.
    if isinstance(values, str):
        raise TypeError(f"{name}: expected a list of strings, got the string {values!r}")
    return values
