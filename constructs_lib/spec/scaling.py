"""How an instance fleet scales: target tracking on invocations, with an optional schedule."""

from __future__ import annotations

from pydantic import Field, model_validator

from ..errors import FieldProblem
from .base import StrictModel

__all__ = ["SCALE_IN_COOLDOWN_S", "SCALE_OUT_COOLDOWN_S", "AutoscalingOptions", "ScheduledScaling"]

SCALE_IN_COOLDOWN_S = 300
"""Default seconds after a scale-in before the next one: let the fleet settle."""
SCALE_OUT_COOLDOWN_S = 60
"""Default seconds between scale-out activities: react to load within a minute."""


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
    scale_in_cooldown_s: int = Field(SCALE_IN_COOLDOWN_S, ge=0, le=86400)
    scale_out_cooldown_s: int = Field(SCALE_OUT_COOLDOWN_S, ge=0, le=86400)
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

