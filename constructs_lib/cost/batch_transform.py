"""Batch transform: instance-hours per job × runs a month × the batch rate.

A job runs records × time per record, divided across instances and concurrent transforms, plus
a billed start-up. No data-processed fee applies to batch transform; S3 is not included. Also
here: what batch transform needs of the work, and the batch alternative advice offers.
"""

from __future__ import annotations

from ..spec import limits
from ..spec.instances import instance_facts
from ..spec.traffic import TrafficHint
from .base import Load, Meter, MeteredCost, PricingContext
from .workload import KindOption, Workload

__all__ = [
    "BATCH_OPTION",
    "BATCH_STARTUP_S",
    "BatchCost",
    "batch_infeasibility",
    "batch_job_seconds",
    "effective_concurrency",
]

BATCH_STARTUP_S = 300.0
"""Billed seconds per transform job for instances to start and load the model (assumed)."""


def effective_concurrency(instance_type: str, max_concurrent_transforms: int) -> int:
    """Concurrent transforms that actually speed a job up: at most one per vCPU."""
    facts = instance_facts(instance_type)
    if facts is None or facts.vcpu is None:
        return max_concurrent_transforms
    return max(1, min(max_concurrent_transforms, facts.vcpu))


def _job_seconds(avg_duration_ms: float, records_per_run: float | None, instance_count: int,
                 concurrency: int, startup_s: float) -> float:
    """Wall-clock seconds of one job of ``records_per_run`` records."""
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
    ``max_concurrent_transforms``, ``traffic.runs_per_month`` times a month;
    ``traffic.avg_duration_ms`` is the time one instance takes per record at one concurrent
    transform. Its volume is ``Load.records_per_run``."""

    kind = "batch"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 instance_count: int = 1, max_concurrent_transforms: int = 1,
                 startup_s: float = BATCH_STARTUP_S) -> None:
        super().__init__(traffic, ctx)
        rate = ctx.book.batch_usd_per_hour(ctx.region, instance_type)
        self.meters = (Meter(f"{instance_type} batch transform", "instance-hour", rate),)
        self.instance_count = instance_count
        self.max_concurrent_transforms = max_concurrent_transforms
        self.startup_s = startup_s
        self.runs = traffic.runs_per_month or 0.0
        self.concurrency = effective_concurrency(instance_type, max_concurrent_transforms)

    def job_hours(self, records_per_run: float | None) -> tuple[float, float, float]:
        """Seconds per job, instance-hours per run and instance-hours a month."""
        job_s = _job_seconds(self.traffic.avg_duration_ms, records_per_run,
                             self.instance_count, self.concurrency, self.startup_s)
        hours_per_run = self.instance_count * job_s / 3600.0
        return job_s, hours_per_run, hours_per_run * self.runs

    def quantities(self, load: Load) -> tuple[float]:
        return (self.job_hours(load.records_per_run)[2],)

    def notes(self, load: Load) -> list[str]:
        records, runs = load.records_per_run, self.runs
        job_s, hours_per_run, _ = self.job_hours(records)
        notes = [
            (f"{records or 0:,.0f} records per run, {runs:g} runs a month; "
             f"{self.traffic.avg_duration_ms:g} ms per record on one instance at one "
             "concurrent transform"),
            (f"{self.instance_count} instance(s) × {self.concurrency} effective concurrent "
             f"transform(s) (max_concurrent_transforms {self.max_concurrent_transforms}, at "
             "most one per vCPU) divide the work evenly"),
            f"each job bills {self.startup_s:g} s start-up per instance",
            (f"job duration assumed: {job_s / 60:,.1f} min ({hours_per_run:,.3f} instance-h "
             "per run)"),
            "no data-processed fee for batch transform; S3 storage and requests not included",
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
    """BatchTransform's own cost model on one instance, one concurrent transform, per run."""
    return BatchCost(w.traffic, ctx, instance_type=w.host_instance)


BATCH_OPTION = KindOption(
    "batch", batch_infeasibility, _batch_alternative,
    lambda w: f"BatchTransform on {w.host_instance} per run; results when the run ends",
)
