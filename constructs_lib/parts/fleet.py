"""An instance endpoint's fleet, shared by RealTimeEndpoint and MultiModelEndpoint: its own
variant, the variants added to it, their autoscaling, the deployment policy and its rollback
alarms. The endpoint config and endpoint themselves are ``EndpointResources``; the variants
are ``Variant`` constructs, which join the fleet with :meth:`Fleet.join`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..cost.fleet import VariantSpec
from ..spec.hosting import FleetProps
from ..spec.instances import local_nvme
from ..spec.traffic import TrafficHint
from ..spec.variant import VariantOptions
from . import compliance as nag
from .alarms import rollback_alarms
from .compliance import Compliance
from .endpoint import EndpointResources, Variant, instance_variant
from .scaling import variant_scaling
from .storage import SecureTopic

__all__ = ["Fleet", "ModelOptions", "VariantResources", "primary_spec", "variant_spec"]


def primary_spec(props: FleetProps) -> VariantSpec:
    """The endpoint's own variant as the cost model sees it."""
    return VariantSpec(props.variant_name, props.instance_type, props.variant_weight,
                       props.initial_instance_count, props.autoscaling,
                       volume_size_gb=props.volume_size_gb,
                       concurrency_per_instance=props.max_concurrent_requests_per_instance)


def variant_spec(options: VariantOptions, host: FleetProps) -> VariantSpec:
    """A variant added to ``host`` as the cost model sees it (the host's type when it names
    none)."""
    return VariantSpec(options.name, options.instance_type or host.instance_type, options.weight,
                       options.initial_instance_count, options.autoscaling, options.shadow,
                       volume_size_gb=options.volume_size_gb,
                       concurrency_per_instance=options.max_concurrent_requests_per_instance)


@dataclass(frozen=True)
class ModelOptions:
    """How every model of the fleet is built: the VPC and network isolation it runs with, and
    (multi-model) the cache setting of its one ``MultiModel`` container."""

    vpc_config: sagemaker.CfnModel.VpcConfigProperty | None = None
    network_isolation: bool = False
    multi_model_cache: str | None = None

    @property
    def multi_model(self) -> bool:
        return self.multi_model_cache is not None


@dataclass(frozen=True)
class VariantResources:
    """What a variant added to the fleet contributes: its construct, its options, its
    production-variant entry and its pricing spec."""

    construct: Construct
    options: VariantOptions
    spec: VariantSpec
    entry: Variant


class Fleet:
    """The endpoint config and endpoint of ``owner`` (``props``, serving ``model``), the
    primary variant's autoscaling, and the rollback alarms and topic of ``props.deployment``."""

    def __init__(self, owner: Construct, props: FleetProps, *, model: sagemaker.CfnModel,
                 model_options: ModelOptions, fleet_traffic: TrafficHint,
                 compliance: Compliance, on_change: Callable[[], None],
                 region: str, account: str,
                 data_capture: sagemaker.CfnEndpointConfig.DataCaptureConfigProperty | None = None
                 ) -> None:
        self.props = props
        self.model = model
        self.model_options = model_options
        self.fleet_traffic = fleet_traffic
        self._on_change = on_change
        primary = instance_variant(name=props.variant_name, model_name=model.attr_model_name,
                                   instance_type=props.instance_type,
                                   instance_count=props.initial_instance_count,
                                   weight=props.variant_weight, options=props,
                                   volume_size_gb=props.volume_size_gb)
        if props.kms_key is None:
            compliance.acknowledge(nag.ENDPOINT_CONFIG_KMS, nag.no_kms_reason(
                props.instance_type, local_nvme(props.instance_type)))
        rollback = props.deployment.rollback if props.deployment else None
        alarmed = rollback is not None and rollback.default_alarms
        self.alarm_endpoint_name: str | None = props.endpoint_name or (
            # The alarms must name the endpoint, so it gets a stable name from its path (a
            # generated one would make the alarms and the endpoint depend on each other).
            cdk.Names.unique_resource_name(owner, max_length=63, separator="-",
                                           allowed_special_characters="-") if alarmed else None)
        self.resources = EndpointResources(
            owner, primary, endpoint_name=self.alarm_endpoint_name,
            kms_key_id=None if props.kms_key is None else props.kms_key.key_arn,
            data_capture=data_capture)
        self.scaling: tuple[appscaling.CfnScalableTarget,
                            list[appscaling.CfnScalingPolicy]] | None = (
            None if props.autoscaling is None else variant_scaling(
                owner, props.autoscaling, endpoint_name=self.resources.name,
                variant=props.variant_name, instance_type=props.instance_type))
        self.variants: list[VariantResources] = []
        self.alarms: list[cloudwatch.IAlarm | cloudwatch.CfnAlarm] = (
            list(rollback.alarms) if rollback else [])
        """The rollback alarms: the deployment's own (``IAlarm``) and the default ones
        (``CfnAlarm``, escape hatches)."""
        self._alarm_names: list[str] = [a.alarm_name for a in rollback.alarms] if rollback else []
        self.alarm_topic: SecureTopic | None = None
        self._topic_arn: str | None = None
        if alarmed:
            assert rollback is not None
            if rollback.topic is None:
                self.alarm_topic = SecureTopic(owner, "AlarmTopic", region=region,
                                               account=account)
                self._topic_arn = self.alarm_topic.arn
            else:
                self._topic_arn = rollback.topic.topic_arn
            self.add_default_alarms(owner, props.variant_name)
        self._configure()

    @property
    def specs(self) -> list[VariantSpec]:
        """Every variant as the cost model sees it, the endpoint's own first."""
        return [primary_spec(self.props)] + [v.spec for v in self.variants]

    def add_default_alarms(self, scope: Construct, variant: str) -> None:
        """5XX and latency alarms of ``variant`` (children of ``scope``), when the deployment
        has default rollback alarms."""
        if self._topic_arn is None:
            return
        rollback = self.props.deployment.rollback  # type: ignore[union-attr]
        assert rollback is not None and self.alarm_endpoint_name is not None
        for alarm in rollback_alarms(
                scope, endpoint_name=self.alarm_endpoint_name, variant=variant,
                error_threshold=rollback.error_threshold,
                latency_threshold_ms=rollback.latency_threshold_ms or max(
                    3 * self.fleet_traffic.avg_duration_ms, 100.0),
                topic_arn=self._topic_arn):
            self._alarm_names.append(alarm.ref)
            self.alarms.append(alarm)

    def join(self, variant: VariantResources) -> None:
        """Add a variant (after its resources exist): the config, the endpoint's update
        settings and the estimate follow."""
        self.variants.append(variant)
        self.resources.add_variant(variant.entry, shadow=variant.options.shadow)
        self._configure()
        self._on_change()

    def _configure(self) -> None:
        """The endpoint's retain and deployment settings for the fleet as it stands."""
        p = self.props
        retain = p.retain_variant_properties
        if retain is None and (self.variants or p.deployment is not None):
            retain = True
        if retain is not None or p.reset_on_update:
            self.resources.keep_live_properties(retain, p.reset_on_update)
        if p.deployment is not None:
            self.resources.roll_out(p.deployment, self._alarm_names)
