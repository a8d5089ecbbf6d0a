"""BatchTransform: a scheduled SageMaker transform job, run by Step Functions.

CloudFormation has no transform-job resource, so (as AWS's own guidance does) a Step Functions
state machine runs ``CreateTransformJob`` and waits for it, an EventBridge Scheduler schedule
starts the state machine, and a ``CfnModel`` holds the model. The cost estimate goes on the
state machine.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct
from pydantic import AfterValidator, Field, model_validator

from . import limits
from ._private import nag, surface
from ._private.base import PricedConstruct
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import ExecutionRole, execution_role, service_role
from .async_endpoint import KMS_WRITE, ITopicLike
from .config import IKeyLike, InstanceType, ModelSpec, _s3_uri, parse_s3_uri
from .cost.advice import advise
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.model import PricingContext
from .cost.offline import estimate_batch
from .defaults import secure_topic
from .errors import FieldProblem, Problem
from .realtime import _container
from .traffic import TrafficHint

__all__ = ["BatchTransform", "BatchTransformProps"]

KIND = "BatchTransform"
S3Uri = Annotated[str, AfterValidator(_s3_uri)]
SCHEDULE = r"^(cron\(\S+( \S+){5}\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$"
UUID_LENGTH = 36
"""Step Functions names an execution started without a name (as the schedule does) by a UUID."""
JOB_PREFIX_MAX = limits.TRANSFORM_JOB_NAME_MAX - UUID_LENGTH - 1


class BatchTransformProps(StrictModel):
    """Props of :class:`BatchTransform` (see its docstring for defaults)."""

    max_monthly_usd: float | None = MAX_MONTHLY_USD
    model: ModelSpec
    instance_type: InstanceType
    traffic: TrafficHint
    input_s3_uri: S3Uri
    output_s3_uri: S3Uri
    schedule: str = Field(pattern=SCHEDULE)
    schedule_time_zone: str = Field("UTC", pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    instance_count: int = Field(1, ge=1, le=limits.BATCH_MAX_INSTANCE_COUNT)
    max_concurrent_transforms: int | None = Field(None, ge=1, le=100)
    max_payload_mb: int | None = Field(None, ge=0, le=limits.BATCH_MAX_PAYLOAD_MB)
    batch_strategy: Literal["MultiRecord", "SingleRecord"] = "MultiRecord"
    split_type: Literal["Line", "RecordIO", "TFRecord", "None"] = "Line"
    content_type: str = Field("text/csv", min_length=1, max_length=256)
    accept: str | None = Field(None, min_length=1, max_length=256)
    error_topic: ITopicLike = None
    job_name_prefix: str | None = Field(
        None, pattern=rf"^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,{JOB_PREFIX_MAX - 1}}}$")
    timeout_hours: float = Field(23.0, gt=0, le=24 * 365)
    kms_key: IKeyLike = None

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> BatchTransformProps:
        problems: list[Problem] = []
        payload = self.max_payload_mb if self.max_payload_mb is not None else (
            limits.BATCH_DEFAULT_MAX_PAYLOAD_MB)
        concurrent = self.max_concurrent_transforms or 1
        if concurrent * payload > limits.BATCH_MAX_CONCURRENT_PAYLOAD_MB:
            problems.append(Problem(
                "max_concurrent_transforms", self.max_concurrent_transforms,
                f"max_concurrent_transforms × max_payload_mb ({concurrent} × {payload}) must "
                "be <= 100 (SageMaker's limit)"))
        for name in ("records_per_run", "runs_per_month"):
            if getattr(self.traffic, name) is None:
                problems.append(Problem(f"traffic.{name}", None,
                                        "required for a batch transform (its cost depends on it)"))
        if self.input_s3_uri.rstrip("/") == self.output_s3_uri.rstrip("/"):
            problems.append(Problem("output_s3_uri", self.output_s3_uri,
                                    "must differ from input_s3_uri"))
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def concurrency_for_cost(self) -> int:
        return self.max_concurrent_transforms or 1


def _default_prefix(construct_id: str) -> str:
    cleaned = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", construct_id)).strip("-")
    return (cleaned or "transform")[:JOB_PREFIX_MAX].rstrip("-")


class BatchTransform(PricedConstruct):
    """A transform job over ``input_s3_uri`` written to ``output_s3_uri``, run on ``schedule``.

    A Step Functions state machine (logged to a retained log group: every state, no execution
    data) calls ``CreateTransformJob`` and waits for it. The job is named
    ``<job_name_prefix>-<execution name>`` (prefix: the construct id; scheduled executions are
    named by a UUID, so every run has its own job), so a run never collides with the previous
    one. Start one by hand without a name, or with a name of letters, digits and '-' that fits
    (63 characters in all); SageMaker refuses other names, which is reported like a failure.
    A failed job is published to ``error_topic`` (a new encrypted, TLS-only topic unless
    given) and the execution fails, visibly. The model's execution role, passed to the job (never
    SageMaker's full-access default), reads only the model, the input prefix and writes only the
    output prefix. ``schedule`` is an EventBridge Scheduler ``cron(...)`` or ``rate(...)``
    expression in ``schedule_time_zone`` [UTC]. Defaults: 1 instance, SageMaker's concurrency
    (1) and payload (6 MB), ``MultiRecord`` batches split by ``Line``, ``text/csv``, the state
    job is stopped and reported after ``timeout_hours`` [23] (before the next nightly run).
    ``kms_key`` [none: service-managed keys] encrypts the job's output, the error topic and the
    log group (the key's policy must let CloudWatch Logs use it: done for a key of this app).
    The state machine and the schedule run as roles of their own whose permissions sit in one
    customer-managed policy each.
    """

    _surface_on_main_resource = True

    @checked_init(KIND)
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: ModelSpec | dict[str, Any],
        instance_type: str,
        traffic: TrafficHint | dict[str, Any],
        input_s3_uri: str,
        output_s3_uri: str,
        schedule: str,
        schedule_time_zone: str = "UTC",
        instance_count: int = 1,
        max_concurrent_transforms: int | None = None,
        max_payload_mb: int | None = None,
        batch_strategy: str = "MultiRecord",
        split_type: str = "Line",
        content_type: str = "text/csv",
        accept: str | None = None,
        error_topic: sns.ITopic | None = None,
        job_name_prefix: str | None = None,
        timeout_hours: float = 23.0,
        kms_key: Any = None,
        max_monthly_usd: float | None = None,
    ) -> None:
        _, props, pricing = type(self)._validated(
            scope, construct_id, KIND, BatchTransformProps, dict(
                model=model, instance_type=instance_type, traffic=traffic,
                input_s3_uri=input_s3_uri, output_s3_uri=output_s3_uri, schedule=schedule,
                schedule_time_zone=schedule_time_zone, instance_count=instance_count,
                max_concurrent_transforms=max_concurrent_transforms, max_payload_mb=max_payload_mb,
                batch_strategy=batch_strategy, split_type=split_type, content_type=content_type,
                accept=accept, error_topic=error_topic, job_name_prefix=job_name_prefix,
                timeout_hours=timeout_hours, kms_key=kms_key, max_monthly_usd=max_monthly_usd,
        ))
        super().__init__(scope, construct_id, pricing, max_monthly_usd=props.max_monthly_usd)
        self.props = props
        self.job_name_prefix = props.job_name_prefix or _default_prefix(construct_id)

        self.role: iam.IRole = props.model.execution_role or execution_role(
            self, "ExecutionRole", props.model)
        self._grant_data_access(props)
        self.model = sagemaker.CfnModel(
            self, "Model", execution_role_arn=self.role.role_arn,
            primary_container=_container(props.model))
        self.error_topic: sns.ITopic = props.error_topic or secure_topic(
            self, "ErrorTopic", encryption_key=props.kms_key)
        self.log_group = self._log_group(props)
        stack = cdk.Stack.of(self)
        self.state_machine_role = service_role(
            self, "StateMachineRole", role_class=_StateMachineRole,
            assumed_by=iam.ServicePrincipal("states.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": stack.format_arn(
                    service="states", resource="stateMachine", resource_name="*",
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)}}),
            description="Runs the batch transform's state machine")
        self.state_machine = sfn.StateMachine(
            self, "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(self._definition(props)),
            state_machine_type=sfn.StateMachineType.STANDARD,
            # The task's own timeout fires first, so a stuck job is stopped and reported.
            timeout=cdk.Duration.minutes(round(props.timeout_hours * 60) + 15),
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL,
                                include_execution_data=False),
            comment=f"Batch transform {self.job_name_prefix} (constructs_lib)",
            role=self.state_machine_role,
        )
        cfn = self.state_machine.node.default_child
        assert isinstance(cfn, cdk.CfnResource)
        self._state_machine_resource = cfn
        surface.register(self, cfn)  # see PricedConstruct._surface_on_main_resource
        # CDK makes the state machine depend on its role; the role ARN it reads already orders
        # them (and the role on its policy), so the explicit DependsOn only draws cfn-lint W3005.
        self._main_resource.add_deletion_override("DependsOn")
        self._acknowledge_state_machine()
        self.schedule_role = service_role(
            self, "ScheduleRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID,
                                 "aws:SourceArn": stack.format_arn(
                                     service="scheduler", resource="schedule-group",
                                     resource_name="default")}}),
            description="Starts the batch transform's state machine on schedule")
        self.schedule = scheduler.Schedule(
            self, "Schedule",
            schedule=scheduler.ScheduleExpression.expression(
                props.schedule, cdk.TimeZone.of(props.schedule_time_zone)),
            target=scheduler_targets.StepFunctionsStartExecution(
                self.state_machine, retry_attempts=3, max_event_age=cdk.Duration.hours(1),
                role=self.schedule_role),
            description=f"Starts batch transform {self.job_name_prefix}",
        )

    def _grant_data_access(self, props: BatchTransformProps) -> None:
        """Read the input prefix, write the output prefix: the job's data and nothing more."""
        partition = cdk.Aws.PARTITION
        in_bucket, in_key = parse_s3_uri(props.input_s3_uri)
        out_bucket, out_key = parse_s3_uri(props.output_s3_uri)
        statements = [
            iam.PolicyStatement(sid="ReadTransformInput", actions=["s3:GetObject"],
                                resources=[f"arn:{partition}:s3:::{in_bucket}/{in_key}*"]),
            iam.PolicyStatement(sid="ListTransformInput", actions=["s3:ListBucket"],
                                resources=[f"arn:{partition}:s3:::{in_bucket}"],
                                conditions={"StringLike": {"s3:prefix": [f"{in_key}*"]}}),
            iam.PolicyStatement(sid="WriteTransformOutput",
                                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                                resources=[f"arn:{partition}:s3:::{out_bucket}/{out_key}*"]),
        ]
        for statement in statements:
            self.role.add_to_principal_policy(statement)
        if props.kms_key is not None:
            props.kms_key.grant(self.role, *KMS_WRITE)  # the job writes encrypted output
        # On the library's role or on one passed in: these two wildcards are this grant's.
        nag.acknowledge_grant(self.role, [statements[0].resources[0],
                                          statements[2].resources[0]], nag.REASON_S3_PREFIX)

    def _log_group(self, props: BatchTransformProps) -> logs.LogGroup:
        """Retained three months; encrypted with ``kms_key`` (else CloudWatch Logs' own keys)."""
        group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=cdk.RemovalPolicy.RETAIN, encryption_key=props.kms_key)
        if props.kms_key is not None:
            # CloudWatch Logs must be allowed to use the key (a no-op for an imported key).
            props.kms_key.grant_encrypt_decrypt(iam.ServicePrincipal(
                f"logs.{cdk.Stack.of(self).region}.amazonaws.com"))
        else:
            nag.acknowledge(group, nag.LOG_GROUP_KMS, nag.REASON_STATE_MACHINE_LOGS)
        return group

    def _acknowledge_state_machine(self) -> None:
        """What the Step Functions integration needs beyond a nameable resource, and tracing."""
        stack = cdk.Stack.of(self)
        policy = self.state_machine_role.policy
        nag.acknowledge_wildcard(policy, stack.format_arn(
            service="sagemaker", resource="transform-job", resource_name="*"),
            nag.REASON_TRANSFORM_JOBS)
        nag.acknowledge(policy, f"{nag.IAM_WILDCARD}[Resource::*]", nag.REASON_LOG_DELIVERY)
        nag.acknowledge(self.state_machine, nag.SFN_TRACING, nag.REASON_SFN_TRACING)

    def _definition(self, props: BatchTransformProps) -> sfn.IChainable:
        instance = props.instance_type.removeprefix("ml.")
        transform = tasks.SageMakerCreateTransformJob(
            self, "RunTransformJob",
            transform_job_name=sfn.JsonPath.format(
                f"{self.job_name_prefix}-{{}}", sfn.JsonPath.execution_name),
            model_name=self.model.attr_model_name,
            role=self.role,  # passed, so the task never creates its full-access default
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            batch_strategy=(tasks.BatchStrategy.MULTI_RECORD
                            if props.batch_strategy == "MultiRecord"
                            else tasks.BatchStrategy.SINGLE_RECORD),
            max_concurrent_transforms=props.max_concurrent_transforms,
            max_payload=(cdk.Size.mebibytes(props.max_payload_mb)
                         if props.max_payload_mb is not None else None),
            transform_input=tasks.TransformInput(
                transform_data_source=tasks.TransformDataSource(
                    s3_data_source=tasks.TransformS3DataSource(
                        s3_uri=props.input_s3_uri, s3_data_type=tasks.S3DataType.S3_PREFIX)),
                content_type=props.content_type,
                split_type=getattr(tasks.SplitType, _SPLIT[props.split_type]),
            ),
            transform_output=tasks.TransformOutput(
                s3_output_path=props.output_s3_uri, accept=props.accept,
                encryption_key=props.kms_key,
                assemble_with=(tasks.AssembleWith.LINE if props.split_type == "Line"
                               else tasks.AssembleWith.NONE)),
            transform_resources=tasks.TransformResources(
                instance_count=props.instance_count, instance_type=ec2.InstanceType(instance)),
            result_path="$.transform",
            task_timeout=sfn.Timeout.duration(
                cdk.Duration.minutes(round(props.timeout_hours * 60))),
        )
        self.transform_task = transform
        notify = tasks.SnsPublish(
            self, "NotifyFailure", topic=self.error_topic,
            subject="Batch transform failed",
            message=sfn.TaskInput.from_object({
                "transform": self.job_name_prefix,
                "execution": sfn.JsonPath.execution_id,
                "error": sfn.JsonPath.string_at("$.failure.Error"),
                "cause": sfn.JsonPath.string_at("$.failure.Cause"),
            }),
            result_path=sfn.JsonPath.DISCARD,
        )
        failed = sfn.Fail(self, "TransformFailed", error="TransformJobFailed",
                          cause="The transform job failed; details went to the error topic")
        notify.add_catch(failed, result_path=sfn.JsonPath.DISCARD)
        transform.add_catch(notify.next(failed), result_path="$.failure")
        return transform.next(sfn.Succeed(self, "Done"))

    @property
    def _main_resource(self) -> cdk.CfnResource:
        return self._state_machine_resource

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        def own(traffic: TrafficHint) -> CostEstimate:
            return estimate_batch(
                instance_type=p.instance_type, traffic=traffic, ctx=pricing,
                instance_count=p.instance_count,
                max_concurrent_transforms=p.concurrency_for_cost,
            )

        return advise(own(p.traffic), own, Workload(p.traffic, p.instance_type), pricing)


class _StateMachineRole(ExecutionRole):
    """Narrows the one statement of the Step Functions SageMaker integration that names no
    resource: ``sagemaker:ListTags`` (read on the job it started, to return the job's tags) on
    '*' becomes ListTags on this account's transform jobs."""

    def add_to_principal_policy(self, statement: iam.PolicyStatement
                                ) -> iam.AddToPrincipalPolicyResult:
        if statement.actions == ["sagemaker:ListTags"] and statement.resources == ["*"]:
            statement = iam.PolicyStatement(
                actions=["sagemaker:ListTags"],
                resources=[cdk.Stack.of(self).format_arn(
                    service="sagemaker", resource="transform-job", resource_name="*")])
        return super().add_to_principal_policy(statement)


_SPLIT = {"Line": "LINE", "RecordIO": "RECORD_IO", "TFRecord": "TF_RECORD", "None": "NONE"}
