"""Variant: a production (or shadow) variant of a RealTimeEndpoint or MultiModelEndpoint, with
its own model, fleet, weight, autoscaling and cost lines; ``VariantHost``, what those two
endpoints share to carry variants (``add_variant``, ``variants``, the rollback alarms)."""

from __future__ import annotations

from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .core.notes import note
from .core.paths import check_same_app, construct_path
from .core.priced import CAPACITY_WARNING_ID, PricedConstruct
from .core.tokens import dlc_region_problems, has_tokens, resolved_check
from .cost.estimate import CostEstimate, format_usd
from .cost.fleet import traffic_shares
from .cost.realtime import RealTimeCost
from .errors import ConfigurationError
from .parts import compliance as nag
from .parts.compliance import Compliance
from .parts.endpoint import EndpointResources, instance_variant
from .parts.fleet import Fleet, VariantResources, variant_spec
from .parts.iam import ManagedRole
from .parts.model import build_model
from .parts.scaling import variant_scaling
from .parts.storage import SecureTopic
from .pricing.price_book import PriceNotFoundError
from .spec.base import validate_keywords
from .spec.instance_options import ami_problems
from .spec.traffic import TrafficHint
from .spec.variant import VariantOptions, fleet_problems

__all__ = ["Variant", "VariantHost"]

KIND = "Variant"


class Variant(Construct):
    """A variant of a :class:`RealTimeEndpoint` or :class:`MultiModelEndpoint` (its scope):
    its own model (default: the endpoint's), instance type and count, weight, autoscaling;
    ``shadow=True`` copies requests to it without serving its responses. Options as
    :class:`~constructs_lib.VariantOptions` (``name`` defaults to the construct id).

    Priced at synth with the endpoint: its share of the endpoint's traffic hint (its weight over
    the production weights) on its own fleet, as lines named after it in the endpoint's
    estimate, and an info annotation of its own. Errors are raised before any node is created.
    """

    props: VariantOptions

    def __init__(self, endpoint: Construct, construct_id: str, *args: Any,
                 **options: Any) -> None:
        path = construct_path(endpoint, construct_id, KIND)
        fleet = getattr(endpoint, "fleet", None)
        if not isinstance(fleet, Fleet) or not isinstance(endpoint, PricedConstruct):
            raise ConfigurationError.single(path, "scope", type(endpoint).__name__,
                                            "a RealTimeEndpoint or MultiModelEndpoint", kind=KIND)
        props = validate_keywords(VariantOptions, path, KIND, args,
                                  {"name": construct_id, **options})
        check_same_app(endpoint, path, KIND, props)
        host = fleet.props
        others = [v.options for v in fleet.variants] + [props]
        problems = fleet_problems(primary_name=host.variant_name,
                                  primary_weight=host.variant_weight, variants=others,
                                  multi_model=fleet.model_options.multi_model,
                                  deployment=host.deployment, new=len(others) - 1,
                                  instance_type=host.instance_type)
        problems += ami_problems(props.inference_ami_version or host.inference_ami_version,
                                 props.instance_type or host.instance_type)
        problems += dlc_region_problems(props, endpoint.cost_context.region)
        if problems:
            raise ConfigurationError(path, problems, kind=KIND)
        instance_type = props.instance_type or host.instance_type
        context = endpoint.cost_context
        try:
            RealTimeCost(TrafficHint(), context.pricing, instance_type=instance_type)
        except PriceNotFoundError as error:
            raise ConfigurationError.single(path, error.field, error.value, str(error),
                                            kind=KIND) from None
        super().__init__(endpoint, construct_id)
        if has_tokens(props):
            endpoint.at_synth(resolved_check(self, props, path, KIND))
        self.props = props
        self.endpoint: PricedConstruct[Any] = endpoint
        self.instance_type = instance_type
        self._execution_role: ManagedRole | None = None
        self._given_role: iam.IRole | None = None
        if props.model is None:
            self._model = fleet.model
        else:
            compliance = Compliance(self, context.stack)
            endpoint.at_synth(compliance.record)
            building = fleet.model_options
            built = build_model(
                self, props.model, partition=context.partition, region=context.region,
                account=context.account, compliance=compliance, vpc_config=building.vpc_config,
                network_isolation=building.network_isolation,
                multi_model_cache=building.multi_model_cache,
                isolation_reason=nag.isolation_reason(
                    type(endpoint).__name__, configurable=not building.multi_model))
            self._given_role, self._execution_role = built.given_role, built.role
            self._model = built.model
        self.scaling: tuple[appscaling.CfnScalableTarget,
                            list[appscaling.CfnScalingPolicy]] | None = (
            None if props.autoscaling is None else variant_scaling(
                self, props.autoscaling, endpoint_name=fleet.resources.name,
                variant=props.name, instance_type=instance_type))
        if not props.shadow:
            fleet.add_default_alarms(self, props.name)
        fleet.join(VariantResources(
            construct=self, options=props, spec=variant_spec(props, host),
            entry=instance_variant(name=props.name, model_name=self._model.attr_model_name,
                                   instance_type=instance_type,
                                   instance_count=props.initial_instance_count,
                                   weight=props.weight, options=props, defaults=host,
                                   volume_size_gb=props.volume_size_gb)))

    @property
    def name(self) -> str:
        return self.props.name

    @property
    def model(self) -> sagemaker.CfnModel:
        """The variant's ``AWS::SageMaker::Model`` (the endpoint's when it has none of its own)."""
        return self._model

    @property
    def role(self) -> iam.IRole | None:
        """The variant's execution role (None when it shares the endpoint's model)."""
        if self._given_role is not None:
            return self._given_role
        return None if self._execution_role is None else self._execution_role.imported

    @property
    def scalable_target(self) -> appscaling.CfnScalableTarget | None:
        return None if self.scaling is None else self.scaling[0]

    @property
    def scaling_policy(self) -> appscaling.CfnScalingPolicy | None:
        """The first target tracking policy (``InvocationsScaling`` when it tracks invocations)."""
        return None if self.scaling is None else self.scaling[1][0]

    @property
    def scaling_policies(self) -> list[appscaling.CfnScalingPolicy]:
        """Every target tracking policy: invocations, utilization, concurrency, as configured."""
        return [] if self.scaling is None else list(self.scaling[1])

    @property
    def cost_estimate(self) -> CostEstimate:
        """This variant's part of the endpoint's estimate (its own lines only)."""
        return _share(self.endpoint.cost_estimate, self.props.name)


