"""Providers: one module per upstream API behind the `Provider` interface in
`base`, built per deployment at start-up from `PROVIDERS`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from modelrouter.domain import Deployment, ModelSpec
from modelrouter.providers import anthropic, openai, simulated
from modelrouter.providers.base import Provider

Build = Callable[[ModelSpec, Deployment, str | None], Provider]

PROVIDERS: Mapping[str, Build] = MappingProxyType(
    {
        "simulated": simulated.build,
        "anthropic": anthropic.build,
        "openai": openai.build,
    }
)


def build_providers(models: Iterable[ModelSpec]) -> dict[tuple[str, str], Provider]:
    """One provider per (model, deployment), each with its own connection pool.
    Keys come from the environment variables the configuration names (checked
    present when the configuration was loaded)."""
    built: dict[tuple[str, str], Provider] = {}
    for spec in models:
        key = os.environ.get(spec.api_key_env) if spec.api_key_env else None
        for deployment in spec.deployments:
            built[(spec.id, deployment.name)] = PROVIDERS[spec.provider](spec, deployment, key)
    return built
