"""A multi-model endpoint's estimate: one fleet serving many models, against one dedicated
real-time endpoint per model and one serverless endpoint per model.

The construct maps its props here (its instance type, initial count, scaling, variants, the
fleet's traffic and each model's hint); the arithmetic is the fleet's own
(:class:`~.realtime.RealTimeCost` or :class:`~.fleet.FleetCost` with kind ``multimodel``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..spec.scaling import AutoscalingOptions
from ..spec.traffic import TrafficHint
from .advice import alternatives
from .base import MeteredCost, PricingContext
from .estimate import Alternative, CostEstimate, format_usd
from .fleet import FleetCost, VariantSpec, dedicated_endpoints, model_shares
from .realtime import RealTimeCost
from .workload import Workload

__all__ = ["multimodel_estimate"]


def multimodel_estimate(
    *,
    instance_type: str,
    instance_count: int,
    autoscaling: AutoscalingOptions | None,
    variants: Sequence[VariantSpec],
    traffic: TrafficHint,
    models: Mapping[str, TrafficHint],
    ctx: PricingContext,
    concurrency_per_instance: int | None = None,
    volume_size_gb: int | None = None,
) -> CostEstimate:
    """The fleet's estimate: its lines (per variant when it has more than one), each model's
    share of it by compute time, and the alternatives a multi-model endpoint has.

    ``traffic``: the whole fleet's (the sum of ``models`` when the props give none). Break-even
    volumes are against the endpoint's own variant priced alone on the whole traffic. The
    instances carry the MultiModel storage volume; the dedicated alternative, single-model ones.
    """
    own = RealTimeCost(traffic, ctx, instance_type=instance_type, instance_count=instance_count,
                       autoscaling=autoscaling, kind="multimodel",
                       concurrency_per_instance=concurrency_per_instance,
                       volume_size_gb=volume_size_gb)
    fleet: MeteredCost = own if len(variants) == 1 else FleetCost(
        variants, traffic, ctx, kind="multimodel")
    estimate = fleet.estimate()
    notes = list(estimate.assumptions)
    found: list[Alternative] = []
    total = estimate.monthly_usd
    if models:
        per_model = None if total is None else total / len(models)
        notes.append(f"{len(models)} models share the fleet: {format_usd(per_model)}"
                     "/month per model on average; each model's share below is by compute "
                     "time (requests × duration)")
        notes += [f"model {name}: {share:.1%} = "
                  f"{format_usd(None if total is None else share * total)}/month"
                  for name, share in model_shares(models).items()]
        notes.append("fleet peak = sum of the models' peaks (assumed to coincide); "
                     "model loading and cache misses are not priced")
        if total is not None:
            found.append(dedicated_endpoints(models, instance_type=instance_type,
                                             ctx=ctx.strict(), autoscaling=autoscaling,
                                             concurrency_per_instance=concurrency_per_instance))
    # Of the other kinds only serverless can host many models (one endpoint each); async
    # and single-model real-time have no multi-model mode.
    for alt in alternatives("multimodel", own, Workload(traffic, instance_type), ctx,
                            kinds=("serverless",)):
        found.append(replace(
            alt, note=alt.note.replace("ServerlessEndpoint", "one ServerlessEndpoint per model")
            + " (serverless has no multi-model mode)"))
    return replace(
        estimate, kind="multimodel", assumptions=tuple(notes),
        traffic=({**traffic.as_metadata(),
                  "models": {n: h.as_metadata() for n, h in models.items()}}
                 if models else traffic.as_metadata()),
        alternatives=tuple(found), capacity=estimate.capacity, warnings=estimate.warnings)
