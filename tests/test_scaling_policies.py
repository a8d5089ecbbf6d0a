"""Scaling helpers (issue 18): invocations from a requests-per-second capacity and a safety
factor (aws-sagemaker-alpha's ``scaleOnInvocations``), CPU/GPU utilization and high-resolution
concurrency target tracking; SageMaker's rule against scaling burstable instances; and each
policy reflected in the estimate's sizing (hand-checked figures)."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from constructs_lib import (
    AsyncEndpoint,
    AutoscalingOptions,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .conftest import IMAGE

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
# 40 req/s all day, 200 ms each: 8 requests in flight (Little's law).
STEADY = TrafficHint(requests_per_month=40 * 3600 * 730, avg_duration_ms=200, payload_kb=0,
                     response_kb=0, peak_requests_per_second=40, busy_hours_per_day=24)
C5_XLARGE = 0.204  # USD per hour, us-east-1 (the price book)


def endpoint(stack, autoscaling, instance_type="ml.c5.xlarge", **more):
    return RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type=instance_type,
                            traffic=STEADY, autoscaling=autoscaling, **more)


def policies(stack) -> dict[str, dict]:
    found = Template.from_stack(stack).find_resources("AWS::ApplicationAutoScaling::ScalingPolicy")
    return {p["Properties"]["PolicyName"]:
            p["Properties"]["TargetTrackingScalingPolicyConfiguration"] for p in found.values()}


def hosting_hours(ep) -> float:
    [line] = [x for x in ep.cost_estimate.lines if x.item.endswith("hosting")]
    return line.quantity


# --- requests per second with a safety factor ---------------------------------------------------

def test_requests_per_second_sets_the_invocations_target_as_alpha_computes_it(stack):
    ep = endpoint(stack, {"max_instances": 10, "requests_per_second": {
        "max_requests_per_second": 10, "safety_factor": 0.5}})
    # 0.5 × 10 req/s × 60 = 300 invocations per instance per minute.
    assert policies(stack) == {"invocations-per-instance": {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "ScaleInCooldown": 300, "ScaleOutCooldown": 60, "TargetValue": 300}}
    # The peak's 40 req/s × 60 ÷ 300 = 8 instances (the 8 in flight need only 2).
    cap = ep.cost_estimate.capacity
    assert (cap["policy_instances"], cap["instances_while_busy"]) == (8, 8)
    assert hosting_hours(ep) == pytest.approx(8 * 730)
    assert "0.5 × 10 req/s × 60" in cap["scaling_policy"]


def test_the_default_safety_factor_is_one_half():
    assert AutoscalingOptions(requests_per_second={"max_requests_per_second": 4}
                              ).invocations_per_minute == 120


@pytest.mark.parametrize("factor", [0, -0.1, 1.01])
def test_a_safety_factor_outside_zero_to_one_is_refused(stack, factor):
    with pytest.raises(ConfigurationError, match=r"at 'Test/Ep'[\s\S]*autoscaling\."
                       r"requests_per_second\.safety_factor="):
        endpoint(stack, {"requests_per_second": {"max_requests_per_second": 5,
                                                 "safety_factor": factor}})


def test_requests_per_second_and_an_explicit_target_are_refused_together(stack):
    with pytest.raises(ConfigurationError, match=r"autoscaling\.requests_per_second=5.0: gives "
                       r"the invocations target itself"):
        endpoint(stack, {"target_invocations_per_instance": 100,
                         "requests_per_second": {"max_requests_per_second": 5}})


# --- utilization -------------------------------------------------------------------------------

def test_cpu_utilization_tracks_a_customized_metric_scaled_by_the_vcpus(stack):
    ep = endpoint(stack, {"max_instances": 6, "target_invocations_per_instance": None,
                          "utilization": {"target_percent": 50}})
    # CloudWatch sums CPUUtilization over ml.c5.xlarge's 4 vCPUs: 50% each is 200.
    config = policies(stack)["cpu-utilization"]
    assert config["TargetValue"] == 200
    assert config["ScaleInCooldown"] == 300 and config["ScaleOutCooldown"] == 60
    spec = config["CustomizedMetricSpecification"]
    assert (spec["MetricName"], spec["Namespace"], spec["Statistic"], spec["Unit"]) == (
        "CPUUtilization", "/aws/sagemaker/Endpoints", "Average", "Percent")
    endpoint_dimension, variant_dimension = spec["Dimensions"]
    assert endpoint_dimension["Value"]["Fn::GetAtt"][1] == "EndpointName"
    assert variant_dimension == {"Name": "VariantName", "Value": "AllTraffic"}
    # Sizing: 8 in flight ÷ (4 at once × 50%) = 4 instances; the assumption is stated.
    assert ep.cost_estimate.capacity["policy_instances"] == 4
    assert hosting_hours(ep) == pytest.approx(4 * 730)
    # 2,920 instance-hours × $0.204 + 4 × 4 GB ML storage × $0.14 per GB-month.
    assert ep.cost_estimate.monthly_usd == round(4 * 730 * C5_XLARGE + 4 * 4 * 0.14, 2)
    assert any("utilization assumed proportional to requests in flight: 100% at 4 at once"
               in a for a in ep.cost_estimate.assumptions)


def test_gpu_utilization_on_a_gpu_type(stack):
    endpoint(stack, {"utilization": {"metric": "GPUUtilization", "target_percent": 60}},
             instance_type="ml.g5.12xlarge")  # 4 GPUs
    config = policies(stack)["gpu-utilization"]
    assert config["TargetValue"] == 240
    assert config["CustomizedMetricSpecification"]["MetricName"] == "GPUUtilization"
    assert "invocations-per-instance" in policies(stack)  # the default policy stays


def test_gpu_utilization_on_a_cpu_type_is_refused(stack):
    with pytest.raises(ConfigurationError, match=r"autoscaling\.utilization\.metric="
                       r"'GPUUtilization': ml\.c5\.xlarge has no GPU"):
        endpoint(stack, {"utilization": {"metric": "GPUUtilization", "target_percent": 60}})


def test_utilization_on_a_type_without_instance_data_is_refused():
    from .conftest import make_stack

    stack = make_stack({"cost:hourly-overrides": {"ml.r7i.large": 0.2}})
    with pytest.raises(ConfigurationError, match=r"ml\.r7i\.large is not in the instance data"):
        endpoint(stack, {"utilization": {"target_percent": 60}}, instance_type="ml.r7i.large")


@pytest.mark.parametrize("percent", [0, 100.5])
def test_a_utilization_target_outside_zero_to_a_hundred_is_refused(stack, percent):
    with pytest.raises(ConfigurationError,
                       match=r"autoscaling\.utilization\.target_percent="):
        endpoint(stack, {"utilization": {"target_percent": percent}})


# --- concurrency -------------------------------------------------------------------------------

def test_concurrency_tracks_the_high_resolution_predefined_metric(stack):
    ep = endpoint(stack, {"max_instances": 6, "target_invocations_per_instance": None,
                          "concurrency": {"target_concurrent_requests": 2}})
    assert policies(stack) == {"concurrent-requests-per-model": {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantConcurrentRequestsPerModelHighResolution"},
        "ScaleInCooldown": 300, "ScaleOutCooldown": 60, "TargetValue": 2}}
    # Little's law: 40 req/s × 0.2 s = 8 in flight ÷ 2 per instance = 4 instances.
    assert ep.cost_estimate.capacity["policy_instances"] == 4
    assert hosting_hours(ep) == pytest.approx(4 * 730)
    assert ep.cost_estimate.warnings == ()


def test_a_concurrency_target_above_what_an_instance_serves_is_a_priced_shortfall(stack):
    ep = endpoint(stack, {"max_instances": 6, "target_invocations_per_instance": None,
                          "concurrency": {"target_concurrent_requests": 8}})
    # 8 in flight ÷ 8 = 1 instance held, but 4 concurrent per instance need 2: priced at 2.
    assert ep.cost_estimate.capacity["policy_instances"] == 1
    assert hosting_hours(ep) == pytest.approx(2 * 730)
    [warning] = ep.cost_estimate.warnings
    assert "holds only 1 instance(s)" in warning
    assert "set concurrency.target_concurrent_requests <= 4" in warning


def test_several_policies_hold_the_largest_count(stack):
    ep = endpoint(stack, {"max_instances": 10, "target_invocations_per_instance": 600,
                          "utilization": {"target_percent": 50},
                          "concurrency": {"target_concurrent_requests": 1}})
    assert set(policies(stack)) == {"invocations-per-instance", "cpu-utilization",
                                    "concurrent-requests-per-model"}
    # invocations: 40 × 60 ÷ 600 = 4; utilization: 4; concurrency: 8 ÷ 1 = 8.
    assert ep.cost_estimate.capacity["policy_instances"] == 8
    assert " and " in ep.cost_estimate.capacity["scaling_policy"]


def test_no_policy_left_is_refused(stack):
    with pytest.raises(ConfigurationError, match=r"autoscaling\.target_invocations_per_instance"
                       r"=None: no scaling policy left"):
        endpoint(stack, {"target_invocations_per_instance": None})


def test_a_variants_own_scaling_gets_the_same_policies(stack):
    ep = endpoint(stack, None)
    variant = ep.add_variant("Gpu", instance_type="ml.g5.xlarge", weight=0.5, autoscaling={
        "max_instances": 3, "concurrency": {"target_concurrent_requests": 3}})
    assert [p.policy_name for p in variant.scaling_policies] == [
        "invocations-per-instance", "concurrent-requests-per-model"]
    assert variant.scaling_policy is variant.scaling_policies[0]


# --- burstable instances -----------------------------------------------------------------------

def test_autoscaling_on_a_burstable_type_is_refused(stack):
    with pytest.raises(ConfigurationError, match=r"RealTimeEndpoint at 'Test/Ep'[\s\S]*"
                       r"autoscaling='1-2 instances': refused for ml\.t2\.medium: SageMaker does "
                       r"not scale burstable instances"):
        endpoint(stack, {"max_instances": 2}, instance_type="ml.t2.medium")
    assert stack.node.try_find_child("Ep") is None


def test_a_burstable_type_without_autoscaling_is_fine(stack):
    endpoint(stack, None, instance_type="ml.t2.medium", instance_count=2)
    Template.from_stack(stack).resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


def test_a_burstable_variant_with_autoscaling_is_refused(stack):
    ep = endpoint(stack, None)
    with pytest.raises(ConfigurationError, match=r"Variant at 'Test/Ep/Small'[\s\S]*autoscaling="
                       r"'1-2 instances': refused for ml\.t2\.medium"):
        ep.add_variant("Small", instance_type="ml.t2.medium", autoscaling={"max_instances": 2})


def test_a_burstable_multimodel_fleet_with_autoscaling_is_refused(stack):
    with pytest.raises(ConfigurationError, match=r"MultiModelEndpoint[\s\S]*refused for "
                       r"ml\.t2\.medium"):
        MultiModelEndpoint(stack, "Mm", image_uri=IMAGE, models_s3_prefix="s3://models-bucket/m/",
                           instance_type="ml.t2.medium", traffic=STEADY,
                           autoscaling={"max_instances": 2})


def test_an_async_endpoint_always_scales_so_a_burstable_type_is_refused(stack):
    with pytest.raises(ConfigurationError, match=r"AsyncEndpoint at 'Test/As'[\s\S]*"
                       r"instance_type='ml\.t2\.medium': refused: an asynchronous endpoint "
                       r"always scales"):
        AsyncEndpoint(stack, "As", model=MODEL, instance_type="ml.t2.medium",
                      traffic=TrafficHint(requests_per_month=1000))


def test_advice_never_offers_scaling_a_burstable_type(stack):
    ep = ServerlessEndpoint(stack, "Sl", model=MODEL, traffic=TrafficHint(
        requests_per_month=10_000, max_latency_ms=600_000))
    # The serverless endpoint's alternatives run on ml.m5.large (the baseline): scaled.
    assert any("autoscaling 1-4" in a.note for a in ep.cost_estimate.alternatives)
    rt = endpoint(stack, None, instance_type="ml.t2.medium")
    notes = [a.note for a in rt.cost_estimate.alternatives]
    assert not any(a.kind == "async" for a in rt.cost_estimate.alternatives), notes


def test_the_real_time_alternative_on_a_burstable_host_is_a_fixed_fleet():
    from constructs_lib.cost.base import PricingContext
    from constructs_lib.cost.realtime import REALTIME_OPTION
    from constructs_lib.cost.workload import Workload
    from constructs_lib.pricing.price_book import load_price_book

    work = Workload(TrafficHint(requests_per_month=10_000), "ml.t2.medium")
    # ml.t2.medium has no price in the packaged book: the lenient view prices it NaN (unpriced)
    model = REALTIME_OPTION.model(work, PricingContext(load_price_book().lenient_view(),
                                                       "us-east-1"))
    assert model.autoscaling is None and model.instance_count == 1
    assert "1 instance always on (SageMaker does not autoscale burstable" in (
        REALTIME_OPTION.note(work))
    scaled = Workload(TrafficHint(requests_per_month=10_000), "ml.m5.large")
    assert "autoscaling 1-4" in REALTIME_OPTION.note(scaled)
