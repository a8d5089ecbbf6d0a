"""What any CDK user does with a CDK library works here: typed L1 escape hatches and the default
child, Tags, Aspects, ``override_logical_id``, a stack's own logical-ID allocation, references
across stacks, and compliance acknowledgements that follow renamed resources."""

from __future__ import annotations

import json

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template
from constructs import IConstruct

from constructs_lib import (
    AsyncEndpoint,
    BatchTransform,
    InferenceComponentEndpoint,
    InferenceComponentOptions,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .conftest import IMAGE, make_stack

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
TRAFFIC = TrafficHint(requests_per_month=1e6, payload_kb=0, response_kb=0)
TAGGABLE = {"AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Model",
            "AWS::IAM::Role", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::Logs::LogGroup",
            "AWS::StepFunctions::StateMachine", "AWS::CloudWatch::Alarm",
            "AWS::SageMaker::InferenceComponent"}


def every_kind(stack: cdk.Stack) -> list[object]:
    return [
        RealTimeEndpoint(stack, "Rt", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC,
                         autoscaling={"max_instances": 3}),
        ServerlessEndpoint(stack, "Sl", model=MODEL, traffic=TRAFFIC),
        AsyncEndpoint(stack, "As", model=MODEL, instance_type="ml.m5.xlarge", traffic=TRAFFIC),
        BatchTransform(stack, "Bt", model=MODEL, instance_type="ml.m5.xlarge",
                       traffic=TrafficHint(records_per_run=1e5, runs_per_month=30),
                       input_s3_uri="s3://data-bucket/in/", output_s3_uri="s3://data-bucket/out/",
                       schedule="cron(0 2 * * ? *)"),
        MultiModelEndpoint(stack, "Mm", image_uri=IMAGE, models_s3_prefix="s3://models-bucket/m/",
                           instance_type="ml.c5.xlarge", traffic=TRAFFIC),
        InferenceComponentEndpoint(stack, "Ic", instance_type="ml.g5.2xlarge", components={
            "chat": InferenceComponentOptions(model=MODEL, traffic=TRAFFIC, accelerators=1,
                                              memory_mb=8192)}),
    ]


def test_escape_hatches_are_typed_l1_and_the_default_child_is_the_main_resource(stack):
    rt, sl, asy, bt, mm, ic = every_kind(stack)
    for endpoint in (rt, sl, asy, mm, ic):
        assert isinstance(endpoint.endpoint, sagemaker.CfnEndpoint)
        assert isinstance(endpoint.endpoint_config, sagemaker.CfnEndpointConfig)
        assert endpoint.node.default_child is endpoint.endpoint
    for endpoint in (rt, sl, asy, mm):
        assert isinstance(endpoint.model, sagemaker.CfnModel)
    [component] = ic.components  # an inference-component endpoint has a model per component
    assert isinstance(component.model, sagemaker.CfnModel)
    assert isinstance(component.resource, sagemaker.CfnInferenceComponent)
    assert bt.node.default_child is bt.state_machine_resource
    rt.endpoint_config.add_property_override("ProductionVariants.0.InitialInstanceCount", 2)
    [config] = Template.from_stack(stack).find_resources(
        "AWS::SageMaker::EndpointConfig",
        {"Properties": {"ProductionVariants": [{"VariantName": "AllTraffic",
                                                "InstanceType": "ml.m5.large"}]}}).values()
    assert config["Properties"]["ProductionVariants"][0]["InitialInstanceCount"] == 2


def test_tags_reach_every_taggable_resource_of_every_kind():
    stack = make_stack()
    every_kind(stack)
    cdk.Tags.of(stack).add("team", "ml-platform")
    resources = Template.from_stack(stack).to_json()["Resources"]
    taggable = [(k, v) for k, v in resources.items() if v["Type"] in TAGGABLE]
    assert {v["Type"] for _, v in taggable} >= TAGGABLE - {"AWS::CloudWatch::Alarm"}
    for logical_id, resource in taggable:
        tags = resource["Properties"].get("Tags")
        pairs = tags if isinstance(tags, list) else [{"Key": k, "Value": v}
                                                     for k, v in (tags or {}).items()]
        assert {"Key": "team", "Value": "ml-platform"} in pairs, logical_id


@jsii.implements(cdk.IAspect)
class _Bigger:
    """A user's mutating aspect: every real-time endpoint config starts with two instances."""

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, sagemaker.CfnEndpointConfig):
            node.add_property_override("ProductionVariants.0.InitialInstanceCount", 2)


def test_a_users_aspect_applies_and_the_estimate_is_still_surfaced(stack):
    rt = RealTimeEndpoint(stack, "Rt", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC)
    cdk.Aspects.of(stack).add(_Bigger())
    t = Template.from_stack(stack)
    [config] = t.find_resources("AWS::SageMaker::EndpointConfig").values()
    assert config["Properties"]["ProductionVariants"][0]["InitialInstanceCount"] == 2
    [endpoint] = t.find_resources("AWS::SageMaker::Endpoint").values()
    assert endpoint["Metadata"]["CostEstimate"] == rt.cost_estimate.to_metadata()


