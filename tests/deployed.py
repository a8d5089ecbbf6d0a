"""Per-resource-type checks of a deployed stack: what boto3 (pointed at the local AWS) finds for
each resource of a synthesized template, and whether it is gone after `cdk destroy`.

Written against resource types, not stack names, so new example stacks are checked as they land:
a type moto creates gets `CREATED[type]` (exists + properties match the template); a type moto
accepts but does not create gets a template check in `TEMPLATE_ONLY[type]`, with the reason.
A type in neither fails the test with a pointer here.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass
class Ctx:
    """What checks need: clients, the account, and logical id -> physical id of the stack."""

    aws: Any
    account: str
    region: str
    physical: dict[str, str]

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def resolve(self, value: Any) -> Any:
        """A template value as deployed, or None when it cannot be known here (then skipped)."""
        if not isinstance(value, dict) or len(value) != 1:
            return value
        (key, arg), = value.items()
        if key == "Ref":
            pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account,
                      "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
            return pseudo.get(arg, self.physical.get(arg))
        if key == "Fn::GetAtt":
            logical_id, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            physical = self.physical.get(logical_id)
            if physical is None:
                return None
            if attr.endswith("Name") and physical.startswith("arn:aws:sagemaker:"):
                return physical.split("/")[-1]
            if attr == "Arn" and not physical.startswith("arn:"):
                return None  # role/bucket ARNs: compared by name elsewhere
            return physical if attr in ("Arn", "TopicArn") else None
        if key == "Fn::Join":
            parts = [self.resolve(p) for p in arg[1]]
            return None if any(p is None for p in parts) else arg[0].join(map(str, parts))
        return value if not key.startswith("Fn::") else None


def matches(ctx: Ctx, deployed: Any, template: Any, where: str) -> None:
    """Every value the template states (after resolving intrinsics) is what was deployed."""
    if isinstance(template, dict) and len(template) == 1 and (
            next(iter(template)) == "Ref" or next(iter(template)).startswith("Fn::")):
        template = ctx.resolve(template)
        if template is None:
            return
    if isinstance(template, dict):
        assert isinstance(deployed, dict), f"{where}: deployed {deployed!r}"
        for key, value in template.items():
            assert key in deployed, f"{where}.{key} missing from deployed {sorted(deployed)}"
            matches(ctx, deployed[key], value, f"{where}.{key}")
    elif isinstance(template, list):
        assert isinstance(deployed, list) and len(deployed) == len(template), \
            f"{where}: deployed {deployed!r}, template {template!r}"
        for i, (d, t) in enumerate(zip(deployed, template, strict=True)):
            matches(ctx, d, t, f"{where}[{i}]")
    elif isinstance(template, (int, float)) and not isinstance(template, bool):
        assert float(deployed) == float(template), f"{where}: {deployed!r} != {template!r}"
    else:
        assert deployed == template, f"{where}: {deployed!r} != {template!r}"


def _missing(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError:
        return True
    return False


def _name(physical: str) -> str:
    return physical.split("/")[-1]


def _check_model(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    model = ctx.client("sagemaker").describe_model(ModelName=_name(physical))
    for key in ("PrimaryContainer", "Containers", "VpcConfig", "EnableNetworkIsolation"):
        if key in props:
            matches(ctx, model.get(key), props[key], f"Model.{key}")
    role = ctx.resolve(props["ExecutionRoleArn"]) or ""
    assert model["ExecutionRoleArn"].startswith("arn:aws:iam::"), model["ExecutionRoleArn"]
    assert role in ("", model["ExecutionRoleArn"]), (role, model["ExecutionRoleArn"])


def _check_endpoint_config(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    config = ctx.client("sagemaker").describe_endpoint_config(EndpointConfigName=_name(physical))
    for key in ("ProductionVariants", "DataCaptureConfig", "AsyncInferenceConfig", "KmsKeyId"):
        if key in props:  # variants: names, models, instance type/count, weight, serverless
            matches(ctx, config.get(key), props[key], f"EndpointConfig.{key}")


def _check_endpoint(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    endpoint = ctx.client("sagemaker").describe_endpoint(EndpointName=_name(physical))
    assert endpoint["EndpointStatus"] == "InService", endpoint["EndpointStatus"]
    assert endpoint["EndpointArn"] == physical
    named, wanted = endpoint["EndpointConfigName"], ctx.resolve(props["EndpointConfigName"])
    if named != wanted:
        # moto gap: when an update replaces the endpoint config, moto's CloudFormation does not
        # update the endpoint whose EndpointConfigName (a GetAtt) now resolves differently; it
        # keeps naming the old config, which moto has deleted. AWS updates it in place.
        assert _missing(lambda: ctx.client("sagemaker").describe_endpoint_config(
            EndpointConfigName=named)), f"endpoint names {named}, stack has {wanted}"
    # moto's CloudFormation names every endpoint itself and ignores a fixed EndpointName (the
    # rollback-alarm examples set one); SageMaker honours it. Checked in the template instead.
    if "EndpointName" in props:
        assert isinstance(props["EndpointName"], str) and props["EndpointName"]


def _document(value: Any) -> Any:
    """A policy document as moto returns it: a dict, JSON, or (from CloudFormation) a repr."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return ast.literal_eval(value)


