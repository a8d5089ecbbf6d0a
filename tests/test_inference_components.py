"""InferenceComponentEndpoint: models as inference components on one fleet that scales to zero;
the template per behaviour, the estimate with hand-checked figures, and the alternative advice
offers a real-time endpoint."""

from __future__ import annotations

import itertools

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    ConfigurationError,
    InferenceComponentEndpoint,
    InferenceComponentOptions,
    ModelSpec,
    RealTimeEndpoint,
    TrafficHint,
)
from constructs_lib.cost.advice import infeasible_kinds
from constructs_lib.cost.base import Load, PricingContext
from constructs_lib.cost.inference_components import (
    IC_OPTION,
    ComponentSpec,
    InferenceComponentsCost,
)
from constructs_lib.cost.workload import Workload
from constructs_lib.pricing.price_book import load_price_book
from constructs_lib.spec.inference_components import CopyDemand

from .conftest import has_note, make_stack

LMI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"
G5_12XL = 7.09  # USD per hour, us-east-1, the packaged price book
DAYS = 730 / 24


def llm(name: str) -> ModelSpec:
    return ModelSpec(image_uri=LMI, model_data_url=f"s3://llm-weights/{name}/")


def chat(**overrides: object) -> InferenceComponentOptions:
    """2 of 4 GPUs, busy 10 h/day at peak 1.5 req/s × 2.5 s = 3.75 concurrent: one copy at 4."""
    props: dict[str, object] = dict(
        model=llm("chat"), accelerators=2, memory_mb=48 * 1024, cpu_cores=8, max_copies=2,
        target_concurrent_requests_per_copy=4,
        traffic=TrafficHint(requests_per_month=150_000, avg_duration_ms=2_500, payload_kb=0,
                            response_kb=0, peak_requests_per_second=1.5,
                            busy_hours_per_day=10))
    props.update(overrides)
    return InferenceComponentOptions(**props)  # type: ignore[arg-type]


def summarise(**overrides: object) -> InferenceComponentOptions:
    """2 of 4 GPUs, busy 8 h/day at peak 0.5 req/s × 6 s = 3 concurrent: one copy at 4."""
    props: dict[str, object] = dict(
        model=llm("summarise"), accelerators=2, memory_mb=32 * 1024, cpu_cores=8, max_copies=2,
        target_concurrent_requests_per_copy=4,
        traffic=TrafficHint(requests_per_month=30_000, avg_duration_ms=6_000, payload_kb=0,
                            response_kb=0, peak_requests_per_second=0.5, busy_hours_per_day=8))
    props.update(overrides)
    return InferenceComponentOptions(**props)  # type: ignore[arg-type]


def fleet(stack: cdk.Stack, **overrides: object) -> InferenceComponentEndpoint:
    props: dict[str, object] = dict(instance_type="ml.g5.12xlarge", max_instances=2,
                                    components={"chat": chat(), "summarise": summarise()})
    props.update(overrides)
    return InferenceComponentEndpoint(stack, "Fleet", **props)


def resources(stack: cdk.Stack, kind: str) -> dict[str, dict]:
    return Template.from_stack(stack).find_resources(kind)


def logical_id(stack: cdk.Stack, construct: object) -> str:
    return stack.get_logical_id(construct)  # type: ignore[arg-type]


# --- the template --------------------------------------------------------------------------


def test_endpoint_config_has_an_execution_role_and_a_managed_variant_without_a_model(stack):
    ep = fleet(stack)
    [config] = resources(stack, "AWS::SageMaker::EndpointConfig").values()
    props = config["Properties"]
    assert props["ExecutionRoleArn"] == {"Fn::GetAtt": [logical_id(stack, ep._role.role), "Arn"]}
    assert props["ProductionVariants"] == [{
        "VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge",
        "InitialInstanceCount": 1,  # created with an instance; scaling takes it to zero
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0,
                                   "MaxInstanceCount": 2}}]
    [endpoint] = resources(stack, "AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["EndpointConfigName"] == {
        "Fn::GetAtt": [logical_id(stack, ep.endpoint_config), "EndpointConfigName"]}


def test_a_floor_of_instances_starts_with_them(stack):
    fleet(stack, min_instances=2, max_instances=3)
    [config] = resources(stack, "AWS::SageMaker::EndpointConfig").values()
    [variant] = config["Properties"]["ProductionVariants"]
    assert variant["InitialInstanceCount"] == 2
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 2,
                                                 "MaxInstanceCount": 3}


