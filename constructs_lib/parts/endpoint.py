"""The endpoint config and the endpoint, written once for every kind that has an endpoint.

Once a variant is added to it, the config's (shadow) production variants render at synth
(``cdk.Lazy``, as aws-sagemaker-alpha's ``endpoint-config.ts`` does), so variants added after
construction are in the template; until then they are a plain list (a producer costs jsii round
trips at construction and a callback each time the template is resolved). Every
property of an endpoint config is create-only: CloudFormation names it (a change replaces it
under a new name), and the endpoint, whose name stays, points at the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..spec.deployment import BlueGreenDeployment, Canary, Linear, RollingDeployment
from ..spec.instance_options import InstanceOptions

__all__ = ["EndpointResources", "deployment_config", "instance_variant", "managed_variant"]

Variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty


@jsii.implements(cdk.IAnyProducer)
class _Variants:
    """The variants list as it stands when the template is rendered."""

    def __init__(self, variants: list[Variant]) -> None:
        self._variants = variants

    def produce(self, context: cdk.IResolveContext) -> Any:
        return list(self._variants)


def instance_variant(*, name: str, model_name: str, instance_type: str, instance_count: int,
                     weight: float, options: InstanceOptions | None = None,
                     defaults: InstanceOptions | None = None,
                     volume_size_gb: int | None = None) -> Variant:
    """A production variant on instances, with its instance ``options`` (each one unset taken
    from ``defaults``: an added variant's are the endpoint's); ``volume_size_gb`` sets
    ``VolumeSizeInGB`` (None: SageMaker's default volume for the type, the property left out;
    never inherited: a variant may run on a type with local NVMe storage)."""

    def option(name: str) -> Any:
        value = None if options is None else getattr(options, name)
        return value if value is not None or defaults is None else getattr(defaults, name)

    routing = option("routing_strategy")
    return Variant(
        variant_name=name, model_name=model_name, instance_type=instance_type,
        initial_instance_count=instance_count, initial_variant_weight=weight,
        container_startup_health_check_timeout_in_seconds=option(
            "container_startup_health_check_timeout_s"),
        model_data_download_timeout_in_seconds=option("model_data_download_timeout_s"),
        routing_config=None if routing is None else
        sagemaker.CfnEndpointConfig.RoutingConfigProperty(routing_strategy=routing),
        inference_ami_version=option("inference_ami_version"),
        enable_ssm_access=True if option("enable_ssm_access") else None,
        volume_size_in_gb=volume_size_gb)


def managed_variant(*, name: str, instance_type: str, min_instances: int, max_instances: int
                    ) -> Variant:
    """A production variant for inference components: no model of its own (SageMaker refuses
    components on a variant that names one), instances started and stopped by SageMaker for the
    copies (``ManagedInstanceScaling``, down to ``min_instances``, possibly 0). It is created
    with one instance at least (``InitialInstanceCount`` >= 1): scaling takes it to zero."""
    return Variant(variant_name=name, instance_type=instance_type,
                   initial_instance_count=max(min_instances, 1),
                   managed_instance_scaling=sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
                       status="ENABLED", min_instance_count=min_instances,
                       max_instance_count=max_instances))


class EndpointResources:
    """``EndpointConfig`` (``sagemaker.CfnEndpointConfig``) and ``Endpoint``
    (``sagemaker.CfnEndpoint``) under ``scope``, serving ``primary`` and any variant added with
    :meth:`add_variant`. ``execution_role_arn``: the role SageMaker acts as for the endpoint
    itself (required for inference components, whose models it deploys)."""

    def __init__(self, scope: Construct, primary: Variant, *, endpoint_name: str | None = None,
                 kms_key_id: str | None = None,
                 data_capture: sagemaker.CfnEndpointConfig.DataCaptureConfigProperty | None = None,
                 async_config: sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty
                 | None = None, execution_role_arn: str | None = None) -> None:
        self.production: list[Variant] = [primary]
        self.shadow: list[Variant] = []
        self.config = sagemaker.CfnEndpointConfig(
            scope, "EndpointConfig", production_variants=[primary],
            kms_key_id=kms_key_id, data_capture_config=data_capture,
            async_inference_config=async_config, execution_role_arn=execution_role_arn)
        self.endpoint = sagemaker.CfnEndpoint(
            scope, "Endpoint", endpoint_config_name=self.config.attr_endpoint_config_name,
            endpoint_name=endpoint_name)
        self.name: str = self.endpoint.attr_endpoint_name
        """The endpoint's name (``Fn::GetAtt``: whatever uses it waits for the endpoint)."""

    def add_variant(self, variant: Variant, *, shadow: bool = False) -> None:
        """One more variant; from the first one on, the list renders at synth
        (``Lazy.uncached_any``: jsii's Python binding cannot call a cached producer, it passes
        no resolve context)."""
        variants = self.shadow if shadow else self.production
        variants.append(variant)
        if variants is self.shadow and len(variants) == 1:
            self.config.shadow_production_variants = cdk.Lazy.uncached_any(
                _Variants(variants), omit_empty_array=True)
        elif variants is self.production and len(variants) == 2:
            self.config.production_variants = cdk.Lazy.uncached_any(_Variants(variants))

    def keep_live_properties(self, retain: bool | None,
                             reset_on_update: Sequence[str] = ()) -> None:
        """``RetainAllVariantProperties`` (None: SageMaker's default, false) and what an update
        applies anyway (``ExcludeRetainedVariantProperties``)."""
        self.endpoint.retain_all_variant_properties = retain
        self.endpoint.exclude_retained_variant_properties = [
            sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=t)
            for t in reset_on_update] or None

    def roll_out(self, deployment: BlueGreenDeployment | RollingDeployment | None,
                 alarm_names: Sequence[str]) -> None:
        """The endpoint's ``DeploymentConfig`` (None: SageMaker's all-at-once default)."""
        self.endpoint.deployment_config = (
            None if deployment is None else deployment_config(deployment, alarm_names))


