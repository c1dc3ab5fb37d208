"""One live server with the built-in default configuration per test module, as
a process of its own, for the example programs to call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import server_process


@pytest.fixture(scope="module")
def server_address() -> Iterator[str]:
    with server_process() as server:
        yield server.address
        code, err = server.stop()
        assert code == 0, err
