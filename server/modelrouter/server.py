"""Build the gRPC server once from configuration, serve until SIGTERM or SIGINT,
then drain: health turns NOT_SERVING first, in-flight calls finish (up to
`server.shutdown_grace_s`), and the process exits 0. SIGHUP reloads the
configuration (`modelrouter.lifecycle`)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from modelrouter.api.access_log import AccessLog
from modelrouter.api.admin import ADMIN_SERVICE, AdminServicer, admin_handler
from modelrouter.api.auth import ApiKeys
from modelrouter.api.inflight import InFlight
from modelrouter.api.servicer import SERVICE, RouterServicer, generic_handler
from modelrouter.api.tls import ReloadingCredentials, TlsFilesError
from modelrouter.config.load import RouterConfig
from modelrouter.config.schema import TlsConfig
from modelrouter.domain import Health
from modelrouter.errors import ConfigRefused
from modelrouter.lifecycle import Lifecycle
from modelrouter.logs import FLUSH_INTERVAL_S, Logging
from modelrouter.manager import Router
from modelrouter.metrics import MetricsServer

GC_THRESHOLDS = (50_000, 20, 100)

# The router ends the calls still running this long before the shutdown grace
# ends, so that each gets its own answer (UNAVAILABLE SHUTTING_DOWN) before gRPC
# cancels what is left with a bare status.
CUT_AHEAD_S = 0.25

# Larger than any sane request; a caller sending more gets RESOURCE_EXHAUSTED from grpc.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def server_options(config: RouterConfig) -> list[tuple[str, int]]:
    """gRPC's channel arguments for the server: message sizes, and what one
    client's connections may hold (`server.connections`)."""
    c = config.server.connections
    options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ("grpc.so_reuseport", 0),
        ("grpc.max_allowed_incoming_connections", c.max_connections),
        ("grpc.max_concurrent_streams", c.max_concurrent_streams),
        ("grpc.max_connection_idle_ms", round(c.idle_timeout_s * 1000)),
        ("grpc.http2.min_ping_interval_without_data_ms", round(c.keepalive_min_interval_s * 1000)),
        ("grpc.http2.max_ping_strikes", 2),
        ("grpc.keepalive_permit_without_calls", 0),
    ]
    if c.max_age_s > 0:
        options += [
            ("grpc.max_connection_age_ms", round(c.max_age_s * 1000)),
            ("grpc.max_connection_age_grace_ms", round(config.server.shutdown_grace_s * 1000)),
        ]
    return options


def _credentials(tls: TlsConfig, logging: Logging) -> grpc.ServerCredentials:
    """TLS only, re-read when the files change; with `client_ca_file`, clients must
    present a certificate it signed."""
    try:
        return ReloadingCredentials(tls, logging.log).credentials
    except TlsFilesError as err:  # the process's exit says what to fix, as for an address
        raise ListenError(f"cannot serve TLS: {err}") from None


class ListenError(Exception):
    """The server cannot bind its address."""


@dataclass
class RunningServer:
    server: grpc.aio.Server
    health: HealthServicer
    lifecycle: Lifecycle
    port: int
    access_log: AccessLog
    in_flight: InFlight
    metrics: MetricsServer | None = None

    @property
    def router(self) -> Router:
        """The Router in force (a reload replaces it)."""
        return self.lifecycle.current

    async def drain(self, grace_s: float) -> None:
        """Health turns NOT_SERVING, new calls are refused, calls in flight get
        the grace to finish; those still running at its end are cut
        (SHUTTING_DOWN), counted, and flushed with the rest by `router.close`."""
        await self.health.enter_graceful_shutdown()
        stopping = asyncio.ensure_future(self.server.stop(grace_s))
        done, _ = await asyncio.wait({stopping}, timeout=max(grace_s - CUT_AHEAD_S, 0.0))
        if not done:
            self.lifecycle.shut_down()
            self.in_flight.cut()
        await stopping
        await self.lifecycle.close()  # the last usage flush: nothing recorded is lost
        if self.metrics is not None:
            await self.metrics.close()
        self.access_log.flush()


