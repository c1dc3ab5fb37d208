"""A newcomer's walkthrough, kept true: the README's Python example ships as a
file and runs, the Go module builds with Debian's Go, the demo takes a free port,
and `make clients-test` installs what it needs."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from tests.support import serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "example.py"


def readme_python_example() -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- python-example -->\n```python\n", 1)[1]
    return block.split("\n```\n", 1)[0] + "\n"


def test_the_readme_example_is_the_shipped_file_and_names_it() -> None:
    assert EXAMPLE.read_text() == readme_python_example()
    assert ".venv/bin/python examples/example.py" in (ROOT / "README.md").read_text()


async def test_the_example_file_runs_against_a_live_server(tmp_path: Path) -> None:
    async with serving() as served:
        code = EXAMPLE.read_text().replace("127.0.0.1:50051", served.address)
        script = tmp_path / "example.py"
        script.write_text(code)
        result = await asyncio.to_thread(
            subprocess.run, [sys.executable, str(script)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("code-specialist ")
    assert "  rejected nano-fast MISSING_CAPABILITY" in result.stdout
    assert result.stdout.rstrip().endswith("NO_ELIGIBLE_MODEL ['MISSING_CAPABILITY']")


def test_the_go_module_asks_for_no_newer_go_than_debian_ships() -> None:
    go_mod = (ROOT / "clients" / "go" / "go.mod").read_text()
    version = re.search(r"^go (\d+)\.(\d+)", go_mod, re.MULTILINE)
    assert version and (int(version[1]), int(version[2])) <= (1, 19), go_mod


def test_the_demo_runs_llama_cpp_on_the_port_it_writes_into_the_config() -> None:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "tools" / "demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    assert "8089" not in Path(str(demo.__file__)).read_text().replace(demo.CONFIGURED_LLM, "")
    port = demo.free_port()
    text = demo.demo_config(port)
    assert f'base_url: "http://127.0.0.1:{port}/v1"' in text and "8089" not in text.split("server:", 1)[1]
    from modelrouter.config.load import parse_config

    assert parse_config(text, "demo.yaml").models[0].base_url == f"http://127.0.0.1:{port}/v1"


def test_clients_test_installs_buf_first() -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "clients-test", "CI=true"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert plan.returncode == 0, plan.stderr
    assert "@bufbuild/buf" in plan.stdout, plan.stdout
