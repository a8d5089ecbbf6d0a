"""Cheaper-alternative advice: the same traffic priced under other feasible endpoint kinds.

Feasibility follows SageMaker's limits (``constructs_lib.limits``), not taste: serverless has no
GPU, at most 6144 MB, 200 concurrent requests, 4 MB payloads and 60 s per request.
"""

from __future__ import annotations

import math

from collections.abc import Callable

from .. import limits
from ..config import AutoscalingOptions
from ..pricing.instances import instance_facts
from ..pricing.price_book import PriceNotFoundError
from ..traffic import TrafficHint
from .estimate import Alternative, CostEstimate
from .model import PricingContext, estimate_realtime, estimate_serverless

__all__ = ["SAVING_WARN_SHARE", "realtime_alternatives", "serverless_alternatives",
           "serverless_infeasibility"]

SAVING_WARN_SHARE = 0.30
"""Default share of the monthly cost an alternative must save to turn the annotation into a warning."""

BASELINE_REALTIME_TYPE = "ml.m5.large"
"""The CPU instance a serverless endpoint is compared against (2 vCPU, 8 GiB)."""


def serverless_infeasibility(traffic: TrafficHint, *, accelerator: bool = False) -> list[str]:
    """Reasons serverless cannot serve this load (empty when it can)."""
    reasons = []
    if accelerator:
        reasons.append("serverless has no GPU or accelerator")
    if traffic.payload_kb > limits.SERVERLESS_MAX_PAYLOAD_KB:
        reasons.append("payload above serverless's 4 MB")
    if traffic.avg_duration_ms > limits.SERVERLESS_MAX_DURATION_MS:
        reasons.append("requests longer than serverless's 60 s")
    concurrency = traffic.effective_peak_rps * traffic.avg_duration_ms / 1000.0
    if concurrency > limits.SERVERLESS_MAX_CONCURRENCY:
        reasons.append(f"peak concurrency {concurrency:.0f} above serverless's 200")
    return reasons


def _serverless_memory_for(memory_gib: float | None) -> int:
    if memory_gib is None:
        return limits.SERVERLESS_MEMORY_MB[-1]
    mb = min(max(math.ceil(memory_gib) * 1024, limits.SERVERLESS_MEMORY_MB[0]),
             limits.SERVERLESS_MEMORY_MB[-1])
    return int(mb)


def _priceable(build: Callable[[], list[Alternative]]) -> list[Alternative]:
    """An alternative the price book cannot price (a region without serverless rates, say) is
    left out rather than failing the endpoint's own estimate."""
    try:
        return build()
    except PriceNotFoundError:
        return []


def _realtime_alternatives(
    estimate: CostEstimate, *, instance_type: str, traffic: TrafficHint, ctx: PricingContext
) -> list[Alternative]:
    """A real-time endpoint compared with serverless at the memory its instance suggests."""
    facts = instance_facts(instance_type)
    accel = facts.has_accelerator if facts else False
    mem = facts.memory_gib if facts else None
    if serverless_infeasibility(traffic, accelerator=accel):
        return []
    memory_mb = _serverless_memory_for(mem)
    alt = estimate_serverless(memory_mb=memory_mb, traffic=traffic, ctx=ctx)
    per_request = (
        traffic.avg_duration_ms / 1000.0 * memory_mb / 1024.0
        * ctx.book.rate(ctx.region, "serverless_usd_per_gb_second")
    )
    hosting = estimate.lines[0].monthly_usd if estimate.lines else 0.0
    break_even = _break_even(hosting, per_request)
    return [Alternative(
        kind="serverless",
        monthly_usd=alt.monthly_usd,
        note=f"ServerlessEndpoint at {memory_mb} MB; cold starts on idle",
        break_even_requests_per_month=break_even,
    )]


def _serverless_alternatives(
    estimate: CostEstimate, *, memory_mb: int, traffic: TrafficHint, ctx: PricingContext
) -> list[Alternative]:
    """A serverless endpoint compared with one always-on CPU instance."""
    if not ctx.book.has_instance_type(ctx.region, BASELINE_REALTIME_TYPE):
        return []
    alt = estimate_realtime(
        instance_type=BASELINE_REALTIME_TYPE, traffic=traffic, ctx=ctx,
        autoscaling=AutoscalingOptions(min_instances=1, max_instances=4),
    )
    per_request = (
        traffic.avg_duration_ms / 1000.0 * memory_mb / 1024.0
        * ctx.book.rate(ctx.region, "serverless_usd_per_gb_second")
    )
    hosting = alt.lines[0].monthly_usd
    break_even = _break_even(hosting, per_request)
    return [Alternative(
        kind="realtime",
        monthly_usd=alt.monthly_usd,
        note=f"RealTimeEndpoint on {BASELINE_REALTIME_TYPE}, autoscaling 1-4; no cold starts",
        break_even_requests_per_month=break_even,
    )]


def realtime_alternatives(
    estimate: CostEstimate, *, instance_type: str, traffic: TrafficHint, ctx: PricingContext
) -> list[Alternative]:
    """A real-time endpoint compared with serverless at the memory its instance suggests."""
    return _priceable(lambda: _realtime_alternatives(
        estimate, instance_type=instance_type, traffic=traffic, ctx=ctx))


def serverless_alternatives(
    estimate: CostEstimate, *, memory_mb: int, traffic: TrafficHint, ctx: PricingContext
) -> list[Alternative]:
    """A serverless endpoint compared with one always-on CPU instance, autoscaling 1-4."""
    return _priceable(lambda: _serverless_alternatives(
        estimate, memory_mb=memory_mb, traffic=traffic, ctx=ctx))


def _break_even(hosting_usd: float, per_request_usd: float) -> float | None:
    """Requests per month at which both kinds cost the same; None when there is no finite
    answer (a request so short it costs next to nothing overflows the division)."""
    if per_request_usd <= 0:
        return None
    value = hosting_usd / per_request_usd
    return value if math.isfinite(value) else None
