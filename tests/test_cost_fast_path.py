"""The cost-only path (``CostEstimate.cost_model``, ``KindOption.cost``: USD as a function of
the volume, without line items) against the full estimates, on generated inputs: every cost
model gives exactly ``exact_usd`` of its full estimate at every volume, and advice gives exactly
the alternatives (prices, notes, break-even volumes) it gives through the full estimates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib import AutoscalingOptions, TrafficHint
from constructs_lib.config import ScheduledScaling
from constructs_lib.cost import kinds
from constructs_lib.cost.advice import alternatives, exact_usd
from constructs_lib.cost.estimate import CostEstimate
from constructs_lib.cost.feasibility import Workload
from constructs_lib.cost.fleet import dedicated_endpoints
from constructs_lib.cost.model import PricingContext, estimate_realtime, estimate_serverless
from constructs_lib.cost.offline import estimate_async, estimate_batch
from constructs_lib.pricing import load_price_book

BOOK = load_price_book(None, {})
TYPES = sorted(BOOK.known_instance_types("us-east-1"))
CONTEXTS = [
    PricingContext(book=BOOK, region="us-east-1"),
    PricingContext(book=BOOK, region="us-east-1", hours_per_month=720.0),
    PricingContext(book=load_price_book(None, {"ml.m5.large": 0.2}), region="us-east-1",
                   region_assumed=True),
]
FAST = settings(max_examples=400, deadline=None)

volumes = st.floats(0, 1e11) | st.sampled_from([0.0, 1.0, 1e10]) | st.integers(0, 10**9).map(
    float)
durations = st.floats(0, 4e6) | st.sampled_from([0.0, 1e-6, 40.0, 100.0, 60000.0])


@st.composite
def hints(draw: st.DrawFn, offline: bool | None = None) -> TrafficHint:
    kw: dict[str, Any] = {
        "requests_per_month": draw(volumes),
        "avg_duration_ms": draw(durations),
        "payload_kb": draw(st.floats(0, 2e6) | st.just(0.0)),
        "response_kb": draw(st.floats(0, 7000)),
        "peak_requests_per_second": draw(st.none() | st.floats(0, 1e5)),
        "busy_hours_per_day": draw(st.floats(0.01, 24) | st.sampled_from([24.0, 10.0])),
        "max_latency_ms": draw(st.none() | st.floats(1, 1e8)),
    }
    if offline if offline is not None else draw(st.booleans()):
        kw["records_per_run"] = draw(st.none() | volumes)
        kw["runs_per_month"] = draw(st.none() | st.floats(0, 5000) | st.just(30.0))
    return TrafficHint(**kw)


@st.composite
def scalings(draw: st.DrawFn) -> AutoscalingOptions | None:
    if draw(st.booleans()):
        return None
    low = draw(st.integers(1, 4))
    high = low + draw(st.integers(0, 6))
    schedule = None
    if draw(st.booleans()):
        start = draw(st.integers(0, 22))
        schedule = ScheduledScaling(
            business_hours_min_instances=draw(st.integers(1, high)),
            off_hours_min_instances=draw(st.integers(1, high)), start_hour_utc=start,
            end_hour_utc=draw(st.integers(start + 1, 24)), weekdays_only=draw(st.booleans()))
    return AutoscalingOptions(
        min_instances=low, max_instances=high,
        target_invocations_per_instance=draw(st.floats(0.01, 1e5)), schedule=schedule)


def at(t: TrafficHint, requests: float, records: float | None) -> TrafficHint:
    return t.model_copy(update={"requests_per_month": requests, "records_per_run": records})


def same_as_full(estimate: CostEstimate, t: TrafficHint, requests: float,
                 records: float | None) -> None:
    """``estimate`` (the full model at ``at(t, requests, records)``) and its cost model, built
    on ``t``, give the same USD to the last bit."""
    assert estimate.cost_model is not None
    assert estimate.cost_model(t)(requests, records) == exact_usd(estimate)


@FAST
@given(hints(), volumes, st.none() | volumes, st.sampled_from(TYPES), st.integers(1, 5),
       scalings(), st.sampled_from(CONTEXTS))
def test_realtime_cost_is_the_estimates_usd(t, requests, records, itype, count, scaling, ctx):
    e = estimate_realtime(instance_type=itype, traffic=at(t, requests, records), ctx=ctx,
                          instance_count=count, autoscaling=scaling)
    same_as_full(e, t, requests, records)


@FAST
@given(hints(), volumes, st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144]),
       st.none() | st.integers(1, 200), st.sampled_from(CONTEXTS))
def test_serverless_cost_is_the_estimates_usd(t, requests, memory, provisioned, ctx):
    e = estimate_serverless(memory_mb=memory, traffic=at(t, requests, None), ctx=ctx,
                            provisioned_concurrency=provisioned)
    same_as_full(e, t, requests, None)


@FAST
@given(hints(), volumes, st.sampled_from(TYPES), st.integers(0, 3), st.integers(0, 6),
       st.integers(1, 8), st.floats(0, 900), st.integers(0, 86400), st.sampled_from(CONTEXTS))
def test_async_cost_is_the_estimates_usd(t, requests, itype, low, more, concurrency, warm_up,
                                         cooldown, ctx):
    kw = {"instance_type": itype, "ctx": ctx, "min_instances": low,
          "max_instances": max(low + more, 1), "concurrency_per_instance": concurrency,
          "warm_up_s": warm_up, "scale_in_cooldown_s": cooldown}
    same_as_full(estimate_async(traffic=at(t, requests, None), **kw), t, requests, None)


@FAST
@given(hints(offline=True), volumes, st.none() | volumes, st.sampled_from(TYPES),
       st.integers(1, 10), st.integers(1, 100), st.floats(0, 3600), st.sampled_from(CONTEXTS))
def test_batch_cost_is_the_estimates_usd(t, requests, records, itype, count, transforms,
                                         startup, ctx):
    e = estimate_batch(instance_type=itype, traffic=at(t, requests, records), ctx=ctx,
                       instance_count=count, max_concurrent_transforms=transforms,
                       startup_s=startup)
    same_as_full(e, t, requests, records)


@FAST
@given(hints(), st.sampled_from([*TYPES, None]), st.sampled_from([None, 1024, 3072, 8192]),
       st.sampled_from(CONTEXTS), st.lists(volumes, min_size=1, max_size=5))
def test_every_kinds_cost_is_its_price_at_every_volume(t, itype, memory, ctx, vs):
    w = Workload(t, itype, memory)
    w = w.at_volume(w.volume)
    for option in kinds.KINDS.values():
        assert option.cost is not None
        usd = w.volume_cost(option.cost(w, ctx))
        for v in [w.volume, *vs]:
            assert usd(v) == exact_usd(option.price(w.at_volume(v), ctx))


def full_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Advice through the full estimates alone: no kind's cost, no estimate's cost model."""
    for name, option in list(kinds.KINDS.items()):
        monkeypatch.setitem(kinds.KINDS, name, replace(option, cost=None))


