"""An upper bound of a call's cost, reserved against budgets before the call."""

from __future__ import annotations

import math
from collections.abc import Sequence

import orjson

from modelrouter.conversation import ChatMessage, ResponseFormat, ToolSpec
from modelrouter.domain import Pricing
from modelrouter.usage.figures import NANO

# Tokens a chat template adds around each message and around the whole prompt; the
# templates in use add 3 to 7 per message.
PER_MESSAGE = 8
PER_REQUEST = 16
# The most input tokens one image is counted for by the providers supported (OpenAI's
# high detail: 85 + 170 per 512 px tile, at most 1,105 after scaling; Anthropic's:
# width x height / 750, at most about 1,600), with room to spare.
PER_IMAGE = 2_000


def input_token_bound(
    messages: Sequence[ChatMessage],
    tools: Sequence[ToolSpec] = (),
    response_format: ResponseFormat | None = None,
) -> int:
    """No tokenizer in use makes more tokens than UTF-8 bytes (byte-level BPE and
    SentencePiece with byte fallback both cover at least one byte per token).
    Tool definitions and an answer's schema are prompt text too (Anthropic gets the
    schema as a tool): their JSON's bytes count."""
    total = PER_REQUEST
    for m in messages:
        total += len(m.content.encode()) + len(m.role) + PER_MESSAGE
        if m.parts or m.tool_calls or m.tool_call_id:
            total += sum(len(p.encode()) for p in m.parts if isinstance(p, str))
            total += PER_IMAGE * len(m.images)
            total += sum(
                len(c.id) + len(c.name) + len(c.arguments.encode()) + PER_MESSAGE for c in m.tool_calls
            )
            total += len(m.tool_call_id)
    for t in tools:
        total += len(t.name) + len(t.description.encode()) + len(orjson.dumps(t.parameters)) + PER_MESSAGE
    if response_format is not None and response_format.schema is not None:
        total += len(response_format.name) + len(orjson.dumps(response_format.schema)) + PER_MESSAGE
    return total


def cost_bound_nusd(pricing: Pricing, input_tokens: int, output_tokens: int) -> int:
    return math.ceil(pricing.cost(input_tokens, output_tokens) * NANO) + 1


def cost_nusd(pricing: Pricing, input_tokens: int, output_tokens: int) -> int:
    return round(pricing.cost(input_tokens, output_tokens) * NANO)
