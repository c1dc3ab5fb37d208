"""The configuration at run time: `Lifecycle` holds the Router in force and
replaces it when the configuration is reloaded (AdminService.ReloadConfig,
SIGHUP).

A reload reads the file the server started with and validates it whole; a file
that does not validate, or that changes what only a restart can apply
(`RESTART_ONLY`), changes nothing. Otherwise the next Router is built from the
one in force (`Router(..., before=)`: it keeps each unchanged model's state,
balancer, gates, breakers and connections, and shares the stores, caches and
limiters), made ready off the call path, then swapped in within one step of the
event loop. Every call takes the Router in force when it starts and finishes
on it; the one replaced is retired once its calls have ended, and the
connections no newer configuration uses are closed then."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass

from structlog.typing import FilteringBoundLogger

from modelrouter.config.load import ConfigError, RouterConfig, load_config
from modelrouter.errors import InvalidConfig, RestartRequired
from modelrouter.manager import Router

BUILT_IN = "<built-in default>"

RESTART_ONLY: tuple[tuple[str, Callable[[RouterConfig], object]], ...] = (
    ("server.address", lambda c: c.server.address),
    ("server.tls", lambda c: c.server.tls),
    ("server.connections", lambda c: c.server.connections),
    ("server.access_log", lambda c: c.server.access_log),
    ("metrics", lambda c: c.metrics),
    ("usage", lambda c: c.usage),
    ("health", lambda c: c.health),
    ("cache.backend", lambda c: c.cache.backend),
    ("cache.redis_url", lambda c: c.cache.redis_url),
    ("cache.max_bytes", lambda c: c.cache.max_bytes),
    ("cache.ttl_s", lambda c: c.cache.ttl_s),
    ("cache.default_policy", lambda c: c.cache.default_policy),
    ("cache.timeout_ms", lambda c: c.cache.timeout_ms),
    ("auth.reflection", lambda c: c.auth.reflection),
    ("feedback", lambda c: c.feedback),
    # Keys or none decides whether callers are checked at all and where
    # AdminService is served; which keys there are may change.
    ("auth.api_keys (configured or not)", lambda c: c.has_keys),
)
"""What a reload cannot change, each with how to read it: the server was built
around it (where it listens, its TLS and connection limits, its stores, its
response cache, its health checks, how feedback is learned). Everything else reloads: models, strategies,
tenants and their limits, budgets, keys, the selection cache, retries, bounds."""

SwapListener = Callable[[Router], None]


@dataclass(frozen=True, slots=True)
class Reloaded:
    """What a reload changed."""

    previous_version: str
    version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


def restart_only_changes(old: RouterConfig, new: RouterConfig) -> list[str]:
    """The fields of `RESTART_ONLY` that differ between the two."""
    return [field for field, read in RESTART_ONLY if read(old) != read(new)]


def reader_of(config: RouterConfig) -> Callable[[], RouterConfig]:
    """Reads the configuration again from where `config` came from."""
    return functools.partial(load_config, None if config.source == BUILT_IN else config.source)


def _diff(old: RouterConfig, new: RouterConfig) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    before = {m.id: m for m in old.models}
    after = {m.id: m for m in new.models}
    added = tuple(m for m in after if m not in before)
    removed = tuple(m for m in before if m not in after)
    changed = tuple(m for m, spec in after.items() if m in before and before[m] != spec)
    return added, removed, changed


class Lifecycle:
    def __init__(
        self,
        router: Router,
        read: Callable[[], RouterConfig] | None = None,
        log: FilteringBoundLogger | None = None,
        retired: Callable[[], None] | None = None,
    ) -> None:
        """`read`: how the configuration is read again (default: from where the
        router's came from); `retired`: called each time a replaced Router is
        done with (the server lets the collector see it again)."""
        self.current = router
        self._read = read or reader_of(router.config)
        self._log = log
        self._listeners: list[SwapListener] = []
        self._lock = asyncio.Lock()
        self._retiring: dict[Router, asyncio.Task[None]] = {}
        self._retired = retired
        self.reloads = 0
        """Reloads swapped in since the process started (metrics)."""
        self.refused = 0
        """Reloads refused (an invalid file, a change that needs a restart)."""

    def on_swap(self, listener: SwapListener) -> None:
        """`listener(router)` runs at each swap, in the same step of the event
        loop: whatever it switches to `router` switches with the rest."""
        self._listeners.append(listener)

    async def reload(self) -> Reloaded:
        """Reads, validates, builds and swaps in the configuration; InvalidConfig
        or RestartRequired (changing nothing) when it cannot. Reloads run one at
        a time."""
        async with self._lock:
            old = self.current
            try:
                # Off the event loop: the file, YAML, validation and key digests.
                config = await asyncio.to_thread(self._read)
            except ConfigError as err:
                self.refused += 1
                problems = [_split(p) for p in err.problems]
                if self._log is not None:
                    self._log.warning(
                        "reload refused: invalid configuration", source=err.source, problems=err.problems
                    )
                raise InvalidConfig(err.source, problems) from None
            fields = restart_only_changes(old.config, config)
            if fields:
                self.refused += 1
                if self._log is not None:
                    self._log.warning("reload refused: needs a restart", source=config.source, fields=fields)
                raise RestartRequired(config.source, fields)
            new = Router(config, old.clock, old.log, old.wall, before=old)
            try:
                await new.prepare()
            except BaseException:  # a failure, or the server stopping: the swap never comes
                self.refused += 1
                await new.discard(old)
                if self._log is not None:
                    self._log.exception("reload failed: nothing changed", source=config.source)
                raise
            # The swap: no await from here to the end of the listeners.
            new.take_over(old)
            self.current = new
            for listener in self._listeners:
                listener(new)
            self.reloads += 1
            self._retiring[old] = asyncio.get_running_loop().create_task(self._retire(old))
        added, removed, changed = _diff(old.config, config)
        reloaded = Reloaded(old.config.version, config.version, added, removed, changed)
        if self._log is not None:
            self._log.info(
                "configuration reloaded",
                source=config.source,
                previous_version=reloaded.previous_version,
                version=reloaded.version,
                added=list(added),
                removed=list(removed),
                changed=list(changed),
            )
        return reloaded

    async def _retire(self, old: Router) -> None:
        """Once `old`'s calls have ended, closes the connections that neither the
        Router in force nor another still retiring uses."""
        try:
            await old.retire()
        finally:
            del self._retiring[old]
            in_use = {id(p) for r in (self.current, *self._retiring) for p in r.providers.values()}
            done = [p for p in old.providers.values() if id(p) not in in_use]
            await asyncio.gather(*(p.close() for p in done), return_exceptions=True)
            del old, done
            if self._retired is not None:
                self._retired()

    @property
    def retiring(self) -> int:
        """Configurations replaced whose calls have not all ended."""
        return len(self._retiring)

    def shut_down(self) -> None:
        """The shutdown grace is over, for every configuration still serving calls."""
        for router in (self.current, *self._retiring):
            router.shut_down()

    async def close(self) -> None:
        """After the server has drained: the retired configurations finish, then
        the one in force closes what they all shared (the last usage flush)."""
        if self._retiring:
            await asyncio.gather(*self._retiring.values(), return_exceptions=True)
        await self.current.close()


def _split(problem: str) -> tuple[str, str]:
    """A `check-config` line ("path: what") as a field and its description."""
    field, sep, what = problem.partition(": ")
    return (field, what) if sep else ("(file)", problem)
