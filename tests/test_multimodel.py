"""MultiModelEndpoint: one container for every artifact under a prefix; priced per model."""

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    AutoscalingOptions,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    TrafficHint,
)

from .conftest import IMAGE, has_note

PREFIX = "s3://tenant-models/scoring/"


def light(requests=100_000):
    return TrafficHint(requests_per_month=requests, avg_duration_ms=20, payload_kb=0,
                       response_kb=0)


def fleet(stack, **overrides):
    props = dict(image_uri=IMAGE, models_s3_prefix=PREFIX, instance_type="ml.c5.xlarge",
                 models={"a.tar.gz": light(100_000), "b.tar.gz": light(300_000),
                         "c.tar.gz": light(600_000)})
    props.update(overrides)
    return MultiModelEndpoint(stack, "Mm", **props)


def test_one_multi_model_container_serving_the_prefix(stack):
    fleet(stack, model_cache="Disabled", environment={"SAGEMAKER_PROGRAM": "serve.py"})
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": {
        "Image": IMAGE, "ModelDataUrl": PREFIX, "Mode": "MultiModel",
        "MultiModelConfig": {"ModelCacheSetting": "Disabled"},
        "Environment": {"SAGEMAKER_PROGRAM": "serve.py"}}})
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [
        Match.object_like({"VariantName": "AllTraffic", "InstanceType": "ml.c5.xlarge",
                           "InitialInstanceCount": 1})]})


def test_model_cache_enabled_by_default(stack):
    fleet(stack)
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::Model", {
        "PrimaryContainer": Match.object_like(
            {"MultiModelConfig": {"ModelCacheSetting": "Enabled"}})})


def test_role_reads_only_the_prefix(stack):
    fleet(stack)
    t = Template.from_stack(stack)
    [role] = t.find_resources("AWS::IAM::Role").values()
    [(policy_id, policy)] = t.find_resources("AWS::IAM::ManagedPolicy").items()
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": policy_id}]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["ReadModelArtifact"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::tenant-models/scoring/*"]]}
    assert statements["ListModelPrefix"]["Condition"] == {
        "StringLike": {"s3:prefix": ["scoring/*"]}}


def test_autoscaling_as_for_real_time(stack):
    fleet(stack, autoscaling=AutoscalingOptions(min_instances=2, max_instances=4))
    Template.from_stack(stack).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": 2, "MaxCapacity": 4,
         "ResourceId": {"Fn::Join": ["", ["endpoint/", Match.any_value(), "/variant/AllTraffic"]]}})


def test_fleet_priced_from_the_sum_with_a_share_per_model(stack):
    ep = fleet(stack)
    est = ep.cost_estimate
    assert est.kind == "multimodel"
    # one ml.c5.xlarge (148.92) and its 16 GB MultiModel storage volume (16 × 0.14 = 2.24),
    # no data: 151.16
    assert est.monthly_usd == round(730 * 0.204 + 16 * 0.14, 2) == 151.16
    assert est.traffic["requests_per_month"] == 1_000_000
    assert set(est.traffic["models"]) == {"a.tar.gz", "b.tar.gz", "c.tar.gz"}
    # shares by compute time (same duration): 10%, 30%, 60% of $151.16
    assert "model a.tar.gz: 10.0% = $15.12/month" in est.assumptions
    assert "model c.tar.gz: 60.0% = $90.70/month" in est.assumptions
    assert any("$50.39/month per model on average" in a for a in est.assumptions)


def test_dedicated_alternative_and_consolidation_annotation(stack):
    ep = fleet(stack)
    dedicated = next(a for a in ep.cost_estimate.alternatives if a.kind == "realtime")
    # each dedicated: 148.92 + its single-model 4 GB volume (0.56) = 149.48
    assert dedicated.monthly_usd == pytest.approx(3 * 149.48)  # 448.44
    assert ep.consolidation_saving_usd == round(448.44 - 151.16, 2)
    has_note(stack, "/Test/Mm", (
        r"Consolidation: 3 models on one fleet cost \$151\.16/month; 3 dedicated real-time "
        r"endpoints would cost \$448\.44/month: saves \$297\.28/month \(66%\)"))
    meta = next(iter(Template.from_stack(stack).find_resources(
        "AWS::SageMaker::Endpoint").values()))["Metadata"]["CostEstimate"]
    assert meta == ep.cost_estimate.to_metadata()


