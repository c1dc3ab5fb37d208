"""What a whole request says, whichever provider serves it: messages with text and
images, the tools a model may call and the calls it made, the tool choice and the
answer's format. Validated once by the API layer (`modelrouter.api.convert`);
each provider adapter translates these to its own wire format and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image in a message: by URL (https: or data:), or by its bytes."""

    url: str = ""
    data: bytes = b""
    media_type: str = ""
    """With `data`: image/png, image/jpeg, image/gif or image/webp."""


ContentPart = str | ImagePart
"""A piece of a message's content: text, or an image."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call of a tool that a model asked for."""

    id: str
    name: str
    arguments: str
    """A JSON object, as text (as the model wrote it)."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    """"system", "user", "assistant" or "tool"."""
    content: str
    """The text, when the message is plain text (then `parts` is empty)."""
    parts: tuple[ContentPart, ...] = ()
    """Text and images in order, when the message has any image."""
    tool_calls: tuple[ToolCall, ...] = ()
    """An assistant message's calls."""
    tool_call_id: str = ""
    """A tool message: the call it answers."""

    @property
    def text(self) -> str:
        """All the message's text, in order (images left out)."""
        if not self.parts:
            return self.content
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(p for p in self.parts if isinstance(p, ImagePart))


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    """The arguments' JSON Schema, parsed: an object schema."""


class ToolChoiceMode:
    """Whether the model must call a tool: the wire words, lower case."""

    AUTO: Final = "auto"
    NONE: Final = "none"
    REQUIRED: Final = "required"
    TOOL: Final = "tool"
    """The tool named in ToolChoice.tool."""


@dataclass(frozen=True, slots=True)
class ToolChoice:
    mode: str
    """One of ToolChoiceMode."""
    tool: str = ""
    """With ToolChoiceMode.TOOL: the tool's name."""


class FormatType:
    """The answer's shape."""

    TEXT: Final = "text"
    JSON_OBJECT: Final = "json_object"
    JSON_SCHEMA: Final = "json_schema"


@dataclass(frozen=True, slots=True)
class ResponseFormat:
    type: str
    """One of FormatType."""
    name: str = ""
    """With JSON_SCHEMA: the schema's name."""
    schema: dict[str, Any] | None = None
    """With JSON_SCHEMA: the JSON Schema, parsed."""
    strict: bool = False


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of one tool call of a streamed answer: the first piece of a call
    has its id and name, later ones more of its arguments' text."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


TOOL_CALLS_FINISH: Final = "tool_calls"
"""The finish reason of an answer that ends in tool calls, whatever the provider
calls it (Anthropic: "tool_use")."""
