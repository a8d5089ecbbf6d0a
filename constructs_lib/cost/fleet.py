"""Fleets priced line by line: production variants sharing a hint by weight, and many models
sharing one multi-model fleet.

Pure Python (no CDK). A variant's share of the traffic hint is its weight over the sum of the
production weights; a shadow variant receives a copy of ``shadow weight / production weight``
(capped at 100%) of the requests and serves no responses (so no data processed out). Each
variant is priced as a real-time fleet of its own (instance-hours, its ML storage volume, data
processed; sized by its own concurrency), and its lines, capacity and warnings carry its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..spec.scaling import AutoscalingOptions
from ..spec.traffic import TrafficHint, scale_traffic
from .base import Capacity, CostModel, Load, MeteredCost, PricingContext
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
    """What the cost model needs of one variant (instance type, count, scaling, weight, its
    ML storage volume and requests per instance at once; None: SageMaker's and the family's
    defaults)."""

    name: str
    instance_type: str
    weight: float = 1.0
    instance_count: int = 1
    autoscaling: AutoscalingOptions | None = None
    shadow: bool = False
    volume_size_gb: int | None = None
    concurrency_per_instance: int | None = None


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
                         instance_count=v.instance_count, autoscaling=v.autoscaling, kind=kind,
                         concurrency_per_instance=v.concurrency_per_instance,
                         volume_size_gb=v.volume_size_gb, responses=not v.shadow)
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

    def served(self, load: Load) -> bool:
        return all(part.served(part_load)
                   for part, part_load in zip(self.parts, self._part_loads(load), strict=True))

    def capacity(self, load: Load) -> Capacity:
        """Each variant's capacity under its name; its shortfalls prefixed with it."""
        variants, shortfalls = {}, []
        for v, part, part_load in zip(self.variants, self.parts, self._part_loads(load),
                                      strict=True):
            own = part.capacity(part_load)
            variants[v.name] = dict(own.assumed)
            shortfalls += [f"variant {v.name}: {text}" for text in own.shortfalls]
        top = sum(part.profile.max_instances for part in self.parts)
        return Capacity({"variants": variants, "max_instances": top,
                         "max_instance_hours": top * self.ctx.hours_per_month},
                        tuple(shortfalls))

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
    concurrency_per_instance: int | None = None,
) -> Alternative:
    """What one real-time endpoint per model would cost: the same instance type, each sized for
    its own model's traffic from a minimum of one instance (the fleet's own minimum is for the
    whole fleet's availability, so it is not charged to every model); with ``autoscaling`` each
    scales 1..max at the same target. Each carries a single-model ML storage volume."""
    scaling = None if autoscaling is None else autoscaling.model_copy(
        update={"min_instances": 1, "schedule": None})
    endpoints: list[CostModel] = [
        RealTimeCost(hint, ctx, instance_type=instance_type, autoscaling=scaling,
                     concurrency_per_instance=concurrency_per_instance)
        for hint in models.values()]
    return Alternative(
        kind="realtime",
        monthly_usd=sum(round_usd(model.usd(model.own_load)) for model in endpoints),
        note=f"{len(models)} dedicated RealTimeEndpoints on {instance_type}, one per model, "
             "at least 1 instance each",
    )
