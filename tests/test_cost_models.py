"""Every kind's cost model on generated inputs: its estimate is its lines at the hint's own
volume, its USD at a volume is the estimate of the hint at that volume (the load a workload
maps a volume to is the right one), and advice reports what each kind's own model says."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib.cost import kinds
from constructs_lib.cost.advice import alternatives, exact_usd
from constructs_lib.cost.async_endpoint import AsyncCost
from constructs_lib.cost.base import CostModel, Load, PricingContext
from constructs_lib.cost.batch_transform import BatchCost
from constructs_lib.cost.estimate import LineItem, round_usd
from constructs_lib.cost.fleet import FleetCost, VariantSpec, dedicated_endpoints, traffic_shares
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.cost.workload import Workload
from constructs_lib.pricing import load_price_book
from constructs_lib.pricing.rates import rate_notes
from constructs_lib.spec.scaling import AutoscalingOptions, ScheduledScaling
from constructs_lib.spec.traffic import TrafficHint, scale_traffic

BOOK = load_price_book(None, {})
TYPES = sorted(BOOK.known_instance_types("us-east-1"))
CONTEXTS = [
    PricingContext(book=BOOK, region="us-east-1"),
    PricingContext(book=BOOK, region="us-east-1", hours_per_month=720.0),
    PricingContext(book=load_price_book(None, {"ml.m5.large": 0.2}), region="us-east-1",
                   region_assumed=True),
]
FAST = settings(max_examples=200, deadline=None)

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


@st.composite
def fleets(draw: st.DrawFn) -> list[VariantSpec]:
    """One production variant, then production or shadow variants (weights may be zero)."""
    out = [VariantSpec("v0", draw(st.sampled_from(TYPES)), draw(st.floats(0.01, 5)),
                       draw(st.integers(1, 4)), draw(scalings()))]
    for i in range(1, draw(st.integers(1, 4))):
        out.append(VariantSpec(f"v{i}", draw(st.sampled_from(TYPES)), draw(st.floats(0, 5)),
                               draw(st.integers(1, 4)), draw(scalings()), draw(st.booleans())))
    return out


Build = Any
"""``(traffic, ctx) -> CostModel``: one kind's config held."""


@st.composite
def models(draw: st.DrawFn) -> tuple[Build, bool]:
    """A cost model builder of any kind and config, and whether its volume is records per run
    (offline work) rather than requests."""
    kind = draw(st.sampled_from(["realtime", "serverless", "async", "batch", "fleet"]))
    itype = draw(st.sampled_from(TYPES))
    if kind == "realtime":
        count, scaling = draw(st.integers(1, 5)), draw(scalings())
        return (lambda t, ctx: RealTimeCost(t, ctx, instance_type=itype, instance_count=count,
                                            autoscaling=scaling)), False
    if kind == "serverless":
        memory = draw(st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144]))
        provisioned = draw(st.none() | st.integers(1, 200))
        return (lambda t, ctx: ServerlessCost(t, ctx, memory_mb=memory,
                                              provisioned_concurrency=provisioned)), False
    if kind == "async":
        low = draw(st.integers(0, 3))
        config = {"instance_type": itype, "min_instances": low,
                  "max_instances": max(low + draw(st.integers(0, 6)), 1),
                  "concurrency_per_instance": draw(st.integers(1, 8)),
                  "warm_up_s": draw(st.floats(0, 900)),
                  "scale_in_cooldown_s": draw(st.integers(0, 86400))}
        return (lambda t, ctx: AsyncCost(t, ctx, **config)), False
    if kind == "batch":
        config = {"instance_type": itype, "instance_count": draw(st.integers(1, 10)),
                  "max_concurrent_transforms": draw(st.integers(1, 100)),
                  "startup_s": draw(st.floats(0, 3600))}
        return (lambda t, ctx: BatchCost(t, ctx, **config)), True
    variants = draw(fleets())
    return (lambda t, ctx: FleetCost(variants, t, ctx)), False


@FAST
@given(models(), hints(), st.sampled_from(CONTEXTS))
def test_the_estimate_is_the_lines_at_the_hints_own_volume(built, t, ctx):
    build, _ = built
    model: CostModel = build(t, ctx)
    estimate = model.estimate()
    usd = model.usd(model.own_load)
    assert usd == exact_usd(estimate)  # to the last bit: usd sums the lines without them
    assert estimate.monthly_usd == round_usd(usd) == round_usd(
        sum(line.monthly_usd for line in model.lines(model.own_load)))
    assert estimate.lines == tuple(model.lines(model.own_load))
    assert estimate.kind == model.kind
    rates = [line.unit_usd for line in estimate.lines]
    assert estimate.assumptions == (*ctx.base_assumptions(), *model.notes(model.own_load),
                                    *rate_notes(rates))
    assert estimate.traffic == t.as_metadata()


@FAST
@given(models(), hints(), volumes, st.none() | volumes, st.sampled_from(CONTEXTS))
def test_usd_at_a_volume_is_the_estimate_of_the_hint_at_that_volume(built, t, requests,
                                                                     records, ctx):
    build, offline = built
    model = build(t, ctx)
    if offline:
        load = Load(t.requests_per_month, records)
        there = t.model_copy(update={"records_per_run": records})
    else:
        load = Load(requests, t.records_per_run)
        there = t.model_copy(update={"requests_per_month": requests})
    again = build(there, ctx)
    assert again.own_load == load
    assert model.usd(load) == exact_usd(again.estimate())
    assert model.lines(load) == list(again.estimate().lines)
    assert model.notes(load) == again.notes(again.own_load)


