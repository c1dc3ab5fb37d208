"""The offline provider: deterministic text at the configured time to first token
and output speed, failing at the configured rate. The default configuration, the
benchmarks and the demos run on it.

Text: the last user message back (`reply: echo`) or the configured text, cut at
`max_output_tokens` (finish reason "length"). Failures come from a random source
seeded by the model and deployment, so a run repeats. At zero latency nothing
sleeps at all: the event loop rounds even a zero-length sleep up to a scheduling
round, which would swamp the router's own overhead in a benchmark."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator

from modelrouter.domain import Deployment, ModelSpec, SimulatedBehaviour
from modelrouter.providers.base import Completion, CompletionRequest, Outcome, ProviderError, StreamItem
from modelrouter.selection.estimate import CHARS_PER_TOKEN, estimate_input_tokens, estimate_text_tokens

# Sleeps shorter than this are folded into the next one: the loop cannot do better.
MIN_SLEEP_S = 0.002


class SimulatedProvider:
    def __init__(self, behaviour: SimulatedBehaviour, seed: str) -> None:
        self._b = behaviour
        self._rng = random.Random(seed)

    def _answer(self, request: CompletionRequest) -> tuple[str, str]:
        if self._b.reply == "echo":
            users = [m.content for m in request.messages if m.role == "user"]
            text = users[-1] if users else ""
        else:
            text = self._b.reply
        limit = request.max_output_tokens
        if limit is not None and estimate_text_tokens(text) > limit:
            return text[: limit * CHARS_PER_TOKEN], "length"
        return text, "stop"

    def _fail_now(self) -> bool:
        return self._b.failure_rate > 0 and self._rng.random() < self._b.failure_rate

    def _duration_s(self, output_tokens: int) -> float:
        return (self._b.ttft_ms + output_tokens * 1000.0 / self._b.tokens_per_s) / 1000.0

    async def complete(self, request: CompletionRequest) -> Completion:
        text, finish = self._answer(request)
        output_tokens = estimate_text_tokens(text)
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
        return Completion(text, finish, estimate_input_tokens(request.messages), output_tokens, True)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        text, finish = self._answer(request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + request.timeout_s
        ttft_s = self._b.ttft_ms / 1000.0
        per_token_s = 1.0 / self._b.tokens_per_s
        if self._fail_now():
            await _sleep_until(loop, min(start + ttft_s, deadline))
            raise ProviderError(Outcome.UNAVAILABLE, "simulated failure")
        chunks = [text[i : i + CHARS_PER_TOKEN] for i in range(0, len(text), CHARS_PER_TOKEN)]
        for n, chunk in enumerate(chunks):
            due = start + ttft_s + n * per_token_s
            if due > deadline:
                await _sleep_until(loop, deadline)
                raise ProviderError(Outcome.TIMEOUT, f"simulated stream passes its {request.timeout_s:.3g} s")
            await _sleep_until(loop, due)
            yield chunk
        yield Completion(text, finish, estimate_input_tokens(request.messages), len(chunks), True)

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
