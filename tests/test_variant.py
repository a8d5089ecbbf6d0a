"""Variant and deployment guardrails on RealTimeEndpoint: one behaviour per test."""

import re

import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    AllAtOnce,
    BlueGreenDeployment,
    Canary,
    ConfigurationError,
    Linear,
    ModelSpec,
    RealTimeEndpoint,
    RollbackOptions,
    RollingDeployment,
    TrafficHint,
    Variant,
)

from .conftest import IMAGE, has_note, make_stack

V1 = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/churn/v1/model.tar.gz")
V2 = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/churn/v2/model.tar.gz")


def endpoint(stack, **overrides):
    props = dict(model=V1, instance_type="ml.m5.large",
                 traffic=TrafficHint(requests_per_month=1e6, payload_kb=0, response_kb=0))
    props.update(overrides)
    return RealTimeEndpoint(stack, "Ep", **props)


def resource(stack, kind):
    [res] = Template.from_stack(stack).find_resources(kind).values()
    return res


def test_add_variant_is_a_node_with_its_own_model_and_weight(stack):
    ep = endpoint(stack, variant_weight=3)
    v = ep.add_variant("Blue", model=V2, instance_type="ml.m5.xlarge", instance_count=2)
    assert isinstance(v, Variant) and stack.node.find_child("Ep").node.find_child("Blue") is v
    config = resource(stack, "AWS::SageMaker::EndpointConfig")["Properties"]
    assert [(p["VariantName"], p["InstanceType"], p["InitialInstanceCount"],
             p["InitialVariantWeight"]) for p in config["ProductionVariants"]] == [
        ("AllTraffic", "ml.m5.large", 1, 3), ("Blue", "ml.m5.xlarge", 2, 1)]
    Template.from_stack(stack).resource_count_is("AWS::SageMaker::Model", 2)
    assert "ShadowProductionVariants" not in config


def test_variant_without_model_shares_the_endpoint_model(stack):
    ep = endpoint(stack)
    v = ep.add_variant("Big", instance_type="ml.m5.xlarge")
    assert v.model is ep.model
    Template.from_stack(stack).resource_count_is("AWS::SageMaker::Model", 1)


def test_variants_prop_equals_add_variant():
    a, b = make_stack(), make_stack()
    endpoint(a, variants=[{"name": "Blue", "model": V2, "weight": 0.5}])
    endpoint(b).add_variant("Blue", model=V2, weight=0.5)
    assert Template.from_stack(a).to_json() == Template.from_stack(b).to_json()


def test_each_variant_priced_on_its_weight_share_and_summed(stack):
    ep = endpoint(stack, variant_weight=0.9)
    v = ep.add_variant("Canary", weight=0.1)
    est = ep.cost_estimate
    assert {line.variant for line in est.lines} == {"AllTraffic", "Canary"}
    # two always-on ml.m5.large with their 4 GB volumes (4 × 0.14), no data
    assert est.monthly_usd == round(2 * (730 * 0.115 + 4 * 0.14), 2)
    assert v.cost_estimate.monthly_usd == round(730 * 0.115 + 4 * 0.14, 2)
    assert any("weight 0.1: 10% of requests" in a for a in est.assumptions)
    has_note(stack, "/Test/Ep/Canary", r"^Variant Canary \(weight 0.1, 10% of requests\): \$84\.51")


def test_variant_added_after_first_estimate_is_counted_at_synth(stack):
    ep = endpoint(stack)
    before = ep.cost_estimate.monthly_usd
    ep.add_variant("Late", instance_type="ml.m5.xlarge")
    meta = resource(stack, "AWS::SageMaker::Endpoint")["Metadata"]["CostEstimate"]
    assert meta["monthly_usd"] == pytest.approx(before + 730 * 0.23 + 8 * 0.14, abs=0.01)
    assert {line["variant"] for line in meta["lines"]} == {"AllTraffic", "Late"}


