"""Asynchronous endpoints: busy instance-hours × the hosting rate, plus data processed.

At ``min_instances`` 0 nothing is billed while idle: the work itself is, plus a warm-up per
burst and the idle tail before scale-in (target tracking's 15-minute scale-in alarm, or the
cooldown if longer), per busy period. Also here: what SageMaker's async limits rule out, and
the async alternative advice offers (scaled to zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..spec import limits
from ..spec.traffic import TrafficHint
from .base import Load, Meter, MeteredCost, PricingContext, data_processed_gb, data_processed_meters
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

ASYNC_WARM_UP_S = 300.0
"""Billed seconds for an instance to launch and load the model before it serves (assumed)."""
SCALE_IN_ALARM_S = 900.0
"""Idle seconds before target tracking scales in: its scale-in alarm waits for 15 one-minute
datapoints below target (Application Auto Scaling's low alarm), so an async instance stays up at
least this long after its last request, or the scale-in cooldown if that is longer."""
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
        return _hours(self.instance_seconds)


def _hours(seconds: float) -> float:
    return seconds / 3600.0


@dataclass(frozen=True, slots=True)
class _AsyncProfile:
    """The volume-independent part of an async endpoint's billed instance-seconds (seconds,
    days a month), and what :meth:`notes` reads of the config and the hint."""

    days: float
    window_s: float
    duration_s: float
    floor_s: float
    overhead_s: float
    periods: float
    min_instances: int
    max_instances: int
    concurrency_per_instance: int
    idle_tail_s: float
    warm_up_s: float
    duration_ms: float
    busy_hours_per_day: float

    @classmethod
    def of(cls, traffic: TrafficHint, min_instances: int, max_instances: int,
           concurrency_per_instance: int, warm_up_s: float, scale_in_cooldown_s: float,
           hours_per_month: float) -> _AsyncProfile:
        days = hours_per_month / 24.0
        window_s = traffic.busy_hours_per_day * 3600.0
        idle_tail_s = max(scale_in_cooldown_s, SCALE_IN_ALARM_S)
        return cls(
            days=days, window_s=window_s, duration_s=traffic.avg_duration_ms / 1000.0,
            floor_s=min_instances * hours_per_month * 3600.0,
            overhead_s=warm_up_s + idle_tail_s,
            periods=days if window_s < 86400.0 else 1.0,
            min_instances=min_instances, max_instances=max_instances,
            concurrency_per_instance=concurrency_per_instance, idle_tail_s=idle_tail_s,
            warm_up_s=warm_up_s, duration_ms=traffic.avg_duration_ms,
            busy_hours_per_day=traffic.busy_hours_per_day)

    def at(self, requests_per_month: float
           ) -> tuple[float, str, float, float, int, int, float, float]:
        """Billed instance-seconds a month at ``requests_per_month``, and how: (seconds, which
        case billed them: "idle", "per-request", "floor" or "daily", requests a day, work
        seconds a day, instances the work needs, instances used, seconds between requests,
        seconds billed per request)."""
        per_day = requests_per_month / self.days
        if per_day <= 0:
            return self.floor_s, "idle", per_day, 0.0, 0, 0, 0.0, 0.0
        window_s, duration_s, min_instances = self.window_s, self.duration_s, self.min_instances
        work_s = per_day * duration_s / self.concurrency_per_instance
        needed = max(1, math.ceil(work_s / window_s - 1e-9))
        count = min(needed, self.max_instances)
        gap_s = window_s / per_day
        if min_instances == 0 and gap_s > duration_s + self.idle_tail_s:
            per_period = self.overhead_s + duration_s
            return (requests_per_month * per_period, "per-request", per_day, work_s, needed,
                    count, gap_s, per_period)
        extra = max(count - min_instances, 0)
        if extra == 0:
            return self.floor_s, "floor", per_day, work_s, needed, count, gap_s, 0.0
        # One busy period a day: `count` instances through the busy hours (at least the work),
        # each paying warm-up and cooldown; an around-the-clock load never scales in at all.
        above_floor_s = max(work_s - min_instances * window_s, extra * window_s)
        busy_s = self.days * above_floor_s + self.periods * extra * self.overhead_s
        return self.floor_s + busy_s, "daily", per_day, work_s, needed, count, gap_s, 0.0

    def notes(self, requests_per_month: float) -> list[str]:
        """The assumptions behind :meth:`at` at ``requests_per_month``."""
        _, case, per_day, work_s, needed, count, gap_s, per_period = self.at(requests_per_month)
        notes = [
            (f"{self.concurrency_per_instance} concurrent invocation(s) per instance; "
             f"{self.duration_ms:g} ms per request"),
            (f"requests arrive evenly over {self.busy_hours_per_day:g} busy h/day, "
             f"{per_day:,.1f} a day; the queue absorbs peaks"),
            (f"each busy period bills {self.warm_up_s:g} s warm-up per instance and "
             f"{self.idle_tail_s:g} s idle before scaling in (target tracking's 15-minute "
             "scale-in alarm, or the scale-in cooldown if longer)"),
        ]
        if self.min_instances:
            notes.append(f"{self.min_instances} instance(s) (min_instances) billed all month")
        else:
            notes.append("min_instances 0: nothing billed while the queue is empty; the first "
                         "request after idle waits for the wake-up alarm (2 min) plus warm-up")
        if case == "idle":
            return notes
        if needed > self.max_instances:
            notes.append(f"the work needs {needed} instances through the busy hours but "
                         f"max_instances is {self.max_instances}: the backlog carries past them")
        if case == "per-request":
            notes.append(f"requests {gap_s:,.0f} s apart: each wakes an instance "
                         f"({per_period:g} s billed per request)")
        elif case == "floor":
            notes.append(f"min_instances covers the work ({work_s / 3600:,.2f} instance-h a day)")
        else:
            notes.append(f"one busy period a day: {count} instance(s) through the busy hours "
                         f"({work_s / 3600:,.2f} instance-h of work a day)")
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
    """Instance-seconds an async endpoint bills a month under the scaling the construct creates.

    Requests arrive evenly within the hint's busy hours, every day. The queue absorbs peaks, so
    instances follow the work (requests × duration ÷ concurrency), not the peak rate. When
    requests are further apart than one request plus the idle tail, each one is its own
    busy period (an instance wakes, works, idles through the tail, scales in); otherwise the
    busy hours of a day are one busy period. ``min_instances`` instances are billed all month.
    """
    profile = _AsyncProfile.of(traffic, min_instances, max_instances, concurrency_per_instance,
                               warm_up_s, scale_in_cooldown_s, hours_per_month)
    requests = traffic.requests_per_month
    return AsyncBusyTime(profile.at(requests)[0], tuple(profile.notes(requests)))


class AsyncCost(MeteredCost):
    """An async endpoint on ``instance_type`` scaling ``min_instances``..``max_instances``
    (see :func:`async_busy_time`)."""

    kind = "async"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 min_instances: int = 0, max_instances: int = 1,
                 concurrency_per_instance: int = 1, warm_up_s: float = ASYNC_WARM_UP_S,
                 scale_in_cooldown_s: float = 300.0) -> None:
        super().__init__(traffic, ctx)
        rate = ctx.book.async_usd_per_hour(ctx.region, instance_type)
        self.meters = (Meter(f"{instance_type} async hosting", "instance-hour", rate),
                       *data_processed_meters(ctx))
        self._profile = _AsyncProfile.of(traffic, min_instances, max_instances,
                                         concurrency_per_instance, warm_up_s,
                                         scale_in_cooldown_s, ctx.hours_per_month)

    def quantities(self, load: Load) -> tuple[float, float, float]:
        requests = load.requests_per_month
        return (_hours(self._profile.at(requests)[0]),
                data_processed_gb(requests, self.traffic.payload_kb),
                data_processed_gb(requests, self.traffic.response_kb))

    def notes(self, load: Load) -> list[str]:
        return self._profile.notes(load.requests_per_month)


def async_infeasibility(w: Workload) -> list[str]:
    """Async: a caller that can wait (``max_latency_ms`` covers a start from zero, or the hint
    is offline work with no ``max_latency_ms``), 1 GB payloads, 3600 s per request."""
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