def _percent(value: int) -> sagemaker.CfnEndpoint.CapacitySizeProperty:
    return sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=value)


def deployment_config(deployment: BlueGreenDeployment | RollingDeployment,
                      alarm_names: Sequence[str]) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
    """The endpoint's ``DeploymentConfig`` for ``deployment``, rolling back on ``alarm_names``."""
    rollback = sagemaker.CfnEndpoint.AutoRollbackConfigProperty(alarms=[
        sagemaker.CfnEndpoint.AlarmProperty(alarm_name=n) for n in alarm_names]
    ) if alarm_names else None
    if isinstance(deployment, BlueGreenDeployment):
        shift = deployment.traffic_shift
        routing = sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
            type=shift.type, wait_interval_in_seconds=shift.wait_s,
            canary_size=_percent(shift.size_percent) if isinstance(shift, Canary) else None,
            linear_step_size=_percent(shift.step_percent) if isinstance(shift, Linear) else None)
        return sagemaker.CfnEndpoint.DeploymentConfigProperty(
            auto_rollback_configuration=rollback,
            blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
                traffic_routing_configuration=routing,
                termination_wait_in_seconds=deployment.termination_wait_s,
                maximum_execution_timeout_in_seconds=deployment.max_execution_timeout_s))
    return sagemaker.CfnEndpoint.DeploymentConfigProperty(
        auto_rollback_configuration=rollback,
        rolling_update_policy=sagemaker.CfnEndpoint.RollingUpdatePolicyProperty(
            maximum_batch_size=_percent(deployment.batch_percent),
            wait_interval_in_seconds=deployment.wait_s,
            maximum_execution_timeout_in_seconds=deployment.max_execution_timeout_s,
            rollback_maximum_batch_size=None if deployment.rollback_batch_percent is None
            else _percent(deployment.rollback_batch_percent)))
