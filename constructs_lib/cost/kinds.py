"""The registry of endpoint kinds advice can price: kind -> (feasibility check, pricing, note).

Adding a kind is one :func:`register_kind` call with three small functions. Each kind is
priced with the same cost function its construct uses (``model.py``, ``offline.py``), so an
alternative's figure is what that construct would report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..config import AutoscalingOptions
from .estimate import CostEstimate, EndpointKind, LoadCost
from .feasibility import (
    Workload,
    async_infeasibility,
    batch_infeasibility,
    realtime_infeasibility,
    serverless_infeasibility,
)
from .model import (
    PricingContext,
    estimate_realtime,
    estimate_serverless,
    realtime_cost,
    serverless_cost,
)
from .offline import async_cost, batch_cost, estimate_async, estimate_batch

__all__ = [
    "ASYNC_ADVICE_MAX_INSTANCES",
    "KINDS",
    "KindOption",
    "price_async_scaled_to_zero",
    "price_batch_transform",
    "register_kind",
]

@dataclass(frozen=True)
class KindOption:
    """How advice treats one kind: why it cannot serve a workload, what it would cost, and a
    short note for reviewers (what the alternative is and its trade-off)."""

    kind: EndpointKind
    infeasibility: Callable[[Workload], list[str]]
    price: Callable[[Workload, PricingContext], CostEstimate]
    note: Callable[[Workload], str]
    cost: Callable[[Workload, PricingContext], LoadCost] | None = None
    """``price``'s USD as a function of the volume (the model's ``*_cost`` function with the
    same arguments); None: advice builds ``price``'s full estimate at every volume it tries."""


KINDS: dict[str, KindOption] = {}
"""Every kind advice compares, in registration order (the order alternatives are listed)."""


def register_kind(option: KindOption) -> KindOption:
    """Add or replace a kind (e.g. ``multimodel`` once its cost function exists)."""
    KINDS[option.kind] = option
    return option


def _async_scaled_to_zero(w: Workload) -> dict[str, Any]:
    return {"instance_type": w.host_instance, "min_instances": 0,
            "max_instances": ASYNC_ADVICE_MAX_INSTANCES}


def price_async_scaled_to_zero(w: Workload, ctx: PricingContext) -> CostEstimate:
    """AsyncEndpoint's own cost model at min 0 (``offline.estimate_async``), one invocation at
    a time per instance, up to as many instances as the work needs."""
    return estimate_async(traffic=w.traffic, ctx=ctx, **_async_scaled_to_zero(w))


def _async_cost(w: Workload, ctx: PricingContext) -> LoadCost:
    return async_cost(w.traffic, ctx=ctx, **_async_scaled_to_zero(w))


def price_batch_transform(w: Workload, ctx: PricingContext) -> CostEstimate:
    """BatchTransform's own cost model (``offline.estimate_batch``) on one instance, one
    concurrent transform, per run."""
    return estimate_batch(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx)


def _batch_cost(w: Workload, ctx: PricingContext) -> LoadCost:
    return batch_cost(w.traffic, instance_type=w.host_instance, ctx=ctx)


ASYNC_ADVICE_MAX_INSTANCES = 4
"""The async alternative may scale out to this many instances (as the real-time one does)."""


_REALTIME_ADVICE_SCALING = AutoscalingOptions(min_instances=1, max_instances=4)
"""Validated once: advice prices the real-time alternative hundreds of times per estimate."""


def _price_realtime(w: Workload, ctx: PricingContext) -> CostEstimate:
    return estimate_realtime(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx,
                             autoscaling=_REALTIME_ADVICE_SCALING)


def _realtime_cost(w: Workload, ctx: PricingContext) -> LoadCost:
    return realtime_cost(w.traffic, instance_type=w.host_instance, ctx=ctx,
                         autoscaling=_REALTIME_ADVICE_SCALING)


def _price_serverless(w: Workload, ctx: PricingContext) -> CostEstimate:
    return estimate_serverless(memory_mb=w.serverless_memory_mb, traffic=w.traffic, ctx=ctx)


def _serverless_cost(w: Workload, ctx: PricingContext) -> LoadCost:
    return serverless_cost(w.traffic, memory_mb=w.serverless_memory_mb, ctx=ctx)


def _serverless_note(w: Workload) -> str:
    assumed = "" if w.memory_mb is not None else " (assumes the model fits)"
    return f"ServerlessEndpoint at {w.serverless_memory_mb} MB{assumed}; cold starts on idle"


register_kind(KindOption(
    "realtime", realtime_infeasibility, _price_realtime,
    lambda w: f"RealTimeEndpoint on {w.host_instance}, autoscaling 1-4 at 100 invocations/"
              "instance/minute; no cold starts",
    _realtime_cost,
))
register_kind(KindOption("serverless", serverless_infeasibility, _price_serverless,
                         _serverless_note, _serverless_cost))
register_kind(KindOption(
    "async", async_infeasibility, price_async_scaled_to_zero,
    lambda w: f"AsyncEndpoint on {w.host_instance} scaled to zero; results via S3/SNS, "
              "minutes to start from zero",
    _async_cost,
))
register_kind(KindOption(
    "batch", batch_infeasibility, price_batch_transform,
    lambda w: f"BatchTransform on {w.host_instance} per run; results when the run ends",
    _batch_cost,
))
