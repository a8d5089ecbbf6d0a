"""Compliance acknowledgements: the cdk-nag findings a construct library cannot settle for its
user, acknowledged inside the constructs, each with its specific reason.

cdk-nag 3.x reads acknowledgements recorded with CDK core's ``cdk.Validations.of(scope)
.acknowledge(...)`` (inherited by every resource below ``scope``), so a user who runs the
AwsSolutions or HIPAA Security packs over their own stack gets the same clean result as our
tests, and every acknowledgement carries its reason into ``validation-report.json`` audits.

Rules that report one finding per wildcard (``AwsSolutions-IAM5``) are acknowledged per finding,
``AwsSolutions-IAM5[Resource::<resource as cdk-nag flattens it>]``: at synth, from the policy
document as it resolves then (so a renamed or overridden logical ID is what is acknowledged).
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from constructs import Construct, IConstruct

__all__ = ["Compliance", "flatten"]

IAM_WILDCARD = "AwsSolutions-IAM5"
S3_ACCESS_LOGS = ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled")
S3_REPLICATION = "HIPAA.Security-S3BucketReplicationEnabled"
S3_KMS_DEFAULT = "HIPAA.Security-S3DefaultEncryptionKMS"
ENDPOINT_CONFIG_KMS = "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured"
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
REASON_REPLICATION = (
    "cross-region replication needs a destination bucket in a second region, a "
    "disaster-recovery choice of the application; versioning is on so it can be added"
)
CHECKOV_NETWORK_ISOLATION = "CKV_AWS_370"
CHECKOV_BUCKET_LOGGING = "CKV_AWS_18"
CHECKOV_LOG_GROUP_KMS = "CKV_AWS_158"
CHECKOV_UNCONSTRAINED_WRITE = "CKV_AWS_111"
CHECKOV_PERMISSIONS_MANAGEMENT = "CKV_AWS_109"

REASON_ACCESS_LOG_BUCKET = (
    "the server-access-log bucket of the construct's bucket; logging it into itself would loop"
)
REASON_SERVERLESS_ISOLATION = (
    "SageMaker Serverless Inference does not support network isolation on a serverless "
    "endpoint's model"
)
REASON_SERVERLESS_KMS = (
    "serverless endpoints have no ML storage volume of yours: KmsKeyId encrypts an instance's "
    "storage volume, which serverless inference does not expose (SageMaker encrypts it with an "
    "AWS owned key)"
)


def no_kms_reason(instance_type: str, local_nvme: bool) -> str:
    """Why an endpoint config of ``instance_type`` carries no KMS key."""
    if local_nvme:
        return (f"{instance_type} has local NVMe storage, encrypted by a hardware module on the "
                "instance; SageMaker refuses KmsKeyId for it, so this construct sets no KMS key")
    return ("no kms_key was passed: SageMaker encrypts the ML storage volume with an AWS managed "
            "key; pass kms_key (a customer-managed key with rotation) where a customer key is "
            "required")


def isolation_reason(kind: str, configurable: bool) -> str:
    """Why a model of ``kind`` runs without network isolation."""
    if configurable:
        return (f"network_isolation=False ({kind}'s default): the container keeps outbound "
                "network access, which containers that download weights or call services at "
                "start-up need; pass network_isolation=True to set EnableNetworkIsolation")
    return (f"{kind} does not expose network isolation yet: the container keeps outbound "
            "network access, which containers that download weights or call services at "
            "start-up need (RealTimeEndpoint's network_isolation=True sets it)")


class Compliance:
    """The acknowledgements of one construct, recorded at synth (so they read the final
    template), each on the construct it is about (by default the owner: it covers every
    resource below it). The same rule acknowledged twice on one scope keeps both reasons."""

    def __init__(self, owner: Construct, stack: cdk.Stack) -> None:
        self._owner = owner
        self._stack = stack
        """The owner's stack (resolves the documents at synth)."""
        self._reasons: dict[int, tuple[IConstruct, dict[str, str]]] = {}
        self._documents: list[dict[str, Any]] = []
        self._explained: dict[int, tuple[dict[str, Any], str]] = {}
        self._resources: list[tuple[IConstruct, list[Any], str]] = []
        self._skips: dict[int, tuple[cdk.CfnResource, list[dict[str, str]]]] = {}

    def acknowledge(self, rule_id: str, reason: str, scope: IConstruct | None = None) -> None:
        """Acknowledge ``rule_id`` (or ``Rule[finding]``) for ``scope`` (default: the owner)
        and everything below it."""
        target = scope if scope is not None else self._owner
        reasons = self._reasons.setdefault(id(target), (target, {}))[1]
        known = reasons.get(rule_id)
        if known is None:
            reasons[rule_id] = reason
        elif reason not in known:
            reasons[rule_id] = f"{known}; {reason}"

    def watch(self, document: dict[str, Any]) -> None:
        """A policy document (``{"Statement": [...]}``) of the owner's, whose explained
        statements are acknowledged at synth."""
        self._documents.append(document)

    def explain(self, statement: dict[str, Any], reason: str) -> dict[str, Any]:
        """Acknowledge ``AwsSolutions-IAM5`` for every wildcard resource of ``statement`` (in a
        watched document) with ``reason``. Returns the statement."""
        self._explained[id(statement)] = (statement, reason)
        return statement

    def acknowledge_resources(self, scope: IConstruct, resources: list[Any], reason: str) -> None:
        """Acknowledge ``AwsSolutions-IAM5`` for each of ``resources`` (strings or tokens: the
        wildcard ARNs the library granted to ``scope``, a user's role, say)."""
        self._resources.append((scope, resources, reason))

    def skip_checkov(self, resource: cdk.CfnResource, check_id: str, reason: str) -> None:
        """Skip checkov's ``check_id`` on ``resource`` with ``reason`` (checkov's convention:
        ``Metadata.checkov.skip[{id, comment}]`` on the resource)."""
        self._skips.setdefault(id(resource), (resource, []))[1].append(
            {"id": check_id, "comment": reason})

    def record(self) -> None:
        """Write every acknowledgement (once, at synth: the construct's ``at_synth``)."""
        # Every resource to check for wildcards, resolved in one round trip: the explained
        # statements' (in the owner's documents, in order), then the ones granted to others.
        pending: list[tuple[IConstruct, Any, str]] = [
            (self._owner, statement.get("Resource", []), explained[1])
            for document in self._documents for statement in document["Statement"]
            if (explained := self._explained.get(id(statement))) is not None]
        pending += self._resources
        if pending:
            resolved = self._stack.resolve([resources for _, resources, _ in pending])
            for (scope, _, reason), final in zip(pending, resolved, strict=True):
                self._wildcards(scope, final, reason)
        self._documents.clear()
        self._resources.clear()
        for resource, skips in self._skips.values():
            resource.add_metadata("checkov", {"skip": skips})
        self._skips.clear()
        for scope, reasons in self._reasons.values():
            cdk.Validations.of(scope).acknowledge(*[
                cdk.Acknowledgment(id=rule, reason=reason) for rule, reason in reasons.items()])
        self._reasons.clear()

    def _wildcards(self, scope: IConstruct, resources: Any, reason: str) -> None:
        for resource in resources if isinstance(resources, list) else [resources]:
            flat = flatten(resource)
            if "*" in flat:
                self.acknowledge(f"{IAM_WILDCARD}[Resource::{flat}]", reason, scope)


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
