"""The AdminService servicer: bytes in, bytes out, conversion only.

Like RouterService's handlers these take raw bytes, so that bytes that do not
decode get INVALID_ARGUMENT `MALFORMED_REQUEST`. Who may call is decided before
a handler runs: the API-key interceptor lets only the admin role through, and
without keys `server.start` registers the service on loopback only. Each call
records one access-log line."""

from __future__ import annotations

import asyncio
import time

import grpc
from structlog.typing import FilteringBoundLogger

from modelrouter.api.access_log import AccessLog
from modelrouter.api.replies import Context, Replies, parse
from modelrouter.config.load import RouterConfig, redacted_yaml
from modelrouter.errors import InvalidRequest, RouterError, UnknownDeployment, UnknownModel
from modelrouter.lifecycle import Lifecycle, Reloaded
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb

ADMIN_SERVICE = "modelrouter.v1.AdminService"

_ACTIVE = pb.DEPLOYMENT_STATE_ACTIVE
_DRAINING = pb.DEPLOYMENT_STATE_DRAINING


def deployment_state(draining: bool) -> pb.DeploymentState:
    """A deployment's draining flag as the wire's DeploymentState."""
    return _DRAINING if draining else _ACTIVE


def _config_of(config: RouterConfig) -> bytes:
    """GetConfig's answer for `config`."""
    return apb.GetConfigResponse(
        yaml=redacted_yaml(config.text), source=config.source, config_version=config.version
    ).SerializeToString()


class AdminServicer:
    def __init__(self, lifecycle: Lifecycle, log: FilteringBoundLogger, access_log: AccessLog) -> None:
        self._lifecycle = lifecycle
        self._log = log
        self._record = access_log.record
        self._request_id = access_log.request_id
        self._replies = Replies(log, access_log)
        self._reloading: set[asyncio.Task[Reloaded]] = set()  # the loop holds tasks weakly
        self._config: tuple[str, bytes] = ("", b"")
        """GetConfig's last answer, with the version it is of: redacting a large
        file takes a while, so once per configuration, off the event loop."""

    async def reload_config(self, raw: bytes, context: Context) -> bytes:
        rpc = "ReloadConfig"
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            parse(apb.ReloadConfigRequest, raw)
            # An operator's reload runs to its end even if the caller leaves (a short
            # deadline): half a reload is none, and the next one would redo it.
            reloading = asyncio.get_running_loop().create_task(self._lifecycle.reload())
            self._reloading.add(reloading)
            reloading.add_done_callback(self._reloading.discard)
            reloaded = await asyncio.shield(reloading)
            response = apb.ReloadConfigResponse(
                previous_version=reloaded.previous_version,
                config_version=reloaded.version,
                added_models=reloaded.added,
                removed_models=reloaded.removed,
                changed_models=reloaded.changed,
            ).SerializeToString()
        except RouterError as err:
            await self._replies.fail(context, rpc, request_id, started, err)
        except Exception:
            await self._replies.crash(context, rpc, request_id, started)
        self._record(rpc, request_id, started, "OK")
        return response

    async def set_deployment_state(self, raw: bytes, context: Context) -> bytes:
        rpc = "SetDeploymentState"
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            req = parse(apb.SetDeploymentStateRequest, raw)
            if req.state not in (_ACTIVE, _DRAINING):
                raise InvalidRequest("state", "must be DEPLOYMENT_STATE_ACTIVE or DEPLOYMENT_STATE_DRAINING")
            live = self._lifecycle.current.live
            if req.model not in live.models:
                raise UnknownModel(req.model)
            draining = req.state == _DRAINING
            try:
                was = live.set_draining(req.model, req.deployment, draining)
            except KeyError:
                raise UnknownDeployment(req.model, req.deployment) from None
            if was != draining:
                self._log.info(
                    "deployment state",
                    model=req.model,
                    deployment=req.deployment,
                    state=pb.DeploymentState.Name(req.state),
                )
            response = apb.SetDeploymentStateResponse(
                previous_state=deployment_state(was), state=req.state
            ).SerializeToString()
        except RouterError as err:
            await self._replies.fail(context, rpc, request_id, started, err)
        except Exception:
            await self._replies.crash(context, rpc, request_id, started)
        self._record(rpc, request_id, started, "OK")
        return response

    async def get_config(self, raw: bytes, context: Context) -> bytes:
        rpc = "GetConfig"
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            parse(apb.GetConfigRequest, raw)
            config = self._lifecycle.current.config
            version, response = self._config
            if version != config.version:
                response = await asyncio.to_thread(_config_of, config)
                self._config = (config.version, response)
        except RouterError as err:
            await self._replies.fail(context, rpc, request_id, started, err)
        except Exception:
            await self._replies.crash(context, rpc, request_id, started)
        self._record(rpc, request_id, started, "OK")
        return response


def admin_handler(servicer: AdminServicer) -> grpc.GenericRpcHandler:
    unary = grpc.unary_unary_rpc_method_handler
    return grpc.method_handlers_generic_handler(
        ADMIN_SERVICE,
        {
            "ReloadConfig": unary(servicer.reload_config),
            "SetDeploymentState": unary(servicer.set_deployment_state),
            "GetConfig": unary(servicer.get_config),
        },
    )
