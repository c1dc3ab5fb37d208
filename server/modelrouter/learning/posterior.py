"""What the scores of one model on one task, for one tenant, say of its quality.

A Beta posterior: the configured quality counts as `prior_weight` scores, and
each score s in [0, 1] adds s to the good side and 1 - s to the bad. Old
evidence fades: every later score multiplies what came before by `discount`
(half of it is gone after `half_life_scores`), so a model that changes is
followed. Fading alone follows a sharp change only slowly (hundreds of scores),
so a drift test watches the last `drift_scores` scores: when their mean departs
from the evidence beyond what chance explains (three standard errors, plus a
margin), the older evidence is dropped and only the recent window's is kept.

Everything here is a pure fold over the scores in the order they came: a
replica that reads the same scores from a shared store reaches the same
figures (`Evidence.of`)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

DRIFT_Z = 3.0
"""Standard errors the recent mean must depart by (with DRIFT_MARGIN) to count as drift."""
DRIFT_MARGIN = 0.05
"""A departure smaller than this is not worth forgetting evidence for."""
MIN_VARIANCE = 0.05
"""A floor on a score's variance in the drift test: scores that were all alike
must not make any difference look significant."""


@dataclass(frozen=True, slots=True)
class Learning:
    """The parameters (`feedback` in the configuration)."""

    prior_weight: float = 5.0
    half_life_scores: float = 100.0
    drift_scores: int = 30
    max_scores: int = 1000

    @property
    def discount(self) -> float:
        return float(0.5 ** (1.0 / self.half_life_scores))


class Evidence:
    """The faded evidence of the scores so far, and the recent window the drift
    test reads."""

    __slots__ = ("bad", "count", "drifts", "good", "recent")

    def __init__(self, learning: Learning) -> None:
        self.good = 0.0
        self.bad = 0.0
        self.count = 0
        """Scores received in all."""
        self.drifts = 0
        """Times the drift test dropped older evidence."""
        self.recent: deque[float] = deque(maxlen=learning.drift_scores)
        # The kept scores themselves live in the store only: memory per (tenant,
        # task, model) here is the drift window's.

    @classmethod
    def of(cls, scores: Iterable[float], count: int, learning: Learning) -> Evidence:
        """The evidence of `scores` (oldest first) folded in order; `count`: how
        many scores there were in all (more than kept, once the store trims)."""
        evidence = cls(learning)
        for score in scores:
            evidence.add(score, learning)
        evidence.count = max(count, evidence.count)
        return evidence

    def add(self, score: float, learning: Learning) -> None:
        d = learning.discount
        self.good = self.good * d + score
        self.bad = self.bad * d + (1.0 - score)
        self.count += 1
        recent = self.recent
        recent.append(score)
        if len(recent) == recent.maxlen and self._drifted(len(recent)):
            mean = sum(recent) / len(recent)
            n = float(len(recent))
            self.good, self.bad = mean * n, (1.0 - mean) * n
            self.drifts += 1

    def _drifted(self, n: int) -> bool:
        """Whether the recent window's mean departs from the evidence beyond
        chance. Needs older evidence worth at least as much as the window."""
        total = self.good + self.bad
        if total < 2 * n:
            return False
        mean = self.good / total
        recent = sum(self.recent) / n
        variance = max(mean * (1.0 - mean), MIN_VARIANCE)
        return abs(recent - mean) > DRIFT_Z * math.sqrt(variance / n) + DRIFT_MARGIN


Belief = tuple[float, float, float, float, float, float, float]
"""What a reader believes of a model's quality on a task, worked out once per
change of its evidence: the configured quality it started from, the posterior's
alpha, beta, mean and sd, and its plausible low and high (as far below and above
the mean as the reader judges a draw may plausibly land)."""


def parameters(prior: float, evidence: Evidence | None, weight: float) -> tuple[float, float]:
    """The posterior Beta's (alpha, beta): the prior worth `weight` scores, plus
    the evidence. (A function, not only `Posterior`: a learned ranking computes
    it for every eligible model on every call.)"""
    prior = min(max(prior, 0.0), 1.0)
    # A prior of exactly 0 or 1 would make the Beta degenerate: keep both sides open.
    alpha = max(prior * weight, 1e-3)
    beta = max((1.0 - prior) * weight, 1e-3)
    if evidence is not None:
        alpha += evidence.good
        beta += evidence.bad
    return alpha, beta


def moments(alpha: float, beta: float) -> tuple[float, float]:
    """The Beta's mean and standard deviation."""
    n = alpha + beta
    return alpha / n, math.sqrt(alpha * beta / (n * n * (n + 1.0)))


class Posterior:
    """The posterior over one model's quality on one task: Beta(alpha, beta)."""

    __slots__ = ("alpha", "beta")

    def __init__(self, prior: float, evidence: Evidence | None, learning: Learning) -> None:
        self.alpha, self.beta = parameters(prior, evidence, learning.prior_weight)

    @property
    def mean(self) -> float:
        return moments(self.alpha, self.beta)[0]

    @property
    def sd(self) -> float:
        return moments(self.alpha, self.beta)[1]
