"""From a query to a decision: strategy, ranking, selection cache, deployment."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import NamedTuple, Protocol

from cachetools import LRUCache

from modelrouter.balancing import BALANCERS, Balancer
from modelrouter.domain import (
    Candidate,
    Decision,
    LatencyProfile,
    Ranking,
    Rejection,
    RejectReason,
    ScoredModel,
    SelectQuery,
)
from modelrouter.errors import BudgetExceeded, ModelDraining, NoEligibleModel
from modelrouter.live import DeploymentState, LiveState
from modelrouter.selection.cache import SelectionCache
from modelrouter.selection.eligibility import Eligibility
from modelrouter.selection.registry import StrategyRegistry
from modelrouter.selection.strategies.base import CandidatePool, Draws, Sampling, Strategy


class Rest:
    """The rendering of a drawn ranking's entries after its first `start` (they
    and the rejections are the same in every draw of one preparation): filled by
    the first rendering, then written as they are."""

    __slots__ = ("rendered", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.rendered: bytes | None = None


class Render(Protocol):
    """How the API renders a ranking (its wire bytes), once per fresh decision;
    `basic`: its basic view only; `rest`: the entries after `rest.start` are
    `rest.rendered` (which the rendering fills when it is None)."""

    def __call__(
        self, requested_strategy: str, ranking: Ranking, basic: bool = False, rest: Rest | None = None
    ) -> bytes: ...


"""The caller's rendering of a fresh ranking (requested strategy, ranking), kept
with the cached decision so that a hit needs neither the ranking nor a new rendering."""


class Prepared:
    """What the selector keeps of a sampling strategy's preparation for a query
    (per cache key and tenant): the draws, and what follows from their fixed part."""

    __slots__ = ("by_cost", "cheaper", "draws", "first", "requested", "rest", "whole")

    def __init__(self, requested: str, draws: Draws, ranking: Ranking) -> None:
        self.requested = requested
        """The strategy the query asked for (the default's name when it named none)."""
        self.draws = draws
        self.first = ranking
        """The first draw's ranking: what every draw shares (strategy, rejections,
        token counts, task) comes from it."""
        self.by_cost: list[tuple[float, str]] | None = None
        """Every ranked model by its estimate, cheapest first: for the draws
        after the first, whose chosen models differ."""
        self.rest = Rest(draws.drawn)
        self.whole: bytes | None = None
        """The rendering, when nothing is drawn (every draw the same)."""
        self.cheaper = cheaper_alternatives(ranking) if not draws.drawn else None


class CachedDecision(NamedTuple):
    """What the selection cache keeps: plain values only."""

    requested_strategy: str
    model: str
    order: tuple[str, ...]
    rendered: bytes
    cheaper: tuple[str, ...]
    task: str


# How many cheaper eligible models each selection remembers, for the suggestions.
CHEAPER_KEPT = 3
# Decisions of one (for calls naming their model) kept rendered, per model and token
# counts (`Selector._named`). Rule: LRU, at most MAX_NAMED_ENTRIES entries.
MAX_NAMED_ENTRIES = 4096
# Selections counted per (chosen, cheaper) combination (`Selector.choices`): a counter,
# the suggestions' evidence, not a cache -- evicting would silently lose counts.
# Rule: at most MAX_CHOICE_KEYS keys; past that a new key is not counted, known ones are.
MAX_CHOICE_KEYS = 10_000


def cheaper_alternatives(ranking: Ranking) -> tuple[str, ...]:
    """The eligible models, cheapest first, whose estimate for this request is
    below the chosen model's."""
    ranked = ranking.ranked
    best = ranked[0].candidate
    cost = best.cost_usd
    cheaper = sorted(
        [(s.candidate.cost_usd, s.candidate.model) for s in ranked[1:] if s.candidate.cost_usd < cost]
    )
    return _cheaper_than(cheaper, best.model, cost)


def _cheaper_than(by_cost: list[tuple[float, str]], chosen: str, cost: float) -> tuple[str, ...]:
    """`cheaper_alternatives`, from models sorted by estimate (cheapest first):
    the first CHEAPER_KEPT below `cost`, `chosen` left out."""
    found: list[str] = []
    for c, model in by_cost:
        if c >= cost or len(found) == CHEAPER_KEPT:
            break
        if model != chosen:
            found.append(model)
    return tuple(found)


def _prepared_key(tenant: str, cache_key: bytes) -> bytes:
    """A preparation's key: the tenant's own name too, since what a sampling
    strategy learned is per tenant (0xff is no UTF-8 byte: the name ends there)."""
    return tenant.encode() + b"\xff" + cache_key


def _over_budget(over: list[Rejection], rejections: tuple[Rejection, ...]) -> BudgetExceeded:
    """No model can serve, and for these the budget alone is why."""
    first = over[0]
    names = ", ".join(r.model for r in over)
    return BudgetExceeded(
        f"{len(over)} model(s) meet the requirements but a budget keeps them out ({names}): "
        f"{first.detail}; the rejections in the error details say why each other model is not eligible",
        {"models": names},
        rejections,
    )


def _yielding(strategy: Strategy, ranking: Ranking) -> Ranking:
    """`ranking`, unless it is empty: NoEligibleModel, or BudgetExceeded when the
    budget alone keeps models out."""
    if not ranking.ranked:
        over = [r for r in ranking.rejected if r.reason == RejectReason.OVER_BUDGET]
        if over:
            raise _over_budget(over, ranking.rejected)
        raise NoEligibleModel(strategy.name, ranking.rejected)
    return ranking


class Selector:
    def __init__(
        self,
        live: LiveState,
        registry: StrategyRegistry,
        cache: SelectionCache[CachedDecision],
        prepared: SelectionCache[Prepared],
        before: Selector | None = None,
    ) -> None:
        """`before`: the selector of the configuration this one replaces (a
        reload): a model whose state carried over keeps its balancer (its turn,
        its latency figures); the cache starts empty."""
        self._live = live
        self._models = tuple(live.models.values())
        self._eligibility = Eligibility(live)
        self.registry = registry
        self.cache = cache
        self._named: LRUCache[tuple[str, int, int], tuple[LatencyProfile, float, Ranking, bytes]] = LRUCache(
            MAX_NAMED_ENTRIES
        )
        self.choices: dict[tuple[str, tuple[str, ...]], int] = {}
        """Selections by (chosen model, cheaper eligible models): the evidence for
        the cheaper-model suggestion."""
        kept = before._kept_balancers(live) if before is not None else {}
        self._balancers: Mapping[str, Balancer] = {
            m.spec.id: kept.get(m.spec.id) or BALANCERS[m.spec.balancer](m.deployments) for m in self._models
        }
        self.prepared = prepared
        """Sampling strategies' preparations, under the selection cache's rule."""
        live.on_change(cache.clear)
        live.on_change(self.prepared.clear)

    def _kept_balancers(self, live: LiveState) -> dict[str, Balancer]:
        """The balancers of the models whose state `live` carries over unchanged."""
        return {m.id: self._balancers[m.id] for m in self._models if live.models.get(m.id) is m}

    def rank(self, query: SelectQuery, allowed: frozenset[str] | None = None, tenant: str = "") -> Ranking:
        """The strategy's ranking among the models `allowed` (None: every model),
        for `tenant`; NoEligibleModel when it yields nothing."""
        return self._rank(self.registry.get(query.strategy), query, allowed, tenant)

    def _rank(
        self, strategy: Strategy, query: SelectQuery, allowed: frozenset[str] | None, tenant: str
    ) -> Ranking:
        pool = CandidatePool(self._eligibility, query.input_tokens, query.output_tokens, allowed, tenant)
        return _yielding(strategy, strategy.rank(query, pool))

    def decide(
        self,
        query: SelectQuery,
        cache_key: bytes | None = None,
        render: Render | None = None,
        allowed: frozenset[str] | None = None,
        tenant: str = "",
        basic: bool = False,
    ) -> Decision:
        """A fresh decision among the models `allowed` (None: every model), rendered
        by `render` when given. With both a `cache_key` and a `render` it is also
        stored: a cached decision is served from its rendering, so there is nothing
        to store without one. (The key must then tell `allowed` apart.)"""
        strategy = self.registry.get(query.strategy)
        sampling = self.registry.sampling(query.strategy)
        if sampling is not None:
            return self._drawn(sampling, query, cache_key, render, allowed, tenant, basic)
        ranking = self._rank(strategy, query, allowed, tenant)
        requested = query.strategy or self.registry.default
        # `basic`: the caller answers with the basic view. A ranking the cache keeps
        # may serve a full view later, so only one the cache will not keep is cut short.
        if render is None:
            rendered = b""
        elif basic and not (strategy.cacheable and cache_key is not None and self.cache.enabled):
            rendered = render(requested, ranking, True)
        else:
            rendered = render(requested, ranking)
        order = tuple([s.candidate.model for s in ranking.ranked])
        model = order[0]
        cheaper = cheaper_alternatives(ranking)
        task = ranking.task
        if cache_key is not None and render is not None and strategy.cacheable:
            self.cache.put(cache_key, CachedDecision(requested, model, order, rendered, cheaper, task))
        return Decision(
            requested, model, self._dispatch(model, cheaper), order, ranking, rendered, False, task
        )

    def _drawn(
        self,
        strategy: Sampling,
        query: SelectQuery,
        cache_key: bytes | None,
        render: Render | None,
        allowed: frozenset[str] | None,
        tenant: str,
        basic: bool,
    ) -> Decision:
        """A decision drawn anew by a sampling strategy (a cached decision would
        stop its exploring), from a new preparation, kept for the calls after it
        under the selection cache's rule (`decide_cached`)."""
        pool = CandidatePool(self._eligibility, query.input_tokens, query.output_tokens, allowed, tenant)
        draws = strategy.prepare(query, pool)
        ranking = _yielding(strategy, draws.draw())
        prepared = Prepared(query.strategy or self.registry.default, draws, ranking)
        kept = cache_key is not None and render is not None and self.prepared.enabled
        if kept:
            self.prepared.put(_prepared_key(tenant, cache_key or b""), prepared)
        return self._drawn_decision(prepared, ranking, render, basic, kept)

    def _drawn_decision(
        self, prepared: Prepared, ranking: Ranking, render: Render | None, basic: bool, kept: bool = True
    ) -> Decision:
        """`kept`: later calls may draw from `prepared` (then a rendering that
        every draw shares is made whole, once)."""
        draws = prepared.draws
        drawn = draws.drawn
        requested = prepared.requested
        if render is None:
            rendered = b""
        elif not drawn and (kept or not basic):
            rendered = prepared.whole or render(requested, ranking)
            prepared.whole = rendered
        elif basic:
            rendered = render(requested, ranking, True)
        else:
            # Only a kept preparation's later draws reuse the rest of the rendering.
            rendered = render(requested, ranking, rest=prepared.rest if kept else None)
        if drawn:
            ranked = ranking.ranked
            order = (*[s.candidate.model for s in ranked[:drawn]], *draws.tail)
            by_cost = prepared.by_cost
            if by_cost is None:
                cheaper = cheaper_alternatives(ranking)
                if kept:
                    prepared.by_cost = sorted([(s.candidate.cost_usd, s.candidate.model) for s in ranked])
            else:
                best = ranked[0].candidate
                cheaper = _cheaper_than(by_cost, best.model, best.cost_usd)
        else:
            order = draws.tail
            cheaper = prepared.cheaper or ()
        model = order[0]
        return Decision(
            requested, model, self._dispatch(model, cheaper), order, ranking, rendered, False, ranking.task
        )

    def _kept_draw(self, prepared: Prepared, render: Render, basic: bool) -> Decision:
        """A decision drawn from a kept preparation: only the entries that the
        answer shows and the draw changes are built (all of them for a full view,
        the chosen one for a basic one); the rendering's rest is the first draw's."""
        draws = prepared.draws
        by_cost = prepared.by_cost
        if by_cost is None or (not basic and prepared.rest.rendered is None):
            # Nothing drawn (every draw the same), or a full view that no draw rendered yet.
            return self._drawn_decision(prepared, draws.draw(), render, basic)
        head, order = draws.draw_top(1 if basic else draws.drawn)
        first = prepared.first
        ranking = Ranking(
            first.strategy,
            tuple(head),
            first.rejected,
            first.input_tokens,
            first.output_tokens,
            first.component_names,
            first.task,
        )
        requested = prepared.requested
        rendered = (
            render(requested, ranking, True) if basic else render(requested, ranking, rest=prepared.rest)
        )
        best = head[0].candidate
        model = best.model
        cheaper = _cheaper_than(by_cost, model, best.cost_usd)
        return Decision(
            requested, model, self._dispatch(model, cheaper), order, None, rendered, False, first.task
        )

    def decide_cached(
        self, cache_key: bytes, tenant: str = "", render: Render | None = None, basic: bool = False
    ) -> Decision | None:
        """The cached decision for `cache_key`, with a deployment picked for this
        call; or, for a sampling strategy, one drawn from the preparation kept for
        it and `tenant` while current (rendered by `render`, `basic` as `decide`)."""
        cached = self.cache.get(cache_key)
        if cached is None:
            if render is None:
                return None
            prepared = self.prepared.get(_prepared_key(tenant, cache_key))
            if prepared is None or not prepared.draws.current():
                return None
            return self._kept_draw(prepared, render, basic)
        requested, model, order, rendered, cheaper, task = cached
        return Decision(requested, model, self._dispatch(model, cheaper), order, None, rendered, True, task)

    def decide_named(self, model: str, input_tokens: int, output_tokens: int, render: Render) -> Decision:
        """The decision of one for a call that names its model: no strategy ran and
        no requirement applies; the one entry carries the model's estimates (score
        1, no components). A model whose every deployment drains is refused."""
        state = self._live.models[model]
        if state.draining:
            raise ModelDraining(model)
        deployment = self.pick(model).name
        key = (model, input_tokens, output_tokens)
        known = self._named.get(key)
        # The rendering holds the model's live latency and success rate: reuse it
        # while they are the ones it was made from (a run of cache hits, say).
        if known is not None and known[0] is state.latency and known[1] == state.success_rate:
            return Decision("", model, deployment, (model,), known[2], known[3])
        candidate = Candidate(
            model,
            state.default_quality,
            state.spec.pricing.cost(input_tokens, output_tokens),
            state.latency.full_answer_ms(output_tokens),
            state.success_rate,
        )
        ranking = Ranking("", (ScoredModel(candidate, 1.0, ()),), (), input_tokens, output_tokens, ())
        rendered = render("", ranking)
        self._named[key] = (state.latency, state.success_rate, ranking, rendered)
        return Decision("", model, deployment, (model,), ranking, rendered)

    def pick(self, model: str, exclude: Set[str] = frozenset()) -> DeploymentState:
        """The deployment for one call to `model`, by its balancer, not one in
        `exclude` while there is another (a retry's too; only `_dispatch` counts
        selections)."""
        return self._balancers[model].pick(exclude)

    def _dispatch(self, model: str, cheaper: tuple[str, ...]) -> str:
        """Counts the selection and picks the deployment for this call."""
        self._live.models[model].selections += 1
        key = (model, cheaper)
        choices = self.choices
        n = choices.get(key)
        if n is not None:
            choices[key] = n + 1
        elif len(choices) < MAX_CHOICE_KEYS:
            choices[key] = 1
        deployment = self._balancers[model].pick()
        deployment.selections += 1
        return deployment.name
