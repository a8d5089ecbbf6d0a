"""The endpoint kinds the synth benchmark builds, each written three ways.

A kind is a :class:`Kind`: a name plus one builder per way (``ours``: this library; ``l1``:
hand-written typed L1 producing the same resources, or ``None`` where not written;
``alpha``: ``aws-cdk.aws-sagemaker-alpha``, or ``None`` when the alpha module has no
equivalent). The fourth way, the raw-``CfnResource`` floor, needs no builder: it re-emits the
template ``ours`` produced, so it covers every kind.

To add a kind: write its builders, append a ``Kind`` to ``KINDS``; ``mix()`` then deals
endpoints round-robin over every kind (``ours`` and ``floor``), and over ``covering(way)`` for
``l1`` and ``alpha``, each compared with ``ours`` over the same kinds. Builders take
``(scope, construct_id, i)`` and derive their settings from the index ``i`` only, so every way
builds the same N endpoints and every run is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from constructs import Construct

Builder = Callable[[Construct, str, int], None]

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
IMAGE_REPO = "sagemaker-xgboost"
IMAGE_ACCOUNT, IMAGE_REGION = "683313688378", "us-east-1"
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

_TOKENS: dict[str, str] = {}


def _token(name: str) -> str:
    """Pseudo-parameter tokens, read once per process as a hand-writer would."""
    if not _TOKENS:
        import aws_cdk as cdk

        _TOKENS.update(partition=cdk.Aws.PARTITION, account=cdk.Aws.ACCOUNT_ID)
    return _TOKENS[name]


def _l1_role(scope: Construct, region: str, artifact_statements: list[dict[str, Any]]) -> Any:
    """The execution role and its one customer-managed policy, as ``iam.CfnRole`` and
    ``iam.CfnManagedPolicy`` under the same paths (hence logical IDs) as ours."""
    from aws_cdk import aws_iam as iam

    part = _token("partition")
    policy = iam.CfnManagedPolicy(
        Construct(scope, "ExecutionRolePolicy"), "Resource",
        description="SageMaker execution role permissions (least privilege, constructs_lib)",
        path="/",
        policy_document={"Version": "2012-10-17", "Statement": [
            {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer"], "Effect": "Allow", "Sid": "PullModelImage",
             "Resource": f"arn:{part}:ecr:{IMAGE_REGION}:{IMAGE_ACCOUNT}:repository/{IMAGE_REPO}"},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*",
             "Sid": "EcrLogin"},
            *artifact_statements,
            {"Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                        "logs:DescribeLogStreams", "logs:PutLogEvents"],
             "Effect": "Allow", "Sid": "WriteEndpointLogs",
             "Resource": (f"arn:{part}:logs:{region}:{_token('account')}"
                          ":log-group:/aws/sagemaker/*")},
            {"Action": "cloudwatch:PutMetricData", "Effect": "Allow", "Resource": "*",
             "Sid": "PutEndpointMetrics",
             "Condition": {"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker*",
                                                                   "/aws/sagemaker/*"]}}},
        ]},
    )
    return iam.CfnRole(
        Construct(scope, "ExecutionRole"), "Resource",
        assume_role_policy_document={
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                           "Principal": {"Service": "sagemaker.amazonaws.com"}}],
            "Version": "2012-10-17",
        },
        description="SageMaker execution role (least privilege, created by constructs_lib)",
        managed_policy_arns=[policy.ref],
    )


def _l1_model_and_config(ep: Construct, i: int, variant: dict[str, Any]) -> Any:
    from aws_cdk import aws_sagemaker as sagemaker

    bucket, key = artifact(i)
    role = _l1_role(ep, IMAGE_REGION, [
        {"Action": "s3:GetObject", "Effect": "Allow", "Sid": "ReadModelArtifact",
         "Resource": f"arn:{_token('partition')}:s3:::{bucket}/{key}"}])
    model = sagemaker.CfnModel(
        ep, "Model", execution_role_arn=role.attr_arn,
        primary_container={"image": IMAGE, "modelDataUrl": f"s3://{bucket}/{key}"},
    )
    return _l1_config_and_endpoint(ep, model, variant)


def _l1_config_and_endpoint(ep: Construct, model: Any, variant: dict[str, Any]) -> Any:
    from aws_cdk import aws_sagemaker as sagemaker

    config = sagemaker.CfnEndpointConfig(
        ep, "EndpointConfig",
        production_variants=[{**variant, "variantName": "AllTraffic",
                              "modelName": model.attr_model_name}],
    )
    return sagemaker.CfnEndpoint(
        ep, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name)


def _l1_invocation_scaling(ep: Construct, endpoint: Any, min_: int, max_: int,
                           target: float) -> None:
    from aws_cdk import aws_applicationautoscaling as appscaling

    scalable = appscaling.CfnScalableTarget(
        ep, "ScalableTarget", service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id=f"endpoint/{endpoint.attr_endpoint_name}/variant/AllTraffic",
        min_capacity=min_, max_capacity=max_,
    )
    appscaling.CfnScalingPolicy(
        ep, "InvocationsScaling", policy_name="invocations-per-instance",
        policy_type="TargetTrackingScaling", scaling_target_id=scalable.ref,
        target_tracking_scaling_policy_configuration={
            "targetValue": target,
            "predefinedMetricSpecification": {
                "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "scaleInCooldown": 300, "scaleOutCooldown": 60,
        },
    )


def l1_realtime(scope: Construct, cid: str, i: int) -> None:
    s = realtime_settings(i)
    ep = Construct(scope, cid)
    endpoint = _l1_model_and_config(ep, i, {
        "instanceType": s["instance_type"], "initialInstanceCount": s["min"],
        "initialVariantWeight": 1.0,
    })
    _l1_invocation_scaling(ep, endpoint, s["min"], s["max"], s["target"])


def l1_multimodel(scope: Construct, cid: str, i: int) -> None:
    from aws_cdk import aws_sagemaker as sagemaker

    s = multimodel_settings(i)
    ep = Construct(scope, cid)
    part = _token("partition")
    role = _l1_role(ep, IMAGE_REGION, [
        {"Action": "s3:GetObject", "Effect": "Allow", "Sid": "ReadModelArtifact",
         "Resource": f"arn:{part}:s3:::bench-models/mme{i}/*"},
        {"Action": "s3:ListBucket", "Effect": "Allow", "Sid": "ListModelPrefix",
         "Resource": f"arn:{part}:s3:::bench-models",
         "Condition": {"StringLike": {"s3:prefix": [f"mme{i}/*"]}}},
    ])
    model = sagemaker.CfnModel(
        ep, "Model", execution_role_arn=role.attr_arn,
        primary_container={"image": IMAGE, "mode": "MultiModel",
                           "modelDataUrl": f"s3://bench-models/mme{i}/",
                           "multiModelConfig": {"modelCacheSetting": "Enabled"}},
    )
    endpoint = _l1_config_and_endpoint(ep, model, {
        "instanceType": s["instance_type"], "initialInstanceCount": s["min"],
        "initialVariantWeight": 1.0,
    })
    _l1_invocation_scaling(ep, endpoint, s["min"], s["max"], s["target"])


def l1_serverless(scope: Construct, cid: str, i: int) -> None:
    s = serverless_settings(i)
    _l1_model_and_config(Construct(scope, cid), i, {"serverlessConfig": {
        "memorySizeInMb": s["memory_mb"], "maxConcurrency": s["max_concurrency"]}})


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
    # No typed-L1 rewrite (17 resources: buckets with access logs, topics, backlog scaling and
    # its alarm) and no alpha equivalent: compared with the floor only.
    Kind("async", ours_async, None, None),
    # The state machine's definition, its roles and the scheduler's: floor only.
    Kind("batch", ours_batch, None, None),
    Kind("multimodel+autoscaling", ours_multimodel, l1_multimodel, None),
]


def covering(way: str) -> list[Kind]:
    """The kinds ``way`` (``ours``, ``l1``, ``alpha``) has a builder for."""
    return [k for k in KINDS if getattr(k, way) is not None]


def mix(n: int, kinds: list[Kind] | None = None) -> list[Kind]:
    """The kind of each of ``n`` endpoints: round-robin over ``kinds`` (default: all)."""
    pool = kinds or KINDS
    return [pool[i % len(pool)] for i in range(n)]
