"""Cheaper-alternative advice: feasibility from SageMaker's limits, async and batch prices,
break-even volumes by bisection, the registry, and the warning at synth."""

import pytest
from aws_cdk.assertions import Annotations, Match

from constructs_lib import AutoscalingOptions, ConfigurationError, ModelSpec, TrafficHint
from constructs_lib.cost import kinds
from constructs_lib.cost.advice import alternatives, infeasible_kinds, should_warn
from constructs_lib.cost.async_endpoint import async_scaled_to_zero
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.breakeven import (
    break_even,
    break_evens,
    cost_curves,
    log_volumes,
    served_up_to,
)
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.cost.workload import KindOption, Workload
from constructs_lib.pricing import load_price_book

from .conftest import IMAGE, has_note, make_stack

CTX = PricingContext(book=load_price_book(), region="us-east-1")
NO_DATA = dict(payload_kb=0, response_kb=0)


def test_serverless_is_ruled_out_by_gpu_payload_duration_concurrency_and_memory():
    hint = TrafficHint(requests_per_month=1000)
    assert "serverless" in infeasible_kinds(Workload(hint, "ml.g5.xlarge"))
    assert "serverless" not in infeasible_kinds(Workload(hint, "ml.m5.large"))
    big = infeasible_kinds(Workload(TrafficHint(payload_kb=5 * 1024), "ml.m5.large"))
    assert big["serverless"] == ["payload above serverless's 4 MB"]
    assert "realtime" not in big  # 5 MB fits InvokeEndpoint's 6 MB
    assert "realtime" in infeasible_kinds(Workload(TrafficHint(response_kb=7 * 1024)))
    slow = infeasible_kinds(Workload(TrafficHint(avg_duration_ms=61_000), "ml.m5.large"))
    assert {"realtime", "serverless"} <= set(slow)
    # 300 req/s × 1 s = 300 concurrent requests > 200
    busy = infeasible_kinds(Workload(TrafficHint(peak_requests_per_second=300,
                                                 avg_duration_ms=1000)))
    assert busy["serverless"] == ["peak concurrency 300 above serverless's 200"]
    assert "serverless" in infeasible_kinds(Workload(hint, memory_mb=8192))


def test_async_needs_a_caller_that_can_wait_out_a_start_from_zero():
    assert "async" in infeasible_kinds(Workload(TrafficHint()))
    assert "async" in infeasible_kinds(Workload(TrafficHint(max_latency_ms=60_000)))
    assert "async" not in infeasible_kinds(Workload(TrafficHint(max_latency_ms=3_600_000)))
    offline = TrafficHint(records_per_run=10, runs_per_month=4)
    assert "async" not in infeasible_kinds(Workload(offline))


def test_batch_only_for_offline_work():
    assert "batch" in infeasible_kinds(Workload(TrafficHint(requests_per_month=1e6)))
    assert "batch" not in infeasible_kinds(
        Workload(TrafficHint(records_per_run=1000, runs_per_month=30)))


def test_async_sparse_requests_keep_an_instance_up_for_the_busy_hours():
    # AsyncEndpoint's model (AsyncCost): 3,000 requests in 2 busy h/day are 73 s
    # apart (< 2 s + 900 s idle tail), so one busy period a day: 1 instance for the 7,200 s
    # window + 300 s warm-up + 900 s tail = 8,400 s × 30.4167 days = 70.972 h × 1.4084 = 99.96 $
    hint = TrafficHint(requests_per_month=3000, avg_duration_ms=2000, busy_hours_per_day=2,
                       max_latency_ms=3_600_000, **NO_DATA)
    est = async_scaled_to_zero(Workload(hint, "ml.g5.xlarge"), CTX).estimate()
    assert est.kind == "async"
    assert est.lines[0].quantity == pytest.approx(730 / 24 * 8400 / 3600)
    assert est.monthly_usd == 99.96


def test_async_very_sparse_requests_bill_only_wake_ups():
    # 10 requests, 262,800 s apart: each wakes an instance for 300 s warm-up + 1 s + 900 s
    # idle tail = 1,201 s; 10 × 1,201 s = 3.336 h × 0.115 $/h = 0.384 $, + 4 GB × 3.336 / 730
    # × 0.14 = 0.002 $ → 0.39 $
    hint = TrafficHint(requests_per_month=10, avg_duration_ms=1000, **NO_DATA)
    est = async_scaled_to_zero(Workload(hint, "ml.m5.large"), CTX).estimate()
    assert est.lines[0].quantity == pytest.approx(10 * 1201 / 3600)
    assert est.monthly_usd == 0.39


