"""The recent window: a ring of time slices, each a Figures; the window's figures
are the merge of the slices still inside it. A slice is window_s / SLICES long,
so a call leaves the window between (SLICES - 1) and SLICES slices after it."""

from __future__ import annotations

from collections import deque

from modelrouter.usage.figures import Figures, merged

SLICES = 20


class Window:
    __slots__ = ("_slice_s", "_slices")

    def __init__(self, window_s: float) -> None:
        self._slice_s = window_s / SLICES
        self._slices: deque[tuple[int, Figures]] = deque()

    def at(self, t: float) -> Figures:
        """The slice holding time `t` (events arrive in time order, give or take a
        fold; a late one joins the newest slice)."""
        index = int(t // self._slice_s)
        slices = self._slices
        if slices and slices[-1][0] >= index:
            return slices[-1][1]
        figures = Figures()
        slices.append((index, figures))
        while slices[0][0] <= index - SLICES:
            slices.popleft()
        return figures

    def figures(self, now: float, empty: Figures | None = None) -> Figures:
        """The window's figures, for reading only (see `merged`)."""
        return merged(self.parts(now), empty)

    def parts(self, now: float) -> list[Figures]:
        """The slices still inside the window (several windows' merge into one)."""
        oldest = int(now // self._slice_s) - SLICES
        return [f for i, f in self._slices if i > oldest]