def test_override_logical_id_renames_and_every_reference_follows(stack):
    asy = AsyncEndpoint(stack, "As", model=MODEL, instance_type="ml.m5.xlarge", traffic=TRAFFIC)
    asy.endpoint.override_logical_id("DocsEndpoint")
    asy.node.find_child("OutputBucket").override_logical_id("DocsBucket")
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert resources["DocsEndpoint"]["Type"] == "AWS::SageMaker::Endpoint"
    assert resources["DocsBucket"]["Type"] == "AWS::S3::Bucket"
    text = json.dumps(resources)
    assert '{"Fn::GetAtt": ["DocsEndpoint", "EndpointName"]}' in text  # the scaling target
    assert '{"Ref": "DocsBucket"}' in text and '"DocsBucket", "Arn"' in text
    # The wildcard grants on the renamed bucket are acknowledged under its new name.
    acked = {rule for e in asy.node.metadata
             if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY for rule in e.data}
    assert any("<DocsBucket.Arn>/input/*" in rule for rule in acked), acked


class _Prefixed(cdk.Stack):
    """A stack that allocates logical IDs its own way."""

    def _allocate_logical_id(self, cfn_element: cdk.CfnElement) -> str:
        return "Team" + super()._allocate_logical_id(cfn_element)


def test_a_stack_that_allocates_its_own_ids_gets_consistent_references():
    stack = _Prefixed(cdk.App(), "P", env=cdk.Environment(region="us-east-1"))
    every_kind(stack)
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert all(k.startswith("Team") for k in resources)
    references = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "Ref" in value and not str(value["Ref"]).startswith("AWS::"):
                references.append(value["Ref"])
            if "Fn::GetAtt" in value:
                references.append(value["Fn::GetAtt"][0])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(resources)
    assert references and set(references) <= set(resources)


def test_references_across_stacks_become_exports():
    app = cdk.App()
    env = cdk.Environment(account="123456789012", region="us-east-1")
    serving = cdk.Stack(app, "Serving", env=env)
    caller_stack = cdk.Stack(app, "Caller", env=env)
    rt = RealTimeEndpoint(serving, "Rt", model=MODEL, instance_type="ml.m5.large",
                          traffic=TRAFFIC)
    caller = iam.Role(caller_stack, "Fn", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    rt.grant_invoke(caller)
    cdk.CfnOutput(caller_stack, "Endpoint", value=rt.endpoint_name)
    assembly = app.synth()
    exports = assembly.get_stack_by_name("Serving").template["Outputs"]
    assert any("Export" in o for o in exports.values())
    policy = json.dumps(assembly.get_stack_by_name("Caller").template["Resources"])
    assert "Fn::ImportValue" in policy and "sagemaker:InvokeEndpoint" in policy


def test_an_inference_component_referenced_from_another_stack_becomes_an_export():
    app = cdk.App()
    env = cdk.Environment(account="123456789012", region="us-east-1")
    serving, caller_stack = cdk.Stack(app, "Serving", env=env), cdk.Stack(app, "Caller", env=env)
    ic = InferenceComponentEndpoint(serving, "Ic", instance_type="ml.g5.2xlarge", components={
        "chat": InferenceComponentOptions(model=MODEL, traffic=TRAFFIC, accelerators=1,
                                          memory_mb=8192)})
    caller = iam.Role(caller_stack, "Fn", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ic.grant_invoke(caller)
    [component] = ic.components
    cdk.CfnOutput(caller_stack, "ComponentArn",
                  value=component.resource.attr_inference_component_arn)
    assembly = app.synth()
    exports = assembly.get_stack_by_name("Serving").template["Outputs"]
    assert sum("Export" in o for o in exports.values()) == 2  # the endpoint, the component
    caller_resources = json.dumps(assembly.get_stack_by_name("Caller").template)
    assert caller_resources.count("Fn::ImportValue") == 2


def test_an_artifact_bucket_and_an_image_repository_of_another_stack_are_imported():
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_s3 as s3

    from constructs_lib import ContainerImage, ModelData

    app = cdk.App()
    env = cdk.Environment(account="123456789012", region="us-east-1")
    shared = cdk.Stack(app, "Shared", env=env)
    serving = cdk.Stack(app, "Serving", env=env)
    bucket = s3.Bucket(shared, "Artifacts")
    repo = ecr.Repository(shared, "Images")
    RealTimeEndpoint(serving, "Rt", instance_type="ml.m5.large", traffic=TRAFFIC, model=ModelSpec(
        image=ContainerImage.from_repository(repo, "v1"),
        model_data=ModelData.from_bucket(bucket, "fraud/v2/model.tar.gz")))
    assembly = app.synth()
    exported = {o["Export"]["Name"]: o["Value"] for o in
                assembly.get_stack_by_name("Shared").template["Outputs"].values()}
    template = assembly.get_stack_by_name("Serving").template
    [policy] = [r["Properties"]["PolicyDocument"] for r in template["Resources"].values()
                if r["Type"] == "AWS::IAM::ManagedPolicy"]
    imports = json.dumps(policy)
    # The role pulls from that repository and reads that object, through the exports.
    used = [name for name in exported if name in imports]
    assert {json.dumps(exported[n]) for n in used} >= {
        json.dumps({"Fn::GetAtt": [k, "Arn"]}) for k, r in
        assembly.get_stack_by_name("Shared").template["Resources"].items()
        if r["Type"] in ("AWS::S3::Bucket", "AWS::ECR::Repository")}
    assert '"/fraud/v2/model.tar.gz"' in imports
