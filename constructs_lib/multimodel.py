"""MultiModelEndpoint: one fleet serving every model artifact under an S3 prefix.

Many light-traffic models (one per customer, say) each idle most of the time: on dedicated
endpoints each pays for at least one always-on instance; on one multi-model fleet they share
instances, loaded on demand and cached. The estimate prices the fleet from the sum of the
models' hints, attributes a share to each model, and states what dedicated endpoints would cost.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from constructs import Construct
from pydantic import Field, model_validator

from . import limits
from ._private.base import EndpointBase
from ._private.context import check_priceable, pricing_context, stack_env_json
from ._private.memo import price_once
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    check_same_app,
    checked_init,
    child_path,
    validate_props,
)
from ._private.roles import model_role
from ._private.rules import hosting_problems
from ._private.scaling import Autoscaled
from .config import S3_URI, AutoscalingOptions, IKeyLike, InstanceType, IRoleLike, ModelSpec
from .cost.advice import alternatives as priced_alternatives
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.fleet import (
    VariantSpec,
    dedicated_endpoints,
    estimate_fleet,
    model_shares,
    sum_traffic,
)
from .cost.model import PricingContext, estimate_realtime
from .defaults import DEFAULT_VARIANT_NAME
from .deployment import Deployment
from .errors import ConfigurationError, FieldProblem, Problem
from .traffic import TrafficHint
from .variant import VariantHost, VariantOptions, fleet_problems

__all__ = ["MultiModelEndpoint", "MultiModelEndpointProps"]

KIND = "MultiModelEndpoint"


class MultiModelEndpointProps(StrictModel):
    """Props of :class:`MultiModelEndpoint` (see its docstring for defaults)."""

    image_uri: str
    models_s3_prefix: str
    instance_type: InstanceType
    traffic: TrafficHint | None = None
    models: dict[str, TrafficHint] = Field(default_factory=dict)
    instance_count: int | None = Field(None, ge=1, le=1000)
    autoscaling: AutoscalingOptions | None = None
    model_cache: Literal["Enabled", "Disabled"] = "Enabled"
    environment: dict[str, str] = Field(default_factory=dict)
    execution_role: IRoleLike = None
    endpoint_name: str | None = Field(None, pattern=limits.ENDPOINT_NAME_PATTERN)
    variant_name: str = Field(DEFAULT_VARIANT_NAME, pattern=limits.ENDPOINT_NAME_PATTERN)
    variant_weight: float = Field(1.0, ge=0)
    kms_key: IKeyLike = None
    variants: tuple[VariantOptions, ...] = ()
    deployment: Deployment | None = None
    retain_variant_properties: bool | None = None
    reset_on_update: tuple[Literal["DesiredInstanceCount", "DesiredWeight"], ...] = ()
    max_monthly_usd: float | None = MAX_MONTHLY_USD

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> MultiModelEndpointProps:
        problems: list[Problem] = []
        try:
            _ = self.model  # builds and validates the container's ModelSpec
        except ConfigurationError as error:
            problems += [p for p in error.problems if p.field != "model_data_url"]
        match = S3_URI.match(self.models_s3_prefix)
        if not match or not self.models_s3_prefix.endswith("/"):
            problems.append(Problem("models_s3_prefix", self.models_s3_prefix,
                                    "an S3 prefix ending in '/', e.g. 's3://bucket/models/': "
                                    "SageMaker loads every artifact under it"))
        if (self.traffic is None) == (not self.models):
            problems.append(Problem(
                "models" if self.traffic is not None else "traffic", "(both)" if self.traffic
                else "(neither)", "give either models (name -> TrafficHint; the fleet serves "
                "their sum) or traffic (one hint for the whole fleet)"))
        for name in self.models:
            if not re.match(limits.TARGET_MODEL_PATTERN, name):
                problems.append(Problem(f"models[{name!r}]", name, "a TargetModel: the "
                                        "artifact's key under the prefix, printable ASCII, "
                                        "1-1024 characters, no leading space"))
        problems += hosting_problems(
            instance_type=self.instance_type, kms_key=self.kms_key, traffic=self.fleet_traffic,
            autoscaling=self.autoscaling, instance_count=self.instance_count, async_fits=False)
        problems += fleet_problems(primary_name=self.variant_name,
                                   primary_weight=self.variant_weight, variants=list(self.variants),
                                   multi_model=True, deployment=self.deployment)
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def fleet_traffic(self) -> TrafficHint:
        return self.traffic if self.traffic is not None else sum_traffic(self.models)

    @property
    def model(self) -> ModelSpec:
        return ModelSpec(image_uri=self.image_uri, model_data_url=self.models_s3_prefix,
                         environment=self.environment, execution_role=self.execution_role)

    @property
    def initial_instance_count(self) -> int:
        if self.instance_count is not None:
            return self.instance_count
        return self.autoscaling.min_instances if self.autoscaling else 1


class MultiModelEndpoint(VariantHost, Autoscaled, EndpointBase):
    """A multi-model endpoint: one ``Mode: MultiModel`` container serving every artifact under
    ``models_s3_prefix`` (callers pick one with ``TargetModel``), on always-on instances.

    ``models`` maps each model's TargetModel (e.g. ``customer-042.tar.gz``) to its TrafficHint;
    the fleet is sized and priced from their sum, each model is attributed a share by compute
    time, and the estimate's alternatives state the cost of one dedicated RealTimeEndpoint per
    model (the consolidation saving also goes into the annotation). Or give one ``traffic`` hint.
    Defaults: one instance, no autoscaling (``autoscaling`` as for RealTimeEndpoint), model cache
    ``Enabled``, variant ``AllTraffic``, a role that reads only the prefix and pulls only the
    image's repository. Variants must be multi-model too; no shadow variants and no serverless
    (SageMaker refuses both with multi-model). ``deployment`` as for RealTimeEndpoint.
    ``max_monthly_usd`` [none]: a budget for the fleet; an estimate above it fails ``cdk synth``.
    """

    _multi_model = True

    @checked_init(KIND)
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        image_uri: str,
        models_s3_prefix: str,
        instance_type: str,
        traffic: TrafficHint | dict[str, Any] | None = None,
        models: dict[str, TrafficHint | dict[str, Any]] | None = None,
        instance_count: int | None = None,
        autoscaling: AutoscalingOptions | dict[str, Any] | None = None,
        model_cache: str = "Enabled",
        environment: dict[str, str] | None = None,
        execution_role: Any = None,
        endpoint_name: str | None = None,
        variant_name: str = DEFAULT_VARIANT_NAME,
        variant_weight: float = 1.0,
        kms_key: Any = None,
        variants: list[VariantOptions | dict[str, Any]] | tuple[Any, ...] = (),
        deployment: Any = None,
        retain_variant_properties: bool | None = None,
        reset_on_update: tuple[str, ...] | list[str] = (),
        max_monthly_usd: float | None = None,
    ) -> None:
        path = child_path(scope, construct_id, KIND, check_taken=False)
        props = validate_props(MultiModelEndpointProps, path, KIND, dict(
            image_uri=image_uri, models_s3_prefix=models_s3_prefix, instance_type=instance_type,
            traffic=traffic, models=models or {}, instance_count=instance_count,
            autoscaling=autoscaling, model_cache=model_cache, environment=environment or {},
            execution_role=execution_role, endpoint_name=endpoint_name,
            variant_name=variant_name, variant_weight=variant_weight, kms_key=kms_key,
            variants=tuple(variants), deployment=deployment,
            retain_variant_properties=retain_variant_properties,
            reset_on_update=tuple(reset_on_update), max_monthly_usd=max_monthly_usd,
        ))
        model = props.model
        check_same_app(scope, path, KIND, props)
        pricing = pricing_context(scope, path, KIND)
        specs = type(self)._specs_from_props(props)
        check_priceable(lambda: price_once(
            props, pricing, lambda: type(self)._price(props, pricing, specs), tuple(specs)),
            path, KIND)
        super().__init__(scope, construct_id, pricing, max_monthly_usd=props.max_monthly_usd)
        self.props = props
        self._variant_names = [props.variant_name]
        emit = self._emit
        region, account = stack_env_json(self._stack)
        self._execution_role, role_arn = model_role(
            emit, "ExecutionRole", model, region=region, account=account,
            artifact_prefix=props.models_s3_prefix)
        self._model_ref = emit.resource("Model", "AWS::SageMaker::Model", {
            "ExecutionRoleArn": role_arn,
            "PrimaryContainer": self._variant_container(model),
        })
        self._host()

    def _fleet_traffic(self) -> TrafficHint:
        return self.props.fleet_traffic  # type: ignore[no-any-return]

    def _variant_container(self, model: ModelSpec) -> dict[str, Any]:
        container: dict[str, Any] = {
            "Image": model.image_uri, "Mode": "MultiModel", "ModelDataUrl": model.model_data_url,
            "MultiModelConfig": {"ModelCacheSetting": self.props.model_cache},
        }
        if model.environment:
            container["Environment"] = dict(model.environment)
        return container

    def _estimate(self) -> CostEstimate:
        specs = self._variant_specs()
        return price_once(self.props, self._pricing,
                          lambda: self._price(self.props, self._pricing, specs), tuple(specs))

    @property
    def consolidation_saving_usd(self) -> float | None:
        """Monthly saving against one dedicated real-time endpoint per model (None without
        ``models``)."""
        est = self.cost_estimate
        dedicated = next((a for a in est.alternatives if a.note.startswith(
            f"{len(self.props.models)} dedicated")), None) if self.props.models else None
        return None if dedicated is None else round(dedicated.monthly_usd - est.monthly_usd, 2)

    def _surface_cost(self) -> CostEstimate:
        est = super()._surface_cost()
        saving = self.consolidation_saving_usd
        if saving is not None:
            dedicated = est.monthly_usd + saving
            share = saving / dedicated if dedicated > 0 else 0.0
            self._node.add_metadata(
                "aws:cdk:info",
                f"Consolidation: {len(self.props.models)} models on one fleet cost "
                f"${est.monthly_usd:,.2f}/month; {len(self.props.models)} dedicated real-time "
                f"endpoints would cost ${dedicated:,.2f}/month: saves ${saving:,.2f}/month "
                f"({share:.0%})")
        return est

    @classmethod
    def _price(cls, p: Any, pricing: PricingContext,
               specs: list[VariantSpec] | None = None) -> CostEstimate:
        """The fleet's estimate; ``specs``: its variants (default: the props' own variant)."""
        if specs is None:
            specs = cls._specs_from_props(p)
        traffic = p.fleet_traffic
        if len(specs) == 1:
            estimate = estimate_realtime(
                instance_type=p.instance_type, traffic=traffic, ctx=pricing,
                instance_count=p.initial_instance_count, autoscaling=p.autoscaling,
                kind="multimodel")
        else:
            estimate = estimate_fleet(specs, traffic=traffic, ctx=pricing, kind="multimodel")
        notes = list(estimate.assumptions)
        alternatives = []
        if p.models:
            total = estimate.monthly_usd
            notes.append(f"{len(p.models)} models share the fleet: ${total / len(p.models):,.2f}"
                         "/month per model on average; each model's share below is by compute "
                         "time (requests × duration)")
            notes += [f"model {name}: {share:.1%} = ${share * total:,.2f}/month"
                      for name, share in model_shares(p.models).items()]
            notes.append("fleet peak = sum of the models' peaks (assumed to coincide); "
                         "model loading and cache misses are not priced")
            alternatives.append(dedicated_endpoints(
                p.models, instance_type=p.instance_type, ctx=pricing,
                autoscaling=p.autoscaling))
        def own(t: TrafficHint) -> CostEstimate:  # the fleet at another volume (break-even)
            return estimate_realtime(
                instance_type=p.instance_type, traffic=t, ctx=pricing,
                instance_count=p.initial_instance_count, autoscaling=p.autoscaling,
                kind="multimodel")

        # Of the other kinds only serverless can host many models (one endpoint each); async
        # and single-model real-time have no multi-model mode.
        for alt in priced_alternatives("multimodel", own, Workload(traffic, p.instance_type),
                                       pricing):
            if alt.kind != "serverless":
                continue
            alternatives.append(type(alt)(
                kind=alt.kind, monthly_usd=alt.monthly_usd,
                note=alt.note.replace("ServerlessEndpoint", "one ServerlessEndpoint per model")
                + " (serverless has no multi-model mode)",
                break_even_requests_per_month=alt.break_even_requests_per_month))
        return CostEstimate(
            kind="multimodel", region=estimate.region, lines=estimate.lines,
            assumptions=tuple(notes), price_book=estimate.price_book,
            traffic=({**traffic.as_metadata(),
                      "models": {n: h.as_metadata() for n, h in p.models.items()}}
                     if p.models else traffic.as_metadata()),
            alternatives=tuple(alternatives))
