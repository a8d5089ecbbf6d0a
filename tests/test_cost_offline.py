"""Async and batch cost figures checked by hand (pure Python: no CDK here)."""

import pytest

from constructs_lib import TrafficHint
from constructs_lib.cost.async_endpoint import AsyncCost, async_busy_time
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.batch_transform import BatchCost, batch_job_seconds
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.pricing import load_price_book

M5_XL = 0.23  # ml.m5.xlarge, us-east-1, $/h (the packaged price book)
DAYS = 730 / 24  # 30.4167 days a month


def ctx(overrides=None):
    return PricingContext(book=load_price_book(hourly_overrides=overrides), region="us-east-1")


def test_async_at_zero_with_a_few_hundred_requests_is_a_small_fraction_of_always_on():
    # 300 requests × 30 s, around the clock: 9.86 a day, 8,760 s apart (> 30 s + 900 s idle
    # tail), so each request wakes an instance: 300 s warm-up + 30 s + 900 s idle = 1,230 s.
    # 300 × 1,230 s = 369,000 s = 102.5 h × 0.23 = $23.575, plus its 8 GB storage volume while
    # up: 8 × 102.5 / 730 = 1.1233 GB-month × 0.14 = $0.157 → $23.73 (no payload: no data fee).
    # The same instance always on: 730 h × 0.23 = $167.90 (async at zero: 14% of it).
    hint = TrafficHint(requests_per_month=300, avg_duration_ms=30_000, payload_kb=0,
                       response_kb=0)
    at_zero = AsyncCost(hint, ctx(), instance_type="ml.m5.xlarge").estimate()
    always_on = RealTimeCost(hint, ctx(), instance_type="ml.m5.xlarge").estimate()
    assert at_zero.lines[0].quantity == pytest.approx(102.5)
    assert at_zero.monthly_usd == 23.73
    assert always_on.monthly_usd == 169.02  # 167.90 + 8 GB × 0.14
    assert at_zero.monthly_usd < 0.15 * always_on.monthly_usd
    assert at_zero.kind == "async"
    assert any("nothing billed while the queue is empty" in a for a in at_zero.assumptions)


def test_async_idle_bills_nothing_at_min_zero():
    est = AsyncCost(TrafficHint(), ctx(), instance_type="ml.m5.xlarge").estimate()
    assert est.monthly_usd == 0.0


def test_async_office_hours_are_one_busy_period_a_day():
    # 20,000 × 20 s at 2 per instance, 10 h/day: 657.5 a day, 54.75 s apart (< 20 s + 900 s),
    # work 657.5 × 20 / 2 = 6,575 s < 36,000 s: one instance through the 10 busy hours plus
    # 300 s warm-up and 900 s idle tail: 30.4167 days × 37,200 s = 1,131,500 s = 314.306 h.
    # 314.306 × 0.23 = $72.29, + 8 GB × 314.306 / 730 × 0.14 = $0.482 → $72.77.
    hint = TrafficHint(requests_per_month=20_000, avg_duration_ms=20_000, payload_kb=0,
                       response_kb=0, busy_hours_per_day=10)
    est = AsyncCost(hint, ctx(), instance_type="ml.m5.xlarge", max_instances=4,
                    concurrency_per_instance=2).estimate()
    assert est.lines[0].quantity == pytest.approx(DAYS * 37_200 / 3600)
    assert est.monthly_usd == 72.77


def test_async_work_beyond_one_instance_scales_out_and_is_capped_at_max():
    # 100,000 × 10 s in 8 h/day: 3,287.7 a day × 10 s = 32,877 s of work a day over a
    # 28,800 s window → 2 instances: 30.4167 × (2 × 28,800 + 2 × 1,200) s = 1,825,000 s = 506.9 h.
    hint = TrafficHint(requests_per_month=100_000, avg_duration_ms=10_000, busy_hours_per_day=8)
    busy = async_busy_time(hint, max_instances=4)
    assert busy.instance_hours == pytest.approx(DAYS * (2 * 28_800 + 2 * 1_200) / 3600)
    capped = async_busy_time(hint, max_instances=1)
    assert any("max_instances is 1" in n for n in capped.notes)
    # capped: the single instance works the whole backlog (32,877 s a day) plus 1,200 s.
    assert capped.instance_hours == pytest.approx(DAYS * (100_000 / DAYS * 10 + 1_200) / 3600)


