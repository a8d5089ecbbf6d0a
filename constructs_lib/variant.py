"""Variant: a production (or shadow) variant of an endpoint, with its own model, fleet, weight,
autoscaling and cost lines; and VariantHost, what an endpoint needs to carry variants.

SageMaker's rules (CreateEndpointConfig; DESIGN.md): at most 10 variants, unique names,
weights >= 0 and not all zero, a shadow variant only beside exactly one production variant and
never on a multi-model endpoint, no rolling update on a multi-variant endpoint.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from constructs import Construct
from pydantic import Field, model_validator

from . import limits
from ._private import nag
from ._private.alarms import default_rollback_alarms
from ._private.context import check_priceable, stack_env_json
from ._private.emit import Emitter, Ref
from ._private.models import (
    StrictModel,
    check_same_app,
    checked_init,
    child_path,
    validate_props,
)
from ._private.roles import EmittedRole, model_role, role_handle
from ._private.rules import no_kms_reason
from ._private.scaling import Autoscaled, emit_autoscaling
from .config import AutoscalingOptions, InstanceType, ModelSpec
from .cost.estimate import CostEstimate, EndpointKind
from .cost.fleet import VariantSpec, estimate_fleet, traffic_shares
from .cost.model import PricingContext, estimate_realtime
from .defaults import emit_secure_topic, stable_endpoint_name
from .deployment import BlueGreenDeployment, RollingDeployment, alarm_problems, deployment_config
from .errors import ConfigurationError, FieldProblem, Problem
from .traffic import TrafficHint

if TYPE_CHECKING:
    from ._private.base import EndpointBase

    # Every host also derives from EndpointBase: telling mypy so types ``self`` as a scope with
    # an endpoint name and an estimate. At run time the mixin stays a plain class (same MRO).
    _HostBase = EndpointBase
else:
    _HostBase = object

__all__ = ["Variant", "VariantHost", "VariantOptions"]

KIND = "Variant"
RETAINABLE = ("DesiredInstanceCount", "DesiredWeight")


class VariantKwargs(TypedDict, total=False):
    """The options of ``add_variant`` (see :class:`Variant`)."""

    model: ModelSpec | dict[str, Any] | None
    instance_type: str | None
    instance_count: int | None
    weight: float
    autoscaling: AutoscalingOptions | dict[str, Any] | None
    shadow: bool


class VariantOptions(StrictModel):
    """One more variant. Defaults: the endpoint's model and instance type, instance count 1
    (or the autoscaling minimum), weight 1, no autoscaling, a production (not shadow) variant.
    A shadow variant's weight over the production weight is the share of requests it copies."""

    name: str = Field(pattern=limits.ENDPOINT_NAME_PATTERN)
    model: ModelSpec | None = None
    instance_type: InstanceType | None = None
    instance_count: int | None = Field(None, ge=1, le=1000)
    weight: float = Field(1.0, ge=0)
    autoscaling: AutoscalingOptions | None = None
    shadow: bool = False

    @model_validator(mode="after")
    def _count_in_range(self) -> VariantOptions:
        a = self.autoscaling
        if a is not None and self.instance_count is not None and not (
            a.min_instances <= self.instance_count <= a.max_instances
        ):
            raise FieldProblem("instance_count", self.instance_count,
                               f"must be within autoscaling min_instances..max_instances "
                               f"({a.min_instances}..{a.max_instances})")
        return self

    @property
    def initial_instance_count(self) -> int:
        if self.instance_count is not None:
            return self.instance_count
        return self.autoscaling.min_instances if self.autoscaling else 1


def fleet_problems(*, primary_name: str, primary_weight: float,
                   variants: list[VariantOptions], multi_model: bool,
                   deployment: BlueGreenDeployment | RollingDeployment | None,
                   new: int | None = None) -> list[Problem]:
    """Every SageMaker rule on the whole set of variants. Fields name ``variants[i]``, or the
    variant's own field when ``new`` is the index of the variant being added."""

    def f(i: int, attr: str) -> str:
        return attr if i == new else f"variants[{i}].{attr}"

    problems: list[Problem] = []
    total = 1 + len(variants)
    if total > limits.MAX_PRODUCTION_VARIANTS:
        problems.append(Problem("variants", total, "at most 10 variants per endpoint "
                                "(the endpoint's own variant included)"))
    seen = {primary_name}
    for i, v in enumerate(variants):
        if v.name in seen:
            problems.append(Problem(f(i, "name"), v.name,
                                    "must be unique among the endpoint's variants"))
        seen.add(v.name)
        if multi_model and v.model is not None and not (v.model.model_data_url or "").endswith("/"):
            problems.append(Problem(
                f(i, "model.model_data_url"), v.model.model_data_url,
                "a prefix ending in '/': SageMaker refuses mixing multi-model and "
                "single-model (or multi-container) variants on one endpoint"))
    shadows = [i for i, v in enumerate(variants) if v.shadow]
    production = [v for v in variants if not v.shadow]
    if primary_weight + sum(v.weight for v in production) <= 0:
        problems.append(Problem("variant_weight" if new is None else "weight", 0,
                                "production variant weights must not all be zero"))
    for i in shadows:
        if multi_model:
            problems.append(Problem(f(i, "shadow"), True,
                                    "SageMaker refuses shadow variants on multi-model endpoints"))
        elif production or len(shadows) > 1:
            problems.append(Problem(
                f(i, "shadow"), True,
                f"a shadow variant ({variants[i].name}) only beside exactly one production "
                f"variant and no other shadow; this endpoint would have {1 + len(production)} "
                f"production and {len(shadows)} shadow variants"))
    if isinstance(deployment, RollingDeployment) and total > 1:
        problems.append(Problem("deployment", "rolling",
                                "SageMaker refuses rolling updates on multi-variant endpoints; "
                                "use BlueGreenDeployment"))
    problems += alarm_problems(deployment, 1 + len(production))
    return problems


