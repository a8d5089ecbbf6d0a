"""Traffic hint fields from what SageMaker published: the arithmetic of ``observe``, apart from
the AWS calls (``observe.py``), so that it is tested on plain numbers.

Everything is scaled to the 730-hour month of the estimates: a count over a window of ``h``
hours becomes ``count × 730 / h`` a month. What CloudWatch cannot tell (payload and response
sizes, records per batch run) is not written: the usage file leaves it as in code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..spec.traffic import HOURS_PER_MONTH

__all__ = ["MINUTE_DATA_DAYS", "Measured", "Runs", "Window", "batch_fields", "online_fields"]

MINUTE_DATA_DAYS = 15
"""CloudWatch keeps 1-minute datapoints 15 days (5-minute 63 days, 1-hour 455 days): the peak
minute is read from the last 15 days of the window at most."""
NOT_IN_CLOUDWATCH = "payload_kb, response_kb: CloudWatch has no request or response sizes"

Series = Mapping[datetime, float]
"""A metric's datapoints: period start → value."""


@dataclass(frozen=True)
class Window:
    """What was observed: from ``start`` (the window's start, or the resource's creation if
    later) to ``end``."""

    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0

    @property
    def minute_start(self) -> datetime:
        """Where 1-minute data begins (at most :data:`MINUTE_DATA_DAYS` before the end)."""
        return max(self.start, self.end - timedelta(days=MINUTE_DATA_DAYS))

    def per_month(self, count: float) -> float:
        """``count`` over the window, as a 730-hour month."""
        return count * HOURS_PER_MONTH / self.hours

    def to_json(self) -> dict[str, object]:
        return {"start": _iso(self.start), "end": _iso(self.end), "days": round(
            self.hours / 24.0, 4)}


@dataclass(frozen=True)
class Measured:
    """The hint fields measured (units as TrafficHint's) and how each was found."""

    fields: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _total(series: Sequence[Series]) -> dict[datetime, float]:
    """Several series (one per variant) summed per period."""
    out: dict[datetime, float] = {}
    for one in series:
        for stamp, value in one.items():
            out[stamp] = out.get(stamp, 0.0) + value
    return out


