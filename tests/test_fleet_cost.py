"""cost/fleet.py: shares by weight, summed hints, fleets priced per variant (hand-checked)."""

import pytest

from constructs_lib import AutoscalingOptions, TrafficHint
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.fleet import (
    FleetCost,
    VariantSpec,
    dedicated_endpoints,
    model_shares,
    traffic_shares,
)
from constructs_lib.pricing.price_book import load_price_book
from constructs_lib.spec.traffic import scale_traffic, sum_traffic

CTX = PricingContext(book=load_price_book(), region="us-east-1")


def test_shares_follow_production_weights_and_shadow_copies():
    shares = traffic_shares([VariantSpec("a", "ml.m5.large", 3),
                             VariantSpec("b", "ml.m5.large", 1)])
    assert shares == {"a": 0.75, "b": 0.25}
    shadow = traffic_shares([VariantSpec("p", "ml.m5.large", 2),
                             VariantSpec("s", "ml.m5.large", 1, shadow=True)])
    assert shadow == {"p": 1.0, "s": 0.5}  # shadow weight / production weight = 1 / 2
    capped = traffic_shares([VariantSpec("p", "ml.m5.large", 1),
                             VariantSpec("s", "ml.m5.large", 3, shadow=True)])
    assert capped["s"] == 1.0
    with pytest.raises(ValueError, match="not all be zero"):
        traffic_shares([VariantSpec("a", "ml.m5.large", 0)])


def test_scale_traffic_scales_requests_and_stated_peak():
    hint = scale_traffic(TrafficHint(requests_per_month=1000, peak_requests_per_second=8), 0.25)
    assert (hint.requests_per_month, hint.peak_requests_per_second) == (250, 2)
    assert scale_traffic(TrafficHint(requests_per_month=1000), 0.5).peak_requests_per_second is None


def test_sum_traffic_adds_requests_and_weights_averages():
    total = sum_traffic({
        "a": TrafficHint(requests_per_month=1_000_000, avg_duration_ms=10, payload_kb=2,
                         busy_hours_per_day=10, peak_requests_per_second=5),
        "b": TrafficHint(requests_per_month=3_000_000, avg_duration_ms=30, payload_kb=6,
                         busy_hours_per_day=20, peak_requests_per_second=7),
    })
    assert total.requests_per_month == 4_000_000
    assert total.avg_duration_ms == 25  # (1M × 10 + 3M × 30) / 4M
    assert total.payload_kb == 5  # (1M × 2 + 3M × 6) / 4M
    assert total.busy_hours_per_day == 20
    # b's average over its busy time: 3M / (20 × 730/24 × 3600) = 1.37 req/s < its stated 7
    assert total.peak_requests_per_second == 12  # peaks coincide: 5 + 7


def test_model_shares_by_compute_time_or_equal():
    assert model_shares({"a": TrafficHint(requests_per_month=100, avg_duration_ms=30),
                         "b": TrafficHint(requests_per_month=300, avg_duration_ms=10)}) == {
        "a": 0.5, "b": 0.5}
    assert model_shares({"a": TrafficHint(), "b": TrafficHint()}) == {"a": 0.5, "b": 0.5}


def test_fleet_lines_per_variant_hand_checked():
    traffic = TrafficHint(requests_per_month=1_048_576, payload_kb=1, response_kb=0)
    est = FleetCost([VariantSpec("a", "ml.m5.large", 3, instance_count=1),
                     VariantSpec("b", "ml.m5.xlarge", 1, instance_count=2)],
                    traffic, CTX).estimate()
    by = {(line.variant, line.item): line for line in est.lines}
    assert by[("a", "ml.m5.large hosting")].monthly_usd == pytest.approx(83.95)  # 730 × 0.115
    assert by[("b", "ml.m5.xlarge hosting")].monthly_usd == pytest.approx(335.8)  # 2 × 730 × 0.23
    # 1 GB in a month (1,048,576 × 1 KB): a gets 0.75 GB, b 0.25 GB, at 0.016 $/GB
    assert by[("a", "Data processed in")].monthly_usd == pytest.approx(0.012)
    assert by[("b", "Data processed in")].monthly_usd == pytest.approx(0.004)
    # storage: a 4 GB × 0.14 = 0.56; b 2 × 8 GB × 0.14 = 2.24
    assert by[("b", "ml.m5.xlarge ML storage (8 GB per instance)")].quantity == 16
    assert est.monthly_usd == round(83.95 + 335.8 + 0.016 + 0.56 + 2.24, 2)
    assert "variant a (weight 3: 75% of requests) $84.52/month" in est.assumptions


def test_dedicated_endpoints_one_instance_each_at_least():
    models = {n: TrafficHint(requests_per_month=10_000, payload_kb=0, response_kb=0)
              for n in ("a", "b", "c")}
    alt = dedicated_endpoints(models, instance_type="ml.c5.xlarge", ctx=CTX,
                              autoscaling=AutoscalingOptions(min_instances=2, max_instances=4))
    # min 1 each, not 2: 3 × (730 × 0.204 + 4 GB × 0.14) = 3 × 149.48
    assert alt.monthly_usd == pytest.approx(3 * 149.48)
    assert alt.note.startswith("3 dedicated RealTimeEndpoints on ml.c5.xlarge")
