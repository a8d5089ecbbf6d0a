"""Cost model figures checked by hand (pure Python: no CDK here)."""

import pytest

from constructs_lib import AutoscalingOptions, ScheduledScaling, TrafficHint
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.pricing import load_price_book

IDLE = TrafficHint(requests_per_month=0)


def ctx(overrides=None, region="us-east-1"):
    return PricingContext(book=load_price_book(hourly_overrides=overrides), region=region)


def test_one_g5_xlarge_always_on_at_override_rate():
    # 1 × 1.21 $/h × 730 h = 883.30
    est = RealTimeCost(IDLE, ctx({"ml.g5.xlarge": 1.21}), instance_type="ml.g5.xlarge").estimate()
    assert est.monthly_usd == 883.30
    assert "1 hourly override" in est.price_book


def test_one_g5_xlarge_always_on_at_list_price():
    # 1.4084 × 730 = 1028.13
    est = RealTimeCost(IDLE, ctx(), instance_type="ml.g5.xlarge").estimate()
    assert est.monthly_usd == 1028.13


def test_data_processed_in_and_out():
    # 1,048,576 requests × 1 KB = 1 GB in; × 2 KB = 2 GB out; 0.016 $/GB → 0.016 + 0.032;
    # ml.m5.large's 4 GB storage volume all month: 4 × 0.14 = 0.56
    hint = TrafficHint(requests_per_month=1024 * 1024, payload_kb=1, response_kb=2)
    est = RealTimeCost(hint, ctx(), instance_type="ml.m5.large").estimate()
    lines = {line.item: line for line in est.lines}
    assert lines["Data processed in"].quantity == pytest.approx(1.0)
    assert lines["Data processed out"].quantity == pytest.approx(2.0)
    assert est.monthly_usd == round(0.115 * 730 + 0.56 + 0.016 + 0.032, 2)


def test_autoscaling_busy_hours_at_peak_count_rest_at_minimum():
    # peak 50 req/s at 600 invocations/instance/minute (10/s) → 5 instances for 12 h/day
    # (365 h/month), 1 instance for the other 365 h: 5×365 + 1×365 = 2190 instance-hours.
    # (50 req/s × 0.1 s = 5 in flight need 3 two-vCPU instances: the target holds more.)
    # Storage: 4 GB × 2190 h / 730 h = 12 GB-month × 0.14 = 1.68.
    hint = TrafficHint(requests_per_month=1000, peak_requests_per_second=50,
                       busy_hours_per_day=12, payload_kb=0, response_kb=0)
    scaling = AutoscalingOptions(min_instances=1, max_instances=8,
                                 target_invocations_per_instance=600)
    est = RealTimeCost(hint, ctx(), instance_type="ml.m5.large", autoscaling=scaling).estimate()
    assert est.lines[0].quantity == pytest.approx(2190)
    assert est.monthly_usd == round(2190 * 0.115 + 12 * 0.14, 2)


def test_autoscaling_capped_at_max_says_so():
    hint = TrafficHint(requests_per_month=1000, peak_requests_per_second=100)
    scaling = AutoscalingOptions(min_instances=1, max_instances=2,
                                 target_invocations_per_instance=600)
    est = RealTimeCost(hint, ctx(), instance_type="ml.m5.large", autoscaling=scaling).estimate()
    assert est.lines[0].quantity == pytest.approx(2 * 730)
    assert any("max_instances is 2" in a for a in est.assumptions)


def test_scheduled_minimum_in_business_hours():
    # No traffic: business hours (10 h × 5/7 × 730/24 days = 217.26 h) at 3, the rest at 1.
    sched = ScheduledScaling(business_hours_min_instances=3, off_hours_min_instances=1,
                             start_hour_utc=8, end_hour_utc=18)
    scaling = AutoscalingOptions(min_instances=1, max_instances=4, schedule=sched)
    hint = TrafficHint(requests_per_month=0, busy_hours_per_day=0.001, payload_kb=0,
                       response_kb=0)
    est = RealTimeCost(hint, ctx(), instance_type="ml.m5.large", autoscaling=scaling).estimate()
    business = 730 / 24 * 5 / 7 * 10
    assert est.lines[0].quantity == pytest.approx(3 * business + 1 * (730 - business), rel=1e-3)


def test_serverless_gb_seconds():
    # 5,000 requests × 0.9 s × 3 GB = 13,500 GB-s × 0.00002 = 0.27 $ (no data processed)
    hint = TrafficHint(requests_per_month=5000, avg_duration_ms=900, payload_kb=0, response_kb=0)
    est = ServerlessCost(hint, ctx(), memory_mb=3072).estimate()
    assert est.lines[0].quantity == pytest.approx(13_500)
    assert est.monthly_usd == 0.27
    assert not any("request fee" in line.item for line in est.lines)


def test_serverless_provisioned_concurrency_held_all_month():
    # 2 × 2 GB × 730 h × 3600 s = 10,512,000 GB-s × 0.000005 = 52.56 $; no requests.
    hint = TrafficHint(requests_per_month=0, payload_kb=0, response_kb=0)
    est = ServerlessCost(hint, ctx(), memory_mb=2048, provisioned_concurrency=2).estimate()
    assert est.lines[0].quantity == pytest.approx(10_512_000)
    assert est.monthly_usd == 52.56


def test_always_on_gpu_vs_serverless_for_a_few_thousand_requests():
    # The mission statement: ~$1,000/month always-on GPU vs a few dollars serverless.
    hint = TrafficHint(requests_per_month=3000, avg_duration_ms=500)
    gpu = RealTimeCost(hint, ctx(), instance_type="ml.g5.xlarge").estimate()
    serverless = ServerlessCost(hint, ctx(), memory_mb=6144).estimate()
    assert 900 <= gpu.monthly_usd <= 1100
    assert serverless.monthly_usd < 5


def test_metadata_contract_keys_and_rounding():
    est = RealTimeCost(TrafficHint(requests_per_month=7), ctx(),
                       instance_type="ml.m5.large").estimate()
    meta = est.to_metadata()
    assert set(meta) == {"monthly_usd", "currency", "region", "kind", "lines", "assumptions",
                         "alternatives", "price_book", "price_date", "traffic", "capacity",
                         "warnings"}
    assert meta["price_date"] == "2025-01-26"  # the packaged book's us-east-1 prices
    assert meta["capacity"]["max_instances"] == 1 and meta["warnings"] == []
    assert meta["currency"] == "USD" and meta["kind"] == "realtime"
    assert set(meta["lines"][0]) == {"item", "quantity", "unit", "unit_usd", "monthly_usd"}
    assert meta["monthly_usd"] == round(meta["monthly_usd"], 2)
    assert meta["traffic"]["requests_per_month"] == 7


def test_estimates_are_deterministic():
    hint = TrafficHint(requests_per_month=12345, avg_duration_ms=77)
    a = ServerlessCost(hint, ctx(), memory_mb=1024).estimate().to_metadata()
    b = ServerlessCost(hint, ctx(), memory_mb=1024).estimate().to_metadata()
    assert a == b


def test_price_book_is_parsed_once_per_process():
    first = load_price_book()
    assert load_price_book().regions is first.regions

