"""The endpoint kinds the synth benchmark builds, each written three ways.

A kind is a :class:`Kind`: a name plus one builder per way (``ours``: this library; ``l1``:
hand-written typed L1 producing the same resources with the same logical IDs, written for every
kind; ``alpha``: ``aws-cdk.aws-sagemaker-alpha``, or ``None`` when the alpha module has no
equivalent: it has one for the real-time and serverless kinds only). The fourth way, the
raw-``CfnResource`` floor, needs no builder: it re-emits the template ``ours`` produced, so it
covers every kind. The benchmark checks on every run that ``l1``'s templates equal ours minus
``Metadata``.

To add a kind: write its builders, append a ``Kind`` to ``KINDS``; ``mix()`` then deals
endpoints round-robin over every kind (``ours`` and ``floor``), and over ``covering(way)`` for
``l1`` and ``alpha``, each compared with ``ours`` over the same kinds. Builders take
``(scope, construct_id, i)`` and derive their settings from the index ``i`` only, so every way
builds the same N endpoints and every run is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from constructs import Construct

Builder = Callable[[Construct, str, int], None]

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
IMAGE_REPO = "sagemaker-xgboost"
IMAGE_ACCOUNT, IMAGE_REGION = "683313688378", "us-east-1"
REGION = "us-east-1"
"""The benchmark stacks' region (``benchmarks.child.REGION``)."""
REALTIME_TYPES = ("ml.c5.xlarge", "ml.m5.large", "ml.m5.xlarge", "ml.g5.xlarge")
SERVERLESS_MEMORY = (1024, 2048, 3072, 4096, 5120, 6144)
ASYNC_TYPES = ("ml.m5.xlarge", "ml.c5.xlarge", "ml.g4dn.xlarge")
BATCH_TYPES = ("ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge")


@dataclass(frozen=True)
class Kind:
    name: str
    ours: Builder
    l1: Builder | None
    alpha: Builder | None


def artifact(i: int) -> tuple[str, str]:
    """(bucket, key) of endpoint ``i``'s model artifact."""
    return "bench-models", f"ep{i}/model.tar.gz"


def realtime_settings(i: int) -> dict[str, Any]:
    return {
        "instance_type": REALTIME_TYPES[i % len(REALTIME_TYPES)],
        "min": 1, "max": 4 + i % 3, "target": 1000 + 10 * (i % 50),
        "requests": 2_000_000 + 10_000 * i, "duration_ms": 40 + i % 20,
    }


def serverless_settings(i: int) -> dict[str, Any]:
    return {
        "memory_mb": SERVERLESS_MEMORY[i % len(SERVERLESS_MEMORY)],
        "max_concurrency": 5 + i % 20,
        "requests": 20_000 + 100 * i, "duration_ms": 200 + i % 300,
    }


# --- ours -------------------------------------------------------------------------------------

def ours_realtime(scope: Construct, cid: str, i: int) -> None:
    from constructs_lib import AutoscalingOptions, ModelSpec, RealTimeEndpoint, TrafficHint

    s = realtime_settings(i)
    bucket, key = artifact(i)
    RealTimeEndpoint(
        scope, cid,
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            peak_requests_per_second=20, busy_hours_per_day=10),
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]),
    )


