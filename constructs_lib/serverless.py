"""ServerlessEndpoint: billed per GB-second of inference, nothing while idle."""

from __future__ import annotations

from typing import Any, Literal

from constructs import Construct
from pydantic import Field, model_validator

from . import limits
from ._private import nag
from ._private.base import EndpointBase
from ._private.context import stack_env_json
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import model_role
from .config import ModelSpec
from .cost.advice import advise
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.model import PricingContext, estimate_serverless
from .defaults import DEFAULT_VARIANT_NAME
from .errors import FieldProblem, Problem
from .realtime import _container
from .traffic import TrafficHint

__all__ = ["ServerlessEndpoint", "ServerlessEndpointProps"]

KIND = "ServerlessEndpoint"
MemoryMb = Literal[1024, 2048, 3072, 4096, 5120, 6144]


class ServerlessEndpointProps(StrictModel):
    """Props of :class:`ServerlessEndpoint` (see its docstring for defaults)."""

    model: ModelSpec
    traffic: TrafficHint
    memory_mb: MemoryMb = 2048
    max_concurrency: int = Field(10, ge=1, le=limits.SERVERLESS_MAX_CONCURRENCY)
    provisioned_concurrency: int | None = Field(None, ge=1, le=limits.SERVERLESS_MAX_CONCURRENCY)
    endpoint_name: str | None = Field(None, pattern=limits.ENDPOINT_NAME_PATTERN)
    variant_name: str = Field(DEFAULT_VARIANT_NAME, pattern=limits.ENDPOINT_NAME_PATTERN)
    max_monthly_usd: float | None = MAX_MONTHLY_USD

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> ServerlessEndpointProps:
        problems: list[Problem] = []
        if self.provisioned_concurrency is not None and (
            self.provisioned_concurrency > self.max_concurrency
        ):
            problems.append(Problem("provisioned_concurrency", self.provisioned_concurrency,
                               f"must be <= max_concurrency ({self.max_concurrency})"))
        if self.traffic.payload_kb > limits.SERVERLESS_MAX_PAYLOAD_KB:
            problems.append(Problem(
                "traffic.payload_kb", self.traffic.payload_kb,
                "must be <= 4096 (serverless payloads are at most 4 MB); use RealTimeEndpoint "
                "(6 MB) or AsyncEndpoint (1 GB)",
            ))
        if self.traffic.avg_duration_ms > limits.SERVERLESS_MAX_DURATION_MS:
            problems.append(Problem(
                "traffic.avg_duration_ms", self.traffic.avg_duration_ms,
                "must be <= 60000 (serverless requests time out at 60 s); use AsyncEndpoint "
                "for longer inferences",
            ))
        FieldProblem.raise_if_any(problems)
        return self


class ServerlessEndpoint(EndpointBase):
    """A serverless SageMaker endpoint: pay per GB-second of inference, nothing while idle.

    The right kind for intermittent traffic that tolerates cold starts. SageMaker's limits
    apply: memory 1024-6144 MB in 1 GB steps, up to 200 concurrent requests, 4 MB payloads,
    60 s per request, no GPU, no VPC, no data capture, one variant. Defaults: 2048 MB,
    ``max_concurrency`` 10, no provisioned concurrency, variant ``AllTraffic``, a least-privilege
    execution role, no budget (``max_monthly_usd``: an estimate above it fails ``cdk synth``).
    """

    @checked_init(KIND)
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: ModelSpec | dict[str, Any],
        traffic: TrafficHint | dict[str, Any],
        memory_mb: int = 2048,
        max_concurrency: int = 10,
        provisioned_concurrency: int | None = None,
        endpoint_name: str | None = None,
        variant_name: str = DEFAULT_VARIANT_NAME,
        max_monthly_usd: float | None = None,
    ) -> None:
        _, props, pricing = type(self)._validated(
            scope, construct_id, KIND, ServerlessEndpointProps, dict(
                model=model, traffic=traffic, memory_mb=memory_mb, max_concurrency=max_concurrency,
                provisioned_concurrency=provisioned_concurrency, endpoint_name=endpoint_name,
                variant_name=variant_name, max_monthly_usd=max_monthly_usd,
        ))
        super().__init__(scope, construct_id, pricing, max_monthly_usd=props.max_monthly_usd)
        self.props = props
        self._variant_names = [props.variant_name]

        emit = self._emit
        region, account = stack_env_json(self._stack)
        self._execution_role, role_arn = model_role(
            emit, "ExecutionRole", props.model, region=region, account=account)
        self._model_ref = emit.resource("Model", "AWS::SageMaker::Model", {
            "ExecutionRoleArn": role_arn,
            "PrimaryContainer": _container(props.model),
        })
        serverless: dict[str, Any] = {
            "MaxConcurrency": props.max_concurrency,
            "MemorySizeInMB": props.memory_mb,
        }
        if props.provisioned_concurrency is not None:
            serverless["ProvisionedConcurrency"] = props.provisioned_concurrency
        self._config_ref = emit.resource("EndpointConfig", "AWS::SageMaker::EndpointConfig", {
            "ProductionVariants": [{
                "ModelName": self._model_ref.att("ModelName"),
                "ServerlessConfig": serverless,
                "VariantName": props.variant_name,
            }],
        })
        emit.acknowledge(nag.ENDPOINT_CONFIG_KMS,
                         "serverless endpoints have no ML storage volume of yours: KmsKeyId "
                         "encrypts an instance's storage volume, which serverless inference does "
                         "not expose (SageMaker encrypts it with an AWS owned key)")
        endpoint: dict[str, Any] = {
            "EndpointConfigName": self._config_ref.att("EndpointConfigName")}
        if props.endpoint_name is not None:
            endpoint["EndpointName"] = props.endpoint_name
        self._endpoint_ref = emit.resource("Endpoint", "AWS::SageMaker::Endpoint", endpoint)
        self._done(self._endpoint_ref)

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        def own(traffic: TrafficHint) -> CostEstimate:
            return estimate_serverless(
                memory_mb=p.memory_mb, traffic=traffic, ctx=pricing,
                provisioned_concurrency=p.provisioned_concurrency,
            )

        return advise(own(p.traffic), own, Workload(p.traffic, memory_mb=p.memory_mb), pricing)
