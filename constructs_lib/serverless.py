"""ServerlessEndpoint: billed per GB-second of inference, nothing while idle."""

from __future__ import annotations

from aws_cdk import aws_sagemaker as sagemaker

from .core.priced import PricedConstruct
from .cost.advice import advise
from .cost.base import PricingContext
from .cost.estimate import CostEstimate
from .cost.serverless import ServerlessCost
from .cost.workload import Workload
from .parts import compliance as nag
from .parts.alarms import operational_alarms
from .parts.compliance import Compliance
from .parts.endpoint import EndpointResources
from .parts.handles import EndpointHandles
from .parts.imported import Importable
from .parts.model import build_model
from .spec.serverless import ServerlessEndpointProps

__all__ = ["ServerlessEndpoint"]


class ServerlessEndpoint(EndpointHandles, Importable, PricedConstruct[ServerlessEndpointProps]):
    """A serverless SageMaker endpoint: pay per GB-second of inference, nothing while idle.

    The right kind for intermittent traffic that tolerates cold starts. SageMaker's limits
    apply: memory 1024-6144 MB in 1 GB steps, up to 200 concurrent requests, 4 MB payloads,
    60 s per request, no GPU, no VPC, no data capture, one variant. Props:
    :class:`~constructs_lib.ServerlessEndpointProps` (defaults: 2048 MB, ``max_concurrency``
    10, no provisioned concurrency, variant ``AllTraffic``, a least-privilege execution role).
    """

    props_model = ServerlessEndpointProps

    @classmethod
    def _price(cls, props: ServerlessEndpointProps, pricing: PricingContext) -> CostEstimate:
        return advise(ServerlessCost(props.traffic, pricing, memory_mb=props.memory_mb,
                                     provisioned_concurrency=props.provisioned_concurrency,
                                     max_concurrency=props.max_concurrency),
                      Workload(props.traffic, memory_mb=props.memory_mb))

    def _build(self, preflight: None) -> sagemaker.CfnEndpoint:
        p, where = self.props, self.cost_context
        compliance = Compliance(self, where.stack)
        self.at_synth(compliance.record)
        built = build_model(
            self, p.model, partition=where.partition, region=where.region,
            account=where.account, compliance=compliance,
            isolation_reason=nag.REASON_SERVERLESS_ISOLATION)
        self._given_role, self._execution_role = built.given_role, built.role
        self._model_resource = built.model
        self._variant_names = [p.variant_name]
        self._resources = EndpointResources(
            self, sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name=p.variant_name, model_name=self._model_resource.attr_model_name,
                serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                    max_concurrency=p.max_concurrency, memory_size_in_mb=p.memory_mb,
                    provisioned_concurrency=p.provisioned_concurrency)),
            endpoint_name=p.endpoint_name)
        compliance.acknowledge(nag.ENDPOINT_CONFIG_KMS, nag.REASON_SERVERLESS_KMS)
        self.alarm_set = operational_alarms(self, p, endpoint_name=self._resources.name,
                                            region=where.region, account=where.account)
        return self._resources.endpoint
