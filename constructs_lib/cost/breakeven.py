"""Break-even volumes and cost curves: where two kinds cost the same as monthly volume varies.

Cost functions of volume are monotone but not linear (autoscaling adds instances in steps, a
scaled-to-zero endpoint stops sleeping once requests are dense), so the crossing is found
numerically: a log-spaced scan for sign changes of the difference, then bisection in log space.
Every built-in cost model is non-decreasing in volume (tests/test_cost_properties.py checks it
for every kind), which is what lets :func:`break_even` prune its scan. A fleet serves volumes
up to a limit (beyond it the work outgrows its maximum): :func:`served_up_to` finds it, so that
no break-even is reported where one of the two could not do the work.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["CostCurve", "break_even", "break_evens", "cost_curves", "log_volumes",
           "served_up_to"]

CostOfVolume = Callable[[float], float]
"""USD per month as a function of requests (or records) per month."""

DEFAULT_RANGE = (1.0, 1e10)
"""Volumes searched for a break-even, requests per month."""


def log_volumes(low: float, high: float, points: int) -> list[float]:
    """``points`` volumes from ``low`` to ``high``, evenly spaced on a log scale."""
    if not 0 < low < high or points < 2:
        raise ValueError("need 0 < low < high and at least 2 points")
    step = (math.log10(high) - math.log10(low)) / (points - 1)
    return [10 ** (math.log10(low) + i * step) for i in range(points)]


def _bisect(diff: CostOfVolume, lo: float, hi: float, rel_tol: float) -> float:
    d_lo = diff(lo)
    while hi / lo - 1 > rel_tol:
        mid = math.sqrt(lo * hi)
        d_mid = diff(mid)
        if d_mid == 0:
            return mid
        if (d_mid > 0) == (d_lo > 0):
            lo, d_lo = mid, d_mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def served_up_to(served: Callable[[float], bool], volume_range: tuple[float, float],
                 rel_tol: float = 1e-3) -> float | None:
    """The largest volume in ``volume_range`` at which ``served`` holds (to ``rel_tol``), for a
    ``served`` that holds up to a volume and not beyond; None when it holds nowhere."""
    lo, hi = volume_range
    if served(hi):
        return hi
    if not served(lo):
        return None
    while hi / lo - 1 > rel_tol:
        mid = math.sqrt(lo * hi)
        if served(mid):
            lo = mid
        else:
            hi = mid
    return lo


def significant(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


def _bisect_to(own: CostOfVolume, other: CostOfVolume, lo: float, hi: float, rel_tol: float,
               digits: int, d_lo: float) -> float:
    """``significant(_bisect(diff, lo, hi, rel_tol), digits)`` for ``diff = own - other``
    (``d_lo``: ``diff(lo)``, already known), stopping once the bracket's ends round alike (the
    final point lies between them)."""
    # Two volumes that round alike lie in one rounding interval [m - u/2, m + u/2] of an m with
    # `digits` significant figures (u its last place, m >= 10^(digits-1) u), so hi/lo - 1 is at
    # most 1/(10^(digits-1) - 1/2) <= 2 × 10^(1-digits): above 3 × 10^(1-digits) they cannot
    # round alike, and formatting both is skipped.
    apart = 3.0 * 10.0 ** (1 - digits)
    while hi / lo - 1 > rel_tol:
        if hi / lo - 1 <= apart and significant(lo, digits) == significant(hi, digits):
            return significant(lo, digits)
        mid = math.sqrt(lo * hi)
        d_mid = own(mid) - other(mid)
        if d_mid == 0:
            return significant(mid, digits)
        if (d_mid > 0) == (d_lo > 0):
            lo, d_lo = mid, d_mid
        else:
            hi = mid
    return significant(math.sqrt(lo * hi), digits)


def break_evens(
    own: CostOfVolume,
    other: CostOfVolume,
    *,
    volume_range: tuple[float, float] = DEFAULT_RANGE,
    scan_points: int = 51,
    rel_tol: float = 1e-6,
) -> list[float]:
    """Every volume in the range where the two cost the same (each sign change of
    ``own - other``; where a step makes them jump past each other, the step's volume)."""
    grid = log_volumes(*volume_range, scan_points)

    def diff(v: float) -> float:
        return own(v) - other(v)

    out: list[float] = []
    prev_v, prev_d = grid[0], diff(grid[0])
    if prev_d == 0:
        out.append(prev_v)
    for v in grid[1:]:
        d = diff(v)
        if d == 0 and prev_d != 0:
            out.append(v)
        elif d != 0 and prev_d != 0 and (d > 0) != (prev_d > 0):
            out.append(_bisect(diff, prev_v, v, rel_tol))
        prev_v, prev_d = v, d
    return out


def break_even(own: CostOfVolume, other: CostOfVolume, *, near: float,
               volume_range: tuple[float, float] = DEFAULT_RANGE,
               digits: int | None = None) -> float | None:
    """The break-even volume nearest (on a log scale) to ``near``, the current volume.

    The same answer as picking from :func:`break_evens` (same grid, same bisection), with far
    fewer evaluations: both cost functions are non-decreasing in volume, so on a stretch of
    the grid from ``a`` to ``b`` the difference lies within ``own(a) - other(b)`` and
    ``own(b) - other(a)``; a stretch where that range excludes 0 holds no crossing and is not
    scanned, and only the crossings that can be nearest to ``near`` are bisected.

    With ``digits``, the answer is rounded to that many significant figures, and a lone
    crossing's bisection stops as soon as every volume still in its bracket rounds the same
    (rounding is monotone, so the full bisection could not round differently).
    """
    grid, logs = _grid(volume_range)
    # own and other at grid index i, once evaluated (None before).
    owns: list[float | None] = [None] * len(grid)
    others: list[float | None] = [None] * len(grid)

    def at(i: int) -> tuple[float, float]:
        o, t = owns[i], others[i]
        if o is None or t is None:
            o = owns[i] = own(grid[i])
            t = others[i] = other(grid[i])
        return o, t

    def diff_at(i: int) -> float:
        o, t = at(i)
        return o - t

    # Grid indices where break_evens would report a crossing: an exact zero (first of a run)
    # at i, or a sign change between i - 1 and i (bisected later).
    events: list[int] = []
    if diff_at(0) == 0:
        events.append(0)
    stack = [(0, len(grid) - 1)]
    while stack:
        lo, hi = stack.pop()
        own_lo, other_lo = owns[lo], others[lo]
        if own_lo is None or other_lo is None:
            own_lo, other_lo = at(lo)
        own_hi, other_hi = owns[hi], others[hi]
        if own_hi is None or other_hi is None:
            own_hi, other_hi = at(hi)
        if hi - lo == 1:
            d_prev, d = own_lo - other_lo, own_hi - other_hi
            if (d == 0 and d_prev != 0) or (d != 0 and d_prev != 0 and (d > 0) != (d_prev > 0)):
                events.append(hi)
            continue
        if own_lo - other_hi > 0 or own_hi - other_lo < 0:
            continue  # the difference keeps one sign (never 0) from lo to hi
        mid = (lo + hi) // 2
        stack += [(mid, hi), (lo, mid)]
    if not events:
        return None
    events.sort()
    anchor = math.log10(max(near, volume_range[0]))

    def point(i: int) -> float:
        if diff_at(i) == 0 and (i == 0 or diff_at(i - 1) != 0):
            return grid[i]
        return _bisect(lambda v: own(v) - other(v), grid[i - 1], grid[i], _REL_TOL)

    def nearest_possible(i: int) -> float:
        """How close to the anchor event ``i``'s crossing can be (it lies in its interval)."""
        lo, hi = logs[max(i - 1, 0)], logs[i]
        return 0.0 if lo <= anchor <= hi else min(abs(lo - anchor), abs(hi - anchor))

    def farthest_possible(i: int) -> float:
        lo, hi = logs[max(i - 1, 0)], logs[i]
        return max(abs(lo - anchor), abs(hi - anchor))

    if digits is not None:
        ranked = sorted((nearest_possible(i), i) for i in events)
        if len(ranked) == 1 or farthest_possible(ranked[0][1]) < ranked[1][0]:
            i = ranked[0][1]  # nearest whatever the exact crossings: round it early
            if diff_at(i) == 0 and (i == 0 or diff_at(i - 1) != 0):
                return significant(grid[i], digits)
            return _bisect_to(own, other, grid[i - 1], grid[i], _REL_TOL, digits,
                              diff_at(i - 1))
        exact = break_even(own, other, near=near, volume_range=volume_range)
        return None if exact is None else significant(exact, digits)

    # As min(points, key=distance) over every crossing in grid order: the first of equals wins.
    best: tuple[float, int, float] | None = None
    for bound, i in sorted((nearest_possible(i), i) for i in events):
        if best is not None and bound > best[0]:
            break
        v = point(i)
        key = (abs(math.log10(v) - anchor), i, v)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    return best[2]


_SCAN_POINTS = 51
_REL_TOL = 1e-6
"""The grid and tolerance of :func:`break_evens`' defaults, which :func:`break_even` matches."""


@functools.lru_cache(maxsize=256)
def _grid(volume_range: tuple[float, float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """:func:`break_even`'s scan volumes (``log_volumes`` over the range, ``_SCAN_POINTS``) and
    their ``math.log10``: the same numbers for every search, computed once."""
    grid = tuple(log_volumes(*volume_range, _SCAN_POINTS))
    return grid, tuple(math.log10(v) for v in grid)


@dataclass(frozen=True)
class CostCurve:
    """Monthly cost of each kind over a range of volumes, where each kind's fleet can do the
    work, and where each pair crosses (among the volumes both serve)."""

    volumes: tuple[float, ...]
    costs: Mapping[str, tuple[float, ...]]
    break_evens: tuple[tuple[str, str, float, float], ...]
    """(kind a, kind b, volume, USD/month at that volume)."""
    served: Mapping[str, tuple[bool, ...]] = field(default_factory=dict)
    """Per kind and volume: whether its fleet can do the work there (absent: everywhere)."""


def cost_curves(kinds: Mapping[str, CostOfVolume], volumes: Sequence[float],
                served: Mapping[str, Callable[[float], bool]] | None = None) -> CostCurve:
    """Evaluate every kind at every volume and find each pair's break-evens within the range
    that both serve (``served``: per kind, whether its fleet can do the work at a volume)."""
    costs = {k: tuple(f(v) for v in volumes) for k, f in kinds.items()}
    served = served or {}
    limits = {k: served_up_to(served[k], (volumes[0], volumes[-1])) for k in served}
    names = list(kinds)
    crossings = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            tops = [limits[k] for k in (a, b) if k in limits]
            top = min([volumes[-1], *(t if t is not None else 0.0 for t in tops)])
            if top <= volumes[0]:
                continue
            for v in break_evens(kinds[a], kinds[b], volume_range=(volumes[0], top)):
                crossings.append((a, b, v, kinds[a](v)))
    return CostCurve(tuple(volumes), costs, tuple(sorted(crossings, key=lambda c: c[2])),
                     {k: tuple(f(v) for v in volumes) for k, f in served.items()})
