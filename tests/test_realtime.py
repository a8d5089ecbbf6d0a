"""RealTimeEndpoint: focused Template assertions, one behaviour each."""

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    AutoscalingOptions,
    ConfigurationError,
    ModelSpec,
    RealTimeEndpoint,
    ScheduledScaling,
    TrafficHint,
)

from .conftest import IMAGE, has_note, make_stack


def endpoint(stack, **overrides):
    props = dict(model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz"),
                 instance_type="ml.m5.large", traffic=TrafficHint(requests_per_month=1e6))
    props.update(overrides)
    return RealTimeEndpoint(stack, "Ep", **props)


def test_minimal_config_creates_model_config_endpoint(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::SageMaker::Model", 1)
    t.resource_count_is("AWS::SageMaker::Endpoint", 1)
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [{
            "VariantName": "AllTraffic", "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1, "InitialVariantWeight": 1,
            "ModelName": {"Fn::GetAtt": [Match.any_value(), "ModelName"]},
        }],
    })
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


def test_no_fixed_names_on_replaceable_resources(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    for res in t.find_resources("AWS::SageMaker::Model").values():
        assert "ModelName" not in res["Properties"]
    for res in t.find_resources("AWS::SageMaker::EndpointConfig").values():
        assert "EndpointConfigName" not in res["Properties"]


def test_autoscaling_target_tracking_shape_and_cooldowns(stack):
    endpoint(stack, autoscaling=AutoscalingOptions(min_instances=2, max_instances=5,
                                                   target_invocations_per_instance=300))
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": 2, "MaxCapacity": 5, "ServiceNamespace": "sagemaker",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "ResourceId": {"Fn::Join": ["", [
            "endpoint/", {"Fn::GetAtt": [Match.any_value(), "EndpointName"]}, "/variant/AllTraffic",
        ]]},
    })
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 300,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
        },
    })
    # The initial count starts at the autoscaling minimum.
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [Match.object_like({"InitialInstanceCount": 2})]})


def test_scheduled_scaling_business_hours(stack):
    endpoint(stack, autoscaling=AutoscalingOptions(
        min_instances=1, max_instances=4,
        schedule=ScheduledScaling(business_hours_min_instances=3, start_hour_utc=7,
                                  end_hour_utc=19)))
    Template.from_stack(stack).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"ScheduledActions": [
            {"ScheduledActionName": "business-hours-up", "Schedule": "cron(0 7 ? * MON-FRI *)",
             "ScalableTargetAction": {"MinCapacity": 3}},
            {"ScheduledActionName": "off-hours-down", "Schedule": "cron(0 19 ? * MON-FRI *)",
             "ScalableTargetAction": {"MinCapacity": 1}},
        ]})


