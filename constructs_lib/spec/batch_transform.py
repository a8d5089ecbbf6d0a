"""BatchTransformProps: a scheduled SageMaker transform job over an S3 prefix."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .base import IKeyLike, ITopicLike
from .hosting import PricedProps
from .model import InstanceType, ModelSpec, S3Uri
from .tokens import TOKENS
from .traffic import TrafficHint

__all__ = ["JOB_PREFIX_MAX", "SCHEDULE", "BatchTransformProps"]

SCHEDULE = r"^(cron\(\S+( \S+){5}\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$"
"""An EventBridge Scheduler ``cron(...)`` or ``rate(...)`` expression."""
UUID_LENGTH = 36
"""Step Functions names an execution started without a name (as the schedule does) by a UUID."""
JOB_PREFIX_MAX = limits.TRANSFORM_JOB_NAME_MAX - UUID_LENGTH - 1
"""Room left for the job name prefix in ``<prefix>-<execution name>``."""


class BatchTransformProps(PricedProps):
    """Props of :class:`~constructs_lib.BatchTransform`.

    ``model``, ``instance_type``, ``traffic`` (with ``records_per_run`` and
    ``runs_per_month``), ``input_s3_uri``, ``output_s3_uri`` and ``schedule`` (required;
    the URIs, the schedule, its time zone, the content types and the job name prefix take
    tokens, their literal parts checked; a multi-container ``model`` runs as a ``Serial``
    pipeline: CreateTransformJob cannot name a target container);
    ``schedule_time_zone`` [UTC]; ``instance_count`` [1; at most 100];
    ``max_concurrent_transforms`` [SageMaker's: 1]; ``max_payload_mb`` [SageMaker's: 6; at most
    100, and × ``max_concurrent_transforms`` at most 100]; ``batch_strategy``
    [``MultiRecord``]; ``split_type`` [``Line``]; ``content_type`` [``text/csv``]; ``accept``
    [none]; ``error_topic`` [a new encrypted, TLS-only topic]; ``job_name_prefix`` [the
    construct id]; ``timeout_hours`` [23: before the next nightly run]; ``kms_key`` [none:
    service-managed keys].
    """

    model: ModelSpec
    instance_type: InstanceType
    traffic: TrafficHint
    input_s3_uri: S3Uri
    output_s3_uri: S3Uri
    schedule: Annotated[str, Field(pattern=SCHEDULE), TOKENS]
    schedule_time_zone: Annotated[str, Field(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$"),
                                  TOKENS] = "UTC"
    instance_count: int = Field(1, ge=1, le=limits.BATCH_MAX_INSTANCE_COUNT)
    max_concurrent_transforms: int | None = Field(None, ge=1, le=100)
    max_payload_mb: int | None = Field(None, ge=0, le=limits.BATCH_MAX_PAYLOAD_MB)
    batch_strategy: Literal["MultiRecord", "SingleRecord"] = "MultiRecord"
    split_type: Literal["Line", "RecordIO", "TFRecord", "None"] = "Line"
    content_type: Annotated[str, Field(min_length=1, max_length=256), TOKENS] = "text/csv"
    accept: Annotated[str, Field(min_length=1, max_length=256), TOKENS] | None = None
    error_topic: ITopicLike = None
    job_name_prefix: Annotated[str, Field(
        pattern=rf"^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,{JOB_PREFIX_MAX - 1}}}$"), TOKENS] | None = None
    timeout_hours: float = Field(23.0, gt=0, le=24 * 365)
    kms_key: IKeyLike = None

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> BatchTransformProps:
        problems: list[Problem] = []
        payload = self.max_payload_mb if self.max_payload_mb is not None else (
            limits.BATCH_DEFAULT_MAX_PAYLOAD_MB)
        concurrent = self.max_concurrent_transforms or 1
        if concurrent * payload > limits.BATCH_MAX_CONCURRENT_PAYLOAD_MB:
            problems.append(Problem(
                "max_concurrent_transforms", self.max_concurrent_transforms,
                f"max_concurrent_transforms × max_payload_mb ({concurrent} × {payload}) must "
                "be <= 100 (SageMaker's limit)"))
        for name in ("records_per_run", "runs_per_month"):
            if getattr(self.traffic, name) is None:
                problems.append(Problem(f"traffic.{name}", None,
                                        "required for a batch transform (its cost depends on it)"))
        if self.model.inference_execution_mode == "Direct":
            problems.append(Problem("model.inference_execution_mode", "Direct",
                                    "Serial: CreateTransformJob cannot name a target container "
                                    "(Direct invocation is for RealTimeEndpoint)"))
        if self.input_s3_uri.rstrip("/") == self.output_s3_uri.rstrip("/"):
            problems.append(Problem("output_s3_uri", self.output_s3_uri,
                                    "must differ from input_s3_uri"))
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def concurrency_for_cost(self) -> int:
        return self.max_concurrent_transforms or 1