def ours_serverless(scope: Construct, cid: str, i: int) -> None:
    from constructs_lib import ModelSpec, ServerlessEndpoint, TrafficHint

    s = serverless_settings(i)
    bucket, key = artifact(i)
    ServerlessEndpoint(
        scope, cid,
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        memory_mb=s["memory_mb"], max_concurrency=s["max_concurrency"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"]),
    )


def async_settings(i: int) -> dict[str, Any]:
    return {
        "instance_type": ASYNC_TYPES[i % len(ASYNC_TYPES)], "max": 1 + i % 4,
        "requests": 10_000 + 100 * i, "duration_ms": 5_000 + 10 * (i % 100),
    }


def batch_settings(i: int) -> dict[str, Any]:
    return {
        "instance_type": BATCH_TYPES[i % len(BATCH_TYPES)], "count": 1 + i % 3,
        "records": 1_000_000 + 1_000 * i, "runs": 30, "duration_ms": 5 + i % 10,
        "hour": i % 24,
    }


def multimodel_settings(i: int) -> dict[str, Any]:
    return {
        "instance_type": REALTIME_TYPES[i % len(REALTIME_TYPES)],
        "models": {f"tenant-{j:02d}.tar.gz": 500_000 + 100_000 * j + 1_000 * i
                   for j in range(4)},
        "min": 1, "max": 3 + i % 3, "target": 2000 + 10 * (i % 50),
    }


def ours_async(scope: Construct, cid: str, i: int) -> None:
    from constructs_lib import AsyncEndpoint, ModelSpec, TrafficHint

    s = async_settings(i)
    bucket, key = artifact(i)
    AsyncEndpoint(
        scope, cid,
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], max_instances=s["max"],
        traffic=TrafficHint(requests_per_month=s["requests"], avg_duration_ms=s["duration_ms"],
                            payload_kb=2048, busy_hours_per_day=10),
    )


def ours_batch(scope: Construct, cid: str, i: int) -> None:
    from constructs_lib import BatchTransform, ModelSpec, TrafficHint

    s = batch_settings(i)
    bucket, key = artifact(i)
    BatchTransform(
        scope, cid,
        model=ModelSpec(image_uri=IMAGE, model_data_url=f"s3://{bucket}/{key}"),
        instance_type=s["instance_type"], instance_count=s["count"],
        input_s3_uri=f"s3://bench-data/job{i}/in/", output_s3_uri=f"s3://bench-data/job{i}/out/",
        schedule=f"cron(0 {s['hour']} * * ? *)",
        traffic=TrafficHint(records_per_run=s["records"], runs_per_month=s["runs"],
                            avg_duration_ms=s["duration_ms"], payload_kb=0, response_kb=0),
    )


def ours_multimodel(scope: Construct, cid: str, i: int) -> None:
    from constructs_lib import AutoscalingOptions, MultiModelEndpoint, TrafficHint

    s = multimodel_settings(i)
    MultiModelEndpoint(
        scope, cid, image_uri=IMAGE, models_s3_prefix=f"s3://bench-models/mme{i}/",
        instance_type=s["instance_type"],
        models={name: TrafficHint(requests_per_month=r, avg_duration_ms=40,
                                  busy_hours_per_day=14) for name, r in s["models"].items()},
        autoscaling=AutoscalingOptions(min_instances=s["min"], max_instances=s["max"],
                                       target_invocations_per_instance=s["target"]),
    )


# --- hand-written typed L1 (same resources, same logical IDs) ----------------------------------
#
# What a competent CDK user writes to get our templates by hand: CDK's generated typed L1
# classes (``iam.CfnRole``, ``sagemaker.CfnEndpointConfig``...) with their property classes,
# directly under the endpoint's construct (so the logical IDs are ours), policy documents as
# JSON (the L1s take JSON there), every attribute token read once into a local, and the
# pseudo-parameter tokens (``cdk.Aws.PARTITION``...) read once per process.

_TOKENS: dict[str, Any] = {}


def _token(name: str) -> Any:
    """Pseudo-parameter tokens and ``cdk.JsonNull.INSTANCE``, read once per process."""
    if not _TOKENS:
        import aws_cdk as cdk

        _TOKENS.update(partition=cdk.Aws.PARTITION, account=cdk.Aws.ACCOUNT_ID,
                       null=cdk.JsonNull.INSTANCE)
    return _TOKENS[name]


