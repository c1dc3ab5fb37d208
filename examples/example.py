from modelrouter_client import NoEligibleModelError, Router

with Router("127.0.0.1:50051", timeout=5) as router:
    decision = router.select(task="code", capabilities=["tools"], strategy="by-task")
    print(decision.model, decision.deployment, f"${decision.estimated_cost_usd:.6f}")
    for ranked in decision.ranking[:3]:
        print("  ranked", ranked.model, round(ranked.score, 3), dict(ranked.components))
    for rejected in decision.rejected:
        print("  rejected", rejected.model, rejected.reason, rejected.detail)

    try:
        router.select(capabilities=["teleport"])
    except NoEligibleModelError as err:
        print(err.reason, sorted({r.reason for r in err.rejections}))
