"""A `CompletionRequest` as the body of the Anthropic Messages API's `POST /messages`.
Pure translation, no I/O: `modelrouter.providers.anthropic` sends it and reads the
answer.

- System messages are joined into the top-level `system` field (the API takes no
  system turns); `max_tokens` is required by the API, so a request that leaves it
  unset sends `DEFAULT_MAX_TOKENS`; `temperature` is clamped to the API's 0..1
  range (a caller's 1.5, meant for an OpenAI-style 0..2 scale, would otherwise be
  refused outright); `stop_sequences` only when there are any.
- A plain text message stays `{"role", "content": "..."}`. A message with images
  becomes content blocks: `text`, and `image` with a `base64` source (bytes, or a
  data: URL decoded) or a `url` source.
- An assistant's tool calls become `tool_use` blocks after its text, their
  arguments parsed (the API takes the input as an object, not as text).
- Tool results: the API has no tool role. A run of consecutive "tool" messages
  becomes one user turn of `tool_result` blocks, the turn right after the
  assistant's `tool_use` (turns must alternate, and every result of a turn's calls
  belongs in the next one).
- `tools` as `{name, description, input_schema}`; `tool_choice` as `auto`, `any`
  (REQUIRED), `tool` (one named) or `none`, sent only with tools.
- Structured output: see `answer_tool`."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final
from urllib.parse import unquote_to_bytes

from modelrouter.conversation import (
    ChatMessage,
    ContentPart,
    FormatType,
    ImagePart,
    ToolCall,
    ToolChoice,
    ToolChoiceMode,
    ToolSpec,
)
from modelrouter.providers.base import CompletionRequest, Outcome, ProviderError

DEFAULT_MAX_TOKENS: Final = 1024
"""Sent as `max_tokens` (which the API requires) when the request leaves it unset."""
MAX_TEMPERATURE: Final = 1.0
"""The API's upper bound for `temperature`."""

ANSWER_TOOL: Final = "response"
"""The name of the tool that carries a JSON answer when the format names no schema
(JSON_OBJECT, or a JSON_SCHEMA without a name)."""
ANSWER_DESCRIPTION: Final = "Give your answer as this tool's input."
OBJECT_SCHEMA: Final = {"type": "object"}
"""JSON_OBJECT's schema: any object (the API requires an object schema for a tool's input)."""

_TOOL_NAME_MAX: Final = 64
"""The API's longest tool name."""

_TOOL_CHOICE: Final = {
    ToolChoiceMode.AUTO: "auto",
    ToolChoiceMode.REQUIRED: "any",
    ToolChoiceMode.NONE: "none",
    ToolChoiceMode.TOOL: "tool",
}


def request_body(request: CompletionRequest, stream: bool) -> dict[str, Any]:
    """The Messages API request for `request`; a plain text request's body is just
    model, max_tokens, messages, system, temperature, stop_sequences and stream.
    REJECTED (nothing sent) for what the API cannot be told: an assistant's tool
    call whose arguments are not a JSON object, an image data: URL that does not
    decode."""
    system = [m.text for m in request.messages if m.role == "system"]
    body: dict[str, Any] = {
        "model": request.upstream_model,
        "max_tokens": request.max_output_tokens or DEFAULT_MAX_TOKENS,
        "messages": _turns(request.messages),
    }
    if system:
        body["system"] = "\n\n".join(system)
    if request.temperature is not None:
        body["temperature"] = min(max(request.temperature, 0.0), MAX_TEMPERATURE)
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    tools = [_tool(t) for t in request.tools]
    # Only with tools: with none there is nothing to choose (and the API wants tools
    # with any tool_choice).
    choice = _tool_choice(request.tool_choice) if request.tools and request.tool_choice else None
    answer = answer_tool(request)
    if answer is not None:
        fmt = request.response_format
        schema = dict(OBJECT_SCHEMA)
        if fmt is not None and fmt.type == FormatType.JSON_SCHEMA and fmt.schema is not None:
            schema = fmt.schema
        tools.append({"name": answer, "description": ANSWER_DESCRIPTION, "input_schema": schema})
        if request.tools and (request.tool_choice is None or request.tool_choice.mode == ToolChoiceMode.AUTO):
            # The model may still call the caller's tools, or answer through this one:
            # either way it calls a tool, so that a text answer is always the JSON.
            choice = {"type": "any"}
        else:
            choice = {"type": "tool", "name": answer}
    if tools:
        body["tools"] = tools
    if choice is not None:
        body["tool_choice"] = choice
    body["stream"] = stream
    return body