def test_one_hint_for_the_whole_fleet(stack):
    ep = fleet(stack, models=None, traffic=light(1_000_000))
    assert ep.consolidation_saving_usd is None
    assert not any(a.kind == "realtime" for a in ep.cost_estimate.alternatives)
    assert ep.cost_estimate.monthly_usd == round(730 * 0.204 + 16 * 0.14, 2)


def test_multi_model_variant_and_its_cost_lines(stack):
    ep = fleet(stack)
    ep.add_variant("Next", model=ModelSpec(image_uri=IMAGE,
                                           model_data_url="s3://tenant-models/scoring-v2/"),
                   instance_type="ml.m5.large", weight=1)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::SageMaker::Model", 2)
    t.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": Match.object_like({
        "ModelDataUrl": "s3://tenant-models/scoring-v2/", "Mode": "MultiModel"})})
    est = ep.cost_estimate
    assert est.kind == "multimodel"
    assert {line.variant for line in est.lines} == {"AllTraffic", "Next"}
    # both carry the 16 GB MultiModel volume of their types (ml.c5.xlarge, ml.m5.large)
    assert est.monthly_usd == round(730 * 0.204 + 730 * 0.115 + 2 * 16 * 0.14, 2)


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"models_s3_prefix": "s3://tenant-models/scoring"}, "models_s3_prefix", "ending in '/'"),
    ({"traffic": {"requests_per_month": 5}}, "models", "give either models"),
    ({"models": None}, "traffic", "give either models"),
    ({"models": {" leading-space": {}}}, "models[' leading-space']", "TargetModel"),
    ({"model_cache": "On"}, "model_cache", "'Enabled' or 'Disabled'"),
    ({"image_uri": "docker.io/x"}, "image_uri", "ECR image URI"),
    ({"models": {"a": {"payload_kb": 7000}}}, "traffic.payload_kb", "6 MB"),
    ({"variants": [{"name": "S", "shadow": True}]}, "variants[0].shadow",
     "refuses shadow variants on multi-model"),
    ({"variants": [{"name": "V", "model": {"image_uri": IMAGE,
                                           "model_data_url": "s3://tenant-models/one.tar.gz"}}]},
     "variants[0].model.model_data_url", "refuses mixing multi-model and single-model"),
])
def test_bad_props_refused_naming_path_field_and_allowed(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        fleet(stack, **overrides)
    message = str(info.value)
    assert "MultiModelEndpoint at 'Test/Mm'" in message
    assert f"  - {field}=" in message, message
    assert allowed in message, message
    assert stack.node.try_find_child("Mm") is None


def test_shadow_added_later_refused(stack):
    ep = fleet(stack)
    with pytest.raises(ConfigurationError,
                       match=r"Variant at 'Test/Mm/S'[\s\S]*shadow=True: "
                             r"SageMaker refuses shadow variants on multi-model"):
        ep.add_variant("S", shadow=True)
    assert ep.node.try_find_child("S") is None


def test_blue_green_with_rollback_alarms_on_the_fleet(stack):
    fleet(stack, deployment={"kind": "blue_green", "traffic_shift": {"type": "LINEAR"}})
    t = Template.from_stack(stack)
    [endpoint] = t.find_resources("AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"][
        "TrafficRoutingConfiguration"]["Type"] == "LINEAR"
    t.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ModelLatency", "Threshold": 100_000})  # max(3 × 20 ms, 100 ms) in µs


def _synth(instance_type, image_tag):
    app = cdk.App()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(region="us-east-1"))
    fleet(stack, instance_type=instance_type, image_uri=IMAGE.rsplit(":", 1)[0] + ":" + image_tag,
          deployment={"kind": "blue_green"})
    return Template.from_stack(stack).to_json()["Resources"]


def test_instance_type_or_image_change_keeps_the_endpoint():
    before, after = _synth("ml.c5.xlarge", "1.7-1"), _synth("ml.m5.xlarge", "1.7-2")
    assert before.keys() == after.keys()
    [ep] = [k for k, r in before.items() if r["Type"] == "AWS::SageMaker::Endpoint"]
    assert before[ep]["Properties"] == after[ep]["Properties"]
    changed = {before[k]["Type"] for k in before
               if before[k].get("Properties") != after[k].get("Properties")}
    # only the create-only resources that CloudFormation names (and so can replace) change
    assert changed == {"AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Model"}


def test_fleet_budget_fails_synth_naming_estimate_and_budget(stack):
    f = fleet(stack, max_monthly_usd=10)
    assert f.cost_estimate.monthly_usd > 10
    [error] = Annotations.from_stack(stack).find_error("/Test/Mm", Match.any_value())
    assert "Over budget" in error.entry.data and "$10.00" in error.entry.data
