"""Layer 2: the cost model (pure Python, no CDK), estimates and reports."""

from .estimate import Alternative, CostEstimate, LineItem
from .model import PricingContext, estimate_realtime, estimate_serverless

__all__ = [
    "Alternative",
    "CostEstimate",
    "LineItem",
    "PricingContext",
    "estimate_realtime",
    "estimate_serverless",
]
