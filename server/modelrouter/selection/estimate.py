"""Token estimates for a request that does not state its counts.

No tokenizer is loaded (nothing may download at run time); about four characters
make a token in English text under the common BPE vocabularies, and each message
costs a few tokens of framing. Estimates only steer selection; real counts come
from the provider."""

from __future__ import annotations

from collections.abc import Sequence

from modelrouter.conversation import ChatMessage

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REPLY = 3
IMAGE_TOKENS = 800
"""A typical image's input tokens (providers count 85 to about 1,600 by its size)."""


def estimate_input_tokens(messages: Sequence[ChatMessage]) -> int:
    total = TOKENS_PER_REPLY
    for m in messages:
        chars = len(m.content)
        if m.parts or m.tool_calls:  # the rare whole request: its text, calls and images
            chars = len(m.text) + sum(len(c.name) + len(c.arguments) for c in m.tool_calls)
            total += IMAGE_TOKENS * len(m.images)
        total += TOKENS_PER_MESSAGE + (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
    return total


def resolve_token_counts(
    expected_input: int,
    expected_output: int,
    messages: Sequence[ChatMessage],
    max_output_tokens: int,
    default_input: int,
    default_output: int,
) -> tuple[int, int]:
    """The (input, output) counts the estimates assume: stated, else derived, else defaults."""
    if expected_input > 0:
        input_tokens = expected_input
    elif messages:
        input_tokens = estimate_input_tokens(messages)
    else:
        input_tokens = default_input
    if expected_output > 0:
        output_tokens = expected_output
    elif max_output_tokens > 0:
        output_tokens = max_output_tokens
    else:
        output_tokens = default_output
    return input_tokens, output_tokens


def estimate_text_tokens(text: str) -> int:
    """Tokens in a generated text when the provider does not report them."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