def _share(whole: CostEstimate, name: str) -> CostEstimate:
    """The variant's lines, assumptions, capacity and shortfalls out of the endpoint's."""
    lines = tuple(line for line in whole.lines if line.variant == name)
    mine = [a for a in whole.assumptions if a.startswith((f"variant {name} ", f"{name}: "))]
    prefix = f"variant {name}: "
    return CostEstimate(kind=whole.kind, region=whole.region, lines=lines,
                        assumptions=tuple(mine), price_book=whole.price_book,
                        traffic=whole.traffic,
                        capacity=whole.capacity.get("variants", {}).get(name, {}),
                        warnings=tuple(w.removeprefix(prefix) for w in whole.warnings
                                       if w.startswith(prefix)))


class VariantHost:
    """Mixin for the endpoints that carry variants (RealTimeEndpoint, MultiModelEndpoint): the
    construct sets ``fleet`` (its :class:`~constructs_lib.parts.fleet.Fleet`) and calls
    :meth:`_host` once it exists."""

    fleet: Fleet
    props: Any
    _resources: EndpointResources

    def add_variant(self, name: str, *args: Any, **options: Any) -> Variant:
        """Add a variant named ``name`` (also its construct id); ``options`` as
        :class:`~constructs_lib.VariantOptions` (model, instance_type, instance_count, weight,
        autoscaling, shadow). A misspelt or positional option is a ``ConfigurationError``
        naming the variant's path."""
        return Variant(cast(Construct, self), name, *args, **options)

    @property
    def scalable_target(self) -> appscaling.CfnScalableTarget | None:
        """The endpoint's own variant's ``ScalableTarget`` (None without autoscaling)."""
        return None if self.fleet.scaling is None else self.fleet.scaling[0]

    @property
    def scaling_policy(self) -> appscaling.CfnScalingPolicy | None:
        """The first target tracking policy of the endpoint's own variant
        (``InvocationsScaling`` when it tracks invocations)."""
        return None if self.fleet.scaling is None else self.fleet.scaling[1][0]

    @property
    def scaling_policies(self) -> list[appscaling.CfnScalingPolicy]:
        """Every target tracking policy of the endpoint's own variant."""
        return [] if self.fleet.scaling is None else list(self.fleet.scaling[1])

    @property
    def variants(self) -> list[Variant]:
        """The variants added beside the endpoint's own (construct nodes, in order)."""
        return [v.construct for v in self.fleet.variants if isinstance(v.construct, Variant)]

    @property
    def alarms(self) -> list[cloudwatch.IAlarm | cloudwatch.CfnAlarm]:
        """The deployment's rollback alarms (yours, and the default ones as ``CfnAlarm``)."""
        return list(self.fleet.alarms)

    @property
    def alarm_topic(self) -> SecureTopic | None:
        """The topic the default rollback alarms notify, when the library created it."""
        return self.fleet.alarm_topic

    def _host(self, fleet: Fleet) -> sagemaker.CfnEndpoint:
        """Take ``fleet`` as this endpoint's, add the variants of its props; returns the
        endpoint (the construct's main resource)."""
        self.fleet = fleet
        self._resources = fleet.resources
        for options in self.props.variants:
            Variant(cast(Construct, self), options.name,
                    **{k: getattr(options, k) for k in VariantOptions.model_fields if k != "name"})
        return fleet.resources.endpoint

    def _annotate_variants(self, estimate: CostEstimate) -> None:
        """Each variant's share, on its own node (counted in the endpoint's estimate), and its
        own capacity shortfalls there as ``constructs-lib:capacity`` warnings."""
        shares = traffic_shares(self.fleet.specs)
        for variant in self.variants:
            part = _share(estimate, variant.name)
            share = shares[variant.name]
            role = (f"shadow, serves no responses: receives a copy of {share:.0%} of requests"
                    if variant.props.shadow
                    else f"weight {variant.props.weight:g}, {share:.0%} of requests")
            annotations = cdk.Annotations.of(variant)
            note(variant,
                 f"Variant {variant.name} ({role}): {format_usd(part.monthly_usd)}/month "
                 f"({part.region}): {part.main_driver}; counted in the endpoint's estimate")
            for shortfall in part.warnings:  # also on the endpoint, prefixed with the variant
                annotations.add_warning_v2(CAPACITY_WARNING_ID, shortfall)
