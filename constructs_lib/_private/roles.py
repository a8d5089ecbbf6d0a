"""Least-privilege execution role for a SageMaker model."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import ModelSpec, parse_s3_uri

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


def execution_role(scope: Construct, construct_id: str, model: ModelSpec, *,
                   vpc: bool = False, artifact_prefix: str | None = None) -> iam.Role:
    """A role SageMaker assumes to run ``model``: its artifact, its image, its logs, its metrics."""
    stack = cdk.Stack.of(scope)
    statements = model_access_statements(model, artifact_prefix=artifact_prefix)
    statements += [
        iam.PolicyStatement(
            sid="WriteEndpointLogs",
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                     "logs:PutLogEvents"],
            resources=[stack.format_arn(
                service="logs", resource="log-group",
                resource_name="/aws/sagemaker/*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )],
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
    return iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
        description="SageMaker execution role (least privilege, created by constructs_lib)",
        inline_policies={"ModelAccess": iam.PolicyDocument(statements=statements)},
    )
