"""Cost of work that waits: asynchronous endpoints (scale to zero) and batch transform jobs.

Pure functions, no CDK, no I/O, like :mod:`.model`. Both bill instance-hours at the hourly rate
of their instance type; what differs is how many hours the traffic hint implies:

* async: busy instance-hours only (at ``min_instances`` 0 nothing is billed while idle): the
  work itself, plus a warm-up per burst and the idle tail before scale-in (target tracking's
  15-minute scale-in alarm, or the cooldown if longer), per busy period;
* batch: the job's run time (records × time per record, divided across instances and concurrent
  transforms) plus a billed start-up per job, times the runs per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from ..pricing.instances import instance_facts
from ..traffic import TrafficHint
from .estimate import CostEstimate, LineItem, LoadCost
from .model import PricingContext, data_processed_gb, data_processed_lines, data_processed_rates

__all__ = [
    "ASYNC_WARM_UP_S",
    "BATCH_STARTUP_S",
    "SCALE_IN_ALARM_S",
    "AsyncBusyTime",
    "async_busy_time",
    "async_cost",
    "batch_cost",
    "batch_job_seconds",
    "estimate_async",
    "estimate_batch",
]

ASYNC_WARM_UP_S = 300.0
"""Billed seconds for an instance to launch and load the model before it serves (assumed)."""
SCALE_IN_ALARM_S = 900.0
"""Idle seconds before target tracking scales in: its scale-in alarm waits for 15 one-minute
datapoints below target (Application Auto Scaling's low alarm), so an async instance stays up at
least this long after its last request, or the scale-in cooldown if that is longer."""
BATCH_STARTUP_S = 300.0
"""Billed seconds per transform job for instances to start and load the model (assumed)."""


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
    """The volume-independent part of :func:`async_busy_time`."""

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
            concurrency_per_instance=concurrency_per_instance, idle_tail_s=idle_tail_s)


def _async_instance_seconds(
    p: _AsyncProfile, requests_per_month: float,
) -> tuple[float, str, float, float, int, int, float, float]:
    """:func:`async_busy_time`'s arithmetic at ``requests_per_month``: (billed
    instance-seconds, which case billed them: "idle", "per-request", "floor" or "daily",
    requests a day, work seconds a day, instances the work needs, instances used, seconds
    between requests, seconds billed per request)."""
    per_day = requests_per_month / p.days
    if per_day <= 0:
        return p.floor_s, "idle", per_day, 0.0, 0, 0, 0.0, 0.0
    window_s, duration_s, min_instances = p.window_s, p.duration_s, p.min_instances
    work_s = per_day * duration_s / p.concurrency_per_instance
    needed = max(1, math.ceil(work_s / window_s - 1e-9))
    count = min(needed, p.max_instances)
    gap_s = window_s / per_day
    if min_instances == 0 and gap_s > duration_s + p.idle_tail_s:
        per_period = p.overhead_s + duration_s
        return (requests_per_month * per_period, "per-request", per_day, work_s, needed, count,
                gap_s, per_period)
    extra = max(count - min_instances, 0)
    if extra == 0:
        return p.floor_s, "floor", per_day, work_s, needed, count, gap_s, 0.0
    # One busy period a day: `count` instances through the busy hours (at least the work),
    # each paying warm-up and cooldown; an around-the-clock load never scales in at all.
    above_floor_s = max(work_s - min_instances * window_s, extra * window_s)
    busy_s = p.days * above_floor_s + p.periods * extra * p.overhead_s
    return p.floor_s + busy_s, "daily", per_day, work_s, needed, count, gap_s, 0.0


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
    idle_tail_s = profile.idle_tail_s
    seconds, case, per_day, work_s, needed, count, gap_s, per_period = _async_instance_seconds(
        profile, traffic.requests_per_month)
    notes = [
        (f"{concurrency_per_instance} concurrent invocation(s) per instance; "
         f"{traffic.avg_duration_ms:g} ms per request"),
        (f"requests arrive evenly over {traffic.busy_hours_per_day:g} busy h/day, "
         f"{per_day:,.1f} a day; the queue absorbs peaks"),
        (f"each busy period bills {warm_up_s:g} s warm-up per instance and {idle_tail_s:g} s "
         "idle before scaling in (target tracking's 15-minute scale-in alarm, or the "
         "scale-in cooldown if longer)"),
    ]
    if min_instances:
        notes.append(f"{min_instances} instance(s) (min_instances) billed all month")
    else:
        notes.append("min_instances 0: nothing billed while the queue is empty; the first "
                     "request after idle waits for the wake-up alarm (2 min) plus warm-up")
    if case == "idle":
        return AsyncBusyTime(seconds, tuple(notes))
    if needed > max_instances:
        notes.append(f"the work needs {needed} instances through the busy hours but "
                     f"max_instances is {max_instances}: the backlog carries past them")
    if case == "per-request":
        notes.append(f"requests {gap_s:,.0f} s apart: each wakes an instance "
                     f"({per_period:g} s billed per request)")
    elif case == "floor":
        notes.append(f"min_instances covers the work ({work_s / 3600:,.2f} instance-h a day)")
    else:
        notes.append(f"one busy period a day: {count} instance(s) through the busy hours "
                     f"({work_s / 3600:,.2f} instance-h of work a day)")
    return AsyncBusyTime(seconds, tuple(notes))


def estimate_async(
    *,
    instance_type: str,
    traffic: TrafficHint,
    ctx: PricingContext,
    min_instances: int = 0,
    max_instances: int = 1,
    concurrency_per_instance: int = 1,
    warm_up_s: float = ASYNC_WARM_UP_S,
    scale_in_cooldown_s: float = 300.0,
) -> CostEstimate:
    """Async hosting: busy instance-hours × the hosting rate, plus data processed in and out."""
    rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
    busy = async_busy_time(
        traffic, min_instances=min_instances, max_instances=max_instances,
        concurrency_per_instance=concurrency_per_instance, warm_up_s=warm_up_s,
        scale_in_cooldown_s=scale_in_cooldown_s, hours_per_month=ctx.hours_per_month,
    )
    lines = [LineItem(f"{instance_type} async hosting", busy.instance_hours, "instance-hour",
                      rate)]
    lines += data_processed_lines(traffic, ctx)
    return CostEstimate(
        kind="async",
        region=ctx.region,
        lines=tuple(lines),
        assumptions=tuple(ctx.base_assumptions() + list(busy.notes)),
        price_book=ctx.book.label,
        traffic=traffic.as_metadata(),
    ).from_model(partial(
        async_cost, instance_type=instance_type, ctx=ctx, min_instances=min_instances,
        max_instances=max_instances, concurrency_per_instance=concurrency_per_instance,
        warm_up_s=warm_up_s, scale_in_cooldown_s=scale_in_cooldown_s))


def async_cost(
    traffic: TrafficHint,
    *,
    instance_type: str,
    ctx: PricingContext,
    min_instances: int = 0,
    max_instances: int = 1,
    concurrency_per_instance: int = 1,
    warm_up_s: float = ASYNC_WARM_UP_S,
    scale_in_cooldown_s: float = 300.0,
) -> LoadCost:
    """:func:`estimate_async`'s USD as a function of the volume (its lines' arithmetic, without
    the lines): the same rates looked up in the same order, the same instance-seconds."""
    rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
    rate_in, rate_out = data_processed_rates(ctx)
    profile = _AsyncProfile.of(traffic, min_instances, max_instances, concurrency_per_instance,
                               warm_up_s, scale_in_cooldown_s, ctx.hours_per_month)
    payload_kb, response_kb = traffic.payload_kb, traffic.response_kb

    def usd(requests_per_month: float, records_per_run: float | None = None) -> float:
        seconds = _async_instance_seconds(profile, requests_per_month)[0]
        return sum((_hours(seconds) * rate,
                    data_processed_gb(requests_per_month, payload_kb) * rate_in,
                    data_processed_gb(requests_per_month, response_kb) * rate_out))

    return usd


def effective_concurrency(instance_type: str, max_concurrent_transforms: int) -> int:
    """Concurrent transforms that actually speed a job up: at most one per vCPU."""
    facts = instance_facts(instance_type)
    if facts is None or facts.vcpu is None:
        return max_concurrent_transforms
    return max(1, min(max_concurrent_transforms, facts.vcpu))


def batch_job_seconds(
    traffic: TrafficHint, *, instance_count: int, concurrency: int,
    startup_s: float = BATCH_STARTUP_S,
) -> float:
    """Wall-clock seconds of one job: records × time per record ÷ (instances × concurrency),
    plus the start-up every job pays."""
    return _job_seconds(traffic, traffic.records_per_run, instance_count, concurrency, startup_s)


def _job_seconds(traffic: TrafficHint, records_per_run: float | None, instance_count: int,
                 concurrency: int, startup_s: float) -> float:
    """:func:`batch_job_seconds` at ``records_per_run`` (the hint's other fields held)."""
    records = records_per_run or 0.0
    work_s = records * traffic.avg_duration_ms / 1000.0
    return work_s / (instance_count * concurrency) + startup_s


def _batch_hours(instance_count: int, job_s: float, runs: float) -> tuple[float, float]:
    """(instance-hours per run, instance-hours a month)."""
    hours_per_run = instance_count * job_s / 3600.0
    return hours_per_run, hours_per_run * runs


def estimate_batch(
    *,
    instance_type: str,
    traffic: TrafficHint,
    ctx: PricingContext,
    instance_count: int = 1,
    max_concurrent_transforms: int = 1,
    startup_s: float = BATCH_STARTUP_S,
) -> CostEstimate:
    """Batch transform: instance-hours per job × runs a month × the batch rate.

    ``traffic.avg_duration_ms`` is the time one instance takes per record at one concurrent
    transform. No data-processed fee applies to batch transform; S3 is not included.
    """
    rate = ctx.book.batch_usd_per_hour(ctx.region, instance_type)
    runs = traffic.runs_per_month or 0.0
    concurrency = effective_concurrency(instance_type, max_concurrent_transforms)
    job_s = batch_job_seconds(traffic, instance_count=instance_count, concurrency=concurrency,
                              startup_s=startup_s)
    hours_per_run, hours = _batch_hours(instance_count, job_s, runs)
    notes = [
        *ctx.base_assumptions(),
        (f"{traffic.records_per_run or 0:,.0f} records per run, {runs:g} runs a month; "
         f"{traffic.avg_duration_ms:g} ms per record on one instance at one concurrent "
         "transform"),
        (f"{instance_count} instance(s) × {concurrency} effective concurrent transform(s) "
         f"(max_concurrent_transforms {max_concurrent_transforms}, at most one per vCPU) "
         "divide the work evenly"),
        f"each job bills {startup_s:g} s start-up per instance",
        f"job duration assumed: {job_s / 60:,.1f} min ({hours_per_run:,.3f} instance-h per run)",
        "no data-processed fee for batch transform; S3 storage and requests not included",
    ]
    if runs == 0:
        notes.append("traffic gives no runs_per_month: nothing billed")
    elif not traffic.records_per_run:
        notes.append("traffic gives no records_per_run: only the start-up is billed")
    lines = [LineItem(f"{instance_type} batch transform", hours, "instance-hour", rate)]
    return CostEstimate(
        kind="batch",
        region=ctx.region,
        lines=tuple(lines),
        assumptions=tuple(notes),
        price_book=ctx.book.label,
        traffic=traffic.as_metadata(),
    ).from_model(partial(batch_cost, instance_type=instance_type, ctx=ctx,
                         instance_count=instance_count,
                         max_concurrent_transforms=max_concurrent_transforms,
                         startup_s=startup_s))


def batch_cost(
    traffic: TrafficHint,
    *,
    instance_type: str,
    ctx: PricingContext,
    instance_count: int = 1,
    max_concurrent_transforms: int = 1,
    startup_s: float = BATCH_STARTUP_S,
) -> LoadCost:
    """:func:`estimate_batch`'s USD as a function of the volume (records per run; its line's
    arithmetic, without the line)."""
    rate = ctx.book.batch_usd_per_hour(ctx.region, instance_type)
    runs = traffic.runs_per_month or 0.0
    concurrency = effective_concurrency(instance_type, max_concurrent_transforms)

    def usd(requests_per_month: float, records_per_run: float | None = None) -> float:
        job_s = _job_seconds(traffic, records_per_run, instance_count, concurrency, startup_s)
        return sum((_batch_hours(instance_count, job_s, runs)[1] * rate,))

    return usd
