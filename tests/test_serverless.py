"""ServerlessEndpoint: focused Template assertions, one behaviour each."""

import re

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import ConfigurationError, ModelSpec, ServerlessEndpoint, TrafficHint

from .conftest import IMAGE, has_note


def endpoint(stack, **overrides):
    props = dict(model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/tool/model.tar.gz"),
                 memory_mb=2048, max_concurrency=5, traffic=TrafficHint(requests_per_month=5000))
    props.update(overrides)
    return ServerlessEndpoint(stack, "Ep", **props)


def test_serverless_config_and_no_instance_settings(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [{
        "VariantName": "AllTraffic",
        "ModelName": {"Fn::GetAtt": [Match.any_value(), "ModelName"]},
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
    }]})
    config = next(iter(t.find_resources("AWS::SageMaker::EndpointConfig").values()))
    variant = config["Properties"]["ProductionVariants"][0]
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert "KmsKeyId" not in config["Properties"]
    assert "DataCaptureConfig" not in config["Properties"]
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


def test_provisioned_concurrency(stack):
    ep = endpoint(stack, provisioned_concurrency=2)
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [Match.object_like({"ServerlessConfig": {
            "MemorySizeInMB": 2048, "MaxConcurrency": 5, "ProvisionedConcurrency": 2}})]})
    assert ep.cost_estimate.lines[0].item.startswith("Provisioned concurrency")


def test_least_privilege_role(stack):
    endpoint(stack)
    t = Template.from_stack(stack)
    sids = {s["Sid"] for s in _policy_statements(t)}
    assert sids == {"PullModelImage", "EcrLogin", "ReadModelArtifact", "WriteEndpointLogs",
                    "PutEndpointMetrics"}


def test_grant_invoke(stack):
    ep = endpoint(stack)
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ep.grant_invoke(caller)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {
        "Statement": [Match.object_like({"Action": "sagemaker:InvokeEndpoint"})]}})


def test_cost_metadata_matches_estimate(stack):
    ep = endpoint(stack, traffic=TrafficHint(requests_per_month=5000, avg_duration_ms=900,
                                             payload_kb=0, response_kb=0), memory_mb=3072)
    endpoints = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint")
    meta = next(iter(endpoints.values()))
    assert meta["Metadata"]["CostEstimate"] == ep.cost_estimate.to_metadata()
    assert meta["Metadata"]["CostEstimate"]["monthly_usd"] == 0.27
    assert meta["Metadata"]["CostEstimate"]["kind"] == "serverless"
    has_note(stack, "/Test/Ep", (
        r"^Estimated \$0\.27/month \(serverless, us-east-1\)"))


def test_heavy_serverless_traffic_warns_that_realtime_is_cheaper(stack):
    ep = endpoint(stack, memory_mb=6144, max_concurrency=50,
                  traffic=TrafficHint(requests_per_month=50e6, avg_duration_ms=200))
    alt = ep.cost_estimate.cheapest_alternative
    assert alt is not None and alt.kind == "realtime"
    assert alt.monthly_usd < 0.7 * ep.cost_estimate.monthly_usd
    [warning] = Annotations.from_stack(stack).find_warning("/Test/Ep", Match.any_value())
    assert "realtime would cost" in warning.entry.data


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"memory_mb": 1500}, "memory_mb", "1024, 2048, 3072, 4096, 5120 or 6144"),
    ({"memory_mb": 8192}, "memory_mb", "1024, 2048"),
    ({"max_concurrency": 0}, "max_concurrency", "greater than or equal to 1"),
    ({"max_concurrency": 201}, "max_concurrency", "less than or equal to 200"),
    ({"provisioned_concurrency": 6}, "provisioned_concurrency",
     r"=6: must be <= max_concurrency \(5\)"),
    ({"traffic": {"payload_kb": 5000}}, "traffic.payload_kb", "4 MB"),
    ({"traffic": {"avg_duration_ms": 90000}}, "traffic.avg_duration_ms", "60 s"),
    ({"variant_name": "a b"}, "variant_name", "should match pattern"),
])
def test_bad_props(stack, overrides, field, allowed):
    with pytest.raises(ConfigurationError) as info:
        endpoint(stack, **overrides)
    message = str(info.value)
    assert "ServerlessEndpoint at 'Test/Ep'" in message
    assert f"  - {field}=" in message
    assert re.search(allowed, message), message
    assert stack.node.try_find_child("Ep") is None


def test_all_problems_reported_at_once(stack):
    with pytest.raises(ConfigurationError) as info:
        endpoint(stack, provisioned_concurrency=9, traffic={"payload_kb": 5000})
    assert [p.field for p in info.value.problems] == ["provisioned_concurrency",
                                                      "traffic.payload_kb"]


def _policy_statements(t):
    """The execution role's statements: they live in its one customer-managed policy."""
    (policy,) = t.find_resources("AWS::IAM::ManagedPolicy").values()
    return policy["Properties"]["PolicyDocument"]["Statement"]
