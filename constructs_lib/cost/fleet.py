"""Fleets priced line by line: production variants sharing a hint by weight, and many models
sharing one multi-model fleet.

Pure functions (no CDK). A variant's share of the traffic hint is its weight over the sum of
the production weights; a shadow variant receives a copy of ``shadow weight / production weight``
(capped at 100%) of the requests and serves no responses. Each variant is priced as a real-time
fleet of its own (instance-hours plus data processed), and its lines carry its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config import AutoscalingOptions
from ..traffic import TrafficHint
from .estimate import Alternative, CostEstimate, EndpointKind, LineItem, round_usd
from .model import PricingContext, estimate_realtime, realtime_cost

__all__ = [
    "VariantSpec",
    "dedicated_endpoints",
    "estimate_fleet",
    "model_shares",
    "scale_traffic",
    "sum_traffic",
    "traffic_shares",
]


@dataclass(frozen=True)
class VariantSpec:
    """What the cost model needs of one variant (instance type, count, scaling, weight)."""

    name: str
    instance_type: str
    weight: float = 1.0
    instance_count: int = 1
    autoscaling: AutoscalingOptions | None = None
    shadow: bool = False


def traffic_shares(variants: Sequence[VariantSpec]) -> dict[str, float]:
    """Share of the hint's requests each variant receives (production shares sum to 1)."""
    production = sum(v.weight for v in variants if not v.shadow)
    if production <= 0:
        raise ValueError("production variant weights must not all be zero")
    return {
        v.name: min(1.0, v.weight / production) if v.shadow else v.weight / production
        for v in variants
    }


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


def model_shares(hints: Mapping[str, TrafficHint]) -> dict[str, float]:
    """Each model's share of the fleet's compute time (requests × average duration); equal
    shares when no model states any load."""
    seconds = {name: h.requests_per_month * h.avg_duration_ms for name, h in hints.items()}
    total = sum(seconds.values())
    if total <= 0:
        return {name: 1.0 / len(hints) for name in hints} if hints else {}
    return {name: s / total for name, s in seconds.items()}


def estimate_fleet(
    variants: Sequence[VariantSpec],
    *,
    traffic: TrafficHint,
    ctx: PricingContext,
    kind: EndpointKind = "realtime",
) -> CostEstimate:
    """Every variant priced on its share of ``traffic``; lines named by variant, shadow included."""
    shares = traffic_shares(variants)
    lines: list[LineItem] = []
    notes = ctx.base_assumptions()
    for v in variants:
        share = shares[v.name]
        part = estimate_realtime(
            instance_type=v.instance_type, traffic=scale_traffic(traffic, share), ctx=ctx,
            instance_count=v.instance_count, autoscaling=v.autoscaling,
        )
        lines += [LineItem(line.item, line.quantity, line.unit, line.unit_usd, variant=v.name)
                  for line in part.lines]
        role = (f"shadow: receives a copy of {share:.0%} of requests and serves no responses"
                if v.shadow else f"weight {v.weight:g}: {share:.0%} of requests")
        notes.append(f"variant {v.name} ({role}) ${part.monthly_usd:,.2f}/month")
        base = len(ctx.base_assumptions())
        notes += [f"{v.name}: {note}" for note in part.assumptions[base:]]
    return CostEstimate(
        kind=kind, region=ctx.region, lines=tuple(lines), assumptions=tuple(notes),
        price_book=ctx.book.label, traffic=traffic.as_metadata(),
    )


def dedicated_endpoints(
    models: Mapping[str, TrafficHint],
    *,
    instance_type: str,
    ctx: PricingContext,
    autoscaling: AutoscalingOptions | None = None,
) -> Alternative:
    """What one real-time endpoint per model would cost: the same instance type, each sized for
    its own model's traffic from a minimum of one instance (the fleet's own minimum is for the
    whole fleet's availability, so it is not charged to every model); with ``autoscaling`` each
    scales 1..max at the same target."""
    scaling = None if autoscaling is None else autoscaling.model_copy(
        update={"min_instances": 1, "schedule": None})
    # Each model's estimate_realtime(...).monthly_usd, from its cost model (the same figure
    # without building line items and assumptions).
    total = sum(
        round_usd(realtime_cost(hint, instance_type=instance_type, ctx=ctx, instance_count=1,
                                autoscaling=scaling)(hint.requests_per_month,
                                                     hint.records_per_run))
        for hint in models.values()
    )
    return Alternative(
        kind="realtime", monthly_usd=total,
        note=f"{len(models)} dedicated RealTimeEndpoints on {instance_type}, one per model, "
             "at least 1 instance each",
    )
