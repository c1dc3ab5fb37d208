"""The RouterService servicer: bytes in, bytes out, conversion only.

Handlers are registered without deserializers so that request bytes that do not
decode get INVALID_ARGUMENT `MALFORMED_REQUEST` from us, rather than a bare
INTERNAL from grpc's generated code, and so that cached answers can be sent as
stored bytes. Each call records one access-log line."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import NamedTuple, NoReturn

import grpc
from cachetools import LRUCache
from structlog.typing import FilteringBoundLogger

from modelrouter.api.access_log import AccessLog
from modelrouter.api.caller import current_caller
from modelrouter.api.convert import Converter, Invocation, selection_digest
from modelrouter.api.inflight import InFlight
from modelrouter.api.replies import Context, Replies, parse
from modelrouter.cache.responses import ResponseCache
from modelrouter.clock import monotonic
from modelrouter.conversation import ChatMessage, ToolCallDelta
from modelrouter.domain import InvokeCall
from modelrouter.errors import RouterError, ShuttingDown
from modelrouter.invoker import Invoked
from modelrouter.lifecycle import Lifecycle
from modelrouter.manager import Router
from modelrouter.ratelimit import Admission
from modelrouter_client._proto import router_pb2 as pb

SERVICE = "modelrouter.v1.RouterService"
# Validated Invoke calls kept by their request bytes, for requests that repeat
# (`RouterServicer._calls`). Rule: LRU, at most MAX_REMEMBERED_CALLS entries, keys of
# at most MAX_REMEMBERED_REQUEST_BYTES (4 MiB of keys). Keyed by the bytes themselves,
# not a digest: a lookup then needs no digest of the request.
MAX_REMEMBERED_CALLS = 1024
MAX_REMEMBERED_REQUEST_BYTES = 4096
InvokeMessage = pb.InvokeRequest | pb.InvokeStreamRequest


def _deadline(context: Context) -> float | None:
    """The caller's deadline on the router's clock, if the caller set one."""
    remaining = context.time_remaining()
    return None if remaining is None else monotonic() + remaining


class InForce(NamedTuple):
    """What a call works with, taken once when it starts: the Router in force and
    what is built from its configuration. A reload replaces the whole at once."""

    router: Router
    convert: Converter
    calls: LRUCache[bytes, Invocation]
    """Validated Invoke calls by their request bytes (see MAX_REMEMBERED_*):
    validated against this configuration's models, so kept with it."""
    log_content: bool

    @classmethod
    def of(cls, router: Router) -> InForce:
        cfg = router.config
        convert = Converter(
            (m.id for m in cfg.models),
            cfg.server.default_expected_input_tokens,
            cfg.server.default_expected_output_tokens,
            (d.name for m in cfg.models for d in m.deployments),
            max_messages=cfg.server.max_messages,
            max_message_chars=cfg.server.max_message_chars,
            capabilities={m.id: m.capabilities for m in cfg.models},
        )
        return cls(router, convert, LRUCache(MAX_REMEMBERED_CALLS), cfg.server.log_content)