def test_async_dense_requests_bill_processing_time():
    # 10,000,000 × 1 s around the clock = 328,767 s of work a day: 4 instances (the advice's
    # max) all day, never scaling in: 4 × 730 h = 2,920 h, the most 4 instances bill (a warm-up
    # and a tail each would pass it) × 0.115 = 335.80 $, + 4 × 4 GB × 0.14 = 2.24 $ → 338.04 $
    hint = TrafficHint(requests_per_month=1e7, avg_duration_ms=1000, **NO_DATA)
    est = async_scaled_to_zero(Workload(hint, "ml.m5.large"), CTX).estimate()
    assert est.lines[0].quantity == pytest.approx(4 * 730)
    assert est.monthly_usd == 338.04


def test_batch_hours_per_run_with_start_up():
    # BatchTransform's model (BatchCost), 1 instance, 1 transform: 30 runs ×
    # (300 s start-up + 100 records × 2 s) = 30 × 500 s = 4.1667 h × 1.4084 = 5.87 $
    hint = TrafficHint(avg_duration_ms=2000, records_per_run=100, runs_per_month=30)
    est = kinds.KINDS["batch"].model(Workload(hint, "ml.g5.xlarge"), CTX).estimate()
    assert est.kind == "batch"
    assert est.lines[0].quantity == pytest.approx(30 * 500 / 3600)
    assert est.monthly_usd == 5.87
    assert len(est.lines) == 1  # batch transform has no data-processed charge


def test_break_even_of_linear_and_flat_costs():
    # 100 $ flat vs 0.01 $/request: equal at 10,000 requests
    assert break_even(lambda v: 100.0, lambda v: 0.01 * v, near=50) == pytest.approx(1e4, rel=1e-5)
    assert break_evens(lambda v: 1.0, lambda v: 2.0) == []


def test_break_even_follows_autoscaling_steps_not_a_linear_shortcut():
    # Real-time, 1..8 × ml.m5.large at 600 invocations/instance/minute (10 req/s each), busy
    # 24 h: n instances serve up to 10·n req/s = 26.28M·n requests/month. Serverless at 2 GB,
    # 1 s: 0.00004 $/request. One instance (83.95 $) equals serverless at 2,098,750 requests;
    # a linear shortcut from the current volume's instance count would miss the steps.
    scaling = AutoscalingOptions(min_instances=1, max_instances=8,
                                 target_invocations_per_instance=600)

    def realtime(v):
        hint = TrafficHint(requests_per_month=v, avg_duration_ms=1000, **NO_DATA)
        return RealTimeCost(hint, CTX, instance_type="ml.m5.large",
                            autoscaling=scaling).estimate().lines[0].monthly_usd

    def serverless(v):
        hint = TrafficHint(requests_per_month=v, avg_duration_ms=1000, **NO_DATA)
        return ServerlessCost(hint, CTX, memory_mb=2048).estimate().lines[0].monthly_usd

    assert break_even(realtime, serverless, near=1000) == pytest.approx(0.115 * 730 / 0.00004,
                                                                        rel=1e-5)


def test_alternatives_carry_break_even_to_four_significant_figures():
    hint = TrafficHint(requests_per_month=5000, avg_duration_ms=900, **NO_DATA)

    own = ServerlessCost(hint, CTX, memory_mb=3072)
    (alt,) = alternatives("serverless", own, Workload(hint, memory_mb=3072), CTX)
    assert alt.kind == "realtime"
    # ml.m5.large 1..4, 1 instance at this volume: 83.95 + 4 GB × 0.14 = 84.51 $
    # = v × 0.9 s × 3 GB × 0.00002 → 1,565,000
    assert alt.break_even_requests_per_month == 1_565_000


def test_a_new_kind_plugs_in_with_one_registration(monkeypatch):
    monkeypatch.setitem(kinds.KINDS, "multimodel", KindOption(
        "multimodel", lambda w: [], lambda w, ctx: RealTimeCost(
            w.traffic, ctx, instance_type="ml.m5.large", kind="multimodel"),
        lambda w: "MultiModelEndpoint shared with other models"))
    hint = TrafficHint(requests_per_month=5000)
    own = RealTimeCost(hint, CTX, instance_type="ml.c5.xlarge")
    found = {a.kind for a in alternatives("realtime", own, Workload(hint, "ml.c5.xlarge"), CTX)}
    assert found == {"serverless", "multimodel"}


