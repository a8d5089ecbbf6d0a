"""The cost model: pure functions from (config, traffic hint, region, price book) to an estimate.

No CDK import, no I/O: the price book is passed in already parsed. Units: hours, seconds,
GB (1 GB = 1024 × 1024 KB for payload sizes), USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from ..config import AutoscalingOptions
from ..pricing.price_book import PriceBook
from ..traffic import HOURS_PER_MONTH, TrafficHint, peak_rps
from .estimate import CostEstimate, LineItem, LoadCost

__all__ = [
    "PricingContext",
    "data_processed_gb",
    "data_processed_lines",
    "data_processed_rates",
    "estimate_realtime",
    "estimate_serverless",
    "realtime_cost",
    "realtime_instance_hours",
    "serverless_cost",
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


def data_processed_gb(requests_per_month: float, kb_per_request: float) -> float:
    """GB a month of request (or response) bodies of ``kb_per_request`` each."""
    return requests_per_month * kb_per_request / KB_PER_GB


def data_processed_rates(ctx: PricingContext) -> tuple[float, float]:
    """USD per GB of data processed (in, out), looked up in that order."""
    return (ctx.book.rate(ctx.region, "data_processed_in_usd_per_gb"),
            ctx.book.rate(ctx.region, "data_processed_out_usd_per_gb"))


def data_processed_lines(traffic: TrafficHint, ctx: PricingContext) -> list[LineItem]:
    """SageMaker's data-processed charge: request bodies in, response bodies out."""
    rate_in, rate_out = data_processed_rates(ctx)
    return [
        LineItem("Data processed in",
                 data_processed_gb(traffic.requests_per_month, traffic.payload_kb), "GB", rate_in),
        LineItem("Data processed out",
                 data_processed_gb(traffic.requests_per_month, traffic.response_kb), "GB",
                 rate_out),
    ]


@dataclass(frozen=True, slots=True)
class ScalingProfile:
    """The volume-independent part of :func:`realtime_instance_hours` with autoscaling: busy
    and idle hours a month, the rate one instance takes at the target, the instance bounds,
    and with a schedule its (business-hours minimum, off-hours minimum, business hours not
    busy, hours off); plus what the volume-dependent part reads of the traffic hint."""

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


def _scaled_hours(p: ScalingProfile, requests_per_month: float) -> tuple[float, float, int, int]:
    """Instance-hours a month under autoscaling at ``requests_per_month``, and the peak rate,
    instances the peak needs and instances while busy behind them."""
    peak = peak_rps(requests_per_month, p.busy_seconds_per_month, p.stated_peak_rps)
    needed = max(1, math.ceil(peak / p.per_instance_rps - 1e-9)) if peak > 0 else 0
    if p.schedule is None:
        busy_count = min(max(needed, p.min_instances), p.max_instances)
        return busy_count * p.busy + p.min_instances * p.idle, peak, needed, busy_count
    business_min, off_min, idle_business, off = p.schedule
    busy_count = min(max(needed, business_min), p.max_instances)
    hours = busy_count * p.busy + business_min * idle_business + off_min * off
    return hours, peak, needed, busy_count


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
    profile = ScalingProfile.of(traffic, autoscaling, hours_per_month)
    hours, peak, needed, busy_count = _scaled_hours(profile, traffic.requests_per_month)
    busy = profile.busy
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
        notes.append(
            f"{busy_count} instance(s) during busy hours, {autoscaling.min_instances} "
            "(min_instances) otherwise"
        )
        return hours, notes
    notes.append(
        f"scheduled minimum {sched.business_hours_min_instances} in business hours "
        f"({profile.business:.0f} h/month, busy hours assumed inside them), "
        f"{sched.off_hours_min_instances} otherwise; {busy_count} instance(s) while busy"
    )
    return hours, notes