class RouterServicer:
    def __init__(
        self, lifecycle: Lifecycle, log: FilteringBoundLogger, access_log: AccessLog, in_flight: InFlight
    ) -> None:
        self._in_flight = in_flight
        self._log = log
        self.access_log = access_log
        self._record = access_log.record
        self._request_id = access_log.request_id
        self._replies = Replies(log, access_log)
        self._now = InForce.of(lifecycle.current)
        lifecycle.on_swap(self._swap)

    def _swap(self, router: Router) -> None:
        self._now = InForce.of(router)

    # -- RPCs -------------------------------------------------------------------

    async def select(self, raw: bytes, context: Context) -> bytes:
        started = time.perf_counter()
        request_id = self._request_id()
        router, convert, _, _ = self._now
        tenant = current_caller().tenant
        try:
            await router.admit(tenant)  # RATE_LIMITED before any work; nothing to settle
            # Cached by a digest of the request bytes: what the cache keeps does not
            # grow with the request (which may be megabytes), and a repeat is found
            # without parsing it. Only a request that passed validation is stored.
            key = selection_digest(raw)
            decision = router.select_cached(key, tenant, convert.render)
            if decision is None:
                query = convert.select_query(parse(pb.SelectRequest, raw))
                decision = router.select(query, key, convert.render, tenant)
            response = convert.select_response(decision, router.decision_id(tenant, decision, decision.model))
        except RouterError as err:
            del raw  # see `Replies.fail`
            await self._replies.fail(context, "Select", request_id, started, err)
        except Exception:
            await self._replies.crash(context, "Select", request_id, started)
        self._record("Select", request_id, started, "OK", decision.model)
        return response

    async def invoke(self, raw: bytes, context: Context) -> bytes:
        started = time.perf_counter()
        request_id = self._request_id()
        task = self._in_flight.enter()
        now = self._now
        router, convert = now.router, now.convert
        router.enter()
        tenant = current_caller().tenant
        admission: Admission | None = None
        try:
            call, full_decision = self._invoke_call(now, raw, pb.InvokeRequest)
            request_id = call.request_id or request_id
            admission = await router.admit(tenant, call)
            decision = router.decide(call, convert.render, tenant, not full_decision)
            invoked = await router.invoke(call, decision, _deadline(context), tenant)
            latency_ms = (time.perf_counter() - started) * 1000
            decision_id = router.decision_id(tenant, decision, invoked.model)  # who answered
            response = convert.invoke_response(
                invoked, decision, request_id, latency_ms, decision_id, full_decision=full_decision
            )
        except RouterError as err:
            del raw  # see `Replies.fail`
            await self._replies.fail(context, "Invoke", request_id, started, err)
        except asyncio.CancelledError:
            if not self._in_flight.cutting:
                raise  # the caller went away
            await self._shut_down(task, context, "Invoke", request_id, started)
        except Exception:
            await self._replies.crash(context, "Invoke", request_id, started)
        finally:
            self._in_flight.leave(task)
            if admission is not None:  # every way out: an answer, an error, a cut
                router.settle(admission)
            router.leave()
        self._record("Invoke", request_id, started, "OK", invoked=invoked)
        if now.log_content:
            self._content(request_id, call, invoked)
        return response

    async def invoke_stream(self, raw: bytes, context: Context) -> AsyncIterator[bytes]:
        started = time.perf_counter()
        request_id = self._request_id()
        task = self._in_flight.enter()
        now = self._now
        router, convert = now.router, now.convert
        router.enter()
        tenant = current_caller().tenant
        admission: Admission | None = None
        try:
            call, full_decision = self._invoke_call(now, raw, pb.InvokeStreamRequest)
            request_id = call.request_id or request_id
            admission = await router.admit(tenant, call)
            decision = router.decide(call, convert.render, tenant, not full_decision)
            in_flight = self._in_flight
            items = router.stream(call, decision, _deadline(context), tenant)
            async with aclosing(items):  # a cut stream ends its attempt now, not at collection
                async for item in items:
                    if isinstance(item, str):
                        in_flight.writing(task)
                        for message in convert.stream_deltas(item):
                            yield message
                        in_flight.written(task)
                    elif isinstance(item, ToolCallDelta):
                        in_flight.writing(task)
                        for message in convert.stream_tool_call(item):
                            yield message
                        in_flight.written(task)
                    else:
                        latency_ms = (time.perf_counter() - started) * 1000
                        decision_id = router.decision_id(tenant, decision, item.model)
                        yield convert.stream_done(
                            item, decision, request_id, latency_ms, decision_id, full_decision
                        )
                        self._record("InvokeStream", request_id, started, "OK", invoked=item)
                        if now.log_content:
                            self._content(request_id, call, item)
        except RouterError as err:
            del raw  # see `Replies.fail`
            await self._replies.fail(context, "InvokeStream", request_id, started, err)
        except asyncio.CancelledError:
            if not self._in_flight.cutting:
                raise  # the caller went away
            await self._shut_down(task, context, "InvokeStream", request_id, started)
        except Exception:
            await self._replies.crash(context, "InvokeStream", request_id, started)
        finally:
            self._in_flight.leave(task)
            if admission is not None:  # every way out: an answer, an error, a cut
                router.settle(admission)
            router.leave()

    @staticmethod
    def _invoke_call(
        now: InForce, raw: bytes, cls: type[pb.InvokeRequest] | type[pb.InvokeStreamRequest]
    ) -> Invocation:
        """The validated call for these request bytes. A repeated request (same
        bytes, no request_id) is validated once: the call, with its response
        cache key, is kept for its bytes. (InvokeRequest and InvokeStreamRequest
        share their fields, so their bytes mean the same call.)"""
        known = now.calls.get(raw)  # keyed by bytes: bounded, see MAX_REMEMBERED_*
        if known is not None:
            return known
        invocation = now.convert.invoke_call(parse(cls, raw))
        call = invocation.call
        if not call.request_id and len(raw) <= MAX_REMEMBERED_REQUEST_BYTES:
            call = dataclasses.replace(call, answer_key=ResponseCache.key(call))
            invocation = Invocation(call, invocation.full_decision)
            now.calls[raw] = invocation
        return invocation

    def _content(self, request_id: str, call: InvokeCall, invoked: Invoked) -> None:
        """Debug only (`server.log_content`): what was asked and answered. Off by
        default, since prompts and answers are the callers' data."""
        self._log.info(
            "content",
            request_id=request_id,
            messages=[_logged(m) for m in call.params.messages],
            text=invoked.completion.text,
            tool_calls=[
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in invoked.completion.tool_calls
            ],
        )

    async def stats(self, raw: bytes, context: Context) -> bytes:
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            router, convert, _, _ = self._now
            msg = parse(pb.StatsRequest, raw)
            models = convert.model_filter(msg.models, "models")
            tenant = router.stats_tenant(current_caller(), msg.tenant)
            report = await router.stats(models, tenant, current_caller().admin)
            response = convert.stats(report)
        except RouterError as err:
            await self._replies.fail(context, "Stats", request_id, started, err)
        except Exception:
            await self._replies.crash(context, "Stats", request_id, started)
        self._record("Stats", request_id, started, "OK")
        return response

    async def feedback(self, raw: bytes, context: Context) -> bytes:
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            router, tenant = self._now.router, current_caller().tenant
            # A request like any other against the tenant's rate limit: a flood of
            # scores is the tenant's own to pay for, not every tenant's store's.
            await router.admit(tenant)
            msg = parse(pb.FeedbackRequest, raw)
            await router.score(tenant, msg.decision_id, msg.score)
        except RouterError as err:
            await self._replies.fail(context, "Feedback", request_id, started, err)
        except Exception:
            await self._replies.crash(context, "Feedback", request_id, started)
        self._record("Feedback", request_id, started, "OK")
        return b""  # FeedbackResponse has no fields

    async def list_models(self, raw: bytes, context: Context) -> bytes:
        started = time.perf_counter()
        request_id = self._request_id()
        try:
            router, convert, _, _ = self._now
            parse(pb.ListModelsRequest, raw)
            registry = router.registry
            response = convert.list_models(
                router.models(), registry.names, registry.default, router.config.version
            )
        except RouterError as err:
            await self._replies.fail(context, "ListModels", request_id, started, err)
        except Exception:
            await self._replies.crash(context, "ListModels", request_id, started)
        self._record("ListModels", request_id, started, "OK")
        return response

    # -- helpers ----------------------------------------------------------------

    async def _shut_down(
        self, task: asyncio.Task[object], context: Context, rpc: str, request_id: str, started: float
    ) -> NoReturn:
        """A call the shutdown cut: answered UNAVAILABLE SHUTTING_DOWN."""
        task.uncancel()
        await self._replies.fail(context, rpc, request_id, started, ShuttingDown())


def _logged(m: ChatMessage) -> dict[str, object]:
    """A message as the content log shows it: its text, and what else it carries
    (images by their count, not their bytes)."""
    logged: dict[str, object] = {"role": m.role, "content": m.text}
    if m.images:
        logged["images"] = len(m.images)
    if m.tool_calls:
        logged["tool_calls"] = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls]
    if m.tool_call_id:
        logged["tool_call_id"] = m.tool_call_id
    return logged


def generic_handler(servicer: RouterServicer) -> grpc.GenericRpcHandler:
    unary = grpc.unary_unary_rpc_method_handler
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Select": unary(servicer.select),
            "Invoke": unary(servicer.invoke),
            "InvokeStream": grpc.unary_stream_rpc_method_handler(servicer.invoke_stream),
            "Stats": unary(servicer.stats),
            "ListModels": unary(servicer.list_models),
            "Feedback": unary(servicer.feedback),
        },
    )
