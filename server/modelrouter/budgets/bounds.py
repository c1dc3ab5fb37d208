"""An upper bound of a call's cost, reserved against budgets before the call."""

from __future__ import annotations

import math
from collections.abc import Sequence

from modelrouter.domain import ChatMessage, Pricing
from modelrouter.usage.figures import NANO

# Tokens a chat template adds around each message and around the whole prompt; the
# templates in use add 3 to 7 per message.
PER_MESSAGE = 8
PER_REQUEST = 16


def input_token_bound(messages: Sequence[ChatMessage]) -> int:
    """No tokenizer in use makes more tokens than UTF-8 bytes (byte-level BPE and
    SentencePiece with byte fallback both cover at least one byte per token)."""
    return PER_REQUEST + sum(len(m.content.encode()) + len(m.role) + PER_MESSAGE for m in messages)


def cost_bound_nusd(pricing: Pricing, input_tokens: int, output_tokens: int) -> int:
    return math.ceil(pricing.cost(input_tokens, output_tokens) * NANO) + 1


def cost_nusd(pricing: Pricing, input_tokens: int, output_tokens: int) -> int:
    return round(pricing.cost(input_tokens, output_tokens) * NANO)
