"""Least-privilege execution role for a SageMaker model.

Statements are built as plain JSON and handed to jsii once (``PolicyDocument.from_json``):
one round trip per role instead of one per statement. The template is the same.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import ModelSpec, parse_s3_uri
from . import nag
from .context import stack_env

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer"]
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets", "ec2:DescribeVpcs",
]


@cache
def _aws_partition() -> str:
    """``cdk.Aws.PARTITION``: a constant token, read over jsii once per process."""
    return cdk.Aws.PARTITION


@cache
def _sagemaker_principal() -> iam.ServicePrincipal:
    """One immutable principal shared by every role (it renders the same in any stack)."""
    return iam.ServicePrincipal("sagemaker.amazonaws.com")


def _statement(sid: str, actions: list[str], resources: list[str],
               conditions: dict[str, Any] | None = None) -> dict[str, Any]:
    """An IAM statement as ``PolicyStatement.from_json`` reads it."""
    out: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions,
                           "Resource": resources}
    if conditions:
        out["Condition"] = conditions
    return out


def model_access_statement_json(model: ModelSpec, *, artifact_prefix: str | None = None
                                ) -> list[dict[str, Any]]:
    """Read the model artifact (object or prefix) and pull its image's repository only."""
    account, region, repo = model.ecr_repository
    partition = _aws_partition()
    statements = [
        _statement("PullModelImage", ECR_PULL_ACTIONS,
                   [f"arn:{partition}:ecr:{region}:{account}:repository/{repo}"]),
        # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
        _statement("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
    ]
    source = artifact_prefix or model.model_data_url
    if source:
        bucket, key = parse_s3_uri(source)
        is_prefix = key == "" or key.endswith("/")
        objects = f"arn:{partition}:s3:::{bucket}/{key}*" if is_prefix else (
            f"arn:{partition}:s3:::{bucket}/{key}"
        )
        statements.append(_statement("ReadModelArtifact", ["s3:GetObject"], [objects]))
        if is_prefix:
            statements.append(_statement(
                "ListModelPrefix", ["s3:ListBucket"], [f"arn:{partition}:s3:::{bucket}"],
                {"StringLike": {"s3:prefix": [f"{key}*"]}},
            ))
    return statements


def model_access_statements(model: ModelSpec, *, artifact_prefix: str | None = None
                            ) -> list[iam.PolicyStatement]:
    """:func:`model_access_statement_json` as ``PolicyStatement`` objects."""
    return [iam.PolicyStatement.from_json(s)
            for s in model_access_statement_json(model, artifact_prefix=artifact_prefix)]


class ExecutionRole(iam.Role):
    """A role whose permissions live in one customer-managed policy, never an inline one.

    Statements added later (``bucket.grant_put(role)``, ``role.add_to_principal_policy``) go
    into the same managed policy instead of CDK's inline ``DefaultPolicy``, so the role stays
    clean under HIPAA's no-inline-policy rule, and the role (hence the model that names it)
    is only created once every permission exists.
    """

    def __init__(self, scope: Construct, construct_id: str, *, policy: iam.ManagedPolicy,
                 **kwargs: object) -> None:
        super().__init__(scope, construct_id, managed_policies=[policy], **kwargs)  # type: ignore[arg-type]
        self.policy = policy

    def add_to_principal_policy(self, statement: iam.PolicyStatement
                                ) -> iam.AddToPrincipalPolicyResult:
        self.policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.policy)


def execution_role(scope: Construct, construct_id: str, model: ModelSpec, *,
                   vpc: bool = False, artifact_prefix: str | None = None) -> iam.Role:
    """A role SageMaker assumes to run ``model``: its artifact, its image, its logs, its metrics.

    Its statements sit in one customer-managed policy (``role.policy``), built as plain JSON
    and handed to jsii once (``PolicyDocument.from_json``); the wildcards AWS requires are
    acknowledged for cdk-nag on that policy, each with its reason.
    """
    partition, region, account = stack_env(scope)
    # What ``stack.format_arn(service="logs", resource="log-group", resource_name=...,
    # arn_format=COLON_RESOURCE_NAME)`` builds, from the stack's partition/region/account.
    log_groups = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/*"
    statements = model_access_statement_json(model, artifact_prefix=artifact_prefix)
    statements += [
        _statement("WriteEndpointLogs",
                   ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                    "logs:PutLogEvents"],
                   [log_groups]),
        # PutMetricData has no resource-level permissions; the namespace condition scopes it.
        _statement("PutEndpointMetrics", ["cloudwatch:PutMetricData"], ["*"],
                   {"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker*",
                                                            "/aws/sagemaker/*"]}}),
    ]
    if vpc:
        # EC2 network-interface actions for VPC-attached models; Describe* take no resource ARN.
        statements.append(_statement("AttachToVpc", VPC_ACTIONS, ["*"]))
    policy = iam.ManagedPolicy(
        scope, f"{construct_id}Policy",
        description="SageMaker execution role permissions (least privilege, constructs_lib)",
        document=iam.PolicyDocument.from_json({"Version": "2012-10-17", "Statement": statements}),
    )
    nag.acknowledge(policy, f"{nag.IAM_WILDCARD}[Resource::*]",
                    nag.REASON_ECR_LOGIN + ("; " + nag.REASON_VPC if vpc else ""))
    nag.acknowledge_wildcard(policy, log_groups, nag.REASON_LOG_GROUPS)
    source = artifact_prefix or model.model_data_url
    if source:
        bucket, key = parse_s3_uri(source)
        if key == "" or key.endswith("/"):
            nag.acknowledge_wildcard(
                policy, f"arn:{_aws_partition()}:s3:::{bucket}/{key}*",
                nag.REASON_ARTIFACT_PREFIX)
    return ExecutionRole(
        scope,
        construct_id,
        policy=policy,
        assumed_by=_sagemaker_principal(),
        description="SageMaker execution role (least privilege, created by constructs_lib)",
    )


def service_role(scope: Construct, construct_id: str, *, assumed_by: iam.IPrincipal,
                 description: str, role_class: type[ExecutionRole] = ExecutionRole
                 ) -> ExecutionRole:
    """A role for an AWS service other than SageMaker (Step Functions, EventBridge Scheduler)
    in the same shape as the execution role: one customer-managed policy ``<id>Policy``, empty
    until CDK grants add their statements to it (so never an inline ``DefaultPolicy``)."""
    policy = iam.ManagedPolicy(scope, f"{construct_id}Policy",
                               description=f"{description} (least privilege, constructs_lib)")
    return role_class(scope, construct_id, policy=policy, assumed_by=assumed_by,
                      description=f"{description} (created by constructs_lib)")
