"""AsyncEndpoint: requests queue in S3, results land in S3 and on SNS, instances scale to zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct, DependencyGroup
from pydantic import AfterValidator, Field, model_validator

from . import limits
from ._private import nag
from ._private.base import EndpointBase
from ._private.context import stack_env, stack_env_json
from ._private.emit import ACCOUNT, Ref, join, statement
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import EmittedRole, model_role
from ._private.rules import local_nvme, no_kms_reason
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
    emit_secure_bucket,
    emit_secure_topic,
)
from .errors import FieldProblem, Problem
from .realtime import _container
from .traffic import TrafficHint

if TYPE_CHECKING:  # imported where used: the default path creates no L2 bucket or topic
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns

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
H = TypeVar("H")



@jsii.implements(cdk.IStableStringProducer)
class _Later:
    def __init__(self, produce: Callable[[], str]) -> None:
        self._produce = produce

    def produce(self) -> str:
        return self._produce()


@jsii.implements(iam.IPrincipal)
class _PolicyCollector:
    """The grantee for grants made by objects the user passed (their topics' ``grant_publish``,
    ``kms_key.grant``) to the library's execution role, which is not an ``iam.Role``: each
    statement they add to the principal is kept as JSON for the role's managed policy (as
    ``ExecutionRole.add_to_principal_policy`` kept it). ``principal_account`` is the role's."""

    def __init__(self, statements: list[dict[str, Any]], account: str,
                 arn: Callable[[], str]) -> None:
        self._statements = statements
        self._account = account
        self._arn = arn
        self._dependable: DependencyGroup | None = None

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    @property
    def assume_role_action(self) -> str:
        return "sts:AssumeRole"

    @property
    def principal_account(self) -> str:
        return self._account

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        """For a resource policy naming the role (a grant across accounts): its ARN, resolved
        at synth (the role is created after its statements are collected)."""
        return iam.ArnPrincipal(cdk.Lazy.string(_Later(self._arn))).policy_fragment

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        return self.add_to_principal_policy(statement).statement_added

    def add_to_principal_policy(self, statement: iam.PolicyStatement
                                ) -> iam.AddToPrincipalPolicyResult:
        self._statements.append(statement.to_statement_json())
        if self._dependable is None:  # the grants are not returned: nothing depends on it
            self._dependable = DependencyGroup()
        return iam.AddToPrincipalPolicyResult(statement_added=True,
                                              policy_dependable=self._dependable)


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
        self._handles: dict[str, Any] = {}
        emit = self._emit
        region, account = stack_env_json(self._stack)
        key = props.kms_key
        self._key_arn: str | None = None if key is None else key.key_arn  # one call, reused

        self._bucket_ref: Ref | None = None
        if props.output_bucket is None:
            # aws:SourceAccount of the log delivery is always AWS::AccountId (secure_bucket's
            # cdk.Aws.ACCOUNT_ID), even in a stack whose account is known.
            self._bucket_ref = emit_secure_bucket(emit, "OutputBucket", account=ACCOUNT,
                                                  encryption_key_arn=self._key_arn)
        topics: dict[str, Any] = {}  # CloudFormation JSON of each topic's ARN
        self._topic_refs: dict[str, Ref] = {}
        for name, given in (("SuccessTopic", props.success_topic),
                            ("ErrorTopic", props.error_topic)):
            if given is None:
                ref = self._topic_refs[name] = emit_secure_topic(
                    emit, name, region=region, account=account,
                    encryption_key_arn=self._key_arn)
                topics[name] = ref.ref
            else:
                topics[name] = given.topic_arn

        self._execution_role: EmittedRole | None = None
        given_role = props.model.execution_role
        self._execution_role, role_arn = model_role(
            emit, "ExecutionRole", props.model, region=region, account=account,
            extra=None if given_role is not None else self._execution_statements(props))
        if given_role is not None:
            self._grant_given_role(given_role, props)

        self._model_ref = emit.resource("Model", "AWS::SageMaker::Model", {
            "ExecutionRoleArn": role_arn, "PrimaryContainer": _container(props.model)})
        output_config: dict[str, Any] = {
            "NotificationConfig": {"ErrorTopic": topics["ErrorTopic"],
                                   "SuccessTopic": topics["SuccessTopic"]},
            "S3FailurePath": self._s3_uri_json(props.failure_prefix),
            "S3OutputPath": self._s3_uri_json(props.output_prefix),
        }
        if self._key_arn is not None:
            output_config["KmsKeyId"] = self._key_arn
        async_config: dict[str, Any] = {"OutputConfig": output_config}
        if props.max_concurrent_invocations_per_instance:
            async_config["ClientConfig"] = {"MaxConcurrentInvocationsPerInstance":
                                            props.max_concurrent_invocations_per_instance}
        instance_type = props.instance_type
        assert instance_type is not None  # required by AsyncEndpointProps' rules
        config: dict[str, Any] = {
            "AsyncInferenceConfig": async_config,
            "ProductionVariants": [{
                # CreateEndpoint needs at least one instance; scaling takes it to zero after.
                "InitialInstanceCount": max(props.min_instances, 1),
                "InitialVariantWeight": 1.0,
                "InstanceType": instance_type,
                "ModelName": self._model_ref.att("ModelName"),
                "VariantName": props.variant_name,
            }],
        }
        if self._key_arn is not None and not local_nvme(instance_type):
            config["KmsKeyId"] = self._key_arn
        else:
            emit.acknowledge(nag.ENDPOINT_CONFIG_KMS, no_kms_reason(instance_type))
        self._config_ref = emit.resource("EndpointConfig", "AWS::SageMaker::EndpointConfig", config)
        endpoint: dict[str, Any] = {
            "EndpointConfigName": self._config_ref.att("EndpointConfigName")}
        if props.endpoint_name is not None:
            endpoint["EndpointName"] = props.endpoint_name
        self._endpoint_ref = emit.resource("Endpoint", "AWS::SageMaker::Endpoint", endpoint)
        # Results and notifications need the grants above as soon as the endpoint serves.
        # (The library's own role holds them in a managed policy the role, hence the model,
        # already depends on; a role passed in keeps them in its DefaultPolicy.)
        if given_role is not None:
            grants = given_role.node.try_find_child("DefaultPolicy")
            if grants is not None:
                self._endpoint_ref.cfn.node.add_dependency(grants)
        self._autoscale(props)
        self._done(self._endpoint_ref)

    # --- CloudFormation JSON of the construct's own resources --------------------------------

    def _s3_uri_json(self, prefix: str) -> Any:
        """``s3://bucket/prefix`` (without the trailing '/') as CloudFormation JSON."""
        if self._bucket_ref is None:
            return f"s3://{self.props.output_bucket.bucket_name}/{prefix.rstrip('/')}"
        return join("s3://", self._bucket_ref.ref, f"/{prefix.rstrip('/')}")

    def _objects_json(self, prefixes: list[str]) -> list[Any]:
        """The object ARNs under ``prefixes`` of the output bucket, as CloudFormation JSON."""
        if self._bucket_ref is None:
            return [self.props.output_bucket.arn_for_objects(f"{p}*") for p in prefixes]
        arn = self._bucket_ref.att("Arn")
        return [join(arn, f"/{p}*") for p in prefixes]

    def _execution_statements(self, props: AsyncEndpointProps) -> list[dict[str, Any]]:
        """What SageMaker does with the library's execution role beyond running the model: read
        each request's input, write its result or failure, publish to the topics (and use
        ``kms_key`` for all three), as the role's managed-policy statements. Grants on objects
        the user passed (their topics, ``kms_key``) are made by those objects themselves,
        collected as JSON."""
        out: list[dict[str, Any]] = []
        collector = None if props.kms_key is None and props.success_topic is None and (
            props.error_topic is None) else _PolicyCollector(
                out, self._principal_account(), self._role_arn_token)

        def objects(actions: list[str], prefixes: list[str], kms: tuple[str, ...]) -> None:
            resources = self._objects_json(prefixes)
            out.append(statement(actions, resources))
            for resource in resources:
                flat = nag.flatten(resource if self._bucket_ref is not None
                                   else self._stack.resolve(resource))
                self._emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{flat}]",
                                       nag.REASON_ASYNC_PREFIX)
            if props.kms_key is not None:
                props.kms_key.grant(collector, *kms)

        # SageMaker reads each request's input and writes its result with the execution role.
        objects(["s3:GetObject"], [props.input_prefix], KMS_READ)
        objects(["s3:PutObject", "s3:AbortMultipartUpload"],
                [props.output_prefix, props.failure_prefix], KMS_WRITE)
        for name, given in (("SuccessTopic", props.success_topic),
                            ("ErrorTopic", props.error_topic)):
            if given is not None:  # the caller's topic: whatever its own key needs
                given.grant_publish(collector)
                continue
            # Our topic: exact actions (grant_publish would add kms:GenerateDataKey*).
            out.append(statement(["sns:Publish"], [self._topic_refs[name].ref]))
            if props.kms_key is not None:
                props.kms_key.grant(collector, "kms:Decrypt", "kms:GenerateDataKey")
        # An IAM policy document drops repeated statements (both topics' key grant).
        unique: list[dict[str, Any]] = []
        for s in out:
            if s not in unique:
                unique.append(s)
        return unique

    def _role_arn_token(self) -> str:
        emitted = self._execution_role
        assert emitted is not None
        return emitted.role.token("Arn")

    def _principal_account(self) -> str:
        """The account of the execution role (its stack's) as ``iam.Role`` reports it."""
        return stack_env(self)[2]

    def _grant_given_role(self, role: iam.IRole, props: AsyncEndpointProps) -> None:
        """The statements of :meth:`_execution_statements` for a role the user passed, through
        CDK's grants (they land in its ``DefaultPolicy``, or wherever that role puts them)."""
        self._grant_objects(role, ["s3:GetObject"], [props.input_prefix])
        self._grant_objects(role, ["s3:PutObject", "s3:AbortMultipartUpload"],
                            [props.output_prefix, props.failure_prefix], encrypt=True)
        for name, given in (("SuccessTopic", props.success_topic),
                            ("ErrorTopic", props.error_topic)):
            if given is not None:
                given.grant_publish(role)
                continue
            iam.Grant.add_to_principal(grantee=role, actions=["sns:Publish"],
                                       resource_arns=[self._topic_refs[name].token()])
            if props.kms_key is not None:
                props.kms_key.grant(role, "kms:Decrypt", "kms:GenerateDataKey")

    # --- handles (imported on first use, then cached) ---------------------------------------

    def _handle(self, name: str, make: Callable[[], H]) -> H:
        """``make()``, once: the handles cost jsii calls, most apps never use them."""
        if name not in self._handles:
            self._handles[name] = make()
        return cast(H, self._handles[name])

    def _bucket_token(self, attribute: str | None = None) -> str:
        ref = self._bucket_ref
        assert ref is not None
        return self._handle(f"bucket:{attribute}", lambda: ref.token(attribute))

    @property
    def output_bucket(self) -> s3.IBucket:
        """The bucket of requests, results and failures (the one passed in, or the library's,
        imported on first use)."""
        if self._bucket_ref is None:
            return cast("s3.IBucket", self.props.output_bucket)

        def make() -> s3.IBucket:
            from aws_cdk import aws_s3 as s3

            return s3.Bucket.from_bucket_attributes(
                self, "OutputBucketRef", bucket_name=self._bucket_token(),
                bucket_arn=self._bucket_token("Arn"), encryption_key=self.props.kms_key)
        return self._handle("output_bucket", make)

    def _topic(self, name: str, given: Any) -> sns.ITopic:
        if given is not None:
            return cast("sns.ITopic", given)
        ref = self._topic_refs[name]

        def make() -> sns.ITopic:
            from aws_cdk import aws_sns as sns

            return sns.Topic.from_topic_attributes(self, f"{name}Ref", topic_arn=ref.token(),
                                                   key_arn=self._key_arn)
        return self._handle(name, make)

    @property
    def success_topic(self) -> sns.ITopic:
        """Where SageMaker announces each result."""
        return self._topic("SuccessTopic", self.props.success_topic)

    @property
    def error_topic(self) -> sns.ITopic:
        """Where SageMaker announces each failure."""
        return self._topic("ErrorTopic", self.props.error_topic)

    def s3_uri(self, prefix: str) -> str:
        """``s3://bucket/prefix`` in the output bucket (without the trailing '/')."""
        name = (self.props.output_bucket.bucket_name if self._bucket_ref is None
                else self._bucket_token())
        return f"s3://{name}/{prefix.rstrip('/')}"

    def _object_arns(self, prefixes: list[str]) -> list[str]:
        """The object ARNs under ``prefixes`` as strings (tokens), for CDK grants."""
        if self._bucket_ref is None:
            return [self.props.output_bucket.arn_for_objects(f"{p}*") for p in prefixes]
        arn = self._bucket_token("Arn")
        return [f"{arn}/{p}*" for p in prefixes]

    def _grant_objects(self, grantee: iam.IGrantable, actions: list[str],
                       prefixes: list[str], *, encrypt: bool = False) -> iam.Grant:
        """Exactly ``actions`` on the objects under ``prefixes`` (and the KMS key when set)."""
        objects = self._object_arns(prefixes)
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=actions,
                                           resource_arns=objects)
        nag.acknowledge_grant(grantee, objects, nag.REASON_ASYNC_PREFIX)
        key = self.props.kms_key
        if key is not None:
            # Exact actions (CDK's grant_encrypt_decrypt adds GenerateDataKey* and ReEncrypt*):
            # S3 needs Decrypt to read, and to complete a multipart upload it encrypted.
            key.grant(grantee, *(KMS_WRITE if encrypt else KMS_READ))
        return grant

    def _autoscale(self, props: AsyncEndpointProps) -> None:
        emit = self._emit
        endpoint_name = self._endpoint_ref.att("EndpointName")
        dimensions = [{"Name": "EndpointName", "Value": endpoint_name}]
        target = emit.resource("ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget", {
            "MaxCapacity": props.max_instances,
            "MinCapacity": props.min_instances,
            "ResourceId": join("endpoint/", endpoint_name, f"/variant/{props.variant_name}"),
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "ServiceNamespace": "sagemaker",
        })
        self.scalable_target: cdk.CfnResource = target.cfn
        self.scaling_policy: cdk.CfnResource = emit.resource(
            "BacklogScaling", "AWS::ApplicationAutoScaling::ScalingPolicy", {
                "PolicyName": "backlog-per-instance",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": target.ref,
                "TargetTrackingScalingPolicyConfiguration": {
                    "CustomizedMetricSpecification": {
                        "Dimensions": dimensions,
                        "MetricName": "ApproximateBacklogSizePerInstance",
                        "Namespace": "AWS/SageMaker",
                        "Statistic": "Average",
                    },
                    "ScaleInCooldown": props.scale_in_cooldown_s,
                    "ScaleOutCooldown": props.scale_out_cooldown_s,
                    "TargetValue": props.target_backlog_per_instance,
                },
            }).cfn
        self.wake_up_policy: cdk.CfnResource | None = None
        self.wake_up_alarm: cdk.CfnResource | None = None
        if props.min_instances > 0:
            return
        # Target tracking divides the backlog by the instance count: at zero instances it never
        # fires, so requests would wait forever. This step policy adds the first instance.
        wake_up = emit.resource("WakeUpScaling", "AWS::ApplicationAutoScaling::ScalingPolicy", {
            "PolicyName": "wake-up-from-zero",
            "PolicyType": "StepScaling",
            "ScalingTargetId": target.ref,
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "Cooldown": WAKE_UP_COOLDOWN_S,
                "MetricAggregationType": "Average",
                "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            },
        })
        self.wake_up_policy = wake_up.cfn
        self.wake_up_alarm = emit.resource("HasBacklogWithoutCapacity", "AWS::CloudWatch::Alarm", {
            "AlarmActions": [wake_up.ref],
            "AlarmDescription": "Requests wait at zero instances: add one (scale from zero)",
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "DatapointsToAlarm": 2,
            "Dimensions": dimensions,
            "EvaluationPeriods": 2,
            "MetricName": "HasBacklogWithoutCapacity",
            "Namespace": "AWS/SageMaker",
            "Period": 60,
            "Statistic": "Average",
            "Threshold": 1,
            "TreatMissingData": "missing",
        }).cfn

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