async def start(config: RouterConfig, address: str, logging: Logging) -> RunningServer:
    log = logging.log
    router = Router(config, log=log)
    lifecycle = Lifecycle(router, log=log, retired=_refreeze)
    # With API keys, every RouterService call is checked once, here, before its handler.
    access_log = AccessLog(logging.emit, config.server.access_log)
    interceptors: tuple[ApiKeys, ...] = ()
    if config.has_keys:
        keys = ApiKeys(config.key_digests, config.cert_subjects, access_log)
        lifecycle.on_swap(lambda r: keys.replace(r.config.key_digests, r.config.cert_subjects))
        interceptors = (keys,)
    server = grpc.aio.server(options=server_options(config), interceptors=interceptors)
    in_flight = InFlight()
    server.add_generic_rpc_handlers((generic_handler(RouterServicer(lifecycle, log, access_log, in_flight)),))
    # AdminService changes what every caller gets: with keys the interceptor lets
    # only the admin role call it; without keys only this machine may reach it.
    admin = config.has_keys or is_loopback(address)
    if admin:
        server.add_generic_rpc_handlers((admin_handler(AdminServicer(lifecycle, log, access_log)),))
    else:
        log.warning(
            "AdminService not served: no API keys are configured and the server listens beyond "
            "loopback; configure auth.api_keys (admin role) or listen on loopback to use it",
            address=address,
        )
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    if config.auth.reflection:
        reflection.enable_server_reflection(
            (
                SERVICE,
                *((ADMIN_SERVICE,) if admin else ()),
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            server,
        )
    tls = config.server.tls
    try:
        if tls is not None:
            port = server.add_secure_port(address, _credentials(tls, logging))
        else:
            port = server.add_insecure_port(address)
    except RuntimeError as exc:  # grpc says only "Failed to bind"; say where and what to do
        raise ListenError(
            f"cannot listen on {address}: {exc}; is the port taken or the address wrong?"
        ) from None
    # The router first: settled budget spend is read back before any call can
    # reserve against it.
    await router.start()
    await server.start()
    for name in ("", SERVICE):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    pending: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    def report_health() -> None:  # of the Router in force, whichever's state changed
        _report_service_health(lifecycle.current, health, pending)

    def report_health_of(r: Router) -> None:
        r.live.on_change(report_health)
        report_health()

    router.live.on_change(report_health)
    lifecycle.on_swap(report_health_of)
    metrics = None
    if config.metrics.address:
        metrics = MetricsServer(lifecycle, access_log)
        try:
            await metrics.start(config.metrics.address)
        except OSError as exc:
            await server.stop(0)
            await lifecycle.close()
            raise ListenError(
                f"cannot serve metrics on {config.metrics.address}: {exc.strerror or exc}"
            ) from None
        where = listening_address(config.metrics.address, metrics.port)
        log.info("metrics", url=f"http://{where}/metrics")
        # The endpoint asks for no key: it is meant for loopback or a network only
        # the scraper reaches. With keys, its per-tenant figures are what Stats
        # keeps from other tenants.
        if config.has_keys and not is_loopback(where):
            log.warning(
                "metrics served beyond this machine: the endpoint asks for no key and shows "
                "every tenant's usage; bind metrics.address to loopback or a scrape-only network",
                address=where,
            )
    # Everything built so far lives as long as the server: keep the collector from
    # scanning it again on every collection. A decision over a large registry
    # allocates thousands of small containers, almost none in cycles; at the
    # default thresholds (700, 10, 10) the collector then runs several times per
    # decision and rescans the cached rankings, which measured 3x slower decisions
    # with 1,000 models (`make bench`). Collect less often instead.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return RunningServer(server, health, lifecycle, port, access_log, in_flight, metrics)


def _refreeze() -> None:
    """A Router replaced by a reload is done with. What `start` froze (the first
    Router among it) is never collected, and a Router holds reference cycles:
    unfreeze, collect, and freeze what lives on, as at start (one full
    collection per reload)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _report_service_health(router: Router, health: HealthServicer, pending: set[asyncio.Task[None]]) -> None:
    """RouterService is SERVING while at least one model has a healthy deployment."""
    serving = any(m.health is not Health.UNHEALTHY for m in router.live.models.values())
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    task = asyncio.get_running_loop().create_task(health.set(SERVICE, status))
    pending.add(task)
    task.add_done_callback(pending.discard)


def is_loopback(address: str) -> bool:
    """Whether HOST:PORT listens on this machine only."""
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name, or 0.0.0.0 / [::] spelt otherwise: assume reachable


def listening_address(address: str, port: int) -> str:
    host = address.rsplit(":", 1)[0]
    return f"{host}:{port}"


async def _flush_periodically(running: RunningServer, logging: Logging) -> None:
    while True:
        await asyncio.sleep(FLUSH_INTERVAL_S)
        running.access_log.flush()
        logging.flush()


async def _reload(lifecycle: Lifecycle) -> None:
    """SIGHUP: a reload like AdminService.ReloadConfig's; the lifecycle logs the
    outcome (a refusal with its reasons)."""
    with contextlib.suppress(ConfigRefused):
        await lifecycle.reload()


async def serve(config: RouterConfig, address: str, logging: Logging) -> int:
    log = logging.log
    running = await start(config, address, logging)
    flusher = asyncio.create_task(_flush_periodically(running, logging))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    def on_hangup() -> None:
        task = loop.create_task(_reload(running.lifecycle))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    where = listening_address(address, running.port)
    print(f"listening on {where}", flush=True)
    log.info(
        "serving",
        address=where,
        models=len(config.models),
        config=config.source,
        usage_store=str(getattr(running.router.usage.store, "path", config.usage.store)),
    )
    if not config.has_keys and not is_loopback(where):
        log.warning(
            "serving beyond this machine without API keys: anyone who reaches the port may call "
            "any model and read every figure; configure auth.api_keys",
            address=where,
        )
    logging.flush()
    await stop.wait()
    for task in reloads:  # a reload not swapped in yet is dropped, not swapped in while draining
        task.cancel()
    await asyncio.gather(*reloads, return_exceptions=True)
    grace = running.router.config.server.shutdown_grace_s
    log.info("draining", grace_s=grace)
    await running.drain(grace)
    flusher.cancel()
    log.info("stopped")
    logging.flush()
    return 0


def run(config: RouterConfig, address: str, logging: Logging) -> int:
    try:
        return asyncio.run(serve(config, address, logging))
    finally:
        logging.flush()


def check_health(
    address: str,
    timeout_s: float,
    service: str = "",
    tls: tuple[str | None, str | None, str | None] | None = None,
) -> int:
    """0 when the server at `address` reports SERVING, else 1. `tls`: (CA file,
    client certificate file, client key file), each optional, for a TLS server."""
    if tls is None:
        channel = grpc.insecure_channel(address)
    else:
        ca, cert, key = (Path(p).read_bytes() if p else None for p in tls)
        credentials = grpc.ssl_channel_credentials(ca, key, cert)
        channel = grpc.secure_channel(address, credentials)
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout_s)
        except grpc.RpcError as err:
            print(f"{address}: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    print(f"{address}: {status}")
    return 0 if reply.status == health_pb2.HealthCheckResponse.SERVING else 1


__all__: Sequence[str] = ("RunningServer", "check_health", "run", "start")
