"""Protobuf <-> domain conversion, with the validation a request needs on the way in.

Every check names the offending field in proto path form (`requirements.max_cost_usd`,
`selection.weights["speed"]`) so a caller can fix the request from the message alone."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from google.protobuf.timestamp_pb2 import Timestamp

from modelrouter.api import whole_request
from modelrouter.api.bounds import MAX_ENTRIES, SHORT, labels, short, string, strings
from modelrouter.api.wire import (
    DELTA_MAX,
    INVOKE_RESPONSE_DECISION,
    SELECT_RESPONSE_DECISION,
    STREAM_DONE,
    DecisionEncoder,
    basic_length,
    cut_utf8,
    decision_entry,
    decision_id_field,
    delta_messages,
    invoke_response_fields,
    length_delimited,
    per_call_fields,
    tool_call_delta,
    utf8,
)
from modelrouter.budgets.ledger import BudgetView
from modelrouter.config.schema import WEIGHT_KEYS
from modelrouter.conversation import ChatMessage, ToolCallDelta
from modelrouter.domain import (
    Decision,
    Health,
    InvokeCall,
    InvokeParams,
    Ranking,
    Requirements,
    SelectQuery,
)
from modelrouter.errors import InvalidRequest, UnknownModel, clip
from modelrouter.invoker import Invoked
from modelrouter.live import DeploymentState, ModelState
from modelrouter.reports import ModelReport, Span, StatsReport, TenantReport
from modelrouter.selection.estimate import resolve_token_counts
from modelrouter.selection.selector import Rest
from modelrouter.usage.figures import NANO, Figures
from modelrouter.usage.sketch import quantiles
from modelrouter_client._proto import router_pb2 as pb

ROLES = frozenset({"system", "user", "assistant", "tool"})
MAX_TOKENS = 100_000_000

# What one request may carry (and see `bounds`: strings of at most MAX_STRING bytes,
# lists of at most MAX_ENTRIES entries). Past a bound: INVALID_ARGUMENT
# INVALID_REQUEST naming the field.
MAX_REQUEST_ID = 128
"""The most characters of a request_id."""
CACHE_POLICIES = frozenset(pb.CachePolicy.values())
DECISION_VIEWS = frozenset(pb.DecisionView.values())
LATENCY_QUANTILES = (0.50, 0.95, 0.99)
TTFT_QUANTILES = (0.50, 0.95)
"""The quantiles Stats shows of a call's latency and of its time to first token."""


_PENDING = ChatMessage("", "")
"""The place of a message not yet converted (`Converter._messages`)."""


class Invocation(NamedTuple):
    """A validated Invoke or InvokeStream request."""

    call: InvokeCall
    full_decision: bool
    """The answer carries the whole decision (DECISION_VIEW_FULL), not the basic view."""


