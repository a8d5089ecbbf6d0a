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
from .emit import PARTITION, Emitter, Ref, join, policy_document, statement

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


# --- L1 emission (one jsii call per resource) -----------------------------------------------

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
