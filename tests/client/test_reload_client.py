"""`reload_config()` of the Python client, sync and async, against a real server
serving a configuration file: it returns what the reload changed (the versions,
which ListModels agrees with, and the models added, removed and changed); a file
that does not validate or changes what only a restart applies raises
ConfigRefusedError with each problem's field, and the models served stay as
they were; a key without the admin role is refused."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from pathlib import Path

import pytest

from modelrouter.config.load import load_config
from modelrouter_client import (
    AsyncRouter,
    ConfigRefusedError,
    FailedPreconditionError,
    PermissionDeniedError,
    ReloadResult,
    Router,
)
from tests.support import serving

ADMIN_KEY = "ops-PLANTED-client-reload-0123"
TEAM_KEY = "team-PLANTED-client-reload-4567"


def model(model_id: str, quality: float = 0.5) -> str:
    return (
        f"  - {{id: {model_id}, provider: simulated, context_window: 8000,"
        f" pricing: {{input_per_mtok: 1, output_per_mtok: 1}}, quality: {{default: {quality}}}}}\n"
    )


def config(*models: str, head: str = "") -> str:
    return head + "models:\n" + "".join(models)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "router.yaml"
    path.write_text(text)
    return path


async def test_async_reload_returns_what_changed(tmp_path: Path) -> None:
    path = written(tmp_path, config(model("a"), model("b")))
    async with serving(load_config(path)) as served, AsyncRouter(served.address, timeout=10) as router:
        before = await router.list_models()
        path.write_text(config(model("b", quality=0.9), model("c")))
        reloaded = await router.reload_config()
        after = await router.list_models()
    assert isinstance(reloaded, ReloadResult)
    assert reloaded.previous_version == before.config_version
    assert reloaded.config_version == after.config_version != before.config_version
    assert (reloaded.added_models, reloaded.removed_models, reloaded.changed_models) == (
        ("c",),
        ("a",),
        ("b",),
    )
    assert after.ids == ("b", "c")
    assert reloaded.raw is not None and list(reloaded.raw.added_models) == ["c"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reloaded.config_version = "x"  # type: ignore[misc]


async def test_sync_reload_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = written(tmp_path, config(model("a")))
    async with serving(load_config(path)) as served:

        def reload_twice() -> tuple[ReloadResult, ReloadResult]:
            with Router(served.address, timeout=10) as router:
                same = router.reload_config()
                path.write_text(config(model("a"), model("b")))
                return same, router.reload_config(timeout=5)

        same, added = await asyncio.to_thread(reload_twice)
    assert same.previous_version == same.config_version
    assert (same.added_models, same.removed_models, same.changed_models) == ((), (), ())
    assert added.previous_version == same.config_version
    assert added.added_models == ("b",)


async def test_a_refused_reload_raises_with_its_problems_and_changes_nothing(tmp_path: Path) -> None:
    path = written(tmp_path, config(model("a")))
    async with serving(load_config(path)) as served, AsyncRouter(served.address, timeout=10) as router:
        before = await router.list_models()
        # The second model has no pricing.
        path.write_text(config(model("a"), "  - {id: b, provider: simulated, context_window: 8000}\n"))
        with pytest.raises(ConfigRefusedError) as invalid:
            await router.reload_config()
        assert await router.list_models() == before

        path.write_text(config(model("a"), model("b"), head="server: {access_log: false}\n"))

        def sync_reload() -> ConfigRefusedError:
            with (
                Router(served.address, timeout=10) as sync_router,
                pytest.raises(ConfigRefusedError) as caught,
            ):
                sync_router.reload_config()
            return caught.value

        restart = await asyncio.to_thread(sync_reload)
        assert await router.list_models() == before
    assert isinstance(invalid.value, FailedPreconditionError)
    assert invalid.value.reason == "INVALID_CONFIG"
    assert "models[1].pricing" in [field for field, _ in invalid.value.problems]
    assert restart.reason == "RESTART_REQUIRED"
    assert [field for field, _ in restart.problems] == ["server.access_log"]


async def test_only_an_admin_key_may_reload(tmp_path: Path) -> None:
    def entry(key_id: str, role: str, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return f"    - {{id: {key_id}, tenant: {key_id}, roles: [{role}], sha256: '{digest}'}}\n"

    head = "auth:\n  api_keys:\n" + entry("ops", "admin", ADMIN_KEY) + entry("team", "invoke", TEAM_KEY)
    path = written(tmp_path, config(model("a"), head=head))
    async with serving(load_config(path)) as served:
        path.write_text(config(model("a"), model("b"), head=head))
        async with AsyncRouter(served.address, api_key=TEAM_KEY, timeout=10) as team:
            with pytest.raises(PermissionDeniedError):
                await team.reload_config()
            assert (await team.list_models()).ids == ("a",)
        async with AsyncRouter(served.address, api_key=ADMIN_KEY, timeout=10) as ops:
            assert (await ops.reload_config()).added_models == ("b",)
            assert (await ops.list_models()).ids == ("a", "b")