def test_shadow_variant_counted_and_said_to_serve_no_responses(stack):
    ep = endpoint(stack)
    ep.add_variant("Shadow", model=V2, weight=0.5, shadow=True)
    config = resource(stack, "AWS::SageMaker::EndpointConfig")["Properties"]
    assert [p["VariantName"] for p in config["ProductionVariants"]] == ["AllTraffic"]
    assert config["ShadowProductionVariants"][0]["VariantName"] == "Shadow"
    assert ep.cost_estimate.monthly_usd == round(2 * (730 * 0.115 + 4 * 0.14), 2)
    assert not any(line.variant == "Shadow" and line.item == "Data processed out"
                   for line in ep.cost_estimate.lines)
    assert any("shadow: receives a copy of 50% of requests and serves no responses" in a
               for a in ep.cost_estimate.assumptions)
    has_note(stack, "/Test/Ep/Shadow", "serves no responses")


def test_variant_autoscaling_targets_its_own_variant(stack):
    ep = endpoint(stack)
    ep.add_variant("Blue", autoscaling={"min_instances": 1, "max_instances": 3})
    Template.from_stack(stack).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {
            "MaxCapacity": 3,
            "ResourceId": {"Fn::Join": ["", ["endpoint/", Match.any_value(), "/variant/Blue"]]},
        })


@pytest.mark.parametrize(("setup", "field", "allowed"), [
    (lambda ep: ep.add_variant("AllTraffic"), "name", "must be unique"),
    (lambda ep: [ep.add_variant(f"v{i}") for i in range(10)], "variants", "at most 10 variants"),
    (lambda ep: ep.add_variant("S", shadow=True) and ep.add_variant("P"), "variants",
     "only beside exactly one production variant"),
    (lambda ep: ep.add_variant("S", shadow=True) and ep.add_variant("S2", shadow=True), "shadow",
     "no other shadow"),
    (lambda ep: ep.add_variant("B", instance_count=5, autoscaling={"max_instances": 2}),
     "instance_count", "within autoscaling"),
    (lambda ep: ep.add_variant("B", weight=-1), "weight", "greater than or equal to 0"),
])
def test_bad_variant_is_refused_before_any_node(stack, setup, field, allowed):
    ep = endpoint(stack)
    count = len(ep.node.children)
    with pytest.raises(ConfigurationError, match=r"Variant at 'Test/Ep/") as info:
        setup(ep)
    assert f"- {field}" in str(info.value) or f"].{field}" in str(info.value)
    assert allowed in str(info.value)
    assert len(ep.node.children) <= count + 10  # only the valid ones before it were added
    assert not any(isinstance(c, Variant) and c.node.id in ("B",) for c in ep.node.children)


def test_all_weights_zero_refused(stack):
    with pytest.raises(ConfigurationError, match=r"variant_weight=0: production variant weights "
                                                  r"must not all be zero"):
        endpoint(stack, variant_weight=0)
    ep = endpoint(stack, variant_weight=0, variants=[{"name": "B", "weight": 1}])
    assert ep.cost_estimate.lines[0].variant == "AllTraffic"


def test_props_variants_errors_name_the_endpoint_and_index(stack):
    with pytest.raises(ConfigurationError,
                       match=r"RealTimeEndpoint at 'Test/Ep'[\s\S]*variants\[1\]\.name='B'"):
        endpoint(stack, variants=[{"name": "B"}, {"name": "B"}])
    assert stack.node.try_find_child("Ep") is None


