"""The parts of a request beyond plain chat, protobuf -> domain, validated: a
message's content parts, tool calls and tool_call_id; the request's tools, tool
choice and response format; and what they require of a model.

Each check names the offending field in dotted proto form
(`messages[2].parts[0].image.media_type`, `tools[1].parameters`) with a sentence
the caller can act on. JSON text (tool parameters, a response schema, a call's
arguments) is parsed once here; a document nested deeper than MAX_JSON_DEPTH is
refused, so that no later reader (an adapter's serializer, the simulated
provider's schema walk) can run out of stack on a caller's input."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

import orjson

from modelrouter.api.bounds import entries, string
from modelrouter.conversation import (
    ChatMessage,
    ContentPart,
    FormatType,
    ImagePart,
    ResponseFormat,
    ToolCall,
    ToolChoice,
    ToolChoiceMode,
    ToolSpec,
)
from modelrouter.errors import InvalidRequest, clip
from modelrouter_client._proto import router_pb2 as pb

NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A tool's name and a response schema's name (fullmatch): what OpenAI and Anthropic both take."""
MEDIA_TYPES: Final = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""The image formats every provider with vision takes."""
MAX_JSON_DEPTH: Final = 64
"""The deepest nesting of arrays and objects in a schema or a call's arguments."""

TOOLS: Final = "tools"
VISION: Final = "vision"
JSON_MODE: Final = "json_mode"
"""The capabilities a request's use of tools, images and a JSON format requires."""

_MODES: Final = {
    pb.TOOL_CHOICE_MODE_UNSPECIFIED: "",
    pb.TOOL_CHOICE_MODE_AUTO: ToolChoiceMode.AUTO,
    pb.TOOL_CHOICE_MODE_NONE: ToolChoiceMode.NONE,
    pb.TOOL_CHOICE_MODE_REQUIRED: ToolChoiceMode.REQUIRED,
    pb.TOOL_CHOICE_MODE_TOOL: ToolChoiceMode.TOOL,
}
_FORMATS: Final = {
    pb.RESPONSE_FORMAT_TYPE_UNSPECIFIED: FormatType.TEXT,
    pb.RESPONSE_FORMAT_TYPE_TEXT: FormatType.TEXT,
    pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT: FormatType.JSON_OBJECT,
    pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA: FormatType.JSON_SCHEMA,
}
_MEDIA: Final = ", ".join(MEDIA_TYPES)
_EMPTY_PARAMETERS: Final = '{"type": "object", "properties": {}}'

WholeMessage = pb.InvokeRequest | pb.InvokeStreamRequest


def message_chars(m: pb.ChatMessage) -> int:
    """What a message's parts, tool calls and tool_call_id add to its `content`
    toward `server.max_message_chars`: text and URLs by their characters, image
    data by its bytes, a call by its id, name and arguments."""
    total = len(m.tool_call_id)
    for p in m.parts:
        kind = p.WhichOneof("kind")
        if kind == "text":
            total += len(p.text)
        elif kind == "image":
            image = p.image
            total += len(image.url) if image.WhichOneof("source") == "url" else len(image.data)
    for c in m.tool_calls:
        total += len(c.id) + len(c.name) + len(c.arguments)
    return total


def request_chars(msg: WholeMessage) -> tuple[int, int]:
    """What the request's tools (names, descriptions, parameters) and its response
    schema add toward `server.max_message_chars`: (tools, schema)."""
    tools = sum(len(t.name) + len(t.description) + len(t.parameters) for t in msg.tools)
    return tools, len(msg.response_format.schema)


