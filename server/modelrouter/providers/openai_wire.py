"""The OpenAI chat completions wire format, both ways: a `CompletionRequest` as the
JSON body to send, and the JSON of an answer (whole, or one streamed chunk) as
what it says. Pure translation, no I/O: `modelrouter.providers.openai` sends and
reads, and turns the exceptions raised here into outcomes.

Every reader below may raise LookupError, TypeError, ValueError or AttributeError
on an answer it does not expect (the adapter's `_parsed` makes those
BAD_RESPONSE); a tool call of the wrong shape raises `MalformedToolCall`, a
ValueError whose text is the router's own words, never the upstream's."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Final

from modelrouter.conversation import (
    TOOL_CALLS_FINISH,
    ChatMessage,
    ContentPart,
    FormatType,
    ImagePart,
    ResponseFormat,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolChoiceMode,
    ToolSpec,
)
from modelrouter.providers.base import CompletionRequest

FINISH_UNSAID: Final = "stop"
"""The finish reason of an answer the server called complete without naming one."""

_SCHEMA_NAME_UNSAID: Final = "response"
"""OpenAI requires a name with a JSON Schema format; this one when the request gave none."""

_MAX_INDEX: Final = 2**31 - 1
"""A streamed call's index becomes a ToolCallDelta's int32 `index`."""


class MalformedToolCall(ValueError):
    """A tool call in an answer that cannot be passed on: no id, no name, arguments
    that are not text. The message names what is wrong in the router's words."""


# --- The request ------------------------------------------------------------------


SCHEMA_STYLES = ("json_schema", "json_object_schema")
"""How a server takes an answer's JSON Schema: OpenAI's own `{"type": "json_schema",
"json_schema": {...}}`, or `{"type": "json_object", "schema": ...}`, the only shape
llama-cpp-python's server honours (it refuses the other with a 500)."""


def request_body(
    request: CompletionRequest, *, stream: bool, schema_style: str = "json_schema"
) -> dict[str, Any]:
    """The JSON body of `POST /chat/completions` for `request`. Only what the request
    sets is sent, so a plain chat request is the common subset every server takes."""
    body: dict[str, Any] = {
        "model": request.upstream_model,
        "messages": [_message(m) for m in request.messages],
        "stream": stream,
    }
    if request.max_output_tokens is not None:
        body["max_tokens"] = request.max_output_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.stop:
        body["stop"] = list(request.stop)
    if request.tools:
        body["tools"] = [_tool(t) for t in request.tools]
        # Only with tools: OpenAI refuses a tool_choice without them (and with no
        # tools, "none" is what the model does anyway).
        if request.tool_choice is not None:
            body["tool_choice"] = _tool_choice(request.tool_choice)
    response_format = _response_format(request.response_format, schema_style)
    if response_format is not None:
        body["response_format"] = response_format
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def _message(m: ChatMessage) -> dict[str, Any]:
    # A plain message stays {"role", "content": "..."}: every server takes that.
    content: str | list[dict[str, Any]] | None = [_part(p) for p in m.parts] if m.parts else m.content
    out: dict[str, Any] = {"role": m.role, "content": content}
    if m.tool_calls:
        # An assistant turn that only calls tools says so with empty text: OpenAI
        # takes "" as it takes null, and servers whose chat templates read the
        # content as text (llama.cpp's) refuse null or a missing key.
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in m.tool_calls
        ]
    if m.tool_call_id:
        out["tool_call_id"] = m.tool_call_id
    return out


def _part(part: ContentPart) -> dict[str, Any]:
    if isinstance(part, ImagePart):
        return {"type": "image_url", "image_url": {"url": image_url(part)}}
    return {"type": "text", "text": part}


def image_url(image: ImagePart) -> str:
    """The image's URL as given, or its bytes as a data: URL."""
    if image.url:
        return image.url
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"


def _tool(tool: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name}
    if tool.description:  # optional on the wire: an empty one says nothing
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    return {"type": "function", "function": function}


def _tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice.mode == ToolChoiceMode.TOOL:
        return {"type": "function", "function": {"name": choice.tool}}
    return choice.mode  # "auto", "none" and "required" are OpenAI's own words


def _response_format(fmt: ResponseFormat | None, style: str) -> dict[str, Any] | None:
    if fmt is None or fmt.type == FormatType.TEXT:
        return None  # free text is the default: sent as nothing
    if fmt.type == FormatType.JSON_OBJECT:
        return {"type": "json_object"}
    if style == "json_object_schema":
        return {"type": "json_object", "schema": fmt.schema if fmt.schema is not None else {}}
    return {
        "type": "json_schema",
        "json_schema": {
            "name": fmt.name or _SCHEMA_NAME_UNSAID,
            "schema": fmt.schema if fmt.schema is not None else {},
            "strict": fmt.strict,
        },
    }


# --- The answer --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """What a whole (non-streamed) answer said."""

    text: str = ""
    finish_reason: str | None = None
    usage: tuple[int, int] | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    error: object | None = None
    """An `error` object in place of the answer."""


def answer(body: Any) -> Answer:
    """A non-streamed answer: `choices[0].message` (content, tool_calls), its
    finish_reason, usage; or the `error` object a 200 answer carried instead."""
    if not isinstance(body, dict):
        raise TypeError("the answer is not a JSON object")
    if body.get("error") is not None and "choices" not in body:
        return Answer(error=body["error"])
    choice = body["choices"][0]
    message = choice["message"]
    return Answer(
        _text(message.get("content")),
        _text(choice.get("finish_reason")) or None,
        _usage(body.get("usage")),
        _tool_calls(message.get("tool_calls")),
    )


