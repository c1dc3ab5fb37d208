"""One tenant's rolling minute in this process: 60 one-second buckets of
requests and of used tokens, their running sums, and the tokens reserved by calls
in flight. Bounded: two lists of 60 integers per tenant, whatever the traffic.
`modelrouter.ratelimit.redis` keeps the same figures in Redis by the same rule."""

from __future__ import annotations

SECONDS = 60


class Window:
    __slots__ = ("_requests", "_tokens", "requests", "reserved", "second", "tokens")

    def __init__(self, second: int) -> None:
        self.second = second
        """The newest second seen; the window is the buckets second-59 .. second."""
        self.requests = 0
        self.tokens = 0
        """Sums over the window's buckets."""
        self.reserved = 0
        """Tokens reserved by calls in flight: outside the buckets until settled."""
        # Bucket of second b at index b % 60.
        self._requests = [0] * SECONDS
        self._tokens = [0] * SECONDS

    def advance(self, second: int) -> None:
        """Moves the window to `second`: the buckets that left it leave the sums.
        Time never goes back: an earlier second counts as the newest one seen."""
        old = self.second
        if second <= old:
            return
        requests, tokens = self._requests, self._tokens
        if second - old >= SECONDS:
            requests[:] = [0] * SECONDS
            tokens[:] = [0] * SECONDS
            self.requests = self.tokens = 0
        else:
            # Seconds old+1 .. second reuse the buckets of 60 s earlier, which left.
            for b in range(old + 1, second + 1):
                i = b % SECONDS
                self.requests -= requests[i]
                self.tokens -= tokens[i]
                requests[i] = tokens[i] = 0
        self.second = second

    def count_request(self) -> None:
        self.requests += 1
        self._requests[self.second % SECONDS] += 1

    def count_tokens(self, used: int) -> None:
        self.tokens += used
        self._tokens[self.second % SECONDS] += used

    def wait_s(self, of_tokens: bool, over: int, now: float) -> float | None:
        """How long from `now` until at least `over` requests (or used tokens) have
        left the window, oldest bucket first; None if emptying it is not enough."""
        buckets = self._tokens if of_tokens else self._requests
        gone = 0
        for b in range(self.second - SECONDS + 1, self.second + 1):
            gone += buckets[b % SECONDS]
            if gone >= over:
                return b + SECONDS - now
        return None
