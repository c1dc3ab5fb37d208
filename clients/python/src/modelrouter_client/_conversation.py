"""What a whole request says beyond plain chat: messages with text and images, the
tools a model may call and the calls it made, the tool choice, the answer's format and
the decision view. Plain frozen values and enums, like the rest of `_types`; `_messages`
and `_tools` turn them into protobuf.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

# -- enums ---------------------------------------------------------------------------------------
# (str, Enum) rather than StrEnum: the client supports Python 3.10, StrEnum is 3.11+.


class ToolChoice(str, enum.Enum):  # noqa: UP042
    """Whether the model must call a tool. Plain strings ("auto", "none", "required")
    work too, and so do a `Tool`, or the name of one of the request's tools, to make the
    model call that tool."""

    AUTO = "auto"
    """The model decides (the default when tools are sent)."""
    NONE = "none"
    """The model must not call a tool: it answers in text."""
    REQUIRED = "required"
    """The model must call at least one of the tools."""


class ResponseFormat(str, enum.Enum):  # noqa: UP042
    """The shape of the answer's text. Plain strings ("text", "json_object") work too; a
    `JsonSchema` asks for JSON matching a schema."""

    TEXT = "text"
    """Free text (the default)."""
    JSON_OBJECT = "json_object"
    """A JSON object, any shape; needs a model with the `json_mode` capability."""


class DecisionView(str, enum.Enum):  # noqa: UP042
    """How much of the selection decision an invoke's answer carries. Plain strings
    ("basic", "full") work too."""

    BASIC = "basic"
    """The chosen model, deployment, strategy and estimates: the ranking holds the
    chosen model only, and `rejected` is empty (the default: a small answer)."""
    FULL = "full"
    """Everything `select` answers: the whole ranking and every rejection."""


# -- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image in a user message, for a model with the `vision` capability: by URL
    (https: or data:), or by its bytes with their media type (image/png, image/jpeg,
    image/gif or image/webp). Build one with `from_url` or `from_bytes`."""

    url: str = ""
    data: bytes = field(default=b"", repr=False)  # an image's bytes make an unreadable repr
    media_type: str = ""

    @classmethod
    def from_url(cls, url: str) -> ImagePart:
        """An image the provider fetches (https://...), or a data: URL
        (data:image/png;base64,...)."""
        return cls(url=url)

    @classmethod
    def from_bytes(cls, data: bytes, media_type: str) -> ImagePart:
        """An image's bytes, sent as they are, with their media type ("image/png", ...)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: expected the image's bytes, got {type(data).__name__}")
        return cls(data=bytes(data), media_type=media_type)


ContentPart: TypeAlias = str | ImagePart
"""A piece of a message's content: text, or an image."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call of a tool that the model asked for: its id, the tool's name and the
    arguments, a JSON object as text (as the model wrote it)."""

    id: str
    name: str
    arguments: str = ""

    def json(self) -> Any:
        """The arguments, parsed (a dict, for a model that follows the schema); an empty
        string reads as {}. Raises ValueError when the text is not JSON."""
        return json.loads(self.arguments) if self.arguments else {}


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of one tool call of a streamed answer. The first piece of each call has
    its `id` and `name`; later ones carry more of its `arguments`, to append. Pieces of
    one call share its `index` (0, 1, ...)."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of a conversation. `role` is "system", "user", "assistant", or "tool"
    (a tool's result; `tool_call_id` names the call it answers: build it with
    `ChatMessage.tool_result`).

    The text is `content`; a user message with images has `parts` instead (text and
    `ImagePart`s in order). An assistant message carries the `tool_calls` the model
    made (`Completion.as_message()` builds it), so that the next turn can send them
    back with their results.
    """

    role: str
    content: str = ""
    parts: Sequence[ContentPart] = ()
    tool_calls: Sequence[ToolCall] = ()
    tool_call_id: str = ""

    def __post_init__(self) -> None:
        # Kept as tuples, so that equal messages compare equal however they were built.
        for name in ("parts", "tool_calls"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise TypeError(f"{name}: expected a list, got {value!r}")
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @classmethod
    def tool_result(cls, call: ToolCall | str, content: object) -> ChatMessage:
        """The message answering a tool call (a `ToolCall` or its id) with what the tool
        returned: a string as it is, anything else (a dict, a list, a number) as JSON."""
        call_id = call.id if isinstance(call, ToolCall) else call
        if not isinstance(call_id, str):
            raise TypeError(f"call: expected a ToolCall or its id, got {call!r}")
        text = content if isinstance(content, str) else json_text(content, "content")
        return cls("tool", text, tool_call_id=call_id)

    @property
    def text(self) -> str:
        """All the message's text, in order: `content`, or its text parts joined."""
        if not self.parts:
            return self.content
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        """The message's images, in order."""
        return tuple(p for p in self.parts if isinstance(p, ImagePart))


# -- tools and formats ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may ask to call. `parameters` is the JSON Schema of its
    arguments, an object schema: a dict (sent as JSON) or JSON text; None for a tool
    without arguments."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] | str | None = None


@dataclass(frozen=True, slots=True)
class JsonSchema:
    """Ask for an answer that is JSON matching `schema` (a dict, or JSON text); needs a
    model with the `json_mode` capability. `name` names the schema for the provider
    (letters, digits, "_" and "-"); `strict` asks the provider to follow it exactly,
    where it can."""

    name: str
    schema: Mapping[str, Any] | str
    strict: bool = False


def json_text(value: object, name: str) -> str:
    """`value` as compact JSON text; TypeError (naming `name`) for what JSON cannot hold."""

    def plain(o: object) -> object:
        # Read-only mappings (MappingProxyType) and other Mappings are JSON objects too.
        if isinstance(o, Mapping):
            return dict(o)
        raise TypeError(f"{type(o).__name__} is not JSON")

    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=plain)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: cannot be sent as JSON: {e}") from None
