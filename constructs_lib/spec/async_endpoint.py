"""AsyncEndpointProps: requests queue in S3, results land in S3 and on SNS, scale to zero."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .alarms import AlarmKind
from .base import IBucketLike, IKeyLike, ITopicLike
from .hosting import EndpointProps
from .instance_options import InstanceOptions, ami_problems
from .instances import burstable
from .model import InstanceType, ModelSpec, VolumeSizeGb
from .rules import volume_problems
from .scaling import SCALE_IN_COOLDOWN_S, SCALE_OUT_COOLDOWN_S
from .tokens import TOKENS
from .traffic import TrafficHint

__all__ = ["AsyncEndpointProps", "Prefix"]

Prefix = Annotated[str, Field(pattern=r"^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,200}/$"),
                   TOKENS]
"""An S3 key prefix ending in '/'. A token is accepted (its literal parts are checked: a literal
end must be '/')."""
_INSTANCES_ONLY = ("asynchronous inference runs on instances, not serverless: give "
                   "instance_type, or use ServerlessEndpoint")


class AsyncEndpointProps(EndpointProps, InstanceOptions):
    """Props of :class:`~constructs_lib.AsyncEndpoint`.

    ``model``, ``instance_type`` and ``traffic`` (required); ``min_instances`` [0: scale to
    zero]; ``max_instances`` [1]; ``max_concurrent_invocations_per_instance`` [SageMaker's
    choice; 1-1000]; ``invocation_timeout_s`` [900, at most 3600: what callers pass as
    ``InvocationTimeoutSeconds``, checked against the hint's duration];
    ``target_backlog_per_instance`` [5]; ``scale_in_cooldown_s`` [300]; ``scale_out_cooldown_s``
    [60]; ``output_bucket`` [a new private, versioned, SSL-only, retained bucket];
    ``input_prefix``/``output_prefix``/``failure_prefix`` [``input/``, ``output/``,
    ``failure/``]; ``success_topic``/``error_topic`` [new encrypted, TLS-only topics];
    ``kms_key`` [none: S3-managed keys for the bucket, ``alias/aws/sns`` for the topics];
    ``volume_size_gb`` [SageMaker's default for the type: the ML storage volume per instance,
    1-512 GB; refused on types with local NVMe storage]; the
    variant's instance options (:class:`~constructs_lib.spec.instance_options.InstanceOptions`).
    A multi-container ``model`` runs as a ``Serial`` pipeline (InvokeEndpointAsync cannot name
    a target container).
    """

    NOT_HERE: ClassVar[dict[str, str]] = {
        name: _INSTANCES_ONLY
        for name in ("memory_mb", "max_concurrency", "provisioned_concurrency")}

    model: ModelSpec
    instance_type: InstanceType | None = None
    traffic: TrafficHint
    min_instances: int = Field(0, ge=0, le=1000)
    max_instances: int = Field(1, ge=1, le=1000)
    max_concurrent_invocations_per_instance: int | None = Field(
        None, ge=1, le=limits.ASYNC_MAX_CONCURRENT_INVOCATIONS)
    invocation_timeout_s: int = Field(limits.ASYNC_DEFAULT_INVOCATION_TIMEOUT_S, ge=1,
                                      le=limits.ASYNC_MAX_DURATION_MS // 1000)
    target_backlog_per_instance: float = Field(5.0, gt=0)
    scale_in_cooldown_s: int = Field(SCALE_IN_COOLDOWN_S, ge=0, le=86400)
    scale_out_cooldown_s: int = Field(SCALE_OUT_COOLDOWN_S, ge=0, le=86400)
    output_bucket: IBucketLike = None
    input_prefix: Prefix = "input/"
    output_prefix: Prefix = "output/"
    failure_prefix: Prefix = "failure/"
    success_topic: ITopicLike = None
    error_topic: ITopicLike = None
    kms_key: IKeyLike = None
    volume_size_gb: VolumeSizeGb | None = None

    SUPPORTED_ALARMS: ClassVar[tuple[AlarmKind, ...]] = (
        "error_rate", "latency", "utilization", "backlog_age")
    """Asynchronous endpoints publish ``Invocation5XXErrors`` and ``ModelLatency`` (not
    ``Invocations``) besides the queue metrics (SageMaker developer guide, "Monitor
    asynchronous endpoints")."""

    @property
    def served_traffic(self) -> TrafficHint:
        return self.traffic

    @property
    def alarm_instance_type(self) -> str | None:
        return self.instance_type

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> AsyncEndpointProps:
        problems: list[Problem] = []
        if self.instance_type is None:
            problems.append(Problem("instance_type", None, "required: " + _INSTANCES_ONLY))
        else:
            problems += volume_problems(self.instance_type, self.volume_size_gb)
            if burstable(self.instance_type):
                problems.append(Problem(
                    "instance_type", self.instance_type,
                    "refused: an asynchronous endpoint always scales its instances (to zero "
                    "and back) and SageMaker does not scale burstable instances (ml.t2, "
                    "ml.t3...); choose a non-burstable type (e.g. ml.m5, ml.c5)"))
        if self.min_instances > self.max_instances:
            problems.append(Problem("min_instances", self.min_instances,
                                    f"must be <= max_instances ({self.max_instances})"))
        if self.traffic.payload_kb > limits.ASYNC_MAX_PAYLOAD_KB:
            problems.append(Problem("traffic.payload_kb", self.traffic.payload_kb,
                                    "must be <= 1048576 (async payloads are at most 1 GB)"))
        if self.traffic.avg_duration_ms > self.invocation_timeout_s * 1000:
            problems.append(Problem(
                "traffic.avg_duration_ms", self.traffic.avg_duration_ms,
                f"must be <= invocation_timeout_s × 1000 ({self.invocation_timeout_s * 1000}); "
                "raise invocation_timeout_s (at most 3600 s)"))
        if self.model.inference_execution_mode == "Direct":
            problems.append(Problem("model.inference_execution_mode", "Direct",
                                    "Serial: InvokeEndpointAsync cannot name a target container "
                                    "(Direct invocation is for RealTimeEndpoint)"))
        problems += ami_problems(self.inference_ami_version, self.instance_type)
        if len({self.input_prefix, self.output_prefix, self.failure_prefix}) < 3:
            problems.append(Problem("failure_prefix", self.failure_prefix,
                                    "input, output and failure prefixes must differ"))
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def concurrency_for_cost(self) -> int:
        """Concurrent invocations per instance the estimate assumes (SageMaker's choice is
        priced as 1, and the estimate says so)."""
        return self.max_concurrent_invocations_per_instance or 1
