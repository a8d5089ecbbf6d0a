"""The model: its container (image, artifact, environment) and the ``AWS::SageMaker::Model``.

Every property of a model is create-only: CloudFormation names it, so a new image or artifact
replaces the model (and the endpoint config that names it) without touching the endpoint.
"""

from __future__ import annotations

from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..spec.model import ModelSpec
from .compliance import CHECKOV_NETWORK_ISOLATION, Compliance

__all__ = ["container", "create_model"]

Container = sagemaker.CfnModel.ContainerDefinitionProperty


def container(model: ModelSpec, *, multi_model_cache: str | None = None) -> Container:
    """The model's container; with ``multi_model_cache`` (``Enabled``/``Disabled``) a
    ``MultiModel`` container serving every artifact under the model's prefix."""
    environment = dict(model.environment) or None
    if multi_model_cache is None:
        return Container(image=model.image_uri, model_data_url=model.model_data_url,
                         environment=environment)
    return Container(image=model.image_uri, mode="MultiModel",
                     model_data_url=model.model_data_url, environment=environment,
                     multi_model_config=sagemaker.CfnModel.MultiModelConfigProperty(
                         model_cache_setting=multi_model_cache))


def create_model(scope: Construct, construct_id: str, *, role_arn: str, primary: Container,
                 compliance: Compliance, isolation_reason: str,
                 vpc_config: sagemaker.CfnModel.VpcConfigProperty | None = None,
                 network_isolation: bool = False) -> sagemaker.CfnModel:
    """The ``AWS::SageMaker::Model`` ``construct_id`` running ``primary`` as ``role_arn``;
    without network isolation, ``isolation_reason`` says why (to checkov)."""
    model = sagemaker.CfnModel(scope, construct_id, execution_role_arn=role_arn,
                               primary_container=primary, vpc_config=vpc_config,
                               enable_network_isolation=True if network_isolation else None)
    if not network_isolation:
        compliance.skip_checkov(model, CHECKOV_NETWORK_ISOLATION, isolation_reason)
    return model