OWN = {
    "realtime": lambda w, ctx, t: estimate_realtime(
        instance_type=w.host_instance, traffic=t, ctx=ctx, instance_count=2),
    "serverless": lambda w, ctx, t: estimate_serverless(
        memory_mb=w.serverless_memory_mb, traffic=t, ctx=ctx, provisioned_concurrency=3),
    "async": lambda w, ctx, t: estimate_async(
        instance_type=w.host_instance, traffic=t, ctx=ctx, min_instances=1, max_instances=3),
    "batch": lambda w, ctx, t: estimate_batch(
        instance_type=w.host_instance, traffic=t, ctx=ctx, instance_count=2,
        max_concurrent_transforms=4),
    "multimodel": lambda w, ctx, t: estimate_realtime(
        instance_type=w.host_instance, traffic=t, ctx=ctx, kind="multimodel",
        autoscaling=AutoscalingOptions(max_instances=5, target_invocations_per_instance=500)),
}


@settings(max_examples=60, deadline=None)
@given(hints(), st.sampled_from([*TYPES, None]), st.sampled_from([None, 2048, 8192]),
       st.sampled_from(sorted(OWN)), st.sampled_from(CONTEXTS))
def test_advice_is_the_same_through_the_full_estimates(t, itype, memory, kind, ctx):
    w = Workload(t, itype, memory)

    def own(traffic: TrafficHint) -> CostEstimate:
        return OWN[kind](w, ctx, traffic)

    fast = alternatives(kind, own, w, ctx)
    with pytest.MonkeyPatch.context() as mp:
        full_path_only(mp)
        full = alternatives(kind, lambda traffic: replace(own(traffic)), w, ctx)
    assert fast == full
    assert [a.to_metadata() for a in fast] == [a.to_metadata() for a in full]


def test_a_copied_estimate_has_no_cost_model_and_a_region_without_rates_is_skipped():
    ctx = PricingContext(book=BOOK, region="us-east-1")
    e = estimate_realtime(instance_type="ml.m5.large", traffic=TrafficHint(), ctx=ctx)
    assert e.cost_model is not None
    assert replace(e, assumptions=()).cost_model is None
    eu = PricingContext(book=BOOK, region="eu-west-1")  # no serverless rates there
    hint = TrafficHint(requests_per_month=1e5, max_latency_ms=1e7)
    itype = BOOK.known_instance_types("eu-west-1")[0]
    found = alternatives("realtime", lambda t: estimate_realtime(
        instance_type=itype, traffic=t, ctx=eu), Workload(hint, itype), eu)
    assert [a.kind for a in found] == ["async"]


@FAST
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), hints(offline=False), max_size=4),
       st.sampled_from(TYPES), scalings(), st.sampled_from(CONTEXTS))
def test_dedicated_endpoints_price_each_model_as_its_estimate(models, itype, scaling, ctx):
    scaled = None if scaling is None else scaling.model_copy(
        update={"min_instances": 1, "schedule": None})
    alt = dedicated_endpoints(models, instance_type=itype, ctx=ctx, autoscaling=scaling)
    assert alt.monthly_usd == sum(
        estimate_realtime(instance_type=itype, traffic=hint, ctx=ctx, instance_count=1,
                          autoscaling=scaled).monthly_usd for hint in models.values())