def _allow(actions: list[str] | str, resource: Any, sid: str | None = None,
           condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``Allow`` statement as IAM JSON (keys in the order CDK renders them)."""
    out: dict[str, Any] = {"Action": actions}
    if condition is not None:
        out["Condition"] = condition
    out["Effect"] = "Allow"
    out["Resource"] = resource
    if sid is not None:
        out["Sid"] = sid
    return out


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Statement": statements, "Version": "2012-10-17"}


def _trust(service: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    statement.update(Effect="Allow", Principal={"Service": service})
    return _document([statement])


def _l1_managed_role(ep: Construct, cid: str, trust: dict[str, Any], description: str,
                     policy_description: str, statements: list[dict[str, Any]]) -> str:
    """``<cid>Policy`` (``iam.CfnManagedPolicy``) and ``<cid>`` (``iam.CfnRole``) under ``ep``;
    returns the role's ARN."""
    from aws_cdk import aws_iam as iam

    policy = iam.CfnManagedPolicy(ep, f"{cid}Policy", description=policy_description, path="/",
                                  policy_document=_document(statements))
    role = iam.CfnRole(ep, cid, assume_role_policy_document=trust, description=description,
                       managed_policy_arns=[policy.ref])
    return role.attr_arn  # type: ignore[no-any-return]


def _l1_execution_role(ep: Construct, artifact_statements: list[dict[str, Any]],
                       extra: Sequence[dict[str, Any]] = ()) -> str:
    """The model's execution role and its one customer-managed policy; returns its ARN."""
    part, account = _token("partition"), _token("account")
    return _l1_managed_role(
        ep, "ExecutionRole", _trust("sagemaker.amazonaws.com"),
        "SageMaker execution role (least privilege, created by constructs_lib)",
        "SageMaker execution role permissions (least privilege, constructs_lib)", [
            _allow(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer"],
                   f"arn:{part}:ecr:{IMAGE_REGION}:{IMAGE_ACCOUNT}:repository/{IMAGE_REPO}",
                   "PullModelImage"),
            _allow("ecr:GetAuthorizationToken", "*", "EcrLogin"),
            *artifact_statements,
            _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                    "logs:PutLogEvents"],
                   f"arn:{part}:logs:{REGION}:{account}:log-group:/aws/sagemaker/*",
                   "WriteEndpointLogs"),
            _allow("cloudwatch:PutMetricData", "*", "PutEndpointMetrics", {"StringLike": {
                "cloudwatch:namespace": ["AWS/SageMaker*", "/aws/sagemaker/*"]}}),
            *extra,
        ])


def _read_artifact(i: int) -> list[dict[str, Any]]:
    bucket, key = artifact(i)
    return [_allow("s3:GetObject", f"arn:{_token('partition')}:s3:::{bucket}/{key}",
                   "ReadModelArtifact")]


def _l1_model(ep: Construct, role_arn: str, container: Any) -> Any:
    from aws_cdk import aws_sagemaker as sagemaker

    return sagemaker.CfnModel(ep, "Model", execution_role_arn=role_arn,
                              primary_container=container)


def _l1_container(i: int) -> Any:
    from aws_cdk import aws_sagemaker as sagemaker

    bucket, key = artifact(i)
    return sagemaker.CfnModel.ContainerDefinitionProperty(
        image=IMAGE, model_data_url=f"s3://{bucket}/{key}")


def _l1_instance_variant(model_name: str, instance_type: str, count: int) -> Any:
    from aws_cdk import aws_sagemaker as sagemaker

    return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
        variant_name="AllTraffic", model_name=model_name, instance_type=instance_type,
        initial_instance_count=count, initial_variant_weight=1.0)


def _l1_endpoint(ep: Construct, variant: Any, **config: Any) -> str:
    """``EndpointConfig`` and ``Endpoint``; returns the endpoint's name (``Fn::GetAtt``)."""
    from aws_cdk import aws_sagemaker as sagemaker

    cfg = sagemaker.CfnEndpointConfig(ep, "EndpointConfig", production_variants=[variant],
                                      **config)
    endpoint = sagemaker.CfnEndpoint(ep, "Endpoint",
                                     endpoint_config_name=cfg.attr_endpoint_config_name)
    return endpoint.attr_endpoint_name  # type: ignore[no-any-return]


