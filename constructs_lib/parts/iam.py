"""Least-privilege roles: the execution role SageMaker assumes to run a model, and service roles.

Each role the library creates is an ``iam.CfnRole`` whose permissions sit in one
customer-managed policy (``iam.CfnManagedPolicy``; never an inline policy), written as policy
JSON (CDK renders the tokens in it). ``ManagedRole.imported`` is the role as an ``iam.IRole``
for CDK APIs: grants made through it attach a policy of their own, as for any role CDK did not
create itself; the construct's own permissions stay in its managed policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct

from . import compliance as nag
from .compliance import Compliance
from .sources import Access

__all__ = [
    "ManagedRole",
    "execution_role",
    "grant",
    "policy_document",
    "service_trust",
    "statement",
]

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer"]
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets", "ec2:DescribeVpcs",
]
EXECUTION_ROLE = "SageMaker execution role (least privilege, created by constructs_lib)"
EXECUTION_POLICY = "SageMaker execution role permissions (least privilege, constructs_lib)"


def statement(actions: Sequence[str], resources: Sequence[Any], *, sid: str | None = None,
              conditions: Mapping[str, Any] | None = None,
              principal: Mapping[str, Any] | str | None = None, effect: str = "Allow"
              ) -> dict[str, Any]:
    """One IAM policy statement as JSON, in IAM's normal form (a single action or resource
    unwrapped, duplicates dropped)."""
    out: dict[str, Any] = {"Action": _one_or_many(actions)}
    if conditions:
        out["Condition"] = dict(conditions)
    out["Effect"] = effect
    if isinstance(principal, str):
        out["Principal"] = principal
    elif principal is not None:
        out["Principal"] = {k: _one_or_many(v) if isinstance(v, list) else v
                            for k, v in principal.items()}
    if resources:
        out["Resource"] = _one_or_many(resources)
    if sid is not None:
        out["Sid"] = sid
    return out


def _one_or_many(values: Sequence[Any]) -> Any:
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return unique[0] if len(unique) == 1 else unique


def policy_document(statements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Statement": list(statements), "Version": "2012-10-17"}


def service_trust(service: str, conditions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A trust policy letting ``service`` (``sagemaker.amazonaws.com``...) assume the role."""
    return policy_document([statement(["sts:AssumeRole"], [], conditions=conditions,
                                      principal={"Service": service})])


@jsii.implements(cdk.IAnyProducer)
class _Document:
    """A policy document as it stands when the template is rendered (jsii copies a plain dict
    when the resource is created, so statements added later would be lost)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document

    def produce(self, context: cdk.IResolveContext) -> Any:
        return self._document


class ManagedRole:
    """A role and its one customer-managed policy (``<id>Policy``), as typed L1 resources."""

    def __init__(self, scope: Construct, construct_id: str, *, trust: dict[str, Any],
                 description: str, policy_description: str, statements: list[dict[str, Any]],
                 compliance: Compliance) -> None:
        self._scope = scope
        self._id = construct_id
        self.document = policy_document(statements)
        """The managed policy's document (JSON: add statements with :meth:`add_statements`)."""
        compliance.watch(self.document)
        self.policy = iam.CfnManagedPolicy(
            scope, f"{construct_id}Policy",
            policy_document=cdk.Lazy.uncached_any(_Document(self.document)),
            description=policy_description, path="/")
        self.role = iam.CfnRole(
            scope, construct_id, assume_role_policy_document=trust, description=description,
            managed_policy_arns=[self.policy.ref])
        self.arn: str = self.role.attr_arn
        self._imported: iam.IRole | None = None

    def add_statements(self, *statements: dict[str, Any]) -> None:
        """More permissions, in the same managed policy (rendered at synth)."""
        self.document["Statement"].extend(statements)

    @property
    def imported(self) -> iam.IRole:
        """The role as an ``iam.IRole`` for CDK APIs (created on first use)."""
        if self._imported is None:
            self._imported = iam.Role.from_role_arn(self._scope, f"{self._id}Ref", self.arn)
        return self._imported


