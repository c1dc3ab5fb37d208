"""The offline provider: deterministic answers at the configured time to first
token and output speed, failing at the configured rate. The default
configuration, the benchmarks and the demos run on it.

What it answers, in this order:

- With tools and a tool choice other than NONE, a call of a tool (the one named
  by TOOL_CHOICE_MODE_TOOL, else the first), its arguments built from the tool's
  parameters schema (`schema_value`), finish reason "tool_calls". Under AUTO (or
  no tool choice) a conversation whose last message is a tool's result gets text
  instead: the model has what it asked for.
- Text: after tool results, what each tool answered; otherwise the last user
  message back (`reply: echo`, its images counted) or the configured text.
- With a JSON response format, that text as JSON: `{"answer": text}` for
  JSON_OBJECT, a value built from the schema for JSON_SCHEMA.

Text is cut at `max_output_tokens` (finish reason "length"). Streamed, text comes
a token (four characters) at a time, and each tool call as its id and name, then
its arguments in three pieces. Failures come from a random source seeded by the
model and deployment, so a run repeats. At zero latency nothing sleeps at all:
the event loop rounds even a zero-length sleep up to a scheduling round, which
would swamp the router's own overhead in a benchmark."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import orjson

from modelrouter.conversation import (
    TOOL_CALLS_FINISH,
    ChatMessage,
    FormatType,
    ToolCall,
    ToolCallDelta,
    ToolChoiceMode,
)
from modelrouter.domain import Deployment, ModelSpec, SimulatedBehaviour
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.selection.estimate import CHARS_PER_TOKEN, estimate_input_tokens, estimate_text_tokens

# Sleeps shorter than this are folded into the next one: the loop cannot do better.
MIN_SLEEP_S = 0.002
ARGUMENT_PIECES = 3
"""A streamed tool call's arguments come in this many pieces (after its id and name)."""
MAX_STRING_VALUE = 100
"""The most characters of a string built for a schema (from the last user message)."""
MAX_PADDED = 10_000
"""The longest a string built for a schema is padded to, whatever its minLength."""
MAX_ITEMS = 16
"""The most entries of an array built for a schema, whatever its minItems."""
MAX_SCHEMA_DEPTH = 32
"""How deep `schema_value` follows a schema (and its $refs) before giving null."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the simulated model says to a request."""

    text: str
    finish_reason: str
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def output_tokens(self) -> int:
        written = self.text + "".join(c.name + c.arguments for c in self.tool_calls)
        return estimate_text_tokens(written)


def reply(request: CompletionRequest, behaviour: SimulatedBehaviour) -> Reply:
    """The deterministic answer to `request`."""
    call = _tool_call(request)
    if call is not None:
        return Reply("", TOOL_CALLS_FINISH, (call,))
    messages = request.messages
    results = _tool_results(messages)
    if results:
        text = "; ".join(results)
    elif behaviour.reply == "echo":
        text = _last_user_text(messages, with_images=True)
    else:
        text = behaviour.reply
    fmt = request.response_format
    if fmt is not None and fmt.type == FormatType.JSON_OBJECT:
        text = orjson.dumps({"answer": text}).decode()
    elif fmt is not None and fmt.type == FormatType.JSON_SCHEMA:
        text = orjson.dumps(schema_value(fmt.schema or {}, _hint(messages))).decode()
    limit = request.max_output_tokens
    if limit is not None and estimate_text_tokens(text) > limit:
        return Reply(text[: limit * CHARS_PER_TOKEN], "length")
    return Reply(text, "stop")


def _tool_call(request: CompletionRequest) -> ToolCall | None:
    tools = request.tools
    if not tools:
        return None
    choice = request.tool_choice
    mode = ToolChoiceMode.AUTO if choice is None else choice.mode
    if mode == ToolChoiceMode.NONE:
        return None
    messages = request.messages
    if mode == ToolChoiceMode.AUTO and messages and messages[-1].role == "tool":
        return None  # the results are in: answer with them
    tool = tools[0]
    if mode == ToolChoiceMode.TOOL and choice is not None:
        tool = next((t for t in tools if t.name == choice.tool), tool)
    arguments = schema_value(tool.parameters, _hint(messages))
    if not isinstance(arguments, dict):
        arguments = {}
    return ToolCall(_new_call_id(messages), tool.name, orjson.dumps(arguments).decode())


