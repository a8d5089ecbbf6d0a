"""Typed AWS CDK v2 constructs for Amazon SageMaker inference, each priced at synth time.

Public API: the constructs, their config models, the traffic hint and the cost estimate.
The constructs are imported lazily, so the cost model and the report command (layers 1-2)
run without loading aws-cdk-lib and its JavaScript engine.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .config import (
    AutoscalingOptions,
    DataCaptureOptions,
    ModelSpec,
    ScheduledScaling,
    VpcOptions,
)
from .cost.estimate import Alternative, CostEstimate, LineItem
from .deployment import (
    AllAtOnce,
    BlueGreenDeployment,
    Canary,
    Linear,
    RollbackOptions,
    RollingDeployment,
)
from .errors import ConfigurationError
from .pricing.price_book import PriceBook, PriceNotFoundError, load_price_book
from .traffic import TrafficHint

if TYPE_CHECKING:
    from .async_endpoint import AsyncEndpoint, AsyncEndpointProps
    from .batch_transform import BatchTransform, BatchTransformProps
    from .multimodel import MultiModelEndpoint, MultiModelEndpointProps
    from .realtime import RealTimeEndpoint, RealTimeEndpointProps
    from .serverless import ServerlessEndpoint, ServerlessEndpointProps
    from .variant import Variant, VariantOptions

_CONSTRUCTS = {
    "AsyncEndpoint": ".async_endpoint",
    "AsyncEndpointProps": ".async_endpoint",
    "BatchTransform": ".batch_transform",
    "BatchTransformProps": ".batch_transform",
    "RealTimeEndpoint": ".realtime",
    "RealTimeEndpointProps": ".realtime",
    "ServerlessEndpoint": ".serverless",
    "ServerlessEndpointProps": ".serverless",
    "MultiModelEndpoint": ".multimodel",
    "MultiModelEndpointProps": ".multimodel",
    "Variant": ".variant",
    "VariantOptions": ".variant",
}


def __getattr__(name: str) -> Any:
    module = _CONSTRUCTS.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)


__all__ = [
    "AllAtOnce",
    "Alternative",
    "AsyncEndpoint",
    "AsyncEndpointProps",
    "AutoscalingOptions",
    "BatchTransform",
    "BatchTransformProps",
    "BlueGreenDeployment",
    "Canary",
    "ConfigurationError",
    "CostEstimate",
    "DataCaptureOptions",
    "LineItem",
    "Linear",
    "ModelSpec",
    "MultiModelEndpoint",
    "MultiModelEndpointProps",
    "PriceBook",
    "PriceNotFoundError",
    "RealTimeEndpoint",
    "RealTimeEndpointProps",
    "RollbackOptions",
    "RollingDeployment",
    "ScheduledScaling",
    "ServerlessEndpoint",
    "ServerlessEndpointProps",
    "TrafficHint",
    "Variant",
    "VariantOptions",
    "VpcOptions",
    "load_price_book",
]