def answer_tool(request: CompletionRequest) -> str | None:
    """The name of the tool that carries the answer of a request for JSON; None when
    the answer is free text, or when the caller requires a call of its own tools
    (then the answer is that call, not text).

    Structured output by Anthropic's documented means, which every model with tool
    use has: the Messages API of version 2023-06-01 has no JSON mode (its newer
    `output_config.format` exists only on its latest models, and not on servers
    that copy the API). The answer's format becomes one more tool, whose
    `input_schema` is the format's schema (JSON_SCHEMA) or any object
    (JSON_OBJECT), and `tool_choice` forces a call of it (`any` when the caller's
    own tools are offered too). The call's input comes back as the answer's text,
    JSON-encoded, never as a tool call. `strict` is not sent: the input follows the
    schema as the model's tool inputs do, without the constrained decoding only the
    latest models offer."""
    fmt = request.response_format
    if fmt is None or fmt.type == FormatType.TEXT:
        return None
    choice = request.tool_choice
    if request.tools and choice is not None and choice.mode in (ToolChoiceMode.REQUIRED, ToolChoiceMode.TOOL):
        return None
    name = (fmt.name if fmt.type == FormatType.JSON_SCHEMA else "") or ANSWER_TOOL
    taken = {t.name for t in request.tools}
    unique, n = name, 1
    while unique in taken:  # a caller's tool of the same name keeps its own
        n += 1
        suffix = f"_{n}"
        unique = name[: _TOOL_NAME_MAX - len(suffix)] + suffix
    return unique


def _turns(messages: tuple[ChatMessage, ...]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    results: list[dict[str, Any]] | None = None
    """The blocks of the open user turn of tool results, while tool messages follow each other."""
    for m in messages:
        if m.role == "system":
            continue  # lifted into `system`; it does not end a run of tool results
        if m.role == "tool":
            block = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": _result(m)}
            if results is None:
                results = [block]
                turns.append({"role": "user", "content": results})
            else:
                results.append(block)
            continue
        results = None
        turns.append({"role": m.role, "content": _content(m)})
    return turns


def _content(m: ChatMessage) -> str | list[dict[str, Any]]:
    if not m.parts and not m.tool_calls:
        return m.content  # plain text: as every version of the API takes it
    blocks = _blocks(m)
    blocks += [_tool_use(call) for call in m.tool_calls]
    return blocks


def _blocks(m: ChatMessage) -> list[dict[str, Any]]:
    """The message's text and images as blocks; no empty text block (the API refuses one)."""
    parts: tuple[ContentPart, ...] = m.parts or (m.content,)
    return [_block(p) for p in parts if p != ""]


def _block(part: ContentPart) -> dict[str, Any]:
    if isinstance(part, ImagePart):
        return {"type": "image", "source": _image_source(part)}
    return {"type": "text", "text": part}


def _result(m: ChatMessage) -> str | list[dict[str, Any]]:
    """A tool result's content: its text, or text and image blocks when it has images."""
    return _blocks(m) if m.images else m.text


def _image_source(image: ImagePart) -> dict[str, str]:
    if not image.url:
        return {"type": "base64", "media_type": image.media_type, "data": _b64(image.data)}
    if image.url[:5].lower() == "data:":
        media_type, data = _data_url(image.url)
        return {"type": "base64", "media_type": media_type, "data": _b64(data)}
    return {"type": "url", "url": image.url}


def _data_url(url: str) -> tuple[str, bytes]:
    """A data: URL's media type and bytes (RFC 2397): the API takes an image's bytes
    only as a base64 source, never as a data: URL."""
    header, comma, payload = url[5:].partition(",")
    params = [p.strip() for p in header.split(";")]
    media_type = params[0].lower()
    if not comma or not media_type:
        raise _untranslatable("an image's data: URL has no media type or no data")
    if any(p.lower() == "base64" for p in params[1:]):
        try:
            # Whitespace (folded lines) is dropped; anything else not base64 is an error.
            return media_type, base64.b64decode(
                "".join(unquote_to_bytes(payload).decode().split()), validate=True
            )
        except (binascii.Error, UnicodeDecodeError):
            raise _untranslatable("an image's data: URL is not valid base64") from None
    return media_type, unquote_to_bytes(payload)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _tool_use(call: ToolCall) -> dict[str, Any]:
    return {"type": "tool_use", "id": call.id, "name": call.name, "input": _arguments(call)}


def _arguments(call: ToolCall) -> dict[str, Any]:
    """A call's arguments as the object the API takes; no arguments at all is an empty one."""
    if not call.arguments.strip():
        return {}
    try:
        value = json.loads(call.arguments)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise _untranslatable("a tool call's arguments are not a JSON object")
    return value


def _tool(tool: ToolSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": tool.name}
    if tool.description:  # optional in the API: an empty one says nothing
        out["description"] = tool.description
    out["input_schema"] = tool.parameters
    return out


def _tool_choice(choice: ToolChoice) -> dict[str, Any]:
    kind = _TOOL_CHOICE.get(choice.mode)
    if kind is None:
        raise _untranslatable("an unknown tool choice")
    return {"type": kind, "name": choice.tool} if kind == "tool" else {"type": kind}


def _untranslatable(what: str) -> ProviderError:
    """REJECTED: the request cannot be said in the Messages API, so nothing is sent
    (another model, behind another API, may take it)."""
    return ProviderError(Outcome.REJECTED, f"{Outcome.REJECTED}: cannot send to the Messages API: {what}")
