"""Acknowledge compliance-rule findings inside the constructs, each with its specific reason.

cdk-nag 3.x reads acknowledgements recorded with CDK core's ``cdk.Validations.of(scope)
.acknowledge(...)`` (construct metadata, inherited by every resource below ``scope``), so the
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
from constructs import IConstruct

IAM_WILDCARD = "AwsSolutions-IAM5"
S3_ACCESS_LOGS = ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled")
S3_REPLICATION = "HIPAA.Security-S3BucketReplicationEnabled"
S3_KMS_DEFAULT = "HIPAA.Security-S3DefaultEncryptionKMS"
ENDPOINT_CONFIG_KMS = "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured"
INLINE_POLICY = "HIPAA.Security-IAMNoInlinePolicy"

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
REASON_ARTIFACT_PREFIX = (
    "the model artifact is a prefix (the URL ends in '/'), read-only and limited to it"
)


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one rule (or one ``Rule[finding]``) on ``scope`` and everything below it."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def acknowledge_all(scope: IConstruct, rule_ids: tuple[str, ...] | list[str],
                    reason: str) -> None:
    for rule_id in rule_ids:
        acknowledge(scope, rule_id, reason)


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


def acknowledge_wildcard_action(scope: IConstruct, action: str, reason: str) -> None:
    acknowledge(scope, f"{IAM_WILDCARD}[Action::{action}]", reason)


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