def test_one_model_and_one_inference_component_per_component(stack):
    ep = fleet(stack, components={
        "chat": chat(min_copies=1, model_data_download_timeout_s=1200,
                     container_startup_health_check_timeout_s=900),
        "embed": InferenceComponentOptions(model=llm("embed"), memory_mb=2048,
                                           traffic=TrafficHint())})
    assert len(resources(stack, "AWS::SageMaker::Model")) == 2
    components = resources(stack, "AWS::SageMaker::InferenceComponent")
    chat_c, embed_c = ep.components
    props = components[logical_id(stack, chat_c.resource)]["Properties"]
    assert props["EndpointName"] == {"Fn::GetAtt": [logical_id(stack, ep.endpoint),
                                                    "EndpointName"]}
    assert props["VariantName"] == "AllTraffic"
    assert props["InferenceComponentName"] == chat_c.inference_component_name
    assert props["InferenceComponentName"].startswith("Test-Fleet-chat-")
    assert props["Specification"] == {
        "ModelName": {"Fn::GetAtt": [logical_id(stack, chat_c.model), "ModelName"]},
        "ComputeResourceRequirements": {"NumberOfAcceleratorDevicesRequired": 2,
                                        "NumberOfCpuCoresRequired": 8,
                                        "MinMemoryRequiredInMb": 49152},
        "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200,
                              "ContainerStartupHealthCheckTimeoutInSeconds": 900}}
    assert props["RuntimeConfig"] == {"CopyCount": 1}
    # A CPU-only model reserves no accelerator; created with one copy although min_copies is 0.
    embed = components[logical_id(stack, embed_c.resource)]["Properties"]
    assert embed["Specification"]["ComputeResourceRequirements"] == {
        "MinMemoryRequiredInMb": 2048}
    assert embed["RuntimeConfig"] == {"CopyCount": 1}
    assert "StartupParameters" not in embed["Specification"]


def test_copy_count_at_creation_is_the_minimum_when_above_one(stack):
    ep = fleet(stack, components={"chat": chat(min_copies=2, max_copies=2)})
    [props] = [r["Properties"] for r in resources(
        stack, "AWS::SageMaker::InferenceComponent").values()]
    assert props["RuntimeConfig"] == {"CopyCount": 2}
    assert ep.components[0].props.initial_copies == 2


def _name_of(stack: cdk.Stack, component: object) -> dict:
    arn = {"Fn::GetAtt": [logical_id(stack, component.resource),  # type: ignore[attr-defined]
                          "InferenceComponentArn"]}
    return {"Fn::Select": [1, {"Fn::Split": ["/", arn]}]}


