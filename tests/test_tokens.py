"""CDK tokens wherever a string is taken: a token passes where its literal parts could be valid
(and builds a template that uses it), fails with the library's error where they cannot, is
checked again at synth when it resolves to a literal, and is refused, with the reason, where the
library computes with the value. IAM statements built from token URIs name exactly what the
URI names."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    AsyncEndpoint,
    BatchTransform,
    ConfigurationError,
    DataCaptureOptions,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    TrafficHint,
)
from constructs_lib.spec.tokens import bare_token, is_token, sample

from .cfn_eval import evaluate
from .conftest import ARTIFACT, IMAGE, make_stack

MODEL = ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)
TRAFFIC = TrafficHint(requests_per_month=1e6)
ENV = cdk.Environment(account="123456789012", region="us-east-1")


@jsii.implements(cdk.IStringProducer)
class _Later:
    """A value only known at synth (``Lazy.uncached_string``)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def produce(self, context: cdk.IResolveContext) -> str:
        return self.value


def later(value: str) -> str:
    return cdk.Lazy.uncached_string(_Later(value))


def realtime(stack: cdk.Stack, **props: Any) -> RealTimeEndpoint:
    return RealTimeEndpoint(stack, "Ep", **{"model": MODEL, "instance_type": "ml.m5.large",
                                            "traffic": TRAFFIC, **props})


def test_the_marker_is_what_tells_a_token():
    stack = make_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    assert is_token(name) and bare_token(name)
    assert is_token(f"x-{name}") and not bare_token(f"x-{name}")
    assert sample(f"x-{name}-{name}") == "x-a-a"
    assert not is_token("plain") and not is_token(5)


def test_a_parameter_endpoint_name_is_used_as_it_is(stack):
    name = cdk.CfnParameter(stack, "EndpointName").value_as_string
    realtime(stack, endpoint_name=name, variant_name=f"v-{name}")
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::SageMaker::Endpoint", {"EndpointName": {"Ref": "EndpointName"}})
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [
        Match.object_like({"VariantName": {"Fn::Join": ["", ["v-", {"Ref": "EndpointName"}]]}})]})


@pytest.mark.parametrize("field, value, problem", [
    ("endpoint_name", "bad_{}", r"endpoint_name='bad_\$\{Token\[.*should match pattern.*"
                                r"checked on its literal parts"),
    ("variant_name", "-{}", r"variant_name='-\$\{Token.*should match pattern"),
])
def test_a_token_whose_literal_parts_cannot_be_valid_is_refused(stack, field, value, problem):
    token = cdk.CfnParameter(stack, "P").value_as_string
    with pytest.raises(ConfigurationError, match=problem):
        realtime(stack, **{field: value.format(token)})
    assert stack.node.try_find_child("Ep") is None


def test_a_token_that_resolves_to_a_bad_literal_at_synth_fails_synth_with_the_librarys_error(
        stack):
    realtime(stack, endpoint_name=later("bad_name!"))
    Annotations.from_stack(stack).has_error("/Test/Ep", Match.string_like_regexp(
        r"RealTimeEndpoint at 'Test/Ep'[\s\S]*endpoint_name='bad_name!'.*should match pattern"
        r".*after resolving the CDK tokens"))


def test_a_token_that_resolves_to_a_good_literal_passes(stack):
    realtime(stack, endpoint_name=later("fraud-api"))
    Annotations.from_stack(stack).has_no_error("*", Match.any_value())
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::Endpoint",
                                                       {"EndpointName": "fraud-api"})


def test_an_instance_type_token_is_refused_because_it_is_priced(stack):
    token = cdk.CfnParameter(stack, "Type").value_as_string
    with pytest.raises(ConfigurationError, match=r"instance_type='\$\{Token.*a literal, not a "
                                                 r"CDK token: the estimate is priced"):
        realtime(stack, instance_type=token)