def realtime_cost(
    traffic: TrafficHint,
    *,
    instance_type: str,
    ctx: PricingContext,
    instance_count: int = 1,
    autoscaling: AutoscalingOptions | None = None,
) -> LoadCost:
    """:func:`estimate_realtime`'s USD as a function of the volume (its lines' arithmetic,
    without the lines): the same rates looked up in the same order, the same hours."""
    rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
    rate_in, rate_out = data_processed_rates(ctx)
    payload_kb, response_kb = traffic.payload_kb, traffic.response_kb
    if autoscaling is None:
        hosting_usd = realtime_instance_hours(
            traffic, instance_count=instance_count, autoscaling=None,
            hours_per_month=ctx.hours_per_month)[0] * rate

        def usd(requests_per_month: float, records_per_run: float | None = None) -> float:
            return sum((hosting_usd,
                        data_processed_gb(requests_per_month, payload_kb) * rate_in,
                        data_processed_gb(requests_per_month, response_kb) * rate_out))

        return usd
    profile = ScalingProfile.of(traffic, autoscaling, ctx.hours_per_month)

    def scaled_usd(requests_per_month: float, records_per_run: float | None = None) -> float:
        return sum((_scaled_hours(profile, requests_per_month)[0] * rate,
                    data_processed_gb(requests_per_month, payload_kb) * rate_in,
                    data_processed_gb(requests_per_month, response_kb) * rate_out))

    return scaled_usd


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
    ).from_model(partial(realtime_cost, instance_type=instance_type, ctx=ctx,
                         instance_count=instance_count, autoscaling=autoscaling))


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
    compute_gb_s, held, share, peak_concurrency = _serverless_gb_seconds(
        traffic, traffic.requests_per_month, memory_mb, provisioned_concurrency,
        ctx.hours_per_month)
    notes = [
        *ctx.base_assumptions(),
        f"{memory_mb} MB memory = {gb:g} GB; {traffic.avg_duration_ms:g} ms per request billed",
        "no per-request fee; cold starts are not billed",
    ]
    lines: list[LineItem] = []
    if provisioned_concurrency:
        lines.append(LineItem(
            f"Provisioned concurrency ({provisioned_concurrency} × {memory_mb} MB)", held,
            "GB-second",
            ctx.book.rate(ctx.region, "serverless_provisioned_concurrency_usd_per_gb_second"),
        ))
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
    ).from_model(partial(serverless_cost, memory_mb=memory_mb, ctx=ctx,
                         provisioned_concurrency=provisioned_concurrency))


def _serverless_gb_seconds(
    traffic: TrafficHint, requests_per_month: float, memory_mb: int,
    provisioned_concurrency: int | None, hours_per_month: float,
) -> tuple[float, float, float, float]:
    """GB-seconds of inference a month at ``requests_per_month`` (the hint's other fields
    held); with provisioned concurrency also the GB-seconds it is held, the share of requests
    it serves and the peak concurrency behind that share (else 0.0, 1.0, 0.0)."""
    gb = memory_mb / 1024.0
    duration_s = traffic.avg_duration_ms / 1000.0
    compute_gb_s = requests_per_month * duration_s * gb
    if not provisioned_concurrency:
        return compute_gb_s, 0.0, 1.0, 0.0
    held = provisioned_concurrency * gb * hours_per_month * 3600.0
    peak_concurrency = traffic.peak_rps_at(requests_per_month) * duration_s
    share = 1.0 if peak_concurrency <= provisioned_concurrency else (
        provisioned_concurrency / peak_concurrency
    )
    return compute_gb_s, held, share, peak_concurrency


def serverless_cost(
    traffic: TrafficHint,
    *,
    memory_mb: int,
    ctx: PricingContext,
    provisioned_concurrency: int | None = None,
) -> LoadCost:
    """:func:`estimate_serverless`'s USD as a function of the volume (its lines' arithmetic,
    without the lines). The on-demand rate of a provisioned endpoint is looked up, as there,
    only at volumes whose peak exceeds the provisioned concurrency."""
    book, region, hours_per_month = ctx.book, ctx.region, ctx.hours_per_month
    if provisioned_concurrency:
        rate_held = book.rate(region, "serverless_provisioned_concurrency_usd_per_gb_second")
        rate_provisioned = book.rate(region, "serverless_provisioned_inference_usd_per_gb_second")
        rate = 0.0
    else:
        rate_held = rate_provisioned = 0.0
        rate = book.rate(region, "serverless_usd_per_gb_second")
    rate_in, rate_out = data_processed_rates(ctx)
    payload_kb, response_kb = traffic.payload_kb, traffic.response_kb

    def usd(requests_per_month: float, records_per_run: float | None = None) -> float:
        compute_gb_s, held, share, _ = _serverless_gb_seconds(
            traffic, requests_per_month, memory_mb, provisioned_concurrency, hours_per_month)
        gb_in = data_processed_gb(requests_per_month, payload_kb)
        gb_out = data_processed_gb(requests_per_month, response_kb)
        if not provisioned_concurrency:
            return sum((compute_gb_s * rate, gb_in * rate_in, gb_out * rate_out))
        if share < 1.0:
            on_demand = book.rate(region, "serverless_usd_per_gb_second")
            return sum((held * rate_held, (compute_gb_s * share) * rate_provisioned,
                        (compute_gb_s * (1 - share)) * on_demand,
                        gb_in * rate_in, gb_out * rate_out))
        return sum((held * rate_held, (compute_gb_s * share) * rate_provisioned,
                    gb_in * rate_in, gb_out * rate_out))

    return usd
