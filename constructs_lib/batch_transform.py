"""BatchTransform: a scheduled SageMaker transform job, run by Step Functions.

CloudFormation has no transform-job resource, so (as AWS's own guidance does) a Step Functions
state machine runs ``CreateTransformJob`` and waits for it, an EventBridge Scheduler schedule
starts the state machine, and an ``AWS::SageMaker::Model`` holds the model. The cost estimate
goes on the state machine.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

import aws_cdk as cdk
from constructs import Construct
from pydantic import AfterValidator, Field, model_validator

from . import limits
from ._private import nag
from ._private.base import PricedConstruct
from ._private.context import stack_env, stack_env_json
from ._private.emit import ACCOUNT, PARTITION, Ref, join, policy_document, statement
from ._private.models import (
    MAX_MONTHLY_USD,
    StrictModel,
    checked_init,
)
from ._private.roles import EmittedRole, emit_execution_role, emit_role, imported_role
from .async_endpoint import KMS_WRITE, ITopicLike
from .config import IKeyLike, InstanceType, ModelSpec, _s3_uri, parse_s3_uri
from .cost.advice import advise
from .cost.estimate import CostEstimate
from .cost.feasibility import Workload
from .cost.model import PricingContext
from .cost.offline import estimate_batch
from .defaults import emit_secure_topic
from .errors import FieldProblem, Problem
from .realtime import _container
from .traffic import TrafficHint

if TYPE_CHECKING:  # imported where used: the default path creates no L2 construct
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_scheduler as scheduler
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_stepfunctions as sfn

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

    Every resource is created as a CloudFormation resource (``cdk.CfnResource``); ``model``,
    ``state_machine_resource``, ``schedule_resource`` and ``log_group_resource`` are those
    escape hatches. ``role``, ``state_machine``, ``schedule``, ``error_topic``,
    ``state_machine_role``, ``schedule_role`` and ``log_group`` are typed handles (imported on
    first use) to wire other CDK constructs to; statements granted to one of the library's
    roles through its handle land in an ``AWS::IAM::Policy`` attached to it.
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
        self._handles: dict[str, Any] = {}
        emit = self._emit
        region, account = stack_env_json(self._stack)
        # A user's key: its ARN as a token (one call); it reaches the templates as CDK renders it.
        key_arn: str | None = None if props.kms_key is None else props.kms_key.key_arn

        # The model's execution role: the library's own (its managed policy holds the data
        # statements), or the one passed in (granted through CDK, as before).
        data, wildcards = _data_statements(props)
        self._execution: EmittedRole | None = None
        self._user_role: iam.IRole | None = props.model.execution_role
        if self._user_role is None:
            extra = list(data)
            if key_arn is not None:
                extra.append(statement(KMS_WRITE, [key_arn]))  # the job writes encrypted output
            self._execution = emit_execution_role(emit, "ExecutionRole", props.model,
                                                  region=region, account=account, extra=extra)
            role_arn: Any = self._execution.arn
            for resource in wildcards:
                emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{nag.flatten(resource)}]",
                                 nag.REASON_S3_PREFIX)
        else:
            role_arn = _grant_data_access(self._user_role, props)

        self._model = emit.resource("Model", "AWS::SageMaker::Model", {
            "ExecutionRoleArn": role_arn,
            "PrimaryContainer": _container(props.model),
        })

        self._topic: Ref | None = None
        if props.error_topic is None:
            self._topic = emit_secure_topic(emit, "ErrorTopic", region=region, account=account,
                                            encryption_key_arn=key_arn)
            topic_arn: Any = self._topic.ref
        else:
            topic_arn = props.error_topic.topic_arn

        # Retained three months; encrypted with ``kms_key`` (else CloudWatch Logs' own keys).
        log_props: dict[str, Any] = {"RetentionInDays": LOG_RETENTION_DAYS}
        if key_arn is not None:
            log_props["KmsKeyId"] = key_arn
        self._logs = emit.resource("Logs/Resource", "AWS::Logs::LogGroup", log_props)
        self._logs.cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        if props.kms_key is not None:
            _let_logs_use(props.kms_key, stack_env(self)[1])
        else:
            emit.acknowledge(nag.LOG_GROUP_KMS, nag.REASON_STATE_MACHINE_LOGS)

        transform_jobs = join("arn:", PARTITION, ":sagemaker:", region, ":", account,
                              ":transform-job/*")
        self._state_machine_role = emit_role(
            emit, "StateMachineRole",
            trust=_trust("states.amazonaws.com", {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": join("arn:", PARTITION, ":states:", region, ":",
                                                  account, ":stateMachine:*")}}),
            description=f"{STATE_MACHINE_ROLE} (created by constructs_lib)",
            policy_description=f"{STATE_MACHINE_ROLE} (least privilege, constructs_lib)",
            statements=_state_machine_statements(transform_jobs, role_arn, topic_arn,
                                                 region, account))
        self._state_machine = emit.resource(
            "StateMachine/Resource", "AWS::StepFunctions::StateMachine", {
                "DefinitionString": self._definition(props, self._model, topic_arn, key_arn),
                "LoggingConfiguration": {
                    "Destinations": [{"CloudWatchLogsLogGroup": {
                        "LogGroupArn": self._logs.att("Arn")}}],
                    "IncludeExecutionData": False,
                    "Level": "ALL",
                },
                "RoleArn": self._state_machine_role.arn,
                "StateMachineType": "STANDARD",
            })
        self._state_machine.cfn.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        # What the Step Functions integration needs beyond a nameable resource, and tracing.
        emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::{nag.flatten(transform_jobs)}]",
                         nag.REASON_TRANSFORM_JOBS)
        # The state machine role's '*' (log delivery); the execution role's '*' (ECR login,
        # metrics) shares the rule id: the emitter keeps both reasons in one entry.
        emit.acknowledge(f"{nag.IAM_WILDCARD}[Resource::*]", nag.REASON_LOG_DELIVERY)
        emit.acknowledge(nag.SFN_TRACING, nag.REASON_SFN_TRACING)

        self._schedule_role = emit_role(
            emit, "ScheduleRole",
            trust=_trust("scheduler.amazonaws.com", {"StringEquals": {
                "aws:SourceAccount": ACCOUNT,
                "aws:SourceArn": join("arn:", PARTITION, ":scheduler:", region, ":", account,
                                      ":schedule-group/default")}}),
            description=f"{SCHEDULE_ROLE} (created by constructs_lib)",
            policy_description=f"{SCHEDULE_ROLE} (least privilege, constructs_lib)",
            statements=[statement(["states:StartExecution"], [self._state_machine.ref])])
        self._schedule = emit.resource("Schedule/Resource", "AWS::Scheduler::Schedule", {
            "Description": f"Starts batch transform {self.job_name_prefix}",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ScheduleExpression": props.schedule,
            "ScheduleExpressionTimezone": props.schedule_time_zone,
            "State": "ENABLED",
            "Target": {
                "Arn": self._state_machine.ref,
                "RetryPolicy": {"MaximumEventAgeInSeconds": SCHEDULE_MAX_EVENT_AGE_S,
                                "MaximumRetryAttempts": SCHEDULE_RETRIES},
                "RoleArn": self._schedule_role.arn,
            },
        })
        # No DependsOn: the state machine reads its role's ARN (and the role its policy's), which
        # orders them; an explicit one only draws cfn-lint W3005.
        self._done(self._state_machine)

    # --- escape hatches (the CloudFormation resources) -------------------------------------

    @property
    def model(self) -> cdk.CfnResource:
        """The ``AWS::SageMaker::Model`` resource."""
        return self._model.cfn

    @property
    def state_machine_resource(self) -> cdk.CfnResource:
        """The ``AWS::StepFunctions::StateMachine`` resource (it carries the cost metadata)."""
        return self._state_machine.cfn

    @property
    def schedule_resource(self) -> cdk.CfnResource:
        """The ``AWS::Scheduler::Schedule`` resource."""
        return self._schedule.cfn

    @property
    def log_group_resource(self) -> cdk.CfnResource:
        """The state machine's ``AWS::Logs::LogGroup`` resource."""
        return self._logs.cfn

    # --- typed handles, imported on first use (each a few jsii calls, once) -----------------

    def _handle(self, name: str, make: Any) -> Any:
        handle = self._handles.get(name)
        if handle is None:
            handle = self._handles[name] = make()
        return handle

    @property
    def role(self) -> iam.IRole:
        """The model's execution role, passed to every job (the one given in ``model``, or the
        least-privilege role created here, imported for CDK APIs on first use)."""
        if self._user_role is not None:
            return self._user_role
        assert self._execution is not None
        return imported_role(self, self._execution)

    @property
    def state_machine_role(self) -> iam.IRole:
        return imported_role(self, self._state_machine_role)

    @property
    def schedule_role(self) -> iam.IRole:
        return imported_role(self, self._schedule_role)

    @property
    def state_machine(self) -> sfn.IStateMachine:
        def make() -> Any:
            from aws_cdk import aws_stepfunctions as sfn

            return sfn.StateMachine.from_state_machine_arn(
                self, "StateMachineRef", self._state_machine.token())

        return self._handle("StateMachine", make)  # type: ignore[no-any-return]

    @property
    def schedule(self) -> scheduler.ISchedule:
        def make() -> Any:
            from aws_cdk import aws_scheduler as scheduler

            # Its ARN as CDK formats one (from_schedule_arn reads the name out of it, which a
            # GetAtt token does not show): the same value as the schedule's Arn attribute.
            partition, region, account = stack_env(self)
            return scheduler.Schedule.from_schedule_arn(
                self, "ScheduleRef", f"arn:{partition}:scheduler:{region}:{account}:schedule/"
                                     f"default/{self._schedule.token()}")

        return self._handle("Schedule", make)  # type: ignore[no-any-return]

    @property
    def error_topic(self) -> sns.ITopic:
        """The topic failures are published to: the one given, else the library's."""
        if self.props.error_topic is not None:
            return self.props.error_topic  # type: ignore[no-any-return]
        topic = self._topic
        assert topic is not None

        def make() -> Any:
            from aws_cdk import aws_sns as sns

            return sns.Topic.from_topic_arn(self, "ErrorTopicRef", topic.token())

        return self._handle("ErrorTopic", make)  # type: ignore[no-any-return]

    @property
    def log_group(self) -> logs.ILogGroup:
        def make() -> Any:
            from aws_cdk import aws_logs as logs

            return logs.LogGroup.from_log_group_name(self, "LogsRef", self._logs.token())

        return self._handle("Logs", make)  # type: ignore[no-any-return]

    # --- the state machine's definition --------------------------------------------------

    def _definition(self, props: BatchTransformProps, model: Ref, topic_arn: Any,
                    key_arn: str | None) -> Any:
        """The Amazon States Language document CDK's ``SageMakerCreateTransformJob`` (.sync),
        ``SnsPublish``, ``Fail`` and ``Succeed`` states rendered (same keys, same order), as the
        ``Fn::Join`` CDK renders for it."""
        refs = _References()
        partition = refs.mark(PARTITION)
        instance = props.instance_type.removeprefix("ml.")
        params: dict[str, Any] = {"BatchStrategy": props.batch_strategy}
        if props.max_concurrent_transforms:
            params["MaxConcurrentTransforms"] = props.max_concurrent_transforms
        if props.max_payload_mb is not None:
            params["MaxPayloadInMB"] = props.max_payload_mb
        params["ModelName"] = refs.mark(model.att("ModelName"))
        params["TransformInput"] = {
            "ContentType": props.content_type,
            "DataSource": {"S3DataSource": {"S3Uri": props.input_s3_uri,
                                            "S3DataType": "S3Prefix"}},
            "SplitType": props.split_type,
        }
        params["TransformJobName.$"] = (
            f"States.Format('{self.job_name_prefix}-{{}}', $$.Execution.Name)")
        output: dict[str, Any] = {"S3OutputPath": props.output_s3_uri}
        if key_arn is not None:
            output["KmsKeyId"] = refs.mark(key_arn)
        if props.accept is not None:
            output["Accept"] = props.accept
        output["AssembleWith"] = "Line" if props.split_type == "Line" else "None"
        params["TransformOutput"] = output
        params["TransformResources"] = {"InstanceCount": props.instance_count,
                                        "InstanceType": f"ml.{instance}"}
        task_timeout = round(props.timeout_hours * 60) * 60
        asl = {
            "StartAt": "RunTransformJob",
            "States": {
                "RunTransformJob": {
                    "Next": "Done",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                               "Next": "NotifyFailure"}],
                    "Type": "Task",
                    "TimeoutSeconds": task_timeout,
                    "ResultPath": "$.transform",
                    "Resource": f"arn:{partition}:states:::sagemaker:createTransformJob.sync",
                    "Parameters": params,
                },
                "Done": {"Type": "Succeed"},
                "NotifyFailure": {
                    "Next": "TransformFailed",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None,
                               "Next": "TransformFailed"}],
                    "Type": "Task",
                    "ResultPath": None,
                    "Resource": f"arn:{partition}:states:::sns:publish",
                    "Parameters": {
                        "TopicArn": refs.mark(topic_arn),
                        "Message": {
                            "transform": self.job_name_prefix,
                            "execution.$": "$$.Execution.Id",
                            "error.$": "$.failure.Error",
                            "cause.$": "$.failure.Cause",
                        },
                        "Subject": "Batch transform failed",
                    },
                },
                "TransformFailed": {
                    "Type": "Fail",
                    "Error": "TransformJobFailed",
                    "Cause": "The transform job failed; details went to the error topic",
                },
            },
            # The task's own timeout fires first, so a stuck job is stopped and reported.
            "TimeoutSeconds": task_timeout + 15 * 60,
            "Comment": f"Batch transform {self.job_name_prefix} (constructs_lib)",
        }
        return refs.splice(json.dumps(asl, separators=(",", ":"), ensure_ascii=False))

    @staticmethod
    def _price(p: Any, pricing: PricingContext) -> CostEstimate:
        def own(traffic: TrafficHint) -> CostEstimate:
            return estimate_batch(
                instance_type=p.instance_type, traffic=traffic, ctx=pricing,
                instance_count=p.instance_count,
                max_concurrent_transforms=p.concurrency_for_cost,
            )

        return advise(own(p.traffic), own, Workload(p.traffic, p.instance_type), pricing)


