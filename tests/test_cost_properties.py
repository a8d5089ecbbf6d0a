"""The properties every estimate holds, over every kind (Hypothesis), each checked against
figures the test computes itself from the config and the hint:

- cost never decreases when requests (records, for batch), duration or payload grow (so
  ``break_even`` may prune its scan: checked against the full scan too);
- billed instance-hours never exceed the configured maximum fleet × hours a month (for
  serverless: GB-seconds never exceed max_concurrency × memory × the month);
- every estimate states the capacity it assumed;
- a fleet that cannot serve its hint carries a warning naming the shortfall, and one that can
  carries none.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib.cost.async_endpoint import AsyncCost
from constructs_lib.cost.base import CostModel, Load, PricingContext
from constructs_lib.cost.batch_transform import BatchCost
from constructs_lib.cost.breakeven import break_even, break_evens
from constructs_lib.cost.fleet import FleetCost, traffic_shares
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.spec.traffic import TrafficHint, peak_rps

from .conftest import ROOT
from .test_cost_models import CONTEXTS, TYPES, fleets, hints, scalings

PROPS = settings(max_examples=150, deadline=None)
FACTS = json.loads((ROOT / "constructs_lib/spec/data/instance_types.json").read_text())[
    "instance_types"]
KINDS = ["realtime", "multimodel", "serverless", "async", "batch", "fleet"]


def at_once(itype: str) -> int:
    """Requests an instance serves at once by default, from the data file: GPUs, else
    accelerator devices, else vCPUs."""
    f = FACTS[itype]
    if f["gpu_count"]:
        return int(f["gpu_count"])
    if f["accelerator"]:
        return max(int(f.get("accelerator_count") or 1), 1)
    return int(f["vcpu"])


@dataclass(frozen=True)
class Case:
    """One kind and config; ``build(hint, ctx)`` is its cost model."""

    kind: str
    config: dict[str, Any]

    def build(self, t: TrafficHint, ctx: PricingContext) -> CostModel:
        c = self.config
        if self.kind in ("realtime", "multimodel"):
            return RealTimeCost(t, ctx, kind=self.kind, **c)
        if self.kind == "serverless":
            return ServerlessCost(t, ctx, **c)
        if self.kind == "async":
            return AsyncCost(t, ctx, **c)
        if self.kind == "batch":
            return BatchCost(t, ctx, **c)
        return FleetCost(c["variants"], t, ctx)

    @property
    def offline(self) -> bool:
        return self.kind == "batch"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(KINDS))
    itype = draw(st.sampled_from(TYPES))
    if kind in ("realtime", "multimodel"):
        return Case(kind, {"instance_type": itype, "instance_count": draw(st.integers(1, 5)),
                           "autoscaling": draw(scalings()),
                           "concurrency_per_instance": draw(st.none() | st.integers(1, 64)),
                           "volume_size_gb": draw(st.none() | st.integers(1, 512))})
    if kind == "serverless":
        return Case(kind, {"memory_mb": draw(st.sampled_from([1024, 2048, 4096, 6144])),
                           "provisioned_concurrency": draw(st.none() | st.integers(1, 20)),
                           "max_concurrency": draw(st.none() | st.integers(20, 200))})
    if kind == "async":
        low = draw(st.integers(0, 3))
        return Case(kind, {"instance_type": itype, "min_instances": low,
                           "max_instances": max(low + draw(st.integers(0, 6)), 1),
                           "concurrency_per_instance": draw(st.integers(1, 8)),
                           "warm_up_s": draw(st.floats(0, 900)),
                           "scale_in_cooldown_s": draw(st.integers(0, 86400)),
                           "volume_size_gb": draw(st.none() | st.integers(1, 512))})
    if kind == "batch":
        return Case(kind, {"instance_type": itype,
                           "instance_count": draw(st.none() | st.integers(1, 10)),
                           "max_concurrent_transforms": draw(st.integers(1, 100)),
                           "startup_s": draw(st.floats(0, 3600)),
                           "timeout_hours": draw(st.floats(0.5, 48))})
    return Case(kind, {"variants": draw(fleets())})


def usd_at(model: CostModel, case: Case, volume: float) -> float:
    load = model.own_load
    return model.usd(load._replace(records_per_run=volume) if case.offline
                     else load._replace(requests_per_month=volume))


def instance_hours(model: CostModel, load: Load) -> float:
    return sum(line.quantity for line in model.lines(load) if line.unit == "instance-hour")


volumes = st.floats(0, 1e11) | st.sampled_from([0.0, 1.0, 29.9 * 730 / 24, 1e6])


# --- cost never decreases --------------------------------------------------------------------

@PROPS
@given(cases(), hints(), volumes, volumes, st.sampled_from(CONTEXTS))
def test_cost_never_decreases_with_volume(case, t, a, b, ctx):
    model = case.build(t, ctx)
    low, high = sorted((a, b))
    assert usd_at(model, case, low) <= usd_at(model, case, high) * (1 + 1e-12) + 1e-9


def _grown(t: TrafficHint, field: str, factor: float, extra: float) -> TrafficHint:
    return t.model_copy(update={field: getattr(t, field) * factor + extra})


@PROPS
@given(cases(), hints(), st.sampled_from(["avg_duration_ms", "payload_kb", "response_kb"]),
       st.floats(1, 100), st.floats(0, 1e5), st.sampled_from(CONTEXTS))
def test_cost_never_decreases_with_duration_or_payload(case, t, field, factor, extra, ctx):
    if case.offline and t.records_per_run is None:
        t = t.model_copy(update={"records_per_run": 1000.0, "runs_per_month": 30.0})
    before = case.build(t, ctx)
    after = case.build(_grown(t, field, factor, extra), ctx)
    assert before.usd(before.own_load) <= after.usd(after.own_load) * (1 + 1e-12) + 1e-9


@settings(max_examples=60, deadline=None)
@given(cases(), cases(), hints(), st.floats(1, 1e10), st.sampled_from(CONTEXTS))
def test_break_even_prunes_to_the_same_answer_as_the_full_scan(one, two, t, near, ctx):
    if one.offline != two.offline:  # same volume axis for both
        return
    a, b = one.build(t, ctx), two.build(t, ctx)

    def own(v: float) -> float:
        return usd_at(a, one, v)

    def other(v: float) -> float:
        return usd_at(b, two, v)

    points = break_evens(own, other)
    anchor = math.log10(near)
    exact = min(points, key=lambda v: abs(math.log10(v) - anchor)) if points else None
    assert break_even(own, other, near=near) == exact


# --- billed capacity never exceeds the maximum fleet ------------------------------------------

def max_fleet_hours(case: Case, t: TrafficHint, hours: float) -> float:
    """The configured maximum fleet × the month, from the config alone."""
    c = case.config
    if case.kind in ("realtime", "multimodel"):
        scaling = c["autoscaling"]
        return (c["instance_count"] if scaling is None else scaling.max_instances) * hours
    if case.kind == "async":
        return c["max_instances"] * hours
    if case.kind == "batch":  # each run's fleet, stopped at the timeout
        count = 100 if c["instance_count"] is None else c["instance_count"]
        return count * c["timeout_hours"] * (t.runs_per_month or 0.0)
    return sum((v.instance_count if v.autoscaling is None else v.autoscaling.max_instances)
               for v in c["variants"]) * hours


@PROPS
@given(cases(), hints(), volumes, st.sampled_from(CONTEXTS))
def test_billed_instance_hours_never_exceed_the_maximum_fleet(case, t, volume, ctx):
    model = case.build(t, ctx)
    load = (model.own_load._replace(records_per_run=volume) if case.offline
            else model.own_load._replace(requests_per_month=volume))
    if case.kind == "serverless":
        gb = case.config["memory_mb"] / 1024
        top = (case.config["max_concurrency"] or 200) * gb * ctx.hours_per_month * 3600
        compute = [line for line in model.lines(load) if line.unit == "GB-second"
                   and not line.item.startswith("Provisioned concurrency (")]
        assert sum(line.quantity for line in compute) <= top * (1 + 1e-9)
        return
    assert instance_hours(model, load) <= max_fleet_hours(case, t, ctx.hours_per_month) * (
        1 + 1e-9) + 1e-9


# --- capacity stated, shortfalls warned --------------------------------------------------------

@PROPS
@given(cases(), hints(), st.sampled_from(CONTEXTS))
def test_every_estimate_states_its_capacity(case, t, ctx):
    est = case.build(t, ctx).estimate()
    meta = est.to_metadata()
    assert meta["capacity"] and meta["capacity"] == dict(est.capacity)
    assert ("max_concurrency" if case.kind == "serverless" else "max_instances") in est.capacity
    assert meta["warnings"] == list(est.warnings)


def expected_shortfall(case: Case, t: TrafficHint, hours: float) -> str | None:
    """The warning's key phrase when the fleet cannot serve the hint (None when it can),
    computed from the config and the hint alone."""
    c = case.config
    busy_s = t.busy_seconds_per_month
    peak = peak_rps(t.requests_per_month, busy_s, t.peak_requests_per_second)
    duration_s = t.avg_duration_ms / 1000
    if case.kind in ("realtime", "multimodel"):
        per = c["concurrency_per_instance"] or at_once(c["instance_type"])
        scaling = c["autoscaling"]
        top = c["instance_count"] if scaling is None else scaling.max_instances
        return "cannot serve the peak" if peak * duration_s > top * per + 1e-6 else None
    if case.kind == "serverless":
        top = c["max_concurrency"] or 200
        return "cannot serve the peak" if peak * duration_s > top + 1e-6 else None
    if case.kind == "async":
        work_s = t.requests_per_month * duration_s / c["concurrency_per_instance"]
        return ("backlog grows without bound"
                if work_s > c["max_instances"] * hours * 3600 * (1 + 1e-9) else None)
    if case.kind == "batch":
        return None  # checked below with the run's own instance count
    shares = traffic_shares(c["variants"])
    for v in c["variants"]:
        top = v.instance_count if v.autoscaling is None else v.autoscaling.max_instances
        if peak * shares[v.name] * duration_s > top * at_once(v.instance_type) + 1e-6:
            return f"variant {v.name}: "
    return None


@PROPS
@given(cases(), hints(), st.sampled_from(CONTEXTS))
def test_a_fleet_that_cannot_serve_its_hint_is_warned_with_the_shortfall(case, t, ctx):
    model = case.build(t, ctx)
    est = model.estimate()
    phrase = expected_shortfall(case, t, ctx.hours_per_month)
    if case.kind == "batch":
        count = model.instances(t.records_per_run)  # type: ignore[attr-defined]
        per = min(case.config["max_concurrent_transforms"], at_once(case.config["instance_type"]))
        need_s = (t.records_per_run or 0) * t.avg_duration_ms / 1000 / (count * per) + (
            case.config["startup_s"])
        late = need_s > case.config["timeout_hours"] * 3600 * (1 + 1e-9) and t.runs_per_month
        phrase = "cannot finish a run within timeout_hours" if late else None
    shortfalls = [w for w in est.warnings if "cannot" in w]
    if phrase is None:
        assert not shortfalls, est.warnings
        assert model.served(model.own_load)
    else:
        assert any(phrase in w for w in shortfalls), (phrase, est.warnings)
        assert not model.served(model.own_load)
        # Named, with a figure: how many requests in flight, instance-hours or records.
        assert all(any(ch.isdigit() for ch in w) for w in shortfalls)