def execution_statements(access: Access, *, partition: str, region: str, account: str,
                         vpc: bool, compliance: Compliance) -> list[dict[str, Any]]:
    """Pull the model's images (their repositories only), read its artifacts (the objects, or
    the prefixes, listing only those), decrypt them with their buckets' keys, write its logs
    and metrics, attach to a VPC; wildcards explained to ``compliance``."""
    ecr_login = compliance.explain(
        statement(["ecr:GetAuthorizationToken"], ["*"], sid="EcrLogin"), nag.REASON_ECR_LOGIN)
    out = [
        statement(ECR_PULL_ACTIONS, access.repositories, sid="PullModelImage"),
        ecr_login,  # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
    ]
    if access.objects or access.prefixes:
        read = statement(["s3:GetObject"], access.objects + access.prefixes,
                         sid="ReadModelArtifact")
        out.append(compliance.explain(read, nag.REASON_ARTIFACT_PREFIX) if access.prefixes
                   else read)
    for i, (bucket_arn, key) in enumerate(_unique(access.listings)):
        # A prefix known only at deploy time (a bare token) cannot be cut off its bucket in
        # CloudFormation: the listing is then of that one bucket, names only.
        out.append(statement(
            ["s3:ListBucket"], [bucket_arn], sid="ListModelPrefix" + (str(i + 1) if i else ""),
            conditions=None if key is None else {"StringLike": {"s3:prefix": [f"{key}*"]}}))
    if access.keys:
        out.append(statement(["kms:Decrypt"], access.keys, sid="DecryptModelArtifact"))
    log_groups = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/*"
    out += [
        compliance.explain(statement(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
             "logs:PutLogEvents"], [log_groups], sid="WriteEndpointLogs"),
            nag.REASON_LOG_GROUPS),
        # PutMetricData has no resource-level permissions; the namespace condition scopes it.
        compliance.explain(statement(
            ["cloudwatch:PutMetricData"], ["*"], sid="PutEndpointMetrics",
            conditions={"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker*",
                                                                "/aws/sagemaker/*"]}}),
            nag.REASON_ECR_LOGIN),
    ]
    if vpc:
        # EC2 network-interface actions for VPC-attached models; Describe* take no resource ARN.
        out.append(compliance.explain(statement(VPC_ACTIONS, ["*"], sid="AttachToVpc"),
                                      nag.REASON_VPC))
    return out


def _unique(items: Sequence[Any]) -> list[Any]:
    unique: list[Any] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


def execution_role(scope: Construct, construct_id: str, given: Any, access: Access, *,
                   partition: str, region: str, account: str, compliance: Compliance,
                   vpc: bool = False, extra: Sequence[dict[str, Any]] = ()
                   ) -> tuple[ManagedRole | None, str]:
    """The role a model runs as: ``given`` (an ``iam.IRole``; None is returned for the created
    role) when there is one, else a least-privilege role created here for ``access`` (``extra``
    statements join its managed policy). Returns (the created role or None, the role's ARN)."""
    if given is not None:
        return None, str(given.role_arn)
    role = ManagedRole(
        scope, construct_id, trust=service_trust("sagemaker.amazonaws.com"),
        description=EXECUTION_ROLE, policy_description=EXECUTION_POLICY,
        statements=execution_statements(access, partition=partition, region=region,
                                        account=account, vpc=vpc,
                                        compliance=compliance) + list(extra),
        compliance=compliance)
    if vpc:  # the network-interface actions SageMaker needs take no resource ARN
        for check in (nag.CHECKOV_UNCONSTRAINED_WRITE, nag.CHECKOV_PERMISSIONS_MANAGEMENT):
            compliance.skip_checkov(role.policy, check, nag.REASON_VPC)
    return role, role.arn


def grant(grantee: iam.IGrantable, actions: Sequence[str], resources: Sequence[str]) -> iam.Grant:
    """``iam.Grant.add_to_principal`` of exactly ``actions`` on ``resources``."""
    return iam.Grant.add_to_principal(grantee=grantee, actions=list(actions),
                                      resource_arns=list(resources))