LOG_RETENTION_DAYS = 90
SCHEDULE_RETRIES = 3
SCHEDULE_MAX_EVENT_AGE_S = 3600
STATE_MACHINE_ROLE = "Runs the batch transform's state machine"
SCHEDULE_ROLE = "Starts the batch transform's state machine on schedule"
TRANSFORM_JOB_ACTIONS = ["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
                         "sagemaker:StopTransformJob"]
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
]


def _trust(service: str, conditions: dict[str, Any]) -> dict[str, Any]:
    return policy_document([statement(["sts:AssumeRole"], [], conditions=conditions,
                                      principal={"Service": service})])


def _data_statements(props: BatchTransformProps
                     ) -> tuple[list[dict[str, Any]], list[Any]]:
    """Read the input prefix, write the output prefix: the job's data and nothing more.
    Returns the statements and their two wildcard resources (acknowledged for cdk-nag)."""
    in_bucket, in_key = parse_s3_uri(props.input_s3_uri)
    out_bucket, out_key = parse_s3_uri(props.output_s3_uri)
    read = join("arn:", PARTITION, f":s3:::{in_bucket}/{in_key}*")
    write = join("arn:", PARTITION, f":s3:::{out_bucket}/{out_key}*")
    return [
        statement(["s3:GetObject"], [read], sid="ReadTransformInput"),
        statement(["s3:ListBucket"], [join("arn:", PARTITION, f":s3:::{in_bucket}")],
                  sid="ListTransformInput",
                  conditions={"StringLike": {"s3:prefix": [f"{in_key}*"]}}),
        statement(["s3:PutObject", "s3:AbortMultipartUpload"], [write],
                  sid="WriteTransformOutput"),
    ], [read, write]


