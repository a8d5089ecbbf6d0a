"""Fleets priced line by line: production variants sharing a hint by weight, and many models
sharing one multi-model fleet.

Pure Python (no CDK). A variant's share of the traffic hint is its weight over the sum of the
production weights; a shadow variant receives a copy of ``shadow weight / production weight``
(capped at 100%) of the requests and serves no responses. Each variant is priced as a real-time
fleet of its own (instance-hours plus data processed), and its lines carry its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..spec.scaling import AutoscalingOptions
from ..spec.traffic import TrafficHint, scale_traffic
from .base import CostModel, Load, MeteredCost, PricingContext
from .estimate import Alternative, EndpointKind, format_usd, round_usd
from .realtime import RealTimeCost

__all__ = [
    "FleetCost",
    "VariantSpec",
    "dedicated_endpoints",
    "model_shares",
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


def model_shares(hints: Mapping[str, TrafficHint]) -> dict[str, float]:
    """Each model's share of the fleet's compute time (requests × average duration); equal
    shares when no model states any load."""
    seconds = {name: h.requests_per_month * h.avg_duration_ms for name, h in hints.items()}
    total = sum(seconds.values())
    if total <= 0:
        return {name: 1.0 / len(hints) for name in hints} if hints else {}
    return {name: s / total for name, s in seconds.items()}


class FleetCost(MeteredCost):
    """Every variant priced on its share of ``traffic`` as a :class:`RealTimeCost` (its stated
    peak scaled once; its requests scaled at each load); lines named by variant, shadow
    included."""

    def __init__(self, variants: Sequence[VariantSpec], traffic: TrafficHint,
                 ctx: PricingContext, kind: EndpointKind = "realtime") -> None:
        super().__init__(traffic, ctx)
        self.kind = kind
        self.variants = tuple(variants)
        shares = traffic_shares(self.variants)
        self.shares = tuple(shares[v.name] for v in self.variants)
        self.parts = tuple(
            RealTimeCost(scale_traffic(traffic, share), ctx, instance_type=v.instance_type,
                         instance_count=v.instance_count, autoscaling=v.autoscaling)
            for v, share in zip(self.variants, self.shares, strict=True))
        self.meters = tuple(meter._replace(variant=v.name)
                            for v, part in zip(self.variants, self.parts, strict=True)
                            for meter in part.meters)

    def _part_loads(self, load: Load) -> list[Load]:
        return [Load(load.requests_per_month * share, load.records_per_run)
                for share in self.shares]

    def quantities(self, load: Load) -> list[float]:
        return [quantity for part, part_load in zip(self.parts, self._part_loads(load),
                                                    strict=True)
                for quantity in part.quantities(part_load)]

    def notes(self, load: Load) -> list[str]:
        notes = []
        for v, share, part, part_load in zip(self.variants, self.shares, self.parts,
                                             self._part_loads(load), strict=True):
            role = (f"shadow: receives a copy of {share:.0%} of requests and serves no responses"
                    if v.shadow else f"weight {v.weight:g}: {share:.0%} of requests")
            notes.append(f"variant {v.name} ({role}) {format_usd(part.usd(part_load))}/month")
            notes += [f"{v.name}: {note}" for note in part.notes(part_load)]
        return notes


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
    endpoints: list[CostModel] = [
        RealTimeCost(hint, ctx, instance_type=instance_type, autoscaling=scaling)
        for hint in models.values()]
    return Alternative(
        kind="realtime",
        monthly_usd=sum(round_usd(model.usd(model.own_load)) for model in endpoints),
        note=f"{len(models)} dedicated RealTimeEndpoints on {instance_type}, one per model, "
             "at least 1 instance each",
    )
