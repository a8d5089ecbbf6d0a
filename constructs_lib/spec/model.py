"""ModelSpec: the inference image, its artifact and its environment; S3 and ECR URI rules."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from . import limits
from .base import IRoleLike, StrictModel

__all__ = ["ECR_IMAGE", "S3_URI", "ConcurrentRequests", "InstanceType", "ModelSpec",
           "VolumeSizeGb", "parse_s3_uri"]

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9][a-z0-9._/-]*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$"
)
S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")

InstanceType = Annotated[
    str,
    Field(
        pattern=r"^ml\.[a-z0-9]+\.[a-z0-9]+$",
        description="A SageMaker hosting instance type, e.g. 'ml.m5.large'.",
    ),
]


VolumeSizeGb = Annotated[
    int,
    Field(
        ge=limits.ML_VOLUME_SIZE_GB[0], le=limits.ML_VOLUME_SIZE_GB[1],
        description="GB of the ML storage volume (gp2) attached to each instance: "
        "VolumeSizeInGB, 1-512; refused on instance types with local NVMe storage.",
    ),
]
ConcurrentRequests = Annotated[
    int,
    Field(
        ge=1, le=limits.CONCURRENT_REQUESTS_MAX,
        description="Requests one instance serves at once, for the estimate's sizing "
        "(Little's law); default: one per vCPU, or per GPU on GPU types.",
    ),
]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of ``s3://bucket/key``."""
    match = S3_URI.match(uri)
    if not match:
        raise ValueError(f"not an S3 URI: {uri!r}")
    return match["bucket"], match["key"] or ""


def s3_uri(value: str | None) -> str | None:
    """Validator: an ``s3://bucket/key`` URI (or None)."""
    if value is not None and not S3_URI.match(value):
        raise ValueError("must be an S3 URI like 's3://bucket/prefix/model.tar.gz'")
    return value


def _ecr_uri(value: str) -> str:
    if not ECR_IMAGE.match(value):
        raise ValueError(
            "must be an ECR image URI like "
            "'123456789012.dkr.ecr.us-east-1.amazonaws.com/repository:tag' (or @sha256:digest)"
        )
    return value


S3Uri = Annotated[str, AfterValidator(s3_uri)]


class ModelSpec(StrictModel):
    """The model to serve: an inference image, its artifact, and its environment.

    When ``execution_role`` is None (the default) the construct creates a least-privilege role:
    read only ``model_data_url`` (the object, or the prefix when the URL ends in '/'), pull only
    ``image_uri``'s repository, write its own logs and metrics.
    """

    image_uri: Annotated[str, AfterValidator(_ecr_uri)]
    model_data_url: Annotated[str | None, AfterValidator(s3_uri)] = None
    environment: dict[Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$")],
                      Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=dict, max_length=100
    )
    execution_role: IRoleLike = None

    @property
    def ecr_repository(self) -> tuple[str, str, str]:
        """(account, region, repository name) of ``image_uri``."""
        match = ECR_IMAGE.match(self.image_uri)
        assert match is not None
        return match["account"], match["region"], match["repo"]
