"""How an instance fleet scales: target tracking on invocations per instance (given directly or
from a load-tested requests-per-second and a safety factor), on CPU or GPU utilization, or on
concurrent requests, with an optional schedule.

Sources: the Application Auto Scaling API reference (``TargetTrackingScalingPolicyConfiguration``:
``TargetValue`` 8.515920e-109 to 1.174271e+108; the predefined metric types of SageMaker
variants in botocore ``application-autoscaling`` ``MetricType``), the SageMaker developer
guide "Define a scaling policy" (``SageMakerVariantInvocationsPerInstance``; the
high-resolution ``SageMakerVariantConcurrentRequestsPerModelHighResolution``, emitted every
10 s; a customized ``CPUUtilization`` metric in ``/aws/sagemaker/Endpoints``) and
"Load testing" (target = safety factor × max requests per second × 60, as aws-sagemaker-alpha's
``scaleOnInvocations`` computes it, safety factor in (0, 1], default 0.5). Several policies on
one variant: Application Auto Scaling scales to the largest capacity any of them asks for
(Application Auto Scaling user guide, "Target tracking scaling policies").
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from .base import StrictModel

__all__ = ["COOLDOWN_MAX_S", "SCALE_IN_COOLDOWN_S", "SCALE_OUT_COOLDOWN_S", "TARGET_VALUE_MAX",
           "AutoscalingOptions", "ConcurrencyScaling", "RequestsPerSecondScaling",
           "ScheduledScaling", "UtilizationScaling"]

SCALE_IN_COOLDOWN_S = 300
"""Default seconds after a scale-in before the next one: let the fleet settle."""
SCALE_OUT_COOLDOWN_S = 60
"""Default seconds between scale-out activities: react to load within a minute."""
COOLDOWN_MAX_S = 86400
"""Scale-in and scale-out cooldowns: 0-86400 s. The API types them as a non-negative integer of
seconds and states no maximum; a day is the library's bound (a longer cooldown is a typo)."""
TARGET_VALUE_MAX = 1.174271e108
"""TargetTrackingScalingPolicyConfiguration.TargetValue: at most 1.174271e+108 (and > 0)."""


class RequestsPerSecondScaling(StrictModel):
    """Target tracking on invocations per instance, from what one instance sustains:
    ``max_requests_per_second`` (required: the highest rate one instance serves within your
    latency goal, from a load test) × ``safety_factor`` [0.5; in (0, 1]] × 60 = the target in
    invocations per instance per minute (SageMaker's load-testing guide; aws-sagemaker-alpha's
    ``scaleOnInvocations``)."""

    max_requests_per_second: float = Field(gt=0, le=TARGET_VALUE_MAX / 60)
    safety_factor: float = Field(0.5, gt=0, le=1)

    @property
    def invocations_per_minute(self) -> float:
        return self.safety_factor * self.max_requests_per_second * 60.0


class UtilizationScaling(StrictModel):
    """Target tracking on ``metric`` [``CPUUtilization``; or ``GPUUtilization`` on GPU types]
    averaged over the variant's instances (a customized metric in ``/aws/sagemaker/Endpoints``):
    ``target_percent`` (required) per vCPU (or per GPU), in (0, 100]. CloudWatch sums the
    metric over the instance's vCPUs or GPUs (0-400% on four), so the policy's target is
    ``target_percent`` × that count."""

    metric: Literal["CPUUtilization", "GPUUtilization"] = "CPUUtilization"
    target_percent: float = Field(gt=0, le=100)


class ConcurrencyScaling(StrictModel):
    """Target tracking on ``SageMakerVariantConcurrentRequestsPerModelHighResolution``: the
    requests each model container (one per instance) handles at once, queued ones included,
    emitted every 10 s, so the fleet scales out within seconds of a burst (scale-in is as slow
    as with standard metrics). ``target_concurrent_requests`` (required, > 0)."""

    target_concurrent_requests: float = Field(gt=0, le=TARGET_VALUE_MAX)


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
    """Target tracking of a variant's instance count, between ``min_instances`` [1] and
    ``max_instances`` [2] (1-1000).

    Policies (each one a target tracking policy; the fleet follows the one asking for most):
    invocations per instance (``SageMakerVariantInvocationsPerInstance``) at
    ``target_invocations_per_instance`` [100 per instance per minute; None: no such policy], or
    from ``requests_per_second`` (:class:`RequestsPerSecondScaling`, instead of the target);
    ``utilization`` [none: :class:`UtilizationScaling`]; ``concurrency`` [none:
    :class:`ConcurrencyScaling`]. At least one. ``scale_in_cooldown_s`` [300] and
    ``scale_out_cooldown_s`` [60], 0-86400, apply to every policy; ``schedule`` [none]. Refused
    on burstable instance types (ml.t2, ml.t3...): SageMaker does not scale them.
    """

    min_instances: int = Field(1, ge=1, le=1000)
    max_instances: int = Field(2, ge=1, le=1000)
    target_invocations_per_instance: float | None = Field(
        100.0, gt=0, le=TARGET_VALUE_MAX,
        description="Invocations per instance per minute the policy holds (None: no policy).")
    requests_per_second: RequestsPerSecondScaling | None = None
    utilization: UtilizationScaling | None = None
    concurrency: ConcurrencyScaling | None = None
    scale_in_cooldown_s: int = Field(SCALE_IN_COOLDOWN_S, ge=0, le=COOLDOWN_MAX_S)
    scale_out_cooldown_s: int = Field(SCALE_OUT_COOLDOWN_S, ge=0, le=COOLDOWN_MAX_S)
    schedule: ScheduledScaling | None = None

    @property
    def invocations_per_minute(self) -> float | None:
        """The invocations-per-instance target, per minute (None: no such policy)."""
        if self.requests_per_second is not None:
            return self.requests_per_second.invocations_per_minute
        return self.target_invocations_per_instance

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingOptions:
        problems: list[Problem] = []
        if self.requests_per_second is not None and (
                "target_invocations_per_instance" in self.model_fields_set
                and self.target_invocations_per_instance is not None):
            problems.append(Problem(
                "requests_per_second", self.requests_per_second.max_requests_per_second,
                "gives the invocations target itself (safety_factor × max_requests_per_second "
                "× 60): drop target_invocations_per_instance"))
        if self.invocations_per_minute is None and not (self.utilization or self.concurrency):
            problems.append(Problem(
                "target_invocations_per_instance", None,
                "no scaling policy left: give target_invocations_per_instance, "
                "requests_per_second, utilization or concurrency"))
        FieldProblem.raise_if_any(problems)
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