class VariantHost(_HostBase):
    """Mixin for endpoints that carry variants: ``add_variant``, the fleet estimate, the
    endpoint's retain and deployment settings. The host sets ``_primary_variant`` (its own
    variant's CloudFormation dict), ``endpoint_config``, ``_endpoint`` and ``model``."""

    _pricing: PricingContext
    _emit: Emitter
    _stack: cdk.Stack
    _scaling: tuple[Ref, Ref] | None
    _endpoint_ref: Ref
    _config_ref: Ref
    _model_ref: Ref
    _primary_variant: dict[str, Any]
    _variants: list[Variant]
    _multi_model = False
    props: Any
    alarm_topic: sns.ITopic | None
    alarms: list[cloudwatch.IAlarm]

    def add_variant(self, name: str, *args: Any, **options: Unpack[VariantKwargs]) -> Variant:
        """Add a variant named ``name`` (also its construct id); ``options`` as for
        :class:`Variant` (model, instance_type, instance_count, weight, autoscaling, shadow).
        A misspelt or positional option is a ``ConfigurationError`` naming the variant's path."""
        return Variant(self, name, *args, **options)

    @property
    def variants(self) -> list[Variant]:
        """The variants added beside the endpoint's own (construct nodes, in order)."""
        return list(self._variants)

    def _host(self, config_extra: dict[str, Any] | None = None) -> None:
        """After the model exists: the endpoint config (this endpoint's variant, the KMS key,
        ``config_extra``), the endpoint, autoscaling, the variants and deployment settings."""
        props, emit = self.props, self._emit
        self._primary_variant = {
            "InitialInstanceCount": props.initial_instance_count,
            "InitialVariantWeight": props.variant_weight,
            "InstanceType": props.instance_type,
            "ModelName": self._model_ref.att("ModelName"),
            "VariantName": props.variant_name,
        }
        config: dict[str, Any] = {"ProductionVariants": [self._primary_variant]}
        if props.kms_key is not None:
            config["KmsKeyId"] = props.kms_key.key_arn
        else:
            emit.acknowledge(nag.ENDPOINT_CONFIG_KMS, no_kms_reason(props.instance_type))
        config.update(config_extra or {})
        self._config_ref = emit.resource("EndpointConfig", "AWS::SageMaker::EndpointConfig",
                                         config)
        fixed_name = props.endpoint_name or stable_endpoint_name(self, props.deployment)
        endpoint: dict[str, Any] = {
            "EndpointConfigName": self._config_ref.att("EndpointConfigName")}
        if fixed_name is not None:
            endpoint["EndpointName"] = fixed_name
        self._endpoint_ref = emit.resource("Endpoint", "AWS::SageMaker::Endpoint", endpoint)
        if props.autoscaling is not None:
            self._scaling = emit_autoscaling(
                emit, props.autoscaling, endpoint_name=self._endpoint_ref.att("EndpointName"),
                variant=props.variant_name)
        self._host_init(fixed_name)  # the name just given (no jsii read-back)
        self._done(self._endpoint_ref)

    def _host_init(self, alarm_endpoint_name: str | None) -> None:
        self._variants = []
        self.alarms = []
        self.alarm_topic = None
        self._alarm_endpoint_name = alarm_endpoint_name
        rollback = self.props.deployment.rollback if self.props.deployment else None
        if rollback is not None:
            self.alarms += list(rollback.alarms)
            if rollback.default_alarms:
                self.alarm_topic = rollback.topic or self._alarm_topic()
                self._default_alarms(self, self.props.variant_name)
        for options in self.props.variants:
            Variant(self, options.name, **{k: getattr(options, k) for k in
                                           VariantOptions.model_fields if k != "name"})
        p = self.props
        if (self._variants or p.retain_variant_properties is not None or p.reset_on_update
                or p.deployment is not None):
            self._sync_variants()  # else the L1s already hold all of it (4 jsii writes saved)

    def _alarm_topic(self) -> sns.ITopic:
        """The rollback alarms' topic: encrypted, TLS-only, retained (imported for the alarms'
        SNS actions)."""
        region, account = stack_env_json(self._stack)
        topic = emit_secure_topic(self._emit, "AlarmTopic", region=region, account=account)
        return sns.Topic.from_topic_arn(self, "AlarmTopicImport", topic.token())

    def _variant_specs(self) -> list[VariantSpec]:
        p = self.props
        primary = VariantSpec(p.variant_name, p.instance_type, p.variant_weight,
                              p.initial_instance_count, p.autoscaling)
        return [primary] + [v.spec for v in self._variants]

    @staticmethod
    def _specs_from_props(p: Any) -> list[VariantSpec]:
        return [VariantSpec(p.variant_name, p.instance_type, p.variant_weight,
                            p.initial_instance_count, p.autoscaling)] + [
            VariantSpec(v.name, v.instance_type or p.instance_type, v.weight,
                        v.initial_instance_count, v.autoscaling, v.shadow) for v in p.variants]

    def _fleet_estimate(self, traffic: TrafficHint, kind: EndpointKind) -> CostEstimate:
        return estimate_fleet(self._variant_specs(), traffic=traffic, ctx=self._pricing, kind=kind)

    def _sync_variants(self) -> None:
        """Write the variants, retain settings and deployment config into the L1 resources
        (property overrides: one jsii call each)."""
        p = self.props
        production = [self._primary_variant] + [v.production_variant for v in self._variants
                                                 if not v.props.shadow]
        shadow = [v.production_variant for v in self._variants if v.props.shadow]
        config = self._config_ref.cfn
        config.add_property_override("ProductionVariants", production)
        if shadow:
            config.add_property_override("ShadowProductionVariants", shadow)
        endpoint = self._endpoint_ref.cfn
        retain = p.retain_variant_properties
        if retain is None:
            retain = True if (self._variants or p.deployment) else None
        if retain is not None:
            endpoint.add_property_override("RetainAllVariantProperties", retain)
        if p.reset_on_update:
            endpoint.add_property_override("ExcludeRetainedVariantProperties", [
                {"VariantPropertyType": t} for t in p.reset_on_update])
        if p.deployment is not None:
            names = [a.alarm_name for a in self.alarms]
            endpoint.add_property_override(
                "DeploymentConfig", _pascal(deployment_config(p.deployment, names)))

    def _surface_cost(self) -> CostEstimate:
        estimate = super()._surface_cost()
        for variant in self._variants:
            variant._annotate()
        return estimate

    def _default_alarms(self, scope: Construct, variant: str) -> None:
        """5XX errors and model latency of ``variant`` (children of ``scope``), notifying the
        alarm topic."""
        rollback = self.props.deployment.rollback
        assert self.alarm_topic is not None and self._alarm_endpoint_name is not None
        self.alarms += default_rollback_alarms(
            scope, endpoint_name=self._alarm_endpoint_name, variant=variant,
            error_threshold=rollback.error_threshold,
            latency_threshold_ms=rollback.latency_threshold_ms or max(
                3 * self._fleet_traffic().avg_duration_ms, 100.0),
            topic=self.alarm_topic)

    def _fleet_traffic(self) -> TrafficHint:
        """The hint the whole endpoint serves (before the split between variants)."""
        return self.props.traffic  # type: ignore[no-any-return]

    def _variant_container(self, model: ModelSpec) -> dict[str, Any]:
        raise NotImplementedError

    def _variant_model_options(self) -> dict[str, Any]:
        return {}


