"""A streamed answer larger than one gRPC message reaches a client with gRPC's
default 4 MiB receive limit, whole, with status OK: every message of the stream is
small (a long delta goes out as several, `done` does not repeat the text), up to
the model's `max_response_bytes`.

Through a real server and a real HTTP upstream (the OpenAI fake), on client
channels with no options at all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio

from modelrouter.api.convert import DELTA_MAX
from modelrouter_client import AsyncRouter
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.providers.fake_openai import Behaviour, FakeOpenAI, Huge, Reply
from tests.support import Served, serving

MiB = 1024 * 1024
DEFAULT_RECEIVE_LIMIT = 4 * MiB
USER = [pb.ChatMessage(role="user", content="a long answer, please")]

# 5 MiB of text in characters of 1 to 4 UTF-8 bytes, so that cutting a long delta
# between characters is put to the test (10 bytes a round: 64 KiB cuts fall inside).
MIXED = "aé€😀" * (5 * MiB // 10)


def config(base_url: str) -> str:
    return f"""
models:
  - {{id: big, provider: openai, base_url: "{base_url}", upstream_model: fake-model, context_window: 8000,
     timeout_s: 30, max_response_bytes: 6291456,
     pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.9}}}}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def upstream() -> AsyncIterator[tuple[FakeOpenAI, Served]]:
    async with FakeOpenAI() as fake, serving(config(fake.base_url)) as served:
        yield fake, served


def _expected(behaviour: Behaviour) -> str:
    if isinstance(behaviour, Huge):
        return "x" * behaviour.total_bytes
    assert isinstance(behaviour, Reply) and behaviour.pieces is not None
    return "".join(behaviour.pieces)


ANSWERS = [
    pytest.param(Huge(5 * MiB, 64 * 1024), id="5MiB-in-64KiB-deltas"),
    pytest.param(Huge(5 * MiB, 5 * MiB), id="5MiB-in-one-delta"),
    pytest.param(Reply(text=MIXED, pieces=(MIXED,)), id="5MiB-multibyte-in-one-delta"),
]


@pytest.mark.parametrize("behaviour", ANSWERS)
async def test_a_default_client_receives_a_stream_larger_than_a_message(
    upstream: tuple[FakeOpenAI, Served], behaviour: Behaviour
) -> None:
    fake, served = upstream
    expected = _expected(behaviour)
    assert len(expected.encode()) > DEFAULT_RECEIVE_LIMIT
    fake.script(behaviour)
    # A channel of the client's own: no options, gRPC's default receive limit.
    async with grpc.aio.insecure_channel(served.address) as channel:
        stub = pb_grpc.RouterServiceStub(channel)
        call = stub.InvokeStream(pb.InvokeStreamRequest(model="big", messages=USER), timeout=60)
        messages = [m async for m in call]
        assert await call.code() == grpc.StatusCode.OK
    kinds = [m.WhichOneof("event") for m in messages]
    assert kinds[-1] == "done" and kinds.count("done") == 1 and set(kinds[:-1]) == {"delta"}
    deltas = [m.delta for m in messages[:-1]]
    assert "".join(deltas) == expected
    assert all(len(d.encode()) <= DELTA_MAX for d in deltas)
    done = messages[-1].done
    assert done.text == ""  # the deltas carried it: not repeated
    assert (done.model, done.finish_reason, [a.outcome for a in done.attempts]) == ("big", "stop", ["OK"])
    assert done.usage.output_tokens > 0 and done.usage.cost_usd > 0
    assert done.ByteSize() < 64 * 1024


async def test_a_default_client_receives_a_3_mib_unary_answer(upstream: tuple[FakeOpenAI, Served]) -> None:
    fake, served = upstream
    fake.script(Huge(3 * MiB, 64 * 1024))
    async with grpc.aio.insecure_channel(served.address) as channel:
        stub = pb_grpc.RouterServiceStub(channel)
        reply = await stub.Invoke(pb.InvokeRequest(model="big", messages=USER), timeout=60)
    assert reply.text == "x" * (3 * MiB)
    assert (reply.model, [a.outcome for a in reply.attempts]) == ("big", ["OK"])


@pytest.mark.parametrize("behaviour", ANSWERS)
async def test_the_python_client_gives_the_whole_text_of_a_large_stream(
    upstream: tuple[FakeOpenAI, Served], behaviour: Behaviour
) -> None:
    fake, served = upstream
    expected = _expected(behaviour)
    fake.script(behaviour)
    async with AsyncRouter(served.address, timeout=60) as router:
        stream = router.invoke_stream("a long answer, please", model="big")
        deltas = [d async for d in stream]
        final = await stream.result()
    assert "".join(deltas) == final.text == stream.text == expected
    assert (final.model, final.finish_reason) == ("big", "stop")
    assert final.raw is not None and final.raw.text == ""


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
async def test_a_lone_surrogate_from_the_upstream_is_sent_as_a_replacement(
    upstream: tuple[FakeOpenAI, Served], stream: bool
) -> None:
    """An upstream's JSON may escape a lone surrogate ("\\ud800"), which has no
    UTF-8 form: the answer arrives with U+FFFD in its place, never INTERNAL."""
    fake, served = upstream
    text = "before \ud800 after"
    fake.script(Reply(text=text, pieces=("before ", "\ud800", " after")))
    if stream:
        call = served.stub.InvokeStream(pb.InvokeStreamRequest(model="big", messages=USER), timeout=10)
        got = "".join([m.delta async for m in call])
    else:
        got = (await served.stub.Invoke(pb.InvokeRequest(model="big", messages=USER), timeout=10)).text
    assert got == "before \ufffd after"
