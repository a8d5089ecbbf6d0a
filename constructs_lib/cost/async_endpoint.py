"""Asynchronous endpoints: busy instance-hours × the hosting rate, the ML storage volume of the
instances while they run, and data processed.

At ``min_instances`` 0 nothing is billed while idle. Requests arrive evenly in the hint's busy
hours; the queue absorbs peaks, so the fleet follows the work (requests × duration ÷
concurrency) and the backlog carries past the busy hours. What is billed a day is the smaller of
two upper bounds on it: one wake-up per request (warm-up + request + idle tail each), or one
busy period a day (the instances the work needs through the busy hours, each paying a warm-up
and the idle tail); both grow with volume and duration, so the cost never falls as load rises.
It is capped at ``max_instances`` around the clock: work beyond that is a capacity shortfall
(the backlog grows without bound), stated with its size. Also here: what SageMaker's async
limits rule out, and the async alternative advice offers (scaled to zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..spec import limits
from ..spec.instances import burstable
from ..spec.traffic import TrafficHint
from .base import (
    Capacity,
    Load,
    Meter,
    MeteredCost,
    PricingContext,
    data_processed_gb,
    data_processed_meters,
    finite_or_none,
    ml_volume,
    storage_meter,
)
from .sizing import instances_for
from .workload import KindOption, Workload

__all__ = [
    "ASYNC_ADVICE_MAX_INSTANCES",
    "ASYNC_COLD_START_MS",
    "ASYNC_OPTION",
    "ASYNC_WARM_UP_S",
    "SCALE_IN_ALARM_S",
    "AsyncBusyTime",
    "AsyncCost",
    "async_busy_time",
    "async_infeasibility",
    "async_scaled_to_zero",
]

DAY_S = 86_400.0
ASYNC_WARM_UP_S = 300.0
"""Billed seconds for an instance to launch and load the model before it serves (assumed)."""
SCALE_IN_ALARM_S = 900.0
"""Idle seconds before target tracking scales in: its scale-in (low) alarm waits for 15
one-minute datapoints below target (Application Auto Scaling creates it; 15 datapoints, against
3 for its high alarm: aws-samples/amazon-aurora-labs-for-mysql issue #3). The scale-in cooldown
does not lengthen it: ``TargetTrackingScalingPolicyConfiguration.ScaleInCooldown`` is "the
amount of time, in seconds, after a scale-in activity completes before another scale-in activity
can start" (botocore application-autoscaling 2016-02-06), and a busy period ends in one scale-in
(the backlog per instance drops to zero: the policy's desired capacity is zero), so it is never
counted, neither instead of the 900 s nor on top of them."""
ASYNC_COLD_START_MS = 10 * 60 * 1000
"""Assumption: an async endpoint scaled to zero needs up to ~10 minutes to start an instance
(alarm on ``HasBacklogWithoutCapacity`` 2 × 60 s, then instance launch and model load). A caller
that cannot wait that long (``TrafficHint.max_latency_ms``) is not offered async."""
ASYNC_ADVICE_MAX_INSTANCES = 4
"""The async alternative may scale out to this many instances (as the real-time one does)."""


@dataclass(frozen=True)
class AsyncBusyTime:
    """Billed instance-seconds a month of an async endpoint, and why."""

    instance_seconds: float
    notes: tuple[str, ...]

    @property
    def instance_hours(self) -> float:
        return self.instance_seconds / 3600.0


class _Busy(NamedTuple):
    """An async fleet at one volume, a month: billed instance-seconds, which bound billed them
    ("idle", "per-request", "busy-period", "floor" or "capped"), requests and instance-seconds
    of work a day, the instances the work needs through the busy hours, the bounds a day
    (per request, per busy period), and instance-seconds of work a month the fleet cannot do."""

    seconds: float
    case: str
    per_day: float
    work_s: float
    needed: int
    sparse_s: float
    dense_s: float
    shortfall_s: float


@dataclass(frozen=True, slots=True)
class _AsyncProfile:
    """The volume-independent part of an async endpoint's billed instance-seconds (seconds,
    days a month), and what :meth:`notes` reads of the config and the hint."""

    days: float
    window_s: float
    duration_s: float
    duration_ms: float
    concurrency: int
    min_instances: int
    max_instances: int
    warm_up_s: float
    periods: float
    scale_in_cooldown_s: float
    busy_hours_per_day: float

    @classmethod
    def of(cls, traffic: TrafficHint, min_instances: int, max_instances: int,
           concurrency_per_instance: int, warm_up_s: float, scale_in_cooldown_s: float,
           hours_per_month: float) -> _AsyncProfile:
        days = hours_per_month / 24.0
        window_s = traffic.busy_hours_per_day * 3600.0
        return cls(days=days, window_s=window_s, duration_s=traffic.avg_duration_ms / 1000.0,
                   duration_ms=traffic.avg_duration_ms, concurrency=concurrency_per_instance,
                   min_instances=min_instances, max_instances=max_instances,
                   warm_up_s=warm_up_s,
                   # Busy periods a day: one, or one a month when traffic never stops.
                   periods=1.0 if window_s < DAY_S else 1.0 / days,
                   scale_in_cooldown_s=scale_in_cooldown_s,
                   busy_hours_per_day=traffic.busy_hours_per_day)

    @property
    def overhead_s(self) -> float:
        """Billed per instance per busy period beyond its work: warm-up and the idle tail."""
        return self.warm_up_s + SCALE_IN_ALARM_S

    def at(self, requests_per_month: float) -> _Busy:
        """Billed instance-seconds a month at ``requests_per_month``, and how."""
        per_day, floor = requests_per_month / self.days, self.min_instances * DAY_S
        cap = self.max_instances * DAY_S
        if per_day <= 0:
            return _Busy(floor * self.days, "idle", 0.0, 0.0, 0, 0.0, 0.0, 0.0)
        work = per_day * self.duration_s / self.concurrency
        needed = max(1, instances_for(work / self.window_s))
        count = min(max(needed, self.min_instances), self.max_instances)
        sparse = per_day * (self.overhead_s + self.duration_s)
        extra = count - self.min_instances
        dense = floor + (0.0 if extra <= 0 else max(work - self.min_instances * self.window_s,
                                                    extra * self.window_s)
                         + self.periods * extra * self.overhead_s)
        if self.min_instances == 0 and sparse <= dense:
            billed, case = sparse, "per-request"
        else:
            billed, case = dense, "busy-period" if extra > 0 else "floor"
        if billed >= cap:
            billed, case = cap, "capped"
        return _Busy(billed * self.days, case, per_day, work, needed, sparse, dense,
                     max(work - cap, 0.0) * self.days)

    def capacity(self, requests_per_month: float, instance_type: str) -> Capacity:
        """The most the fleet can do (``max_instances`` around the clock) against the work."""
        b, hours = self.at(requests_per_month), self.days * 24.0
        per_request_s = self.duration_s / self.concurrency
        assumed = {
            "instance_type": instance_type,
            "min_instances": self.min_instances,
            "max_instances": self.max_instances,
            "concurrent_invocations_per_instance": self.concurrency,
            "work_instance_hours": round(b.work_s * self.days / 3600.0, 4),
            "max_instance_hours": self.max_instances * hours,
            "billed_instance_hours": round(b.seconds / 3600.0, 4),
            "shortfall_instance_hours": round(b.shortfall_s / 3600.0, 4),
            "requests_per_month_capacity": (
                None if per_request_s <= 0
                else finite_or_none(self.max_instances * hours * 3600.0 / per_request_s, None)),
        }
        if b.shortfall_s <= 0:
            return Capacity(assumed)
        work_h, short_h = b.work_s * self.days / 3600.0, b.shortfall_s / 3600.0
        return Capacity(assumed, (
            f"{instance_type} × max_instances {self.max_instances} cannot keep up: the work "
            f"needs {work_h:,.0f} instance-hours a month ({requests_per_month:,.0f} requests × "
            f"{self.duration_s:g} s ÷ {self.concurrency} concurrent), the fleet gives at most "
            f"{self.max_instances * hours:,.0f}; the backlog grows without bound by about "
            f"{short_h:,.0f} instance-hours ({b.shortfall_s / per_request_s:,.0f} requests) a "
            f"month. Raise max_instances to at least {instances_for(work_h / hours)} or "
            "max_concurrent_invocations_per_instance",))

    def notes(self, requests_per_month: float) -> list[str]:
        """The assumptions behind :meth:`at` at ``requests_per_month``."""
        b = self.at(requests_per_month)
        notes = [
            (f"{self.concurrency} concurrent invocation(s) per instance; {self.duration_ms:g} ms "
             "per request"),
            (f"requests arrive evenly over {self.busy_hours_per_day:g} busy h/day, "
             f"{b.per_day:,.1f} a day; the queue absorbs peaks and the backlog carries past the "
             "busy hours"),
            (f"each busy period bills {self.warm_up_s:g} s warm-up per instance and "
             f"{SCALE_IN_ALARM_S:g} s idle before scaling in (target tracking's scale-in alarm: "
             f"15 one-minute datapoints); scale_in_cooldown_s ({self.scale_in_cooldown_s:g} s) "
             "adds nothing: it spaces one scale-in from the next, and a busy period ends in one"),
        ]
        if self.min_instances:
            notes.append(f"{self.min_instances} instance(s) (min_instances) billed all month")
        else:
            notes.append("min_instances 0: nothing billed while the queue is empty; the first "
                         "request after idle waits for the wake-up alarm (2 min) plus warm-up")
        if b.case == "idle":
            return notes
        notes.append(
            "billed: the smaller of two upper bounds a day, one wake-up per request "
            f"({b.sparse_s:,.0f} instance-s) or one busy period ({b.dense_s:,.0f} instance-s); "
            "requests that share a busy period save warm-ups, so near where the two meet the "
            "bill can be lower")
        if b.needed > self.max_instances:
            notes.append(f"the work needs {b.needed} instances through the busy hours but "
                         f"max_instances is {self.max_instances}: the backlog carries past them")
        case = {
            "per-request": "each request wakes an instance "
                           f"({self.overhead_s + self.duration_s:g} s billed per request)",
            "floor": f"min_instances covers the work ({b.work_s / 3600:,.2f} instance-h a day)",
            "busy-period": "one busy period a day through the busy hours "
                           f"({b.work_s / 3600:,.2f} instance-h of work a day)",
            "capped": f"{self.max_instances} instance(s) (max_instances) around the clock",
        }[b.case]
        notes.append(case)
        if b.shortfall_s > 0:
            notes.append(f"the backlog grows without bound: {b.shortfall_s / 3600:,.0f} "
                         "instance-hours of work a month beyond what max_instances can do")
        return notes


def async_busy_time(
    traffic: TrafficHint,
    *,
    min_instances: int = 0,
    max_instances: int = 1,
    concurrency_per_instance: int = 1,
    warm_up_s: float = ASYNC_WARM_UP_S,
    scale_in_cooldown_s: float = 300.0,
    hours_per_month: float = 730.0,
) -> AsyncBusyTime:
    """Instance-seconds an async endpoint bills a month under the scaling the construct creates
    (the module docstring says how); ``scale_in_cooldown_s`` is stated, never billed
    (:data:`SCALE_IN_ALARM_S`)."""
    profile = _AsyncProfile.of(traffic, min_instances, max_instances, concurrency_per_instance,
                               warm_up_s, scale_in_cooldown_s, hours_per_month)
    requests = traffic.requests_per_month
    return AsyncBusyTime(profile.at(requests).seconds, tuple(profile.notes(requests)))


class AsyncCost(MeteredCost):
    """An async endpoint on ``instance_type`` scaling ``min_instances``..``max_instances``
    (see :func:`async_busy_time`); ``volume_size_gb``: its ML storage volume (default:
    SageMaker's for the type)."""

    kind = "async"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 min_instances: int = 0, max_instances: int = 1,
                 concurrency_per_instance: int = 1, warm_up_s: float = ASYNC_WARM_UP_S,
                 scale_in_cooldown_s: float = 300.0, volume_size_gb: int | None = None) -> None:
        super().__init__(traffic, ctx)
        rate = ctx.book.async_usd_per_hour(ctx.region, instance_type)
        self.instance_type = instance_type
        self.volume = ml_volume(instance_type, volume_size_gb)
        storage = storage_meter(ctx, instance_type, self.volume)
        self.meters = (Meter(f"{instance_type} async hosting", "instance-hour", rate),
                       *((storage,) if storage else ()), *data_processed_meters(ctx))
        self._gb_per_hour = (self.volume.gb or 0.0) / ctx.hours_per_month
        self._profile = _AsyncProfile.of(traffic, min_instances, max_instances,
                                         concurrency_per_instance, warm_up_s,
                                         scale_in_cooldown_s, ctx.hours_per_month)

    def quantities(self, load: Load) -> list[float]:
        requests = load.requests_per_month
        hours = self._profile.at(requests).seconds / 3600.0
        out = [hours]
        if self.volume.gb is not None:
            out.append(hours * self._gb_per_hour)
        out += [data_processed_gb(requests, self.traffic.payload_kb),
                data_processed_gb(requests, self.traffic.response_kb)]
        return out

    def capacity(self, load: Load) -> Capacity:
        return self._profile.capacity(load.requests_per_month, self.instance_type)

    def served(self, load: Load) -> bool:
        return self._profile.at(load.requests_per_month).shortfall_s <= 0

    def notes(self, load: Load) -> list[str]:
        return [*self._profile.notes(load.requests_per_month), self.volume.why]


def async_infeasibility(w: Workload) -> list[str]:
    """Async: a caller that can wait (``max_latency_ms`` covers a start from zero, or the hint
    is offline work with no ``max_latency_ms``), 1 GB payloads, 3600 s per request, and an
    instance type SageMaker scales (not burstable)."""
    t, reasons = w.traffic, []
    if t.max_latency_ms is None and not t.is_offline:
        reasons.append("caller waits on the request (no traffic.max_latency_ms)")
    elif t.max_latency_ms is not None and t.max_latency_ms < ASYNC_COLD_START_MS:
        reasons.append(f"caller waits at most {t.max_latency_ms:g} ms, less than a start "
                       "from zero")
    if t.payload_kb > limits.ASYNC_MAX_PAYLOAD_KB:
        reasons.append("payload above async's 1 GB")
    if t.avg_duration_ms > limits.ASYNC_MAX_DURATION_MS:
        reasons.append("requests longer than async's 3600 s")
    if burstable(w.host_instance):
        reasons.append(f"{w.host_instance} is burstable: async scales its instances, and "
                       "SageMaker does not scale burstable ones")
    return reasons


def async_scaled_to_zero(w: Workload, ctx: PricingContext) -> AsyncCost:
    """The async alternative: AsyncEndpoint's cost model at min 0, one invocation at a time per
    instance, up to :data:`ASYNC_ADVICE_MAX_INSTANCES` instances."""
    return AsyncCost(w.traffic, ctx, instance_type=w.host_instance, min_instances=0,
                     max_instances=ASYNC_ADVICE_MAX_INSTANCES)


ASYNC_OPTION = KindOption(
    "async", async_infeasibility, async_scaled_to_zero,
    lambda w: f"AsyncEndpoint on {w.host_instance} scaled to zero; results via S3/SNS, "
              "minutes to start from zero",
)
