"""RealTimeEndpoint: always-on instances behind InvokeEndpoint, with optional autoscaling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .core.priced import PricedConstruct
from .cost.advice import advise
from .cost.base import PricingContext
from .cost.estimate import CostEstimate
from .cost.fleet import FleetCost, VariantSpec
from .cost.realtime import RealTimeCost
from .cost.workload import Workload
from .parts import compliance as nag
from .parts.alarms import operational_alarms
from .parts.compliance import Compliance
from .parts.fleet import Fleet, ModelOptions, primary_spec, variant_spec
from .parts.handles import EndpointHandles
from .parts.iam import statement
from .parts.imported import Importable
from .parts.model import build_model
from .parts.network import security_groups, subnet_ids, vpc_config
from .parts.storage import SecureBucket
from .spec.realtime import RealTimeEndpointProps
from .variant import VariantHost

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_s3 as s3

__all__ = ["RealTimeEndpoint"]

Capture = sagemaker.CfnEndpointConfig.DataCaptureConfigProperty


class RealTimeEndpoint(VariantHost, EndpointHandles, Importable,
                       PricedConstruct[RealTimeEndpointProps]):
    """A real-time SageMaker endpoint: model, endpoint config, endpoint, optional autoscaling.

    Billed per instance-hour whether or not requests arrive: the right kind for steady traffic
    that needs answers in milliseconds. Props: :class:`~constructs_lib.RealTimeEndpointProps`
    (defaults: one instance, no autoscaling, variant ``AllTraffic``, a least-privilege execution
    role, no KMS key, no VPC, no network isolation, no data capture). With ``autoscaling`` the
    endpoint tracks ``SageMakerVariantInvocationsPerInstance``. ``data_capture`` writes to a new
    retained, encrypted, SSL-only bucket unless one is given. Variants: ``variants=[...]`` or
    :meth:`add_variant`. A ``deployment`` with default rollback alarms gives the endpoint a
    stable name derived from its path (the alarms must name it).
    """

    props_model = RealTimeEndpointProps

    @classmethod
    def _preflight(cls, scope: Construct, path: str, props: RealTimeEndpointProps) -> Any:
        return subnet_ids(props.vpc, path, cls.__name__) if props.vpc else None

    @classmethod
    def _price(cls, props: RealTimeEndpointProps, pricing: PricingContext) -> CostEstimate:
        return _priced(props, pricing, [])

    def _estimate(self, props: RealTimeEndpointProps) -> CostEstimate:
        return _priced(props, self.cost_context.pricing, self.fleet.specs[1:])

    def _build(self, subnets: list[str] | None) -> sagemaker.CfnEndpoint:
        p, where = self.props, self.cost_context
        compliance = Compliance(self, where.stack)
        self.at_synth(compliance.record)
        self.security_groups: list[ec2.ISecurityGroup] = []
        vpc = None
        if p.vpc is not None and subnets is not None:
            self.security_groups = security_groups(self, p.vpc)
            vpc = vpc_config(self.security_groups, subnets)
        self.data_capture_bucket: s3.IBucket | None = None
        """Where data capture writes (the bucket given, or the one created here, as an
        ``s3.IBucket``); None without data capture."""
        self._capture_bucket: SecureBucket | None = None
        extra: list[dict[str, Any]] = []
        capture = self._data_capture(compliance, extra) if p.data_capture else None
        built = build_model(
            self, p.model, partition=where.partition, region=where.region,
            account=where.account, compliance=compliance, vpc_config=vpc,
            network_isolation=p.network_isolation, extra=extra,
            isolation_reason=nag.isolation_reason("RealTimeEndpoint", configurable=True))
        self._given_role, self._execution_role = built.given_role, built.role
        self._model_resource = built.model
        self._variant_names = [p.variant_name]
        endpoint = self._host(Fleet(
            self, p, model=self._model_resource, fleet_traffic=p.traffic,
            model_options=ModelOptions(vpc_config=vpc, network_isolation=p.network_isolation),
            compliance=compliance, on_change=self._changed, region=where.region,
            account=where.account, data_capture=capture))
        self.alarm_set = operational_alarms(self, p, endpoint_name=self._resources.name,
                                            region=where.region, account=where.account)
        return endpoint

    def _annotate(self, estimate: CostEstimate) -> None:
        self._annotate_variants(estimate)

    def _data_capture(self, compliance: Compliance, extra: list[dict[str, Any]]) -> Capture:
        """The capture config; the role's statements go to ``extra`` (or to a given role)."""
        p = self.props
        options = p.data_capture
        assert options is not None
        key_arn = None if p.kms_key is None else p.kms_key.key_arn
        if options.bucket is not None:
            self.data_capture_bucket = options.bucket
            objects = options.bucket.arn_for_objects(f"{options.prefix}/*")
            destination = f"s3://{options.bucket.bucket_name}/{options.prefix}"
        else:
            self._capture_bucket = SecureBucket(self, "DataCaptureBucket",
                                                compliance=compliance, key=p.kms_key)
            self.data_capture_bucket = self._capture_bucket.imported
            objects = f"{self._capture_bucket.arn}/{options.prefix}/*"
            destination = f"s3://{self._capture_bucket.name}/{options.prefix}"
        # Only PutObject, only under the prefix (SageMaker names the objects below it).
        statements = [compliance.explain(
            statement(["s3:PutObject"], [objects], sid="WriteDataCapture"),
            nag.REASON_S3_PREFIX)]
        if key_arn is not None:
            statements.append(statement(["kms:Encrypt", "kms:GenerateDataKey"], [key_arn],
                                        sid="EncryptDataCapture"))
        given = p.model.execution_role
        if given is None:
            extra += statements
        else:
            for one in statements:
                given.add_to_principal_policy(iam.PolicyStatement.from_json(one))
            compliance.acknowledge_resources(given, [objects], nag.REASON_S3_PREFIX)
        modes = [m for m, on in (("Input", options.capture_input),
                                 ("Output", options.capture_output)) if on]
        return Capture(
            capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=m)
                             for m in modes],
            destination_s3_uri=destination, enable_capture=True,
            initial_sampling_percentage=options.sampling_percentage, kms_key_id=key_arn)


def _priced(p: RealTimeEndpointProps, pricing: PricingContext,
            added: list[VariantSpec]) -> CostEstimate:
    """The endpoint's own variant (and those in ``p.variants`` or ``added``) priced, with
    the alternatives for its traffic."""
    workload = Workload(p.traffic, p.instance_type)
    if not p.variants and not added:
        return advise(RealTimeCost(
            p.traffic, pricing, instance_type=p.instance_type,
            instance_count=p.initial_instance_count, autoscaling=p.autoscaling,
            concurrency_per_instance=p.max_concurrent_requests_per_instance,
            volume_size_gb=p.volume_size_gb), workload)
    specs = [primary_spec(p), *(added or [variant_spec(v, p) for v in p.variants])]
    return FleetCost(specs, p.traffic, pricing).estimate()