class Variant(Autoscaled, Construct):
    """A variant of a :class:`RealTimeEndpoint` or :class:`MultiModelEndpoint`: its own model
    (default: the endpoint's), instance type and count, weight, autoscaling; ``shadow=True``
    copies requests to it without serving its responses.

    Priced at synth with the endpoint: its share of the endpoint's traffic hint (its weight over
    the production weights) on its own fleet, as lines named after it in the endpoint's
    estimate, and an info annotation of its own. Errors are raised before any node is created.
    """

    props: VariantOptions

    @checked_init(KIND)
    def __init__(self, endpoint: VariantHost, construct_id: str, *, name: str | None = None,
                 model: ModelSpec | dict[str, Any] | None = None, instance_type: str | None = None,
                 instance_count: int | None = None, weight: float = 1.0,
                 autoscaling: AutoscalingOptions | dict[str, Any] | None = None,
                 shadow: bool = False) -> None:
        path = child_path(endpoint, construct_id, KIND)
        if not isinstance(endpoint, VariantHost):
            raise ConfigurationError.single(path, "scope", type(endpoint).__name__,
                                            "a RealTimeEndpoint or MultiModelEndpoint", kind=KIND)
        props = validate_props(VariantOptions, path, KIND, dict(
            name=name or construct_id, model=model, instance_type=instance_type,
            instance_count=instance_count, weight=weight, autoscaling=autoscaling, shadow=shadow))
        check_same_app(endpoint, path, KIND, props)
        host = endpoint.props
        others = [v.props for v in endpoint._variants] + [props]
        problems = fleet_problems(primary_name=host.variant_name,
                                  primary_weight=host.variant_weight,
                                  variants=others, multi_model=endpoint._multi_model,
                                  deployment=host.deployment, new=len(others) - 1)
        if problems:
            raise ConfigurationError(path, problems, kind=KIND)
        itype = props.instance_type or host.instance_type
        check_priceable(lambda: estimate_realtime(instance_type=itype, traffic=TrafficHint(),
                                                  ctx=endpoint._pricing), path, KIND)
        super().__init__(endpoint, construct_id)
        self.props = props
        self.endpoint = endpoint
        self.instance_type: str = itype
        emit = Emitter(self, path, endpoint._stack)
        self._execution_role: EmittedRole | None = None
        if props.model is None:
            self._model_ref = endpoint._model_ref
        else:
            options = endpoint._variant_model_options()
            region, account = stack_env_json(endpoint._stack)
            self._execution_role, role_arn = model_role(
                emit, "ExecutionRole", props.model, region=region, account=account,
                vpc="VpcConfig" in options,
                artifact_prefix=props.model.model_data_url if endpoint._multi_model else None)
            self._model_ref = emit.resource("Model", "AWS::SageMaker::Model", {
                "ExecutionRoleArn": role_arn,
                "PrimaryContainer": endpoint._variant_container(props.model),
                **options,
            })
        self._scaling: tuple[Ref, Ref] | None = None
        if props.autoscaling is not None:
            self._scaling = emit_autoscaling(
                emit, props.autoscaling, endpoint_name=endpoint._endpoint_ref.att("EndpointName"),
                variant=props.name)
        rollback = host.deployment.rollback if host.deployment else None
        if rollback is not None and rollback.default_alarms and not props.shadow:
            endpoint._default_alarms(self, props.name)
        endpoint._variants.append(self)
        endpoint._sync_variants()
        emit.flush(self.node)

    @property
    def role(self) -> iam.IRole | None:
        """The variant's execution role (None when it shares the endpoint's model)."""
        if self.props.model is None:
            return None
        return role_handle(self, self.props.model, self._execution_role)

    @property
    def model(self) -> sagemaker.CfnModel:
        """The variant's ``AWS::SageMaker::Model`` (the endpoint's when it has none of its own)."""
        return typing.cast(sagemaker.CfnModel, self._model_ref.cfn)

    @property
    def name(self) -> str:
        return self.props.name

    @property
    def spec(self) -> VariantSpec:
        p = self.props
        return VariantSpec(p.name, self.instance_type, p.weight, p.initial_instance_count,
                           p.autoscaling, p.shadow)

    @property
    def production_variant(self) -> dict[str, Any]:
        """This variant as an entry of the endpoint config's (shadow) production variants."""
        return {
            "InitialInstanceCount": self.props.initial_instance_count,
            "InitialVariantWeight": self.props.weight,
            "InstanceType": self.instance_type,
            "ModelName": self._model_ref.att("ModelName"),
            "VariantName": self.props.name,
        }

    @property
    def cost_estimate(self) -> CostEstimate:
        """This variant's part of the endpoint's estimate (its own lines only)."""
        whole = self.endpoint.cost_estimate
        lines = tuple(line for line in whole.lines if line.variant == self.props.name)
        mine = [a for a in whole.assumptions if a.startswith((f"variant {self.props.name} ",
                                                               f"{self.props.name}: "))]
        return CostEstimate(kind=whole.kind, region=whole.region, lines=lines,
                            assumptions=tuple(mine), price_book=whole.price_book,
                            traffic=whole.traffic)

    def _annotate(self) -> None:
        est = self.cost_estimate
        share = traffic_shares(self.endpoint._variant_specs())[self.props.name]
        role = (f"shadow, serves no responses: receives a copy of {share:.0%} of requests"
                if self.props.shadow else f"weight {self.props.weight:g}, {share:.0%} of requests")
        self.node.add_metadata(
            "aws:cdk:info",
            f"Variant {self.props.name} ({role}): ${est.monthly_usd:,.2f}/month "
            f"({est.region}): {est.main_driver}; counted in the endpoint's estimate")


def _pascal(value: Any) -> Any:
    """A typed-L1 (camelCase) struct as CloudFormation JSON (PascalCase keys)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value
