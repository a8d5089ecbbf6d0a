"""An InferenceComponentEndpoint's estimate: the fleet's lines (each component's share), the
hint of each component, and what the same models would cost otherwise: the same fleet always
on, one dedicated real-time endpoint per model, and one serverless or async endpoint per model
where SageMaker's limits allow every model there.

Kept apart from ``inference_components`` (the cost model and the alternative advice offers
other kinds), which ``kinds`` imports: this module prices the other kinds through their own
options, so their figures are what their constructs would report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..pricing.price_book import PriceNotFoundError
from ..spec.inference_components import instance_capacity, instance_problems
from ..spec.instances import instance_facts, instance_types
from ..spec.scaling import AutoscalingOptions
from .async_endpoint import ASYNC_OPTION
from .base import CostModel, Load
from .breakeven import break_even
from .estimate import Alternative, CostEstimate, EndpointKind, round_usd
from .inference_components import ComponentSpec, InferenceComponentsCost
from .realtime import RealTimeCost
from .serverless import SERVERLESS_OPTION
from .workload import KindOption, Workload

__all__ = ["always_on", "dedicated_instance_type", "inference_components_estimate"]

_DIGITS = 4
"""Break-even volumes to 4 significant figures, as ``advice`` reports them."""


def always_on(own: InferenceComponentsCost) -> InferenceComponentsCost:
    """The same endpoint that never scales to zero: at least one instance, and at least one
    copy of every component held."""
    return InferenceComponentsCost(
        own.traffic, own.ctx, instance_type=own.instance_type,
        min_instances=max(own.min_instances, 1), max_instances=own.max_instances,
        components=[replace(c, min_copies=max(c.min_copies, 1)) for c in own.components])


def dedicated_instance_type(own: InferenceComponentsCost, component: ComponentSpec) -> str:
    """The cheapest instance type the book prices that holds one copy of ``component`` alone,
    with the endpoint's accelerator (or none, for a CPU-only model): what a dedicated endpoint
    for it would run on. The endpoint's own type when nothing cheaper fits."""
    ctx, accelerator = own.ctx, instance_facts(own.instance_type)
    wanted = accelerator.accelerator if accelerator and component.demand.accelerators else None
    best = (ctx.book.hosting_usd_per_hour(ctx.region, own.instance_type), own.instance_type)
    for candidate in instance_types():
        facts, capacity = instance_facts(candidate), instance_capacity(candidate)
        if (facts is None or capacity is None or facts.accelerator != wanted
                or instance_problems(candidate) or not capacity.fits(component.demand)):
            continue
        try:
            best = min(best, (ctx.book.hosting_usd_per_hour(ctx.region, candidate), candidate))
        except PriceNotFoundError:
            continue
    return best[1]


def _dedicated_realtime(own: InferenceComponentsCost, c: ComponentSpec, instance_type: str
                        ) -> RealTimeCost:
    """One real-time endpoint for ``c``: at least one instance always on, scaled up to
    ``max_copies`` copies' worth at the invocations per instance its target concurrency gives
    (concurrency / duration, per minute)."""
    capacity = instance_capacity(instance_type)
    per_instance = capacity.fits(c.demand) if capacity is not None else 1
    duration_s = max(c.traffic.avg_duration_ms / 1000.0, 1e-6)
    scaling = AutoscalingOptions(
        min_instances=1, max_instances=max(1, math.ceil(c.max_copies / per_instance)),
        target_invocations_per_instance=per_instance * c.target_concurrency / duration_s * 60.0)
    return RealTimeCost(c.traffic, own.ctx, instance_type=instance_type, autoscaling=scaling)


def _alternative(own: InferenceComponentsCost, other: Callable[[float], float], kind: EndpointKind,
                 note: str, monthly: float) -> Alternative:
    """An alternative costing ``other(volume)`` USD a month, with its break-even volume against
    ``own``."""
    volume = own.traffic.requests_per_month
    point = break_even(_usd_of(own), other, near=volume, digits=_DIGITS)
    return Alternative(kind=kind, monthly_usd=monthly, note=note,
                       break_even_requests_per_month=_finite(point))


def _one_per_component(own: InferenceComponentsCost, models: Sequence[CostModel],
                       kind: EndpointKind, note: str) -> Alternative:
    """One endpoint per component, each taking its component's share of a volume (as the
    endpoint's own cost model does)."""
    shares = own.shares

    def together(volume: float) -> float:
        return sum(m.usd(Load(volume * s)) for m, s in zip(models, shares, strict=True))

    return _alternative(own, together, kind, note,
                        sum(round_usd(m.usd(m.own_load)) for m in models))


def _usd_of(model: CostModel) -> Callable[[float], float]:
    return lambda volume: model.usd(Load(volume))


def _finite(point: float | None) -> float | None:
    return point if point is not None and point > 0 and math.isfinite(point) else None


def _per_kind(own: InferenceComponentsCost, option: KindOption, types: Sequence[str]
              ) -> Alternative | None:
    """``option``'s kind for every component (None when SageMaker rules one out or the book
    cannot price it)."""
    workloads = [Workload(c.traffic, t, c.demand.memory_mb)
                 for c, t in zip(own.components, types, strict=True)]
    if any(option.infeasibility(w) for w in workloads):
        return None
    try:
        models = [option.model(w, own.ctx) for w in workloads]
    except PriceNotFoundError:
        return None
    notes = "; ".join(f"{c.name}: {option.note(w)}"
                      for c, w in zip(own.components, workloads, strict=True))
    return _one_per_component(own, models, option.kind, f"one endpoint per model ({notes})")


def inference_components_estimate(own: InferenceComponentsCost) -> CostEstimate:
    """``own``'s estimate with each component's hint and the alternatives the same models
    have."""
    estimate = own.estimate()
    found: list[Alternative] = []
    if own.components:
        steady = always_on(own)
        if (steady.min_instances, [c.min_copies for c in steady.components]) != (
                own.min_instances, [c.min_copies for c in own.components]):
            found.append(_alternative(
                own, _usd_of(steady), "inference_components",
                "the same InferenceComponentEndpoint always on (at least 1 instance, 1 copy "
                "of each model held): no cold starts", round_usd(steady.usd(steady.own_load))))
        types = [dedicated_instance_type(own, c) for c in own.components]
        found.append(_one_per_component(
            own, [_dedicated_realtime(own, c, t) for c, t in
                  zip(own.components, types, strict=True)], "realtime",
            f"{len(types)} dedicated RealTimeEndpoints, one per model ("
            + ", ".join(f"{c.name} on {t}" for c, t in zip(own.components, types, strict=True))
            + "), at least 1 instance each: no cold starts"))
        for option in (SERVERLESS_OPTION, ASYNC_OPTION):
            alternative = _per_kind(own, option, types)
            if alternative is not None:
                found.append(alternative)
    return replace(estimate.with_alternatives(found), traffic={
        **own.traffic.as_metadata(),
        "components": {c.name: c.traffic.as_metadata() for c in own.components}})
