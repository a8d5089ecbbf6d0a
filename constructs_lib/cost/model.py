"""The cost model: pure functions from (config, traffic hint, region, price book) to an estimate.

No CDK import, no I/O: the price book is passed in already parsed. Units: hours, seconds,
GB (1 GB = 1024 × 1024 KB for payload sizes), USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config import AutoscalingOptions
from ..pricing.price_book import PriceBook
from ..traffic import HOURS_PER_MONTH, TrafficHint
from .estimate import CostEstimate, LineItem

__all__ = [
    "PricingContext",
    "data_processed_lines",
    "estimate_realtime",
    "estimate_serverless",
    "realtime_instance_hours",
]

KB_PER_GB = 1024.0 * 1024.0


@dataclass(frozen=True)
class PricingContext:
    """Where and with which book to price: the region, whether it was assumed, the month."""

    book: PriceBook
    region: str
    region_assumed: bool = False
    hours_per_month: float = HOURS_PER_MONTH

    def base_assumptions(self) -> list[str]:
        out = [f"{self.hours_per_month:g} hours per month"]
        if self.region_assumed:
            out.append(
                f"stack has no region (environment-agnostic): priced as {self.region}"
            )
        return out


def data_processed_lines(traffic: TrafficHint, ctx: PricingContext) -> list[LineItem]:
    """SageMaker's data-processed charge: request bodies in, response bodies out."""
    gb_in = traffic.requests_per_month * traffic.payload_kb / KB_PER_GB
    gb_out = traffic.requests_per_month * traffic.response_kb / KB_PER_GB
    return [
        LineItem("Data processed in", gb_in, "GB",
                 ctx.book.rate(ctx.region, "data_processed_in_usd_per_gb")),
        LineItem("Data processed out", gb_out, "GB",
                 ctx.book.rate(ctx.region, "data_processed_out_usd_per_gb")),
    ]


def realtime_instance_hours(
    traffic: TrafficHint,
    *,
    instance_count: int,
    autoscaling: AutoscalingOptions | None,
    hours_per_month: float = HOURS_PER_MONTH,
) -> tuple[float, list[str]]:
    """Instance-hours a month under the scaling profile, and the assumptions behind them.

    Without autoscaling: ``instance_count`` all month. With it: during busy hours the count the
    peak rate needs at the target invocations per instance (clamped to min..max), the minimum
    the rest of the time; a schedule raises the minimum in business hours.
    """
    if autoscaling is None:
        return instance_count * hours_per_month, [
            f"{instance_count} instance(s) always on (no autoscaling)"
        ]
    busy = min(traffic.busy_hours_per_day * hours_per_month / 24.0, hours_per_month)
    idle = hours_per_month - busy
    peak = traffic.effective_peak_rps
    per_instance_rps = autoscaling.target_invocations_per_instance / 60.0
    needed = max(1, math.ceil(peak / per_instance_rps - 1e-9)) if peak > 0 else 0
    notes = [
        f"busy {traffic.busy_hours_per_day:g} h/day ({busy:.1f} h/month) at peak "
        f"{peak:.2f} req/s; target {autoscaling.target_invocations_per_instance:g} "
        f"invocations/instance/minute needs {needed} instance(s)"
    ]
    if needed > autoscaling.max_instances:
        notes.append(
            f"peak needs {needed} instances but max_instances is {autoscaling.max_instances}: "
            "requests above that capacity queue or fail"
        )
    sched = autoscaling.schedule
    if sched is None:
        busy_count = min(max(needed, autoscaling.min_instances), autoscaling.max_instances)
        hours = busy_count * busy + autoscaling.min_instances * idle
        notes.append(
            f"{busy_count} instance(s) during busy hours, {autoscaling.min_instances} "
            "(min_instances) otherwise"
        )
        return hours, notes
    business = min(sched.business_hours_per_month, hours_per_month)
    busy_count = min(max(needed, sched.business_hours_min_instances), autoscaling.max_instances)
    idle_business = max(business - busy, 0.0)
    off = hours_per_month - busy - idle_business
    hours = (
        busy_count * busy
        + sched.business_hours_min_instances * idle_business
        + sched.off_hours_min_instances * off
    )
    notes.append(
        f"scheduled minimum {sched.business_hours_min_instances} in business hours "
        f"({business:.0f} h/month, busy hours assumed inside them), "
        f"{sched.off_hours_min_instances} otherwise; {busy_count} instance(s) while busy"
    )
    return hours, notes


