"""Config models shared by the constructs: the model to serve, scaling, data capture, network.

Pydantic v2, frozen, no unknown keys; a construct validates them again with its own path.
No CDK construct is created here: CDK objects (roles, keys, VPCs) are only carried through.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from ._private.models import StrictModel
from .errors import FieldProblem

__all__ = [
    "AutoscalingOptions",
    "DataCaptureOptions",
    "InstanceType",
    "ModelSpec",
    "ScheduledScaling",
    "VpcOptions",
]

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


def _is_jsii_object(value: Any, attribute: str) -> bool:
    """A CDK (jsii) object with ``attribute``: a class from aws-cdk-lib, or a Python class
    implementing the interface with ``@jsii.implements``. Duck-typed look-alikes are refused:
    they fail later inside CDK with a JavaScript error."""
    kind = type(value)
    return hasattr(value, attribute) and (
        hasattr(kind, "__jsii_type__") or hasattr(kind, "__jsii_ifaces__")
        or hasattr(value, "__jsii_ref__"))  # an imported resource: a jsii interface proxy


def _jsii_object(attribute: str, what: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if value is not None and not _is_jsii_object(value, attribute):
            raise ValueError(
                f"expected {what} (a CDK object with '{attribute}'), got {type(value).__name__}")
        return value

    return AfterValidator(check)


IRoleLike = Annotated[Any, _jsii_object("role_arn", "an aws_iam.IRole")]
IKeyLike = Annotated[Any, _jsii_object("key_arn", "an aws_kms.IKey")]
IBucketLike = Annotated[Any, _jsii_object("bucket_name", "an aws_s3.IBucket")]
IVpcLike = Annotated[Any, _jsii_object("vpc_id", "an aws_ec2.IVpc")]
ISecurityGroupLike = Annotated[Any, _jsii_object("security_group_id",
                                                 "an aws_ec2.ISecurityGroup")]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    match = S3_URI.match(uri)
    if not match:
        raise ValueError(f"not an S3 URI: {uri!r}")
    return match["bucket"], match["key"] or ""


def _s3_uri(value: str | None) -> str | None:
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


class ModelSpec(StrictModel):
    """The model to serve: an inference image, its artifact, and its environment.

    When ``execution_role`` is None (the default) the construct creates a least-privilege role:
    read only ``model_data_url`` (the object, or the prefix when the URL ends in '/'), pull only
    ``image_uri``'s repository, write its own logs and metrics.
    """

    image_uri: Annotated[str, AfterValidator(_ecr_uri)]
    model_data_url: Annotated[str | None, AfterValidator(_s3_uri)] = None
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


class ScheduledScaling(StrictModel):
    """Business hours up, nights and weekends down: the minimum instance count by time of day.

    Defaults: 08:00-18:00 UTC, Monday to Friday. Target tracking still scales above the minimum.
    """

    business_hours_min_instances: int = Field(ge=1)
    off_hours_min_instances: int = Field(1, ge=1)
    start_hour_utc: int = Field(8, ge=0, le=23)
    end_hour_utc: int = Field(18, ge=1, le=24)
    weekdays_only: bool = True

    @model_validator(mode="after")
    def _window(self) -> ScheduledScaling:
        if self.end_hour_utc <= self.start_hour_utc:
            raise FieldProblem("end_hour_utc", self.end_hour_utc,
                               f"must be after start_hour_utc ({self.start_hour_utc})")
        return self

    @property
    def business_hours_per_month(self) -> float:
        days_per_month = 730.0 / 24.0
        days = days_per_month * (5.0 / 7.0 if self.weekdays_only else 1.0)
        return days * (self.end_hour_utc - self.start_hour_utc)


class AutoscalingOptions(StrictModel):
    """Target tracking on invocations per instance (``SageMakerVariantInvocationsPerInstance``).

    Defaults: 1-2 instances, 100 invocations per instance per minute, scale in after 300 s,
    scale out after 60 s.
    """

    min_instances: int = Field(1, ge=1, le=1000)
    max_instances: int = Field(2, ge=1, le=1000)
    target_invocations_per_instance: float = Field(
        100.0, gt=0, description="Invocations per instance per minute the policy holds."
    )
    scale_in_cooldown_s: int = Field(300, ge=0, le=86400)
    scale_out_cooldown_s: int = Field(60, ge=0, le=86400)
    schedule: ScheduledScaling | None = None

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingOptions:
        if self.min_instances > self.max_instances:
            raise FieldProblem("min_instances", self.min_instances,
                               f"must be <= max_instances ({self.max_instances})")
        if self.schedule is not None:
            top = max(self.schedule.business_hours_min_instances,
                      self.schedule.off_hours_min_instances)
            if top > self.max_instances:
                raise FieldProblem("schedule", top, "scheduled minimums must be <= "
                                   f"max_instances ({self.max_instances})")
        return self


class DataCaptureOptions(StrictModel):
    """Capture requests and responses to S3. Default: a new encrypted, SSL-only, retained bucket."""

    sampling_percentage: int = Field(20, ge=0, le=100)
    capture_input: bool = True
    capture_output: bool = True
    bucket: IBucketLike = None
    prefix: str = Field("data-capture", pattern=r"^[A-Za-z0-9!_.*'()/-]{1,512}$")

    @model_validator(mode="after")
    def _something(self) -> DataCaptureOptions:
        if not (self.capture_input or self.capture_output):
            raise FieldProblem("capture_output", False,
                               "capture_input or capture_output must be true")
        return self


class VpcOptions(StrictModel):
    """Run the model in your VPC's private subnets, with the given security groups (or a new
    one)."""

    vpc: IVpcLike
    security_groups: tuple[ISecurityGroupLike, ...] = Field((), max_length=5)
    subnet_ids: tuple[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")], ...] = Field(
        (), max_length=16)

    @model_validator(mode="after")
    def _vpc_given(self) -> VpcOptions:
        if self.vpc is None:
            raise FieldProblem("vpc", None, "an aws_ec2.IVpc is required")
        return self
