"""The registry of endpoint kinds advice can price: kind -> (feasibility check, pricing, note).

Adding a kind is one :func:`register_kind` call with three small functions. Real-time and
serverless use the cost model (``model.py``); async and batch are priced here with the simple
formulas of :func:`price_async_scaled_to_zero` and :func:`price_batch_transform` until the
AsyncEndpoint / BatchTransform cost functions (``offline.py``: ``estimate_async`` /
``estimate_batch``) replace them: swap the ``price`` of their registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import AutoscalingOptions
from .estimate import CostEstimate, EndpointKind, LineItem
from .feasibility import (
    Workload,
    async_infeasibility,
    batch_infeasibility,
    realtime_infeasibility,
    serverless_infeasibility,
)
from .model import PricingContext, data_processed_lines, estimate_realtime, estimate_serverless

__all__ = [
    "ASYNC_SCALE_IN_TAIL_S",
    "BATCH_RUN_OVERHEAD_HOURS",
    "KINDS",
    "KindOption",
    "price_async_scaled_to_zero",
    "price_batch_transform",
    "register_kind",
]

ASYNC_SCALE_IN_TAIL_S = 900.0
"""Assumption: after its last request an async instance stays up ~15 minutes before scaling
in to zero (target tracking scale-in waits for 15 one-minute datapoints)."""

BATCH_RUN_OVERHEAD_HOURS = 0.1
"""Assumption: each batch transform run bills ~6 minutes of instance start-up and model load."""


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
    """Async inference scaled to zero, billed for the hours an instance is up.

    hours = max(processing, min(awake, busy hours)) where processing = requests × duration
    (one invocation at a time per instance), awake = requests × (duration + 900 s scale-in
    tail): sparse requests each wake an instance, dense ones keep it up through the busy
    hours. Billed at the hosting rate, plus data processed.
    """
    t, instance = w.traffic, w.host_instance
    duration_s = t.avg_duration_ms / 1000.0
    processing = t.requests_per_month * duration_s / 3600.0
    awake = t.requests_per_month * (duration_s + ASYNC_SCALE_IN_TAIL_S) / 3600.0
    busy = min(t.busy_hours_per_month, ctx.hours_per_month)
    hours = max(processing, min(awake, busy))
    rate = ctx.book.hosting_usd_per_hour(ctx.region, instance)
    lines = [LineItem(f"{instance} async hosting", hours, "instance-hour", rate)]
    lines += data_processed_lines(t, ctx)
    notes = ctx.base_assumptions() + [
        f"scaled to zero when idle; each request keeps an instance up {duration_s:g} s "
        f"+ {ASYNC_SCALE_IN_TAIL_S:g} s scale-in tail, at most the busy hours "
        f"({busy:.0f} h/month) unless processing needs more",
    ]
    return CostEstimate(kind="async", region=ctx.region, lines=tuple(lines),
                        assumptions=tuple(notes), price_book=ctx.book.label,
                        traffic=t.as_metadata())


def price_batch_transform(w: Workload, ctx: PricingContext) -> CostEstimate:
    """Batch transform on one instance per run: hours = runs × (0.1 h start-up + records ×
    duration), at the batch rate; no data-processed charge."""
    t, instance = w.traffic, w.host_instance
    runs = float(t.runs_per_month or 0)
    records = float(t.records_per_run or 0)
    per_run = BATCH_RUN_OVERHEAD_HOURS + records * t.avg_duration_ms / 1000.0 / 3600.0
    rate = ctx.book.batch_usd_per_hour(ctx.region, instance)
    lines = [LineItem(f"{instance} batch transform", runs * per_run, "instance-hour", rate)]
    notes = ctx.base_assumptions() + [
        f"{runs:g} run(s)/month of {records:g} records on 1 instance, "
        f"{per_run:.3f} h per run including {BATCH_RUN_OVERHEAD_HOURS:g} h start-up",
    ]
    return CostEstimate(kind="batch", region=ctx.region, lines=tuple(lines),
                        assumptions=tuple(notes), price_book=ctx.book.label,
                        traffic=t.as_metadata())


def _price_realtime(w: Workload, ctx: PricingContext) -> CostEstimate:
    return estimate_realtime(instance_type=w.host_instance, traffic=w.traffic, ctx=ctx,
                             autoscaling=AutoscalingOptions(min_instances=1, max_instances=4))


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
