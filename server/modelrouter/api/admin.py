"""The AdminService servicer: bytes in, bytes out, conversion only.

Like RouterService's handlers these take raw bytes, so that bytes that do not
decode get INVALID_ARGUMENT `MALFORMED_REQUEST`. Who may call is decided before
a handler runs: the API-key interceptor lets only the admin role through, and
without keys `server.start` registers the service on loopback only. Each call
records one access-log line."""

from __future__ import annotations

import time

import grpc
from structlog.typing import FilteringBoundLogger

from modelrouter.api.access_log import AccessLog
from modelrouter.api.replies import Context, Replies, parse
from modelrouter.config.load import redacted_yaml
from modelrouter.errors import InvalidRequest, RouterError, UnknownDeployment, UnknownModel
from modelrouter.manager import Router
from modelrouter_client._proto import admin_pb2 as apb
from modelrouter_client._proto import router_pb2 as pb

ADMIN_SERVICE = "modelrouter.v1.AdminService"

_ACTIVE = pb.DEPLOYMENT_STATE_ACTIVE
_DRAINING = pb.DEPLOYMENT_STATE_DRAINING


def deployment_state(draining: bool) -> pb.DeploymentState:
    """A deployment's draining flag as the wire's DeploymentState."""
    return _DRAINING if draining else _ACTIVE


class AdminServicer:
    def __init__(self, router: Router, log: FilteringBoundLogger, access_log: AccessLog) -> None:
        self._router = router
        self._log = log
        self._record = access_log.record
        self._request_id = access_log.request_id
        self._replies = Replies(log, access_log)
        # The configuration in force does not change while this servicer lives:
        # redact it once.
        config = router.config
        self._config = apb.GetConfigResponse(
            yaml=redacted_yaml(config.text), source=config.source, config_version=config.version
        ).SerializeToString()

    async def set_deployment_state(self, raw: bytes, context: Context) -> bytes:
        rpc = "SetDeploymentState"
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            req = parse(apb.SetDeploymentStateRequest, raw)
            if req.state not in (_ACTIVE, _DRAINING):
                raise InvalidRequest("state", "must be DEPLOYMENT_STATE_ACTIVE or DEPLOYMENT_STATE_DRAINING")
            live = self._router.live
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
        except RouterError as err:
            await self._replies.fail(context, rpc, request_id, started, err)
        self._record(rpc, request_id, started, "OK")
        return self._config


def admin_handler(servicer: AdminServicer) -> grpc.GenericRpcHandler:
    unary = grpc.unary_unary_rpc_method_handler
    return grpc.method_handlers_generic_handler(
        ADMIN_SERVICE,
        {
            "SetDeploymentState": unary(servicer.set_deployment_state),
            "GetConfig": unary(servicer.get_config),
        },
    )
