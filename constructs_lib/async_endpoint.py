"""AsyncEndpoint: requests queue in S3, results land in S3 and on SNS, instances scale to zero."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .core.priced import PricedConstruct
from .cost.advice import advise
from .cost.async_endpoint import AsyncCost
from .cost.base import PricingContext
from .cost.estimate import CostEstimate
from .cost.workload import Workload
from .parts import compliance as nag
from .parts.alarms import operational_alarms
from .parts.compliance import Compliance
from .parts.endpoint import EndpointResources, instance_variant
from .parts.handles import AsyncMetrics, EndpointHandles
from .parts.iam import grant, statement
from .parts.imported import Importable
from .parts.model import build_model
from .parts.scaling import BacklogScaling
from .parts.storage import SecureBucket, SecureTopic
from .spec.async_endpoint import AsyncEndpointProps
from .spec.instances import local_nvme

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns

__all__ = ["AsyncEndpoint"]

KMS_READ = ("kms:Decrypt",)
KMS_WRITE = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
"""What reading or writing SSE-KMS objects needs of the key."""
KMS_PUBLISH = ("kms:Decrypt", "kms:GenerateDataKey")
"""What publishing to a KMS-encrypted topic needs of its key."""
Async = sagemaker.CfnEndpointConfig


class AsyncEndpoint(EndpointHandles, AsyncMetrics, Importable,
                    PricedConstruct[AsyncEndpointProps]):
    """An asynchronous SageMaker endpoint: payloads up to 1 GB and requests up to an hour,
    queued, answered in S3 and announced on SNS; at ``min_instances`` 0 it costs nothing idle.

    Props: :class:`~constructs_lib.AsyncEndpointProps`. Defaults: ``min_instances`` 0,
    ``max_instances`` 1; a new private, versioned, SSL-only, retained output bucket (S3-managed
    keys, or ``kms_key``) with ``input/``, ``output/`` and ``failure/`` prefixes; new success and
    error topics (``alias/aws/sns``, or ``kms_key``) that refuse publishing without TLS.
    Scaling: target tracking on ``ApproximateBacklogSizePerInstance`` and, at min 0, a step
    policy (+1 instance) fired by an alarm on ``HasBacklogWithoutCapacity`` so that requests
    waiting at zero capacity wake the endpoint up. With ``kms_key`` the key also encrypts the
    instances' ML storage volume, except on instance types with local NVMe storage
    (hardware-encrypted; SageMaker refuses a key for them).
    """

    props_model = AsyncEndpointProps

    @classmethod
    def _price(cls, props: AsyncEndpointProps, pricing: PricingContext) -> CostEstimate:
        assert props.instance_type is not None  # required by the props' rules
        estimate = advise(AsyncCost(
            props.traffic, pricing, instance_type=props.instance_type,
            min_instances=props.min_instances, max_instances=props.max_instances,
            concurrency_per_instance=props.concurrency_for_cost,
            scale_in_cooldown_s=props.scale_in_cooldown_s, volume_size_gb=props.volume_size_gb),
            Workload(props.traffic, props.instance_type))
        if props.max_concurrent_invocations_per_instance is None:
            estimate = replace(estimate, assumptions=(
                *estimate.assumptions,
                "max_concurrent_invocations_per_instance not set: SageMaker chooses; "
                "priced at 1 (set it to price concurrency)"))
        return estimate

    def _build(self, preflight: None) -> sagemaker.CfnEndpoint:
        p, where = self.props, self.cost_context
        assert p.instance_type is not None
        self._compliance = compliance = Compliance(self, where.stack)
        self.at_synth(compliance.record)
        self.invocation_timeout_s = p.invocation_timeout_s
        self._bucket = None if p.output_bucket is not None else SecureBucket(
            self, "OutputBucket", compliance=compliance, key=p.kms_key)
        self._topics: dict[str, SecureTopic] = {
            name: SecureTopic(self, name, region=where.region, account=where.account,
                              key=p.kms_key)
            for name, given in (("SuccessTopic", p.success_topic), ("ErrorTopic", p.error_topic))
            if given is None}
        given = p.model.execution_role
        built = build_model(
            self, p.model, partition=where.partition, region=where.region,
            account=where.account, compliance=compliance,
            extra=() if given is not None else self._statements(compliance),
            isolation_reason=nag.isolation_reason("AsyncEndpoint", configurable=False))
        self._given_role, self._execution_role = built.given_role, built.role
        if self._given_role is not None:
            self._grant_given_role(self._given_role)
        self._model_resource = built.model
        key_arn = None if p.kms_key is None or local_nvme(p.instance_type) else p.kms_key.key_arn
        if key_arn is None:
            compliance.acknowledge(nag.ENDPOINT_CONFIG_KMS, nag.no_kms_reason(
                p.instance_type, local_nvme(p.instance_type)))
        self._variant_names = [p.variant_name]
        self._resources = EndpointResources(
            self, instance_variant(
                name=p.variant_name, model_name=self._model_resource.attr_model_name,
                instance_type=p.instance_type,
                # CreateEndpoint needs at least one instance; scaling takes it to zero after.
                instance_count=max(p.min_instances, 1), weight=1.0, options=p,
                volume_size_gb=p.volume_size_gb),
            endpoint_name=p.endpoint_name, kms_key_id=key_arn,
            async_config=Async.AsyncInferenceConfigProperty(
                client_config=None if p.max_concurrent_invocations_per_instance is None else
                Async.AsyncInferenceClientConfigProperty(
                    max_concurrent_invocations_per_instance=(
                        p.max_concurrent_invocations_per_instance)),
                output_config=Async.AsyncInferenceOutputConfigProperty(
                    kms_key_id=None if p.kms_key is None else p.kms_key.key_arn,
                    notification_config=Async.AsyncInferenceNotificationConfigProperty(
                        error_topic=self._topic_arn("ErrorTopic"),
                        success_topic=self._topic_arn("SuccessTopic")),
                    s3_failure_path=self.s3_uri(p.failure_prefix),
                    s3_output_path=self.s3_uri(p.output_prefix))))
        if self._given_role is not None:
            # Results and notifications need the role's grants as soon as the endpoint serves.
            grants = self._given_role.node.try_find_child("DefaultPolicy")
            if grants is not None:
                self._resources.endpoint.node.add_dependency(grants)
        self._scaling = BacklogScaling(
            self, endpoint_name=self._resources.name, variant=p.variant_name,
            min_instances=p.min_instances, max_instances=p.max_instances,
            target_backlog_per_instance=p.target_backlog_per_instance,
            scale_in_cooldown_s=p.scale_in_cooldown_s, scale_out_cooldown_s=p.scale_out_cooldown_s)
        self.scalable_target = self._scaling.target
        self.scaling_policy = self._scaling.policy
        self.wake_up_policy = self._scaling.wake_up_policy
        self.wake_up_alarm = self._scaling.wake_up_alarm
        self.alarm_set = operational_alarms(self, p, endpoint_name=self._resources.name,
                                            region=where.region, account=where.account)
        return self._resources.endpoint

    # --- the execution role's grants ---------------------------------------------------------

    def _topic_arn(self, name: str) -> str:
        given = self.props.success_topic if name == "SuccessTopic" else self.props.error_topic
        return str(given.topic_arn) if given is not None else self._topics[name].arn

    def _object_arns(self, prefixes: list[str]) -> list[str]:
        """The object ARNs under ``prefixes`` of the output bucket."""
        if self._bucket is None:
            return [self.props.output_bucket.arn_for_objects(f"{p}*") for p in prefixes]
        return [f"{self._bucket.arn}/{p}*" for p in prefixes]

    def _statements(self, compliance: Compliance) -> list[dict[str, Any]]:
        """What SageMaker does with the library's execution role beyond running the model: read
        each request's input, write its result or failure, publish to the topics (and use
        ``kms_key`` for all three), as managed-policy statements with exact actions."""
        p = self.props
        key = None if p.kms_key is None else p.kms_key.key_arn
        out: list[dict[str, Any]] = []

        def objects(actions: list[str], prefixes: list[str], kms: tuple[str, ...]) -> None:
            out.append(compliance.explain(statement(actions, self._object_arns(prefixes)),
                                          nag.REASON_ASYNC_PREFIX))
            if key is not None:
                out.append(statement(kms, [key]))

        objects(["s3:GetObject"], [p.input_prefix], KMS_READ)
        objects(["s3:PutObject", "s3:AbortMultipartUpload"], [p.output_prefix, p.failure_prefix],
                KMS_WRITE)
        for name, given in (("SuccessTopic", p.success_topic), ("ErrorTopic", p.error_topic)):
            out.append(statement(["sns:Publish"], [self._topic_arn(name)]))
            topic_key = key if given is None else (
                None if given.master_key is None else given.master_key.key_arn)
            if topic_key is not None:
                out.append(statement(KMS_PUBLISH, [topic_key]))
        unique: list[dict[str, Any]] = []  # both topics' key statement, say, once
        for one in out:
            if one not in unique:
                unique.append(one)
        return unique

    def _grant_given_role(self, role: iam.IRole) -> None:
        """The same permissions for a role passed in, through CDK's grants (they land in its
        ``DefaultPolicy``, or wherever that role puts them)."""
        p = self.props
        self._grant_objects(role, ["s3:GetObject"], [p.input_prefix])
        self._grant_objects(role, ["s3:PutObject", "s3:AbortMultipartUpload"],
                            [p.output_prefix, p.failure_prefix], encrypt=True)
        for name, given in (("SuccessTopic", p.success_topic), ("ErrorTopic", p.error_topic)):
            if given is not None:
                given.grant_publish(role)
                continue
            grant(role, ["sns:Publish"], [self._topics[name].arn])
            if p.kms_key is not None:
                p.kms_key.grant(role, *KMS_PUBLISH)

    def _grant_objects(self, grantee: iam.IGrantable, actions: list[str], prefixes: list[str],
                       *, encrypt: bool = False) -> iam.Grant:
        """Exactly ``actions`` on the objects under ``prefixes`` (and the KMS key when set)."""
        objects = self._object_arns(prefixes)
        result = grant(grantee, actions, objects)
        # The construct the statements land in: the grantee (a role, a managed policy), or the
        # role behind it (a function's, say); an account principal holds no policy to check.
        target = grantee if isinstance(grantee, Construct) else grantee.grant_principal
        if isinstance(target, Construct):
            self._compliance.acknowledge_resources(target, objects, nag.REASON_ASYNC_PREFIX)
        if self.props.kms_key is not None:
            # Exact actions (CDK's grant_encrypt_decrypt adds GenerateDataKey* and ReEncrypt*):
            # S3 needs Decrypt to read, and to complete a multipart upload it encrypted.
            self.props.kms_key.grant(grantee, *(KMS_WRITE if encrypt else KMS_READ))
        return result

    # --- handles -------------------------------------------------------------------------------

    @property
    def output_bucket(self) -> s3.IBucket:
        """The bucket of requests, results and failures (the one passed in, or the library's)."""
        if self._bucket is None:
            return self.props.output_bucket  # type: ignore[no-any-return]
        return self._bucket.imported

    @property
    def success_topic(self) -> sns.ITopic:
        """Where SageMaker announces each result."""
        given = self.props.success_topic
        return given if given is not None else self._topics["SuccessTopic"].imported

    @property
    def error_topic(self) -> sns.ITopic:
        """Where SageMaker announces each failure."""
        given = self.props.error_topic
        return given if given is not None else self._topics["ErrorTopic"].imported

    def s3_uri(self, prefix: str) -> str:
        """``s3://bucket/prefix`` in the output bucket (without the trailing '/')."""
        name = (self.props.output_bucket.bucket_name if self._bucket is None
                else self._bucket.name)
        return f"s3://{name}/{prefix.rstrip('/')}"

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to call InvokeEndpointAsync on this endpoint and to put and read its
        request payloads under the input prefix (and nothing else; with ``kms_key``, use it).
        An existing bucket encrypted with its own KMS key needs that key granted separately."""
        result = grant(grantee, ["sagemaker:InvokeEndpointAsync"], [self.endpoint_arn])
        self._grant_objects(grantee, ["s3:PutObject", "s3:GetObject"], [self.props.input_prefix],
                            encrypt=True)
        return result

    def grant_invoke_async(self, grantee: iam.IGrantable) -> iam.Grant:
        """The same as :meth:`grant_invoke` (an asynchronous endpoint is invoked only that way)."""
        return self.grant_invoke(grantee)

    def grant_read_results(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to read results (output prefix) and failures (failure prefix)."""
        return self._grant_objects(grantee, ["s3:GetObject"],
                                   [self.props.output_prefix, self.props.failure_prefix])
