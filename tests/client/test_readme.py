"""The client README's examples, run against the real server.

Every ```python block of clients/python/README.md runs in a fresh interpreter, as a
user would paste it, with the README's address (127.0.0.1:50051) pointed at the test
server. A block preceded by `<!-- not run: why -->` (it needs what the tests do not
have, such as a TLS server) is only compiled.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.client.conftest import REPO

README = REPO / "clients" / "python" / "README.md"
README_ADDRESS = "127.0.0.1:50051"
BLOCK = re.compile(r"(?P<before>(?:^[^\n]*\n)?)^```python\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
NOT_RUN = re.compile(r"<!--\s*not run:")


@dataclass(frozen=True)
class Example:
    line: int
    code: str
    run: bool

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def examples() -> list[Example]:
    text = README.read_text()
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code"))  # the ```python line, 1-based
        found.append(Example(line, match.group("code"), not NOT_RUN.search(match.group("before"))))
    return found


EXAMPLES = examples()


def test_the_readme_has_examples() -> None:
    assert len([e for e in EXAMPLES if e.run]) >= 6
    assert all(README_ADDRESS in e.code for e in EXAMPLES if e.run and "Router(" in e.code)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_readme_example(example: Example, address: str, tmp_path: Path) -> None:
    compile(example.code, example.id, "exec")  # every block is at least valid Python
    if not example.run:
        return
    script = tmp_path / "example.py"
    script.write_text(example.code.replace(README_ADDRESS, address))
    env = dict(os.environ)
    src = str(REPO / "clients" / "python" / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"{example.id} failed:\n{result.stderr}"
    assert result.stdout.strip(), f"{example.id} printed nothing"
