"""An invoke's tools, tool choice, response format and decision view -> protobuf.

The words the client takes ("auto", "json_object", "full", ...) are checked here, since
a word the client does not know cannot be sent at all: ValueError naming the argument.
What the contract decides (tool names, that a schema is an object schema, that a tool
choice comes with tools) is left to the server, which answers INVALID_ARGUMENT naming
the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelrouter_client._conversation import (
    DecisionView,
    JsonSchema,
    ResponseFormat,
    Tool,
    ToolChoice,
    json_text,
)
from modelrouter_client._proto import router_pb2 as pb

_MODES: dict[ToolChoice, pb.ToolChoiceMode] = {
    ToolChoice.AUTO: pb.TOOL_CHOICE_MODE_AUTO,
    ToolChoice.NONE: pb.TOOL_CHOICE_MODE_NONE,
    ToolChoice.REQUIRED: pb.TOOL_CHOICE_MODE_REQUIRED,
}
_FORMATS: dict[ResponseFormat, pb.ResponseFormatType] = {
    ResponseFormat.TEXT: pb.RESPONSE_FORMAT_TYPE_TEXT,
    ResponseFormat.JSON_OBJECT: pb.RESPONSE_FORMAT_TYPE_JSON_OBJECT,
}
_VIEWS: dict[DecisionView, pb.DecisionView] = {
    DecisionView.BASIC: pb.DECISION_VIEW_BASIC,
    DecisionView.FULL: pb.DECISION_VIEW_FULL,
}


def tools(values: Sequence[Tool] | None) -> list[pb.Tool]:
    if values is None:
        return []
    if isinstance(values, (str, Tool)) or not isinstance(values, Sequence):
        raise TypeError(f"tools: expected a list of Tool values, got {values!r}")
    out = []
    for i, tool in enumerate(values):
        if not isinstance(tool, Tool):
            raise TypeError(f"tools[{i}]: expected a Tool, got {tool!r}")
        if not isinstance(tool.name, str) or not isinstance(tool.description, str):
            raise TypeError(f"tools[{i}]: name and description must be strings, got {tool!r}")
        parameters = schema_text(tool.parameters, f"tools[{i}].parameters")
        out.append(pb.Tool(name=tool.name, description=tool.description, parameters=parameters))
    return out


def schema_text(value: Mapping[str, Any] | str | None, name: str) -> str:
    """A schema given as a dict (sent as JSON) or as JSON text (sent as it is)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{name}: expected a JSON Schema as a dict or as JSON text, got {value!r}")
    return json_text(value, name)


def tool_choice(value: ToolChoice | Tool | str | None, given: Sequence[Tool] | None) -> pb.ToolChoice | None:
    """None (not sent: the model decides), a mode, or the tool the model must call: a
    Tool, or the name of one of `given`. A mode's word wins over a tool of that name;
    pass the Tool to make the model call a tool named "auto"."""
    if value is None:
        return None
    if isinstance(value, Tool):
        return pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool=value.name)
    if not isinstance(value, str):
        raise TypeError(f"tool_choice: expected auto, none, required, a Tool or a tool's name, got {value!r}")
    try:
        return pb.ToolChoice(mode=_MODES[ToolChoice(value.lower())])
    except ValueError:
        pass
    names = [t.name for t in given or () if isinstance(t, Tool)]
    if value not in names:
        listed = f"one of the tools ({', '.join(names)})" if names else "a tool (no tools were given)"
        raise ValueError(
            f"tool_choice: {value!r} is neither auto, none, required nor the name of {listed}"
        ) from None
    return pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool=value)


def response_format(value: ResponseFormat | JsonSchema | str | None) -> pb.ResponseFormat | None:
    """None (not sent: free text), "text", "json_object", or a JsonSchema."""
    if value is None:
        return None
    if isinstance(value, JsonSchema):
        if not isinstance(value.name, str) or not isinstance(value.strict, bool):
            raise TypeError(f"response_format: name must be a string and strict a bool, got {value!r}")
        if value.schema is None:
            raise TypeError("response_format.schema: a JsonSchema needs its schema")
        return pb.ResponseFormat(
            type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA,
            schema_name=value.name,
            schema=schema_text(value.schema, "response_format.schema"),
            strict=value.strict,
        )
    if not isinstance(value, str):
        raise TypeError(f"response_format: expected text, json_object or a JsonSchema, got {value!r}")
    try:
        return pb.ResponseFormat(type=_FORMATS[ResponseFormat(value.lower())])
    except ValueError:
        hint = "; for a schema, pass JsonSchema(name, schema)" if value.lower() == "json_schema" else ""
        raise ValueError(
            f"response_format: unknown format {value!r}; expected text, json_object or a JsonSchema{hint}"
        ) from None


def decision_view(value: DecisionView | str | None) -> pb.DecisionView:
    """None: not sent (the server's default, BASIC)."""
    if value is None:
        return pb.DECISION_VIEW_UNSPECIFIED
    if not isinstance(value, str):
        raise TypeError(f"decision_view: expected basic or full, got {value!r}")
    try:
        return _VIEWS[DecisionView(value.lower())]
    except ValueError:
        raise ValueError(f"decision_view: unknown view {value!r}; expected basic or full") from None