def _grant_data_access(role: iam.IRole, props: BatchTransformProps) -> str:
    """The data statements (and the output key's use) granted through CDK to a role passed in,
    their wildcards acknowledged on it. Returns the role's ARN."""
    from aws_cdk import aws_iam as iam

    data, wildcards = _data_statements(props)
    for one in data:
        role.add_to_principal_policy(iam.PolicyStatement.from_json(
            {**one, "Resource": _arn_text(one["Resource"])}))
    if props.kms_key is not None:
        props.kms_key.grant(role, *KMS_WRITE)  # the job writes encrypted output
    nag.acknowledge_grant(role, [_arn_text(w) for w in wildcards], nag.REASON_S3_PREFIX)
    return role.role_arn


def _arn_text(value: Any) -> str:
    """An ARN :func:`join` built with the partition, as a CDK string (partition token)."""
    if isinstance(value, str):
        return value
    partition = cdk.Aws.PARTITION
    return "".join(partition if part == PARTITION else part for part in value["Fn::Join"][1])


def _let_logs_use(key: Any, region: str) -> None:
    """CloudWatch Logs must be allowed to use the log group's key (a no-op for an imported
    key: its policy is the user's)."""
    from aws_cdk import aws_iam as iam

    key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{region}.amazonaws.com"))


