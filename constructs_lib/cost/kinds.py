"""The registry of endpoint kinds advice can price: kind -> (feasibility check, pricing, note).

Adding a kind is one :func:`register_kind` call with three small functions. Each kind is
priced with the same cost function its construct uses (``model.py``, ``offline.py``), so an
alternative's figure is what that construct would report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import AutoscalingOptions
from .estimate import CostEstimate, EndpointKind
from .feasibility import (
    Workload,
    async_infeasibility,
    batch_infeasibility,
    realtime_infeasibility,
    serverless_infeasibility,
)
from .model import PricingContext, estimate_realtime, estimate_serverless
from .offline import estimate_async, estimate_batch

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


KINDS: dict[str, KindOption] = {}
"""Every kind advice compares, in registration order (the order alternatives are listed)."""


def register_kind(option: KindOption) -> KindOption:
    """Add or replace a kind (e.g. ``multimodel`` once its cost function exists)."""
    KINDS[option.kind] = option
    return option


def price_async_scaled_to_zero(w: Workload, ctx: PricingContext) -> CostEstimate:
    """AsyncEndpoint's own cost model at min 0 (``offline.estimate_async``), one invocation at
    a time per instance, up to as many instances as the work needs."""
    return estimate_async(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx,
                          min_instances=0, max_instances=ASYNC_ADVICE_MAX_INSTANCES)


def price_batch_transform(w: Workload, ctx: PricingContext) -> CostEstimate:
    """BatchTransform's own cost model (``offline.estimate_batch``) on one instance, one
    concurrent transform, per run."""
    return estimate_batch(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx)


ASYNC_ADVICE_MAX_INSTANCES = 4
"""The async alternative may scale out to this many instances (as the real-time one does)."""


_REALTIME_ADVICE_SCALING = AutoscalingOptions(min_instances=1, max_instances=4)
"""Validated once: advice prices the real-time alternative hundreds of times per estimate."""


def _price_realtime(w: Workload, ctx: PricingContext) -> CostEstimate:
    return estimate_realtime(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx,
                             autoscaling=_REALTIME_ADVICE_SCALING)


def _price_serverless(w: Workload, ctx: PricingContext) -> CostEstimate:
    return estimate_serverless(memory_mb=w.serverless_memory_mb, traffic=w.traffic, ctx=ctx)


def _serverless_note(w: Workload) -> str:
    assumed = "" if w.memory_mb is not None else " (assumes the model fits)"
    return f"ServerlessEndpoint at {w.serverless_memory_mb} MB{assumed}; cold starts on idle"


register_kind(KindOption(
    "realtime", realtime_infeasibility, _price_realtime,
    lambda w: f"RealTimeEndpoint on {w.host_instance}, autoscaling 1-4 at 100 invocations/"
              "instance/minute; no cold starts",
))
register_kind(KindOption("serverless", serverless_infeasibility, _price_serverless,
                         _serverless_note))
register_kind(KindOption(
    "async", async_infeasibility, price_async_scaled_to_zero,
    lambda w: f"AsyncEndpoint on {w.host_instance} scaled to zero; results via S3/SNS, "
              "minutes to start from zero",
))
register_kind(KindOption(
    "batch", batch_infeasibility, price_batch_transform,
    lambda w: f"BatchTransform on {w.host_instance} per run; results when the run ends",
))
