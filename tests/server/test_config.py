"""Configuration: strict parsing, every problem named with its path, all at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelrouter.config.load import ConfigError, load_config, parse_config

GOOD = """
server: {default_strategy: resilient}
models:
  - id: remote
    provider: openai
    base_url: "http://127.0.0.1:9/v1"
    api_key_env: TEST_KEY
    context_window: 8192
    pricing: {input_per_mtok: 1, output_per_mtok: 2}
    quality: {default: 0.7}
  - {id: sim, provider: simulated, context_window: 4096,
     pricing: {input_per_mtok: 0, output_per_mtok: 0}, quality: {default: 0.5}}
strategies:
  cheap: {kind: cost_aware, requirements: {min_quality: 0.6, exclude_models: [sim]}}
  resilient: {kind: fallback, chain: [task_based, cheap]}
"""

BROKEN = """
server: {default_strategy: nowhere, colour: blue}
models:
  - id: a
    provider: openai
    api_key_env: MISSING_KEY_FOR_TEST
    context_window: "big"
    pricing: {input_per_mtok: -1, output_per_mtok: 2}
    quality: {default: 1.5}
  - {id: a, provider: simulated, context_window: 10, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {code: 0.5}}
  - {id: c, provider: telepathy, context_window: 10, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}}
strategies:
  loop1: {kind: fallback, chain: [loop2]}
  loop2: {kind: fallback, chain: [loop1, ghost]}
  odd: {kind: magic}
  w: {kind: weighted, weights: {quality: 1, speed: 2}}
cache: {backend: floppy}
"""


def test_a_valid_configuration_builds_immutable_settings() -> None:
    config = parse_config(GOOD, "<test>", env={"TEST_KEY": "k"})
    remote = config.models[0]
    assert (remote.upstream_model, remote.deployments[0].name, remote.deployments[0].base_url) == (
        "remote",
        "default",
        "http://127.0.0.1:9/v1",
    )
    assert set(config.strategies) >= {"task_based", "cost_aware", "performance", "weighted", "fallback"}
    with pytest.raises(TypeError):
        config.models[0].quality["default"] = 1.0  # type: ignore[index]


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BROKEN, "broken.yaml", env={})
    problems = "\n".join(caught.value.problems)
    for expected in [
        "server.colour: unknown key",
        "models[0].context_window",
        "models[0].pricing.input_per_mtok",
        "models[0].quality.default",
        "models[1]: quality: the key 'default' is required",
        "models[2].provider",
        "strategies.odd",
        "strategies.w.weights.speed: unknown key",
        "cache.backend",
    ]:
        assert expected in problems, f"{expected!r} missing from:\n{problems}"


def test_cross_checks_after_the_schema_passes() -> None:
    text = """
server: {default_strategy: nowhere}
models:
  - {id: a, provider: openai, base_url: "http://x/v1", api_key_env: MISSING_KEY_FOR_TEST, context_window: 10,
     pricing: {input_per_mtok: 0, output_per_mtok: 0}, quality: {default: 0.5}}
  - {id: a, provider: simulated, context_window: 10, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}}