@FAST
@given(hints(), st.sampled_from([*TYPES, None]), st.sampled_from([None, 1024, 3072, 8192]),
       st.sampled_from(CONTEXTS), st.lists(volumes, min_size=1, max_size=4))
def test_every_kinds_model_at_a_workloads_volume_is_its_estimate_there(t, itype, memory, ctx,
                                                                        vs):
    w = Workload(t, itype, memory)
    for option in kinds.KINDS.values():
        model = option.model(w, ctx)
        for v in [w.volume, *vs]:
            there = w.at_volume(v)
            assert w.load_at(v) == option.model(there, ctx).own_load
            assert w.volume_cost(model)(v) == exact_usd(option.model(there, ctx).estimate())


OWN = {
    "realtime": lambda w, ctx: RealTimeCost(w.traffic, ctx, instance_type=w.host_instance,
                                            instance_count=2),
    "serverless": lambda w, ctx: ServerlessCost(w.traffic, ctx, memory_mb=w.serverless_memory_mb,
                                                provisioned_concurrency=3),
    "async": lambda w, ctx: AsyncCost(w.traffic, ctx, instance_type=w.host_instance,
                                      min_instances=1, max_instances=3),
    "batch": lambda w, ctx: BatchCost(w.traffic, ctx, instance_type=w.host_instance,
                                      instance_count=2, max_concurrent_transforms=4),
    "multimodel": lambda w, ctx: RealTimeCost(
        w.traffic, ctx, instance_type=w.host_instance, kind="multimodel",
        autoscaling=AutoscalingOptions(max_instances=5, target_invocations_per_instance=500)),
}


@settings(max_examples=60, deadline=None)
@given(hints(), st.sampled_from([*TYPES, None]), st.sampled_from([None, 2048, 8192]),
       st.sampled_from(sorted(OWN)), st.sampled_from(CONTEXTS))
def test_each_alternative_is_that_kinds_own_estimate_of_the_workload(t, itype, memory, kind,
                                                                     ctx):
    w = Workload(t, itype, memory)
    found = alternatives(kind, OWN[kind](w, ctx), w, ctx)
    here = w.at_own_volume()
    feasible = [o for o in kinds.KINDS.values()  # allowed by SageMaker, and able to do the work
                if o.kind != kind and not o.infeasibility(here)
                and o.model(here, ctx).served(o.model(here, ctx).own_load)]
    assert [a.kind for a in found] == [o.kind for o in feasible]
    for alt, option in zip(found, feasible, strict=True):
        assert alt.monthly_usd == option.model(w.at_own_volume(), ctx).estimate().monthly_usd
        assert alt.note == option.note(w.at_own_volume())


def test_a_region_without_rates_is_skipped():
    eu = PricingContext(book=BOOK, region="eu-west-1")  # no serverless rates there
    hint = TrafficHint(requests_per_month=1e5, max_latency_ms=1e7)
    itype = BOOK.known_instance_types("eu-west-1")[0]
    found = alternatives("realtime", RealTimeCost(hint, eu, instance_type=itype),
                         Workload(hint, itype), eu)
    assert [a.kind for a in found] == ["async", "inference_components"]


@FAST
@given(fleets(), hints(), volumes, st.sampled_from(CONTEXTS))
def test_a_fleet_is_each_variant_priced_alone_on_its_share(variants, t, requests, ctx):
    fleet = FleetCost(variants, t, ctx)
    load = Load(requests, t.records_per_run)
    shares = traffic_shares(variants)
    parts = [RealTimeCost(scale_traffic(t, shares[v.name]).model_copy(
        update={"requests_per_month": requests * shares[v.name]}), ctx,
        instance_type=v.instance_type, instance_count=v.instance_count,
        autoscaling=v.autoscaling, responses=not v.shadow).estimate() for v in variants]
    assert fleet.lines(load) == [
        LineItem(line.item, line.quantity, line.unit, line.unit_usd, v.name)
        for v, part in zip(variants, parts, strict=True) for line in part.lines]
    heads = [note for note in fleet.notes(load) if note.startswith("variant ")]
    assert [head.rsplit(" $", 1)[1] for head in heads] == [
        f"{part.monthly_usd:,.2f}/month" for part in parts]


@FAST
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), hints(offline=False), max_size=4),
       st.sampled_from(TYPES), scalings(), st.sampled_from(CONTEXTS))
def test_dedicated_endpoints_price_each_model_as_its_estimate(models, itype, scaling, ctx):
    scaled = None if scaling is None else scaling.model_copy(
        update={"min_instances": 1, "schedule": None})
    alt = dedicated_endpoints(models, instance_type=itype, ctx=ctx, autoscaling=scaling)
    assert alt.monthly_usd == sum(
        RealTimeCost(hint, ctx, instance_type=itype, instance_count=1,
                     autoscaling=scaled).estimate().monthly_usd for hint in models.values())
