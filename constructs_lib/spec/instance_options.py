"""The production-variant options of a variant on instances, declared once: the endpoint's own
variant (``FleetProps``: RealTimeEndpoint, MultiModelEndpoint; AsyncEndpointProps) and every
added one (``VariantOptions``) take them. Serverless variants have none of them.

Limits and values: botocore's SageMaker model (``ProductionVariant``) and the CloudFormation
schema ``AWS::SageMaker::EndpointConfig`` ``ProductionVariant``, which agree (``limits.py``).
None of them is billed: they change nothing in the estimate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..errors import Problem
from . import limits
from .base import StrictModel
from .instances import instance_facts

__all__ = ["INSTANCE_OPTION_FIELDS", "InstanceOptions", "ami_problems"]

InferenceAmi = Literal[
    "al2-ami-sagemaker-inference-gpu-2", "al2-ami-sagemaker-inference-gpu-2-1",
    "al2-ami-sagemaker-inference-gpu-3-1", "al2023-ami-sagemaker-inference-gpu-4-1",
    "al2-ami-sagemaker-inference-neuron-2"]
NEURON_FAMILIES = ("inf2", "trn1", "trn1n", "trn2")
_LO, _HI = limits.VARIANT_TIMEOUT_S


class InstanceOptions(StrictModel):
    """What LLM hosting needs of a variant's instances, all off by default (SageMaker's
    defaults apply):

    ``container_startup_health_check_timeout_s`` [SageMaker's; 60-3600 s]: how long the
    container may take to answer ``/ping`` after it starts (large models load for minutes);
    ``model_data_download_timeout_s`` [SageMaker's; 60-3600 s]: how long downloading and
    extracting the model data from S3 may take; ``routing_strategy`` [SageMaker's ``RANDOM``]:
    ``LEAST_OUTSTANDING_REQUESTS`` sends each request to the instance with the most spare
    capacity (long, uneven LLM requests; SageMaker's third strategy, ``PREFIX_AWARE``, routes
    among inference-component copies, which these endpoints do not host);
    ``inference_ami_version`` [SageMaker's]: the instance image (NVIDIA driver and CUDA, or
    Neuron driver), ``gpu`` images on GPU instance types only, ``neuron-2`` on
    Inferentia2/Trainium only; ``enable_ssm_access`` [off]: lets operators with
    ``ssm:StartSession`` open a shell in the variant's containers (off: the secure default).
    On an added variant each option left unset is the endpoint's. All literal: SageMaker's
    rules here depend on them.
    """

    container_startup_health_check_timeout_s: int | None = Field(None, ge=_LO, le=_HI)
    model_data_download_timeout_s: int | None = Field(None, ge=_LO, le=_HI)
    routing_strategy: Literal["LEAST_OUTSTANDING_REQUESTS", "RANDOM"] | None = None
    inference_ami_version: InferenceAmi | None = None
    enable_ssm_access: bool | None = None


INSTANCE_OPTION_FIELDS = tuple(InstanceOptions.model_fields)


def ami_problems(ami: str | None, instance_type: str | None, field: str = "inference_ami_version"
                 ) -> list[Problem]:
    """An inference AMI that does not fit the instance type: ``gpu`` images need NVIDIA GPUs,
    ``neuron-2`` needs Inferentia2 or Trainium (botocore's documentation of the values)."""
    if ami is None or instance_type is None:
        return []
    family = instance_type.split(".")[1] if instance_type.count(".") == 2 else ""
    facts = instance_facts(instance_type)
    accelerator = facts.accelerator if facts is not None else None
    neuron = family in NEURON_FAMILIES or (accelerator or "").startswith(("inferentia", "trainium"))
    gpu = (facts.gpu_count > 0) if facts is not None else family.startswith(("g", "p"))
    if "-neuron-" in ami and not neuron:
        return [Problem(field, ami, f"a Neuron image, for Inferentia2 or Trainium instance types "
                                    f"(ml.inf2, ml.trn1, ml.trn2), not {instance_type}")]
    if "-gpu-" in ami and not gpu:
        return [Problem(field, ami, f"an NVIDIA GPU image, for GPU instance types (ml.g*, "
                                    f"ml.p*), not {instance_type}")]
    return []
