"""RealTimeEndpoint: always-on instances behind InvokeEndpoint, with optional autoscaling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from aws_cdk import aws_iam as iam
from constructs import Construct
from pydantic import Field, model_validator

from . import limits
from ._private import nag
from ._private.base import EndpointBase
from ._private.context import check_priceable, stack_env_json
from ._private.emit import ACCOUNT, Ref, join, statement
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import model_role
from ._private.rules import hosting_problems
from ._private.scaling import Autoscaled
from .config import (
    AutoscalingOptions,
    DataCaptureOptions,
    IKeyLike,
    InstanceType,
    ModelSpec,
    VpcOptions,
)
from .cost.advice import advise
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.fleet import estimate_fleet
from .cost.model import PricingContext, estimate_realtime
from .defaults import DEFAULT_VARIANT_NAME, emit_secure_bucket
from .deployment import Deployment
from .errors import ConfigurationError, FieldProblem, Problem
from .traffic import TrafficHint
from .variant import VariantHost, VariantOptions, fleet_problems

if TYPE_CHECKING:  # aws_ec2 is imported only for a VPC: it is 0.2 s and 24 MB of Python
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_s3 as s3

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
    max_monthly_usd: float | None = MAX_MONTHLY_USD
    variant_weight: float = Field(1.0, ge=0)
    variants: tuple[VariantOptions, ...] = ()
    deployment: Deployment | None = None
    retain_variant_properties: bool | None = None
    reset_on_update: tuple[Literal["DesiredInstanceCount", "DesiredWeight"], ...] = ()

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> RealTimeEndpointProps:
        problems: list[Problem] = []
        problems += hosting_problems(
            instance_type=self.instance_type, kms_key=self.kms_key, traffic=self.traffic,
            autoscaling=self.autoscaling, instance_count=self.instance_count, async_fits=True)
        problems += fleet_problems(primary_name=self.variant_name,
                                   primary_weight=self.variant_weight, variants=list(self.variants),
                                   multi_model=False, deployment=self.deployment)
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def initial_instance_count(self) -> int:
        if self.instance_count is not None:
            return self.instance_count
        return self.autoscaling.min_instances if self.autoscaling else 1


class RealTimeEndpoint(VariantHost, Autoscaled, EndpointBase):
    """A real-time SageMaker endpoint: model, endpoint config, endpoint, optional autoscaling.

    Billed per instance-hour whether or not requests arrive: the right kind for steady traffic
    that needs answers in milliseconds. Defaults: one instance (``instance_count``), no
    autoscaling, variant ``AllTraffic``, a least-privilege execution role, no KMS key (AWS-managed
    volume encryption), no VPC, no network isolation, no data capture. With ``autoscaling`` the
    endpoint tracks ``SageMakerVariantInvocationsPerInstance`` (scale-in 300 s, scale-out 60 s).
    ``data_capture`` writes to a new retained, encrypted, SSL-only bucket unless one is given.

    Variants (``variants=[...]`` or ``add_variant``, see :class:`Variant`): this endpoint's own
    variant has weight ``variant_weight`` [1]. ``deployment`` [none: SageMaker's default
    all-at-once blue/green] sets a :class:`BlueGreenDeployment` (canary/linear shifting,
    auto-rollback on default 5XX and latency alarms notifying an encrypted topic) or a
    :class:`RollingDeployment`; the endpoint then gets a stable name derived from its path so the
    alarms can watch it. ``retain_variant_properties`` [true with variants or a deployment]
    keeps live instance counts and weights across updates (so an update does not fight the
    autoscaler); ``reset_on_update`` lists what an update applies anyway (``DesiredWeight`` when
    you change weights on purpose).
    ``max_monthly_usd`` [none]: a budget; an estimate above it fails ``cdk synth``.
    """

    @checked_init(KIND)
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
        max_monthly_usd: float | None = None,
        variant_weight: float = 1.0,
        variants: list[VariantOptions | dict[str, Any]] | tuple[Any, ...] = (),
        deployment: Any = None,
        retain_variant_properties: bool | None = None,
        reset_on_update: tuple[str, ...] | list[str] = (),
    ) -> None:
        path, props, pricing = type(self)._validated(
            scope, construct_id, KIND, RealTimeEndpointProps, dict(
                model=model, instance_type=instance_type, traffic=traffic,
                instance_count=instance_count, autoscaling=autoscaling, endpoint_name=endpoint_name,
                variant_name=variant_name, kms_key=kms_key, vpc=vpc,
                network_isolation=network_isolation, data_capture=data_capture,
                variant_weight=variant_weight, variants=tuple(variants), deployment=deployment,
                retain_variant_properties=retain_variant_properties,
                reset_on_update=tuple(reset_on_update), max_monthly_usd=max_monthly_usd,
        ))
        if props.variants:
            check_priceable(lambda: estimate_fleet(type(self)._specs_from_props(props),
                                                   traffic=props.traffic, ctx=pricing), path, KIND)
        subnets = _subnets(props.vpc, path) if props.vpc else []
        super().__init__(scope, construct_id, pricing, max_monthly_usd=props.max_monthly_usd)
        self.props = props
        self._variant_names = [props.variant_name]
        emit = self._emit
        region, account = stack_env_json(self._stack)

        self.security_groups: list[ec2.ISecurityGroup] = []
        self._vpc_json = self._vpc_config(props.vpc, subnets) if props.vpc else None
        self._capture_bucket: Ref | None = None
        self._capture_bucket_import: s3.IBucket | None = None
        extra: list[dict[str, Any]] = []
        capture = self._data_capture(props, extra) if props.data_capture else None
        self._execution_role, role_arn = model_role(
            emit, "ExecutionRole", props.model, region=region, account=account,
            vpc=props.vpc is not None, extra=extra)
        self._model_ref = emit.resource("Model", "AWS::SageMaker::Model", {
            "ExecutionRoleArn": role_arn,
            "PrimaryContainer": _container(props.model),
            **self._variant_model_options(),
        })
        self._host({"DataCaptureConfig": capture} if capture is not None else None)

    @property
    def data_capture_bucket(self) -> s3.IBucket | None:
        """Where data capture writes (the bucket given, or the one created here, imported for
        CDK APIs on first use); None without data capture."""
        options = self.props.data_capture
        if options is None or options.bucket is not None:
            return options.bucket if options else None
        if self._capture_bucket_import is None:
            from aws_cdk import aws_s3 as s3

            assert self._capture_bucket is not None
            self._capture_bucket_import = s3.Bucket.from_bucket_attributes(
                self, "DataCaptureBucketImport", bucket_name=self._capture_bucket.token(),
                bucket_arn=self._capture_bucket.token("Arn"))
        return self._capture_bucket_import

    def _estimate(self) -> CostEstimate:
        if self._variants:
            return self._fleet_estimate(self.props.traffic, "realtime")
        return super()._estimate()

    def _variant_container(self, model: ModelSpec) -> dict[str, Any]:
        return _container(model)

    def _variant_model_options(self) -> dict[str, Any]:
        """A variant's own model runs in the same VPC and isolation as the endpoint's."""
        options: dict[str, Any] = {}
        if self.props.network_isolation:
            options["EnableNetworkIsolation"] = True
        if self._vpc_json is not None:
            options["VpcConfig"] = self._vpc_json
        return options

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        def own(traffic: TrafficHint) -> CostEstimate:
            return estimate_realtime(
                instance_type=p.instance_type, traffic=traffic, ctx=pricing,
                instance_count=p.initial_instance_count, autoscaling=p.autoscaling,
            )

        return advise(own(p.traffic), own, Workload(p.traffic, p.instance_type), pricing)

    def _vpc_config(self, options: VpcOptions, subnets: list[str]) -> dict[str, Any]:
        from aws_cdk import aws_ec2 as ec2

        groups = list(options.security_groups) or [ec2.SecurityGroup(
            self, "SecurityGroup", vpc=options.vpc, allow_all_outbound=True,
            description="SageMaker model containers (no inbound)",
        )]
        self.security_groups = groups
        return {"SecurityGroupIds": [g.security_group_id for g in groups], "Subnets": subnets}

    def _data_capture(self, props: RealTimeEndpointProps,
                      extra: list[dict[str, Any]]) -> dict[str, Any]:
        """The capture config; the role's statements go to ``extra`` (or to a given role)."""
        options = props.data_capture
        assert options is not None
        key_arn = props.kms_key.key_arn if props.kms_key is not None else None
        if options.bucket is not None:
            objects: Any = options.bucket.arn_for_objects(f"{options.prefix}/*")
            destination: Any = f"s3://{options.bucket.bucket_name}/{options.prefix}"
        else:
            self._capture_bucket = emit_secure_bucket(
                self._emit, "DataCaptureBucket", account=ACCOUNT, encryption_key_arn=key_arn)
            objects = join(self._capture_bucket.att("Arn"), f"/{options.prefix}/*")
            destination = join("s3://", self._capture_bucket.ref, f"/{options.prefix}")
        # Only PutObject, only under the prefix (SageMaker names the objects below it).
        statements = [statement(["s3:PutObject"], [objects], sid="WriteDataCapture")]
        if key_arn is not None:
            statements.append(statement(["kms:Encrypt", "kms:GenerateDataKey"], [key_arn],
                                        sid="EncryptDataCapture"))
        given = props.model.execution_role
        if given is None:
            extra += statements
            flat = nag.flatten(objects) if options.bucket is None else nag._flat(self, objects)
            self._emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{flat}]", nag.REASON_S3_PREFIX)
        else:
            for s in statements:
                given.add_to_principal_policy(iam.PolicyStatement.from_json(s))
        modes = [m for m, on in (("Input", options.capture_input),
                                 ("Output", options.capture_output)) if on]
        config: dict[str, Any] = {
            "CaptureOptions": [{"CaptureMode": m} for m in modes],
            "DestinationS3Uri": destination,
            "EnableCapture": True,
            "InitialSamplingPercentage": options.sampling_percentage,
        }
        if key_arn is not None:
            config["KmsKeyId"] = key_arn
        return config


def _subnets(options: VpcOptions, path: str) -> list[str]:
    """The subnets to run in, chosen before any node exists: a VPC without private subnets is
    a configuration error here rather than a JavaScript error half-way through."""
    if options.subnet_ids:
        return list(options.subnet_ids)
    from aws_cdk import aws_ec2 as ec2

    try:
        subnets = options.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids
    except RuntimeError as error:  # jsii: CDK refused the selection
        subnets, reason = [], str(error).split("\n")[0]
    else:
        reason = "the VPC has no private subnets with egress"
    if not subnets:
        raise ConfigurationError.single(
            path, "vpc.subnet_ids", (), f"give subnet_ids, or a VPC with PRIVATE_WITH_EGRESS "
            f"subnets ({reason})", kind=KIND)
    return list(subnets)


def _container(model: ModelSpec) -> dict[str, Any]:
    """The model's ``PrimaryContainer`` (CloudFormation JSON)."""
    container: dict[str, Any] = {"Image": model.image_uri}
    if model.model_data_url:
        container["ModelDataUrl"] = model.model_data_url
    if model.environment:
        container["Environment"] = dict(model.environment)
    return container