def _l1_target(ep: Construct, endpoint_name: str, min_: int, max_: int) -> str:
    """``ScalableTarget``: the variant's instance count; returns its ``Ref``."""
    from aws_cdk import aws_applicationautoscaling as appscaling

    return appscaling.CfnScalableTarget(  # type: ignore[no-any-return]
        ep, "ScalableTarget", service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id=f"endpoint/{endpoint_name}/variant/AllTraffic",
        min_capacity=min_, max_capacity=max_).ref


def _l1_invocation_scaling(ep: Construct, endpoint_name: str, min_: int, max_: int,
                           target: float) -> None:
    from aws_cdk import aws_applicationautoscaling as appscaling

    policy = appscaling.CfnScalingPolicy
    policy(ep, "InvocationsScaling", policy_name="invocations-per-instance",
           policy_type="TargetTrackingScaling",
           scaling_target_id=_l1_target(ep, endpoint_name, min_, max_),
           target_tracking_scaling_policy_configuration=(
               policy.TargetTrackingScalingPolicyConfigurationProperty(
                   target_value=target, scale_in_cooldown=300, scale_out_cooldown=60,
                   predefined_metric_specification=policy.PredefinedMetricSpecificationProperty(
                       predefined_metric_type="SageMakerVariantInvocationsPerInstance"))))


def l1_realtime(scope: Construct, cid: str, i: int) -> None:
    s = realtime_settings(i)
    ep = Construct(scope, cid)
    model = _l1_model(ep, _l1_execution_role(ep, _read_artifact(i)), _l1_container(i))
    name = _l1_endpoint(ep, _l1_instance_variant(model.attr_model_name, s["instance_type"],
                                                 s["min"]))
    _l1_invocation_scaling(ep, name, s["min"], s["max"], s["target"])


def l1_serverless(scope: Construct, cid: str, i: int) -> None:
    from aws_cdk import aws_sagemaker as sagemaker

    s = serverless_settings(i)
    ep = Construct(scope, cid)
    model = _l1_model(ep, _l1_execution_role(ep, _read_artifact(i)), _l1_container(i))
    variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty
    _l1_endpoint(ep, variant(
        variant_name="AllTraffic", model_name=model.attr_model_name,
        serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
            memory_size_in_mb=s["memory_mb"], max_concurrency=s["max_concurrency"])))


def l1_multimodel(scope: Construct, cid: str, i: int) -> None:
    from aws_cdk import aws_sagemaker as sagemaker

    s = multimodel_settings(i)
    ep = Construct(scope, cid)
    part = _token("partition")
    role_arn = _l1_execution_role(ep, [
        _allow("s3:GetObject", f"arn:{part}:s3:::bench-models/mme{i}/*", "ReadModelArtifact"),
        _allow("s3:ListBucket", f"arn:{part}:s3:::bench-models", "ListModelPrefix",
               {"StringLike": {"s3:prefix": [f"mme{i}/*"]}}),
    ])
    model = _l1_model(ep, role_arn, sagemaker.CfnModel.ContainerDefinitionProperty(
        image=IMAGE, mode="MultiModel", model_data_url=f"s3://bench-models/mme{i}/",
        multi_model_config=sagemaker.CfnModel.MultiModelConfigProperty(
            model_cache_setting="Enabled")))
    name = _l1_endpoint(ep, _l1_instance_variant(model.attr_model_name, s["instance_type"],
                                                 s["min"]))
    _l1_invocation_scaling(ep, name, s["min"], s["max"], s["target"])


def _ssl_only_bucket(arn: str) -> dict[str, Any]:
    return {"Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny", "Principal": {"AWS": "*"}, "Resource": [arn, f"{arn}/*"]}


