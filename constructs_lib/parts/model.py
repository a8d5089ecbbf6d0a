"""The model: its containers (image, model data, environment), the role it runs as, and the
``AWS::SageMaker::Model``.

Every property of a model is create-only: CloudFormation names it, so a new image or artifact
replaces the model (and the endpoint config that names it) without touching the endpoint. One
container is the model's ``PrimaryContainer``; a multi-container model (2-15) lists
``Containers`` with its ``InferenceExecutionConfig`` (``Serial``: an inference pipeline;
``Direct``: one container per request, by hostname).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..spec.model import ModelSpec
from .compliance import CHECKOV_NETWORK_ISOLATION, Compliance
from .iam import ManagedRole, execution_role
from .sources import Access, Container, bind_container

__all__ = ["Container", "ModelResources", "build_model"]


@dataclass(frozen=True)
class ModelResources:
    """A model and the role it runs as (created here, or the one given)."""

    model: sagemaker.CfnModel
    role: ManagedRole | None
    """The role created for the model (None when one was given)."""
    role_arn: str
    given_role: iam.IRole | None
    access: Access
    """What the model's containers need (another role that acts for the model grants it)."""


def build_model(scope: Construct, spec: ModelSpec, *, partition: str, region: str,
                account: str, compliance: Compliance, isolation_reason: str,
                vpc_config: sagemaker.CfnModel.VpcConfigProperty | None = None,
                network_isolation: bool = False, multi_model_cache: str | None = None,
                extra: Sequence[dict[str, Any]] = ()) -> ModelResources:
    """``spec`` as an ``AWS::SageMaker::Model`` (``Model``) under ``scope``, running as
    ``spec.execution_role`` or a least-privilege ``ExecutionRole`` created for exactly its
    images and data (``extra`` statements join it); without network isolation,
    ``isolation_reason`` says why (to checkov). ``multi_model_cache``: a multi-model container
    serving every artifact under the model data prefix."""
    access = Access()
    several = spec.multi_container
    containers = [
        bind_container(scope, one, access, name=f"Container{i + 1}" if several else "Model",
                       partition=partition, region=region, multi_model_cache=multi_model_cache)
        for i, one in enumerate(spec.container_specs)]
    role, role_arn = execution_role(
        scope, "ExecutionRole", spec.execution_role, access, partition=partition, region=region,
        account=account, compliance=compliance, vpc=vpc_config is not None, extra=extra)
    model = sagemaker.CfnModel(
        scope, "Model", execution_role_arn=role_arn,
        primary_container=None if several else containers[0],
        containers=containers if several else None,
        inference_execution_config=sagemaker.CfnModel.InferenceExecutionConfigProperty(
            mode=spec.inference_execution_mode) if several else None,
        vpc_config=vpc_config, enable_network_isolation=True if network_isolation else None)
    if not network_isolation:
        compliance.skip_checkov(model, CHECKOV_NETWORK_ISOLATION, isolation_reason)
    return ModelResources(model, role, role_arn, spec.execution_role, access)