def _check_role(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    role = ctx.client("iam").get_role(RoleName=_name(physical))["Role"]
    document = _document(role["AssumeRolePolicyDocument"])
    matches(ctx, document, props["AssumeRolePolicyDocument"], "AssumeRolePolicyDocument")


def _check_policy(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    # By statement count on any inline policy of each role: after an update moto attaches the
    # new policy under a name other than the stack's physical id.
    iam = ctx.client("iam")
    wanted = len(props["PolicyDocument"]["Statement"])
    for role in props.get("Roles", []):
        name = ctx.resolve(role)
        if name:
            counts = []
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                document = _document(
                    iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
                counts.append(len(document["Statement"]))
            assert wanted in counts, (name, wanted, counts)


def _check_bucket(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    # moto's CloudFormation applies a bucket's encryption and tags only: versioning, public
    # access block and ownership controls are not set on the bucket it creates, so those are
    # checked in the template (the construct tests) rather than here.
    s3 = ctx.client("s3")
    s3.head_bucket(Bucket=physical)
    if "BucketEncryption" in props:
        rules = s3.get_bucket_encryption(Bucket=physical)["ServerSideEncryptionConfiguration"]
        wanted = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules["Rules"]] \
            == [w["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for w in wanted]


def _check_topic(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    attributes = ctx.client("sns").get_topic_attributes(TopicArn=physical)["Attributes"]
    if "KmsMasterKeyId" in props:
        assert attributes.get("KmsMasterKeyId"), attributes


def _check_state_machine(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    machine = ctx.client("stepfunctions").describe_state_machine(stateMachineArn=physical)
    assert machine["status"] == "ACTIVE"


def _check_rule(ctx: Ctx, physical: str, props: dict[str, Any]) -> None:
    events = ctx.client("events")
    rule = events.describe_rule(Name=physical)
    for key in ("ScheduleExpression", "State"):
        if key in props:
            assert rule[key] == props[key], (key, rule[key], props[key])
    targets = events.list_targets_by_rule(Rule=physical)["Targets"]
    assert len(targets) == len(props.get("Targets", [])), targets


@dataclass(frozen=True)
class Created:
    """A type moto creates: ``check`` it against the template, tell whether it is ``gone``."""

    check: Callable[[Ctx, str, dict[str, Any]], None]
    gone: Callable[[Any, str], bool]


CREATED: dict[str, Created] = {
    "AWS::SageMaker::Model": Created(_check_model, lambda aws, p: _missing(
        lambda: aws.client("sagemaker").describe_model(ModelName=_name(p)))),
    "AWS::SageMaker::EndpointConfig": Created(_check_endpoint_config, lambda aws, p: _missing(
        lambda: aws.client("sagemaker").describe_endpoint_config(EndpointConfigName=_name(p)))),
    "AWS::SageMaker::Endpoint": Created(_check_endpoint, lambda aws, p: _missing(
        lambda: aws.client("sagemaker").describe_endpoint(EndpointName=_name(p)))),
    "AWS::IAM::Role": Created(_check_role, lambda aws, p: _missing(
        lambda: aws.client("iam").get_role(RoleName=_name(p)))),
    "AWS::IAM::Policy": Created(_check_policy, lambda aws, p: True),  # goes with its roles
    "AWS::S3::Bucket": Created(_check_bucket, lambda aws, p: _missing(
        lambda: aws.client("s3").head_bucket(Bucket=p))),
    "AWS::SNS::Topic": Created(_check_topic, lambda aws, p: _missing(
        lambda: aws.client("sns").get_topic_attributes(TopicArn=p))),
    "AWS::StepFunctions::StateMachine": Created(_check_state_machine, lambda aws, p: _missing(
        lambda: aws.client("stepfunctions").describe_state_machine(stateMachineArn=p))),
    "AWS::Events::Rule": Created(_check_rule, lambda aws, p: _missing(
        lambda: aws.client("events").describe_rule(Name=p))),
}


def refs(value: Any) -> set[str]:
    """Logical ids a template value points to (Ref, Fn::GetAtt), at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else arg.split(".")[0])
            else:
                found |= refs(arg)
    elif isinstance(value, list):
        for item in value:
            found |= refs(item)
    return found


def _types(resources: dict[str, Any], ids: set[str]) -> set[str]:
    return {resources[i]["Type"] for i in ids if i in resources}


def _scalable_target(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert props["ServiceNamespace"] == "sagemaker"
    assert 0 <= props["MinCapacity"] <= props["MaxCapacity"]
    # endpoint/<name>/variant/<variant> or inference-component/<name>, built from this stack's
    # endpoint (or component) so the target follows it on replacement
    assert _types(resources, refs(props["ResourceId"])) & {
        "AWS::SageMaker::Endpoint", "AWS::SageMaker::InferenceComponent"}, props["ResourceId"]
    if props["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount":
        variant = props["ResourceId"]["Fn::Join"][1][-1].rsplit("/", 1)[-1]
        variants = {v["VariantName"] for r in resources.values()
                    if r["Type"] == "AWS::SageMaker::EndpointConfig"
                    for v in r["Properties"]["ProductionVariants"]}
        assert variant in variants, (variant, variants)


def _scaling_policy(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert props["PolicyType"] in ("TargetTrackingScaling", "StepScaling")
    assert _types(resources, refs(props.get("ScalingTargetId"))) == {
        "AWS::ApplicationAutoScaling::ScalableTarget"} or "ResourceId" in props, props


def _alarm(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert ("MetricName" in props and "Namespace" in props) or "Metrics" in props, props
    assert props["EvaluationPeriods"] >= 1 and props["ComparisonOperator"]
    for action in props.get("AlarmActions", []) + props.get("OKActions", []):
        assert refs(action) <= set(resources), action


def _bucket_policy(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert _types(resources, refs(props["Bucket"])) == {"AWS::S3::Bucket"}
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition"))
               for s in props["PolicyDocument"]["Statement"]), "bucket policy must deny non-SSL"


def _topic_policy(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert _types(resources, refs(props["Topics"])) == {"AWS::SNS::Topic"}
    assert props["PolicyDocument"]["Statement"]


def _subscription(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert props["Protocol"] and props.get("Endpoint")
    assert _types(resources, refs(props["TopicArn"])) <= {"AWS::SNS::Topic"}


def _schedule(resources: dict[str, Any], props: dict[str, Any]) -> None:
    assert props["ScheduleExpression"].startswith(("cron(", "rate(", "at("))
    assert props["Target"]["Arn"] and props["Target"]["RoleArn"]


def _inference_component(resources: dict[str, Any], props: dict[str, Any]) -> None:
    """On this stack's endpoint, on a variant with managed instance scaling and no model of its
    own, running one of this stack's models with its compute reserved, created with a copy,
    and scaled by a target that names it."""
    assert _types(resources, refs(props["EndpointName"])) == {"AWS::SageMaker::Endpoint"}, props
    spec = props["Specification"]
    assert _types(resources, refs(spec["ModelName"])) == {"AWS::SageMaker::Model"}, spec
    assert spec["ComputeResourceRequirements"]["MinMemoryRequiredInMb"] >= 128, spec
    assert props["RuntimeConfig"]["CopyCount"] >= 1, props  # SageMaker creates at least one
    hosts = [v for r in resources.values() if r["Type"] == "AWS::SageMaker::EndpointConfig"
             for v in r["Properties"]["ProductionVariants"]
             if v["VariantName"] == props["VariantName"]]
    assert hosts and all("ModelName" not in v and v["ManagedInstanceScaling"]["Status"]
                         == "ENABLED" for v in hosts), hosts
    component = next(lid for lid, r in resources.items() if r.get("Properties") is props)
    assert any(r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
               and component in refs(r["Properties"]["ResourceId"])
               for r in resources.values()), f"no scalable target names {component}"


def _cdk_metadata(resources: dict[str, Any], props: dict[str, Any]) -> None:
    """CDK's own version-reporting resource: nothing to deploy."""


# moto 5.2.5's CloudFormation accepts these types (a warning, an empty stack-resource entry) but
# creates nothing behind them, so boto3 cannot see them: they are checked in the template.
TEMPLATE_ONLY: dict[str, tuple[str, Callable[[dict[str, Any], dict[str, Any]], None]]] = {
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        "moto's CloudFormation has no Application Auto Scaling resources", _scalable_target),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        "moto's CloudFormation has no Application Auto Scaling resources", _scaling_policy),
    "AWS::CloudWatch::Alarm": ("moto's CloudFormation creates no CloudWatch alarms", _alarm),
    "AWS::S3::BucketPolicy": ("moto's CloudFormation creates no bucket policies", _bucket_policy),
    "AWS::SNS::TopicPolicy": ("moto's CloudFormation creates no topic policies", _topic_policy),
    "AWS::SNS::Subscription": ("moto's CloudFormation creates no subscriptions", _subscription),
    "AWS::Scheduler::Schedule": ("moto's CloudFormation has no EventBridge Scheduler", _schedule),
    # moto 5.2.5 has no inference components at all (neither its SageMaker backend nor its
    # CloudFormation): the stack deploys around them (endpoint config, endpoint, models, roles
    # are created and checked), and each component is checked here and by cfn-lint against
    # the AWS::SageMaker::InferenceComponent schema (tests/test_cfn_lint.py).
    "AWS::SageMaker::InferenceComponent": (
        "moto has no SageMaker inference components", _inference_component),
    "AWS::CDK::Metadata": ("CDK analytics, not an AWS resource", _cdk_metadata),
}


def moto_creates(resource_type: str) -> bool:
    """Whether moto's CloudFormation creates this type (asked of moto itself)."""
    import logging

    from moto.cloudformation.parsing import resource_class_from_type

    logger = logging.getLogger("moto.cloudformation.parsing")
    level = logger.level
    logger.setLevel(logging.ERROR)  # it logs a warning for every type it does not know
    try:
        return resource_class_from_type(resource_type) is not None
    finally:
        logger.setLevel(level)