def test_cost_curves_and_log_volumes():
    assert log_volumes(1, 1000, 4) == pytest.approx([1, 10, 100, 1000])
    curve = cost_curves({"flat": lambda v: 100.0, "linear": lambda v: 0.01 * v},
                        log_volumes(1, 1e6, 13))
    assert [(a, b) for a, b, _, _ in curve.break_evens] == [("flat", "linear")]
    assert curve.break_evens[0][2] == pytest.approx(1e4, rel=1e-5)
    assert curve.costs["flat"] == (100.0,) * 13


def demo_endpoint(stack, **overrides):
    from constructs_lib import RealTimeEndpoint

    props = dict(
        model=ModelSpec(image_uri=IMAGE), instance_type="ml.g5.xlarge",
        traffic=TrafficHint(requests_per_month=3000, avg_duration_ms=2000, busy_hours_per_day=2,
                            records_per_run=100, runs_per_month=30, max_latency_ms=28_800_000),
    )
    props.update(overrides)
    return RealTimeEndpoint(stack, "Tagger", **props)


def test_warning_names_alternative_saving_and_break_even():
    stack = make_stack()
    demo_endpoint(stack)
    Annotations.from_stack(stack).has_warning("/Test/Tagger", Match.string_like_regexp(
        # 1.4084 × 730 + 20 KB × 3,000 of data = 1,028.13; batch 5.87 (see above)
        r"Estimated \$1,028\.13/month \(realtime.*batch would cost \$5\.87/month \(saves "
        r"\$1,022\.26/month, 99%\)\. BatchTransform on ml\.g5\.xlarge"))


def test_no_break_even_where_the_endpoint_itself_cannot_keep_up():
    # Batch would cost as much near 1.31M requests a month, but one ml.g5.xlarge (1 GPU: one
    # request at a time) serves 2 s requests in 2 busy hours a day only up to 0.5 req/s ×
    # 7,200 s × 30.4167 days = 109,500 requests a month: no break-even is claimed beyond that.
    stack = make_stack()
    est = demo_endpoint(stack).cost_estimate
    assert {a.kind: a.break_even_requests_per_month for a in est.alternatives} == {
        "async": None, "batch": None, "inference_components": None}
    assert est.capacity["peak_requests_per_second_capacity"] == 0.5
    own = RealTimeCost(TrafficHint(requests_per_month=3000, avg_duration_ms=2000,
                                   busy_hours_per_day=2), CTX, instance_type="ml.g5.xlarge")
    limit = served_up_to(lambda v: own.served(own.own_load._replace(requests_per_month=v)),
                         (1.0, 1e10))
    assert limit == pytest.approx(109_500, rel=1e-3)


def test_gpu_endpoint_without_a_waiting_caller_gets_no_advice():
    stack = make_stack()
    ep = demo_endpoint(stack, traffic=TrafficHint(requests_per_month=3000))
    assert ep.cost_estimate.alternatives == ()  # GPU: no serverless; interactive: no async
    Annotations.from_stack(stack).has_no_warning("/Test/Tagger", Match.any_value())


def test_warn_share_from_context():
    stack = make_stack({"cost:warn-saving-share": 1.0})
    ep = demo_endpoint(stack)
    assert should_warn(ep.cost_estimate, 0.99) is not None
    Annotations.from_stack(stack).has_no_warning("/Test/Tagger", Match.any_value())
    has_note(stack, "/Test/Tagger", "batch")


def test_bad_warn_share_fails_before_any_node():
    stack = make_stack({"cost:warn-saving-share": "1.5"})
    with pytest.raises(ConfigurationError, match=r"context\['cost:warn-saving-share'\]=1\.5"):
        demo_endpoint(stack)
    assert stack.node.try_find_child("Tagger") is None


def test_serverless_endpoint_compares_with_realtime_and_async_when_caller_waits():
    from constructs_lib import ServerlessEndpoint

    stack = make_stack()
    ep = ServerlessEndpoint(stack, "S", model=ModelSpec(image_uri=IMAGE), memory_mb=2048,
                            traffic=TrafficHint(requests_per_month=1000,
                                                max_latency_ms=3_600_000))
    # A caller that waits an hour can also retry through an inference component's cold start.
    assert [a.kind for a in ep.cost_estimate.alternatives] == [
        "realtime", "async", "inference_components"]