def test_blue_green_canary_with_default_alarms_topic_and_stable_name(stack):
    endpoint(stack, deployment=BlueGreenDeployment(
        traffic_shift=Canary(size_percent=20, wait_s=900), termination_wait_s=120,
        max_execution_timeout_s=3600))
    props = resource(stack, "AWS::SageMaker::Endpoint")["Properties"]
    assert props["DeploymentConfig"]["BlueGreenUpdatePolicy"] == {
        "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": 900,
                                        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 20}},
        "TerminationWaitInSeconds": 120, "MaximumExecutionTimeoutInSeconds": 3600,
    }
    assert len(props["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]) == 2
    name = props["EndpointName"]
    assert name == "Test-Ep-5BEF7E42" or name.startswith("Test-Ep-")
    assert props["RetainAllVariantProperties"] is True
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "Invocation5XXErrors", "AlarmActions": [{"Ref": Match.any_value()}],
        "Dimensions": Match.array_with([{"Name": "EndpointName", "Value": props["EndpointName"]}]),
    })
    t.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ModelLatency", "Threshold": 300_000})  # 3 × 100 ms, in microseconds
    t.has_resource("AWS::SNS::Topic", {"DeletionPolicy": "Retain", "Properties": {
        "KmsMasterKeyId": Match.any_value()}})
    t.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": [
        Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]}})