def test_environment_values_take_tokens_and_names_do_not(stack):
    bucket = s3.Bucket(stack, "Features")
    realtime(stack, model=ModelSpec(image_uri=IMAGE, environment={
        "FEATURE_BUCKET": bucket.bucket_name}))
    t = Template.from_stack(stack).to_json()
    [model] = [r for r in t["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    assert model["Properties"]["PrimaryContainer"]["Environment"] == {
        "FEATURE_BUCKET": {"Ref": next(k for k, r in t["Resources"].items()
                                       if r["Type"] == "AWS::S3::Bucket")}}
    with pytest.raises(ConfigurationError, match=r"environment\..*a literal, not a CDK token"):
        ModelSpec(image_uri=IMAGE, environment={bucket.bucket_name: "x"})


def test_an_image_uri_whose_literal_parts_are_not_ecr_is_refused(stack):
    tag = cdk.CfnParameter(stack, "Tag").value_as_string
    with pytest.raises(ConfigurationError, match=r"image_uri='nginx:\$\{Token.*must be an ECR "
                                                 r"image URI.*its literal parts cannot form one"):
        ModelSpec(image_uri=f"nginx:{tag}")
    ModelSpec(image_uri=f"{IMAGE.split(':')[0]}:{tag}")  # a token tag is fine


def test_data_capture_prefix_takes_a_token(stack):
    prefix = cdk.CfnParameter(stack, "CapturePrefix").value_as_string
    realtime(stack, data_capture=DataCaptureOptions(prefix=prefix))
    t = Template.from_stack(stack).to_json()
    [config] = [r for r in t["Resources"].values()
                if r["Type"] == "AWS::SageMaker::EndpointConfig"]
    uri = config["Properties"]["DataCaptureConfig"]["DestinationS3Uri"]
    bucket = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::S3::Bucket"
                  and "AccessLogs" not in k)
    assert evaluate(uri, {bucket: "capture", "CapturePrefix": "fraud"}) == "s3://capture/fraud"


def _policy_statements(template: dict[str, Any], description: str) -> list[dict[str, Any]]:
    return [st for r in template["Resources"].values()
            if r["Type"] == "AWS::IAM::ManagedPolicy"
            and description in r["Properties"]["Description"]
            for st in r["Properties"]["PolicyDocument"]["Statement"]]


def test_batch_transform_uris_from_a_bucket_of_another_stack_are_read_and_written_there():
    app = cdk.App()
    data = cdk.Stack(app, "Data", env=ENV)
    jobs = cdk.Stack(app, "Jobs", env=ENV)
    bucket = s3.Bucket(data, "Exports")
    BatchTransform(jobs, "Scoring", model=MODEL, instance_type="ml.m5.xlarge",
                   traffic=TrafficHint(records_per_run=1e5, runs_per_month=30),
                   input_s3_uri=bucket.s3_url_for_object("customers/"),
                   output_s3_uri=bucket.s3_url_for_object("scores/"),
                   schedule="cron(0 2 * * ? *)")
    assembly = app.synth()
    t = assembly.get_stack_by_name("Jobs").template
    [export] = [o["Export"]["Name"] for o in
                assembly.get_stack_by_name("Data").template["Outputs"].values()]
    refs = {f"Import:{export}": "exports-bucket"}
    found = {s["Sid"]: s for s in _policy_statements(t, "SageMaker execution role")
             if "Sid" in s}
    assert evaluate(found["ReadTransformInput"]["Resource"], refs) == (
        "arn:aws:s3:::exports-bucket/customers/*")
    assert evaluate(found["ListTransformInput"]["Resource"], refs) == "arn:aws:s3:::exports-bucket"
    assert found["ListTransformInput"]["Condition"] == {
        "StringLike": {"s3:prefix": ["customers/*"]}}
    assert evaluate(found["WriteTransformOutput"]["Resource"], refs) == (
        "arn:aws:s3:::exports-bucket/scores/*")
    [machine] = [r for r in t["Resources"].values()
                 if r["Type"] == "AWS::StepFunctions::StateMachine"]
    definition = json.loads(evaluate(machine["Properties"]["DefinitionString"],
                                     {**refs, **_role_refs(t)}))
    task = definition["States"]["RunTransformJob"]["Parameters"]
    assert task["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://exports-bucket/customers/")
    assert task["TransformOutput"]["S3OutputPath"] == "s3://exports-bucket/scores/"


def _role_refs(template: dict[str, Any]) -> dict[str, Any]:
    """Values for the references a state machine definition holds besides the data URIs."""
    refs: dict[str, Any] = {}
    for lid in template["Resources"]:
        refs[lid] = f"{lid}-name"
        for attr in ("Arn", "ModelName", "TopicArn", "TopicName"):
            refs[f"{lid}.{attr}"] = f"{lid}-{attr}"
    return refs


