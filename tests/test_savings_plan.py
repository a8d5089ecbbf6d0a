"""Savings plans and negotiated shares (context ``cost:savings-plan``): one place turns the
on-demand lines into what is billed, the estimate shows both figures and names the plan, and
advice compares the discounted figures."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import ConfigurationError, ModelSpec, RealTimeEndpoint, TrafficHint
from constructs_lib.cost.advice import exact_usd
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.batch_transform import BatchCost
from constructs_lib.cost.realtime import RealTimeCost
from constructs_lib.cost.savings_plan import SavingsPlan
from constructs_lib.cost.serverless import ServerlessCost
from constructs_lib.pricing import load_price_book

from .conftest import ARTIFACT, IMAGE, make_stack

BOOK = load_price_book()
IDLE = TrafficHint(payload_kb=0, response_kb=0)
# 1 GB in and 1 GB out a month: $0.032 of data processed, not discounted.
DATA = TrafficHint(requests_per_month=1_048_576, payload_kb=1, response_kb=1)


def ctx(plan: SavingsPlan | None) -> PricingContext:
    return PricingContext(book=BOOK, region="us-east-1", savings_plan=plan)


def test_a_share_off_instance_usage_only():
    # ml.c5.xlarge 730 h × 0.204 = 148.92 on demand, 30% off = 104.244; its 4 GB storage volume
    # (0.56) and data (0.032) stay on demand: the plan covers ML instance usage only.
    estimate = RealTimeCost(DATA, ctx(SavingsPlan(0.3, name="SageMaker SP 1y")),
                            instance_type="ml.c5.xlarge").estimate()
    assert estimate.monthly_usd == round(148.92 * 0.7 + 0.56 + 0.032, 2) == 104.84
    assert estimate.on_demand_monthly_usd == 149.51
    assert estimate.savings_plan == "SageMaker SP 1y"
    discount = estimate.lines[-1]
    assert discount.item == "SageMaker SP 1y (30% off instance usage)"
    assert discount.quantity == pytest.approx(148.92) and discount.unit_usd == -0.3
    assert any(a.startswith("SageMaker SP 1y: 30% off on-demand instance usage")
               for a in estimate.assumptions)
    meta = estimate.to_metadata()
    assert meta["savings_plan"] == "SageMaker SP 1y" and meta["on_demand_monthly_usd"] == 149.51
    assert "Estimated $104.84/month with SageMaker SP 1y (on-demand $149.51/month)" in (
        estimate.summary())


def test_the_commitment_caps_what_the_plan_covers():
    # $0.05/h of plan-rate usage buys 0.05 × 730 / 0.7 = $52.14 of on-demand usage a month:
    # 52.14 × 0.3 = 15.64 off the 148.92 (the 0.56 of storage is not instance usage).
    plan = SavingsPlan(0.3, commitment_usd_per_hour=0.05, name="SP")
    estimate = RealTimeCost(IDLE, ctx(plan), instance_type="ml.c5.xlarge").estimate()
    assert estimate.lines[-1].quantity == pytest.approx(0.05 * 730 / 0.7)
    assert estimate.monthly_usd == round(148.92 + 0.56 - 0.05 * 730 / 0.7 * 0.3, 2) == 133.84
    assert "up to its commitment of $0.05/hour" in estimate.assumptions[-1]
    # A commitment above the usage covers all of it.
    big = SavingsPlan(0.3, commitment_usd_per_hour=10.0, name="SP")
    assert RealTimeCost(IDLE, ctx(big), instance_type="ml.c5.xlarge").estimate(
    ).monthly_usd == round(148.92 * 0.7 + 0.56, 2)


def test_serverless_and_batch_are_billed_as_the_plan_says():
    plan = SavingsPlan(0.5, name="SP")
    serverless = ServerlessCost(DATA, ctx(plan), memory_mb=2048).estimate()
    assert serverless.savings_plan is None and serverless.monthly_usd == ServerlessCost(
        DATA, ctx(None), memory_mb=2048).estimate().monthly_usd
    batch_hint = TrafficHint(records_per_run=3600, runs_per_month=10, avg_duration_ms=1000)
    batch = BatchCost(batch_hint, ctx(plan), instance_type="ml.m5.xlarge").estimate()
    on_demand = BatchCost(batch_hint, ctx(None), instance_type="ml.m5.xlarge").estimate()
    instance = sum(line.monthly_usd for line in on_demand.lines if line.unit == "instance-hour")
    assert batch.monthly_usd == round(exact_usd(on_demand) - 0.5 * instance, 2)


@given(st.floats(0, 0.99), st.none() | st.floats(0, 100), st.floats(0, 1e9))
def test_usd_is_the_estimates_lines_with_the_plan(share, commitment, requests):
    plan = SavingsPlan(share, commitment_usd_per_hour=commitment, name="SP")
    model = RealTimeCost(TrafficHint(requests_per_month=requests), ctx(plan),
                         instance_type="ml.m5.large")
    estimate = model.estimate()
    assert model.usd(model.own_load) == exact_usd(estimate)
    assert estimate.monthly_usd is not None and estimate.on_demand_monthly_usd is not None
    assert estimate.monthly_usd <= estimate.on_demand_monthly_usd


def _endpoint(context: dict) -> tuple[cdk.Stack, RealTimeEndpoint]:  # type: ignore[type-arg]
    stack = make_stack(context)
    return stack, RealTimeEndpoint(stack, "Ep", model=ModelSpec(
        image_uri=IMAGE, model_data_url=ARTIFACT), instance_type="ml.c5.xlarge", traffic=DATA)


def test_the_template_and_the_annotation_show_both_figures():
    stack, _ = _endpoint({"cost:savings-plan": {"share": 0.3, "name": "SageMaker SP 1y"}})
    [res] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    meta = res["Metadata"]["CostEstimate"]
    assert (meta["monthly_usd"], meta["on_demand_monthly_usd"]) == (104.84, 149.51)
    assert meta["savings_plan"] == "SageMaker SP 1y"
    # The serverless alternative is not discounted: advice compares what each would bill.
    [alternative] = [a for a in meta["alternatives"] if a["kind"] == "serverless"]
    assert alternative["monthly_usd"] == _endpoint({})[1].cost_estimate.alternatives[0].monthly_usd
    Annotations.from_stack(stack).has_warning(
        "/Test/Ep", Match.string_like_regexp(
            r"Estimated \$104\.84/month with SageMaker SP 1y \(on-demand \$149\.51/month\)"))


def test_a_share_alone_is_a_plan():
    _, ep = _endpoint({"cost:savings-plan": "0.2"})
    assert ep.cost_estimate.savings_plan == "savings plan"
    assert ep.cost_estimate.monthly_usd == round(148.92 * 0.8 + 0.56 + 0.032, 2)


@pytest.mark.parametrize("value", [1.0, -0.1, {"share": 0.3, "commit": 2},
                                   {"share": 0.3, "commitment_usd_per_hour": -1},
                                   {"commitment_usd_per_hour": 2}, "30%"])
def test_a_bad_savings_plan_fails_before_any_node(value):
    stack = make_stack({"cost:savings-plan": value})
    with pytest.raises(ConfigurationError,
                       match=r"context\['cost:savings-plan'\].*a share off on-demand instance "
                             r"usage in \[0, 1\)"):
        RealTimeEndpoint(stack, "Ep", model=ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT),
                         instance_type="ml.c5.xlarge", traffic=TrafficHint())
    assert not stack.node.children
