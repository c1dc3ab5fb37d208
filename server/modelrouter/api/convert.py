"""Protobuf <-> domain conversion, with the validation a request needs on the way in.

Every check names the offending field in proto path form (`requirements.max_cost_usd`,
`selection.weights["speed"]`) so a caller can fix the request from the message alone."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from modelrouter.api.wire import (
    INVOKE_RESPONSE_DECISION,
    SELECT_RESPONSE_DECISION,
    STREAM_DELTA,
    STREAM_DONE,
    DecisionEncoder,
    decision_entry,
    invoke_response_fields,
    length_delimited,
    per_call_fields,
    utf8,
    varint,
)
from modelrouter.budgets.ledger import BudgetView
from modelrouter.config.schema import WEIGHT_KEYS
from modelrouter.domain import (
    ChatMessage,
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
from modelrouter.usage.figures import NANO, Figures
from modelrouter.usage.sketch import quantile
from modelrouter_client._proto import router_pb2 as pb

ROLES = frozenset({"system", "user", "assistant"})
MAX_TOKENS = 100_000_000

# What one request may carry. Past a bound: INVALID_ARGUMENT INVALID_REQUEST naming
# the field. Requests are kept (the selection cache keeps decisions by a digest of
# them, the Invoke memo by their bytes) and quoted (errors, logs): unbounded, one
# caller could grow the server's memory and logs at will.
MAX_REQUEST_ID = 128
"""The most characters of a request_id."""
MAX_STRING = 1024
"""The most UTF-8 bytes of one selection string: a task, capability, label key or
value, model id, strategy name or stop sequence."""
MAX_ENTRIES = 256
"""The most entries of one list or map of a request (capabilities, labels,
include/exclude_models, stop, Stats' models); messages are bounded by config."""
_SHORT = MAX_STRING // 4  # this many characters are at most MAX_STRING bytes of UTF-8
CACHE_POLICIES = frozenset(pb.CachePolicy.values())

DELTA_MAX = 64 * 1024
"""The most UTF-8 bytes of text one InvokeStream `delta` message carries. A longer
delta from a provider goes out as several, cut between characters: however large
an answer (up to a model's `max_response_bytes`, at most 64 MiB), no message of a
stream comes near gRPC's default 4 MiB receive limit."""


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
    ) -> None:
        self._model_ids = frozenset(model_ids)
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
        if len(msg.strategy) > _SHORT:
            _string(msg.strategy, f"{prefix}strategy")
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
            or len(r.task) > _SHORT
            or (r.capabilities and (len(r.capabilities) > MAX_ENTRIES or not _short(r.capabilities)))
            or (
                r.labels
                and (len(r.labels) > MAX_ENTRIES or not (_short(r.labels) and _short(r.labels.values())))
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
        _string(r.task, f"{path}.task")
        _strings(r.capabilities, f"{path}.capabilities")
        _strings(r.include_models, f"{path}.include_models")
        _strings(r.exclude_models, f"{path}.exclude_models")
        _labels(r.labels, f"{path}.labels")
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
        if required and not msgs:
            raise InvalidRequest(path, "at least one message is required")
        self._bound_messages(msgs, path)
        out = []
        for i, m in enumerate(msgs):
            if m.role not in ROLES:
                raise InvalidRequest(
                    f"{path}[{i}].role", f"role must be system, user or assistant, got {clip(m.role)!r}"
                )
            out.append(ChatMessage(m.role, m.content))
        return tuple(out)

    def _bound_messages(self, msgs: Sequence[pb.ChatMessage], path: str) -> None:
        """The count and the total content size of `msgs` within the server's bounds."""
        if len(msgs) > self._max_messages:
            raise InvalidRequest(
                path, f"at most {self._max_messages} messages (server.max_messages), got {len(msgs)}"
            )
        total = sum(len(m.content) for m in msgs)
        if total > self._max_message_chars:
            raise InvalidRequest(
                path,
                f"at most {self._max_message_chars} characters of content in all "
                f"(server.max_message_chars), got {total}",
            )

    def invoke_call(self, msg: pb.InvokeRequest | pb.InvokeStreamRequest) -> InvokeCall:
        """An Invoke or InvokeStream request, validated, as a domain call."""
        if len(msg.request_id) > MAX_REQUEST_ID:
            # Not quoted: the whole point is not to echo or log it.
            raise InvalidRequest(
                "request_id", f"at most {MAX_REQUEST_ID} characters, got {len(msg.request_id)}"
            )
        if msg.cache not in CACHE_POLICIES:
            raise InvalidRequest(
                "cache", f"unknown CachePolicy value {int(msg.cache)}; use {sorted(CACHE_POLICIES)}"
            )
        if msg.stop:
            _strings(msg.stop, "stop")
        messages = self.messages(msg.messages, "messages", required=True)
        max_output = _count(msg.max_output_tokens, "max_output_tokens")
        if msg.HasField("temperature") and not 0.0 <= msg.temperature < math.inf:
            # The range past 0 is each provider's own (OpenAI 2, Anthropic 1): theirs to refuse.
            raise InvalidRequest("temperature", f"must be a finite number >= 0, got {msg.temperature}")
        params = InvokeParams(
            messages,
            max_output or None,
            msg.temperature if msg.HasField("temperature") else None,
            tuple(msg.stop),
        )
        if msg.model:
            if len(msg.model) > _SHORT:
                _string(msg.model, "model")
            if msg.HasField("selection"):
                raise InvalidRequest("model", "set either model or selection, not both")
            if msg.model not in self._model_ids:
                raise UnknownModel(msg.model)
            input_tokens, output_tokens = resolve_token_counts(
                0, 0, messages, max_output, self._default_input, self._default_output
            )
            return InvokeCall(
                msg.model, None, b"", params, msg.request_id, int(msg.cache), input_tokens, output_tokens
            )
        query = self.select_query(msg.selection, "selection.", messages, max_output)
        # The selection cache key: what the ranking depends on, the selection
        # itself and the token counts its estimates assume; as a fixed-size digest,
        # so that what the cache keeps does not grow with the request.
        key = hashlib.blake2b(
            msg.selection.SerializeToString(deterministic=True), digest_size=16, person=b"invoke"
        )
        key.update(query.input_tokens.to_bytes(8, "little") + query.output_tokens.to_bytes(8, "little"))
        return InvokeCall(None, query, key.digest(), params, msg.request_id, int(msg.cache))

    def model_filter(self, ids: Sequence[str], path: str) -> tuple[str, ...]:
        _strings(ids, path)
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

    def render(self, requested_strategy: str, ranking: Ranking) -> bytes:
        """A fresh decision's Decision message bytes, but for the per-call fields;
        the selection cache keeps them with the decision."""
        return self._encoder.encode(requested_strategy, ranking)

    def select_response(self, decision: Decision) -> bytes:
        """SelectResponse bytes: the decision's rendering with the per-call fields
        appended inside the same `decision` entry. (Two entries would be merged by
        a conforming parser, but protobufjs 7, under @grpc/proto-loader, keeps
        only the last.)"""
        return decision_entry(SELECT_RESPONSE_DECISION, decision.rendered, self._per_call_of(decision))

    def _per_call_of(self, decision: Decision) -> bytes:
        fields = self._per_call.get((decision.deployment, decision.from_cache))
        return fields if fields is not None else per_call_fields(decision.deployment, decision.from_cache)

    def invoke_response(
        self,
        invoked: Invoked,
        decision: Decision,
        request_id: str,
        latency_ms: float,
        cache_hit: bool = False,
    ) -> bytes:
        """InvokeResponse bytes; the decision travels as its rendering plus the
        per-call fields, in one entry."""
        return self._invoke_response(
            invoked.completion.text, invoked, decision, request_id, latency_ms, cache_hit
        )

    def _invoke_response(
        self,
        text: str,
        invoked: Invoked,
        decision: Decision,
        request_id: str,
        latency_ms: float,
        cache_hit: bool,
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
        )
        return body + decision_entry(INVOKE_RESPONSE_DECISION, decision.rendered, self._per_call_of(decision))

    def stream_deltas(self, text: str) -> tuple[bytes, ...]:
        """The InvokeStreamResponse messages carrying the next piece of text: one,
        unless the piece is longer than DELTA_MAX bytes (`delta_messages`)."""
        return delta_messages(text)

    def stream_done(self, invoked: Invoked, decision: Decision, request_id: str, latency_ms: float) -> bytes:
        """The final InvokeStreamResponse: the answer's InvokeResponse, but with an
        empty `text`. The deltas carried the text; repeating it here would make this
        one message as large as the whole answer (past a client's receive limit for
        an answer the deltas delivered in full)."""
        return length_delimited(
            STREAM_DONE, self._invoke_response("", invoked, decision, request_id, latency_ms, False)
        )

    def decision(self, decision: Decision) -> pb.Decision:
        """A fresh decision as a protobuf object (the reference the wire encoder is
        tested against)."""
        d = self._static_decision(decision)
        d.deployment = decision.deployment
        d.from_cache = decision.from_cache
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

    def list_models(self, models: Sequence[ModelState], strategies: Sequence[str], default: str) -> bytes:
        return pb.ListModelsResponse(
            models=[_model_info(m) for m in models], strategies=strategies, default_strategy=default
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


# Tag-and-length heads of the delta messages of the usual sizes (a token or a few), built once.
_DELTA_HEADS = 4096
_DELTA_HEAD = [STREAM_DELTA + varint(n) for n in range(_DELTA_HEADS)]


def delta_messages(text: str, limit: int = DELTA_MAX) -> tuple[bytes, ...]:
    """InvokeStreamResponse `delta` messages whose texts, joined, are `text`, each
    of at most `limit` UTF-8 bytes (`limit` >= 4, the longest character). The
    common piece fits in one; a longer one is cut between characters: a cut is
    moved back off UTF-8 continuation bytes (10xxxxxx), so that every piece is
    whole characters and valid UTF-8 on its own."""
    payload = utf8(text)
    n = len(payload)
    if n <= limit:
        return ((_DELTA_HEAD[n] if n < _DELTA_HEADS else STREAM_DELTA + varint(n)) + payload,)
    if limit < 4:
        raise ValueError(f"a delta limit must be at least 4 bytes, got {limit}")
    view = memoryview(payload)
    messages = []
    start = 0
    while start < n:
        end = start + limit
        if end >= n:
            end = n
        else:
            while payload[end] & 0xC0 == 0x80:
                end -= 1
        messages.append(b"".join((STREAM_DELTA, varint(end - start), view[start:end])))
        start = end
    return tuple(messages)


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
            pb.DeploymentInfo(name=d.name, weight=d.weight, health=_health(d.health)) for d in m.deployments
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
    return {
        "requests": f.requests,
        "successes": f.successes,
        "failures": f.failures,
        "failures_by_reason": f.failures_by_reason,
        "latency_p50_ms": quantile(f.latency, 0.50),
        "latency_p95_ms": quantile(f.latency, 0.95),
        "latency_p99_ms": quantile(f.latency, 0.99),
        "ttft_p50_ms": quantile(f.ttft, 0.50),
        "ttft_p95_ms": quantile(f.ttft, 0.95),
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


def _short(values: Iterable[str]) -> bool:
    """Every value short enough to be within MAX_STRING bytes without encoding it."""
    return all(len(v) <= _SHORT for v in values)


def _string(value: str, path: str) -> None:
    # Characters first: a string of more than MAX_STRING is refused without
    # encoding it (a copy as large as the string, for nothing).
    n = len(value)
    if n > MAX_STRING:
        raise InvalidRequest(path, f"at most {MAX_STRING} bytes of UTF-8, got {n} characters")
    if n > _SHORT and len(value.encode()) > MAX_STRING:
        raise InvalidRequest(path, f"at most {MAX_STRING} bytes of UTF-8, got {len(value.encode())}")


def _strings(values: Sequence[str], path: str) -> None:
    if len(values) > MAX_ENTRIES:
        raise InvalidRequest(path, f"at most {MAX_ENTRIES} entries, got {len(values)}")
    for i, value in enumerate(values):
        _string(value, f"{path}[{i}]")


def _labels(labels: Mapping[str, str], path: str) -> None:
    if len(labels) > MAX_ENTRIES:
        raise InvalidRequest(path, f"at most {MAX_ENTRIES} entries, got {len(labels)}")
    for key, value in labels.items():
        _string(key, path)
        _string(value, f'{path}["{clip(key)}"]')


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
