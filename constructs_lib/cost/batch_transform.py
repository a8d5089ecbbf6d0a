"""Batch transform: instance-hours per job × runs a month × the batch rate, plus the ML storage
volume of the job's instances while it runs.

A job runs records × time per record, divided across instances and the concurrent transforms
that actually run at once, plus a billed start-up; the state machine stops a job at
``timeout_hours``, so no run bills more than that (a run that needs longer is a shortfall: its
records are not all transformed). Concurrent transforms speed a job up only as far as an
instance runs requests at once: one per vCPU on CPU types, one per GPU (or accelerator device)
on GPU and Inferentia types (``spec.instances.InstanceFacts.default_concurrency``), never
linearly to ``max_concurrent_transforms``. No data-processed fee applies to batch transform;
S3 is not included. Also here: what batch transform needs of the work, and the batch
alternative advice offers (sized to finish each run within the timeout).
"""

from __future__ import annotations

import math
from typing import Any

from ..spec import limits
from ..spec.traffic import TrafficHint
from .base import Capacity, Load, Meter, MeteredCost, PricingContext, ml_volume, storage_meter
from .realtime import instance_concurrency
from .workload import KindOption, Workload

__all__ = [
    "BATCH_OPTION",
    "BATCH_STARTUP_S",
    "BATCH_TIMEOUT_HOURS",
    "BatchCost",
    "batch_infeasibility",
    "batch_job_seconds",
    "effective_concurrency",
]

BATCH_STARTUP_S = 300.0
"""Billed seconds per transform job for instances to start and load the model (assumed)."""
BATCH_TIMEOUT_HOURS = 23.0
"""BatchTransform's default ``timeout_hours``: the state machine stops a job after this."""


def effective_concurrency(instance_type: str, max_concurrent_transforms: int) -> int:
    """Concurrent transforms that actually speed a job up: at most what one instance runs at
    once (one per vCPU on CPU types, one per GPU or accelerator device otherwise)."""
    at_once, _ = instance_concurrency(instance_type, None)
    return max(1, min(max_concurrent_transforms, at_once))


def _job_seconds(avg_duration_ms: float, records_per_run: float | None, instance_count: int,
                 concurrency: int, startup_s: float) -> float:
    """Wall-clock seconds of one job of ``records_per_run`` records (no timeout)."""
    records = records_per_run or 0.0
    work_s = records * avg_duration_ms / 1000.0
    return work_s / (instance_count * concurrency) + startup_s


def batch_job_seconds(
    traffic: TrafficHint, *, instance_count: int, concurrency: int,
    startup_s: float = BATCH_STARTUP_S,
) -> float:
    """Wall-clock seconds of one job: records × time per record ÷ (instances × concurrency),
    plus the start-up every job pays."""
    return _job_seconds(traffic.avg_duration_ms, traffic.records_per_run, instance_count,
                        concurrency, startup_s)


