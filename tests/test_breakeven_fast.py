"""break_even prunes its scan, bisects only the nearest crossing and, with ``digits``, stops
bisecting once the rounded answer is fixed (BENCHMARKS.md): it must return exactly what
picking the nearest of every crossing (break_evens) returns, rounded alike."""

import math
import random

import pytest

from constructs_lib import TrafficHint
from constructs_lib.cost.advice import exact_usd
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.breakeven import break_even, break_evens, log_volumes, significant
from constructs_lib.cost.kinds import KINDS
from constructs_lib.cost.workload import Workload
from constructs_lib.pricing import load_price_book

CTX = PricingContext(book=load_price_book(None, {}), region="us-east-1")
TYPES = ("ml.m5.large", "ml.c5.xlarge", "ml.g5.xlarge", "ml.m5.2xlarge")


def nearest_of_all(own, other, near):
    points = break_evens(own, other)
    anchor = math.log10(max(near, 1.0))
    return min(points, key=lambda v: abs(math.log10(v) - anchor)) if points else None


def priced(option, w):
    """The kind's full estimate of the workload at each volume, summed unrounded."""
    return lambda v: exact_usd(option.model(w.at_volume(v), CTX).estimate())


def workloads(seed, n):
    rng = random.Random(seed)
    for _ in range(n):
        kw = {"avg_duration_ms": 10 ** rng.uniform(0, 4.5), "payload_kb": rng.choice([0, 10, 2048]),
              "busy_hours_per_day": rng.choice([24, 10, 2])}
        if rng.random() < 0.25:
            kw |= {"records_per_run": 10 ** rng.uniform(0, 8), "runs_per_month": 30}
        else:
            kw |= {"requests_per_month": 10 ** rng.uniform(0, 9),
                   "max_latency_ms": rng.choice([None, 1e6])}
        yield Workload(TrafficHint(**kw), rng.choice(TYPES))


@pytest.mark.parametrize("seed", range(3))
def test_same_break_even_as_the_full_scan_for_every_pair_of_kinds(seed):
    compared = 0
    for w in workloads(seed, 15):
        feasible = [o for o in KINDS.values() if not o.infeasibility(w)]
        for a in feasible:
            for b in feasible:
                if a is b:
                    continue
                own, other = priced(a, w), priced(b, w)
                exact = nearest_of_all(own, other, w.volume)
                assert break_even(own, other, near=w.volume) == exact
                assert break_even(own, other, near=w.volume, digits=4) == (
                    None if exact is None else significant(exact, 4))
                compared += 1
    assert compared > 20


def test_exact_zero_and_no_crossing_and_several_crossings():
    assert break_even(lambda v: v, lambda v: v, near=10) == 1.0  # equal everywhere: the first
    assert break_even(lambda v: 1.0, lambda v: 2.0, near=10) is None
    steps = lambda v: 10.0 * math.ceil(math.log10(v) + 1e-9)  # noqa: E731
    for near in (1, 50, 1e4, 3e7, 1e10):
        assert break_even(steps, lambda v: v ** 0.25, near=near) == nearest_of_all(
            steps, lambda v: v ** 0.25, near)


@pytest.mark.parametrize("seed", range(3))
def test_every_kinds_cost_never_falls_as_volume_grows(seed):
    """break_even's premise (its pruning needs non-decreasing costs), on a fine grid: a kind
    whose cost drops where sparse requests start to share a busy period (async, inference
    components at zero) would make the fast search disagree with the full scan."""
    volumes = log_volumes(1, 1e10, 401)
    checked = 0
    for w in workloads(seed, 15):
        for option in KINDS.values():
            if option.infeasibility(w):
                continue
            cost = w.volume_cost(option.model(w, CTX))
            costs = [cost(v) for v in volumes]
            drops = [(v, a, b) for v, a, b in zip(volumes, costs, costs[1:], strict=False)
                     if b < a - 1e-9]
            assert drops == [], (option.kind, w)
            checked += 1
    assert checked > 20