class Conversation:
    """The messages of one request, checked in order: the tool calls made so far
    (a tool message must answer one of an earlier assistant message, once), and
    what the messages require of a model."""

    __slots__ = ("_answered", "_made", "images", "tool_use")

    def __init__(self) -> None:
        self._made: dict[str, int] = {}
        self._answered: dict[str, int] = {}
        self.images = False
        self.tool_use = False

    def message(self, m: pb.ChatMessage, i: int, path: str) -> ChatMessage:
        """A message with parts, tool calls or a tool_call_id (its role already checked)."""
        here = f"{path}[{i}]"
        role = m.role
        parts: tuple[ContentPart, ...] = ()
        if m.parts:
            if m.content:
                raise InvalidRequest(
                    f"{here}.parts", "a message has content or parts, not both; put the text in a text part"
                )
            entries(len(m.parts), f"{here}.parts")
            parts = tuple(self._part(p, role, f"{here}.parts[{j}]") for j, p in enumerate(m.parts))
        calls: tuple[ToolCall, ...] = ()
        if m.tool_calls:
            if role != "assistant":
                raise InvalidRequest(
                    f"{here}.tool_calls", f"only an assistant message calls tools, not a {role} message"
                )
            entries(len(m.tool_calls), f"{here}.tool_calls")
            calls = tuple(self._call(c, i, f"{here}.tool_calls[{k}]") for k, c in enumerate(m.tool_calls))
            self.tool_use = True
        if role == "tool":
            self._answer(m.tool_call_id, i, path)
            self.tool_use = True
        elif m.tool_call_id:
            raise InvalidRequest(
                f"{here}.tool_call_id",
                f'only a message of role "tool" answers a tool call, not a {role} message',
            )
        return ChatMessage(role, m.content, parts, calls, m.tool_call_id)

    def _part(self, p: pb.ContentPart, role: str, path: str) -> ContentPart:
        kind = p.WhichOneof("kind")
        if kind == "text":
            return p.text
        if kind != "image":
            raise InvalidRequest(path, "a part needs its text or its image")
        if role != "user":
            raise InvalidRequest(f"{path}.image", f"images go in user messages only, not in a {role} message")
        self.images = True
        return _image(p.image, f"{path}.image")

    def _call(self, c: pb.ToolCall, i: int, path: str) -> ToolCall:
        if not c.id:
            raise InvalidRequest(f"{path}.id", "a tool call needs its id, as the model gave it")
        string(c.id, f"{path}.id")
        if not c.name:
            raise InvalidRequest(f"{path}.name", "a tool call needs the name of the tool it calls")
        string(c.name, f"{path}.name")
        json_object(c.arguments, f"{path}.arguments", "the arguments", empty_hint=True)
        earlier = self._made.get(c.id)
        if earlier is not None:
            raise InvalidRequest(
                f"{path}.id",
                f"tool call id {clip(c.id)!r} is already used by a call of messages[{earlier}]; "
                "each call of a conversation has its own id",
            )
        self._made[c.id] = i
        return ToolCall(c.id, c.name, c.arguments)

    def _answer(self, call_id: str, i: int, path: str) -> None:
        field = f"{path}[{i}].tool_call_id"
        if not call_id:
            raise InvalidRequest(field, "a tool message needs the id of the call it answers")
        string(call_id, field)
        if call_id not in self._made:
            raise InvalidRequest(
                field,
                f"{clip(call_id)!r} answers no call of an earlier assistant message; "
                "send the assistant message with that call (its tool_calls) before the result",
            )
        earlier = self._answered.get(call_id)
        if earlier is not None:
            raise InvalidRequest(
                field, f"call {clip(call_id)!r} is already answered by messages[{earlier}]; answer each once"
            )
        self._answered[call_id] = i


def _image(image: pb.Image, path: str) -> ImagePart:
    source = image.WhichOneof("source")
    if source == "url":
        url = image.url
        scheme = url[:8].lower()
        if scheme == "https://" and len(url) > 8:
            return ImagePart(url=url)
        if scheme.startswith("data:"):
            _data_url(url, f"{path}.url")
            return ImagePart(url=url)
        raise InvalidRequest(f"{path}.url", "an image URL must be an https:// URL or a data: URL")
    if source == "data" and image.data:
        media_type = image.media_type
        if not media_type:
            raise InvalidRequest(f"{path}.media_type", f"image data needs its media type: one of {_MEDIA}")
        if media_type not in MEDIA_TYPES:
            raise InvalidRequest(
                f"{path}.media_type", f"unsupported media type {clip(media_type)!r}; use one of {_MEDIA}"
            )
        return ImagePart(data=image.data, media_type=media_type)
    raise InvalidRequest(path, "an image needs its url or its data (with media_type)")


def _data_url(url: str, path: str) -> None:
    """`data:<media type>;base64,<data>`, as every provider takes it."""
    head, comma, payload = url[5:].partition(",")
    media_type, _, encoding = head.partition(";")
    if not comma or not payload or encoding.lower() != "base64" or media_type.lower() not in MEDIA_TYPES:
        raise InvalidRequest(
            path, f"a data: URL must be data:<media type>;base64,<data>, the media type one of {_MEDIA}"
        )
    # Checked here, once: a provider would otherwise refuse it after selection,
    # and every fallback after it.
    try:
        base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise InvalidRequest(path, "the data: URL's data is not valid base64") from None


def tools(specs: Sequence[pb.Tool], path: str = "tools") -> tuple[ToolSpec, ...]:
    entries(len(specs), path)
    seen: dict[str, int] = {}
    out = []
    for i, t in enumerate(specs):
        here = f"{path}[{i}]"
        name = t.name
        if not NAME.fullmatch(name):
            raise InvalidRequest(
                f"{here}.name",
                f"a tool name is 1 to 64 letters, digits, '_' or '-', got {clip(name)!r}",
            )
        if name in seen:
            raise InvalidRequest(
                f"{here}.name", f"tool name {name!r} is already used by {path}[{seen[name]}]"
            )
        seen[name] = i
        parameters = json_object(t.parameters or _EMPTY_PARAMETERS, f"{here}.parameters", "a JSON Schema")
        kind = parameters.get("type", "object")
        if kind != "object":
            raise InvalidRequest(
                f"{here}.parameters",
                f'the arguments\' schema must be an object schema ("type": "object"), '
                f"got type {clip(orjson.dumps(kind).decode())}",
            )
        out.append(ToolSpec(name, t.description, parameters))
    return tuple(out)