def estimate_realtime(
    *,
    instance_type: str,
    traffic: TrafficHint,
    ctx: PricingContext,
    instance_count: int = 1,
    autoscaling: AutoscalingOptions | None = None,
    kind: str = "realtime",
) -> CostEstimate:
    """Real-time hosting: instance-hours × hourly rate, plus data processed."""
    rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
    hours, notes = realtime_instance_hours(
        traffic, instance_count=instance_count, autoscaling=autoscaling,
        hours_per_month=ctx.hours_per_month,
    )
    lines = [LineItem(f"{instance_type} hosting", hours, "instance-hour", rate)]
    lines += data_processed_lines(traffic, ctx)
    return CostEstimate(
        kind=kind,  # type: ignore[arg-type]
        region=ctx.region,
        lines=tuple(lines),
        assumptions=tuple(ctx.base_assumptions() + notes),
        price_book=ctx.book.label,
        traffic=traffic.as_metadata(),
    )


def estimate_serverless(
    *,
    memory_mb: int,
    traffic: TrafficHint,
    ctx: PricingContext,
    provisioned_concurrency: int | None = None,
) -> CostEstimate:
    """Serverless: GB-seconds of inference; provisioned concurrency billed per GB-second held.

    No per-request fee (that is Lambda's, not SageMaker's). Requests served by provisioned
    concurrency are billed at its lower inference rate; the share they take is
    min(1, provisioned / peak concurrency), peak concurrency = peak rate × duration.
    """
    gb = memory_mb / 1024.0
    duration_s = traffic.avg_duration_ms / 1000.0
    compute_gb_s = traffic.requests_per_month * duration_s * gb
    notes = [
        *ctx.base_assumptions(),
        f"{memory_mb} MB memory = {gb:g} GB; {traffic.avg_duration_ms:g} ms per request billed",
        "no per-request fee; cold starts are not billed",
    ]
    lines: list[LineItem] = []
    if provisioned_concurrency:
        held = provisioned_concurrency * gb * ctx.hours_per_month * 3600.0
        lines.append(LineItem(
            f"Provisioned concurrency ({provisioned_concurrency} × {memory_mb} MB)", held,
            "GB-second",
            ctx.book.rate(ctx.region, "serverless_provisioned_concurrency_usd_per_gb_second"),
        ))
        peak_concurrency = traffic.effective_peak_rps * duration_s
        share = 1.0 if peak_concurrency <= provisioned_concurrency else (
            provisioned_concurrency / peak_concurrency
        )
        notes.append(
            f"provisioned concurrency held all month; it serves {share:.0%} of requests "
            f"(peak concurrency {peak_concurrency:.2f})"
        )
        lines.append(LineItem(
            "Inference on provisioned concurrency", compute_gb_s * share, "GB-second",
            ctx.book.rate(ctx.region, "serverless_provisioned_inference_usd_per_gb_second"),
        ))
        if share < 1.0:
            lines.append(LineItem(
                "Serverless inference (on demand)", compute_gb_s * (1 - share), "GB-second",
                ctx.book.rate(ctx.region, "serverless_usd_per_gb_second"),
            ))
    else:
        lines.append(LineItem(
            "Serverless inference", compute_gb_s, "GB-second",
            ctx.book.rate(ctx.region, "serverless_usd_per_gb_second"),
        ))
    lines += data_processed_lines(traffic, ctx)
    return CostEstimate(
        kind="serverless",
        region=ctx.region,
        lines=tuple(lines),
        assumptions=tuple(notes),
        price_book=ctx.book.label,
        traffic=traffic.as_metadata(),
    )
