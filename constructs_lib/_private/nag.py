"""Acknowledge compliance-rule findings inside the constructs, each with its specific reason.

cdk-nag 3.x reads acknowledgements recorded as CDK core's ``cdk.Validations.of(scope)
.acknowledge(...)`` records them (construct metadata, inherited by every resource below
``scope``; the constructs write theirs in one entry each, ``Emitter.acknowledge``), so the
library needs no cdk-nag import at runtime (cdk-nag is a dev dependency). A user who runs the
AwsSolutions or HIPAA Security packs over their own stack gets the same clean result as our
tests, and every acknowledgement carries its reason into ``validation-report.json`` audits.

Rules that report one finding per wildcard (``AwsSolutions-IAM5``) are acknowledged per finding:
``AwsSolutions-IAM5[Resource::<flattened resource>]``, flattened the way cdk-nag does it
(``Ref`` -> ``<Name>``, ``Fn::GetAtt`` -> ``<Res.Attr>``, ``Fn::Join`` joined).
"""

from __future__ import annotations

import json
from typing import Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

IAM_WILDCARD = "AwsSolutions-IAM5"
S3_ACCESS_LOGS = ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled")
S3_REPLICATION = "HIPAA.Security-S3BucketReplicationEnabled"
S3_KMS_DEFAULT = "HIPAA.Security-S3DefaultEncryptionKMS"
ENDPOINT_CONFIG_KMS = "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured"
INLINE_POLICY = "HIPAA.Security-IAMNoInlinePolicy"
LOG_GROUP_KMS = "HIPAA.Security-CloudWatchLogGroupEncrypted"
SFN_TRACING = "AwsSolutions-SF2"

REASON_ECR_LOGIN = (
    "ecr:GetAuthorizationToken has no resource-level permissions (AWS requires Resource '*'); "
    "cloudwatch:PutMetricData has none either and is scoped by a cloudwatch:namespace "
    "condition to SageMaker's namespaces"
)
REASON_LOG_GROUPS = (
    "SageMaker writes to /aws/sagemaker/<Endpoints|TransformJobs>/<name>, and CloudFormation "
    "generates the endpoint's name after the role must exist, so the role is scoped to the "
    "/aws/sagemaker/ log-group prefix of its own account and region"
)
REASON_VPC = (
    "ec2:Describe* and the network-interface actions SageMaker needs to attach a model to a VPC "
    "have no resource-level permissions for the interfaces SageMaker creates"
)
REASON_S3_PREFIX = (
    "SageMaker writes objects under a generated key below the configured prefix; the grant is "
    "limited to that prefix of this one bucket"
)
REASON_ASYNC_PREFIX = (
    "asynchronous inference reads and writes one object per request under a generated key "
    "below a prefix (input, output or failure) of the endpoint's bucket; the grant names exactly "
    "the actions needed on that prefix only"
)
REASON_TRANSFORM_JOBS = (
    "each execution starts a transform job named <prefix>-<execution id>, generated at run "
    "time; the Step Functions SageMaker integration (.sync) creates, describes, tags, lists the "
    "tags of and stops it, so it is limited to transform jobs of this account and region"
)
REASON_LOG_DELIVERY = (
    "logs:CreateLogDelivery and the other CloudWatch Logs vended-delivery actions Step "
    "Functions needs to log a state machine have no resource-level permissions (AWS requires "
    "Resource '*')"
)
REASON_SFN_TRACING = (
    "a two-state machine that starts one transform job and waits: every transition is already "
    "in its execution history and its ALL-level log group; X-Ray tracing would add xray: "
    "permissions on Resource '*' and trace nothing the job's own logs do not show"
)
REASON_STATE_MACHINE_LOGS = (
    "no kms_key was passed: the log group holds state transitions only (execution data is "
    "excluded) and CloudWatch Logs encrypts it at rest with its own keys; pass kms_key for a "
    "customer-managed key"
)
REASON_ARTIFACT_PREFIX = (
    "the model artifact is a prefix (the URL ends in '/'), read-only and limited to it"
)


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one rule (or one ``Rule[finding]``) on ``scope`` and everything below it."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def acknowledge_wildcard(scope: IConstruct, resource: Any, reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for one wildcard resource (a string or token)."""
    acknowledge(scope, f"{IAM_WILDCARD}[Resource::{_flat(scope, resource)}]", reason)


_FLAT: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def _flat(scope: IConstruct, resource: Any) -> str:
    """``flatten(stack.resolve(resource))``, kept per stack for string resources: every
    execution role of a stack acknowledges the same log-group ARN (2 jsii calls each)."""
    from .context import stack_of

    stack = stack_of(scope)  # type: ignore[arg-type]
    if not isinstance(resource, str):
        return flatten(stack.resolve(resource))
    seen = _FLAT.setdefault(stack, {})
    flat = seen.get(resource)
    if flat is None:
        flat = seen[resource] = flatten(stack.resolve(resource))
    return flat


def acknowledge_grant(grantee: Any, resources: list[Any], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for exactly the wildcard ``resources`` a construct of
    the library granted to ``grantee`` (a role, a managed policy), on the construct holding the
    statements: a role's ``policy`` attribute when it is a managed policy, else the grantee
    itself. A grantee that is no construct (an account principal, say) holds no policy to
    check."""
    target = grantee
    policy = getattr(grantee, "policy", None)
    if isinstance(policy, iam.ManagedPolicy):
        target = policy
    if not isinstance(target, Construct):
        return
    for resource in resources:
        acknowledge_wildcard(target, resource, reason)


def flatten(node: Any) -> str:
    """A resolved CloudFormation value as cdk-nag's ``flattenCfnReference`` writes it."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten(item) for item in items)
        if "Fn::Sub" in node:
            return flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten(resource)}.{flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))