def _l1_bucket(ep: Construct, cid: str, logs_bucket: str | None = None) -> Any:
    """A private, versioned, SSE-S3, retained ``s3.CfnBucket`` (server access logs to
    ``logs_bucket`` when given)."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    b = s3.CfnBucket
    bucket = b(
        ep, cid,
        bucket_encryption=b.BucketEncryptionProperty(server_side_encryption_configuration=[
            b.ServerSideEncryptionRuleProperty(
                server_side_encryption_by_default=b.ServerSideEncryptionByDefaultProperty(
                    sse_algorithm="AES256"))]),
        logging_configuration=None if logs_bucket is None else b.LoggingConfigurationProperty(
            destination_bucket_name=logs_bucket, log_file_prefix="access-logs/"),
        ownership_controls=b.OwnershipControlsProperty(rules=[
            b.OwnershipControlsRuleProperty(object_ownership="BucketOwnerEnforced")]),
        public_access_block_configuration=b.PublicAccessBlockConfigurationProperty(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
            restrict_public_buckets=True),
        versioning_configuration=b.VersioningConfigurationProperty(status="Enabled"))
    bucket.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    return bucket


def _l1_topic(ep: Construct, cid: str) -> str:
    """An ``sns.CfnTopic`` on the AWS-managed SNS key, retained, with a policy refusing
    publishing without TLS; returns its ARN (``Ref``)."""
    import aws_cdk as cdk
    from aws_cdk import aws_sns as sns

    topic = sns.CfnTopic(ep, cid, kms_master_key_id=(
        f"arn:{_token('partition')}:kms:{REGION}:{_token('account')}:alias/aws/sns"))
    topic.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    arn: str = topic.ref
    sns.CfnTopicPolicy(ep, f"{cid}Policy", topics=[arn], policy_document=_document([{
        "Action": "sns:Publish", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny", "Principal": "*", "Resource": arn,
        "Sid": "AllowPublishThroughSSLOnly"}]))
    return arn


def l1_async(scope: Construct, cid: str, i: int) -> None:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sagemaker as sagemaker

    s = async_settings(i)
    ep = Construct(scope, cid)
    # The output bucket, its server-access-log bucket, both TLS-only.
    logs = _l1_bucket(ep, "OutputBucketAccessLogs")
    logs_name, logs_arn = logs.ref, logs.attr_arn
    bucket = _l1_bucket(ep, "OutputBucket", logs_name)
    bucket_name, bucket_arn = bucket.ref, bucket.attr_arn
    s3.CfnBucketPolicy(ep, "OutputBucketAccessLogsPolicy", bucket=logs_name,
                       policy_document=_document([_ssl_only_bucket(logs_arn), {
                           "Action": "s3:PutObject",
                           "Condition": {"ArnLike": {"aws:SourceArn": bucket_arn},
                                         "StringEquals": {
                                             "aws:SourceAccount": _token("account")}},
                           "Effect": "Allow",
                           "Principal": {"Service": "logging.s3.amazonaws.com"},
                           "Resource": f"{logs_arn}/access-logs/*",
                           "Sid": "S3ServerAccessLogs"}]))
    s3.CfnBucketPolicy(ep, "OutputBucketPolicy", bucket=bucket_name,
                       policy_document=_document([_ssl_only_bucket(bucket_arn)]))
    success, error = _l1_topic(ep, "SuccessTopic"), _l1_topic(ep, "ErrorTopic")
    role_arn = _l1_execution_role(ep, _read_artifact(i), [
        _allow("s3:GetObject", f"{bucket_arn}/input/*"),
        _allow(["s3:PutObject", "s3:AbortMultipartUpload"],
               [f"{bucket_arn}/output/*", f"{bucket_arn}/failure/*"]),
        _allow("sns:Publish", success),
        _allow("sns:Publish", error),
    ])
    model = _l1_model(ep, role_arn, _l1_container(i))
    cfg = sagemaker.CfnEndpointConfig
    name = _l1_endpoint(
        ep, _l1_instance_variant(model.attr_model_name, s["instance_type"], 1),
        async_inference_config=cfg.AsyncInferenceConfigProperty(
            output_config=cfg.AsyncInferenceOutputConfigProperty(
                notification_config=cfg.AsyncInferenceNotificationConfigProperty(
                    error_topic=error, success_topic=success),
                s3_failure_path=f"s3://{bucket_name}/failure",
                s3_output_path=f"s3://{bucket_name}/output")))
    # Scale on the backlog per instance, down to zero; an alarm wakes it up from zero.
    target = _l1_target(ep, name, 0, s["max"])
    policy = appscaling.CfnScalingPolicy
    policy(ep, "BacklogScaling", policy_name="backlog-per-instance",
           policy_type="TargetTrackingScaling", scaling_target_id=target,
           target_tracking_scaling_policy_configuration=(
               policy.TargetTrackingScalingPolicyConfigurationProperty(
                   customized_metric_specification=policy.CustomizedMetricSpecificationProperty(
                       dimensions=[policy.MetricDimensionProperty(name="EndpointName",
                                                                  value=name)],
                       metric_name="ApproximateBacklogSizePerInstance",
                       namespace="AWS/SageMaker", statistic="Average"),
                   scale_in_cooldown=300, scale_out_cooldown=60, target_value=5.0)))
    wake_up = policy(
        ep, "WakeUpScaling", policy_name="wake-up-from-zero", policy_type="StepScaling",
        scaling_target_id=target,
        step_scaling_policy_configuration=policy.StepScalingPolicyConfigurationProperty(
            adjustment_type="ChangeInCapacity", cooldown=300, metric_aggregation_type="Average",
            step_adjustments=[policy.StepAdjustmentProperty(metric_interval_lower_bound=0,
                                                            scaling_adjustment=1)]))
    cloudwatch.CfnAlarm(
        ep, "HasBacklogWithoutCapacity", alarm_actions=[wake_up.ref],
        alarm_description="Requests wait at zero instances: add one (scale from zero)",
        comparison_operator="GreaterThanOrEqualToThreshold", datapoints_to_alarm=2,
        dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name="EndpointName", value=name)],
        evaluation_periods=2, metric_name="HasBacklogWithoutCapacity", namespace="AWS/SageMaker",
        period=60, statistic="Average", threshold=1, treat_missing_data="missing")


def _asl(prefix: str, s: dict[str, Any], i: int, model_name: str, topic: str) -> dict[str, Any]:
    """The state machine's Amazon States Language: run the transform job (.sync), on failure
    publish to the topic and fail."""
    part, null = _token("partition"), _token("null")
    return {
        "StartAt": "RunTransformJob",
        "States": {
            "RunTransformJob": {
                "Next": "Done",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                           "Next": "NotifyFailure"}],
                "Type": "Task", "TimeoutSeconds": 82800, "ResultPath": "$.transform",
                "Resource": f"arn:{part}:states:::sagemaker:createTransformJob.sync",
                "Parameters": {
                    "BatchStrategy": "MultiRecord",
                    "ModelName": model_name,
                    "TransformInput": {
                        "ContentType": "text/csv",
                        "DataSource": {"S3DataSource": {"S3Uri": f"s3://bench-data/job{i}/in/",
                                                        "S3DataType": "S3Prefix"}},
                        "SplitType": "Line"},
                    "TransformJobName.$": f"States.Format('{prefix}-{{}}', $$.Execution.Name)",
                    "TransformOutput": {"S3OutputPath": f"s3://bench-data/job{i}/out/",
                                        "AssembleWith": "Line"},
                    "TransformResources": {"InstanceCount": s["count"],
                                           "InstanceType": s["instance_type"]},
                },
            },
            "Done": {"Type": "Succeed"},
            "NotifyFailure": {
                "Next": "TransformFailed",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null,
                           "Next": "TransformFailed"}],
                "Type": "Task", "ResultPath": null,
                "Resource": f"arn:{part}:states:::sns:publish",
                "Parameters": {
                    "TopicArn": topic,
                    "Message": {"transform": prefix, "execution.$": "$$.Execution.Id",
                                "error.$": "$.failure.Error", "cause.$": "$.failure.Cause"},
                    "Subject": "Batch transform failed",
                },
            },
            "TransformFailed": {
                "Type": "Fail", "Error": "TransformJobFailed",
                "Cause": "The transform job failed; details went to the error topic"},
        },
        "TimeoutSeconds": 83700,
        "Comment": f"Batch transform {prefix} (constructs_lib)",
    }


def l1_batch(scope: Construct, cid: str, i: int) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_scheduler as scheduler
    from aws_cdk import aws_stepfunctions as sfn

    assert isinstance(scope, cdk.Stack)  # the benchmark builds every endpoint in a stack
    s = batch_settings(i)
    ep = Construct(scope, cid)
    part, account = _token("partition"), _token("account")
    data = f"arn:{part}:s3:::bench-data"
    role_arn = _l1_execution_role(ep, _read_artifact(i), [
        _allow("s3:GetObject", f"{data}/job{i}/in/*", "ReadTransformInput"),
        _allow("s3:ListBucket", data, "ListTransformInput",
               {"StringLike": {"s3:prefix": [f"job{i}/in/*"]}}),
        _allow(["s3:PutObject", "s3:AbortMultipartUpload"], f"{data}/job{i}/out/*",
               "WriteTransformOutput"),
    ])
    model = _l1_model(ep, role_arn, _l1_container(i))
    topic = _l1_topic(ep, "ErrorTopic")
    log_group = logs.CfnLogGroup(ep, "Logs", retention_in_days=90)
    log_group.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    jobs = f"arn:{part}:sagemaker:{REGION}:{account}:transform-job/*"
    machine_role = _l1_managed_role(
        ep, "StateMachineRole", _trust("states.amazonaws.com", {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:{part}:states:{REGION}:{account}:stateMachine:*"}}),
        "Runs the batch transform's state machine (created by constructs_lib)",
        "Runs the batch transform's state machine (least privilege, constructs_lib)", [
            _allow(["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
                    "sagemaker:StopTransformJob"], jobs),
            _allow("sagemaker:ListTags", jobs),
            _allow("iam:PassRole", role_arn, condition={
                "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}),
            _allow(["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                   f"arn:{part}:events:{REGION}:{account}:rule/"
                   "StepFunctionsGetEventsForSageMakerTransformJobsRule"),
            _allow("sagemaker:AddTags", jobs),
            _allow("sns:Publish", topic),
            _allow(["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups"], "*"),
        ])
    m = sfn.CfnStateMachine
    machine = m(
        ep, "StateMachine",
        definition_string=scope.to_json_string(_asl(cid, s, i, model.attr_model_name, topic)),
        logging_configuration=m.LoggingConfigurationProperty(
            destinations=[m.LogDestinationProperty(
                cloud_watch_logs_log_group=m.CloudWatchLogsLogGroupProperty(
                    log_group_arn=log_group.attr_arn))],
            include_execution_data=False, level="ALL"),
        role_arn=machine_role, state_machine_type="STANDARD")
    machine.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    machine_arn = machine.ref
    schedule_role = _l1_managed_role(
        ep, "ScheduleRole", _trust("scheduler.amazonaws.com", {"StringEquals": {
            "aws:SourceAccount": account,
            "aws:SourceArn": f"arn:{part}:scheduler:{REGION}:{account}:schedule-group/default"}}),
        "Starts the batch transform's state machine on schedule (created by constructs_lib)",
        "Starts the batch transform's state machine on schedule (least privilege, "
        "constructs_lib)", [_allow("states:StartExecution", machine_arn)])
    sch = scheduler.CfnSchedule
    sch(ep, "Schedule", description=f"Starts batch transform {cid}",
        flexible_time_window=sch.FlexibleTimeWindowProperty(mode="OFF"),
        schedule_expression=f"cron(0 {s['hour']} * * ? *)", schedule_expression_timezone="UTC",
        state="ENABLED",
        target=sch.TargetProperty(
            arn=machine_arn, role_arn=schedule_role,
            retry_policy=sch.RetryPolicyProperty(maximum_event_age_in_seconds=3600,
                                                 maximum_retry_attempts=3)))


# --- aws-cdk.aws-sagemaker-alpha (its own role and resource shapes) ----------------------------

_ALPHA: dict[str, Any] = {}


def _alpha_image(stack: Construct) -> Any:
    """The model image, imported once per stack (as a user of the alpha module would)."""
    import aws_cdk.aws_sagemaker_alpha as alpha
    from aws_cdk import aws_ecr as ecr

    if id(stack) not in _ALPHA:
        repo = ecr.Repository.from_repository_arn(
            stack, "ModelImageRepo",
            f"arn:aws:ecr:{IMAGE_REGION}:{IMAGE_ACCOUNT}:repository/{IMAGE_REPO}")
        _ALPHA[id(stack)] = (stack, alpha.ContainerImage.from_ecr_repository(repo, "1.7-1"))
    return _ALPHA[id(stack)][1]


def _alpha_model(scope: Construct, ep: Construct, i: int) -> Any:
    import aws_cdk.aws_sagemaker_alpha as alpha
    from aws_cdk import aws_s3 as s3

    image = _alpha_image(scope)
    bucket, key = artifact(i)
    models = s3.Bucket.from_bucket_name(ep, "Artifacts", bucket)
    return alpha.Model(ep, "Model", containers=[alpha.ContainerDefinition(
        image=image, model_data=alpha.ModelData.from_bucket(models, key))])


def alpha_realtime(scope: Construct, cid: str, i: int) -> None:
    import aws_cdk.aws_sagemaker_alpha as alpha

    s = realtime_settings(i)
    ep = Construct(scope, cid)
    config = alpha.EndpointConfig(ep, "EndpointConfig", instance_production_variants=[
        alpha.InstanceProductionVariantProps(
            model=_alpha_model(scope, ep, i), variant_name="AllTraffic",
            instance_type=alpha.InstanceType.of(s["instance_type"]),
            initial_instance_count=s["min"])])
    endpoint = alpha.Endpoint(ep, "Endpoint", endpoint_config=config)
    variant = endpoint.find_instance_production_variant("AllTraffic")
    count = variant.auto_scale_instance_count(min_capacity=s["min"], max_capacity=s["max"])
    count.scale_on_invocations("InvocationsScaling", max_requests_per_second=s["target"] / 60)


def alpha_serverless(scope: Construct, cid: str, i: int) -> None:
    import aws_cdk.aws_sagemaker_alpha as alpha

    s = serverless_settings(i)
    ep = Construct(scope, cid)
    config = alpha.EndpointConfig(
        ep, "EndpointConfig", serverless_production_variant=alpha.ServerlessProductionVariantProps(
            model=_alpha_model(scope, ep, i), variant_name="AllTraffic",
            memory_size_in_mb=s["memory_mb"], max_concurrency=s["max_concurrency"]))
    alpha.Endpoint(ep, "Endpoint", endpoint_config=config)


KINDS: list[Kind] = [
    Kind("realtime+autoscaling", ours_realtime, l1_realtime, alpha_realtime),
    Kind("serverless", ours_serverless, l1_serverless, alpha_serverless),
    # aws-sagemaker-alpha has no asynchronous endpoint, no batch transform and no multi-model
    # endpoint: those three are compared with typed L1 and the floor only.
    Kind("async", ours_async, l1_async, None),
    Kind("batch", ours_batch, l1_batch, None),
    Kind("multimodel+autoscaling", ours_multimodel, l1_multimodel, None),
]


def covering(way: str) -> list[Kind]:
    """The kinds ``way`` (``ours``, ``l1``, ``alpha``) has a builder for."""
    return [k for k in KINDS if getattr(k, way) is not None]


def mix(n: int, kinds: list[Kind] | None = None) -> list[Kind]:
    """The kind of each of ``n`` endpoints: round-robin over ``kinds`` (default: all)."""
    pool = kinds or KINDS
    return [pool[i % len(pool)] for i in range(n)]
