"""`http.sse_events`'s own line splitting and `http.ResponseBudget`, on bodies fed
in chosen pieces (the adapters' tests cover them over real sockets)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import cast

import aiohttp
import pytest

from modelrouter.providers.base import Outcome, ProviderError
from modelrouter.providers.http import ResponseBudget, read_body, sse_events

MiB = 1024 * 1024


class _Content:
    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = deque(pieces)

    async def readany(self) -> bytes:
        return self._pieces.popleft() if self._pieces else b""


class _Response:
    """What the readers use of an aiohttp response: `content.readany()` and `close()`."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self.content = _Content(pieces)
        self.closed = False

    def close(self) -> None:
        self.closed = True


def response(pieces: Iterable[bytes]) -> tuple[_Response, aiohttp.ClientResponse]:
    stub = _Response(pieces)
    return stub, cast(aiohttp.ClientResponse, stub)


async def events(pieces: Iterable[bytes], max_response_bytes: int = 4 * MiB) -> list[tuple[str, str]]:
    _, resp = response(pieces)
    return [e async for e in sse_events(resp, ResponseBudget(resp, max_response_bytes))]


BODY = (
    b": a comment\r\n"
    b"event: message_start\r\n"
    b'data: {"a": 1}\r\n'
    b"\r\n"
    b"data: first\n"
    b"data: second\n"
    b"\n"
    b"data:no space\n"
    b"\n"
    b"event: last\n"
    b"data: \xc3\xa9t\xc3\xa9"  # no newline at the end of the body
)
EXPECTED = [
    ("message_start", '{"a": 1}'),
    ("", "first\nsecond"),
    ("", "no space"),
    ("last", "été"),
]


async def test_events_in_one_piece() -> None:
    assert await events([BODY]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 7])
async def test_events_split_anywhere(size: int) -> None:
    pieces = [BODY[i : i + size] for i in range(0, len(BODY), size)]
    assert await events(pieces) == EXPECTED


async def test_a_line_longer_than_aiohttp_would_take_is_read() -> None:
    text = "a" * (2 * MiB)
    pieces = [b"data: ", *([b"a" * 65536] * 32), b"\n\n"]
    assert await events(pieces) == [("", text)]


async def test_a_line_past_the_bound_is_cut_before_its_end() -> None:
    stub, resp = response([b"data: ", *([b"a" * 65536] * 1000)])
    budget = ResponseBudget(resp, 1024)  # lines up to 1 MiB
    with pytest.raises(ProviderError) as caught:
        async for _ in sse_events(resp, budget):
            pass
    assert caught.value.outcome == Outcome.BAD_RESPONSE
    assert stub.closed
    assert len(stub.content._pieces) > 900  # stopped reading right after the bound


def test_the_bounds() -> None:
    _, resp = response([])
    small, large = ResponseBudget(resp, 1024), ResponseBudget(resp, 4 * MiB)
    assert (small.text_limit, small.line_limit, small.raw_limit) == (1024, MiB, MiB)
    assert (large.text_limit, large.line_limit, large.raw_limit) == (4 * MiB, 16 * MiB, 512 * MiB)


def test_text_is_counted_in_utf8_bytes_up_to_the_limit() -> None:
    stub, resp = response([])
    budget = ResponseBudget(resp, 10)
    budget.add_text("é" * 5)  # 10 bytes: at the limit
    assert not stub.closed
    with pytest.raises(ProviderError) as caught:
        budget.add_text("x")
    assert caught.value.outcome == Outcome.BAD_RESPONSE
    assert stub.closed


def test_a_lone_surrogate_is_counted_not_refused() -> None:
    _, resp = response([])
    budget = ResponseBudget(resp, 3)
    budget.add_text("\ud800")  # what JSON's "\ud800" decodes to: 3 bytes as surrogatepass
    with pytest.raises(ProviderError):
        budget.add_text("x")


async def test_a_body_at_the_limit_is_read_and_one_past_it_is_not() -> None:
    _, resp = response([b"x" * 600, b"x" * 424])
    assert await read_body(resp, 1024) == b"x" * 1024
    stub, resp = response([b"x" * 600, b"x" * 425, b"never read"])
    with pytest.raises(ProviderError) as caught:
        await read_body(resp, 1024)
    assert caught.value.outcome == Outcome.BAD_RESPONSE
    assert stub.closed
    assert list(stub.content._pieces) == [b"never read"]


async def test_a_whole_line_past_the_bound_in_one_piece_is_cut() -> None:
    stub, resp = response([b"data: " + b"a" * MiB + b"\n\n"])
    with pytest.raises(ProviderError):
        async for _ in sse_events(resp, ResponseBudget(resp, 1024)):
            pass
    assert stub.closed
