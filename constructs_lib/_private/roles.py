"""Least-privilege execution role for a SageMaker model."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import ModelSpec, parse_s3_uri
from . import nag

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer"]
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets", "ec2:DescribeVpcs",
]


def model_access_statements(model: ModelSpec, *, artifact_prefix: str | None = None
                            ) -> list[iam.PolicyStatement]:
    """Read the model artifact (object or prefix) and pull its image's repository only."""
    account, region, repo = model.ecr_repository
    partition = cdk.Aws.PARTITION
    statements = [
        iam.PolicyStatement(
            sid="PullModelImage",
            actions=ECR_PULL_ACTIONS,
            resources=[f"arn:{partition}:ecr:{region}:{account}:repository/{repo}"],
        ),
        # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
        iam.PolicyStatement(sid="EcrLogin", actions=["ecr:GetAuthorizationToken"],
                            resources=["*"]),
    ]
    source = artifact_prefix or model.model_data_url
    if source:
        bucket, key = parse_s3_uri(source)
        is_prefix = key == "" or key.endswith("/")
        objects = f"arn:{partition}:s3:::{bucket}/{key}*" if is_prefix else (
            f"arn:{partition}:s3:::{bucket}/{key}"
        )
        statements.append(iam.PolicyStatement(
            sid="ReadModelArtifact", actions=["s3:GetObject"], resources=[objects]))
        if is_prefix:
            statements.append(iam.PolicyStatement(
                sid="ListModelPrefix", actions=["s3:ListBucket"],
                resources=[f"arn:{partition}:s3:::{bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{key}*"]}},
            ))
    return statements


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

    Its statements sit in one customer-managed policy (``role.policy``); the wildcards AWS
    requires are acknowledged for cdk-nag on that policy, each with its reason.
    """
    stack = cdk.Stack.of(scope)
    statements = model_access_statements(model, artifact_prefix=artifact_prefix)
    log_groups = stack.format_arn(
        service="logs", resource="log-group",
        resource_name="/aws/sagemaker/*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    statements += [
        iam.PolicyStatement(
            sid="WriteEndpointLogs",
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                     "logs:PutLogEvents"],
            resources=[log_groups],
        ),
        # PutMetricData has no resource-level permissions; the namespace condition scopes it.
        iam.PolicyStatement(
            sid="PutEndpointMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
            conditions={"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker*",
                                                                "/aws/sagemaker/*"]}},
        ),
    ]
    if vpc:
        # EC2 network-interface actions for VPC-attached models; Describe* take no resource ARN.
        statements.append(iam.PolicyStatement(sid="AttachToVpc", actions=VPC_ACTIONS,
                                              resources=["*"]))
    policy = iam.ManagedPolicy(
        scope, f"{construct_id}Policy",
        description="SageMaker execution role permissions (least privilege, constructs_lib)",
        statements=statements,
    )
    nag.acknowledge(policy, f"{nag.IAM_WILDCARD}[Resource::*]",
                    nag.REASON_ECR_LOGIN + ("; " + nag.REASON_VPC if vpc else ""))
    nag.acknowledge_wildcard(policy, log_groups, nag.REASON_LOG_GROUPS)
    source = artifact_prefix or model.model_data_url
    if source:
        bucket, key = parse_s3_uri(source)
        if key == "" or key.endswith("/"):
            nag.acknowledge_wildcard(
                policy, f"arn:{cdk.Aws.PARTITION}:s3:::{bucket}/{key}*",
                nag.REASON_ARTIFACT_PREFIX)
    return ExecutionRole(
        scope,
        construct_id,
        policy=policy,
        assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
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
