"""BatchTransform: a scheduled SageMaker transform job, run by Step Functions.

CloudFormation has no transform-job resource, so (as AWS's own guidance does) a Step Functions
state machine runs ``CreateTransformJob`` and waits for it, an EventBridge Scheduler schedule
starts the state machine, and an ``AWS::SageMaker::Model`` holds the model. The cost estimate
goes on the state machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_stepfunctions as sfn

from .core.priced import PricedConstruct
from .core.pseudo import account_id, json_null
from .cost.advice import advise
from .cost.base import PricingContext
from .cost.batch_transform import BatchCost
from .cost.estimate import CostEstimate
from .cost.workload import Workload
from .parts import compliance as nag
from .parts.arns import s3_bucket_arn, s3_key, s3_object_arn
from .parts.compliance import Compliance
from .parts.iam import ManagedRole, service_trust, statement
from .parts.model import build_model
from .parts.storage import SecureTopic
from .spec.batch_transform import JOB_PREFIX_MAX, BatchTransformProps

if TYPE_CHECKING:
    from aws_cdk import aws_sagemaker as sagemaker
    from aws_cdk import aws_sns as sns

__all__ = ["BatchTransform"]

H = TypeVar("H")
LOG_RETENTION_DAYS = 90
SCHEDULE_RETRIES = 3
SCHEDULE_MAX_EVENT_AGE_S = 3600
STATE_MACHINE_ROLE = "Runs the batch transform's state machine"
SCHEDULE_ROLE = "Starts the batch transform's state machine on schedule"
KMS_WRITE = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
TRANSFORM_JOB_ACTIONS = ["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
                         "sagemaker:StopTransformJob"]
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
]


class BatchTransform(PricedConstruct[BatchTransformProps]):
    """A transform job over ``input_s3_uri`` written to ``output_s3_uri``, run on ``schedule``.

    A Step Functions state machine (logged to a retained log group: every state, no execution
    data) calls ``CreateTransformJob`` and waits for it. The job is named
    ``<job_name_prefix>-<execution name>`` (prefix: the construct id; scheduled executions are
    named by a UUID), so a run never collides with the previous one. A failed job is published
    to ``error_topic`` (a new encrypted, TLS-only topic unless given) and the execution fails,
    visibly. The model's execution role, passed to the job (never SageMaker's full-access
    default), reads only the model and the input prefix and writes only the output prefix.
    ``kms_key`` [none] encrypts the job's output, the error topic and the log group (the key's
    policy must let CloudWatch Logs use it: done for a key of this app). The state machine and
    the schedule run as roles of their own, each with one customer-managed policy.
    Props: :class:`~constructs_lib.BatchTransformProps`.

    Escape hatches: ``model``, ``state_machine_resource``, ``schedule_resource`` and
    ``log_group_resource`` (typed L1). Handles (imported on first use): ``role``,
    ``state_machine``, ``schedule``, ``error_topic``, ``state_machine_role``, ``schedule_role``,
    ``log_group``.
    """

    props_model = BatchTransformProps

    @classmethod
    def _price(cls, props: BatchTransformProps, pricing: PricingContext) -> CostEstimate:
        return advise(BatchCost(props.traffic, pricing, instance_type=props.instance_type,
                                instance_count=props.instance_count,
                                max_concurrent_transforms=props.concurrency_for_cost,
                                timeout_hours=props.timeout_hours),
                      Workload(props.traffic, props.instance_type))

    def _build(self, preflight: None) -> sfn.CfnStateMachine:
        p, where = self.props, self.cost_context
        compliance = Compliance(self, where.stack)
        self.at_synth(compliance.record)
        # The construct's id, as its path ends (not read back from the node: 2 round trips).
        self.job_name_prefix = p.job_name_prefix or _default_prefix(
            self.construct_path.rsplit("/", 1)[-1])
        key_arn = None if p.kms_key is None else p.kms_key.key_arn
        partition, region, account = where.partition, where.region, where.account

        reads, writes = _data_statements(p, partition)
        built = build_model(
            self, p.model, partition=partition, region=region, account=account,
            compliance=compliance,
            extra=[compliance.explain(s, nag.REASON_S3_PREFIX) for s in reads + writes]
            + ([statement(KMS_WRITE, [key_arn])] if key_arn is not None else []),
            isolation_reason=nag.isolation_reason("BatchTransform", configurable=False))
        self._given_role: iam.IRole | None = built.given_role
        self._execution_role, role_arn = built.role, built.role_arn
        if self._given_role is not None:
            self._grant_given_role(self._given_role, reads + writes, compliance)
        self._model = built.model

        self._topic = None if p.error_topic is not None else SecureTopic(
            self, "ErrorTopic", region=region, account=account, key=p.kms_key)
        topic_arn = str(p.error_topic.topic_arn) if self._topic is None else self._topic.arn

        # Retained three months; encrypted with kms_key (else CloudWatch Logs' own keys).
        self._logs = logs.CfnLogGroup(self, "Logs", retention_in_days=LOG_RETENTION_DAYS,
                                      kms_key_id=key_arn)
        self._logs.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        if p.kms_key is not None:  # CloudWatch Logs must be allowed to use the key
            p.kms_key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{region}.amazonaws.com"))
        else:
            compliance.acknowledge(nag.LOG_GROUP_KMS, nag.REASON_STATE_MACHINE_LOGS)
            compliance.skip_checkov(self._logs, nag.CHECKOV_LOG_GROUP_KMS,
                                    nag.REASON_STATE_MACHINE_LOGS)

        transform_jobs = f"arn:{partition}:sagemaker:{region}:{account}:transform-job/*"
        self._state_machine_role = ManagedRole(
            self, "StateMachineRole",
            trust=service_trust("states.amazonaws.com", {
                "StringEquals": {"aws:SourceAccount": account_id()},
                "ArnLike": {"aws:SourceArn":
                            f"arn:{partition}:states:{region}:{account}:stateMachine:*"}}),
            description=f"{STATE_MACHINE_ROLE} (created by constructs_lib)",
            policy_description=f"{STATE_MACHINE_ROLE} (least privilege, constructs_lib)",
            statements=_state_machine_statements(transform_jobs, role_arn, topic_arn, partition,
                                                 region, account, compliance),
            compliance=compliance)
        self._state_machine = sfn.CfnStateMachine(
            self, "StateMachine",
            definition_string=where.stack.to_json_string(
                self._definition(topic_arn, key_arn, partition)),
            logging_configuration=sfn.CfnStateMachine.LoggingConfigurationProperty(
                destinations=[sfn.CfnStateMachine.LogDestinationProperty(
                    cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                        log_group_arn=self._logs.attr_arn))],
                include_execution_data=False, level="ALL"),
            role_arn=self._state_machine_role.arn, state_machine_type="STANDARD")
        self._state_machine.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        machine_arn: str = self._state_machine.ref
        compliance.acknowledge(nag.SFN_TRACING, nag.REASON_SFN_TRACING)

        self._schedule_role = ManagedRole(
            self, "ScheduleRole",
            trust=service_trust("scheduler.amazonaws.com", {"StringEquals": {
                "aws:SourceAccount": account_id(),
                "aws:SourceArn": f"arn:{partition}:scheduler:{region}:{account}:"
                                 "schedule-group/default"}}),
            description=f"{SCHEDULE_ROLE} (created by constructs_lib)",
            policy_description=f"{SCHEDULE_ROLE} (least privilege, constructs_lib)",
            statements=[statement(["states:StartExecution"], [machine_arn])],
            compliance=compliance)
        self._schedule = scheduler.CfnSchedule(
            self, "Schedule", description=f"Starts batch transform {self.job_name_prefix}",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            schedule_expression=p.schedule, schedule_expression_timezone=p.schedule_time_zone,
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=machine_arn, role_arn=self._schedule_role.arn,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_event_age_in_seconds=SCHEDULE_MAX_EVENT_AGE_S,
                    maximum_retry_attempts=SCHEDULE_RETRIES)))
        self._handles: dict[str, Any] = {}
        return self._state_machine

    def _grant_given_role(self, role: iam.IRole, statements: list[dict[str, Any]],
                          compliance: Compliance) -> None:
        """The data statements (and the output key's use) for a role passed in, through CDK,
        their wildcards acknowledged on it."""
        for one in statements:
            role.add_to_principal_policy(iam.PolicyStatement.from_json(one))
        if self.props.kms_key is not None:
            self.props.kms_key.grant(role, *KMS_WRITE)  # the job writes encrypted output
        compliance.acknowledge_resources(role, [s["Resource"] for s in statements],
                                         nag.REASON_S3_PREFIX)

    # --- escape hatches (the typed L1 resources) ----------------------------------------

    @property
    def model(self) -> sagemaker.CfnModel:
        """The ``AWS::SageMaker::Model``."""
        return self._model

    @property
    def state_machine_resource(self) -> sfn.CfnStateMachine:
        """The ``AWS::StepFunctions::StateMachine`` (it carries the cost metadata)."""
        return self._state_machine

    @property
    def schedule_resource(self) -> scheduler.CfnSchedule:
        return self._schedule

    @property
    def log_group_resource(self) -> logs.CfnLogGroup:
        """The state machine's ``AWS::Logs::LogGroup``."""
        return self._logs

    # --- typed handles, imported on first use ------------------------------------------------

    def _handle(self, name: str, make: Callable[[], H]) -> H:
        """``make()``, once: each handle costs jsii calls, and most apps never ask for it."""
        if name not in self._handles:
            self._handles[name] = make()
        return cast(H, self._handles[name])

    @property
    def role(self) -> iam.IRole:
        """The model's execution role, passed to every job (the one given in ``model``, or the
        least-privilege role created here)."""
        if self._given_role is not None:
            return self._given_role
        assert self._execution_role is not None
        return self._execution_role.imported

    @property
    def state_machine_role(self) -> iam.IRole:
        return self._state_machine_role.imported

    @property
    def schedule_role(self) -> iam.IRole:
        return self._schedule_role.imported

    @property
    def state_machine(self) -> sfn.IStateMachine:
        return self._handle("StateMachine", lambda: sfn.StateMachine.from_state_machine_arn(
            self, "StateMachineRef", self._state_machine.ref))

    @property
    def schedule(self) -> scheduler.ISchedule:
        # Its ARN as CDK formats one (from_schedule_arn reads the name out of it, which a GetAtt
        # token does not show): the same value as the schedule's Arn attribute.
        where = self.cost_context
        return self._handle("Schedule", lambda: scheduler.Schedule.from_schedule_arn(
            self, "ScheduleRef", f"arn:{where.partition}:scheduler:{where.region}:"
                                 f"{where.account}:schedule/default/{self._schedule.ref}"))

    @property
    def error_topic(self) -> sns.ITopic:
        """The topic failures are published to: the one given, else the library's."""
        if self._topic is None:
            return self.props.error_topic  # type: ignore[no-any-return]
        return self._topic.imported

    @property
    def log_group(self) -> logs.ILogGroup:
        return self._handle("Logs", lambda: logs.LogGroup.from_log_group_name(
            self, "LogsRef", self._logs.ref))

    # --- the state machine's definition --------------------------------------------------

    def _definition(self, topic_arn: str, key_arn: str | None, partition: str) -> dict[str, Any]:
        """The Amazon States Language document, as CDK's ``SageMakerCreateTransformJob``
        (.sync), ``SnsPublish``, ``Fail`` and ``Succeed`` states render it (same keys, same
        order); CDK renders the tokens in it (``Stack.to_json_string``). ``ResultPath: null``
        (keep the input, discard the result) is ``cdk.JsonNull``: a Python None reaches
        JavaScript as undefined and would be dropped."""
        p = self.props
        null = json_null()
        params: dict[str, Any] = {"BatchStrategy": p.batch_strategy}
        if p.max_concurrent_transforms:
            params["MaxConcurrentTransforms"] = p.max_concurrent_transforms
        if p.max_payload_mb is not None:
            params["MaxPayloadInMB"] = p.max_payload_mb
        params["ModelName"] = self._model.attr_model_name
        params["TransformInput"] = {
            "ContentType": p.content_type,
            "DataSource": {"S3DataSource": {"S3Uri": p.input_s3_uri, "S3DataType": "S3Prefix"}},
            "SplitType": p.split_type,
        }
        params["TransformJobName.$"] = (
            f"States.Format('{self.job_name_prefix}-{{}}', $$.Execution.Name)")
        output: dict[str, Any] = {"S3OutputPath": p.output_s3_uri}
        if key_arn is not None:
            output["KmsKeyId"] = key_arn
        if p.accept is not None:
            output["Accept"] = p.accept
        output["AssembleWith"] = "Line" if p.split_type == "Line" else "None"
        params["TransformOutput"] = output
        params["TransformResources"] = {"InstanceCount": p.instance_count,
                                        "InstanceType": p.instance_type}
        task_timeout = round(p.timeout_hours * 60) * 60
        return {
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
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null,
                               "Next": "TransformFailed"}],
                    "Type": "Task",
                    "ResultPath": null,
                    "Resource": f"arn:{partition}:states:::sns:publish",
                    "Parameters": {
                        "TopicArn": topic_arn,
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


def _default_prefix(construct_id: str) -> str:
    cleaned = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", construct_id)).strip("-")
    return (cleaned or "transform")[:JOB_PREFIX_MAX].rstrip("-")


def _data_statements(props: BatchTransformProps, partition: str
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read the input prefix (objects, and the listing of that prefix only), write the output
    prefix: the job's data and nothing more. URIs with tokens keep them (a bucket of another
    stack is imported); a bare token is split at deploy time (``parts/arns.py``), and its
    listing, whose key CloudFormation cannot cut off the bucket, is of that bucket only."""
    source, target = props.input_s3_uri, props.output_s3_uri
    in_key = s3_key(source)
    return [
        statement(["s3:GetObject"], [f"{s3_object_arn(source, partition)}*"],
                  sid="ReadTransformInput"),
        statement(["s3:ListBucket"], [s3_bucket_arn(source, partition)],
                  sid="ListTransformInput",
                  conditions=None if in_key is None else {
                      "StringLike": {"s3:prefix": [f"{in_key}*"]}}),
    ], [
        statement(["s3:PutObject", "s3:AbortMultipartUpload"],
                  [f"{s3_object_arn(target, partition)}*"], sid="WriteTransformOutput"),
    ]


def _state_machine_statements(transform_jobs: str, role_arn: str, topic_arn: str,
                              partition: str, region: str, account: str,
                              compliance: Compliance) -> list[dict[str, Any]]:
    """What CDK's ``SageMakerCreateTransformJob`` (.sync) and ``SnsPublish`` tasks and the
    state machine's logging grant, in their order; ``sagemaker:ListTags``, which the integration
    asks for on '*', is limited to this account's transform jobs."""
    jobs = nag.REASON_TRANSFORM_JOBS
    return [
        compliance.explain(statement(TRANSFORM_JOB_ACTIONS, [transform_jobs]), jobs),
        compliance.explain(statement(["sagemaker:ListTags"], [transform_jobs]), jobs),
        # The state machine may pass only the model's execution role.
        statement(["iam:PassRole"], [role_arn], conditions={
            "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}),
        statement(["events:PutTargets", "events:PutRule", "events:DescribeRule"], [
            f"arn:{partition}:events:{region}:{account}:rule/"
            "StepFunctionsGetEventsForSageMakerTransformJobsRule"]),
        compliance.explain(statement(["sagemaker:AddTags"], [transform_jobs]), jobs),
        statement(["sns:Publish"], [topic_arn]),
        compliance.explain(statement(LOG_DELIVERY_ACTIONS, ["*"]), nag.REASON_LOG_DELIVERY),
    ]
