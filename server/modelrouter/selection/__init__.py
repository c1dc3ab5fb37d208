"""Selection: eligibility, strategies, the registry, the selection cache."""