strategies:
  loop1: {kind: fallback, chain: [loop2]}
  loop2: {kind: fallback, chain: [loop1, ghost]}
  picky: {kind: task_based, requirements: {include_models: [zzz]}}
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "x.yaml", env={})
    problems = caught.value.problems
    assert "models[1].id: duplicate id 'a' (also models[0])" in problems
    assert any(
        p.startswith("models[0].api_key_env: the environment variable it names is not set") for p in problems
    )
    assert "strategies.loop2.chain[1]: unknown strategy 'ghost'" in problems
    assert any(p.startswith("strategies.loop1.chain: cycle loop1 -> loop2 -> loop1") for p in problems)
    assert "strategies.picky.requirements.include_models[0]: unknown model 'zzz'" in problems
    assert any(p.startswith("server.default_strategy: unknown strategy 'nowhere'") for p in problems)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "models: Field required"),
        ("[1, 2]", "(top level): expected a mapping"),
        ("models: [\n  - {", "not valid YAML"),
        ("models: []", "models: List should have at least 1 item"),
        (
            "health: {min_calls: 30, window: 20}\nmodels: []",
            "health: min_calls (30) is larger than window (20)",
        ),
    ],
)
def test_degenerate_files(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t.yaml", env={})
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_the_built_in_default_is_offline_and_rich() -> None:
    config = load_config()
    assert len(config.models) >= 8
    assert {m.provider for m in config.models} == {"simulated"}
    assert all(m.api_key_env is None for m in config.models)
    assert len({m.pricing for m in config.models}) == len(config.models)
    assert len({m.latency for m in config.models}) == len(config.models)
    assert len({frozenset(m.labels.items()) for m in config.models}) >= 4
    assert len({m.capabilities for m in config.models}) >= 4


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelrouter", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_check_config_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD.replace("    api_key_env: TEST_KEY\n", ""))
    ok = run_cli("check-config", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    failed = run_cli("check-config", str(bad))
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"{bad}: ")
    assert "server.colour: unknown key" in failed.stderr and "cache.backend" in failed.stderr
    missing = run_cli("check-config", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    # serve refuses the same file with the same report and exit code.
    serve = run_cli("serve", "--config", str(bad), "--address", "127.0.0.1:0")
    assert serve.returncode == 2
    assert serve.stderr == failed.stderr


PASTED_KEY = """
models:
  - id: remote
    provider: openai
    base_url: "http://127.0.0.1:9/v1"
    api_key_env: "sk-live-PASTED-KEY-123"
    context_window: 8192
    pricing: {input_per_mtok: 1, output_per_mtok: 2}
    quality: {default: 0.7}
"""


@pytest.mark.parametrize("extra", ["", "server: {colour: blue}\n"], ids=["schema-valid", "schema-broken"])
def test_check_config_names_api_key_env_but_never_prints_its_value(tmp_path: Path, extra: str) -> None:
    path = tmp_path / "pasted.yaml"
    path.write_text(extra + PASTED_KEY)
    result = run_cli("check-config", str(path))
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "models[0].api_key_env" in out, out
    assert "sk-live-PASTED-KEY-123" not in out and "PASTED" not in out, out
    # A name that could be a secret is not repeated either, set or missing.
    with pytest.raises(ConfigError) as caught:
        parse_config(PASTED_KEY.replace("sk-live-PASTED-KEY-123", "ABCDEF0123456789"), "t.yaml", env={})
    assert "ABCDEF0123456789" not in caught.value.report()
    assert any(p.startswith("models[0].api_key_env: ") for p in caught.value.problems)


def test_schema_errors_and_cross_checks_are_reported_together() -> None:
    text = """
server: {default_strategy: nowhere, colour: blue}
models:
  - {id: a, provider: openai, base_url: "http://x/v1", api_key_env: MISSING_KEY_FOR_TEST, context_window: 10,
     pricing: {input_per_mtok: 0, output_per_mtok: 0}, quality: {default: 0.5}}
  - {id: b, provider: simulated, context_window: "big", pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}}
strategies:
  chain: {kind: fallback, chain: [ghost, broken, cheap]}
  broken: {kind: weighted, weights: {speed: 2}, requirements: {include_models: [b, zzz]}}
  cheap: {kind: cost_aware, requirements: {exclude_models: [yyy]}}
budgets: {models: {nobody: {daily_usd: 1}}}
metrics: {address: "nowhere"}
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "x.yaml", env={})
    problems = caught.value.problems
    # the schema's errors ...
    assert any(p.startswith("server.colour: unknown key") for p in problems), problems
    assert any(p.startswith("models[1].context_window") for p in problems), problems
    assert any(p.startswith("strategies.broken.weights.speed: unknown key") for p in problems), problems
    # ... and every cross-check that could run on what parsed.
    for expected in [
        "strategies.chain.chain[0]: unknown strategy 'ghost'",
        "strategies.broken.requirements.include_models[1]: unknown model 'zzz'",
        "strategies.cheap.requirements.exclude_models[0]: unknown model 'yyy'",
        "budgets.models.nobody: unknown model 'nobody'",
        "metrics.address: expected HOST:PORT, got 'nowhere'",
    ]:
        assert expected in problems, f"{expected!r} missing from:\n{problems}"
    assert any(
        p.startswith("models[0].api_key_env: the environment variable it names is not set") for p in problems
    )
    assert any(p.startswith("server.default_strategy: unknown strategy 'nowhere'") for p in problems)
    # A model or strategy that failed the schema is still known by name: no false alarms.
    assert not any("'b'" in p or "'broken'" in p for p in problems), problems


def test_the_broken_file_reports_its_cross_checks_too() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BROKEN, "broken.yaml", env={})
    problems = caught.value.problems
    assert "strategies.loop2.chain[1]: unknown strategy 'ghost'" in problems
    assert any(p.startswith("strategies.loop1.chain: cycle loop1 -> loop2 -> loop1") for p in problems)
    assert "models[1].id: duplicate id 'a' (also models[0])" in problems
    assert any(p.startswith("models[0].api_key_env: ") for p in problems)
    assert any(p.startswith("server.default_strategy: unknown strategy 'nowhere'") for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "server: {defualt_strategy: weighted}\n",
            "server.defualt_strategy: unknown key; did you mean 'default_strategy'?",
        ),
        ("modles: []\n", "modles: unknown key; did you mean 'models'?"),
        (
            "strategies: {w: {kind: weighted, weights: {qualty: 1}}}\n",
            "strategies.w.weights.qualty: unknown key; did you mean 'quality'?",
        ),
        (
            "strategies: {c: {kind: cost_aware, requirements: {min_qualty: 0.5}}}\n",
            "strategies.c.requirements.min_qualty: unknown key; did you mean 'min_quality'?",
        ),
        (
            "models:\n  - {id: s, provider: simulated, context_window: 10, contxt: 1,\n"
            "     pricing: {input_per_mtok: 0, output_per_mtok: 0}, quality: {default: 0.5},\n"
            "     simulate: {failure_rat: 0.1}}\n",
            "models[0].simulate.failure_rat: unknown key; did you mean 'failure_rate'?",
        ),
        ("cache: {ttl: 5}\n", "cache.ttl: unknown key; did you mean 'ttl_s'?"),
    ],
)
def test_a_misspelled_key_gets_a_suggestion(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t.yaml", env={})
    assert expected in caught.value.problems, caught.value.problems


def test_an_unknown_key_with_nothing_close_gets_no_suggestion() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("server: {colour: blue}\n", "t.yaml", env={})
    assert "server.colour: unknown key" in caught.value.problems


def test_each_provider_has_a_default_base_url_and_a_bad_one_is_refused() -> None:
    from modelrouter.providers import anthropic, openai

    text = """
models:
  - {id: o, provider: openai, context_window: 10, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}}
  - {id: a, provider: anthropic, context_window: 10, pricing: {input_per_mtok: 0, output_per_mtok: 0},
     quality: {default: 0.5}}
"""
    config = parse_config(text, "t.yaml", env={})
    o, a = config.models
    assert openai.build(o, o.deployments[0], None).base_url.rstrip("/") == "https://api.openai.com/v1"
    assert anthropic.build(a, a.deployments[0], None).base_url.rstrip("/") == "https://api.anthropic.com/v1"
    with pytest.raises(ConfigError) as caught:
        parse_config(
            text.replace("provider: openai,", "provider: openai, base_url: api.openai.com,"), "t", env={}
        )
    assert any(
        p.startswith("models[0]: base_url: expected an http:// or https:// URL")
        for p in caught.value.problems
    )


def test_structured_output_is_an_openai_models_setting() -> None:
    base = (
        "models:\n  - {id: m, provider: %s, context_window: 8000, structured_output: json_object_schema,\n"
        "     pricing: {input_per_mtok: 1, output_per_mtok: 1}, quality: {default: 0.5}}\n"
    )
    assert parse_config(base % "openai", "<t>").models[0].structured_output == "json_object_schema"
    with pytest.raises(ConfigError) as caught:
        parse_config(base % "anthropic", "<t>")
    assert "structured_output: only for provider 'openai', not 'anthropic'" in "\n".join(
        caught.value.problems
    )
