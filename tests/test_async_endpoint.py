"""AsyncEndpoint: focused Template assertions, one behaviour each."""

import json
import re

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import AsyncEndpoint, ConfigurationError, ModelSpec, TrafficHint

from .conftest import IMAGE

FEW_HUNDRED = TrafficHint(requests_per_month=300, avg_duration_ms=30_000, payload_kb=2048,
                          response_kb=10)


def endpoint(stack, **overrides):
    props = dict(model=ModelSpec(image_uri=IMAGE,
                                 model_data_url="s3://models-bucket/docs/v1/model.tar.gz"),
                 instance_type="ml.m5.xlarge", traffic=FEW_HUNDRED)
    props.update(overrides)
    return AsyncEndpoint(stack, "Docs", **props)


def test_async_config_wires_output_failure_paths_and_topics(stack):
    endpoint(stack, max_concurrent_invocations_per_instance=4)
    t = Template.from_stack(stack)
    config = next(iter(t.find_resources("AWS::SageMaker::EndpointConfig").values()))
    props = config["Properties"]
    assert "EndpointConfigName" not in props
    assert props["ProductionVariants"][0]["InstanceType"] == "ml.m5.xlarge"
    assert props["ProductionVariants"][0]["InitialInstanceCount"] == 1
    async_config = props["AsyncInferenceConfig"]
    assert async_config["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 4}
    output = async_config["OutputConfig"]
    assert output["S3OutputPath"]["Fn::Join"][1][-1] == "/output"
    assert output["S3FailurePath"]["Fn::Join"][1][-1] == "/failure"
    assert output["NotificationConfig"]["SuccessTopic"]["Ref"].startswith("DocsSuccessTopic")
    assert output["NotificationConfig"]["ErrorTopic"]["Ref"].startswith("DocsErrorTopic")


def test_output_bucket_is_private_versioned_ssl_only_and_retained(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    # The output bucket and its server-access-log bucket (defaults.secure_bucket), both retained.
    buckets = t.find_resources("AWS::S3::Bucket")
    assert sorted(n[:len("DocsOutputBucket")] + ("AccessLogs" in n) * "AccessLogs"
                  for n in buckets) == ["DocsOutputBucket", "DocsOutputBucketAccessLogs"]
    [output] = [b for n, b in buckets.items() if "AccessLogs" not in n]
    assert output["Properties"]["LoggingConfiguration"]["DestinationBucketName"]["Ref"].startswith(
        "DocsOutputBucketAccessLogs")
    t.has_resource("AWS::S3::Bucket", {
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": Match.object_like({
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True,
                                               "RestrictPublicBuckets": True},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        })})
    t.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {
        "Statement": Match.array_with([Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_topics_are_encrypted_and_refuse_publishing_without_tls(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    topics = t.find_resources("AWS::SNS::Topic")
    assert len(topics) == 2
    for topic in topics.values():
        key = topic["Properties"]["KmsMasterKeyId"]
        assert "alias/aws/sns" in str(key)
    policies = t.find_resources("AWS::SNS::TopicPolicy")
    assert len(policies) == 2
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Action"] == "sns:Publish"
                   and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements)


def test_kms_key_encrypts_bucket_topics_and_results(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    endpoint(stack, kms_key=key)
    t = Template.from_stack(stack)
    key_arn = {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}
    t.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": key_arn})
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"AsyncInferenceConfig": {
        "OutputConfig": Match.object_like({"KmsKeyId": key_arn})}})
    [role_policy] = t.find_resources("AWS::IAM::ManagedPolicy").values()  # the execution role's
    assert '"kms:GenerateDataKey"' in json.dumps(role_policy)
    assert "*" not in json.dumps([s["Action"] for s in role_policy["Properties"][
        "PolicyDocument"]["Statement"] if "kms:Decrypt" in s["Action"]])
    # The instances' storage volume is encrypted with the key too (ml.m5 has no local NVMe).
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"KmsKeyId": key_arn})
    t.has_resource_properties("AWS::S3::Bucket", {"BucketEncryption": {
        "ServerSideEncryptionConfiguration": [Match.object_like({
            "ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})})]}})


def test_existing_bucket_and_topics_are_used_and_none_created(stack):
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "shared-async-results")
    ok = sns.Topic.from_topic_arn(stack, "Ok", "arn:aws:sns:us-east-1:111111111111:ok")
    bad = sns.Topic.from_topic_arn(stack, "Bad", "arn:aws:sns:us-east-1:111111111111:bad")
    ep = endpoint(stack, output_bucket=bucket, success_topic=ok, error_topic=bad)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::S3::Bucket", 0)
    t.resource_count_is("AWS::SNS::Topic", 0)
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"AsyncInferenceConfig": {
        "OutputConfig": {
            "S3OutputPath": "s3://shared-async-results/output",
            "S3FailurePath": "s3://shared-async-results/failure",
            "NotificationConfig": {"SuccessTopic": "arn:aws:sns:us-east-1:111111111111:ok",
                                   "ErrorTopic": "arn:aws:sns:us-east-1:111111111111:bad"}}}})
    assert ep.output_bucket is bucket and ep.success_topic is ok and ep.error_topic is bad


def test_scale_to_zero_target_tracking_on_backlog_per_instance(stack):
    endpoint(stack, max_instances=3)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": 0, "MaxCapacity": 3, "ServiceNamespace": "sagemaker",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "ResourceId": {"Fn::Join": ["", [
            "endpoint/", {"Fn::GetAtt": [Match.any_value(), "EndpointName"]}, "/variant/AllTraffic",
        ]]},
    })
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 5,
            "CustomizedMetricSpecification": {
                "MetricName": "ApproximateBacklogSizePerInstance",
                "Namespace": "AWS/SageMaker",
                "Dimensions": [{"Name": "EndpointName",
                                "Value": {"Fn::GetAtt": [Match.any_value(), "EndpointName"]}}],
                "Statistic": "Average",
            },
            "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
        },
    })


