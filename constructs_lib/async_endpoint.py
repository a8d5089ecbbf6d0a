"""AsyncEndpoint: requests queue in S3, results land in S3 and on SNS, instances scale to zero."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from constructs import Construct
from pydantic import AfterValidator, Field, model_validator

from . import limits
from ._private import nag
from ._private.base import EndpointBase
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import execution_role
from ._private.rules import local_nvme
from .config import IBucketLike, IKeyLike, InstanceType, ModelSpec, _jsii_object
from .cost.advice import advise
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.model import PricingContext
from .cost.offline import estimate_async
from .defaults import (
    DEFAULT_VARIANT_NAME,
    SCALE_IN_COOLDOWN_S,
    SCALE_OUT_COOLDOWN_S,
    secure_bucket,
    secure_topic,
)
from .errors import FieldProblem, Problem
from .realtime import _container, _no_kms_reason
from .traffic import TrafficHint

__all__ = ["AsyncEndpoint", "AsyncEndpointProps"]

KIND = "AsyncEndpoint"
ITopicLike = Annotated[Any, _jsii_object("topic_arn", "an aws_sns.ITopic")]
Prefix = Annotated[str, Field(pattern=r"^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,200}/$")]
WAKE_UP_COOLDOWN_S = 300
"""Cooldown of the step policy that adds the first instance when requests wait at zero."""
KMS_READ = ("kms:Decrypt",)
KMS_WRITE = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
"""What reading or writing SSE-KMS objects needs of the key."""
SERVERLESS_ONLY = ("memory_mb", "max_concurrency", "provisioned_concurrency")


def _no_serverless(value: Any) -> Any:
    if value is not None:
        raise ValueError("asynchronous inference runs on instances, not serverless: give "
                         "instance_type, or use ServerlessEndpoint")
    return value


NotServerless = Annotated[Any, AfterValidator(_no_serverless)]


class AsyncEndpointProps(StrictModel):
    """Props of :class:`AsyncEndpoint` (see its docstring for defaults)."""

    max_monthly_usd: float | None = MAX_MONTHLY_USD
    model: ModelSpec
    instance_type: InstanceType | None
    traffic: TrafficHint
    min_instances: int = Field(0, ge=0, le=1000)
    max_instances: int = Field(1, ge=1, le=1000)
    max_concurrent_invocations_per_instance: int | None = Field(
        None, ge=1, le=limits.ASYNC_MAX_CONCURRENT_INVOCATIONS)
    invocation_timeout_s: int = Field(limits.ASYNC_DEFAULT_INVOCATION_TIMEOUT_S, ge=1,
                                      le=limits.ASYNC_MAX_DURATION_MS // 1000)
    target_backlog_per_instance: float = Field(5.0, gt=0)
    scale_in_cooldown_s: int = Field(SCALE_IN_COOLDOWN_S, ge=0, le=86400)
    scale_out_cooldown_s: int = Field(SCALE_OUT_COOLDOWN_S, ge=0, le=86400)
    output_bucket: IBucketLike = None
    input_prefix: Prefix = "input/"
    output_prefix: Prefix = "output/"
    failure_prefix: Prefix = "failure/"
    success_topic: ITopicLike = None
    error_topic: ITopicLike = None
    kms_key: IKeyLike = None
    endpoint_name: str | None = Field(None, pattern=limits.ENDPOINT_NAME_PATTERN)
    variant_name: str = Field(DEFAULT_VARIANT_NAME, pattern=limits.ENDPOINT_NAME_PATTERN)
    memory_mb: NotServerless = None
    max_concurrency: NotServerless = None
    provisioned_concurrency: NotServerless = None

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> AsyncEndpointProps:
        problems: list[Problem] = []
        if self.instance_type is None:
            problems.append(Problem("instance_type", None, "required: asynchronous inference "
                                    "runs on instances (use ServerlessEndpoint for serverless)"))
        if self.min_instances > self.max_instances:
            problems.append(Problem("min_instances", self.min_instances,
                                    f"must be <= max_instances ({self.max_instances})"))
        if self.traffic.payload_kb > limits.ASYNC_MAX_PAYLOAD_KB:
            problems.append(Problem("traffic.payload_kb", self.traffic.payload_kb,
                                    "must be <= 1048576 (async payloads are at most 1 GB)"))
        if self.traffic.avg_duration_ms > self.invocation_timeout_s * 1000:
            problems.append(Problem(
                "traffic.avg_duration_ms", self.traffic.avg_duration_ms,
                f"must be <= invocation_timeout_s × 1000 ({self.invocation_timeout_s * 1000}); "
                "raise invocation_timeout_s (at most 3600 s)"))
        if len({self.input_prefix, self.output_prefix, self.failure_prefix}) < 3:
            problems.append(Problem("failure_prefix", self.failure_prefix,
                                    "input, output and failure prefixes must differ"))
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def concurrency_for_cost(self) -> int:
        return self.max_concurrent_invocations_per_instance or 1


class AsyncEndpoint(EndpointBase):
    """An asynchronous SageMaker endpoint: payloads up to 1 GB and requests up to an hour,
    queued, answered in S3 and announced on SNS; at ``min_instances`` 0 it costs nothing idle.

    Defaults: ``min_instances`` 0, ``max_instances`` 1; a new private, versioned, SSL-only,
    retained output bucket (S3-managed keys, or ``kms_key``) with ``input/``, ``output/`` and
    ``failure/`` prefixes; new success and error topics (``alias/aws/sns``, or ``kms_key``) that
    refuse publishing without TLS; SageMaker's own choice of concurrent invocations per instance.
    Scaling: target tracking on ``ApproximateBacklogSizePerInstance`` (5 queued requests per
    instance, scale-in 300 s, scale-out 60 s) and, at min 0, a step policy (+1 instance,
    cooldown 300 s) fired by an alarm on ``HasBacklogWithoutCapacity`` (Average >= 1 for 2 of
    2 minutes) so that requests waiting at zero capacity wake the endpoint up.
    ``invocation_timeout_s`` [900, at most 3600] is what callers pass as
    ``InvocationTimeoutSeconds`` (a per-request parameter): it must cover the hint's duration.
    With ``kms_key`` the key also encrypts the instances' ML storage volume, except on instance
    types with local NVMe storage (hardware-encrypted; SageMaker refuses a key for them).
    """

    @checked_init(KIND)
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: ModelSpec | dict[str, Any],
        traffic: TrafficHint | dict[str, Any],
        instance_type: str | None = None,
        min_instances: int = 0,
        max_instances: int = 1,
        max_concurrent_invocations_per_instance: int | None = None,
        invocation_timeout_s: int = limits.ASYNC_DEFAULT_INVOCATION_TIMEOUT_S,
        target_backlog_per_instance: float = 5.0,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
        output_bucket: s3.IBucket | None = None,
        input_prefix: str = "input/",
        output_prefix: str = "output/",
        failure_prefix: str = "failure/",
        success_topic: sns.ITopic | None = None,
        error_topic: sns.ITopic | None = None,
        kms_key: Any = None,
        endpoint_name: str | None = None,
        variant_name: str = DEFAULT_VARIANT_NAME,
        max_monthly_usd: float | None = None,
        memory_mb: Any = None,
        max_concurrency: Any = None,
        provisioned_concurrency: Any = None,
    ) -> None:
        _, props, pricing = type(self)._validated(
            scope, construct_id, KIND, AsyncEndpointProps, dict(
                model=model, traffic=traffic, instance_type=instance_type,
                min_instances=min_instances, max_instances=max_instances,
                max_concurrent_invocations_per_instance=max_concurrent_invocations_per_instance,
                invocation_timeout_s=invocation_timeout_s,
                target_backlog_per_instance=target_backlog_per_instance,
                scale_in_cooldown_s=scale_in_cooldown_s, scale_out_cooldown_s=scale_out_cooldown_s,
                output_bucket=output_bucket, input_prefix=input_prefix, output_prefix=output_prefix,
                failure_prefix=failure_prefix, success_topic=success_topic, error_topic=error_topic,
                kms_key=kms_key, endpoint_name=endpoint_name, variant_name=variant_name,
                max_monthly_usd=max_monthly_usd, memory_mb=memory_mb,
                max_concurrency=max_concurrency, provisioned_concurrency=provisioned_concurrency,
        ))
        super().__init__(scope, construct_id, pricing, max_monthly_usd=props.max_monthly_usd)
        self.props = props
        self._variant_names = [props.variant_name]
        self.invocation_timeout_s = props.invocation_timeout_s

        self.output_bucket: s3.IBucket = props.output_bucket or secure_bucket(
            self, "OutputBucket", encryption_key=props.kms_key)
        self.success_topic: sns.ITopic = props.success_topic or secure_topic(
            self, "SuccessTopic", encryption_key=props.kms_key)
        self.error_topic: sns.ITopic = props.error_topic or secure_topic(
            self, "ErrorTopic", encryption_key=props.kms_key)
        self.role: iam.IRole = props.model.execution_role or execution_role(
            self, "ExecutionRole", props.model)
        self._grant_execution_role(props)

        self.model = sagemaker.CfnModel(
            self, "Model", execution_role_arn=self.role.role_arn,
            primary_container=_container(props.model))
        output_config: dict[str, Any] = {
            "s3OutputPath": self.s3_uri(props.output_prefix),
            "s3FailurePath": self.s3_uri(props.failure_prefix),
            "notificationConfig": {"successTopic": self.success_topic.topic_arn,
                                   "errorTopic": self.error_topic.topic_arn},
        }
        if props.kms_key is not None:
            output_config["kmsKeyId"] = props.kms_key.key_arn
        instance_type = props.instance_type
        assert instance_type is not None  # required by AsyncEndpointProps' rules
        volume_key = None
        if props.kms_key is not None and not local_nvme(instance_type):
            volume_key = props.kms_key.key_arn
        client_config = ({"maxConcurrentInvocationsPerInstance":
                          props.max_concurrent_invocations_per_instance}
                         if props.max_concurrent_invocations_per_instance else None)
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self, "EndpointConfig",
            production_variants=[{
                "variantName": props.variant_name,
                "modelName": self.model.attr_model_name,
                "instanceType": props.instance_type,
                # CreateEndpoint needs at least one instance; scaling takes it to zero after.
                "initialInstanceCount": max(props.min_instances, 1),
                "initialVariantWeight": 1.0,
            }],
            async_inference_config={"outputConfig": output_config,
                                    "clientConfig": client_config},
            kms_key_id=volume_key,
        )
        if volume_key is None:
            nag.acknowledge(self.endpoint_config, nag.ENDPOINT_CONFIG_KMS,
                            _no_kms_reason(instance_type))
        self._endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint",
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            endpoint_name=props.endpoint_name,
        )
        # Results and notifications need the grants above as soon as the endpoint serves.
        # (The library's own role holds them in a managed policy the role, hence the model,
        # already depends on; a role passed in keeps them in its DefaultPolicy.)
        grants = self.role.node.try_find_child("DefaultPolicy")
        if grants is not None:
            self._endpoint.node.add_dependency(grants)
        self._autoscale(props)

    def s3_uri(self, prefix: str) -> str:
        """``s3://bucket/prefix`` in the output bucket (without the trailing '/')."""
        return f"s3://{self.output_bucket.bucket_name}/{prefix.rstrip('/')}"

    def _grant_objects(self, grantee: iam.IGrantable, actions: list[str],
                       prefixes: list[str], *, encrypt: bool = False) -> iam.Grant:
        """Exactly ``actions`` on the objects under ``prefixes`` (and the KMS key when set)."""
        objects = [self.output_bucket.arn_for_objects(f"{p}*") for p in prefixes]
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=actions,
                                           resource_arns=objects)
        nag.acknowledge_grant(grantee, objects, nag.REASON_ASYNC_PREFIX)
        key = self.props.kms_key
        if key is not None:
            # Exact actions (CDK's grant_encrypt_decrypt adds GenerateDataKey* and ReEncrypt*):
            # S3 needs Decrypt to read, and to complete a multipart upload it encrypted.
            key.grant(grantee, *(KMS_WRITE if encrypt else KMS_READ))
        return grant

    def _grant_execution_role(self, props: AsyncEndpointProps) -> None:
        # SageMaker reads each request's input and writes its result with the execution role.
        self._grant_objects(self.role, ["s3:GetObject"], [props.input_prefix])
        self._grant_objects(self.role, ["s3:PutObject", "s3:AbortMultipartUpload"],
                            [props.output_prefix, props.failure_prefix], encrypt=True)
        for topic, given in ((self.success_topic, props.success_topic),
                             (self.error_topic, props.error_topic)):
            if given is not None:  # the caller's topic: whatever its own key needs
                topic.grant_publish(self.role)
                continue
            # Our topic: exact actions (grant_publish would add kms:GenerateDataKey*).
            iam.Grant.add_to_principal(grantee=self.role, actions=["sns:Publish"],
                                       resource_arns=[topic.topic_arn])
            if props.kms_key is not None:
                props.kms_key.grant(self.role, "kms:Decrypt", "kms:GenerateDataKey")

    def _autoscale(self, props: AsyncEndpointProps) -> None:
        self.scalable_target = appscaling.CfnScalableTarget(
            self, "ScalableTarget",
            service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=f"endpoint/{self.endpoint_name}/variant/{props.variant_name}",
            min_capacity=props.min_instances,
            max_capacity=props.max_instances,
        )
        self.scaling_policy = appscaling.CfnScalingPolicy(
            self, "BacklogScaling",
            policy_name="backlog-per-instance",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.scalable_target.ref,
            target_tracking_scaling_policy_configuration={
                "targetValue": props.target_backlog_per_instance,
                "customizedMetricSpecification": {
                    "metricName": "ApproximateBacklogSizePerInstance",
                    "namespace": "AWS/SageMaker",
                    "dimensions": [{"name": "EndpointName", "value": self.endpoint_name}],
                    "statistic": "Average",
                },
                "scaleInCooldown": props.scale_in_cooldown_s,
                "scaleOutCooldown": props.scale_out_cooldown_s,
            },
        )
        self.wake_up_policy: appscaling.CfnScalingPolicy | None = None
        self.wake_up_alarm: cloudwatch.CfnAlarm | None = None
        if props.min_instances > 0:
            return
        # Target tracking divides the backlog by the instance count: at zero instances it never
        # fires, so requests would wait forever. This step policy adds the first instance.
        self.wake_up_policy = appscaling.CfnScalingPolicy(
            self, "WakeUpScaling",
            policy_name="wake-up-from-zero",
            policy_type="StepScaling",
            scaling_target_id=self.scalable_target.ref,
            step_scaling_policy_configuration={
                "adjustmentType": "ChangeInCapacity",
                "cooldown": WAKE_UP_COOLDOWN_S,
                "metricAggregationType": "Average",
                "stepAdjustments": [{"metricIntervalLowerBound": 0, "scalingAdjustment": 1}],
            },
        )
        self.wake_up_alarm = cloudwatch.CfnAlarm(
            self, "HasBacklogWithoutCapacity",
            alarm_description="Requests wait at zero instances: add one (scale from zero)",
            namespace="AWS/SageMaker",
            metric_name="HasBacklogWithoutCapacity",
            dimensions=[{"name": "EndpointName", "value": self.endpoint_name}],
            statistic="Average",
            period=60,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="missing",
            alarm_actions=[self.wake_up_policy.ref],
        )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to call InvokeEndpointAsync on this endpoint and to put and read its
        request payloads under the input prefix (and nothing else; with ``kms_key``, use it).
        An existing bucket encrypted with its own KMS key needs that key granted separately."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=["sagemaker:InvokeEndpointAsync"],
            resource_arns=[self.endpoint_arn])
        self._grant_objects(grantee, ["s3:PutObject", "s3:GetObject"],
                            [self.props.input_prefix], encrypt=True)
        return grant

    def grant_read_results(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to read results (output prefix) and failures (failure prefix)."""
        return self._grant_objects(grantee, ["s3:GetObject"],
                                   [self.props.output_prefix, self.props.failure_prefix])

    def endpoint_metric(self, metric_name: str, *, statistic: str = "Average",
                        period: cdk.Duration | None = None, **props: Any) -> cloudwatch.Metric:
        """An endpoint-level metric (dimension ``EndpointName`` only), as the queue metrics are."""
        return cloudwatch.Metric(
            namespace="AWS/SageMaker", metric_name=metric_name,
            dimensions_map={"EndpointName": self.endpoint_name},
            statistic=statistic, period=period or cdk.Duration.minutes(1), **props)

    def metric_backlog_size(self, **props: Any) -> cloudwatch.Metric:
        """Requests queued (``ApproximateBacklogSize``)."""
        return self.endpoint_metric("ApproximateBacklogSize", **props)

    def metric_backlog_size_per_instance(self, **props: Any) -> cloudwatch.Metric:
        """Queued requests per instance: what target tracking holds."""
        return self.endpoint_metric("ApproximateBacklogSizePerInstance", **props)

    def metric_has_backlog_without_capacity(self, **props: Any) -> cloudwatch.Metric:
        """1 while requests wait at zero instances: what wakes the endpoint up."""
        return self.endpoint_metric("HasBacklogWithoutCapacity", **props)

    def metric_oldest_request_age(self, **props: Any) -> cloudwatch.Metric:
        """Age in seconds of the oldest queued request (``ApproximateAgeOfOldestRequest``)."""
        props.setdefault("statistic", "Maximum")
        return self.endpoint_metric("ApproximateAgeOfOldestRequest", **props)

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        def own(traffic: TrafficHint) -> CostEstimate:
            return estimate_async(
                instance_type=p.instance_type, traffic=traffic, ctx=pricing,
                min_instances=p.min_instances, max_instances=p.max_instances,
                concurrency_per_instance=p.concurrency_for_cost,
                scale_in_cooldown_s=p.scale_in_cooldown_s,
            )

        estimate = own(p.traffic)
        if p.max_concurrent_invocations_per_instance is None:
            estimate = replace(estimate, assumptions=(
                *estimate.assumptions,
                "max_concurrent_invocations_per_instance not set: SageMaker chooses; "
                "priced at 1 (set it to price concurrency)",))
        return advise(estimate, own, Workload(p.traffic, p.instance_type), pricing)
