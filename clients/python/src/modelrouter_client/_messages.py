"""Messages, in any of the forms the client takes, -> protobuf ChatMessages.

Only the shape is checked here (types, which keys a dict may have, an image with
one source): what the contract decides (roles, media types, that a tool result
answers an earlier call) is the server's to refuse, so every caller sees the same
INVALID_ARGUMENT for it. Each error names the message and the part at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modelrouter_client._conversation import ChatMessage, ImagePart, ToolCall, json_text
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._types import MessageLike, MessagesLike

_DICT_KEYS = ("role", "content", "parts", "tool_calls", "tool_call_id")
_CALL_KEYS = ("id", "name", "arguments")


def chat_messages(messages: MessagesLike) -> list[pb.ChatMessage]:
    """Messages as ChatMessage values, (role, content) tuples or dicts; a bare string is
    one user message."""
    if isinstance(messages, str):
        return [pb.ChatMessage(role="user", content=messages)]
    return [chat_message(m, i) for i, m in enumerate(messages)]


def chat_message(message: MessageLike, index: int = 0) -> pb.ChatMessage:
    here = f"messages[{index}]"
    if isinstance(message, ChatMessage):
        return _message(
            here, message.role, message.content, message.parts, message.tool_calls, message.tool_call_id
        )
    if isinstance(message, Mapping):
        return _from_dict(here, message)
    if isinstance(message, (tuple, list)) and len(message) == 2:
        role, content = message
        return _message(here, role, content, (), (), "")
    raise TypeError(
        f"{here}: expected a ChatMessage, a (role, content) tuple or a dict "
        f"with 'role' and 'content', got {message!r}"
    )


def _from_dict(here: str, message: Mapping[str, object]) -> pb.ChatMessage:
    unknown = [k for k in message if k not in _DICT_KEYS]
    if unknown:
        keys = ", ".join(_DICT_KEYS)
        raise TypeError(f"{here}: unknown key {unknown[0]!r}; a message dict has {keys}")
    if not any(k in message for k in ("content", "parts", "tool_calls")):
        raise TypeError(f"{here}: a message dict needs 'content', 'parts' or 'tool_calls', got {message!r}")
    return _message(
        here,
        message.get("role"),
        message.get("content", ""),
        _listed(message.get("parts", ()), f"{here}.parts"),
        _listed(message.get("tool_calls", ()), f"{here}.tool_calls"),
        message.get("tool_call_id", ""),
    )


def _listed(value: object, here: str) -> Sequence[object]:
    # A bare string is a Sequence too: its characters are never what was meant.
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{here}: expected a list, got {value!r}")
    return value


def _message(
    here: str,
    role: object,
    content: object,
    parts: Sequence[object],
    tool_calls: Sequence[object],
    tool_call_id: object,
) -> pb.ChatMessage:
    if not isinstance(role, str) or not isinstance(content, str):
        raise TypeError(f"{here}: role and content must be strings, got role={role!r} content={content!r}")
    if not isinstance(tool_call_id, str):
        raise TypeError(f"{here}.tool_call_id: expected a string, got {tool_call_id!r}")
    return pb.ChatMessage(
        role=role,
        content=content,
        parts=[_part(p, f"{here}.parts[{j}]") for j, p in enumerate(parts)],
        tool_calls=[tool_call(c, f"{here}.tool_calls[{k}]") for k, c in enumerate(tool_calls)],
        tool_call_id=tool_call_id,
    )


def _part(part: object, here: str) -> pb.ContentPart:
    if isinstance(part, str):
        return pb.ContentPart(text=part)
    if isinstance(part, ImagePart):
        return pb.ContentPart(image=image(part, here))
    raise TypeError(f"{here}: expected text (a string) or an ImagePart, got {part!r}")


def image(part: ImagePart, here: str) -> pb.Image:
    if part.url and part.data:
        raise ValueError(f"{here}: an ImagePart has a url or data, not both")
    if part.url:
        return pb.Image(url=part.url, media_type=part.media_type)
    if not isinstance(part.data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{here}.data: expected bytes, got {type(part.data).__name__}")
    # An image with neither is sent as it is, for the server to refuse naming the field.
    return pb.Image(data=bytes(part.data), media_type=part.media_type)


def tool_call(call: object, here: str) -> pb.ToolCall:
    """A ToolCall, or a dict with "id", "name" and "arguments" (JSON text, or a dict)."""
    call_id: object
    name: object
    arguments: object
    if isinstance(call, ToolCall):
        call_id, name, arguments = call.id, call.name, call.arguments
    elif isinstance(call, Mapping):
        unknown = [k for k in call if k not in _CALL_KEYS]
        if unknown:
            keys = ", ".join(_CALL_KEYS)
            raise TypeError(f"{here}: unknown key {unknown[0]!r}; a tool call dict has {keys}")
        call_id, name, arguments = call.get("id"), call.get("name"), call.get("arguments", "")
        if isinstance(arguments, Mapping):
            arguments = json_text(arguments, f"{here}.arguments")
    else:
        raise TypeError(f"{here}: expected a ToolCall, got {call!r}")
    if not (isinstance(call_id, str) and isinstance(name, str) and isinstance(arguments, str)):
        raise TypeError(f"{here}: id, name and arguments must be strings, got {call!r}")
    return pb.ToolCall(id=call_id, name=name, arguments=arguments)