def _new_call_id(messages: Sequence[ChatMessage]) -> str:
    """`call_<n>`: the first n past the calls made so far not taken in the conversation."""
    taken = {c.id for m in messages for c in m.tool_calls}
    n = len(taken) + 1
    while f"call_{n}" in taken:
        n += 1
    return f"call_{n}"


def _tool_results(messages: Sequence[ChatMessage]) -> list[str]:
    """What the tools answered, when the conversation ends in tool results: one
    sentence for each, naming the tool its call went to."""
    names = {c.id: c.name for m in messages for c in m.tool_calls}
    results: list[str] = []
    for m in reversed(messages):
        if m.role != "tool":
            break
        results.append(f"{names.get(m.tool_call_id, 'the tool')} answered: {m.text}")
    return results[::-1]


def _last_user_text(messages: Sequence[ChatMessage], with_images: bool = False) -> str:
    for m in reversed(messages):
        if m.role == "user":
            images = len(m.images) if with_images else 0
            if images:
                said = f"[{images} image{'s' if images > 1 else ''}]"
                return f"{m.text} {said}" if m.text else said
            return m.text
    return ""


def _hint(messages: Sequence[ChatMessage]) -> str:
    """The text a built string value takes: the start of the last user message."""
    return _last_user_text(messages)[:MAX_STRING_VALUE] or "text"


def schema_value(schema: Any, text: str) -> Any:
    """A value that matches `schema`, deterministically and minimally: `const`,
    else the first of `enum`, else `default`, else the first branch of
    anyOf/oneOf (all of allOf, merged, for objects), else by `type`: an object of
    its required properties (all of them when none is required), an array of
    minItems entries (at least one), `text` for a string (cut or padded to its
    length bounds), the least number its bounds allow (1 without any), true,
    null. Local `$ref`s ("#/$defs/x") are followed."""
    return _value(schema, text, schema if isinstance(schema, dict) else {}, 0)


