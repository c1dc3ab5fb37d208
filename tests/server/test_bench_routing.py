"""The routing benchmark's harness (`make bench-routing`, bench/routing.py) still works: a
short new-model scenario (one seed, a few hundred requests) goes through real servers, the
static `weighted` pass and the learned pass with its Feedback, and the reload that adds a
model; its figures add up (the best single model is 100% of itself, the oracle has no regret,
nothing beats it on its own score), the static strategy with flat configured qualities is
always-cheapest, every score due before the end was sent and counted by the server
(ModelStats.learned), and the report serialises."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bench import routing
from bench.routing_world import NEWCOMER, requests

N, SEED = 400, 3


async def test_a_short_new_model_run_goes_through_and_adds_up(tmp_path: Path) -> None:
    settings, _ = routing.parse(["--seeds", str(SEED), "--requests", str(N), "--scenarios", "new-model"])
    runs, errors = await routing.run_all(settings, tmp_path)
    assert errors == []
    [run] = runs
    by = {p.policy: p for p in run.policies}
    assert list(by) == ["always-best", "always-cheapest", "random", "oracle", "static weighted", "learned"]
    assert (by["always-best"].quality_pct, by["always-best"].cost_pct) == (100.0, 100.0)
    assert by["oracle"].regret_per_request == 0.0
    assert all(p.regret_per_request >= 0.0 for p in run.policies)
    # Flat configured qualities: `weighted` breaks the tie on cost, every time.
    static = {model for half in run.picks["static weighted"] for counts in half.values() for model in counts}
    assert static == {run.cheapest}
    assert by["static weighted"] == replace(by["always-cheapest"], policy="static weighted")
    # The new model answers nothing before the reload that adds it.
    for strategy in ("static weighted", "learned"):
        first_half = run.picks[strategy][0]
        assert all(NEWCOMER.id not in counts for counts in first_half.values())
    adapted = run.adaptation["oracle"]
    assert adapted is not None and adapted.model == NEWCOMER.id and adapted.share_at_end == 1.0
    reqs = requests(N, SEED, settings.missing, settings.late, settings.max_delay)
    due = sum(1 for r in reqs if r.feedback_delay is not None and r.index + r.feedback_delay < N)
    assert run.feedback_sent == due
    # The server counted every score, under the model that answered and the request's task.
    assert sum(entry["scores"] for entry in run.learned) == due
    assert len(run.windows["learned"].regret_per_request) == -(-N // 250)
    document = json.loads(json.dumps(routing.document(settings, runs, errors, 1.0)))
    assert document["runs"][0]["scenario"] == "new-model"
