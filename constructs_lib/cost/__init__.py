"""Layer 2: the cost models (pure Python, no CDK), estimates, advice and reports.

One cost model per endpoint kind (:class:`RealTimeCost`, :class:`ServerlessCost`,
:class:`AsyncCost`, :class:`BatchCost`, :class:`FleetCost`), each built from its config, a
traffic hint and a :class:`PricingContext`; ``advice.advise(model, workload)`` is its estimate
with the cheaper alternatives.
"""

from .async_endpoint import AsyncCost
from .base import CostModel, Load, PricingContext
from .batch_transform import BatchCost
from .estimate import Alternative, CostEstimate, LineItem
from .fleet import FleetCost
from .realtime import RealTimeCost
from .serverless import ServerlessCost

__all__ = [
    "Alternative",
    "AsyncCost",
    "BatchCost",
    "CostEstimate",
    "CostModel",
    "FleetCost",
    "LineItem",
    "Load",
    "PricingContext",
    "RealTimeCost",
    "ServerlessCost",
]
