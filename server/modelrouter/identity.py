"""Who calls: the caller an API key (or a client certificate) stands for, and the
tenant whose rules apply to it. Built once from configuration; the API layer
finds the caller of each call, the router applies its tenant's rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modelrouter.config.schema import ApiKeyConfig, TenantConfig


@dataclass(frozen=True, slots=True)
class Tenant:
    """One tenant's rules. A tenant named by keys but not configured under
    `tenants` has none: every model, no limits of its own."""

    name: str
    models: frozenset[str] | None = None
    """The models it may use; None: every model."""
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    has_budget: bool = False
    """Whether it has budgets of its own (`tenants.<name>.budgets`)."""

    @property
    def selection_salt(self) -> bytes:
        """What tells its selections apart in the selection cache: only an
        allow-list makes a tenant's decisions differ from everyone's."""
        return b"" if self.models is None else self.name.encode() + b"\x00"

    @property
    def answer_salt(self) -> str:
        """What tells its answers apart in the response cache: tenants never share
        cached answers (one tenant must not learn what another asked)."""
        return f"{self.name}\x00" if self.name else ""

    def allows(self, model: str) -> bool:
        return self.models is None or model in self.models


NO_TENANT = Tenant("")
"""The tenant of calls to a server without API keys."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a call: the key's id, its tenant, what its roles let it do."""

    key_id: str
    tenant: Tenant
    admin: bool
    """The admin role: every RPC, every tenant's figures."""


LOCAL = Caller("", NO_TENANT, admin=True)
"""Every call to a server with no API keys configured (local use): nothing is
asked, and everything is allowed."""


def tenants_of(configured: Mapping[str, TenantConfig], named: set[str]) -> dict[str, Tenant]:
    """Every tenant: those configured, and those only named by keys (no rules)."""
    tenants = {name: Tenant(name) for name in named}
    for name, t in configured.items():
        budgets = t.budgets
        tenants[name] = Tenant(
            name,
            None if t.models is None else frozenset(t.models),
            t.rate_limits.requests_per_minute,
            t.rate_limits.tokens_per_minute,
            budgets.daily_usd is not None or budgets.monthly_usd is not None,
        )
    return tenants


def caller_of(key: ApiKeyConfig, tenants: Mapping[str, Tenant]) -> Caller:
    return Caller(key.id, tenants[key.tenant], "admin" in key.roles)