def test_a_bare_token_transform_input_is_split_at_deploy_time(stack):
    source = cdk.CfnParameter(stack, "Input").value_as_string
    BatchTransform(stack, "Scoring", model=MODEL, instance_type="ml.m5.xlarge",
                   traffic=TrafficHint(records_per_run=1e5, runs_per_month=30),
                   input_s3_uri=source, output_s3_uri="s3://data-bucket/out/",
                   schedule="rate(1 day)")
    t = Template.from_stack(stack).to_json()
    found = {s["Sid"]: s for s in _policy_statements(t, "SageMaker execution role")
             if "Sid" in s}
    refs = {"Input": "s3://exports-bucket/customers/"}
    assert evaluate(found["ReadTransformInput"]["Resource"], refs) == (
        "arn:aws:s3:::exports-bucket/customers/*")
    # The key cannot be cut off the bucket in CloudFormation: the listing is of that bucket.
    assert evaluate(found["ListTransformInput"]["Resource"], refs) == "arn:aws:s3:::exports-bucket"
    assert "Condition" not in found["ListTransformInput"]


def test_multi_model_image_and_prefix_tokens_pull_and_read_exactly_there(stack):
    repo = ecr.Repository(stack, "Serving")
    bucket = s3.Bucket(stack, "Tenants")
    MultiModelEndpoint(stack, "Fleet", image_uri=repo.repository_uri_for_tag("mme"),
                       models_s3_prefix=f"s3://{bucket.bucket_name}/tenants/",
                       instance_type="ml.c5.xlarge", traffic=TRAFFIC)
    t = Template.from_stack(stack).to_json()
    rid = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::ECR::Repository")
    bid = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::S3::Bucket")
    refs = {rid: "serving", f"{rid}.Arn": "arn:aws:ecr:us-east-1:123456789012:repository/serving",
            bid: "tenant-models"}
    found = {s["Sid"]: s for s in _policy_statements(t, "SageMaker execution role")
             if "Sid" in s}
    assert evaluate(found["PullModelImage"]["Resource"], refs) == refs[f"{rid}.Arn"]
    assert evaluate(found["ReadModelArtifact"]["Resource"], refs) == (
        "arn:aws:s3:::tenant-models/tenants/*")
    assert found["ListModelPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["tenants/*"]}}
    [model] = [r for r in t["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    container = model["Properties"]["PrimaryContainer"]
    assert container["Mode"] == "MultiModel"
    assert evaluate(container["ModelDataUrl"], refs) == "s3://tenant-models/tenants/"


def test_multi_model_prefix_whose_literal_end_is_not_a_prefix_is_refused(stack):
    bucket = s3.Bucket(stack, "Tenants")
    with pytest.raises(ConfigurationError, match=r"models_s3_prefix=.*an S3 prefix ending"):
        MultiModelEndpoint(stack, "Fleet", image_uri=IMAGE, instance_type="ml.c5.xlarge",
                           models_s3_prefix=f"s3://{bucket.bucket_name}/tenants",
                           traffic=TRAFFIC)


def test_async_prefixes_take_tokens(stack):
    prefix = cdk.CfnParameter(stack, "Team").value_as_string
    AsyncEndpoint(stack, "Docs", model=MODEL, instance_type="ml.m5.xlarge", traffic=TRAFFIC,
                  input_prefix=f"{prefix}/in/", output_prefix=f"{prefix}/out/",
                  failure_prefix=f"{prefix}/failed/")
    t = Template.from_stack(stack).to_json()
    [config] = [r for r in t["Resources"].values()
                if r["Type"] == "AWS::SageMaker::EndpointConfig"]
    output = config["Properties"]["AsyncInferenceConfig"]["OutputConfig"]
    bucket = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::S3::Bucket"
                  and "AccessLogs" not in k)
    assert evaluate(output["S3OutputPath"], {bucket: "docs", "Team": "legal"}) == (
        "s3://docs/legal/out")
    with pytest.raises(ConfigurationError, match=r"input_prefix=.*should match pattern"):
        AsyncEndpoint(stack, "Bad", model=MODEL, instance_type="ml.m5.xlarge", traffic=TRAFFIC,
                      input_prefix=f"{prefix}/in")