@pytest.mark.parametrize(("shift", "expected"), [
    (AllAtOnce(wait_s=60), {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}),
    (Linear(step_percent=25, wait_s=120), {"Type": "LINEAR", "WaitIntervalInSeconds": 120,
                                           "LinearStepSize": {"Type": "CAPACITY_PERCENT",
                                                              "Value": 25}}),
])
def test_all_at_once_and_linear_shapes(stack, shift, expected):
    endpoint(stack, deployment={"kind": "blue_green", "traffic_shift": shift})
    props = resource(stack, "AWS::SageMaker::Endpoint")["Properties"]
    policy = props["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == expected


def test_user_alarms_accepted_and_default_alarms_optional(stack):
    alarm = cloudwatch.Alarm.from_alarm_arn(
        stack, "Mine", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:business-kpi")
    endpoint(stack, deployment=BlueGreenDeployment(
        rollback=RollbackOptions(default_alarms=False, alarms=(alarm,))))
    props = resource(stack, "AWS::SageMaker::Endpoint")["Properties"]
    assert props["DeploymentConfig"]["AutoRollbackConfiguration"] == {
        "Alarms": [{"AlarmName": "business-kpi"}]}
    assert "EndpointName" not in props  # no default alarms: CloudFormation names it
    Template.from_stack(stack).resource_count_is("AWS::SNS::Topic", 0)


def test_no_rollback_means_no_alarms(stack):
    endpoint(stack, deployment=BlueGreenDeployment(rollback=None))
    props = resource(stack, "AWS::SageMaker::Endpoint")["Properties"]
    assert "AutoRollbackConfiguration" not in props["DeploymentConfig"]
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 0)


def test_rolling_update_on_single_variant(stack):
    endpoint(stack, deployment=RollingDeployment(batch_percent=20, wait_s=60,
                                                 rollback_batch_percent=100))
    policy = resource(stack, "AWS::SageMaker::Endpoint")["Properties"]["DeploymentConfig"][
        "RollingUpdatePolicy"]
    assert policy == {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 20},
                      "WaitIntervalInSeconds": 60,
                      "RollbackMaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 100}}


def test_rolling_update_refused_on_multi_variant(stack):
    ep = endpoint(stack, deployment=RollingDeployment())
    with pytest.raises(ConfigurationError, match=r"deployment='rolling': SageMaker refuses rolling "
                                                  r"updates on multi-variant endpoints"):
        ep.add_variant("B")
    assert ep.node.try_find_child("B") is None
    with pytest.raises(ConfigurationError, match="multi-variant"):
        RealTimeEndpoint(stack, "Ep2", model=V1, instance_type="ml.m5.large", traffic={},
                         deployment={"kind": "rolling"}, variants=[{"name": "B"}])


@pytest.mark.parametrize(("deployment", "field", "allowed"), [
    ({"kind": "blue_green", "traffic_shift": {"type": "CANARY", "size_percent": 60}},
     "deployment.blue_green.traffic_shift.CANARY.size_percent", "less than or equal to 50"),
    ({"kind": "blue_green", "traffic_shift": {"type": "LINEAR", "step_percent": 5}},
     "deployment.blue_green.traffic_shift.LINEAR.step_percent", "greater than or equal to 10"),
    ({"kind": "blue_green", "termination_wait_s": 4000},
     "deployment.blue_green.termination_wait_s", "less than or equal to 3600"),
    ({"kind": "blue_green", "rollback": {"default_alarms": False}}, "deployment.rollback",
     "1-10 rollback alarms"),
])
def test_bad_deployment_refused(stack, deployment, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        endpoint(stack, deployment=deployment)
    assert allowed in str(info.value) and field.split(".")[-1] in str(info.value)
    assert stack.node.try_find_child("Ep") is None


def test_too_many_default_alarms_for_six_variants(stack):
    ep = endpoint(stack, deployment=BlueGreenDeployment(),
                  variants=[{"name": f"v{i}"} for i in range(4)])
    with pytest.raises(ConfigurationError, match=r"deployment\.rollback=12: 1-10 rollback alarms"):
        ep.add_variant("v5")


def test_retain_defaults_and_reset_on_update(stack):
    endpoint(stack)
    assert "RetainAllVariantProperties" not in resource(stack, "AWS::SageMaker::Endpoint")[
        "Properties"]  # a plain single-variant endpoint is unchanged
    s2 = make_stack()
    endpoint(s2, variants=[{"name": "B"}], reset_on_update=["DesiredWeight"])
    props = resource(s2, "AWS::SageMaker::Endpoint")["Properties"]
    assert props["RetainAllVariantProperties"] is True
    assert props["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


def _synth(instance_type, model, variant_type):
    stack = make_stack()
    ep = endpoint(stack, model=model, instance_type=instance_type,
                  deployment=BlueGreenDeployment())
    ep.add_variant("Blue", instance_type=variant_type)
    return Template.from_stack(stack).to_json()["Resources"]


def test_instance_type_or_model_change_replaces_config_never_endpoint():
    before = _synth("ml.m5.large", V1, "ml.m5.large")
    after = _synth("ml.m5.xlarge", V2, "ml.c5.xlarge")
    assert before.keys() == after.keys()  # same logical ids: nothing renamed or re-created
    [ep_id] = [k for k, r in before.items() if r["Type"] == "AWS::SageMaker::Endpoint"]
    assert before[ep_id]["Properties"] == after[ep_id]["Properties"]  # same name, same config ref
    for kind in ("AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Model"):
        ids = [k for k, r in before.items() if r["Type"] == kind]
        for k in ids:  # create-only properties: CloudFormation replaces them, names them freshly
            assert not {"EndpointConfigName", "ModelName"} & before[k]["Properties"].keys()
        assert any(before[k]["Properties"] != after[k]["Properties"] for k in ids)


def test_variant_model_inherits_vpc_and_network_isolation(stack):
    from aws_cdk import aws_ec2 as ec2
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    ep = endpoint(stack, vpc={"vpc": vpc, "subnet_ids": ("subnet-0123456789abcdef0",)},
                  network_isolation=True)
    ep.add_variant("Blue", model=V2)
    models = Template.from_stack(stack).find_resources("AWS::SageMaker::Model")
    assert len(models) == 2
    for res in models.values():
        assert res["Properties"]["EnableNetworkIsolation"] is True
        assert res["Properties"]["VpcConfig"]["Subnets"] == ["subnet-0123456789abcdef0"]


def test_a_variants_own_shortfall_is_a_capacity_warning_on_its_node(stack):
    # 100 req/s at 1 s: 100 in flight; half of them on one ml.m5.large (2 at once) fall short.
    ep = RealTimeEndpoint(stack, "Busy", model=V1,
                          instance_type="ml.m5.large", instance_count=1,
                          traffic=TrafficHint(requests_per_month=1_000_000, avg_duration_ms=1000,
                                              peak_requests_per_second=100))
    small = ep.add_variant("Small", weight=1)
    [shortfall] = small.cost_estimate.warnings
    assert shortfall.startswith("ml.m5.large × 1 instance(s) cannot serve the peak")
    Annotations.from_stack(stack).has_warning(
        "/Test/Busy/Small", Match.string_like_regexp("^" + re.escape(shortfall)))
