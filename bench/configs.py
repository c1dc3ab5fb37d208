"""Registry configurations for the benchmark (docs/configuration.md): N simulated models, the same
answering at once (the Invoke runs; also asking for an API key, and over TLS), and one `openai`
model in front of a local upstream.

The models differ in price, per-task quality, latency, context window, capabilities,
labels and deployments, so a decision has real work to do; about nine in ten can chat
(what every benchmark request asks for), the rest are rejected for a missing capability.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

_CONTEXT_WINDOWS = (8192, 16384, 32768, 128000, 200000, 1000000)
_EXTRA_CAPABILITIES = ("streaming", "tools", "json_mode", "vision", "code", "long_context")
_TASKS = ("chat", "code", "summarize", "reasoning")
_BALANCERS = ("weighted_round_robin", "least_in_flight", "latency_p2c")
_STRATEGIES: dict[str, Any] = {
    "cheap": {"kind": "cost_aware", "requirements": {"min_quality": 0.6}},
    "quick": {"kind": "performance"},
    "balanced": {"kind": "weighted", "weights": {"quality": 0.5, "cost": 0.3, "latency": 0.2}},
    "by-task": {"kind": "task_based"},
    "resilient": {"kind": "fallback", "chain": ["by-task", "cheap"]},
}


def _model(i: int, rng: random.Random) -> dict[str, Any]:
    ttft_ms = round(rng.uniform(30, 900))
    tokens_per_s = round(rng.uniform(40, 600))
    capabilities = (["chat"] if rng.random() < 0.9 else []) + rng.sample(
        _EXTRA_CAPABILITIES, rng.randint(1, 4)
    )
    input_price = round(rng.uniform(0.05, 15.0), 3)
    default_quality = rng.uniform(0.35, 0.9)
    quality = {"default": round(default_quality, 3)}
    for task in rng.sample(_TASKS, rng.randint(1, len(_TASKS))):
        quality[task] = round(min(1.0, max(0.0, default_quality + rng.uniform(-0.2, 0.2))), 3)
    model: dict[str, Any] = {
        "id": f"sim-{i:04d}",
        "provider": "simulated",
        "capabilities": capabilities,
        "context_window": rng.choice(_CONTEXT_WINDOWS),
        "pricing": {
            "input_per_mtok": input_price,
            "output_per_mtok": round(input_price * rng.uniform(2, 5), 3),
        },
        "quality": quality,
        "latency": {"ttft_ms": float(ttft_ms), "tokens_per_s": float(tokens_per_s)},
        "labels": {
            "region": rng.choice(("us", "eu", "ap")),
            "tier": rng.choice(("small", "medium", "large")),
        },
        "simulate": {"ttft_ms": float(ttft_ms), "tokens_per_s": float(tokens_per_s)},
    }
    if rng.random() < 0.25:
        model["balancer"] = rng.choice(_BALANCERS)
        model["deployments"] = [
            {"name": f"d{k}", "weight": float(rng.randint(1, 4))} for k in range(rng.randint(2, 3))
        ]
    return model


def registry(n_models: int, seed: int = 7) -> dict[str, Any]:
    """A whole configuration with ``n_models`` models; the default strategy stays ``weighted``."""
    rng = random.Random(seed)
    return {
        "server": {"default_strategy": "weighted", "access_log": True},
        "models": [_model(i, rng) for i in range(n_models)],
        "strategies": _STRATEGIES,
    }


def write(directory: Path, n_models: int) -> Path:
    path = directory / f"models-{n_models}.yaml"
    path.write_text(yaml.safe_dump(registry(n_models), sort_keys=False))
    return path


_NO_RESPONSE_CACHE = {"default_policy": "never"}  # every Invoke reaches the provider
_NO_PROBES = {"check_interval_s": 0}  # no active health probes in the background


def _answering_at_once(n_models: int) -> dict[str, Any]:
    """The Select runs' registry, every model simulated to answer "ok" at once, no probes."""
    config = registry(n_models)
    for model in config["models"]:
        model["simulate"] = {"ttft_ms": 0.0, "tokens_per_s": 1e9, "reply": "ok"}
    config["health"] = _NO_PROBES
    return config


def write_zero_latency(directory: Path, n_models: int) -> Path:
    """``n_models`` simulated models (the Select runs' registry) that answer at once with "ok".

    Their latency priors stay as they were, so a selection still has its work to do.
    """
    config = _answering_at_once(n_models)
    config["cache"] = _NO_RESPONSE_CACHE
    path = directory / f"zero-latency-{n_models}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_keyed(
    directory: Path, n_models: int, key_sha256: str, admin_sha256: str, tls: tuple[Path, Path] | None = None
) -> Path:
    """The zero-latency registry asking every call for an API key (given by their SHA-256): the
    load's (role ``invoke``) and the harness's (role ``admin``, for Stats), one tenant, no rules of
    its own; with ``tls`` (certificate file, key file), served over TLS only."""
    config = _answering_at_once(n_models)
    config["cache"] = _NO_RESPONSE_CACHE
    config["auth"] = {
        "api_keys": [
            {"id": "bench", "tenant": "bench", "roles": ["invoke"], "sha256": key_sha256},
            {"id": "harness", "tenant": "bench", "roles": ["admin"], "sha256": admin_sha256},
        ]
    }
    if tls is not None:
        config["server"]["tls"] = {"cert_file": str(tls[0]), "key_file": str(tls[1])}
    path = directory / f"zero-latency-{n_models}-key{'-tls' if tls else ''}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_cached(directory: Path, n_models: int) -> Path:
    """The zero-latency registry with the response cache on for every call
    (`default_policy: always`, the default 64 MiB bound): a repeated Invoke is a hit."""
    config = _answering_at_once(n_models)
    config["cache"] = {"default_policy": "always"}
    path = directory / f"cached-{n_models}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_cache_fill(directory: Path, max_bytes: int) -> Path:
    """One simulated model echoing the question, every answer cached, `max_bytes` bound."""
    config: dict[str, Any] = {
        "models": [
            {
                "id": "echo",
                "provider": "simulated",
                "context_window": 1_000_000,
                "pricing": {"input_per_mtok": 0.0, "output_per_mtok": 0.0},
                "quality": {"default": 0.5},
                "simulate": {"ttft_ms": 0.0, "tokens_per_s": 1e9, "reply": "echo"},
            }
        ],
        "cache": {"default_policy": "always", "max_bytes": max_bytes},
        "health": _NO_PROBES,
    }
    path = directory / "cache-fill.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_openai(directory: Path, name: str, model_id: str, base_url: str, max_concurrency: int) -> Path:
    """One ``openai`` model in front of ``base_url``; no probes, no response cache."""
    config: dict[str, Any] = {
        "server": {"default_strategy": "weighted", "access_log": True},
        "models": [
            {
                "id": model_id,
                "provider": "openai",
                "base_url": base_url,
                "upstream_model": "bench-model",
                "capabilities": ["chat"],
                "context_window": 128000,
                "pricing": {"input_per_mtok": 0.15, "output_per_mtok": 0.6},
                "quality": {"default": 0.7},
                "timeout_s": 30.0,
                "max_concurrency": max_concurrency,
            }
        ],
        "cache": _NO_RESPONSE_CACHE,
        "health": _NO_PROBES,
    }
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