def test_async_min_one_bills_the_floor_all_month():
    # min 1 covers light traffic: 730 h × 0.23 = $167.90 + 8 GB × 0.14 = $169.02 (no data).
    hint = TrafficHint(requests_per_month=300, avg_duration_ms=30_000, payload_kb=0,
                       response_kb=0)
    est = AsyncCost(hint, ctx(), instance_type="ml.m5.xlarge", min_instances=1).estimate()
    assert est.monthly_usd == 169.02


def test_async_data_processed_in_and_out():
    # 1,024 requests × 1,024 KB = 1 GB in, 0 out: + $0.016 on top of the hosting.
    hint = TrafficHint(requests_per_month=1024, payload_kb=1024, response_kb=0,
                       avg_duration_ms=1000)
    est = AsyncCost(hint, ctx(), instance_type="ml.m5.xlarge").estimate()
    lines = {line.item: line for line in est.lines}
    assert lines["Data processed in"].quantity == pytest.approx(1.0)
    assert lines["Data processed in"].monthly_usd == pytest.approx(0.016)


def test_batch_job_hours_times_runs_times_rate():
    # 1,000,000 records × 50 ms = 50,000 s at one instance, one transform; 2 instances × 4
    # concurrent (ml.m5.xlarge has 4 vCPU) → 6,250 s + 300 s start-up = 6,550 s a job.
    # 2 instances × 6,550 s = 3.6389 h a run × 30 runs = 109.17 h × 0.23 = $25.11, + their 8 GB
    # volumes while up: 8 × 109.17 / 730 = 1.196 GB-month × 0.14 = $0.167 → $25.28.
    hint = TrafficHint(records_per_run=1_000_000, runs_per_month=30, avg_duration_ms=50)
    est = BatchCost(hint, ctx(), instance_type="ml.m5.xlarge", instance_count=2,
                    max_concurrent_transforms=4).estimate()
    assert est.kind == "batch"
    assert est.lines[0].quantity == pytest.approx(2 * 6550 * 30 / 3600)
    assert est.monthly_usd == 25.28
    assert any("job duration assumed: 109.2 min" in a for a in est.assumptions)


def test_batch_concurrency_beyond_vcpus_does_not_speed_up():
    # ml.m5.xlarge has 4 vCPU: 16 concurrent transforms count as 4.
    hint = TrafficHint(records_per_run=400_000, runs_per_month=1, avg_duration_ms=10)
    assert batch_job_seconds(hint, instance_count=1, concurrency=4) == 4000 / 4 + 300
    at_16 = BatchCost(hint, ctx(), instance_type="ml.m5.xlarge",
                      max_concurrent_transforms=16).estimate()
    at_4 = BatchCost(hint, ctx(), instance_type="ml.m5.xlarge",
                     max_concurrent_transforms=4).estimate()
    assert at_16.monthly_usd == at_4.monthly_usd


def test_batch_start_up_is_billed_per_job_and_nothing_without_runs():
    # No records: each of 10 runs still bills 300 s start-up: 10 × 300 s = 0.8333 h × 0.23.
    empty = TrafficHint(records_per_run=0, runs_per_month=10)
    est = BatchCost(empty, ctx(), instance_type="ml.m5.xlarge").estimate()
    assert est.lines[0].quantity == pytest.approx(10 * 300 / 3600)
    none = BatchCost(TrafficHint(records_per_run=1000, runs_per_month=0), ctx(),
                     instance_type="ml.m5.xlarge").estimate()
    assert none.monthly_usd == 0.0


def test_batch_uses_the_batch_rate_and_overrides():
    hint = TrafficHint(records_per_run=360_000, runs_per_month=1, avg_duration_ms=10)
    # 3,600 s + 300 s = 1.0833 h × 0.5 $/h (override) = $0.54
    est = BatchCost(hint, ctx({"ml.m5.xlarge": 0.5}), instance_type="ml.m5.xlarge").estimate()
    assert est.monthly_usd == round(3900 / 3600 * 0.5, 2)
