"""Real-time hosting: instance-hours × the hourly rate, the ML storage volume of every instance
(GB-months), and data processed in and out.

Sizing while the hint's traffic arrives (its busy hours): the fleet must hold the peak's
requests in flight (Little's law: in flight = peak rate × duration) at
``concurrency_per_instance`` each (by default one per vCPU, or per GPU: ``spec.instances``),
and it holds what its scaling policies hold at the peak (a :class:`SizingPolicy`, from
``cost/sizing.py``: invocations per instance, utilization, concurrency, the largest of them).
The larger of the two, within min..max, runs while busy and the minimum the rest of the time
(a schedule raises the minimum in business hours); without autoscaling ``instance_count``
runs all month. A maximum that cannot hold the peak, or a policy that holds fewer instances
than the peak needs, is a capacity shortfall: a warning of the estimate. Also here: what
SageMaker's InvokeEndpoint limits rule out, and the real-time alternative advice offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..spec import limits
from ..spec.instances import burstable, instance_facts
from ..spec.scaling import AutoscalingOptions
from ..spec.traffic import TrafficHint, peak_rps
from .base import (
    Capacity,
    Load,
    Meter,
    MeteredCost,
    PricingContext,
    data_processed_gb,
    data_processed_meters,
    figure,
    finite_or_none,
    ml_volume,
    share,
    storage_meter,
)
from .estimate import EndpointKind
from .sizing import InvocationsTarget, SizingPolicy, instances_for, sizing_policy
from .workload import KindOption, Workload

__all__ = [
    "REALTIME_ADVICE_SCALING",
    "REALTIME_OPTION",
    "FleetProfile",
    "InvocationsTarget",
    "RealTimeCost",
    "Sizing",
    "SizingPolicy",
    "instance_concurrency",
    "instances_for",
    "realtime_infeasibility",
]


def instance_concurrency(instance_type: str, override: int | None) -> tuple[int, str]:
    """Requests one instance serves at once, and why: the user's figure, else the family's
    default (``InstanceFacts.default_concurrency``), else 1 for a type the data does not know."""
    if override is not None:
        return override, "max_concurrent_requests_per_instance"
    facts = instance_facts(instance_type)
    if facts is None:
        return 1, f"{instance_type} not in the instance data: 1 assumed"
    return facts.default_concurrency


class Sizing(NamedTuple):
    """The fleet at one volume: billed instance-hours, the peak (req/s) and requests in flight
    at it, the instances those need, what the policy holds (None: a fixed fleet) and what runs
    while busy."""

    instance_hours: float
    peak_rps: float
    in_flight: float
    needed: int
    held: int | None
    busy: int


@dataclass(frozen=True, slots=True)
class FleetProfile:
    """The volume-independent part of a fleet's sizing: busy and idle hours a month, requests
    per instance at once, seconds per request, the instance bounds (``fixed``: the count of a
    fleet without autoscaling), the policy, and with a schedule its (business-hours minimum,
    off-hours minimum, business hours not busy, hours off); plus what :meth:`at` reads of the
    traffic hint."""

    busy: float
    idle: float
    concurrency: int
    duration_s: float
    min_instances: int
    max_instances: int
    fixed: bool
    policy: SizingPolicy | None
    schedule: tuple[int, int, float, float] | None
    business: float
    busy_seconds_per_month: float
    stated_peak_rps: float | None

    @classmethod
    def of(cls, traffic: TrafficHint, hours_per_month: float, *, concurrency: int,
           instance_count: int, autoscaling: AutoscalingOptions | None,
           policy: SizingPolicy | None) -> FleetProfile:
        busy = min(traffic.busy_hours_per_day * hours_per_month / 24.0, hours_per_month)
        schedule, business = None, 0.0
        sched = autoscaling.schedule if autoscaling is not None else None
        if sched is not None:
            business = min(sched.business_hours_per_month, hours_per_month)
            idle_business = max(business - busy, 0.0)
            schedule = (sched.business_hours_min_instances, sched.off_hours_min_instances,
                        idle_business, hours_per_month - busy - idle_business)
        low, high = ((instance_count, instance_count) if autoscaling is None
                     else (autoscaling.min_instances, autoscaling.max_instances))
        if autoscaling is not None and policy is None:
            policy = sizing_policy(autoscaling, concurrency)
        return cls(busy, hours_per_month - busy, concurrency, traffic.avg_duration_ms / 1000.0,
                   low, high, autoscaling is None, policy, schedule, business,
                   traffic.busy_seconds_per_month, traffic.peak_requests_per_second)

    def at(self, requests_per_month: float) -> Sizing:
        """The fleet at ``requests_per_month``."""
        peak = peak_rps(requests_per_month, self.busy_seconds_per_month, self.stated_peak_rps)
        in_flight = peak * self.duration_s
        needed = instances_for(in_flight / self.concurrency)
        if self.fixed or self.policy is None:
            count = self.max_instances
            return Sizing(count * (self.busy + self.idle), peak, in_flight, needed, None, count)
        held = self.policy.instances_for(peak, in_flight)
        if self.schedule is None:
            busy_count = min(max(needed, held, self.min_instances), self.max_instances)
            hours = busy_count * self.busy + self.min_instances * self.idle
            return Sizing(hours, peak, in_flight, needed, held, busy_count)
        business_min, off_min, idle_business, off = self.schedule
        busy_count = min(max(needed, held, business_min), self.max_instances)
        hours = busy_count * self.busy + business_min * idle_business + off_min * off
        return Sizing(hours, peak, in_flight, needed, held, busy_count)


class RealTimeCost(MeteredCost):
    """A real-time fleet (or a multi-model one, ``kind="multimodel"``, whose instances carry the
    larger MultiModel volume) on ``instance_type``: ``instance_count`` always on, or scaled by
    ``autoscaling`` (sized by ``policy``, default its invocations target).
    ``concurrency_per_instance``: requests one instance serves at once (default: the family's);
    ``volume_size_gb``: the configured ML storage volume (default: SageMaker's);
    ``responses=False`` for a shadow variant, which returns nothing (no data processed out)."""

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 instance_count: int = 1, autoscaling: AutoscalingOptions | None = None,
                 kind: EndpointKind = "realtime", concurrency_per_instance: int | None = None,
                 volume_size_gb: int | None = None, responses: bool = True,
                 policy: SizingPolicy | None = None) -> None:
        super().__init__(traffic, ctx)
        self.kind = kind
        self.instance_type = instance_type
        self.instance_count = instance_count
        self.autoscaling = autoscaling
        self.responses = responses
        rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
        self.volume = ml_volume(instance_type, volume_size_gb, multi_model=kind == "multimodel")
        storage = storage_meter(ctx, instance_type, self.volume)
        data_in, data_out = data_processed_meters(ctx)
        self.meters = (Meter(f"{instance_type} hosting", "instance-hour", rate),
                       *((storage,) if storage else ()), data_in,
                       *((data_out,) if responses else ()))
        self._gb_per_hour = (self.volume.gb or 0.0) / ctx.hours_per_month
        self.concurrency, self.concurrency_basis = instance_concurrency(
            instance_type, concurrency_per_instance)
        self.profile = FleetProfile.of(traffic, ctx.hours_per_month, concurrency=self.concurrency,
                                       instance_count=instance_count, autoscaling=autoscaling,
                                       policy=policy)

    def quantities(self, load: Load) -> list[float]:
        requests = load.requests_per_month
        hours = self.profile.at(requests).instance_hours
        out = [hours]
        if self.volume.gb is not None:
            out.append(hours * self._gb_per_hour)
        out.append(data_processed_gb(requests, self.traffic.payload_kb))
        if self.responses:
            out.append(data_processed_gb(requests, self.traffic.response_kb))
        return out

    def served(self, load: Load) -> bool:
        """Whether ``max_instances`` hold the peak's requests in flight (a policy that holds
        fewer is a shortfall of the configuration, priced at what the peak needs)."""
        return self.profile.at(load.requests_per_month).needed <= self.profile.max_instances

    def capacity(self, load: Load) -> Capacity:
        p, s = self.profile, self.profile.at(load.requests_per_month)
        top, c = p.max_instances, self.concurrency
        assumed: dict[str, Any] = {
            "instance_type": self.instance_type,
            "concurrent_requests_per_instance": c,
            "concurrency_basis": self.concurrency_basis,
            "peak_requests_per_second": round(s.peak_rps, 4),
            "peak_in_flight": round(s.in_flight, 4),
            "instances_needed": s.needed,
            "instances_while_busy": s.busy,
            "max_instances": top,
            "max_instance_hours": top * (p.busy + p.idle),
            "peak_requests_per_second_capacity": (
                None if p.duration_s <= 0 else finite_or_none(top * c / p.duration_s)),
        }
        if p.policy is not None:
            assumed |= {"scaling_policy": p.policy.describe(), "policy_instances": s.held}
        shortfalls = []
        if s.needed > top:
            held = top * c
            fleet = f"{top} instance(s)" if p.fixed else f"max_instances {top}"
            shortfalls.append(
                f"{self.instance_type} × {fleet} cannot serve the peak: {figure(s.peak_rps)} "
                f"req/s × {p.duration_s:g} s keeps {figure(s.in_flight)} requests in flight "
                f"(Little's law) and {top} × {c} concurrent hold {held:,}; the other "
                f"{figure(s.in_flight - held)} ({share(s.in_flight - held, s.in_flight)} of the "
                f"peak) queue or fail. It needs {s.needed} instances, or more concurrency per "
                "instance")
        if s.held is not None and p.policy is not None and s.held < min(s.needed, top):
            shortfalls.append(
                f"{p.policy.describe()} holds only {s.held} instance(s) at the peak "
                f"({figure(s.peak_rps)} req/s), but {figure(s.in_flight)} requests in flight need "
                f"{s.needed} at {c} concurrent each: priced at {s.busy}; "
                f"{p.policy.remedy(c, p.duration_s)}")
        return Capacity(assumed, tuple(shortfalls))

    def notes(self, load: Load) -> list[str]:
        p, s = self.profile, self.profile.at(load.requests_per_month)
        notes = [
            f"{self.concurrency} concurrent request(s) per instance ({self.concurrency_basis}); "
            f"peak {s.peak_rps:.2f} req/s × {p.duration_s:g} s = {s.in_flight:,.1f} in flight "
            f"(Little's law) needs {s.needed} instance(s)",
            self.volume.why,
        ]
        if not self.responses:
            notes.append("serves no responses (shadow): no data processed out")
        scaling = self.autoscaling
        if scaling is None or p.policy is None:
            return [f"{self.instance_count} instance(s) always on (no autoscaling)", *notes]
        notes.insert(0, f"busy {self.traffic.busy_hours_per_day:g} h/day ({p.busy:.1f} h/month); "
                        f"{p.policy.describe()} holds {s.held} instance(s) at the peak")
        if s.needed > scaling.max_instances:
            notes.append(f"peak needs {s.needed} instances but max_instances is "
                         f"{scaling.max_instances}: requests above that capacity queue or fail")
        sched = scaling.schedule
        if sched is None:
            notes.append(f"{s.busy} instance(s) during busy hours, {scaling.min_instances} "
                         "(min_instances) otherwise")
            return notes
        notes.append(
            f"scheduled minimum {sched.business_hours_min_instances} in business hours "
            f"({p.business:.0f} h/month, busy hours assumed inside them), "
            f"{sched.off_hours_min_instances} otherwise; {s.busy} instance(s) while busy")
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
    if burstable(w.host_instance):  # SageMaker does not scale burstable instances
        return RealTimeCost(w.traffic, ctx, instance_type=w.host_instance)
    return RealTimeCost(w.traffic, ctx, instance_type=w.host_instance,
                        autoscaling=REALTIME_ADVICE_SCALING)


def _realtime_note(w: Workload) -> str:
    if burstable(w.host_instance):
        return (f"RealTimeEndpoint on {w.host_instance}, 1 instance always on (SageMaker does "
                "not autoscale burstable instances); no cold starts")
    return (f"RealTimeEndpoint on {w.host_instance}, autoscaling 1-4 at 100 invocations/"
            "instance/minute (or what the requests in flight need); no cold starts")


REALTIME_OPTION = KindOption(
    "realtime", realtime_infeasibility, _realtime_alternative, _realtime_note,
)
