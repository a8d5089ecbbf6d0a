"""The emission core: logical IDs computed in Python equal CDK's, references stay valid when a
stack allocates IDs its own way, and what cannot stay valid is refused."""

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from constructs import Construct
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib import ConfigurationError, ModelSpec, RealTimeEndpoint, TrafficHint
from constructs_lib._private.emit import Emitter, _qualified, join, statement, unique_id

from .conftest import IMAGE

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
TRAFFIC = TrafficHint(requests_per_month=1e6)

PART = st.one_of(
    st.sampled_from(["Resource", "Default", "Ep", "Policy", "A", "x-y_z", "Ünï", "9",
                     "ScorerEndpoint", "Endpoint", "point"]),
    st.text(alphabet="abcXYZ019-_. ", min_size=1, max_size=12),
    st.text(alphabet="abcdefghij", min_size=60, max_size=130),
).filter(lambda s: "/" not in s and s.strip() == s and s != "")


@settings(max_examples=60, deadline=None)
@given(st.lists(PART, min_size=1, max_size=4))
def test_logical_ids_equal_cdks(parts):
    if all(p == "Default" for p in parts):
        return  # CDK refuses it too
    stack = cdk.Stack(cdk.App(), "S")
    scope: Construct = stack
    for part in parts[:-1]:
        scope = scope.node.try_find_child(part) or Construct(scope, part)
    if scope.node.try_find_child(parts[-1]) is not None:
        return
    resource = cdk.CfnResource(scope, parts[-1], type="AWS::SNS::Topic")
    try:
        expected = stack.resolve(resource.logical_id)
    except RuntimeError:
        return  # an ID CDK refuses (say, a lone "."): no construct of ours is named so
    assert unique_id(parts) == expected


def test_join_merges_literals_and_unwraps_single_values():
    ref = {"Ref": "X"}
    assert join("a", "b") == "ab"
    assert join(ref) == ref
    assert join("arn:", ref, ":x", ":y") == {"Fn::Join": ["", ["arn:", ref, ":x:y"]]}


def test_statement_is_in_cdks_normal_form():
    assert statement(["s3:GetObject"], ["arn:a", "arn:a"], sid="S") == {
        "Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:a", "Sid": "S"}


def test_acknowledgement_keys_are_what_cdk_validations_writes():
    stack = cdk.Stack(cdk.App(), "S")
    probe = Construct(stack, "Probe")
    ids = ["AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/*]",
           "HIPAA.Security-IAMNoInlinePolicy", "cdk nag::Rule one", "annotation::X"]
    cdk.Validations.of(probe).acknowledge(*[cdk.Acknowledgment(id=i, reason="r") for i in ids])
    written = [k for e in probe.node.metadata if e.type == "aws:cdk:acknowledged-rules"
               for k in e.data]
    assert written == [_qualified(i) for i in ids]


def test_override_logical_id_is_refused_with_the_reason(stack):
    ep = RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large",
                          traffic=TRAFFIC)
    with pytest.raises(ConfigurationError, match=r"override_logical_id.*refer to this one"):
        ep.model.override_logical_id("Renamed")
    ep.endpoint.add_property_override("EndpointName", "fixed")  # other overrides still work
    [endpoint] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["EndpointName"] == "fixed"


class PrefixedStack(cdk.Stack):
    """A stack that allocates logical IDs its own way (some organisations do)."""

    def _allocate_logical_id(self, cfn_element: cdk.CfnElement) -> str:
        return "Team" + super()._allocate_logical_id(cfn_element)


def test_a_stack_with_its_own_logical_ids_gets_valid_references():
    stack = PrefixedStack(cdk.App(), "Custom", env=cdk.Environment(region="us-east-1"))
    RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC,
                     autoscaling={"min_instances": 1, "max_instances": 2})
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert all(name.startswith("Team") for name in resources)

    def refs(value):
        if isinstance(value, dict):
            if "Ref" in value and not value["Ref"].startswith("AWS::"):
                yield value["Ref"]
            if "Fn::GetAtt" in value:
                yield value["Fn::GetAtt"][0]
            for v in value.values():
                yield from refs(v)
        elif isinstance(value, list):
            for v in value:
                yield from refs(v)

    found = {r for res in resources.values() for r in refs(res.get("Properties", {}))}
    assert len(found) >= 5 and found <= set(resources)


def test_emitter_creates_intermediate_constructs_once(stack):
    owner = Construct(stack, "Owner")
    emit = Emitter(owner, "Test/Owner", stack)
    a = emit.resource("Role/Resource", "AWS::IAM::Role", {"AssumeRolePolicyDocument": {}})
    b = emit.resource("Role/Policy/Resource", "AWS::IAM::Policy", {"Roles": [a.ref]})
    assert [c.node.id for c in owner.node.children] == ["Role"]
    assert stack.resolve(a.cfn.logical_id) == a.logical_id
    assert stack.resolve(b.cfn.logical_id) == b.logical_id


def test_tags_reach_every_taggable_resource_of_every_construct(stack):
    from . import test_async_endpoint, test_batch_transform

    RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC)
    test_async_endpoint.endpoint(stack)
    test_batch_transform.batch(stack)
    cdk.Tags.of(stack).add("cost-center", "ml-platform")
    resources = Template.from_stack(stack).to_json()["Resources"]
    taggable = {"AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig",
                "AWS::SageMaker::Endpoint", "AWS::IAM::Role", "AWS::S3::Bucket",
                "AWS::SNS::Topic", "AWS::Logs::LogGroup", "AWS::StepFunctions::StateMachine",
                "AWS::CloudWatch::Alarm"}
    seen = set()
    for name, res in resources.items():
        if res["Type"] in taggable:
            seen.add(res["Type"])
            tags = res["Properties"].get("Tags", res["Properties"].get("TagsEntry"))
            assert {"Key": "cost-center", "Value": "ml-platform"} in (tags or []), name
    assert seen == taggable


def test_escape_hatches_are_the_typed_l1_classes(stack):
    from aws_cdk import aws_sagemaker as sagemaker

    ep = RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large",
                          traffic=TRAFFIC)
    assert isinstance(ep.endpoint, sagemaker.CfnEndpoint)
    assert isinstance(ep.endpoint_config, sagemaker.CfnEndpointConfig)
    assert isinstance(ep.model, sagemaker.CfnModel)
    assert ep.endpoint_config.production_variants[0].instance_type == "ml.m5.large"


def test_one_rule_acknowledged_for_two_resources_keeps_both_reasons(stack):
    owner = Construct(stack, "Owner")
    emit = Emitter(owner, "Test/Owner", stack)
    emit.acknowledge("AwsSolutions-IAM5[Resource::*]", "the execution role needs it")
    emit.acknowledge("AwsSolutions-IAM5[Resource::*]", "the state machine role needs it")
    emit.acknowledge("AwsSolutions-IAM5[Resource::*]", "the execution role needs it")
    emit.flush(owner.node)
    [entry] = [e.data for e in owner.node.metadata if e.type == "aws:cdk:acknowledged-rules"]
    assert entry == {"Annotation::AwsSolutions-IAM5[Resource::*]":
                     "the execution role needs it; the state machine role needs it"}
