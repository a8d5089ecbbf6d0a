"""Least-privilege roles: the execution role SageMaker assumes to run a model, and service roles.

Each role is two L1 resources (``<id>Policy``, a customer-managed policy holding every
statement, and ``<id>``, the role using it: never an inline policy), created from plain JSON with
one jsii call each (``emit.py``), at the paths ``iam.ManagedPolicy`` and ``iam.Role`` would give.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import ModelSpec, parse_s3_uri
from . import nag
from .emit import PARTITION, Emitter, Ref, join, policy_document, statement

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer"]
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets", "ec2:DescribeVpcs",
]


SAGEMAKER_TRUST = {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                  "Principal": {"Service": "sagemaker.amazonaws.com"}}],
                   "Version": "2012-10-17"}
EXECUTION_POLICY_DESCRIPTION = (
    "SageMaker execution role permissions (least privilege, constructs_lib)")
EXECUTION_ROLE_DESCRIPTION = (
    "SageMaker execution role (least privilege, created by constructs_lib)")


class EmittedRole:
    """A role and its one customer-managed policy, as ``cdk.CfnResource`` objects.

    The policy's statements are plain JSON kept here: :meth:`add_statements` after creation
    rewrites the document with one property override (so later permissions stay in the same
    managed policy, never an inline one).
    """

    def __init__(self, construct_id: str, role: Ref, policy: Ref,
                 statements: list[dict[str, Any]]) -> None:
        self.construct_id = construct_id
        self._imported: iam.IRole | None = None
        self.role = role
        self.policy = policy
        self.statements = statements

    @property
    def arn(self) -> Any:
        return self.role.att("Arn")

    def add_statements(self, *statements: dict[str, Any]) -> None:
        self.statements.extend(statements)
        self.policy.cfn.add_property_override("PolicyDocument.Statement", self.statements)


def emit_role(emit: Emitter, construct_id: str, *, trust: dict[str, Any], description: str,
              policy_description: str, statements: list[dict[str, Any]]) -> EmittedRole:
    """``<id>Policy`` (an ``AWS::IAM::ManagedPolicy``) and ``<id>`` (an ``AWS::IAM::Role``
    using it), at the paths the L2 ``iam.ManagedPolicy`` and ``iam.Role`` would have."""
    policy = emit.resource(f"{construct_id}Policy/Resource", "AWS::IAM::ManagedPolicy", {
        "Description": policy_description,
        "Path": "/",
        "PolicyDocument": policy_document(statements),
    })
    role = emit.resource(f"{construct_id}/Resource", "AWS::IAM::Role", {
        "AssumeRolePolicyDocument": trust,
        "Description": description,
        "ManagedPolicyArns": [policy.ref],
    })
    return EmittedRole(construct_id, role, policy, statements)


def execution_statements(emit: Emitter, model: ModelSpec, *, region: Any, account: Any,
                         vpc: bool = False, artifact_prefix: str | None = None
                         ) -> list[dict[str, Any]]:
    """The execution role's statements (model image and artifact, logs, metrics, VPC), and
    the acknowledgements of the wildcards AWS requires, recorded on ``emit``."""
    image_account, image_region, repo = model.ecr_repository
    out = [
        statement(ECR_PULL_ACTIONS, [join("arn:", PARTITION, f":ecr:{image_region}:"
                                          f"{image_account}:repository/{repo}")],
                  sid="PullModelImage"),
        # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
        statement(["ecr:GetAuthorizationToken"], ["*"], sid="EcrLogin"),
    ]
    source = artifact_prefix or model.model_data_url
    if source:
        bucket, key = parse_s3_uri(source)
        is_prefix = key == "" or key.endswith("/")
        objects = join("arn:", PARTITION, f":s3:::{bucket}/{key}" + ("*" if is_prefix else ""))
        out.append(statement(["s3:GetObject"], [objects], sid="ReadModelArtifact"))
        if is_prefix:
            out.append(statement(["s3:ListBucket"], [join("arn:", PARTITION, f":s3:::{bucket}")],
                                 sid="ListModelPrefix",
                                 conditions={"StringLike": {"s3:prefix": [f"{key}*"]}}))
            emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{nag.flatten(objects)}]",
                             nag.REASON_ARTIFACT_PREFIX)
    log_groups = join("arn:", PARTITION, ":logs:", region, ":", account,
                      ":log-group:/aws/sagemaker/*")
    out += [
        statement(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                   "logs:PutLogEvents"], [log_groups], sid="WriteEndpointLogs"),
        # PutMetricData has no resource-level permissions; the namespace condition scopes it.
        statement(["cloudwatch:PutMetricData"], ["*"], sid="PutEndpointMetrics",
                  conditions={"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker*",
                                                                      "/aws/sagemaker/*"]}}),
    ]
    if vpc:
        # EC2 network-interface actions for VPC-attached models; Describe* take no resource ARN.
        out.append(statement(VPC_ACTIONS, ["*"], sid="AttachToVpc"))
    emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::*]",
                     nag.REASON_ECR_LOGIN + ("; " + nag.REASON_VPC if vpc else ""))
    emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{nag.flatten(log_groups)}]",
                     nag.REASON_LOG_GROUPS)
    return out


def emit_execution_role(emit: Emitter, construct_id: str, model: ModelSpec, *, region: Any,
                        account: Any, vpc: bool = False, artifact_prefix: str | None = None,
                        extra: list[dict[str, Any]] | None = None) -> EmittedRole:
    """The least-privilege role SageMaker assumes to run ``model`` (see :func:`execution_role`),
    as two L1 resources; ``extra`` statements join its managed policy."""
    statements = execution_statements(emit, model, region=region, account=account, vpc=vpc,
                                      artifact_prefix=artifact_prefix)
    return emit_role(emit, construct_id, trust=SAGEMAKER_TRUST,
                     description=EXECUTION_ROLE_DESCRIPTION,
                     policy_description=EXECUTION_POLICY_DESCRIPTION,
                     statements=statements + list(extra or ()))


def imported_role(owner: Construct, emitted: EmittedRole) -> iam.IRole:
    """``emitted`` as an ``iam.IRole`` for CDK APIs (grants), created on first use and kept.

    Mutable: ``bucket.grant_read(endpoint.role)`` attaches an ``AWS::IAM::Policy`` to the role,
    as for any role CDK did not create itself. (The construct's own permissions stay in its
    customer-managed policy.)"""
    if emitted._imported is None:
        emitted._imported = iam.Role.from_role_arn(owner, f"{emitted.construct_id}Import",
                                                   emitted.role.token("Arn"))
    return emitted._imported


def model_role(emit: Emitter, construct_id: str, model: ModelSpec, *, region: Any, account: Any,
               vpc: bool = False, artifact_prefix: str | None = None,
               extra: list[dict[str, Any]] | None = None) -> tuple[EmittedRole | None, Any]:
    """The role a model runs as: ``model.execution_role`` when given (None is returned for the
    created role, and its ARN: one jsii call), else a least-privilege role created here.
    Returns (the created role or None, the role's ARN as CloudFormation JSON)."""
    given = model.execution_role
    if given is not None:
        return None, given.role_arn
    emitted = emit_execution_role(emit, construct_id, model, region=region, account=account,
                                  vpc=vpc, artifact_prefix=artifact_prefix, extra=extra)
    return emitted, emitted.arn


def role_handle(owner: Construct, model: ModelSpec, emitted: EmittedRole | None) -> iam.IRole:
    """What a construct's ``role`` returns: the role given in ``model``, else the created one
    imported for CDK APIs (:func:`imported_role`)."""
    if model.execution_role is not None:
        return model.execution_role  # type: ignore[no-any-return]
    assert emitted is not None
    return imported_role(owner, emitted)
