"""Real-time hosting: instance-hours × the hourly rate, plus data processed in and out.

Without autoscaling the fleet's ``instance_count`` runs all month. With it, during the hint's
busy hours the count the peak rate needs at the target invocations per instance (clamped to
min..max), the minimum the rest of the time; a schedule raises the minimum in business hours.
Also here: what SageMaker's InvokeEndpoint limits rule out, and the real-time alternative
advice offers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..spec import limits
from ..spec.scaling import AutoscalingOptions
from ..spec.traffic import TrafficHint, peak_rps
from .base import Load, Meter, MeteredCost, PricingContext, data_processed_gb, data_processed_meters
from .estimate import EndpointKind
from .workload import KindOption, Workload

__all__ = [
    "REALTIME_ADVICE_SCALING",
    "REALTIME_OPTION",
    "RealTimeCost",
    "ScalingProfile",
    "realtime_infeasibility",
]


@dataclass(frozen=True, slots=True)
class ScalingProfile:
    """The volume-independent part of autoscaled instance-hours: busy and idle hours a month,
    the rate (req/s) one instance takes at the target, the instance bounds, and with a schedule
    its (business-hours minimum, off-hours minimum, business hours not busy, hours off); plus
    what :meth:`at` reads of the traffic hint."""

    busy: float
    idle: float
    per_instance_rps: float
    min_instances: int
    max_instances: int
    schedule: tuple[int, int, float, float] | None
    business: float
    busy_seconds_per_month: float
    stated_peak_rps: float | None

    @classmethod
    def of(cls, traffic: TrafficHint, autoscaling: AutoscalingOptions,
           hours_per_month: float) -> ScalingProfile:
        busy = min(traffic.busy_hours_per_day * hours_per_month / 24.0, hours_per_month)
        idle = hours_per_month - busy
        per_instance_rps = autoscaling.target_invocations_per_instance / 60.0
        sched = autoscaling.schedule
        schedule, business = None, 0.0
        if sched is not None:
            business = min(sched.business_hours_per_month, hours_per_month)
            idle_business = max(business - busy, 0.0)
            off = hours_per_month - busy - idle_business
            schedule = (sched.business_hours_min_instances, sched.off_hours_min_instances,
                        idle_business, off)
        return cls(busy, idle, per_instance_rps, autoscaling.min_instances,
                   autoscaling.max_instances, schedule, business,
                   traffic.busy_seconds_per_month, traffic.peak_requests_per_second)

    def at(self, requests_per_month: float) -> tuple[float, float, int, int]:
        """Instance-hours a month at ``requests_per_month``, and the peak rate (req/s), the
        instances the peak needs and the instances while busy behind them."""
        peak = peak_rps(requests_per_month, self.busy_seconds_per_month, self.stated_peak_rps)
        needed = max(1, math.ceil(peak / self.per_instance_rps - 1e-9)) if peak > 0 else 0
        if self.schedule is None:
            busy_count = min(max(needed, self.min_instances), self.max_instances)
            return busy_count * self.busy + self.min_instances * self.idle, peak, needed, busy_count
        business_min, off_min, idle_business, off = self.schedule
        busy_count = min(max(needed, business_min), self.max_instances)
        hours = busy_count * self.busy + business_min * idle_business + off_min * off
        return hours, peak, needed, busy_count


class RealTimeCost(MeteredCost):
    """A real-time fleet (or a multi-model one, ``kind="multimodel"``) on ``instance_type``:
    ``instance_count`` always on, or scaled by ``autoscaling``."""

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 instance_count: int = 1, autoscaling: AutoscalingOptions | None = None,
                 kind: EndpointKind = "realtime") -> None:
        super().__init__(traffic, ctx)
        self.kind = kind
        self.instance_count = instance_count
        self.autoscaling = autoscaling
        rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
        self.meters = (Meter(f"{instance_type} hosting", "instance-hour", rate),
                       *data_processed_meters(ctx))
        self._always_on_hours = instance_count * ctx.hours_per_month
        self._profile = (None if autoscaling is None
                         else ScalingProfile.of(traffic, autoscaling, ctx.hours_per_month))

    def quantities(self, load: Load) -> tuple[float, float, float]:
        requests, profile = load.requests_per_month, self._profile
        return (self._always_on_hours if profile is None else profile.at(requests)[0],
                data_processed_gb(requests, self.traffic.payload_kb),
                data_processed_gb(requests, self.traffic.response_kb))

    def notes(self, load: Load) -> list[str]:
        scaling, profile = self.autoscaling, self._profile
        if scaling is None or profile is None:
            return [f"{self.instance_count} instance(s) always on (no autoscaling)"]
        _, peak, needed, busy_count = profile.at(load.requests_per_month)
        notes = [
            f"busy {self.traffic.busy_hours_per_day:g} h/day ({profile.busy:.1f} h/month) at "
            f"peak {peak:.2f} req/s; target {scaling.target_invocations_per_instance:g} "
            f"invocations/instance/minute needs {needed} instance(s)"
        ]
        if needed > scaling.max_instances:
            notes.append(
                f"peak needs {needed} instances but max_instances is {scaling.max_instances}: "
                "requests above that capacity queue or fail"
            )
        sched = scaling.schedule
        if sched is None:
            notes.append(
                f"{busy_count} instance(s) during busy hours, {scaling.min_instances} "
                "(min_instances) otherwise"
            )
            return notes
        notes.append(
            f"scheduled minimum {sched.business_hours_min_instances} in business hours "
            f"({profile.business:.0f} h/month, busy hours assumed inside them), "
            f"{sched.off_hours_min_instances} otherwise; {busy_count} instance(s) while busy"
        )
        return notes


def realtime_infeasibility(w: Workload) -> list[str]:
    """InvokeEndpoint: 6 MB request and response bodies, 60 s per request."""
    t, reasons = w.traffic, []
    if max(t.payload_kb, t.response_kb) > limits.REALTIME_MAX_PAYLOAD_KB:
        reasons.append("payload or response above real-time's 6 MB")
    if t.avg_duration_ms > limits.REALTIME_MAX_DURATION_MS:
        reasons.append("requests longer than real-time's 60 s")
    return reasons


REALTIME_ADVICE_SCALING = AutoscalingOptions(min_instances=1, max_instances=4)
"""The real-time alternative's scaling; validated once (advice builds it for every estimate)."""


def _realtime_alternative(w: Workload, ctx: PricingContext) -> RealTimeCost:
    return RealTimeCost(w.traffic, ctx, instance_type=w.host_instance,
                        autoscaling=REALTIME_ADVICE_SCALING)


REALTIME_OPTION = KindOption(
    "realtime", realtime_infeasibility, _realtime_alternative,
    lambda w: f"RealTimeEndpoint on {w.host_instance}, autoscaling 1-4 at 100 invocations/"
              "instance/minute; no cold starts",
)
