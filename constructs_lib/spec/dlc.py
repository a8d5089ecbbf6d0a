"""AWS Deep Learning Containers for inference: the frameworks and versions this library knows,
and the registry account that serves them in each region. Data, with its source; no CDK.

Source: the SageMaker Python SDK's image URI configuration, repository aws/sagemaker-python-sdk
at commit a24812666d258d9d19c9a82d0c9385ca0bd3ba01 (2026-08-21), files
``sagemaker-core/src/sagemaker/core/image_uri_config/pytorch.json`` (``inference`` 2.5.1,
2.6.0), ``huggingface-llm.json`` (``inference`` 3.2.3, 3.3.6: Text Generation Inference) and
``djl-lmi.json`` (``inference`` 0.35.0, 0.36.0: Large Model Inference); tags composed as that
SDK's ``image_uris._format_tag`` does (tag prefix, processor, Python version, container
version, joined by '-'). Every selected version lists the same registry account per region; the
regions below are those every selected version lists, less the isolated partitions (whose
registry hosts are not ``amazonaws.com``). The URI is
``<account>.dkr.ecr.<region>.<URL suffix>/<repository>:<tag>``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DLC_FRAMEWORKS", "DLC_REGISTRY", "DlcImage", "dlc_image"]

DLC_REGISTRY: dict[str, str] = {
    "af-south-1": "626614931356", "ap-east-1": "871362719292", "ap-east-2": "975050140332",
    "ap-northeast-1": "763104351884", "ap-northeast-2": "763104351884",
    "ap-northeast-3": "364406365360", "ap-south-1": "763104351884",
    "ap-south-2": "772153158452", "ap-southeast-1": "763104351884",
    "ap-southeast-2": "763104351884", "ap-southeast-3": "907027046896",
    "ap-southeast-4": "457447274322", "ap-southeast-5": "550225433462",
    "ap-southeast-6": "633930458069", "ap-southeast-7": "590183813437",
    "ca-central-1": "763104351884", "ca-west-1": "204538143572",
    "cn-north-1": "727897471807", "cn-northwest-1": "727897471807",
    "eu-central-1": "763104351884", "eu-central-2": "380420809688",
    "eu-north-1": "763104351884", "eu-south-1": "692866216735", "eu-south-2": "503227376785",
    "eu-west-1": "763104351884", "eu-west-2": "763104351884", "eu-west-3": "763104351884",
    "il-central-1": "780543022126", "me-central-1": "914824155844",
    "me-south-1": "217643126080", "mx-central-1": "637423239942",
    "sa-east-1": "763104351884", "us-east-1": "763104351884", "us-east-2": "763104351884",
    "us-gov-east-1": "446045086412", "us-gov-west-1": "442386744353",
    "us-west-1": "763104351884", "us-west-2": "763104351884",
}
"""Region -> the account of its Deep Learning Containers registry."""


@dataclass(frozen=True)
class _Framework:
    repository: str
    tags: dict[tuple[str, str], str]
    """(version, processor) -> image tag."""


DLC_FRAMEWORKS: dict[str, _Framework] = {
    "pytorch": _Framework("pytorch-inference", {
        ("2.6.0", "cpu"): "2.6.0-cpu-py312", ("2.6.0", "gpu"): "2.6.0-gpu-py312",
        ("2.5.1", "cpu"): "2.5.1-cpu-py311", ("2.5.1", "gpu"): "2.5.1-gpu-py311",
    }),
    "huggingface-llm": _Framework("huggingface-pytorch-tgi-inference", {
        ("3.3.6", "gpu"): "2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
        ("3.2.3", "gpu"): "2.6.0-tgi3.2.3-gpu-py311-cu124-ubuntu22.04",
    }),
    "djl-lmi": _Framework("djl-inference", {
        ("0.36.0", "gpu"): "0.36.0-lmi27.0.0-cu130",
        ("0.35.0", "gpu"): "0.35.0-lmi17.0.0-cu128",
    }),
}
"""Framework -> its inference repository and the tags of the versions supported here."""


@dataclass(frozen=True)
class DlcImage:
    repository: str
    tag: str


def dlc_image(framework: str, version: str, processor: str) -> DlcImage:
    """The repository and tag of a supported image; ``ValueError`` naming what is supported."""
    known = DLC_FRAMEWORKS.get(framework)
    if known is None:
        raise ValueError(f"one of {', '.join(sorted(DLC_FRAMEWORKS))}")
    tag = known.tags.get((version, processor))
    if tag is None:
        offered = ", ".join(f"{v} ({p})" for v, p in sorted(known.tags))
        raise ValueError(f"{framework} images supported here: {offered}")
    return DlcImage(known.repository, tag)
