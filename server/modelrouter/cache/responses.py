"""The response cache: answers kept under a stable hash of everything that
determines them, read and written as each call's cache policy says, and filled
once for concurrent identical misses (single flight).

The key covers the model named or the selection asked for (with the capabilities
the request's contents require), the messages whole (parts, images by a digest of
their bytes or URL, tool calls, tool_call_id), the generation parameters, the
tools, the tool choice and the response format. The policy: `USE` reads and writes whatever the
temperature; `BYPASS` neither; `REFRESH` writes a fresh answer without reading;
unspecified follows `cache.default_policy` (`deterministic`: use only when the
temperature is set to 0; `always`; `never`)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from structlog.typing import FilteringBoundLogger

from modelrouter.cache.memory import MemoryCache
from modelrouter.clock import Clock, monotonic
from modelrouter.conversation import ChatMessage, ContentPart, ToolCall
from modelrouter.domain import InvokeCall, InvokeParams


class Policy:
    """The request's CachePolicy values (the proto enum's numbers)."""

    UNSPECIFIED = 0
    USE = 1
    BYPASS = 2
    REFRESH = 3


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    text: str
    finish_reason: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    model: str
    deployment: str
    tool_calls: tuple[ToolCall, ...] = ()

    def dumps(self) -> bytes:
        fields: list[Any] = [
            self.text,
            self.finish_reason,
            self.input_tokens,
            self.output_tokens,
            self.cost_usd,
            self.model,
            self.deployment,
        ]
        if self.tool_calls:
            fields.append([[c.id, c.name, c.arguments] for c in self.tool_calls])
        return orjson.dumps(fields)

    @staticmethod
    def loads(raw: bytes) -> CachedAnswer:
        # Seven fields: an answer without tool calls (as every one was before them).
        text, finish, inp, out, cost, model, deployment, *calls = orjson.loads(raw)
        tool_calls = tuple(ToolCall(i, n, a) for i, n, a in calls[0]) if calls else ()
        return CachedAnswer(text, finish, inp, out, cost, model, deployment, tool_calls)


def _message(m: ChatMessage) -> list[Any]:
    """A message's identity: [role, content] when plain, else with its parts,
    tool calls and tool_call_id (a longer list: never equal to a plain one's)."""
    if not (m.parts or m.tool_calls or m.tool_call_id):
        return [m.role, m.content]
    return [
        m.role,
        m.content,
        [_part(p) for p in m.parts],
        [[c.id, c.name, c.arguments] for c in m.tool_calls],
        m.tool_call_id,
    ]


def _part(p: ContentPart) -> str | list[str]:
    """Text as itself; an image by a digest of its URL or its bytes (a key never
    holds megabytes of image), with its media type."""
    if isinstance(p, str):
        return p
    if p.url:
        return ["url", hashlib.sha256(p.url.encode()).hexdigest()]
    return ["data", p.media_type, hashlib.sha256(p.data).hexdigest()]


def _whole(p: InvokeParams) -> list[Any]:
    """The tools (parameters as the caller wrote them, key order kept: a model
    reads them in that order), the tool choice and the response format."""
    choice, fmt = p.tool_choice, p.response_format
    return [
        [[t.name, t.description, t.parameters] for t in p.tools],
        None if choice is None else [choice.mode, choice.tool],
        None if fmt is None else [fmt.type, fmt.name, fmt.schema, fmt.strict],
    ]


# A cache that fails (Redis down) is a miss, with a warning at most this often.
WARN_EVERY_S = 10.0
# How long a read or write of a backend that can wait (Redis) may take when not
# configured (`cache.timeout_ms`): a hung cache must cost a call little.
DEFAULT_TIMEOUT_S = 0.05
# Closing waits on no answer, only on sockets closing: longer than a call's bound,
# but bounded all the same, so that a hung cache cannot hold up shutdown.
CLOSE_TIMEOUT_S = 1.0


class ResponseCache:
    def __init__(
        self,
        backend: Any | None,
        ttl_s: float,
        default_policy: str,
        log: FilteringBoundLogger | None = None,
        clock: Clock = monotonic,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """`backend`: an aiocache cache, or None to cache nothing. `timeout_s` bounds
        each read and write of a backend other than the memory one (which never
        waits); `clock` is the one callers' deadlines are on."""
        self._backend = backend
        self._memory = backend if isinstance(backend, MemoryCache) and not backend.plugins else None
        self._timeout = timeout_s
        self._ttl = ttl_s or None
        self._default = default_policy
        self._log = log
        self._clock = clock
        self._warned_at = -WARN_EVERY_S
        self._flights: dict[str, asyncio.Future[CachedAnswer]] = {}
        self.hits = 0
        self.misses = 0
        self.errors = 0

    def modes(self, policy: int, temperature: float | None) -> tuple[bool, bool]:
        """(read, write) for a call's policy."""
        if self._backend is None or policy == Policy.BYPASS:
            return False, False
        if policy == Policy.USE:
            return True, True
        if policy == Policy.REFRESH:
            return False, True
        if self._default == "always" or (self._default == "deterministic" and temperature == 0):
            return True, True
        return False, False

    @staticmethod
    def key(call: InvokeCall) -> str:
        p = call.params
        fields: list[Any] = [
            call.model or "",
            call.selection_key.hex(),
            [_message(m) for m in p.messages],
            p.max_output_tokens,
            p.temperature,
            list(p.stop),
        ]
        if p.tools or p.tool_choice is not None or p.response_format is not None:
            fields.append(_whole(p))
        return "mr:resp:" + hashlib.sha256(orjson.dumps(fields)).hexdigest()

    async def get(self, key: str, deadline: float | None = None) -> CachedAnswer | None:
        """The cached answer, or None: on a miss, and when the cache fails or does
        not answer within its timeout or what is left of `deadline` (absolute, on
        the clock)."""
        assert self._backend is not None
        try:
            # The memory cache answers synchronously: no timer on the hit path.
            raw = self._memory.lookup(key) if self._memory is not None else await self._fetch(key, deadline)
            answer = None if raw is None else CachedAnswer.loads(raw)
        except Exception as exc:  # a cache outage must not fail the call
            self._failed("read", exc)
            answer = None
        if answer is None:
            self.misses += 1
        else:
            self.hits += 1
        return answer

    async def _fetch(self, key: str, deadline: float | None) -> Any:
        assert self._backend is not None
        allowed = self._allowed(deadline)
        if allowed <= 0:
            return None  # no time left to ask: a miss
        async with asyncio.timeout(allowed):
            return await self._backend.get(key)

    async def put(self, key: str, answer: CachedAnswer, deadline: float | None = None) -> None:
        """Stores the answer; a write that fails, or outlasts the cache's timeout
        or what is left of `deadline`, is given up (the caller has its answer)."""
        assert self._backend is not None
        value = answer.dumps()
        try:
            if self._memory is not None:  # never waits: no timer
                await self._backend.set(key, value, ttl=self._ttl)
                return
            allowed = self._allowed(deadline)
            if allowed <= 0:
                return  # the caller has no time left to wait for a write
            async with asyncio.timeout(allowed):
                await self._backend.set(key, value, ttl=self._ttl)
        except Exception as exc:
            self._failed("write", exc)

    def _allowed(self, deadline: float | None) -> float:
        """How long a read or write may wait: the cache's own bound, cut to what
        is left of the caller's deadline."""
        if deadline is None:
            return self._timeout
        return min(self._timeout, deadline - self._clock())

    def _failed(self, what: str, exc: Exception) -> None:
        self.errors += 1
        now = self._clock()
        if self._log is not None and now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            # A timeout says nothing in its repr: say what it was.
            error = "no answer in time" if isinstance(exc, TimeoutError) else repr(exc)
            self._log.warning(
                "response cache unavailable",
                op=what,
                error=error,
                errors=self.errors,
                timeout_ms=round(self._timeout * 1000),
            )

    async def close(self) -> None:
        if self._backend is not None:
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await self._backend.close()
            except Exception as exc:
                self._failed("close", exc)

    async def single_flight(
        self, key: str, produce: Callable[[], Awaitable[CachedAnswer]]
    ) -> tuple[CachedAnswer, bool]:
        """`produce()` once for concurrent callers of the same key; the others wait for
        its answer. Returns the answer and whether this caller produced it. A failed
        producer lets each waiter try on its own."""
        flight = self._flights.get(key)
        if flight is not None:
            try:
                return await asyncio.shield(flight), False
            except Exception:
                pass
        future: asyncio.Future[CachedAnswer] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        try:
            answer = await produce()
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
                future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            future.set_result(answer)
            return answer, True
        finally:
            if self._flights.get(key) is future:
                del self._flights[key]