def online_fields(window: Window, *, requests_hourly: Mapping[str, Series],
                  requests_minutely: Mapping[str, Series], latency_sum_us: Sequence[Series],
                  latency_samples: Sequence[Series], metric: str = "Invocations",
                  backlog_hourly: Series | None = None) -> Measured:
    """An endpoint's fields from per-variant request counts (hourly over the window, per
    minute over its last 15 days), ModelLatency (Sum and SampleCount, microseconds) and, for
    an async endpoint, the hourly maximum of ApproximateBacklogSize.

    requests_per_month: the requests over the window × 730 h / its hours. avg_duration_ms:
    ModelLatency's Sum over its SampleCount, µs → ms. peak_requests_per_second: the busiest
    minute's requests / 60 (not for async: ``backlog_hourly`` given). busy_hours_per_day: the
    hours with requests (for async, or with a backlog) per day of the window.
    """
    notes: list[str] = []
    fields: dict[str, float] = {}
    if window.hours <= 0:
        return Measured({}, ["nothing to observe: the resource was created after the window"])
    hourly = _total(list(requests_hourly.values()))
    total = sum(hourly.values())
    fields["requests_per_month"] = round(window.per_month(total))
    by_variant = ", ".join(f"{name} {sum(s.values()):,.0f}" for name, s in requests_hourly.items())
    notes.append(f"{metric} (Sum) per production variant: {total:,.0f} in {window.hours:,.2f} h "
                 f"({by_variant}) × 730 / {window.hours:,.2f} → "
                 f"{fields['requests_per_month']:,.0f} requests/month")
    samples = sum(sum(s.values()) for s in latency_samples)
    if samples > 0:
        latency_us = sum(sum(s.values()) for s in latency_sum_us)
        fields["avg_duration_ms"] = round(latency_us / samples / 1000.0, 3)
        notes.append(f"ModelLatency: Sum / SampleCount over {samples:,.0f} requests = "
                     f"{fields['avg_duration_ms']:g} ms (CloudWatch reports microseconds)")
    else:
        notes.append("avg_duration_ms: no ModelLatency samples in the window, left as in code")
    busy = {stamp for stamp, value in hourly.items() if value > 0}
    if backlog_hourly is not None:
        waiting = {stamp for stamp, value in backlog_hourly.items() if value > 0}
        notes.append(f"busy hours count the hours with processed requests or a backlog "
                     f"(ApproximateBacklogSize Maximum > 0: {len(waiting - busy)} hour(s) with "
                     f"a backlog only; at most {max(backlog_hourly.values(), default=0):g} "
                     "queued): the instances were at work, or starting")
        busy |= waiting
        notes.append("peak_requests_per_second left as in code: async endpoints publish no "
                     "arrival counts (InvocationsProcesssed follows the queue), and the async "
                     "estimate prices the work, not a peak")
    else:
        minutes = _total(list(requests_minutely.values()))
        peak_minute = max(minutes.values(), default=0.0)
        fields["peak_requests_per_second"] = round(peak_minute / 60.0, 3)
        minute_days = (window.end - window.minute_start).total_seconds() / 86400.0
        notes.append(f"peak minute: {peak_minute:,.0f} requests → "
                     f"{fields['peak_requests_per_second']:g} req/s (over the last "
                     f"{minute_days:,.1f} days: CloudWatch keeps 1-minute data 15 days)")
    if busy:
        per_day = len(busy) / (window.hours / 24.0)
        fields["busy_hours_per_day"] = round(min(per_day, 24.0), 2)
        notes.append(f"{len(busy)} of {window.hours:,.0f} hours had traffic "
                     f"→ {fields['busy_hours_per_day']:g} busy h/day")
    else:
        notes.append("busy_hours_per_day: no traffic in the window, left as in code")
    notes.append(f"left as in code: {NOT_IN_CLOUDWATCH}")
    return Measured(fields, notes)


@dataclass(frozen=True)
class Runs:
    """A batch transform's runs in the window: its state machine's executions, those that
    started a transform job, and each job's billed instance-hours (end − start × instances)."""

    executions: int
    job_hours: list[float]
    prefix: str | None


def batch_fields(window: Window, runs: Runs) -> Measured:
    """runs_per_month: the runs that started a transform job (each bills), × 730 h / the
    window's hours; every execution when the job name prefix is unknown. records_per_run and
    avg_duration_ms stay as in code: SageMaker reports no record counts."""
    if window.hours <= 0:
        return Measured({}, ["nothing to observe: the resource was created after the window"])
    counted = len(runs.job_hours) if runs.prefix is not None else runs.executions
    fields = {"runs_per_month": round(window.per_month(counted), 2)}
    how = (f"{runs.executions} execution(s) of the state machine, {len(runs.job_hours)} of them "
           f"ran a transform job ({runs.prefix}-<execution name>)" if runs.prefix is not None
           else f"{runs.executions} execution(s) of the state machine (job name prefix not "
           "found in its definition: every execution counted)")
    notes = [f"{how} in {window.hours:,.2f} h × 730 / {window.hours:,.2f} → "
             f"{fields['runs_per_month']:g} runs/month"]
    if runs.job_hours:
        mean = sum(runs.job_hours) / len(runs.job_hours)
        notes.append(f"billed per job (TransformEndTime − TransformStartTime, × instances): "
                     f"{mean:,.3f} instance-h on average, for comparison with the estimate's "
                     "job duration")
    notes.append("left as in code: records_per_run and avg_duration_ms (SageMaker reports no "
                 "record counts for transform jobs), payload_kb, response_kb")
    return Measured(fields, notes)


def _iso(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