def test_wakes_up_from_zero_step_policy_fired_by_backlog_without_capacity_alarm(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    steps = t.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy",
                             {"Properties": {"PolicyType": "StepScaling"}})
    [(step_id, step)] = steps.items()
    assert step["Properties"]["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity", "Cooldown": 300, "MetricAggregationType": "Average",
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}
    t.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/SageMaker", "MetricName": "HasBacklogWithoutCapacity",
        "Dimensions": [{"Name": "EndpointName",
                        "Value": {"Fn::GetAtt": [Match.any_value(), "EndpointName"]}}],
        "Statistic": "Average", "Period": 60, "EvaluationPeriods": 2, "DatapointsToAlarm": 2,
        "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "AlarmActions": [{"Ref": step_id}],
    })


def test_min_one_needs_no_wake_up_policy(stack):
    endpoint(stack, min_instances=1, max_instances=2)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::CloudWatch::Alarm", 0)
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalingPolicy", 1)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 1})


def test_execution_role_reads_input_writes_output_and_failure_publishes_topics(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::IAM::Policy", 0)  # no inline policy: one managed policy
    [(policy_id, policy)] = t.find_resources("AWS::IAM::ManagedPolicy").items()
    all_statements = policy["Properties"]["PolicyDocument"]["Statement"]
    # The model's own statements (image, artifact, logs, metrics: see test_realtime) aside,
    # these are the grants of the async endpoint.
    statements = [s for s in all_statements if "Sid" not in s]
    assert len(statements) == len(all_statements) - 5
    text = str(statements)
    assert "/input/*" in text and "/output/*" in text and "/failure/*" in text
    publish = [s for s in statements if s["Action"] == "sns:Publish"]
    assert len(publish) == 2
    for s in statements:
        assert s["Action"] != "*" and s["Resource"] != "*", s
    s3_statements = {json.dumps(s["Action"]): s for s in statements if "s3:" in str(s["Action"])}
    assert set(s3_statements) == {'"s3:GetObject"', '["s3:PutObject", "s3:AbortMultipartUpload"]'}
    assert "/input/*" in str(s3_statements['"s3:GetObject"']["Resource"])
    assert "/input/" not in str(s3_statements['["s3:PutObject", "s3:AbortMultipartUpload"]'])
    # The endpoint is created after these grants, so its first results can be written:
    # endpoint -> config -> model -> role -> (ManagedPolicyArns) this policy.
    [(role_id, role)] = t.find_resources("AWS::IAM::Role").items()
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": policy_id}]
    [model] = t.find_resources("AWS::SageMaker::Model").values()
    assert model["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    [(config_id, config)] = t.find_resources("AWS::SageMaker::EndpointConfig").items()
    assert "Fn::GetAtt" in json.dumps(config["Properties"]["ProductionVariants"][0]["ModelName"])
    [ep] = t.find_resources("AWS::SageMaker::Endpoint").values()
    assert ep["Properties"]["EndpointConfigName"] == {"Fn::GetAtt": [config_id,
                                                                     "EndpointConfigName"]}


def test_grant_invoke_is_async_invoke_plus_the_input_prefix(stack):
    ep = endpoint(stack)
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ep.grant_invoke(caller)
    policies = Template.from_stack(stack).find_resources(
        "AWS::IAM::Policy",
        {"Properties": {"Roles": [{"Ref": Match.string_like_regexp("Caller")}]}})
    [policy] = policies.values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == "sagemaker:InvokeEndpointAsync"
    assert statements[0]["Resource"]["Ref"].startswith("DocsEndpoint")
    assert statements[1]["Action"] == ["s3:PutObject", "s3:GetObject"]
    assert statements[1]["Resource"]["Fn::Join"][1][-1] == "/input/*"
    assert len(statements) == 2
    assert "sagemaker:InvokeEndpoint'" not in str(statements)


def test_grant_read_results_reads_output_and_failure_only(stack):
    ep = endpoint(stack)
    reader = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ep.grant_read_results(reader)
    [policy] = Template.from_stack(stack).find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": Match.string_like_regexp("Reader")}]}}
    ).values()
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "s3:GetObject"
    assert [r["Fn::Join"][1][-1] for r in statement["Resource"]] == ["/output/*", "/failure/*"]


def test_metric_helpers_use_the_endpoint_dimension_only(stack):
    ep = endpoint(stack)
    for metric, name in (
        (ep.metric_backlog_size(), "ApproximateBacklogSize"),
        (ep.metric_backlog_size_per_instance(), "ApproximateBacklogSizePerInstance"),
        (ep.metric_has_backlog_without_capacity(), "HasBacklogWithoutCapacity"),
        (ep.metric_oldest_request_age(), "ApproximateAgeOfOldestRequest"),
    ):
        assert metric.namespace == "AWS/SageMaker" and metric.metric_name == name
        assert set(metric.dimensions) == {"EndpointName"}
    assert ep.metric_oldest_request_age().statistic == "Maximum"
    assert set(ep.metric_invocations().dimensions) == {"EndpointName", "VariantName"}


def test_cost_metadata_on_endpoint_matches_estimate_and_annotation(stack):
    ep = endpoint(stack)
    [res] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    meta = res["Metadata"]["CostEstimate"]
    assert meta == ep.cost_estimate.to_metadata()
    assert meta["kind"] == "async"
    # 102.5 h (300 × (300 s warm-up + 30 s + 900 s idle tail)) × 0.23, its 8 GB volume while up
    # (8 × 102.5 / 730 GB-month × 0.14), 300 × 2 MB in (0.5859 GB × 0.016) + 300 × 10 KB out
    assert meta["monthly_usd"] == round(102.5 * 0.23 + 8 * 102.5 / 730 * 0.14
                                        + 300 * (2048 + 10) / 1024**2 * 0.016, 2)
    assert res["Metadata"]["ConstructsLib"]["construct"] == "AsyncEndpoint"
    assert any("SageMaker chooses; priced at 1" in a for a in meta["assumptions"])
    # 300 × 30 s with 2 MB payloads also fits serverless (4 MB, 60 s), which is cheaper still:
    # the annotation is the cheaper-alternative warning.
    Annotations.from_stack(stack).has_warning("/Test/Docs", Match.string_like_regexp(
        r"^Estimated \$23\.\d\d/month \(async, us-east-1\).*serverless would cost"))


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"min_instances": 3, "max_instances": 2}, "min_instances",
     r"=3: must be <= max_instances \(2\)"),
    ({"max_instances": 0}, "max_instances", "greater than or equal to 1"),
    ({"max_concurrent_invocations_per_instance": 1001},
     "max_concurrent_invocations_per_instance", "less than or equal to 1000"),
    ({"max_concurrent_invocations_per_instance": 0},
     "max_concurrent_invocations_per_instance", "greater than or equal to 1"),
    ({"invocation_timeout_s": 3601}, "invocation_timeout_s", "less than or equal to 3600"),
    ({"traffic": {"avg_duration_ms": 1_000_000}}, "traffic.avg_duration_ms",
     r"invocation_timeout_s × 1000 \(900000\)"),
    ({"traffic": {"payload_kb": 2 * 1024 * 1024}}, "traffic.payload_kb", "at most 1 GB"),
    ({"instance_type": None}, "instance_type", "runs on instances"),
    ({"memory_mb": 2048}, "memory_mb", "runs on instances, not serverless"),
    ({"output_prefix": "output"}, "output_prefix", "should match pattern"),
])
def test_bad_props_error_names_path_field_value_and_allowed(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        endpoint(stack, **overrides)
    message = str(info.value)
    assert "AsyncEndpoint at 'Test/Docs'" in message
    assert f"  - {field}=" in message
    assert re.search(allowed, message), message
    assert stack.node.try_find_child("Docs") is None


def test_kms_key_leaves_local_nvme_volumes_to_their_hardware_keys(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    endpoint(stack, kms_key=key, instance_type="ml.g5.xlarge")
    t = Template.from_stack(stack)
    [config] = t.find_resources("AWS::SageMaker::EndpointConfig").values()
    assert "KmsKeyId" not in config["Properties"]  # SageMaker refuses it for NVMe types
    assert "KmsKeyId" in config["Properties"]["AsyncInferenceConfig"]["OutputConfig"]
