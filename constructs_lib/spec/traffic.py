"""TrafficHint: the load an endpoint is expected to serve, which every cost estimate starts from."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from .base import StrictModel

__all__ = ["HOURS_PER_MONTH", "TrafficHint", "peak_rps", "scale_traffic", "sum_traffic"]

HOURS_PER_MONTH = 730.0
"""AWS's billing convention for a month (365 × 24 / 12)."""


class TrafficHint(StrictModel):
    """Expected load, not configuration: each construct derives from it what it bills.

    Every field has a unit in its name and a default, so a hint can state only what is known.
    Online endpoints read the request fields; offline work (batch transform) reads
    ``records_per_run`` and ``runs_per_month``.
    """

    requests_per_month: float = Field(0.0, ge=0, description="Invocations per month.")
    avg_duration_ms: float = Field(
        100.0, ge=0, description="Average model time per request (per record for batch), in ms."
    )
    payload_kb: float = Field(10.0, ge=0, description="Average request body size, in KB.")
    response_kb: float = Field(10.0, ge=0, description="Average response body size, in KB.")
    peak_requests_per_second: float | None = Field(
        None,
        ge=0,
        description="Highest sustained rate; default: the average rate during busy hours.",
    )
    busy_hours_per_day: float = Field(
        24.0, gt=0, le=24, description="Hours a day when traffic arrives (0 < h <= 24)."
    )
    records_per_run: float | None = Field(
        None, ge=0, description="Batch: records processed by one run."
    )
    runs_per_month: float | None = Field(None, ge=0, description="Batch: runs per month.")
    max_latency_ms: float | None = Field(
        None,
        gt=0,
        description=(
            "How long the caller can wait for a result, in ms. None (default): an interactive "
            "caller holding the request open, so only real-time and serverless fit. A value "
            "says the caller can collect the result later (S3 output, SNS notification): "
            "asynchronous inference scaled to zero becomes an alternative when it covers an "
            "instance start (see constructs_lib.cost.advice)."
        ),
    )

    @property
    def is_offline(self) -> bool:
        """The hint describes offline work (batch runs), not requests from a waiting caller."""
        return self.records_per_run is not None and self.runs_per_month is not None

    @property
    def busy_hours_per_month(self) -> float:
        return self.busy_hours_per_day * HOURS_PER_MONTH / 24.0

    @property
    def busy_seconds_per_month(self) -> float:
        return self.busy_hours_per_month * 3600.0

    @property
    def avg_requests_per_second_busy(self) -> float:
        """Average request rate while traffic arrives."""
        return self.requests_per_month / self.busy_seconds_per_month

    @property
    def effective_peak_rps(self) -> float:
        return self.peak_rps_at(self.requests_per_month)

    def peak_rps_at(self, requests_per_month: float) -> float:
        """:attr:`effective_peak_rps` of this hint at another monthly volume (the stated peak
        held)."""
        return peak_rps(requests_per_month, self.busy_seconds_per_month,
                        self.peak_requests_per_second)

    def as_metadata(self) -> dict[str, float]:
        """The hint as given (fields left at their default are included; None dropped)."""
        # Every field is a plain number or None: the instance's values are what model_dump()
        # would copy (this runs for every volume a break-even search tries).
        return {k: v for k, v in self.__dict__.items() if v is not None}


def peak_rps(requests_per_month: float, busy_seconds_per_month: float,
             stated_peak_rps: float | None) -> float:
    """The peak request rate a hint implies: the stated peak, or the average rate while busy if
    higher (:attr:`TrafficHint.effective_peak_rps`; the cost models' volume-only paths call it
    with the hint's ``busy_seconds_per_month`` and stated peak held)."""
    avg = requests_per_month / busy_seconds_per_month
    return avg if stated_peak_rps is None else max(stated_peak_rps, avg)


def scale_traffic(traffic: TrafficHint, share: float) -> TrafficHint:
    """The same hint with ``share`` of its requests (and of its stated peak)."""
    peak = traffic.peak_requests_per_second
    return traffic.model_copy(update={
        "requests_per_month": traffic.requests_per_month * share,
        "peak_requests_per_second": None if peak is None else peak * share,
    })


def sum_traffic(hints: Mapping[str, TrafficHint]) -> TrafficHint:
    """One hint for a fleet serving every hint: requests add up, durations and sizes are
    request-weighted averages, busy hours are the longest, and peaks are assumed to coincide
    (the fleet's peak is the sum of each model's effective peak: conservative)."""
    if not hints:
        return TrafficHint()
    values = list(hints.values())
    total = sum(h.requests_per_month for h in values)

    def mean(field: str) -> float:
        column: list[float] = [getattr(h, field) for h in values]
        if total <= 0:
            return sum(column) / len(values)
        return sum(x * h.requests_per_month for x, h in zip(column, values, strict=True)) / total

    return TrafficHint(
        requests_per_month=total,
        avg_duration_ms=mean("avg_duration_ms"),
        payload_kb=mean("payload_kb"),
        response_kb=mean("response_kb"),
        peak_requests_per_second=sum(h.effective_peak_rps for h in values),
        busy_hours_per_day=max(h.busy_hours_per_day for h in values),
    )
