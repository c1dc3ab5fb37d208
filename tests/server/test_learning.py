"""The posterior over a model's quality against a hand computation: the prior
counts as `prior_weight` scores, every later score multiplies older evidence by
the discount, a sharp change is noticed by the drift test and older evidence
dropped, and folding the kept scores again gives the same figures. Decision ids
carry what they credit, refuse alteration, expiry and another key."""

from __future__ import annotations

import math
import random

import numpy
import pytest

from modelrouter.errors import UnknownDecision
from modelrouter.learning.ids import DecisionIds
from modelrouter.learning.posterior import Evidence, Learning, Posterior
from modelrouter.selection.strategies.learned import DrawnOrder

LEARNING = Learning(prior_weight=10.0, half_life_scores=100.0, drift_scores=30, max_scores=1000)


def test_the_posterior_is_the_prior_plus_discounted_scores() -> None:
    evidence = Evidence(LEARNING)
    for score in (1.0, 0.0, 0.5):
        evidence.add(score, LEARNING)
    d = 0.5 ** (1 / 100)
    good = (1.0 * d + 0.0) * d + 0.5
    bad = (0.0 * d + 1.0) * d + 0.5
    assert evidence.good == pytest.approx(good)
    assert evidence.bad == pytest.approx(bad)
    assert evidence.count == 3
    posterior = Posterior(0.8, evidence, LEARNING)
    alpha, beta = 0.8 * 10 + good, 0.2 * 10 + bad
    assert (posterior.alpha, posterior.beta) == (pytest.approx(alpha), pytest.approx(beta))
    assert posterior.mean == pytest.approx(alpha / (alpha + beta))
    n = alpha + beta
    assert posterior.sd == pytest.approx(math.sqrt(alpha * beta / (n * n * (n + 1))))


def test_without_scores_the_posterior_is_the_prior() -> None:
    posterior = Posterior(0.7, None, LEARNING)
    assert posterior.mean == pytest.approx(0.7)
    assert (posterior.alpha, posterior.beta) == (pytest.approx(7.0), pytest.approx(3.0))


def test_a_score_weighs_half_after_a_half_life_of_later_scores() -> None:
    evidence = Evidence(LEARNING)
    evidence.add(1.0, LEARNING)
    for _ in range(100):
        evidence.add(0.5, LEARNING)
    # The first score's good side alone would be 0.5 after 100 halvings-per-100:
    # what the 0.5s add is their discounted sum on both sides equally.
    halves = sum(0.5 * (0.5 ** (k / 100)) for k in range(100))
    assert evidence.good - evidence.bad == pytest.approx(0.5, rel=1e-9)
    assert evidence.bad == pytest.approx(halves, rel=1e-9)


def test_a_sharp_drop_is_followed_within_tens_of_scores() -> None:
    rng = random.Random(1)
    evidence = Evidence(LEARNING)
    for _ in range(500):
        evidence.add(1.0 if rng.random() < 0.9 else 0.0, LEARNING)
    assert Posterior(0.5, evidence, LEARNING).mean > 0.85
    assert evidence.drifts == 0
    after = 0
    while Posterior(0.5, evidence, LEARNING).mean > 0.5:
        evidence.add(1.0 if rng.random() < 0.3 else 0.0, LEARNING)
        after += 1
    assert evidence.drifts == 1
    # Fading alone (half-life 100) would need about 130 scores to cross 0.5.
    assert after <= 40, after


def test_steady_scores_rarely_trip_the_drift_test() -> None:
    rng = random.Random(2)
    evidence = Evidence(LEARNING)
    for _ in range(5000):
        evidence.add(1.0 if rng.random() < 0.5 else 0.0, LEARNING)
    assert evidence.drifts <= 3


def test_folding_the_kept_scores_again_gives_the_same_figures() -> None:
    rng = random.Random(3)
    evidence = Evidence(LEARNING)
    scores = [rng.random() for _ in range(1500)]
    for score in scores:  # more than max_scores: a store keeps the last 1,000 only
        evidence.add(score, LEARNING)
    kept = scores[-LEARNING.max_scores :]
    again = Evidence.of(kept, evidence.count, LEARNING)
    assert again.count == 1500
    # The first 500 scores are gone, and their weight with them: 2^-10 of it.
    assert again.good == pytest.approx(evidence.good, rel=2e-3)
    assert Evidence.of(kept, 1500, LEARNING).good == again.good  # the same order, the same figures


def test_decision_ids_carry_what_they_credit() -> None:
    now = [1_000_000.0]
    ids = DecisionIds(b"k" * 32, 3600, lambda: now[0])
    first = ids.mint("team-a", "code", "big")
    second = ids.mint("team-a", "code", "big")
    assert first != second
    read = ids.read(first)
    assert (read.tenant, read.task, read.model, read.issued) == ("team-a", "code", "big", 1_000_000)
    task = "ü:" * 300
    assert ids.read(ids.mint("", task, "m")).task == task


@pytest.mark.parametrize("mangle", ["flip", "cut", "other key", "expired", "garbage", "empty", "long"])
def test_a_decision_id_that_is_not_ours_is_unknown(mangle: str) -> None:
    now = [1_000_000.0]
    ids = DecisionIds(b"k" * 32, 3600, lambda: now[0])
    token = ids.mint("t", "code", "m")
    if mangle == "flip":
        token = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    elif mangle == "cut":
        token = token[:-3]
    elif mangle == "other key":
        token = DecisionIds(b"j" * 32, 3600, lambda: now[0]).mint("t", "code", "m")
    elif mangle == "expired":
        now[0] += 3601
    elif mangle == "garbage":
        token = "not base64 at all!"
    elif mangle == "empty":
        token = ""
    else:
        token = "A" * 10_000
    with pytest.raises(UnknownDecision):
        ids.read(token)


def test_a_drawn_order_reads_as_the_contenders_by_their_draw_then_the_tail() -> None:
    """The order a fallback walks (`Plan` reads it by index) is the same sequence
    however it is read: by index, from the end, by slice or whole."""
    order = DrawnOrder(("cheap", "mid", "dear"), ("weak1", "weak2"), [2, 0, 1])
    whole = ("dear", "cheap", "mid", "weak1", "weak2")
    assert tuple(order) == whole
    assert len(order) == 5
    assert [order[i] for i in range(5)] == list(whole)
    assert [order[-i] for i in range(1, 6)] == list(reversed(whole))
    assert order[1:4] == whole[1:4]
    assert "weak2" in order and "other" not in order
    with pytest.raises(IndexError):
        order[5]
    with pytest.raises(IndexError):
        order[-6]
    longer = DrawnOrder(("a",), ("t1", "t2", "t3", "t4"), [0])
    with pytest.raises(IndexError):
        longer[-6]  # past the start, not wrapped into the tail


def test_a_drawn_order_from_scores_sorts_them_only_when_read_past_the_first() -> None:
    """Many contenders are scored by numpy: the first is their best (the first of
    equal scores, as the stable sort has it), and the rest sort only when read."""
    scores = numpy.array([0.2, 0.9, 0.5, 0.9, 0.1])
    order = DrawnOrder(("a", "b", "c", "d", "e"), ("t",), scores=scores)
    assert order.first == 1
    assert order[0] == "b"
    assert tuple(order) == ("b", "d", "c", "a", "e", "t")
    assert order[1] == "d" and order[-1] == "t"