def test_execution_role_is_scoped_to_artifact_image_and_logs(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    roles = t.find_resources("AWS::IAM::Role")
    assert len(roles) == 1
    role = next(iter(roles.values()))
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"}
    statements = {s["Sid"]: s for s in _policy_statements(t)}
    assert set(statements) == {"PullModelImage", "EcrLogin", "ReadModelArtifact",
                               "WriteEndpointLogs", "PutEndpointMetrics"}
    assert statements["ReadModelArtifact"]["Action"] == "s3:GetObject"
    assert statements["ReadModelArtifact"]["Resource"]["Fn::Join"][1][-1] == (
        ":s3:::models-bucket/fraud/v1/model.tar.gz")
    assert statements["PullModelImage"]["Resource"]["Fn::Join"][1][-1] == (
        ":ecr:us-east-1:683313688378:repository/sagemaker-xgboost")
    assert "Condition" in statements["PutEndpointMetrics"]
    for sid, s in statements.items():
        assert s["Action"] != "*" and "*" not in s["Action"], sid


def test_artifact_prefix_gets_prefix_read_and_conditioned_list(stack):
    endpoint(stack, model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/"))
    t = Template.from_stack(stack)
    st = {s["Sid"]: s for s in _policy_statements(t)}
    assert st["ListModelPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["fraud/*"]}}
    assert st["ReadModelArtifact"]["Resource"]["Fn::Join"][1][-1].endswith("models-bucket/fraud/*")


def test_existing_role_is_used_and_none_created(stack):
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    endpoint(stack, model=ModelSpec(image_uri=IMAGE, execution_role=role))
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::IAM::Role", 1)
    t.has_resource_properties("AWS::SageMaker::Model", {
        "ExecutionRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("Mine"), "Arn"]}})


def test_kms_key_on_ebs_instance(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    endpoint(stack, kms_key=key)
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}})


def test_kms_key_refused_on_nvme_instance(stack):
    key = kms.Key(stack, "Key")
    with pytest.raises(ConfigurationError,
                       match=r"RealTimeEndpoint at 'Test/Ep'[\s\S]*kms_key=.*: "
                             r"refused by SageMaker for ml\.g5\.xlarge"):
        endpoint(stack, instance_type="ml.g5.xlarge", kms_key=key)
    assert stack.node.try_find_child("Ep") is None


def test_vpc_and_network_isolation(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    endpoint(stack, vpc={"vpc": vpc}, network_isolation=True)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::SageMaker::Model", {
        "EnableNetworkIsolation": True,
        "VpcConfig": {"SecurityGroupIds": [Match.any_value()], "Subnets": Match.any_value()}})
    sids = {s["Sid"] for s in _policy_statements(t)}
    assert "AttachToVpc" in sids


def test_data_capture_creates_secure_retained_bucket(stack):
    endpoint(stack, data_capture={"sampling_percentage": 50})
    t = Template.from_stack(stack)
    t.has_resource("AWS::S3::Bucket", {
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": Match.object_like({
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True,
                                               "RestrictPublicBuckets": True},
            "BucketEncryption": Match.any_value(),
        })})
    t.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {
        "Statement": Match.array_with([Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"DataCaptureConfig": {
        "EnableCapture": True, "InitialSamplingPercentage": 50,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "DestinationS3Uri": Match.any_value()}})


def test_grant_invoke_scoped_to_endpoint(stack):
    ep = endpoint(stack)
    fn_role = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ep.grant_invoke(fn_role)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {
        "Statement": [{"Action": "sagemaker:InvokeEndpoint", "Effect": "Allow",
                       "Resource": {"Ref": Match.string_like_regexp("EpEndpoint")}}]}})


def test_metric_helpers_use_endpoint_and_variant(stack):
    ep = endpoint(stack)
    m = ep.metric_model_latency()
    assert m.namespace == "AWS/SageMaker" and m.metric_name == "ModelLatency"
    assert m.statistic == "Average"
    assert set(m.dimensions) == {"EndpointName", "VariantName"}
    assert ep.metric_invocations().statistic == "Sum"


def test_cost_metadata_matches_cost_estimate_and_annotation(stack):
    ep = endpoint(stack, instance_type="ml.m5.xlarge")
    t = Template.from_stack(stack)
    endpoints = t.find_resources("AWS::SageMaker::Endpoint")
    meta = next(iter(endpoints.values()))["Metadata"]["CostEstimate"]
    assert meta == ep.cost_estimate.to_metadata()
    # 730 h × 0.23 + its 8 GB volume (8 × 0.14) + 1M × 10 KB in and out at 0.016 $/GB
    assert meta["monthly_usd"] == round(0.23 * 730 + 8 * 0.14 + 2 * 1e6 * 10 / 1024**2 * 0.016, 2)
    Annotations.from_stack(stack).has_warning(
        "/Test/Ep",
        Match.string_like_regexp(r"Estimated \$\d+\.\d\d/month \(realtime, us-east-1\)"))


def test_info_annotation_when_no_alternative_saves_enough(stack):
    endpoint(stack, traffic=TrafficHint(requests_per_month=100e6, avg_duration_ms=10))
    has_note(stack, "/Test/Ep", r"^Estimated \$\d+\.\d\d/month \(realtime")
    assert not Annotations.from_stack(stack).find_warning("/Test/Ep", Match.any_value())


def test_warning_names_alternative_saving_and_break_even(stack):
    endpoint(stack, instance_type="ml.g4dn.xlarge", traffic=TrafficHint(requests_per_month=3000))
    warnings = Annotations.from_stack(stack).find_warning("/Test/Ep", Match.any_value())
    assert len(warnings) == 0  # a GPU type: serverless is not feasible, no alternative
    endpoint2 = RealTimeEndpoint(stack, "Cpu", model=ModelSpec(image_uri=IMAGE),
                                 instance_type="ml.m5.xlarge",
                                 traffic=TrafficHint(requests_per_month=3000))
    assert endpoint2.cost_estimate.cheapest_alternative.kind == "serverless"
    [warning] = Annotations.from_stack(stack).find_warning("/Test/Cpu", Match.any_value())
    text = warning.entry.data
    assert "serverless would cost $" in text and "saves $" in text and "break-even at" in text


def test_change_after_construction_is_counted(stack):
    ep = endpoint(stack)
    # Escape hatches exist; the estimate is recomputed at synth from the construct's state.
    object.__setattr__(ep, "props", ep.props.model_copy(update={"instance_type": "ml.m5.xlarge"}))
    endpoints = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint")
    meta = next(iter(endpoints.values()))
    assert meta["Metadata"]["CostEstimate"]["lines"][0]["item"] == "ml.m5.xlarge hosting"


def test_environment_agnostic_stack_prices_us_east_1_and_says_so():
    stack = make_stack(region=None)
    ep = endpoint(stack)
    assert ep.cost_estimate.region == "us-east-1"
    assert any("environment-agnostic" in a for a in ep.cost_estimate.assumptions)


def test_hourly_override_from_context_is_used_and_named():
    stack = make_stack(context={"cost:hourly-overrides": {"ml.g5.xlarge": 1.21}})
    ep = endpoint(stack, instance_type="ml.g5.xlarge",
                  traffic=TrafficHint(payload_kb=0, response_kb=0))
    assert ep.cost_estimate.monthly_usd == 883.30
    assert "ml.g5.xlarge" in ep.cost_estimate.price_book


def test_hourly_override_as_json_string_from_cli_context():
    stack = make_stack(context={"cost:hourly-overrides": '{"ml.m5.large": 0.1}'})
    ep = endpoint(stack, traffic=TrafficHint(payload_kb=0, response_kb=0))
    assert ep.cost_estimate.monthly_usd == 73.56  # 730 × 0.1 + 4 GB × 0.14


def test_an_unpriced_instance_type_warns_with_the_fix(stack):
    # Not a failure: the endpoint synthesizes, unpriced, and says how to price it.
    ep = endpoint(stack, instance_type="ml.m5.99xlarge")
    assert ep.cost_estimate.monthly_usd is None
    assert "'ml.m5.99xlarge'" in (ep.cost_estimate.unpriced or "")
    Annotations.from_stack(stack).has_warning("/Test/Ep", Match.string_like_regexp(
        r"^Unpriced \(realtime, us-east-1\).*ml\.m5\.99xlarge.*cost:hourly-overrides"))


def test_an_unpriced_region_warns_with_the_known_regions():
    stack = make_stack(region="mars-north-1")
    ep = endpoint(stack)
    assert ep.cost_estimate.monthly_usd is None
    Annotations.from_stack(stack).has_warning("/Test/Ep", Match.string_like_regexp(
        r"Region 'mars-north-1' is not in price book.*known regions.*fetch --region "
        r"mars-north-1"))


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"instance_type": "m5.large"}, "instance_type", "should match pattern"),
    ({"instance_count": 0}, "instance_count", "greater than or equal to 1"),
    ({"autoscaling": {"min_instances": 3, "max_instances": 2}}, "autoscaling.min_instances",
     r"=3: must be <= max_instances \(2\)"),
    ({"autoscaling": {"target_invocations_per_instance": 0}},
     "autoscaling.target_invocations_per_instance", "greater than 0"),
    ({"traffic": {"payload_kb": 7000}}, "traffic.payload_kb", "=7000.0: must be <= 6144"),
    ({"traffic": {"avg_duration_ms": 61000}}, "traffic.avg_duration_ms", "60 s"),
    ({"instance_count": 9, "autoscaling": {"max_instances": 3}}, "instance_count",
     r"=9: must be within autoscaling min_instances..max_instances \(1..3\)"),
    ({"endpoint_name": "bad_name!"}, "endpoint_name", "should match pattern"),
    ({"model": {"image_uri": "docker.io/library/nginx"}}, "model.image_uri", "ECR image URI"),
    ({"model": {"image_uri": IMAGE, "model_data_url": "https://x/model.tar.gz"}},
     "model.model_data_url", "S3 URI"),
])
def test_bad_props_error_names_path_field_value_and_allowed(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        endpoint(stack, **overrides)
    message = str(info.value)
    assert "RealTimeEndpoint at 'Test/Ep'" in message
    assert f"  - {field}=" in message
    assert pytest.importorskip("re").search(allowed, message), message
    assert stack.node.try_find_child("Ep") is None


def _policy_statements(t):
    """The execution role's statements: they live in its one customer-managed policy."""
    (policy,) = t.find_resources("AWS::IAM::ManagedPolicy").values()
    return policy["Properties"]["PolicyDocument"]["Statement"]
