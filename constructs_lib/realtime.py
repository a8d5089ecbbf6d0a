"""RealTimeEndpoint: always-on instances behind InvokeEndpoint, with optional autoscaling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from pydantic import Field, model_validator

from . import limits
from ._private.base import EndpointBase
from ._private.context import check_priceable, pricing_context
from ._private.models import StrictModel, child_path, validate_props
from ._private.roles import execution_role
from .config import (
    AutoscalingOptions,
    DataCaptureOptions,
    IKeyLike,
    InstanceType,
    ModelSpec,
    VpcOptions,
)
from .cost.advice import realtime_alternatives
from .cost.estimate import CostEstimate
from .cost.model import PricingContext, estimate_realtime
from .errors import FieldProblem, Problem
from .defaults import DEFAULT_VARIANT_NAME, secure_bucket
from .pricing.instances import instance_facts
from .traffic import TrafficHint

if TYPE_CHECKING:  # aws_ec2 is imported only for a VPC: it is 0.2 s and 24 MB of Python
    from aws_cdk import aws_ec2 as ec2

__all__ = ["RealTimeEndpoint", "RealTimeEndpointProps"]

KIND = "RealTimeEndpoint"
NAME = Field(None, pattern=limits.ENDPOINT_NAME_PATTERN)


class RealTimeEndpointProps(StrictModel):
    """Props of :class:`RealTimeEndpoint` (see its docstring for defaults)."""

    model: ModelSpec
    instance_type: InstanceType
    traffic: TrafficHint
    instance_count: int | None = Field(None, ge=1, le=1000)
    autoscaling: AutoscalingOptions | None = None
    endpoint_name: str | None = NAME
    variant_name: str = Field(DEFAULT_VARIANT_NAME, pattern=limits.ENDPOINT_NAME_PATTERN)
    kms_key: IKeyLike = None
    vpc: VpcOptions | None = None
    network_isolation: bool = False
    data_capture: DataCaptureOptions | None = None

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> RealTimeEndpointProps:
        problems: list[Problem] = []
        facts = instance_facts(self.instance_type)
        if self.kms_key is not None and facts is not None and facts.local_nvme_storage:
            problems.append(Problem(
                "kms_key", self.kms_key,
                f"refused by SageMaker for {self.instance_type}: instance types with local NVMe "
                "storage encrypt it with a hardware key and reject KmsKeyId; remove kms_key or "
                "choose an EBS-backed type (e.g. ml.m5, ml.c5)",
            ))
        for name in ("payload_kb", "response_kb"):
            if getattr(self.traffic, name) > limits.REALTIME_MAX_PAYLOAD_KB:
                problems.append(Problem(
                    f"traffic.{name}", getattr(self.traffic, name),
                    "must be <= 6144 (InvokeEndpoint's 6 MB limit); use AsyncEndpoint for "
                    "larger payloads",
                ))
        if self.traffic.avg_duration_ms > limits.REALTIME_MAX_DURATION_MS:
            problems.append(Problem(
                "traffic.avg_duration_ms", self.traffic.avg_duration_ms,
                "must be <= 60000 (InvokeEndpoint times out at 60 s); use AsyncEndpoint for "
                "longer inferences",
            ))
        if self.autoscaling is not None and self.instance_count is not None and not (
            self.autoscaling.min_instances <= self.instance_count <= self.autoscaling.max_instances
        ):
            problems.append(Problem(
                "instance_count", self.instance_count,
                f"must be within autoscaling min_instances..max_instances "
                f"({self.autoscaling.min_instances}..{self.autoscaling.max_instances})",
            ))
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def initial_instance_count(self) -> int:
        if self.instance_count is not None:
            return self.instance_count
        return self.autoscaling.min_instances if self.autoscaling else 1


class RealTimeEndpoint(EndpointBase):
    """A real-time SageMaker endpoint: model, endpoint config, endpoint, optional autoscaling.

    Billed per instance-hour whether or not requests arrive: the right kind for steady traffic
    that needs answers in milliseconds. Defaults: one instance (``instance_count``), no
    autoscaling, variant ``AllTraffic``, a least-privilege execution role, no KMS key (AWS-managed
    volume encryption), no VPC, no network isolation, no data capture. With ``autoscaling`` the
    endpoint tracks ``SageMakerVariantInvocationsPerInstance`` (scale-in 300 s, scale-out 60 s).
    ``data_capture`` writes to a new retained, encrypted, SSL-only bucket unless one is given.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: ModelSpec | dict[str, Any],
        instance_type: str,
        traffic: TrafficHint | dict[str, Any],
        instance_count: int | None = None,
        autoscaling: AutoscalingOptions | dict[str, Any] | None = None,
        endpoint_name: str | None = None,
        variant_name: str = DEFAULT_VARIANT_NAME,
        kms_key: Any = None,
        vpc: VpcOptions | dict[str, Any] | None = None,
        network_isolation: bool = False,
        data_capture: DataCaptureOptions | dict[str, Any] | None = None,
    ) -> None:
        path = child_path(scope, construct_id)
        props = validate_props(RealTimeEndpointProps, path, KIND, dict(
            model=model, instance_type=instance_type, traffic=traffic,
            instance_count=instance_count, autoscaling=autoscaling, endpoint_name=endpoint_name,
            variant_name=variant_name, kms_key=kms_key, vpc=vpc,
            network_isolation=network_isolation, data_capture=data_capture,
        ))
        pricing = pricing_context(scope, path)
        check_priceable(lambda: type(self)._price(props, pricing), path, KIND)
        super().__init__(scope, construct_id, pricing)
        self.props = props
        self._variant_names = [props.variant_name]

        self.role: iam.IRole = props.model.execution_role or execution_role(
            self, "ExecutionRole", props.model, vpc=props.vpc is not None
        )
        self.security_groups: list[ec2.ISecurityGroup] = []
        vpc_config = self._vpc_config(props.vpc) if props.vpc else None
        self.model = sagemaker.CfnModel(
            self, "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=_container(props.model),
            enable_network_isolation=props.network_isolation or None,
            vpc_config=vpc_config,
        )
        self.data_capture_bucket = None
        capture = self._data_capture(props) if props.data_capture else None
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self, "EndpointConfig",
            production_variants=[{
                "variantName": props.variant_name,
                "modelName": self.model.attr_model_name,
                "instanceType": props.instance_type,
                "initialInstanceCount": props.initial_instance_count,
                "initialVariantWeight": 1.0,
            }],
            kms_key_id=props.kms_key.key_arn if props.kms_key else None,
            data_capture_config=capture,
        )
        self._endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint",
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            endpoint_name=props.endpoint_name,
        )
        self.scalable_target: appscaling.CfnScalableTarget | None = None
        self.scaling_policy: appscaling.CfnScalingPolicy | None = None
        if props.autoscaling is not None:
            self._autoscale(props.autoscaling, props.variant_name)

    def _estimate(self) -> CostEstimate:
        return self._price(self.props, self._pricing)

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        estimate = estimate_realtime(
            instance_type=p.instance_type, traffic=p.traffic, ctx=pricing,
            instance_count=p.initial_instance_count, autoscaling=p.autoscaling,
        )
        return estimate.with_alternatives(realtime_alternatives(
            estimate, instance_type=p.instance_type, traffic=p.traffic, ctx=pricing,
        ))

    def _vpc_config(self, options: VpcOptions) -> dict[str, Any]:
        from aws_cdk import aws_ec2 as ec2

        groups = list(options.security_groups) or [ec2.SecurityGroup(
            self, "SecurityGroup", vpc=options.vpc, allow_all_outbound=True,
            description="SageMaker model containers (no inbound)",
        )]
        self.security_groups = groups
        subnets = list(options.subnet_ids) or options.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids
        return {"securityGroupIds": [g.security_group_id for g in groups], "subnets": subnets}

    def _data_capture(self, props: RealTimeEndpointProps) -> dict[str, Any]:
        options = props.data_capture
        assert options is not None
        bucket = options.bucket or secure_bucket(self, "DataCaptureBucket",
                                                 encryption_key=props.kms_key)
        self.data_capture_bucket = bucket
        bucket.grant_put(self.role, f"{options.prefix}/*")
        modes = [m for m, on in (("Input", options.capture_input),
                                 ("Output", options.capture_output)) if on]
        config: dict[str, Any] = {
            "enableCapture": True,
            "initialSamplingPercentage": options.sampling_percentage,
            "destinationS3Uri": f"s3://{bucket.bucket_name}/{options.prefix}",
            "captureOptions": [{"captureMode": m} for m in modes],
        }
        if props.kms_key is not None:
            config["kmsKeyId"] = props.kms_key.key_arn
        return config

    def _autoscale(self, options: AutoscalingOptions, variant: str) -> None:
        scheduled = None
        if options.schedule is not None:
            s = options.schedule
            days = "MON-FRI" if s.weekdays_only else "*"
            scheduled = [
                {"scheduledActionName": "business-hours-up",
                 "schedule": f"cron(0 {s.start_hour_utc} ? * {days} *)",
                 "scalableTargetAction": {"minCapacity": s.business_hours_min_instances}},
                {"scheduledActionName": "off-hours-down",
                 "schedule": f"cron(0 {s.end_hour_utc % 24} ? * {days} *)",
                 "scalableTargetAction": {"minCapacity": s.off_hours_min_instances}},
            ]
        self.scalable_target = appscaling.CfnScalableTarget(
            self, "ScalableTarget",
            service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=f"endpoint/{self.endpoint_name}/variant/{variant}",
            min_capacity=options.min_instances,
            max_capacity=options.max_instances,
            scheduled_actions=scheduled,
        )
        self.scaling_policy = appscaling.CfnScalingPolicy(
            self, "InvocationsScaling",
            policy_name="invocations-per-instance",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.scalable_target.ref,
            target_tracking_scaling_policy_configuration={
                "targetValue": options.target_invocations_per_instance,
                "predefinedMetricSpecification": {
                    "predefinedMetricType": "SageMakerVariantInvocationsPerInstance",
                },
                "scaleInCooldown": options.scale_in_cooldown_s,
                "scaleOutCooldown": options.scale_out_cooldown_s,
            },
        )


def _container(model: ModelSpec) -> dict[str, Any]:
    container: dict[str, Any] = {"image": model.image_uri}
    if model.model_data_url:
        container["modelDataUrl"] = model.model_data_url
    if model.environment:
        container["environment"] = dict(model.environment)
    return container