def _state_machine_statements(transform_jobs: Any, role_arn: Any, topic_arn: Any,
                              region: Any, account: Any) -> list[dict[str, Any]]:
    """What CDK's ``SageMakerCreateTransformJob`` (.sync) and ``SnsPublish`` tasks and the
    state machine's logging grant, in their order; ``sagemaker:ListTags``, which the integration
    asks for on '*', is limited to this account's transform jobs."""
    return [
        statement(TRANSFORM_JOB_ACTIONS, [transform_jobs]),
        statement(["sagemaker:ListTags"], [transform_jobs]),
        # The state machine may pass only the model's execution role.
        statement(["iam:PassRole"], [role_arn], conditions={
            "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}),
        statement(["events:PutTargets", "events:PutRule", "events:DescribeRule"], [join(
            "arn:", PARTITION, ":events:", region, ":", account,
            ":rule/StepFunctionsGetEventsForSageMakerTransformJobsRule")]),
        statement(["sagemaker:AddTags"], [transform_jobs]),
        statement(["sns:Publish"], [topic_arn]),
        statement(LOG_DELIVERY_ACTIONS, ["*"]),
    ]


class _References:
    """References inside a JSON document: ``mark`` puts a unique placeholder where a value
    goes, ``splice`` cuts the serialised document there into ``Fn::Join`` parts, as CDK's
    ``toJsonString`` renders tokens inside JSON strings."""

    def __init__(self) -> None:
        self._nonce = uuid.uuid4().hex
        self._values: list[Any] = []
        self._pattern = re.compile(f"@{self._nonce}:([0-9]+)@")

    def mark(self, value: Any) -> str:
        self._values.append(value)
        return f"@{self._nonce}:{len(self._values) - 1}@"

    def splice(self, text: str) -> Any:
        pieces = self._pattern.split(text)  # text, index, text, index, ..., text
        parts: list[Any] = []
        tokens = False
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                parts.append(piece)
                continue
            value = self._values[int(piece)]
            if isinstance(value, str) and cdk.Token.is_unresolved(value):
                tokens = True  # a user's CDK object: CDK resolves it (maybe across stacks)
                parts.append(value)
            elif isinstance(value, str):
                parts.append(json.dumps(value, ensure_ascii=False)[1:-1])
            else:
                parts.append(value)
        if not tokens:
            return join(*parts)
        # Tokens CDK must resolve: one string it renders as the same Fn::Join.
        return "".join(p if isinstance(p, str) else cdk.Token.as_string(p) for p in parts)