def test_each_component_scales_its_copies_on_concurrent_requests(stack):
    ep = fleet(stack, components={"chat": chat(min_copies=1, max_copies=3)})
    [component] = ep.components
    [target] = resources(stack, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert target["Properties"] == {
        "ServiceNamespace": "sagemaker",
        "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
        "ResourceId": {"Fn::Join": ["", ["inference-component/", _name_of(stack, component)]]},
        "MinCapacity": 1, "MaxCapacity": 3}
    [policy] = resources(stack, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    config = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert config["PredefinedMetricSpecification"] == {
        "PredefinedMetricType":
            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"}
    assert config["TargetValue"] == 4
    assert policy["Properties"]["ScalingTargetId"] == {"Ref": logical_id(stack, target_of(ep))}
    # min_copies 1: never at zero, so no wake-up policy and no alarm.
    assert resources(stack, "AWS::CloudWatch::Alarm") == {}
    assert component.wake_up_alarm is None


def target_of(ep: InferenceComponentEndpoint) -> object:
    return ep.components[0].scalable_target


def test_at_zero_copies_a_failed_request_wakes_the_component(stack):
    ep = fleet(stack, components={"chat": chat()})
    [component] = ep.components
    [alarm] = resources(stack, "AWS::CloudWatch::Alarm").values()
    step = logical_id(stack, component.scaling.wake_up_policy)
    assert {k: v for k, v in alarm["Properties"].items() if k != "AlarmDescription"} == {
        "MetricName": "NoCapacityInvocationFailures", "Namespace": "AWS/SageMaker",
        "Dimensions": [{"Name": "InferenceComponentName",
                        "Value": _name_of(stack, component)}],
        "Statistic": "Maximum", "Period": 30, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
        "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching", "AlarmActions": [{"Ref": step}]}
    policies = resources(stack, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policies[step]["Properties"]["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Maximum",
        "Cooldown": 300,
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}
    [target] = resources(stack, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert target["Properties"]["MinCapacity"] == 0


def test_each_model_runs_as_its_own_role_and_the_endpoint_role_covers_every_model(stack):
    ep = fleet(stack)
    policies = resources(stack, "AWS::IAM::ManagedPolicy")

    def statements(role: object) -> dict[str, dict]:
        [policy] = [p for lid, p in policies.items()
                    if lid == logical_id(stack, role.policy)]  # type: ignore[attr-defined]
        return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}

    def artifact(name: str) -> dict:
        return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                  f":s3:::llm-weights/{name}/*"]]}

    chat_c, summarise_c = ep.components
    assert statements(chat_c._execution_role)["ReadModelArtifact"]["Resource"] == artifact("chat")
    assert statements(summarise_c._execution_role)["ReadModelArtifact"]["Resource"] == \
        artifact("summarise")
    endpoint = statements(ep._role)  # Sids stay unique: the second model's are suffixed
    assert endpoint["ReadModelArtifact"]["Resource"] == artifact("chat")
    assert endpoint["ReadModelArtifactSummarise"]["Resource"] == artifact("summarise")
    assert "EcrLogin" in endpoint and "EcrLoginSummarise" not in endpoint  # the same once
    [model] = [m for lid, m in resources(stack, "AWS::SageMaker::Model").items()
               if lid == logical_id(stack, chat_c.model)]
    assert model["Properties"]["ExecutionRoleArn"] == {
        "Fn::GetAtt": [logical_id(stack, chat_c._execution_role.role), "Arn"]}


def test_components_prop_and_add_component_build_the_same_template():
    a, b = make_stack(), make_stack()
    fleet(a)
    ep = fleet(b, components={"chat": chat()})
    added = ep.add_component("summarise", **dict(summarise()))
    assert added.name == "summarise" and ep.components[1] is added
    assert Template.from_stack(a).to_json() == Template.from_stack(b).to_json()


def test_an_endpoint_without_components_fails_synth_naming_the_fix(stack):
    InferenceComponentEndpoint(stack, "Fleet", instance_type="ml.g5.12xlarge")
    [error] = Annotations.from_stack(stack).find_error("/Test/Fleet", Match.any_value())
    assert "hosts at least one model" in error.entry.data
    assert "add_component" in error.entry.data


def test_escape_hatches_are_typed_l1(stack):
    ep = fleet(stack)
    assert isinstance(ep.node.default_child, sagemaker.CfnEndpoint)
    assert isinstance(ep.components[0].resource, sagemaker.CfnInferenceComponent)
    assert isinstance(ep.components[0].model, sagemaker.CfnModel)
    with pytest.raises(AttributeError, match="one model per component"):
        _ = ep.model
    ep.components[0].resource.add_property_override("RuntimeConfig.CopyCount", 2)
    assert [r["Properties"]["RuntimeConfig"]["CopyCount"] for r in resources(
        stack, "AWS::SageMaker::InferenceComponent").values()] == [2, 1]


# --- the estimate: hand-checked figures ----------------------------------------------------


def test_two_models_share_one_instance_and_it_sleeps_at_night(stack):
    ep = fleet(stack)
    est = ep.cost_estimate
    assert est.kind == "inference_components"
    # 8 h both copies on one instance, 2 h chat alone on it, 14 h no copy and no instance;
    # one start a day (300 s warm-up) and one release (900 s scale-in + 600 s until stopped):
    # 10 h + 1,800 s = 37,800 s a day × 730/24 days = 319.375 h.
    assert sum(line.quantity for line in est.lines if line.unit == "instance-hour") == \
        pytest.approx(37_800 * DAYS / 3600)
    assert est.monthly_usd == round(37_800 * DAYS / 3600 * G5_12XL, 2)  # $2,264.37
    # Shares by dominant share (both copies take 2 of 4 GPUs: half each while together):
    # chat 4 h + 2 h + 150 s + 1,500 s a day, summarise 4 h + 150 s.
    chat_line, summarise_line = [line for line in est.lines if line.unit == "instance-hour"]
    assert (chat_line.component, summarise_line.component) == ("chat", "summarise")
    assert chat_line.quantity == pytest.approx((6 * 3600 + 1650) * DAYS / 3600)
    assert summarise_line.quantity == pytest.approx((4 * 3600 + 150) * DAYS / 3600)
    assert "14 h/day: 0 instance(s) (no copies)" in est.assumptions


def test_always_on_is_quoted_and_far_above_scaled_to_zero(stack):
    ep = fleet(stack)
    est = ep.cost_estimate
    assert ep.always_on_usd == round(730 * G5_12XL, 2)  # one instance holds both copies
    assert ep.always_on_usd > 2 * est.monthly_usd
    saving = ep.always_on_usd - est.monthly_usd
    has_note(stack, "/Test/Fleet", (
        rf"Scale to zero: \${est.monthly_usd:,.2f}/month scaled to zero; always on it would "
        rf"cost \$5,175\.70/month: saves \${saving:,.2f}/month \(56%\)"))


def test_each_component_has_its_share_and_its_own_annotation(stack):
    ep = fleet(stack)
    shares = [c.cost_estimate.monthly_usd for c in ep.components]
    assert sum(shares) == pytest.approx(ep.cost_estimate.monthly_usd, abs=0.02)
    has_note(stack, "/Test/Fleet/chat", (
        rf"Inference component chat: \${shares[0]:,.2f}/month .*counted in the endpoint"))
    meta = resources(stack, "AWS::SageMaker::Endpoint")
    [endpoint] = meta.values()
    lines = endpoint["Metadata"]["CostEstimate"]["lines"]
    assert {line["component"] for line in lines} == {"chat", "summarise"}
    assert set(endpoint["Metadata"]["CostEstimate"]["traffic"]["components"]) == {
        "chat", "summarise"}


def test_copies_that_cannot_share_an_instance_need_two(stack):
    three = dict(accelerators=3, memory_mb=16_384, cpu_cores=None)
    ep = fleet(stack, components={"chat": chat(**three),
                                  "summarise": summarise(**three)})
    # 3 + 3 GPUs do not fit 4: two instances for 8 h, one for the next 2 h.
    seconds = (8 * 2 + 2) * 3600 + 2 * 300 + 2 * 1500  # two starts, two releases a day
    assert sum(line.quantity for line in ep.cost_estimate.lines
               if line.unit == "instance-hour") == pytest.approx(seconds * DAYS / 3600)


def test_busy_copies_follow_peak_concurrency_within_max_copies(stack):
    # peak 4 req/s × 2.5 s = 10 concurrent at 4 per copy: 3 copies, capped at max_copies 2.
    traffic = TrafficHint(requests_per_month=150_000, avg_duration_ms=2_500,
                          peak_requests_per_second=4, busy_hours_per_day=10, payload_kb=0,
                          response_kb=0)
    capped = fleet(stack, components={"chat": chat(traffic=traffic, max_copies=2,
                                                   accelerators=4)})
    assert any("10.00 (4 per copy): 2 copies (min 0, max 2)" in a
               for a in capped.cost_estimate.assumptions)
    # two 4-GPU copies need two instances for the 10 busy hours
    assert capped.cost_estimate.lines[0].quantity == pytest.approx(
        (2 * 10 * 3600 + 2 * 300 + 2 * 1500) * DAYS / 3600)


def test_sparse_requests_wake_a_copy_each(stack):
    sparse = TrafficHint(requests_per_month=100, avg_duration_ms=2_000, busy_hours_per_day=10,
                         payload_kb=0, response_kb=0)
    ep = fleet(stack, components={"chat": chat(traffic=sparse)})
    # 100 requests, each: 300 s warm-up + 2 s + 1,500 s idle tail on an instance of its own
    assert ep.cost_estimate.monthly_usd == round(100 * 1802 / 3600 * G5_12XL, 2)
    assert any("each wakes a copy" in a for a in ep.cost_estimate.assumptions)


def test_a_floor_instance_with_room_absorbs_sparse_wake_ups(stack):
    sparse = TrafficHint(requests_per_month=100, avg_duration_ms=2_000, payload_kb=0,
                         response_kb=0)
    ep = fleet(stack, min_instances=1, components={"chat": chat(traffic=sparse)})
    assert ep.cost_estimate.monthly_usd == round(730 * G5_12XL, 2)  # the floor, nothing more
    # Holding a copy too costs no more: the instance runs all month either way.
    assert ep.always_on_usd == ep.cost_estimate.monthly_usd


def test_dedicated_endpoints_run_on_the_cheapest_type_that_fits_each_model(stack):
    small = dict(accelerators=1, memory_mb=12 * 1024, cpu_cores=2, max_copies=1)
    ep = fleet(stack, components={"chat": chat(**small), "summarise": summarise(**small)})
    dedicated = next(a for a in ep.cost_estimate.alternatives if a.kind == "realtime")
    # one ml.g5.xlarge (1 A10G, 16 GiB, $1.4084/h) each, always on: no autoscaling above 1
    assert dedicated.note.startswith("2 dedicated RealTimeEndpoints, one per model (chat on "
                                     "ml.g5.xlarge, summarise on ml.g5.xlarge)")
    assert dedicated.monthly_usd == pytest.approx(2 * round(730 * 1.4084, 2))


def test_async_per_model_is_offered_when_callers_can_collect_results_later(stack):
    later = dict(max_latency_ms=3_600_000, payload_kb=0, response_kb=0,
                 busy_hours_per_day=10, requests_per_month=3_000, avg_duration_ms=2_000)
    ep = fleet(stack, components={"chat": chat(traffic=TrafficHint(**later))})
    kinds = [a.kind for a in ep.cost_estimate.alternatives]
    assert kinds == ["inference_components", "realtime", "async"]  # serverless has no GPU
    async_alt = ep.cost_estimate.alternatives[2]
    assert async_alt.note.startswith("one endpoint per model (chat: AsyncEndpoint on ")


def test_no_storage_line_on_a_local_nvme_fleet_and_the_estimate_says_why(stack):
    est = fleet(stack).cost_estimate  # ml.g5.12xlarge: local NVMe instance storage
    assert {line.unit for line in est.lines} == {"instance-hour", "GB"}
    assert any("local NVMe instance storage" in a and "no storage billed" in a
               for a in est.assumptions)


def test_an_ebs_backed_fleet_bills_its_volumes_while_its_instances_run():
    # ml.m5.xlarge: SageMaker's default 8 GB volume per instance, billed with the instances
    # (GB-months = 8 × instance-hours ÷ 730), per component as the instance-hours are.
    ctx = PricingContext(load_price_book(), "us-east-1")
    cpu = ComponentSpec("cpu", TrafficHint(requests_per_month=10_000, payload_kb=0,
                                           response_kb=0), CopyDemand(0, 2048, 1.0), 1, 1, 5)
    model = InferenceComponentsCost(TrafficHint(), ctx, instance_type="ml.m5.xlarge",
                                    min_instances=1, components=[cpu])
    lines = model.lines(model.own_load)
    hours = next(line for line in lines if line.unit == "instance-hour")
    storage = next(line for line in lines if line.unit == "GB-month")
    assert storage.quantity == pytest.approx(8 * hours.quantity / 730)
    assert storage.unit_usd == 0.14 and storage.component == "cpu"
    assert any("8 GB ML storage volume per instance" in a for a in model.notes(model.own_load))


# --- the alternative advice offers a real-time endpoint ------------------------------------

BURSTY = dict(requests_per_month=6_000, avg_duration_ms=3_000, busy_hours_per_day=3,
              payload_kb=2, response_kb=4)


def test_a_bursty_gpu_endpoint_whose_caller_retries_gets_scale_to_zero_with_its_saving(stack):
    rt = RealTimeEndpoint(stack, "Rt", model=llm("chat"), instance_type="ml.g5.2xlarge",
                          traffic=TrafficHint(**BURSTY, max_latency_ms=15 * 60_000))
    est = rt.cost_estimate
    [alt] = [a for a in est.alternatives if a.kind == "inference_components"]
    assert alt.note.startswith("real-time, scaled to zero with inference components")
    # one copy taking the whole instance, 3 h/day + 300 s + 1,500 s: 3.5 h/day
    hours = 3.5 * DAYS
    assert alt.monthly_usd == pytest.approx(hours * 1.515, abs=0.02)
    assert est.monthly_usd - alt.monthly_usd > 0.8 * est.monthly_usd  # its saving


@pytest.mark.parametrize(("max_latency_ms", "reason"), [
    (None, "caller waits on the request"),
    (5 * 60_000, "less than a start from zero"),
])
def test_not_offered_to_a_caller_that_cannot_wait_out_a_start_from_zero(max_latency_ms, reason):
    w = Workload(TrafficHint(**BURSTY, max_latency_ms=max_latency_ms), "ml.g5.2xlarge")
    assert any(reason in r for r in infeasible_kinds(w)["inference_components"])


def test_not_offered_on_burstable_instances():
    w = Workload(TrafficHint(**BURSTY, max_latency_ms=3_600_000), "ml.t2.medium")
    assert any("burstable" in r for r in infeasible_kinds(w)["inference_components"])


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"components": {"chat": chat(accelerators=8)}}, "components.chat.accelerators",
     "must be <= 4, the accelerator devices of one ml.g5.12xlarge"),
    ({"components": {"chat": chat(memory_mb=300_000)}}, "components.chat.memory_mb",
     "must be <= 196608"),
    ({"instance_type": "ml.c5.xlarge"}, "components.chat.accelerators",
     "it has none: use 0 for a CPU-only model"),
    ({"instance_type": "ml.t2.medium"}, "instance_type", "burstable"),
    ({"instance_type": "ml.c6i.xlarge"}, "instance_type", "instance_types.json"),
    ({"min_instances": 3, "max_instances": 2}, "min_instances", "must be <= max_instances"),
    ({"max_instances": 1, "components": {
        "chat": chat(accelerators=3), "summarise": summarise(accelerators=3)}},
     "max_instances", "need 2 ml.g5.12xlarge instances"),
    ({"model": llm("x")}, "model", "each model is a component"),
])
def test_bad_props_refused_naming_path_field_and_allowed(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        fleet(stack, **overrides)
    message = str(info.value)
    assert "InferenceComponentEndpoint at 'Test/Fleet'" in message
    assert f"  - {field}=" in message, message
    assert allowed in message, message
    assert stack.node.try_find_child("Fleet") is None


def test_a_component_added_that_does_not_fit_is_refused_before_any_node(stack):
    ep = fleet(stack, max_instances=1)
    before = [c.node.id for c in ep.node.children]
    with pytest.raises(ConfigurationError, match=(
            r"InferenceComponent at 'Test/Fleet/third'[\s\S]*max_instances=1: the components "
            r"are created with chat 1, summarise 1, third 1 copies, which need 2")):
        ep.add_component("third", **dict(summarise()))
    with pytest.raises(ConfigurationError, match=r"construct_id='chat': unique"):
        ep.add_component("chat", **dict(chat()))
    assert [c.node.id for c in ep.node.children] == before
    assert len(ep.components) == 2


def test_a_component_needs_an_inference_component_endpoint(stack):
    from constructs_lib import InferenceComponent

    rt = RealTimeEndpoint(stack, "Rt", model=llm("x"), instance_type="ml.g5.xlarge",
                          traffic=TrafficHint())
    with pytest.raises(ConfigurationError, match=r"scope='RealTimeEndpoint': an "
                                                 r"InferenceComponentEndpoint"):
        InferenceComponent(rt, "chat", **dict(chat()))


def test_the_month_is_the_contexts():
    stack = make_stack({"cost:hours-per-month": 720})
    est = fleet(stack).cost_estimate
    # 30 days of 37,800 s: 315 h, and the sparse threshold uses the same month
    assert sum(line.quantity for line in est.lines if line.unit == "instance-hour") == \
        pytest.approx(37_800 * 30 / 3600)
    assert "720 hours per month" in est.assumptions


def test_sparse_but_many_wake_ups_cost_no_more_than_holding_a_copy_through_the_day(stack):
    # 700 requests over 10 busy hours a day are 1,564 s apart (more than 2 s + 1,500 s), but
    # 700 wake-ups of 1,802 s (1,261,400 s) cost more than one copy held 10 h a day with one
    # start and one release (37,800 s × 730/24): the copy is held.
    traffic = TrafficHint(requests_per_month=700, avg_duration_ms=2_000, busy_hours_per_day=10,
                          payload_kb=0, response_kb=0)
    ep = fleet(stack, components={"chat": chat(traffic=traffic)})
    assert ep.cost_estimate.monthly_usd == round(37_800 * DAYS / 3600 * G5_12XL, 2)


@pytest.mark.parametrize("busy_hours", [2, 10, 24])
def test_cost_never_falls_as_requests_grow(busy_hours):
    """What the break-even search relies on (cost/breakeven.py)."""
    ctx = PricingContext(load_price_book(), "us-east-1")
    w = Workload(TrafficHint(avg_duration_ms=2_000, busy_hours_per_day=busy_hours,
                             max_latency_ms=3_600_000), "ml.g5.2xlarge")
    model = IC_OPTION.model(w, ctx)
    costs = [model.usd(Load(10 ** (k / 100))) for k in range(0, 901)]  # 1 to 1e9, fine steps
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(costs))
    assert costs[-1] > costs[0]
