"""Where a model runs and what it records: a VPC, and data capture to S3."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ..errors import FieldProblem
from .base import IBucketLike, ISecurityGroupLike, IVpcLike, StrictModel

__all__ = ["DataCaptureOptions", "VpcOptions"]


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
