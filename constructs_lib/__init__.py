"""Typed AWS CDK v2 constructs for Amazon SageMaker inference, each priced at synth time.

Public API: the constructs, their props and config models, the traffic hint and the cost
estimate. The constructs are imported on first use, so the cost model and the report command
(layers 1-2, see ARCHITECTURE.md) run without loading aws-cdk-lib and its JavaScript engine.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .cost.estimate import Alternative, CostEstimate, LineItem
from .errors import ConfigurationError
from .pricing.price_book import PriceBook, PriceNotFoundError, load_price_book
from .spec.alarms import AlarmOptions
from .spec.async_endpoint import AsyncEndpointProps
from .spec.batch_transform import BatchTransformProps
from .spec.deployment import (
    AllAtOnce,
    BlueGreenDeployment,
    Canary,
    Linear,
    RollbackOptions,
    RollingDeployment,
)
from .spec.inference_components import InferenceComponentEndpointProps, InferenceComponentOptions
from .spec.instance_options import InstanceOptions
from .spec.model import ContainerSpec, ModelSpec
from .spec.multimodel import MultiModelEndpointProps
from .spec.network import DataCaptureOptions, EgressRule, VpcOptions
from .spec.realtime import RealTimeEndpointProps
from .spec.scaling import (
    AutoscalingOptions,
    ConcurrencyScaling,
    RequestsPerSecondScaling,
    ScheduledScaling,
    UtilizationScaling,
)
from .spec.serverless import ServerlessEndpointProps
from .spec.sources import ContainerImage, ModelData
from .spec.traffic import TrafficHint
from .spec.variant import VariantOptions

if TYPE_CHECKING:
    from .async_endpoint import AsyncEndpoint
    from .batch_transform import BatchTransform
    from .inference_component import InferenceComponent
    from .inference_components import InferenceComponentEndpoint
    from .multimodel import MultiModelEndpoint
    from .realtime import RealTimeEndpoint
    from .serverless import ServerlessEndpoint
    from .variant import Variant

_CONSTRUCTS = {
    "AsyncEndpoint": ".async_endpoint",
    "BatchTransform": ".batch_transform",
    "InferenceComponent": ".inference_component",
    "InferenceComponentEndpoint": ".inference_components",
    "MultiModelEndpoint": ".multimodel",
    "RealTimeEndpoint": ".realtime",
    "ServerlessEndpoint": ".serverless",
    "Variant": ".variant",
}


def __getattr__(name: str) -> Any:
    module = _CONSTRUCTS.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)


__all__ = [
    "AlarmOptions",
    "AllAtOnce",
    "Alternative",
    "AsyncEndpoint",
    "AsyncEndpointProps",
    "AutoscalingOptions",
    "BatchTransform",
    "BatchTransformProps",
    "BlueGreenDeployment",
    "Canary",
    "ConcurrencyScaling",
    "ConfigurationError",
    "ContainerImage",
    "ContainerSpec",
    "CostEstimate",
    "DataCaptureOptions",
    "EgressRule",
    "InferenceComponent",
    "InferenceComponentEndpoint",
    "InferenceComponentEndpointProps",
    "InferenceComponentOptions",
    "InstanceOptions",
    "LineItem",
    "Linear",
    "ModelData",
    "ModelSpec",
    "MultiModelEndpoint",
    "MultiModelEndpointProps",
    "PriceBook",
    "PriceNotFoundError",
    "RealTimeEndpoint",
    "RealTimeEndpointProps",
    "RequestsPerSecondScaling",
    "RollbackOptions",
    "RollingDeployment",
    "ScheduledScaling",
    "ServerlessEndpoint",
    "ServerlessEndpointProps",
    "TrafficHint",
    "UtilizationScaling",
    "Variant",
    "VariantOptions",
    "VpcOptions",
    "load_price_book",
]