def _value(schema: Any, text: str, root: dict[str, Any], depth: int) -> Any:
    if not isinstance(schema, dict) or depth > MAX_SCHEMA_DEPTH:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _value(_resolve(root, ref), text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            return _value(branches[0], text, root, depth + 1)
    branches = schema.get("allOf")
    if isinstance(branches, list) and branches:
        values = [_value(b, text, root, depth + 1) for b in branches]
        if all(isinstance(v, dict) for v in values):
            return {k: v for value in values for k, v in value.items()}
        return values[0]
    kind = _type(schema)
    if kind == "object":
        return _object(schema, text, root, depth)
    if kind == "array":
        count = schema.get("minItems")
        count = count if isinstance(count, int) and count > 0 else 1
        maximum = schema.get("maxItems")
        if isinstance(maximum, int):
            count = min(count, max(maximum, 0))
        return [_value(schema.get("items", {}), text, root, depth + 1) for _ in range(min(count, MAX_ITEMS))]
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, text)


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the first that is not null
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _object(schema: dict[str, Any], text: str, root: dict[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required")
    names = [n for n in required if isinstance(n, str)] if isinstance(required, list) and required else []
    return {n: _value(properties.get(n, {}), text, root, depth + 1) for n in names or properties}


def _number(schema: dict[str, Any], integer: bool) -> int | float:
    """The least value `minimum` and `exclusiveMinimum` allow (1 without them),
    brought down to `maximum`."""
    low, above, high = schema.get("minimum"), schema.get("exclusiveMinimum"), schema.get("maximum")
    value: float = low if _real(low) else 1
    if _real(above) and value <= above:
        value = math.floor(above) + 1 if integer else above + 1
    if _real(high) and value > high:
        value = high
    return math.ceil(value) if integer else float(value)


def _real(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _string(schema: dict[str, Any], text: str) -> str:
    longest, shortest = schema.get("maxLength"), schema.get("minLength")
    if isinstance(longest, int) and longest >= 0:
        text = text[:longest]
    if isinstance(shortest, int) and len(text) < shortest:
        text += "x" * (min(shortest, MAX_PADDED) - len(text))
    return text


def _resolve(root: dict[str, Any], ref: str) -> Any:
    """A local JSON pointer ("#/$defs/x"); None for anything else."""
    if not ref.startswith("#"):
        return None
    node: Any = root
    for token in ref[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def _pieces(r: Reply) -> list[str | ToolCallDelta]:
    """The stream of a reply: text a token at a time, then each call's id and
    name, then its arguments in ARGUMENT_PIECES pieces."""
    text = r.text
    items: list[str | ToolCallDelta] = [
        text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)
    ]
    for index, call in enumerate(r.tool_calls):
        items.append(ToolCallDelta(index, call.id, call.name))
        arguments = call.arguments
        size = max(1, -(-len(arguments) // ARGUMENT_PIECES))
        items += (
            ToolCallDelta(index, arguments=arguments[i : i + size]) for i in range(0, len(arguments), size)
        )
    return items


class SimulatedProvider:
    def __init__(self, behaviour: SimulatedBehaviour, seed: str) -> None:
        self._b = behaviour
        self._rng = random.Random(seed)

    def _fail_now(self) -> bool:
        return self._b.failure_rate > 0 and self._rng.random() < self._b.failure_rate

    def _duration_s(self, output_tokens: int) -> float:
        return (self._b.ttft_ms + output_tokens * 1000.0 / self._b.tokens_per_s) / 1000.0

    def _completion(self, request: CompletionRequest, r: Reply, output_tokens: int) -> Completion:
        return Completion(
            r.text,
            r.finish_reason,
            estimate_input_tokens(request.messages),
            output_tokens,
            True,
            r.tool_calls,
        )

    async def complete(self, request: CompletionRequest) -> Completion:
        r = reply(request, self._b)
        output_tokens = r.output_tokens
        duration = self._duration_s(output_tokens)
        if duration > request.timeout_s:
            await asyncio.sleep(request.timeout_s)
            raise ProviderError(
                Outcome.TIMEOUT, f"simulated answer takes {duration:.3g} s > {request.timeout_s:.3g} s"
            )
        if duration >= MIN_SLEEP_S:
            await asyncio.sleep(duration)
        if self._fail_now():
            raise ProviderError(Outcome.UNAVAILABLE, "simulated failure")
        return self._completion(request, r, output_tokens)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        r = reply(request, self._b)
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + request.timeout_s
        ttft_s = self._b.ttft_ms / 1000.0
        per_token_s = 1.0 / self._b.tokens_per_s
        if self._fail_now():
            await _sleep_until(loop, min(start + ttft_s, deadline))
            raise ProviderError(Outcome.UNAVAILABLE, "simulated failure")
        items = _pieces(r)
        for n, item in enumerate(items):
            due = start + ttft_s + n * per_token_s
            if due > deadline:
                await _sleep_until(loop, deadline)
                raise ProviderError(Outcome.TIMEOUT, f"simulated stream passes its {request.timeout_s:.3g} s")
            await _sleep_until(loop, due)
            yield item
        yield self._completion(request, r, r.output_tokens)

    async def probe(self, timeout_s: float) -> None:
        return None

    async def close(self) -> None:
        return None


async def _sleep_until(loop: asyncio.AbstractEventLoop, due: float) -> None:
    delay = due - loop.time()
    if delay >= MIN_SLEEP_S:
        await asyncio.sleep(delay)


def build(spec: ModelSpec, deployment: Deployment, api_key: str | None) -> SimulatedProvider:
    behaviour = spec.simulate or SimulatedBehaviour()
    return SimulatedProvider(behaviour, f"{spec.id}/{deployment.name}")