def tool_choice(msg: WholeMessage, specs: Sequence[ToolSpec]) -> ToolChoice | None:
    """None: the provider's default (auto, with tools)."""
    choice = msg.tool_choice
    mode = _MODES.get(choice.mode)
    if mode is None:
        raise InvalidRequest(
            "tool_choice.mode", f"unknown ToolChoiceMode value {int(choice.mode)}; use {sorted(_MODES)}"
        )
    if not specs:
        if mode or choice.tool:
            raise InvalidRequest("tool_choice", "a tool choice needs tools; send the tools or no tool_choice")
        return None
    if mode == ToolChoiceMode.TOOL:
        if not choice.tool:
            raise InvalidRequest(
                "tool_choice.tool", "TOOL_CHOICE_MODE_TOOL needs the name of the tool to call"
            )
        if all(t.name != choice.tool for t in specs):
            names = ", ".join(t.name for t in specs[:8]) + (", ..." if len(specs) > 8 else "")
            raise InvalidRequest(
                "tool_choice.tool", f"{clip(choice.tool)!r} is not one of the request's tools ({names})"
            )
    elif choice.tool:
        raise InvalidRequest(
            "tool_choice.tool", "a tool is named only with TOOL_CHOICE_MODE_TOOL; set that mode or no tool"
        )
    return ToolChoice(mode, choice.tool) if mode else None


def response_format(msg: WholeMessage) -> ResponseFormat | None:
    """None: free text (unset, UNSPECIFIED and TEXT alike)."""
    f = msg.response_format
    kind = _FORMATS.get(f.type)
    if kind is None:
        raise InvalidRequest(
            "response_format.type", f"unknown ResponseFormatType value {int(f.type)}; use {sorted(_FORMATS)}"
        )
    if kind == FormatType.JSON_SCHEMA:
        if not f.schema:
            raise InvalidRequest(
                "response_format.schema", "RESPONSE_FORMAT_TYPE_JSON_SCHEMA needs the schema, as JSON text"
            )
        schema = json_object(f.schema, "response_format.schema", "a JSON Schema")
        if f.schema_name and not NAME.fullmatch(f.schema_name):
            raise InvalidRequest(
                "response_format.schema_name",
                f"a schema name is 1 to 64 letters, digits, '_' or '-', got {clip(f.schema_name)!r}",
            )
        return ResponseFormat(kind, f.schema_name, schema, f.strict)
    for name, value in (("schema", f.schema), ("schema_name", f.schema_name), ("strict", f.strict)):
        if value:
            raise InvalidRequest(f"response_format.{name}", "set only with RESPONSE_FORMAT_TYPE_JSON_SCHEMA")
    return ResponseFormat(kind) if kind == FormatType.JSON_OBJECT else None


def needs(
    conversation: Conversation | None, specs: Sequence[ToolSpec], fmt: ResponseFormat | None
) -> frozenset[str]:
    """The capabilities a request requires of the model that serves it: `tools` for
    tools (or tool calls and results in the conversation), `vision` for an image,
    `json_mode` for a JSON format."""
    found: list[str] = []
    if specs or (conversation is not None and conversation.tool_use):
        found.append(TOOLS)
    if conversation is not None and conversation.images:
        found.append(VISION)
    if fmt is not None:  # only the JSON formats are kept
        found.append(JSON_MODE)
    return frozenset(found)


def missing_sentence(model: str, missing: Iterable[str]) -> str:
    """Why a named model cannot serve the request, and what to do."""
    why = {TOOLS: "tools or tool calls", VISION: "an image", JSON_MODE: "a JSON response format"}
    said = "; ".join(f"{c} (the request has {why[c]})" for c in sorted(missing))
    return (
        f"model {model!r} lacks what this request needs: {said}; "
        "name a model with it, or let `selection` choose one"
    )


def json_object(text: str, path: str, what: str, empty_hint: bool = False) -> dict[str, Any]:
    """`text` parsed: a JSON object, nested at most MAX_JSON_DEPTH deep."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        hint = " (no arguments: {})" if empty_hint and not text else ""
        raise InvalidRequest(
            path, f"{what} must be a JSON object; this is not valid JSON{hint}: {exc}"
        ) from None
    if not isinstance(value, dict):
        raise InvalidRequest(path, f"{what} must be a JSON object, got a JSON {_json_kind(value)}")
    if not _within_depth(value):
        raise InvalidRequest(path, f"{what} is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _within_depth(value: dict[str, Any]) -> bool:
    """No stack: a walk over (container, depth) pairs."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return True