class BatchCost(MeteredCost):
    """A transform job on ``instance_count`` × ``instance_type`` at
    ``max_concurrent_transforms``, ``traffic.runs_per_month`` times a month, stopped at
    ``timeout_hours``; ``traffic.avg_duration_ms`` is the time one instance takes per record at
    one concurrent transform. Its volume is ``Load.records_per_run``. ``instance_count=None``:
    as many instances as finish each run within the timeout (1-100; the advice alternative).
    CreateTransformJob takes no volume size: the instance type's default volume is priced."""

    kind = "batch"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 instance_count: int | None = 1, max_concurrent_transforms: int = 1,
                 startup_s: float = BATCH_STARTUP_S,
                 timeout_hours: float = BATCH_TIMEOUT_HOURS) -> None:
        super().__init__(traffic, ctx)
        rate = ctx.book.batch_usd_per_hour(ctx.region, instance_type)
        self.instance_type = instance_type
        self.volume = ml_volume(instance_type)
        storage = storage_meter(ctx, instance_type, self.volume)
        self.meters = (Meter(f"{instance_type} batch transform", "instance-hour", rate),
                       *((storage,) if storage else ()))
        self._gb_per_hour = (self.volume.gb or 0.0) / ctx.hours_per_month
        self.instance_count = instance_count
        self.max_concurrent_transforms = max_concurrent_transforms
        self.startup_s = startup_s
        self.timeout_s = timeout_hours * 3600.0
        self.runs = traffic.runs_per_month or 0.0
        self.concurrency = effective_concurrency(instance_type, max_concurrent_transforms)

    def instances(self, records_per_run: float | None) -> int:
        """The instances a run uses: the configured count, or (``instance_count=None``) the
        fewest that finish it within the timeout, at most 100."""
        if self.instance_count is not None:
            return self.instance_count
        work_s = (records_per_run or 0.0) * self.traffic.avg_duration_ms / 1000.0
        room = max(self.timeout_s - self.startup_s, 1e-9)
        ratio = work_s / (self.concurrency * room)
        if not math.isfinite(ratio):  # a run of unbounded size: as many as a job may take
            return limits.BATCH_MAX_INSTANCE_COUNT
        return min(max(math.ceil(ratio - 1e-9), 1), limits.BATCH_MAX_INSTANCE_COUNT)

    def job_hours(self, records_per_run: float | None) -> tuple[float, float, float]:
        """Seconds per job (stopped at the timeout), instance-hours per run and a month."""
        count = self.instances(records_per_run)
        job_s = min(_job_seconds(self.traffic.avg_duration_ms, records_per_run, count,
                                 self.concurrency, self.startup_s), self.timeout_s)
        hours_per_run = count * job_s / 3600.0
        return job_s, hours_per_run, hours_per_run * self.runs

    def quantities(self, load: Load) -> list[float]:
        hours = self.job_hours(load.records_per_run)[2]
        return [hours, hours * self._gb_per_hour] if self.volume.gb is not None else [hours]

    def served(self, load: Load) -> bool:
        records = load.records_per_run
        return not self.runs or _job_seconds(
            self.traffic.avg_duration_ms, records, self.instances(records), self.concurrency,
            self.startup_s) <= self.timeout_s

    def capacity(self, load: Load) -> Capacity:
        records = load.records_per_run
        count = self.instances(records)
        needed_s = _job_seconds(self.traffic.avg_duration_ms, records, count,
                                self.concurrency, self.startup_s)
        assumed: dict[str, Any] = {
            "instance_type": self.instance_type,
            "instances_per_run": count,
            "max_instances": (limits.BATCH_MAX_INSTANCE_COUNT if self.instance_count is None
                              else self.instance_count),
            "effective_concurrent_transforms": self.concurrency,
            "run_hours_needed": round(needed_s / 3600.0, 4),
            "timeout_hours": self.timeout_s / 3600.0,
            "max_instance_hours": count * self.timeout_s / 3600.0 * self.runs,
        }
        if needed_s <= self.timeout_s or not self.runs:
            return Capacity(assumed)
        done = (self.timeout_s - self.startup_s) / max(needed_s - self.startup_s, 1e-9)
        wanted = count * (needed_s - self.startup_s) / (self.timeout_s - self.startup_s)
        at_least = (f"{math.ceil(wanted)}" if math.isfinite(wanted)
                    else f"the most a job allows ({limits.BATCH_MAX_INSTANCE_COUNT})")
        return Capacity(assumed, (
            f"{self.instance_type} × {count} cannot finish a run within timeout_hours "
            f"{self.timeout_s / 3600:g}: {records or 0:,.0f} records need "
            f"{needed_s / 3600:,.1f} h; the job is stopped at the timeout with about "
            f"{max(done, 0):.0%} of its records transformed. Raise instance_count to at least "
            f"{at_least} or timeout_hours",))

    def notes(self, load: Load) -> list[str]:
        records, runs = load.records_per_run, self.runs
        job_s, hours_per_run, _ = self.job_hours(records)
        count = self.instances(records)
        sized = ("" if self.instance_count is not None
                 else " (as many as finish a run within the timeout)")
        notes = [
            (f"{records or 0:,.0f} records per run, {runs:g} runs a month; "
             f"{self.traffic.avg_duration_ms:g} ms per record on one instance at one "
             "concurrent transform"),
            (f"{count} instance(s){sized} × {self.concurrency} effective concurrent "
             f"transform(s) (max_concurrent_transforms {self.max_concurrent_transforms}; at most "
             "what an instance runs at once: one per vCPU, or one per GPU) divide the work "
             "evenly"),
            f"each job bills {self.startup_s:g} s start-up per instance",
            (f"job duration assumed: {job_s / 60:,.1f} min ({hours_per_run:,.3f} instance-h "
             f"per run; the state machine stops a job at {self.timeout_s / 3600:g} h)"),
            "no data-processed fee for batch transform; S3 storage and requests not included",
            (f"{self.volume.why}; CreateTransformJob's TransformResources has no volume size, "
             "so the type's default hosting volume is assumed"),
        ]
        if runs == 0:
            notes.append("traffic gives no runs_per_month: nothing billed")
        elif not records:
            notes.append("traffic gives no records_per_run: only the start-up is billed")
        return notes


def batch_infeasibility(w: Workload) -> list[str]:
    """Batch transform: offline work only (``records_per_run`` and ``runs_per_month``), records
    up to 100 MB."""
    t, reasons = w.traffic, []
    if not t.is_offline:
        reasons.append("not offline work (no traffic.records_per_run and runs_per_month)")
    if t.payload_kb > limits.BATCH_MAX_PAYLOAD_MB * 1024:
        reasons.append("record above batch transform's 100 MB")
    return reasons


def _batch_alternative(w: Workload, ctx: PricingContext) -> BatchCost:
    """BatchTransform's own cost model, one concurrent transform, per run, on as many instances
    as finish a run within the default timeout."""
    return BatchCost(w.traffic, ctx, instance_type=w.host_instance, instance_count=None)


BATCH_OPTION = KindOption(
    "batch", batch_infeasibility, _batch_alternative,
    lambda w: f"BatchTransform on {w.host_instance} per run; results when the run ends",
)