def _tool_calls(value: Any) -> tuple[ToolCall, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedToolCall("tool_calls is not a list")
    return tuple(_tool_call(i, call) for i, call in enumerate(value))


def _tool_call(i: int, call: Any) -> ToolCall:
    if not isinstance(call, dict):
        raise MalformedToolCall(f"call {i} is not an object")
    function = call.get("function")
    if not isinstance(function, dict):
        raise MalformedToolCall(f"call {i} has no function")
    id_, name, arguments = call.get("id"), function.get("name"), function.get("arguments")
    if not isinstance(id_, str) or not id_:
        raise MalformedToolCall(f"call {i} has no id")
    if not isinstance(name, str) or not name:
        raise MalformedToolCall(f"call {i} has no function name")
    if not isinstance(arguments, str):
        raise MalformedToolCall(f"call {i} has arguments that are not a string")
    return ToolCall(id_, name, arguments)


def finish_reason(said: str | None, calls: tuple[ToolCall, ...]) -> str:
    """The finish reason to report. An answer with tool calls ends in "tool_calls"
    even where the server says "stop" (OpenAI does, for a named tool_choice), but
    "length" or "content_filter" is kept: the calls may be cut short."""
    if calls and said in (None, FINISH_UNSAID, TOOL_CALLS_FINISH, "function_call"):
        return TOOL_CALLS_FINISH
    return said or FINISH_UNSAID


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one streamed `data:` line said."""

    text: str = ""
    tool_deltas: tuple[ToolCallDelta, ...] = ()
    """The line's tool-call pieces that say something, already taken by the assembler."""
    finish_reason: str | None = None
    usage: tuple[int, int] | None = None
    error: object | None = None


def chunk(data: str, calls: ToolCallAssembler) -> Chunk:
    """One streamed chunk; its tool-call pieces go to `calls` as they are read."""
    obj = json.loads(data)
    if not isinstance(obj, dict):
        raise TypeError("a chunk is not a JSON object")
    if obj.get("error") is not None:
        return Chunk(error=obj["error"])
    choices = obj.get("choices") or []  # the usage chunk has none
    if not isinstance(choices, list):
        raise TypeError("choices is not a list")
    text, deltas, finish = "", list[ToolCallDelta](), None
    if choices:
        choice = choices[0]
        delta = choice.get("delta") or {}
        text = _text(delta.get("content"))
        pieces = delta.get("tool_calls") or []
        if not isinstance(pieces, list):
            raise MalformedToolCall("tool_calls is not a list")
        for piece in pieces:
            said = calls.add(piece)
            if said is not None:
                deltas.append(said)
        finish = _text(choice.get("finish_reason")) or None
    return Chunk(text, tuple(deltas), finish, _usage(obj.get("usage")))


@dataclass(slots=True)
class _Building:
    id: str
    name: str
    arguments: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """A stream's tool calls, from their pieces: the first piece of an index has the
    call's id and name (and perhaps some arguments), later ones more arguments.
    Calls may interleave; each is kept under its own index."""

    __slots__ = ("_calls",)

    def __init__(self) -> None:
        self._calls: dict[int, _Building] = {}

    def add(self, piece: Any) -> ToolCallDelta | None:
        """Takes one piece; what it says new, or None when it says nothing."""
        if not isinstance(piece, dict):
            raise MalformedToolCall("a tool call piece is not an object")
        index = piece.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= _MAX_INDEX:
            raise MalformedToolCall("a tool call piece has no valid index")
        function = piece.get("function") or {}
        if not isinstance(function, dict):
            raise MalformedToolCall(f"call {index} has a function that is not an object")
        id_, name, arguments = piece.get("id"), function.get("name"), function.get("arguments")
        if arguments is None:
            arguments = ""
        if not isinstance(arguments, str):
            raise MalformedToolCall(f"call {index} has arguments that are not a string")
        call = self._calls.get(index)
        if call is None:
            if not isinstance(id_, str) or not id_:
                raise MalformedToolCall(f"call {index} has no id")
            if not isinstance(name, str) or not name:
                raise MalformedToolCall(f"call {index} has no function name")
            self._calls[index] = _Building(id_, name, [arguments])
            return ToolCallDelta(index, id_, name, arguments)
        # Some servers repeat the id or name on every piece: the same is harmless.
        if id_ not in (None, "", call.id) or name not in (None, "", call.name):
            raise MalformedToolCall(f"call {index} changed its id or name mid-stream")
        if not arguments:
            return None
        call.arguments.append(arguments)
        return ToolCallDelta(index, arguments=arguments)

    def calls(self) -> tuple[ToolCall, ...]:
        """The calls whole, in the order of their indexes."""
        return tuple(ToolCall(c.id, c.name, "".join(c.arguments)) for _, c in sorted(self._calls.items()))

    def __len__(self) -> int:
        return len(self._calls)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _usage(value: Any) -> tuple[int, int] | None:
    """(prompt_tokens, completion_tokens) when both are reported."""
    if value is None:
        return None
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    if prompt is None or completion is None:
        return None
    return _count(prompt), _count(completion)


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a token count is not an integer: {value!r}")
    if value < 0:
        raise ValueError(f"a negative token count: {value}")
    return value