class Converter:
    """Built once with what validation needs to know (the registered model ids and
    the token defaults); converts each request and response."""

    def __init__(
        self,
        model_ids: Iterable[str],
        default_input: int,
        default_output: int,
        deployments: Iterable[str] = ("default",),
        max_messages: int = 1024,
        max_message_chars: int = 4_000_000,
        capabilities: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """`capabilities`: each model's, to refuse a call naming a model that lacks
        what the request uses (None: not checked)."""
        self._model_ids = frozenset(model_ids)
        self._capabilities = capabilities
        self._max_messages = max_messages
        self._max_message_chars = max_message_chars
        # Every deployment name is known at start-up: so are the per-call fields.
        self._per_call = {(d, c): per_call_fields(d, c) for d in set(deployments) for c in (False, True)}
        self._default_input = default_input
        self._default_output = default_output
        self._encoder = DecisionEncoder(self._model_ids)

    # -- requests -------------------------------------------------------------

    def select_query(
        self,
        msg: pb.SelectRequest,
        prefix: str = "",
        messages: Sequence[ChatMessage] | None = None,
        max_output_tokens: int | None = None,
    ) -> SelectQuery:
        """A SelectRequest (or an Invoke's `selection`, with its messages) as a query."""
        if len(msg.strategy) > SHORT:
            string(msg.strategy, f"{prefix}strategy")
        req = self.requirements(msg.requirements, f"{prefix}requirements")
        weights = self.weights(msg.weights, f"{prefix}weights")
        if messages is None:
            messages = self.messages(msg.messages, f"{prefix}messages", required=False)
        elif msg.messages:  # an Invoke's: its own messages count, but these are still bounded
            self._bound_messages(msg.messages, f"{prefix}messages")
        if max_output_tokens is None:
            max_output_tokens = _count(msg.max_output_tokens, f"{prefix}max_output_tokens")
        input_tokens, output_tokens = resolve_token_counts(
            req.expected_input_tokens,
            req.expected_output_tokens,
            messages,
            max_output_tokens,
            self._default_input,
            self._default_output,
        )
        return SelectQuery(req, msg.strategy, weights, input_tokens, output_tokens)

    def requirements(self, r: pb.Requirements, path: str) -> Requirements:
        """Validated requirements. The common request passes every check; the checks
        run first on the plain values, and the field paths are spelled out only for
        a request that fails one."""
        if (
            r.min_context_tokens < 0
            or r.expected_input_tokens < 0
            or r.expected_output_tokens < 0
            or not 0.0 <= r.max_cost_usd < math.inf
            or not 0.0 <= r.max_latency_ms < math.inf
            or not 0.0 <= r.min_quality <= 1.0
            or max(r.min_context_tokens, r.expected_input_tokens, r.expected_output_tokens) > MAX_TOKENS
            or r.include_models
            or r.exclude_models
            or len(r.task) > SHORT
            or (r.capabilities and (len(r.capabilities) > MAX_ENTRIES or not short(r.capabilities)))
            or (
                r.labels
                and (len(r.labels) > MAX_ENTRIES or not (short(r.labels) and short(r.labels.values())))
            )
        ):
            return self._checked_requirements(r, path)
        return Requirements(
            r.task,
            frozenset(r.capabilities),
            r.min_context_tokens,
            r.max_cost_usd,
            r.max_latency_ms,
            r.min_quality,
            None,
            frozenset(),
            tuple(sorted(r.labels.items())) if r.labels else (),
            r.expected_input_tokens,
            r.expected_output_tokens,
        )

    def _checked_requirements(self, r: pb.Requirements, path: str) -> Requirements:
        string(r.task, f"{path}.task")
        strings(r.capabilities, f"{path}.capabilities")
        strings(r.include_models, f"{path}.include_models")
        strings(r.exclude_models, f"{path}.exclude_models")
        labels(r.labels, f"{path}.labels")
        return Requirements(
            task=r.task,
            capabilities=frozenset(r.capabilities),
            min_context_tokens=_count(r.min_context_tokens, f"{path}.min_context_tokens"),
            max_cost_usd=_limit(r.max_cost_usd, f"{path}.max_cost_usd"),
            max_latency_ms=_limit(r.max_latency_ms, f"{path}.max_latency_ms"),
            min_quality=_unit(r.min_quality, f"{path}.min_quality"),
            include_models=self._known(r.include_models, f"{path}.include_models")
            if r.include_models
            else None,
            exclude_models=self._known(r.exclude_models, f"{path}.exclude_models"),
            labels=tuple(sorted(r.labels.items())) if r.labels else (),
            expected_input_tokens=_count(r.expected_input_tokens, f"{path}.expected_input_tokens"),
            expected_output_tokens=_count(r.expected_output_tokens, f"{path}.expected_output_tokens"),
        )

    def weights(self, w: Mapping[str, float], path: str) -> Mapping[str, float] | None:
        if not w:
            return None
        for key, value in w.items():
            if key not in WEIGHT_KEYS:
                raise InvalidRequest(
                    f'{path}["{clip(key)}"]', f"unknown weight key; use {', '.join(WEIGHT_KEYS)}"
                )
            if not math.isfinite(value) or value < 0:
                raise InvalidRequest(
                    f'{path}["{clip(key)}"]', f"weight must be a finite number >= 0, got {value}"
                )
        if sum(w.values()) <= 0:
            raise InvalidRequest(path, "at least one weight must be above zero")
        return MappingProxyType(dict(w))

    def messages(self, msgs: Sequence[pb.ChatMessage], path: str, required: bool) -> tuple[ChatMessage, ...]:
        return self._messages(msgs, path, required)[0]

    def _messages(
        self, msgs: Sequence[pb.ChatMessage], path: str, required: bool, extra: tuple[int, int] = (0, 0)
    ) -> tuple[tuple[ChatMessage, ...], whole_request.Conversation | None]:
        """The messages, and the Conversation that checked those with parts, tool
        calls or a tool_call_id (None when every message is plain text).

        One pass reads each message once (protobuf's field reads cost a wrapper
        each): its role, its size, and a plain one's conversion; then the bounds;
        then the others, in order, through the Conversation."""
        if required and not msgs:
            raise InvalidRequest(path, "at least one message is required")
        self._bound_count(msgs, path)
        out: list[ChatMessage] = []
        rich: list[int] = []
        total = 0
        for i, m in enumerate(msgs):
            role, content = m.role, m.content
            if role not in ROLES:
                raise InvalidRequest(
                    f"{path}[{i}].role", f"role must be system, user, assistant or tool, got {clip(role)!r}"
                )
            total += len(content)
            if m.parts or m.tool_calls or m.tool_call_id or role == "tool":
                total += whole_request.message_chars(m)
                rich.append(i)
                out.append(_PENDING)
            else:
                out.append(ChatMessage(role, content))
        self._bound_size(total, path, extra)
        if not rich:
            return tuple(out), None
        conversation = whole_request.Conversation()
        for i in rich:
            out[i] = conversation.message(msgs[i], i, path)
        return tuple(out), conversation

    def _bound_messages(self, msgs: Sequence[pb.ChatMessage], path: str) -> None:
        """The count and the total size of `msgs` within the server's bounds."""
        self._bound_count(msgs, path)
        total = sum(len(m.content) for m in msgs)
        rich = [m for m in msgs if m.parts or m.tool_calls or m.tool_call_id]
        self._bound_size(total + sum(whole_request.message_chars(m) for m in rich), path)

    def _bound_count(self, msgs: Sequence[pb.ChatMessage], path: str) -> None:
        if len(msgs) > self._max_messages:
            raise InvalidRequest(
                path, f"at most {self._max_messages} messages (server.max_messages), got {len(msgs)}"
            )

    def _bound_size(self, total: int, path: str, extra: tuple[int, int] = (0, 0)) -> None:
        """The size (`server.max_message_chars`): `total`, every message's content,
        text parts, image URLs, image data (a byte for a character) and tool calls
        (id, name, arguments) (`whole_request.message_chars`); then `extra`, the
        request's tools and its response schema, named as the field past the bound
        when they take the total there."""
        tools, schema = extra
        for field, size in (
            (path, total),
            ("tools", total + tools),
            ("response_format.schema", total + tools + schema),
        ):
            if size > self._max_message_chars:
                raise InvalidRequest(
                    field,
                    f"at most {self._max_message_chars} characters in all (server.max_message_chars: "
                    "message text, image bytes, tool calls, tools and the response schema), "
                    f"got {total + tools + schema}",
                )

    def invoke_call(self, msg: pb.InvokeRequest | pb.InvokeStreamRequest) -> Invocation:
        """An Invoke or InvokeStream request, validated, as a domain call, with the
        decision view it asked for."""
        if len(msg.request_id) > MAX_REQUEST_ID:
            # Not quoted: the whole point is not to echo or log it.
            raise InvalidRequest(
                "request_id", f"at most {MAX_REQUEST_ID} characters, got {len(msg.request_id)}"
            )
        if msg.cache not in CACHE_POLICIES:
            raise InvalidRequest(
                "cache", f"unknown CachePolicy value {int(msg.cache)}; use {sorted(CACHE_POLICIES)}"
            )
        if msg.decision_view not in DECISION_VIEWS:
            raise InvalidRequest(
                "decision_view",
                f"unknown DecisionView value {int(msg.decision_view)}; use {sorted(DECISION_VIEWS)}",
            )
        full = msg.decision_view == pb.DECISION_VIEW_FULL
        if msg.stop:
            strings(msg.stop, "stop")
        whole = bool(msg.tools) or msg.HasField("tool_choice") or msg.HasField("response_format")
        extra = whole_request.request_chars(msg) if whole else (0, 0)
        messages, conversation = self._messages(msg.messages, "messages", True, extra)
        max_output = _count(msg.max_output_tokens, "max_output_tokens")
        if msg.HasField("temperature") and not 0.0 <= msg.temperature < math.inf:
            # The range past 0 is each provider's own (OpenAI 2, Anthropic 1): theirs to refuse.
            raise InvalidRequest("temperature", f"must be a finite number >= 0, got {msg.temperature}")
        temperature = msg.temperature if msg.HasField("temperature") else None
        if whole:
            tools = whole_request.tools(msg.tools) if msg.tools else ()
            params = InvokeParams(
                messages,
                max_output or None,
                temperature,
                tuple(msg.stop),
                tools,
                whole_request.tool_choice(msg, tools) if msg.HasField("tool_choice") else None,
                whole_request.response_format(msg) if msg.HasField("response_format") else None,
            )
        else:
            params = InvokeParams(messages, max_output or None, temperature, tuple(msg.stop))
        needs = (
            whole_request.needs(conversation, params.tools, params.response_format)
            if whole or conversation is not None
            else frozenset()
        )
        if msg.model:
            if len(msg.model) > SHORT:
                string(msg.model, "model")
            if msg.HasField("selection"):
                raise InvalidRequest("model", "set either model or selection, not both")
            if msg.model not in self._model_ids:
                raise UnknownModel(msg.model)
            if needs:
                # A named model is called as named, never another: one that cannot
                # serve what the request uses is the caller's to change.
                missing = needs - self._capabilities[msg.model] if self._capabilities else None
                if missing:
                    raise InvalidRequest("model", whole_request.missing_sentence(msg.model, missing))
            input_tokens, output_tokens = resolve_token_counts(
                0, 0, messages, max_output, self._default_input, self._default_output
            )
            call = InvokeCall(
                msg.model, None, b"", params, msg.request_id, int(msg.cache), input_tokens, output_tokens
            )
            return Invocation(call, full)
        query = self.select_query(msg.selection, "selection.", messages, max_output)
        # The selection cache key: what the ranking depends on, the selection
        # itself, the token counts its estimates assume and the capabilities the
        # request's contents require; as a fixed-size digest, so that what the
        # cache keeps does not grow with the request.
        key = hashlib.blake2b(
            msg.selection.SerializeToString(deterministic=True), digest_size=16, person=b"invoke"
        )
        key.update(query.input_tokens.to_bytes(8, "little") + query.output_tokens.to_bytes(8, "little"))
        if needs:
            # What the request uses is required, like any capability the selection asks.
            required = query.requirements
            query = query._replace(requirements=required._replace(capabilities=required.capabilities | needs))
            key.update(",".join(sorted(needs)).encode())
        call = InvokeCall(None, query, key.digest(), params, msg.request_id, int(msg.cache))
        return Invocation(call, full)

    def model_filter(self, ids: Sequence[str], path: str) -> tuple[str, ...]:
        strings(ids, path)
        self._known(ids, path)
        return tuple(dict.fromkeys(ids))

    def _known(self, ids: Sequence[str], path: str) -> frozenset[str]:
        for i, mid in enumerate(ids):
            if mid not in self._model_ids:
                raise InvalidRequest(
                    f"{path}[{i}]", f"unknown model id {clip(mid)!r}; ListModels shows the registered ids"
                )
        return frozenset(ids)

    # -- responses ------------------------------------------------------------

    def render(
        self, requested_strategy: str, ranking: Ranking, basic: bool = False, rest: Rest | None = None
    ) -> bytes:
        """A fresh decision's Decision message bytes, but for the per-call fields;
        the selection cache keeps them with the decision. `basic`: the basic view
        only; `rest`: what the ranking's later entries render to (`Render`)."""
        return self._encoder.encode(requested_strategy, ranking, basic, rest)

    def select_response(self, decision: Decision, decision_id: str) -> bytes:
        """SelectResponse bytes: the decision's rendering with the per-call fields
        appended inside the same `decision` entry. (Two entries would be merged by
        a conforming parser, but protobufjs 7, under @grpc/proto-loader, keeps
        only the last.)"""
        per_call = self._per_call_of(decision) + decision_id_field(decision_id)
        return decision_entry(SELECT_RESPONSE_DECISION, decision.rendered, per_call)

    def _per_call_of(self, decision: Decision) -> bytes:
        fields = self._per_call.get((decision.deployment, decision.from_cache))
        return fields if fields is not None else per_call_fields(decision.deployment, decision.from_cache)

    def invoke_response(
        self,
        invoked: Invoked,
        decision: Decision,
        request_id: str,
        latency_ms: float,
        decision_id: str,
        cache_hit: bool = False,
        full_decision: bool = False,
    ) -> bytes:
        """InvokeResponse bytes; the decision travels as its rendering (whole, or
        its basic view) plus the per-call fields, in one entry."""
        return self._invoke_response(
            invoked.completion.text,
            invoked,
            decision,
            request_id,
            latency_ms,
            decision_id,
            cache_hit,
            full_decision,
        )

    def _invoke_response(
        self,
        text: str,
        invoked: Invoked,
        decision: Decision,
        request_id: str,
        latency_ms: float,
        decision_id: str,
        cache_hit: bool,
        full_decision: bool,
    ) -> bytes:
        c = invoked.completion
        body = invoke_response_fields(
            text,
            c.finish_reason,
            c.input_tokens,
            c.output_tokens,
            invoked.cost_usd,
            invoked.model,
            invoked.attempts,
            cache_hit or invoked.cache_hit,
            latency_ms,
            request_id,
            invoked.deployment,
            c.tool_calls,
        )
        rendered = decision.rendered
        if not full_decision:
            # The basic view is the rendering's prefix: a slice, not a second rendering.
            rendered = rendered[: basic_length(rendered)]
        per_call = self._per_call_of(decision) + decision_id_field(decision_id)
        return body + decision_entry(INVOKE_RESPONSE_DECISION, rendered, per_call)

    def stream_deltas(self, text: str) -> tuple[bytes, ...]:
        """The InvokeStreamResponse messages carrying the next piece of text: one,
        unless the piece is longer than DELTA_MAX bytes (`delta_messages`)."""
        return delta_messages(text)

    def stream_tool_call(self, delta: ToolCallDelta) -> tuple[bytes, ...]:
        """The InvokeStreamResponse messages carrying a piece of a tool call: one,
        unless its arguments are longer than DELTA_MAX bytes; then the first has
        the id and name, and each carries at most DELTA_MAX bytes of arguments, cut
        between characters as text deltas are."""
        arguments = utf8(delta.arguments)
        if len(arguments) <= DELTA_MAX:
            return (tool_call_delta(delta.index, delta.id, delta.name, arguments),)
        pieces = cut_utf8(arguments, DELTA_MAX)
        first = tool_call_delta(delta.index, delta.id, delta.name, pieces[0])
        return (first, *(tool_call_delta(delta.index, "", "", piece) for piece in pieces[1:]))

    def stream_done(
        self,
        invoked: Invoked,
        decision: Decision,
        request_id: str,
        latency_ms: float,
        decision_id: str,
        full_decision: bool = False,
    ) -> bytes:
        """The final InvokeStreamResponse: the answer's InvokeResponse, but with an
        empty `text`. The deltas carried the text; repeating it here would make this
        one message as large as the whole answer (past a client's receive limit for
        an answer the deltas delivered in full). The tool calls, whole, are here."""
        return length_delimited(
            STREAM_DONE,
            self._invoke_response(
                "", invoked, decision, request_id, latency_ms, decision_id, False, full_decision
            ),
        )

    def decision(self, decision: Decision, basic: bool = False, decision_id: str = "") -> pb.Decision:
        """A fresh decision as a protobuf object (the reference the wire encoder is
        tested against); `basic`: its basic view, the chosen model's entry alone."""
        d = self._static_decision(decision)
        if basic:
            del d.ranking[1:]
            del d.rejected[:]
        d.deployment = decision.deployment
        d.from_cache = decision.from_cache
        d.decision_id = decision_id
        return d

    def _static_decision(self, decision: Decision) -> pb.Decision:
        ranking = decision.ranking
        if ranking is None:
            raise ValueError("a cached decision keeps no ranking; use its rendering")
        best = ranking.ranked[0].candidate
        return pb.Decision(
            model=best.model,
            strategy=ranking.strategy,
            requested_strategy=decision.requested_strategy,
            ranking=[
                pb.ScoredModel(
                    model=s.candidate.model,
                    score=s.score,
                    components=dict(zip(ranking.component_names, s.components, strict=True)),
                    estimated_cost_usd=s.candidate.cost_usd,
                    expected_latency_ms=s.candidate.latency_ms,
                )
                for s in ranking.ranked
            ],
            rejected=[
                pb.Rejection(model=r.model, reason=r.reason, detail=r.detail) for r in ranking.rejected
            ],
            estimated_cost_usd=best.cost_usd,
            expected_latency_ms=best.latency_ms,
            estimated_input_tokens=ranking.input_tokens,
            estimated_output_tokens=ranking.output_tokens,
        )

    def list_models(
        self, models: Sequence[ModelState], strategies: Sequence[str], default: str, config_version: str
    ) -> bytes:
        return pb.ListModelsResponse(
            models=[_model_info(m) for m in models],
            strategies=strategies,
            default_strategy=default,
            config_version=config_version,
        ).SerializeToString()

    def stats(self, report: StatsReport) -> bytes:
        c = report.cache
        since = Timestamp()
        since.FromNanoseconds(int(report.totals_since * 1e9))
        return pb.StatsResponse(
            models=[_model_stats(m) for m in report.models],
            cache=pb.CacheStats(
                hits=c.hits,
                misses=c.misses,
                entries=c.entries,
                bytes=c.bytes,
                evictions=c.evictions,
                selection_hits=c.selection_hits,
                selection_misses=c.selection_misses,
                selection_entries=c.selection_entries,
            ),
            suggestions=report.suggestions,
            uptime_s=report.uptime_s,
            window_s=report.window_s,
            totals_since=since,
            budgets=[_budget(b) for b in report.budgets],
            tenant=report.tenant,
            tenants=[_tenant_stats(t) for t in report.tenants],
        ).SerializeToString()


def _model_info(m: ModelState) -> pb.ModelInfo:
    s = m.spec
    latency = m.latency
    return pb.ModelInfo(
        id=s.id,
        provider=s.provider,
        capabilities=sorted(s.capabilities),
        context_window=s.context_window,
        input_cost_per_mtok=s.pricing.input_per_mtok,
        output_cost_per_mtok=s.pricing.output_per_mtok,
        quality=dict(s.quality),
        labels=dict(s.labels),
        deployments=[
            pb.DeploymentInfo(
                name=d.name,
                weight=d.weight,
                health=_health(d.health),
                state=pb.DEPLOYMENT_STATE_DRAINING if d.draining else pb.DEPLOYMENT_STATE_ACTIVE,
            )
            for d in m.deployments
        ],
        health=_health(m.health),
        upstream_model=s.upstream_model,
        ttft_ms=latency.ttft_ms,
        tokens_per_s=latency.tokens_per_s,
        balancer=s.balancer,
    )


def _model_stats(m: ModelReport) -> pb.ModelStats:
    state, total = m.state, m.figures.total
    return pb.ModelStats(
        model=state.id,
        **_figures(total),
        in_flight=sum(d.in_flight for d in state.deployments),
        selections=total.selections,
        health=_health(state.health),
        deployments=[
            _deployment_stats(d, span) for d, span in zip(state.deployments, m.deployments, strict=True)
        ],
        recent=_window(m.figures.recent),
        learned=[
            pb.LearnedQuality(
                task=r.task,
                quality=r.quality,
                uncertainty=r.uncertainty,
                scores=r.scores,
                configured_quality=r.configured,
                tenant=r.tenant,
            )
            for r in m.learned
        ],
    )


def _deployment_stats(d: DeploymentState, span: Span) -> pb.DeploymentStats:
    return pb.DeploymentStats(
        deployment=d.name,
        **_figures(span.total),
        in_flight=d.in_flight,
        selections=span.total.selections,
        health=_health(d.health),
        recent=_window(span.recent),
        saturation=span.recent.saturation,
    )


def _figures(f: Figures) -> dict[str, Any]:
    """The fields ModelStats, DeploymentStats and WindowStats share."""
    p50, p95, p99 = quantiles(f.latency, LATENCY_QUANTILES)
    ttft_p50, ttft_p95 = quantiles(f.ttft, TTFT_QUANTILES)
    return {
        "requests": f.requests,
        "successes": f.successes,
        "failures": f.failures,
        "failures_by_reason": f.failures_by_reason,
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "latency_p99_ms": p99,
        "ttft_p50_ms": ttft_p50,
        "ttft_p95_ms": ttft_p95,
        "input_tokens": f.input_tokens,
        "output_tokens": f.output_tokens,
        "cost_usd": f.cost_usd,
    }


def _window(f: Figures) -> pb.WindowStats:
    return pb.WindowStats(**_figures(f), selections=f.selections)


def _tenant_stats(t: TenantReport) -> pb.TenantStats:
    return pb.TenantStats(
        tenant=t.tenant,
        requests=t.requests,
        successes=t.successes,
        failures=t.failures,
        input_tokens=t.input_tokens,
        output_tokens=t.output_tokens,
        cost_usd=t.cost_nusd / NANO,
        requests_last_minute=t.requests_last_minute,
        tokens_last_minute=t.tokens_last_minute,
        requests_per_minute=t.requests_per_minute,
        tokens_per_minute=t.tokens_per_minute,
    )


def _budget(b: BudgetView) -> pb.BudgetStatus:
    resets = Timestamp()
    resets.FromSeconds(int(b.resets_at))
    return pb.BudgetStatus(
        scope=b.limit.scope,  # "*" for a tenant's: its calls on every model
        tenant=b.tenant,
        period=b.limit.period,
        limit_usd=b.limit.limit_nusd / NANO,
        spent_usd=b.spent_nusd / NANO,
        reserved_usd=b.reserved_nusd / NANO,
        resets_at=resets,
    )


_HEALTH: dict[Health, pb.HealthState] = {
    Health.UNSPECIFIED: pb.HEALTH_STATE_UNSPECIFIED,
    Health.HEALTHY: pb.HEALTH_STATE_HEALTHY,
    Health.DEGRADED: pb.HEALTH_STATE_DEGRADED,
    Health.UNHEALTHY: pb.HEALTH_STATE_UNHEALTHY,
}


def _health(h: Health) -> pb.HealthState:
    return _HEALTH[h]


def selection_digest(raw: bytes) -> bytes:
    """The selection cache's key for a SelectRequest's bytes: 16 bytes whatever
    their size (about 0.3 µs for a few hundred bytes)."""
    return hashlib.blake2b(raw, digest_size=16, person=b"select").digest()


def _count(value: int, path: str) -> int:
    if value < 0:
        raise InvalidRequest(path, f"must be 0 or more, got {value}")
    if value > MAX_TOKENS:
        raise InvalidRequest(path, f"must be at most {MAX_TOKENS}, got {value}")
    return value


def _limit(value: float, path: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise InvalidRequest(path, f"must be a finite number >= 0 (0 = no limit), got {value}")
    return value


def _unit(value: float, path: str) -> float:
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise InvalidRequest(path, f"must be between 0 and 1, got {value}")
    return value
