"""Spend limits in USD per model and overall, per UTC day and month: a call
reserves an upper bound of its cost before it is sent and settles the real cost
after, so concurrent calls cannot overshoot a limit together."""
