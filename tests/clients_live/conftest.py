"""One live server per test module, as a process of its own, for the example
programs to call: the built-in default configuration behind mTLS and an API key,
so that every example shows it sends the key and speaks TLS."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.clients_live.live import KEY_ENV, SecuredServer, secured_config
from tests.pki import Pki
from tests.support import server_process


@pytest.fixture(scope="module")
def server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredServer]:
    api_key = secrets.token_urlsafe(24)  # a fresh key each run, known only to the server and the test
    config = secured_config(pki, tmp_path_factory.mktemp("config"))
    with server_process(config, env={KEY_ENV: api_key}) as process:
        yield SecuredServer(process.address, api_key, pki)
        code, err = process.stop()
        assert code == 0, err
        assert api_key not in err, "the server logged the API key"
