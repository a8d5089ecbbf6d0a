"""Where a model runs and what it records: a VPC, and data capture to S3."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from .base import IBucketLike, ISecurityGroupLike, IVpcLike, StrictModel
from .tokens import TOKENS

__all__ = ["DataCaptureOptions", "EgressRule", "VpcOptions"]

PREFIX_LIST = r"^pl-[0-9a-f]{8,17}$"


class EgressRule(StrictModel):
    """One outbound rule of the security group the construct creates: ``protocol`` [tcp] to
    ``port`` [443: HTTPS, what S3, ECR and the other AWS APIs the container calls listen on]
    (through ``to_port`` [``port``] for a range) towards ``cidr`` (an IPv4 or IPv6 CIDR) or
    ``prefix_list_id`` (``pl-...``, e.g. the S3 gateway endpoint's), one of them;
    ``description`` [none]."""

    cidr: str | None = None
    prefix_list_id: str | None = Field(None, pattern=PREFIX_LIST)
    port: int = Field(443, ge=0, le=65535)
    to_port: int | None = Field(None, ge=0, le=65535)
    protocol: Literal["tcp", "udp"] = "tcp"
    description: str | None = Field(None, max_length=255)

    @model_validator(mode="after")
    def _one_peer(self) -> EgressRule:
        problems: list[Problem] = []
        if (self.cidr is None) == (self.prefix_list_id is None):
            problems.append(Problem("cidr", self.cidr, "give either cidr or prefix_list_id"))
        elif self.cidr is not None and "${Token[" not in self.cidr:
            try:
                ipaddress.ip_network(self.cidr)
            except ValueError:
                problems.append(Problem("cidr", self.cidr,
                                        "an IPv4 or IPv6 CIDR, e.g. '10.0.0.0/16'"))
        if self.to_port is not None and self.to_port < self.port:
            problems.append(Problem("to_port", self.to_port, f"must be >= port ({self.port})"))
        FieldProblem.raise_if_any(problems)
        return self


class VpcOptions(StrictModel):
    """Run the model in your VPC's private subnets, with the given security groups (or a new
    one, with no inbound rules). ``subnet_ids`` take tokens (a subnet of another stack, a
    parameter): their literal parts must fit ``subnet-<hex>``.

    For the group the construct creates: ``allow_all_outbound`` [true: the container reaches
    S3 and ECR however the VPC routes them; false: only ``egress`` rules, e.g. HTTPS to the
    VPC's interface and gateway endpoints]; ``egress`` [none: with ``allow_all_outbound`` false
    and no rules the group allows no outbound traffic]. Both are refused with
    ``security_groups``, whose rules are yours."""

    vpc: IVpcLike
    security_groups: tuple[ISecurityGroupLike, ...] = Field((), max_length=5)
    subnet_ids: tuple[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$"), TOKENS], ...] = (
        Field((), max_length=16))
    allow_all_outbound: bool = True
    egress: tuple[EgressRule, ...] = Field((), max_length=60)  # VPC quota: 60 per direction

    @model_validator(mode="after")
    def _vpc_given(self) -> VpcOptions:
        problems: list[Problem] = []
        if self.vpc is None:
            problems.append(Problem("vpc", None, "an aws_ec2.IVpc is required"))
        if self.security_groups and (not self.allow_all_outbound or self.egress):
            field = "egress" if self.egress else "allow_all_outbound"
            problems.append(Problem(field, getattr(self, field),
                                    "only for the security group the construct creates: the "
                                    "rules of the security_groups you give are yours"))
        elif self.egress and self.allow_all_outbound:
            problems.append(Problem("egress", f"{len(self.egress)} rule(s)",
                                    "set allow_all_outbound=False: it already allows all "
                                    "outbound traffic"))
        FieldProblem.raise_if_any(problems)
        return self


class DataCaptureOptions(StrictModel):
    """Capture requests and responses to S3. Default: a new encrypted, SSL-only, retained bucket.
    ``prefix`` [``data-capture``] takes a token (its literal parts are checked: key characters,
    at most 512)."""

    sampling_percentage: int = Field(20, ge=0, le=100)
    capture_input: bool = True
    capture_output: bool = True
    bucket: IBucketLike = None
    prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9!_.*'()/-]{1,512}$"), TOKENS] = (
        "data-capture")

    @model_validator(mode="after")
    def _something(self) -> DataCaptureOptions:
        if not (self.capture_input or self.capture_output):
            raise FieldProblem("capture_output", False,
                               "capture_input or capture_output must be true")
        return self
