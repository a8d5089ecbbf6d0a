"""Operate what you deploy (issue 18): endpoints imported by name or ARN (grants, metrics, no
cost), and the metric helpers of every endpoint and variant, with every ``cloudwatch.Metric``
option passing through."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from constructs_lib import (
    AsyncEndpoint,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)
from constructs_lib.parts.imported import ImportedEndpoint

from .conftest import IMAGE, make_stack

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
TRAFFIC = TrafficHint(requests_per_month=1e6)
ENV = cdk.Environment(account="123456789012", region="us-east-1")
KINDS = [RealTimeEndpoint, ServerlessEndpoint, AsyncEndpoint, MultiModelEndpoint]


def lambda_role(stack: cdk.Stack, name: str = "Caller") -> iam.Role:
    return iam.Role(stack, name, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def policy_statements(stack: cdk.Stack) -> list[dict]:
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def watch(stack: cdk.Stack, metric: cloudwatch.Metric) -> None:
    cloudwatch.Alarm(stack, "Watch", metric=metric, threshold=1, evaluation_periods=1)


def alarm_props(stack: cdk.Stack) -> dict:
    [alarm] = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm").values()
    return alarm["Properties"]  # type: ignore[no-any-return]


def alarm_on(stack: cdk.Stack, metric: cloudwatch.Metric) -> dict:
    watch(stack, metric)
    return alarm_props(stack)


# --- importing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_endpoint_kind_imports_by_name_with_the_same_interface(kind):
    stack = cdk.Stack(cdk.App(), "Caller", env=ENV)
    other = kind.from_endpoint_name(stack, "Scorer", "fraud-scorer")
    assert isinstance(other, ImportedEndpoint)
    other.grant_invoke(lambda_role(stack))
    [statement] = policy_statements(stack)
    assert statement["Action"] == "sagemaker:InvokeEndpoint"
    assert statement["Resource"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"},
        ":sagemaker:us-east-1:123456789012:endpoint/fraud-scorer"]]}


def test_the_arn_of_a_name_with_capitals_is_lower_case_as_sagemaker_writes_it():
    # SageMaker ARNs carry the endpoint name in lower case and IAM matches ARNs exactly: a grant
    # on "FraudScorer" must name ".../endpoint/fraudscorer". Metrics keep the exact name.
    stack = cdk.Stack(cdk.App(), "Caller", env=ENV)
    other = RealTimeEndpoint.from_endpoint_name(stack, "Scorer", "FraudScorer")
    other.grant_invoke_async(lambda_role(stack))
    watch(stack, other.metric_invocations())
    [statement] = policy_statements(stack)
    assert statement["Action"] == "sagemaker:InvokeEndpointAsync"
    assert statement["Resource"]["Fn::Join"][1][-1].endswith(":endpoint/fraudscorer")
    assert alarm_props(stack)["Dimensions"] == [
        {"Name": "EndpointName", "Value": "FraudScorer"},
        {"Name": "VariantName", "Value": "AllTraffic"}]


def test_import_by_arn_takes_the_account_and_region_of_the_arn():
    stack = cdk.Stack(cdk.App(), "Caller", env=ENV)
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:endpoint/docs"
    other = AsyncEndpoint.from_endpoint_arn(stack, "Docs", arn, variant_name="Blue")
    assert (other.endpoint_name, other.env.region, other.env.account) == (
        "docs", "eu-west-1", "111111111111")
    other.grant_invoke(lambda_role(stack))
    watch(stack, other.metric_oldest_request_age())
    assert policy_statements(stack)[0]["Resource"] == arn
    props = alarm_props(stack)
    assert props["Dimensions"] == [{"Name": "EndpointName", "Value": "docs"}]
    assert props["Statistic"] == "Maximum"
    assert other.metric_model_latency().dimensions == {"EndpointName": "docs",
                                                       "VariantName": "Blue"}


def test_import_by_a_token_arn_parses_the_name_at_deploy_time():
    stack = cdk.Stack(cdk.App(), "Caller", env=ENV)
    other = RealTimeEndpoint.from_endpoint_arn(stack, "Shared",
                                               cdk.Fn.import_value("ScorerEndpointArn"))
    props = alarm_on(stack, other.metric_invocation_5xx_errors())
    assert props["Dimensions"][0] == {"Name": "EndpointName", "Value": {"Fn::Select": [
        1, {"Fn::Split": ["/", {"Fn::Select": [
            5, {"Fn::Split": [":", {"Fn::ImportValue": "ScorerEndpointArn"}]}]}]}]}}


def test_another_stacks_endpoint_imported_by_its_name_token_becomes_an_export():
    app = cdk.App()
    serving, caller_stack = cdk.Stack(app, "Serving", env=ENV), cdk.Stack(app, "Caller", env=ENV)
    rt = RealTimeEndpoint(serving, "Rt", model=MODEL, instance_type="ml.m5.large",
                          traffic=TRAFFIC)
    other = RealTimeEndpoint.from_endpoint_name(caller_stack, "Rt", rt.endpoint_name)
    other.grant_invoke(lambda_role(caller_stack))
    [statement] = policy_statements(caller_stack)
    assert "Fn::ImportValue" in str(statement["Resource"])


def test_an_imported_endpoint_creates_nothing_and_is_not_priced():
    stack = cdk.Stack(cdk.App(), "Caller", env=ENV)
    other = ServerlessEndpoint.from_endpoint_name(stack, "Elsewhere", "nightly")
    assert not hasattr(other, "cost_estimate")
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


@pytest.mark.parametrize("call, field", [
    (lambda s: RealTimeEndpoint.from_endpoint_name(s, "X", "bad_name!"), "endpoint_name"),
    (lambda s: RealTimeEndpoint.from_endpoint_arn(s, "X", "arn:aws:s3:::bucket"), "endpoint_arn"),
    (lambda s: AsyncEndpoint.from_endpoint_name(s, "X", "ok", variant_name="a b"),
     "variant_name"),
])
def test_a_bad_import_names_the_path_the_field_and_what_is_allowed(call, field):
    stack = make_stack()
    with pytest.raises(ConfigurationError, match=rf"at 'Test/X':\n  - {field}=.*"):
        call(stack)
    assert stack.node.try_find_child("X") is None


# --- metric helpers -----------------------------------------------------------------------------

def test_metric_accepts_a_namespace_and_every_metric_option(stack):
    # The failing call: metric() took namespace from **props twice.
    ep = RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC)
    metric = ep.metric("CPUUtilization", namespace="/aws/sagemaker/Endpoints",
                       statistic="p90", period=cdk.Duration.minutes(1), color="#ff0000",
                       unit=cloudwatch.Unit.PERCENT)
    props = alarm_on(stack, metric)
    assert props["Namespace"] == "/aws/sagemaker/Endpoints"
    assert props["ExtendedStatistic"] == "p90" and props["Period"] == 60
    assert props["Unit"] == "Percent" and metric.color == "#ff0000"
    endpoint_dimension, variant_dimension = props["Dimensions"]
    assert endpoint_dimension["Name"] == "EndpointName"
    assert endpoint_dimension["Value"]["Fn::GetAtt"][1] == "EndpointName"
    assert variant_dimension == {"Name": "VariantName", "Value": "AllTraffic"}


@pytest.mark.parametrize("helper, namespace, name, statistic", [
    ("metric_invocations", "AWS/SageMaker", "Invocations", "Sum"),
    ("metric_invocations_per_instance", "AWS/SageMaker", "InvocationsPerInstance", "Sum"),
    ("metric_invocation_4xx_errors", "AWS/SageMaker", "Invocation4XXErrors", "Sum"),
    ("metric_invocation_5xx_errors", "AWS/SageMaker", "Invocation5XXErrors", "Sum"),
    ("metric_invocation_5xx_error_rate", "AWS/SageMaker", "Invocation5XXErrors", "Average"),
    ("metric_model_latency", "AWS/SageMaker", "ModelLatency", "Average"),
    ("metric_overhead_latency", "AWS/SageMaker", "OverheadLatency", "Average"),
    ("metric_model_setup_time", "AWS/SageMaker", "ModelSetupTime", "Average"),
    ("metric_cpu_utilization", "/aws/sagemaker/Endpoints", "CPUUtilization", "Average"),
    ("metric_memory_utilization", "/aws/sagemaker/Endpoints", "MemoryUtilization", "Average"),
    ("metric_gpu_utilization", "/aws/sagemaker/Endpoints", "GPUUtilization", "Average"),
    ("metric_gpu_memory_utilization", "/aws/sagemaker/Endpoints", "GPUMemoryUtilization",
     "Average"),
    ("metric_disk_utilization", "/aws/sagemaker/Endpoints", "DiskUtilization", "Average"),
])
def test_each_helper_alarms_on_its_metric_per_variant(stack, helper, namespace, name,
                                                      statistic):
    ep = RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.g5.xlarge",
                          traffic=TRAFFIC)
    ep.add_variant("Blue", weight=0.1)
    props = alarm_on(stack, getattr(ep, helper)(variant_name="Blue"))
    assert (props["Namespace"], props["MetricName"], props["Statistic"], props["Period"]) == (
        namespace, name, statistic, 300)
    assert {"Name": "VariantName", "Value": "Blue"} in props["Dimensions"]


def test_a_latency_percentile_is_an_extended_statistic(stack):
    ep = ServerlessEndpoint(stack, "Sl", model=MODEL, traffic=TRAFFIC)
    props = alarm_on(stack, ep.metric_model_latency(statistic="p99"))
    assert props["ExtendedStatistic"] == "p99" and "Statistic" not in props


def test_dimensions_map_replaces_the_default_dimensions(stack):
    ep = MultiModelEndpoint(stack, "Mm", image_uri=IMAGE, models_s3_prefix="s3://models-bucket/m/",
                            instance_type="ml.c5.xlarge", traffic=TRAFFIC)
    props = alarm_on(stack, ep.metric("LoadedModelCount", namespace="/aws/sagemaker/Endpoints",
                                      dimensions_map={"EndpointName": "x"}))
    assert props["Dimensions"] == [{"Name": "EndpointName", "Value": "x"}]


def test_the_async_endpoints_own_grant_invoke_async_includes_its_input_prefix(stack):
    ep = AsyncEndpoint(stack, "As", model=MODEL, instance_type="ml.m5.xlarge", traffic=TRAFFIC)
    ep.grant_invoke_async(lambda_role(stack))
    actions = {str(s["Action"]) for s in policy_statements(stack)}
    assert "sagemaker:InvokeEndpointAsync" in actions
    assert any("s3:PutObject" in a for a in actions)
