"""A table of invalid configurations: each raises ``ConfigurationError`` (a ValueError) naming
the construct path, the field, the value and what is allowed, before any node is created, and
never as a jsii/JavaScript error or a plain TypeError.

A new construct needs one ``BUILDERS`` entry (its class and a valid baseline); each bad input is
then one ``bad(...)`` line: the construct, the field the error must name, and the overrides.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

import constructs_lib
from constructs_lib import ConfigurationError, TrafficHint
from constructs_lib.errors import _short

from .conftest import ARTIFACT, IMAGE, ROOT, make_stack

ID = "Ep"
PATH = f"Test/{ID}"
MODEL = {"image_uri": IMAGE, "model_data_url": ARTIFACT}
TRAFFIC = {"requests_per_month": 100_000, "avg_duration_ms": 50}
IC = {"model": MODEL, "traffic": TRAFFIC, "memory_mb": 16_384, "accelerators": 1}
"""An inference component taking one of an ml.g5.12xlarge's 4 GPUs."""


@dataclass(frozen=True)
class Builder:
    """How to build one kind with valid props; ``path`` is what its errors must name."""

    build: Callable[..., Any]
    baseline: dict[str, Any]
    path: str = PATH
    host: Callable[[cdk.Stack, dict[str, Any]], Any] | None = None
    """For a construct that lives in another (a Variant in its endpoint): builds that scope
    from the stack and the row's ``host`` override, before the tree is counted."""


def _construct(name: str) -> Callable[..., Any]:
    return lambda scope, *args, **kw: getattr(constructs_lib, name)(scope, *args, **kw)


BUILDERS: dict[str, Builder] = {
    "TrafficHint": Builder(lambda scope, *args, **kw: TrafficHint(**kw), {}, path="TrafficHint"),
    "RealTimeEndpoint": Builder(_construct("RealTimeEndpoint"), {
        "model": MODEL, "instance_type": "ml.m5.large", "traffic": TRAFFIC}),
    "ServerlessEndpoint": Builder(_construct("ServerlessEndpoint"), {
        "model": MODEL, "traffic": TRAFFIC}),
    "AsyncEndpoint": Builder(_construct("AsyncEndpoint"), {
        "model": MODEL, "instance_type": "ml.m5.xlarge",
        "traffic": {"requests_per_month": 2_000, "avg_duration_ms": 20_000}}),
    "BatchTransform": Builder(_construct("BatchTransform"), {
        "model": MODEL, "instance_type": "ml.m5.xlarge", "schedule": "cron(0 2 * * ? *)",
        "input_s3_uri": "s3://data-bucket/in/", "output_s3_uri": "s3://data-bucket/out/",
        "traffic": {"records_per_run": 100_000, "runs_per_month": 30, "avg_duration_ms": 5}}),
    "MultiModelEndpoint": Builder(_construct("MultiModelEndpoint"), {
        "image_uri": IMAGE, "models_s3_prefix": "s3://tenant-models/scoring/",
        "instance_type": "ml.m5.large", "traffic": TRAFFIC}),
    "InferenceComponentEndpoint": Builder(_construct("InferenceComponentEndpoint"), {
        "instance_type": "ml.g5.12xlarge", "components": {"chat": IC}}),
    # Through the endpoint's add_component; the endpoint ("Host", one component) is built first.
    "InferenceComponent": Builder(
        lambda host, *args, **kw: host.add_component(*args, **kw), IC,
        path=f"Test/Host/{ID}",
        host=lambda stack, extra: constructs_lib.InferenceComponentEndpoint(
            stack, "Host", **{"instance_type": "ml.g5.12xlarge", "max_instances": 1,
                              "components": {"chat": IC}, **extra})),
    # Through the endpoint's add_variant; the endpoint ("Host") is built first.
    "Variant": Builder(lambda host, *args, **kw: host.add_variant(*args, **kw), {},
                       path=f"Test/Host/{ID}",
                       host=lambda stack, extra: constructs_lib.RealTimeEndpoint(
                           stack, "Host", model=MODEL, traffic=TRAFFIC,
                           **{"instance_type": "ml.m5.large", **extra})),
}


class Make:
    """A value that needs the test's stack (a KMS key, an imported VPC)."""

    def __init__(self, make: Callable[[cdk.Stack], Any], shown: str) -> None:
        self.make, self.shown = make, shown

    def __repr__(self) -> str:
        return self.shown


DROP = object()
"""Override meaning: leave this prop out."""


@dataclass(frozen=True)
class Case:
    construct: str
    field: str
    overrides: dict[str, Any]
    value: Any
    context: dict[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    scope: Any = "stack"
    construct_id: Any = ID
    taken: bool = False

    @property
    def id(self) -> str:
        return f"{self.construct}-{self.field}={_short(self.value)[:40]}"


_UNSET = object()


def bad(construct: str, field: str, value: Any = _UNSET, *, context: dict | None = None,
        region: str = "us-east-1", scope: Any = "stack", construct_id: Any = ID,
        taken: bool = False, **overrides: Any) -> Case:
    """One invalid configuration; ``value`` defaults to the override named like ``field``."""
    if value is _UNSET:
        value = overrides[field.split(".")[0]]
    return Case(construct, field, overrides, value, context or {}, region, scope,
                construct_id, taken)


def nested(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


NAN, INF = math.nan, math.inf
EXISTING_KEY = Make(lambda s: kms.Key(s, "Key"), "<kms.Key>")
NO_PRIVATE_SUBNETS = Make(lambda s: ec2.Vpc.from_vpc_attributes(
    s, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["us-east-1a"]), "<vpc>")
OTHER_APP_KEY = Make(lambda s: kms.Key(cdk.Stack(cdk.App(), "Other"), "Key"), "<kms.Key elsewhere>")
OTHER_APP_ROLE = Make(lambda s: iam.Role(
    cdk.Stack(cdk.App(), "Other"), "Role",
    assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")), "<iam.Role elsewhere>")
SCHEDULE_BACKWARDS = {"business_hours_min_instances": 2, "start_hour_utc": 18,
                      "end_hour_utc": 8}
RT, SL, TH = "RealTimeEndpoint", "ServerlessEndpoint", "TrafficHint"
AS, BT, MM, VA = "AsyncEndpoint", "BatchTransform", "MultiModelEndpoint", "Variant"
MM_MODEL = {"image_uri": IMAGE, "model_data_url": "s3://tenant-models/scoring-v2/"}
ICE, ICO = "InferenceComponentEndpoint", "InferenceComponent"


def token(text: str = "{}") -> Make:
    """A string with a CDK token in it (a parameter of the test's stack) where ``{}`` is."""
    return Make(lambda s: text.format(cdk.CfnParameter(s, "Token").value_as_string),
                f"<{text.format('${Token}')}>")


NO_DOCKERFILE = Make(lambda s: {"kind": "asset", "directory": tempfile.mkdtemp()},
                     "<a directory without a Dockerfile>")
PIPELINE = [MODEL, {"image_uri": IMAGE, "model_data_url": "s3://models-bucket/b/model.tar.gz"}]

CASES: list[Case] = [
    # The traffic hint on its own (errors name the model).
    bad(TH, "requests_per_month", requests_per_month=-1),
    bad(TH, "requests_per_month", requests_per_month=NAN),
    bad(TH, "requests_per_month", requests_per_month=True),
    bad(TH, "requests_per_month", requests_per_month="lots"),
    bad(TH, "avg_duration_ms", avg_duration_ms=INF),
    bad(TH, "payload_kb", payload_kb=-0.5),
    bad(TH, "busy_hours_per_day", busy_hours_per_day=0),
    bad(TH, "busy_hours_per_day", busy_hours_per_day=25),
    bad(TH, "peak_requests_per_second", peak_requests_per_second=-3),
    bad(TH, "runs_per_month", runs_per_month=-1),
    bad(TH, "requests_per_day", requests_per_day=5),
    # The model, given to a construct as a dict (errors name the construct path).
    bad(RT, "model.image_uri", "nginx:latest", model=nested(MODEL, image_uri="nginx:latest")),
    bad(RT, "model.image_uri", "683313688378.dkr.ecr.us-east-1.amazonaws.com/Repo:v1",
        model=nested(MODEL, image_uri="683313688378.dkr.ecr.us-east-1.amazonaws.com/Repo:v1")),
    bad(RT, "model.model_data_url", "https://b/model.tar.gz",
        model=nested(MODEL, model_data_url="https://b/model.tar.gz")),
    bad(RT, "model.model_data_url", "s3://Bad_Bucket/m.tar.gz",
        model=nested(MODEL, model_data_url="s3://Bad_Bucket/m.tar.gz")),
    bad(RT, "model.environment.1BAD", "1BAD", model=nested(MODEL, environment={"1BAD": "x"})),
    bad(RT, "model.environment.A", 5, model=nested(MODEL, environment={"A": 5})),
    bad(RT, "model.execution_role", "arn:aws:iam::123456789012:role/r",
        model=nested(MODEL, execution_role="arn:aws:iam::123456789012:role/r")),
    bad(SL, "model.execution_role", SimpleNamespace(role_arn="arn:aws:iam::1:role/r"),
        model=nested(MODEL, execution_role=SimpleNamespace(role_arn="arn:aws:iam::1:role/r"))),
    bad(RT, "model", model=object()),
    # Sources, tokens and pipelines (issue 17).
    bad(RT, "model.image_uri", token("nginx:{}"), model=nested(MODEL, image_uri=token("nginx:{}"))),
    bad(RT, "model.image", 5, model={"image": 5}),
    bad(RT, "model.image.directory", NO_DOCKERFILE, model={"image": NO_DOCKERFILE}),
    bad(RT, "model.image.framework", "tensorflow-serving",
        model={"image": {"kind": "dlc", "framework": "tensorflow-serving", "version": "2"}}),
    bad(RT, "model.image.version", "1.0", model={"image": {"kind": "dlc", "framework": "pytorch",
                                                           "version": "1.0"}}),
    bad(RT, "model.image.framework", token(), model={"image": {
        "kind": "dlc", "framework": token(), "version": "2.6.0"}}),
    bad(RT, "model.image.repository", "(missing)", model={"image": {"kind": "repository"}}),
    bad(RT, "model.image.build_args.MODEL", token(), model={"image": {
        "kind": "asset", "directory": str(ROOT / "stacks/assets/review_sentiment/container"),
        "build_args": {"MODEL": token()}}}),
    bad(RT, "model.model_data.url", "s3://models-bucket/llm",
        model={"image_uri": IMAGE, "model_data": {"kind": "s3", "url": "s3://models-bucket/llm",
                                                  "uncompressed": True}}),
    bad(RT, "model.model_data.path", "/nonexistent/model.tar.gz",
        model={"image_uri": IMAGE, "model_data": {"kind": "asset",
                                                  "path": "/nonexistent/model.tar.gz"}}),
    bad(RT, "model.model_data_url", token("https://{}/m.tar.gz"),
        model=nested(MODEL, model_data_url=token("https://{}/m.tar.gz"))),
    bad(RT, "model.containers", 1, model={"containers": [MODEL]}),
    bad(RT, "model.containers", [MODEL] * 16, model={"containers": [MODEL] * 16}),
    bad(RT, "model.containers[0].hostname", None,
        model={"containers": PIPELINE, "inference_execution_mode": "Direct"}),
    bad(RT, "model.inference_execution_mode", "Direct",
        model=nested(MODEL, inference_execution_mode="Direct")),
    bad(RT, "model.environment", token(), model=nested(MODEL, environment={token(): "x"})),
    bad(RT, "endpoint_name", token("bad_{}"), endpoint_name=token("bad_{}")),
    bad(RT, "instance_type", token(), instance_type=token()),
    bad(RT, "container_startup_health_check_timeout_s",
        container_startup_health_check_timeout_s=59),
    bad(RT, "model_data_download_timeout_s", model_data_download_timeout_s=3601),
    bad(RT, "routing_strategy", routing_strategy="PREFIX_AWARE"),
    bad(RT, "inference_ami_version", inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1"),
    bad(RT, "inference_ami_version", "al2-ami-sagemaker-inference-neuron-2",
        instance_type="ml.g5.xlarge", inference_ami_version="al2-ami-sagemaker-inference-neuron-2"),
    bad(RT, "enable_ssm_access", enable_ssm_access="yes"),
    bad(RT, "variants[0].inference_ami_version", "al2-ami-sagemaker-inference-gpu-2",
        instance_type="ml.g5.xlarge", variants=[{
            "name": "Cpu", "instance_type": "ml.c5.xlarge",
            "inference_ami_version": "al2-ami-sagemaker-inference-gpu-2"}]),
    bad(RT, "traffic", traffic=5),
    bad(RT, "traffic.requests_per_month", NAN, traffic={"requests_per_month": NAN}),
    bad(SL, "traffic.avg_duration_ms", -1, traffic={"avg_duration_ms": -1}),
    # RealTimeEndpoint.
    bad(RT, "variant_weight", 0, variant_weight=0, variants=[{"name": "B", "weight": 0}]),
    bad(RT, "instance_type", instance_type="m5.large"),
    bad(RT, "instance_type", "(missing)", instance_type=DROP),
    bad(RT, "instance_count", instance_count=0),
    bad(RT, "instance_count", instance_count=1001),
    bad(RT, "instance_count", instance_count=True),
    bad(RT, "instance_count", instance_count="two"),
    bad(RT, "instance_count", 5, instance_count=5, autoscaling={"max_instances": 3}),
    bad(RT, "autoscaling.min_instances", 4, autoscaling={"min_instances": 4, "max_instances": 2}),
    bad(RT, "autoscaling.min_instances", 0, autoscaling={"min_instances": 0}),
    bad(RT, "autoscaling.target_invocations_per_instance", 0,
        autoscaling={"target_invocations_per_instance": 0}),
    bad(RT, "autoscaling.schedule.end_hour_utc", 8, autoscaling={"schedule": SCHEDULE_BACKWARDS}),
    bad(RT, "autoscaling.schedule", 5, autoscaling={
        "max_instances": 2, "schedule": {"business_hours_min_instances": 5}}),
    bad(RT, "kms_key", instance_type="ml.g5.xlarge", kms_key=EXISTING_KEY),
    bad(RT, "kms_key", kms_key="arn:aws:kms:us-east-1:123456789012:key/abc"),
    bad(RT, "kms_key", kms_key=OTHER_APP_KEY),
    bad(SL, "model.execution_role", OTHER_APP_ROLE,
        model=nested(MODEL, execution_role=OTHER_APP_ROLE)),
    bad(RT, "endpoint_name", endpoint_name="bad_name!"),
    bad(RT, "endpoint_name", endpoint_name="a" * 64),
    bad(RT, "variant_name", variant_name=""),
    bad(RT, "traffic.payload_kb", 7000, traffic=nested(TRAFFIC, payload_kb=7000)),
    bad(RT, "traffic.avg_duration_ms", 61_000, traffic=nested(TRAFFIC, avg_duration_ms=61_000)),
    bad(RT, "data_capture.sampling_percentage", 101, data_capture={"sampling_percentage": 101}),
    bad(RT, "data_capture.capture_output", False,
        data_capture={"capture_input": False, "capture_output": False}),
    bad(RT, "data_capture.bucket", "my-bucket", data_capture={"bucket": "my-bucket"}),
    bad(RT, "data_capture.prefix", "has spaces", data_capture={"prefix": "has spaces"}),
    bad(RT, "vpc.vpc", "vpc-0123456789abcdef0", vpc={"vpc": "vpc-0123456789abcdef0"}),
    bad(RT, "vpc.subnet_ids.0", "nope", vpc={"vpc": NO_PRIVATE_SUBNETS, "subnet_ids": ("nope",)}),
    bad(RT, "vpc.security_groups.0", "sg-0123",
        vpc={"vpc": NO_PRIVATE_SUBNETS, "security_groups": ("sg-0123",)}),
    bad(RT, "vpc.subnet_ids", (), vpc={"vpc": NO_PRIVATE_SUBNETS}),
    bad(RT, "network_isolation", network_isolation="yes"),
    bad(RT, "memory_mb", memory_mb=2048),
    bad(RT, "context['cost:hourly-overrides']", {"ml.m5.large": -1},
        context={"cost:hourly-overrides": {"ml.m5.large": -1}}),
    bad(RT, "context['cost:hourly-overrides']", "{nope",
        context={"cost:hourly-overrides": "{nope"}),
    bad(RT, "context['cost:hours-per-month']", 0, context={"cost:hours-per-month": 0}),
    bad(RT, "context['cost:hours-per-month']", 800, context={"cost:hours-per-month": 800}),
    bad(RT, "context['cost:require-prices']", "maybe",
        context={"cost:require-prices": "maybe"}),
    bad(RT, "context['cost:max-price-age-days']", 0, context={"cost:max-price-age-days": 0}),
    bad(RT, "context['cost:savings-plan']", 2, context={"cost:savings-plan": 2}),
    bad(RT, "context['cost:savings-plan']", {"share": 0.3, "upfront": True},
        context={"cost:savings-plan": {"share": 0.3, "upfront": True}}),
    bad(RT, "context['cost:price-book']", 5, context={"cost:price-book": 5}),
    bad(RT, "context['cost:price-book']", "/nonexistent/book.json",
        context={"cost:price-book": "/nonexistent/book.json"}),
    bad(RT, "construct_id", ID, taken=True),
    bad(RT, "construct_id", "", construct_id=""),
    bad(RT, "construct_id", 5, construct_id=5),
    bad(RT, "scope", None, scope=None),
    # ServerlessEndpoint.
    bad(SL, "memory_mb", memory_mb=1500),
    bad(SL, "memory_mb", memory_mb=8192),
    bad(SL, "memory_mb", memory_mb=True),
    bad(SL, "max_concurrency", max_concurrency=0),
    bad(SL, "max_concurrency", max_concurrency=201),
    bad(SL, "provisioned_concurrency", provisioned_concurrency=0),
    bad(SL, "provisioned_concurrency", 11, provisioned_concurrency=11, max_concurrency=10),
    bad(SL, "traffic.payload_kb", 5000, traffic=nested(TRAFFIC, payload_kb=5000)),
    bad(SL, "traffic.avg_duration_ms", 90_000, traffic=nested(TRAFFIC, avg_duration_ms=90_000)),
    bad(SL, "instance_type", instance_type="ml.g5.xlarge"),
    bad(SL, "kms_key", kms_key=EXISTING_KEY),
    bad(SL, "vpc", vpc={"vpc": NO_PRIVATE_SUBNETS}),
    bad(SL, "endpoint_name", endpoint_name="-leading-dash"),
    bad(SL, "(positional)", ("positional",), construct_id=(ID, "positional")),
    bad(SL, "model.containers", 2, model={"containers": PIPELINE}),
    bad(SL, "routing_strategy", routing_strategy="LEAST_OUTSTANDING_REQUESTS"),
    # AsyncEndpoint.
    bad(AS, "min_instances", 3, min_instances=3, max_instances=2),
    bad(AS, "max_instances", max_instances=0),
    bad(AS, "max_concurrent_invocations_per_instance",
        max_concurrent_invocations_per_instance=1001),
    bad(AS, "invocation_timeout_s", invocation_timeout_s=3601),
    bad(AS, "traffic.avg_duration_ms", 1_000_000,
        traffic={"requests_per_month": 10, "avg_duration_ms": 1_000_000}),
    bad(AS, "traffic.payload_kb", 1_048_577,
        traffic={"requests_per_month": 10, "payload_kb": 1_048_577}),
    bad(AS, "memory_mb", memory_mb=2048),
    bad(AS, "provisioned_concurrency", provisioned_concurrency=2),
    bad(AS, "instance_type", None, instance_type=DROP),
    bad(AS, "input_prefix", input_prefix="input"),
    bad(AS, "output_prefix", output_prefix="/output/"),
    bad(AS, "failure_prefix", "output/", failure_prefix="output/"),
    bad(AS, "output_bucket", output_bucket="my-results-bucket"),
    bad(AS, "success_topic", success_topic="arn:aws:sns:us-east-1:123456789012:done"),
    bad(AS, "kms_key", kms_key=OTHER_APP_KEY),
    bad(AS, "max_instance", max_instance=2),
    bad(AS, "model.inference_execution_mode", "Direct", model={
        "containers": [nested(MODEL, hostname="a"), nested(MODEL, hostname="b")],
        "inference_execution_mode": "Direct"}),
    bad(AS, "inference_ami_version", "al2-ami-sagemaker-inference-neuron-2",
        inference_ami_version="al2-ami-sagemaker-inference-neuron-2"),
    bad(AS, "model_data_download_timeout_s", model_data_download_timeout_s=0),
    bad(AS, "input_prefix", token("{}/in"), input_prefix=token("{}/in")),
    # BatchTransform.
    bad(BT, "schedule", "(missing)", schedule=DROP),
    bad(BT, "schedule", schedule="cron(0 2 * *)"),
    bad(BT, "schedule", schedule="every night"),
    bad(BT, "max_concurrent_transforms", 20, max_concurrent_transforms=20, max_payload_mb=6),
    bad(BT, "instance_count", instance_count=101),
    bad(BT, "input_s3_uri", input_s3_uri="https://data-bucket/in/"),
    bad(BT, "output_s3_uri", output_s3_uri="s3://Data_Bucket/out/"),
    bad(BT, "output_s3_uri", "s3://data-bucket/in", output_s3_uri="s3://data-bucket/in"),
    bad(BT, "traffic.runs_per_month", None, traffic={"records_per_run": 1000}),
    bad(BT, "traffic.records_per_run", None, traffic={"runs_per_month": 30}),
    bad(BT, "job_name_prefix", job_name_prefix="-nightly"),
    bad(BT, "timeout_hours", timeout_hours=0),
    bad(BT, "split_type", split_type="Lines"),
    bad(BT, "schedule_time_zone", schedule_time_zone="not a zone"),
    bad(BT, "kms_key", instance_type="ml.m5.xlarge", kms_key="alias/my-key"),
    bad(BT, "model.inference_execution_mode", "Direct", model={
        "containers": [nested(MODEL, hostname="a"), nested(MODEL, hostname="b")],
        "inference_execution_mode": "Direct"}),
    bad(BT, "input_s3_uri", token("https://{}/in/"), input_s3_uri=token("https://{}/in/")),
    bad(BT, "routing_strategy", routing_strategy="RANDOM"),
    # MultiModelEndpoint.
    bad(MM, "models_s3_prefix", models_s3_prefix="s3://tenant-models/scoring"),
    bad(MM, "models_s3_prefix", models_s3_prefix="tenant-models/scoring/"),
    bad(MM, "models", "(both)", models={"customer-001.tar.gz": TRAFFIC}),
    bad(MM, "traffic", "(neither)", traffic=DROP),
    bad(MM, "models[' leading-space.tar.gz']", " leading-space.tar.gz", traffic=DROP,
        models={" leading-space.tar.gz": TRAFFIC}),
    bad(MM, "variants[0].shadow", True, variants=[{"name": "S", "shadow": True}]),
    bad(MM, "variants[0].model.model_data_url", ARTIFACT,
        variants=[{"name": "B", "model": MODEL}]),
    bad(MM, "kms_key", instance_type="ml.g5.xlarge", kms_key=EXISTING_KEY),
    bad(MM, "instance_count", instance_count=0),
    bad(MM, "model_cache", model_cache="On"),
    bad(MM, "variant_weight", 0, variant_weight=0,
        variants=[{"name": "B", "weight": 0, "model": MM_MODEL}]),
    bad(MM, "model_data_url", model_data_url="s3://tenant-models/scoring/"),
    bad(MM, "image_uri", token("nginx:{}"), image_uri=token("nginx:{}")),
    bad(MM, "models_s3_prefix", token("s3://{}/scoring"), models_s3_prefix=token("s3://{}/scoring")),
    bad(MM, "model_data_download_timeout_s", model_data_download_timeout_s=30),
    bad(MM, "variants[0].model.containers", 2, variants=[{
        "name": "B", "model": {"containers": [MM_MODEL, MM_MODEL]}}]),
    # Variant (add_variant on a RealTimeEndpoint "Host").
    bad(VA, "weight", weight=-1),
    bad(VA, "name", "AllTraffic", construct_id="AllTraffic"),
    bad(VA, "construct_id", "B", construct_id="B", host={"variants": [{"name": "B"}]}),
    bad(VA, "variants", 11, host={"variants": [{"name": f"v{i}"} for i in range(9)]}),
    bad(VA, "shadow", True, shadow=True, model=MM_MODEL, host={"variants": [{"name": "B"}]}),
    bad(VA, "deployment", "rolling", host={"deployment": constructs_lib.RollingDeployment()}),
    bad(VA, "instance_count", 5, instance_count=5, autoscaling={"max_instances": 2}),
    bad(VA, "model.execution_role", OTHER_APP_ROLE,
        model=nested(MODEL, execution_role=OTHER_APP_ROLE)),
    bad(VA, "wieght", wieght=0.5),
    # ML storage volume and requests per instance at once (issue 16).
    bad(RT, "volume_size_gb", instance_type="ml.g5.xlarge", volume_size_gb=50),
    bad(RT, "volume_size_gb", volume_size_gb=0),
    bad(RT, "volume_size_gb", volume_size_gb=513),
    bad(RT, "volume_size_gb", volume_size_gb=True),
    bad(RT, "max_concurrent_requests_per_instance", max_concurrent_requests_per_instance=0),
    bad(RT, "max_concurrent_requests_per_instance", max_concurrent_requests_per_instance=1001),
    bad(MM, "volume_size_gb", instance_type="ml.g4dn.xlarge", volume_size_gb=100),
    bad(AS, "volume_size_gb", instance_type="ml.g5.xlarge", volume_size_gb=64),
    bad(AS, "volume_size_gb", volume_size_gb=600),
    bad(BT, "volume_size_gb", volume_size_gb=30),  # CreateTransformJob has no volume size
    bad(VA, "volume_size_gb", instance_type="ml.p4d.24xlarge", volume_size_gb=200),
    bad(VA, "volume_size_gb", 20, volume_size_gb=20,
        host={"instance_type": "ml.g5.xlarge"}),  # inherits the endpoint's NVMe type
    bad(VA, "max_concurrent_requests_per_instance", max_concurrent_requests_per_instance=-2),
    bad(RT, "variants[0].volume_size_gb", 40,
        variants=[{"name": "B", "instance_type": "ml.g5.xlarge", "volume_size_gb": 40}]),
    bad(VA, "(positional)", ("positional",), construct_id=(ID, "positional")),
    # InferenceComponentEndpoint (errors name components.<name>.<option>).
    bad(ICE, "instance_type", instance_type="ml.t2.medium"),
    bad(ICE, "instance_type", instance_type="ml.c6i.xlarge"),
    bad(ICE, "instance_type", "(missing)", instance_type=DROP),
    bad(ICE, "min_instances", 3, min_instances=3, max_instances=2),
    bad(ICE, "max_instances", max_instances=0),
    bad(ICE, "components.chat.accelerators", 8,
        components={"chat": nested(IC, accelerators=8)}),
    bad(ICE, "components.chat.accelerators", 1, instance_type="ml.m5.xlarge",
        components={"chat": nested(IC, memory_mb=1024)}),
    bad(ICE, "components.chat.memory_mb", 300_000,
        components={"chat": nested(IC, memory_mb=300_000)}),
    bad(ICE, "components.chat.memory_mb", 64, components={"chat": nested(IC, memory_mb=64)}),
    bad(ICE, "components.chat.memory_mb", "(missing)",
        components={"chat": {k: v for k, v in IC.items() if k != "memory_mb"}}),
    bad(ICE, "components.chat.cpu_cores", 64, components={"chat": nested(IC, cpu_cores=64)}),
    bad(ICE, "components.chat.cpu_cores", 0.1, components={"chat": nested(IC, cpu_cores=0.1)}),
    bad(ICE, "components.chat.accelerators", -1,
        components={"chat": nested(IC, accelerators=-1)}),
    bad(ICE, "components.chat.min_copies", 3,
        components={"chat": nested(IC, min_copies=3, max_copies=2)}),
    bad(ICE, "components.chat.max_copies", 0, components={"chat": nested(IC, max_copies=0)}),
    bad(ICE, "components.chat.target_concurrent_requests_per_copy", 0,
        components={"chat": nested(IC, target_concurrent_requests_per_copy=0)}),
    bad(ICE, "components.chat.model_data_download_timeout_s", 30,
        components={"chat": nested(IC, model_data_download_timeout_s=30)}),
    bad(ICE, "components.chat.container_startup_health_check_timeout_s", 4000,
        components={"chat": nested(IC, container_startup_health_check_timeout_s=4000)}),
    bad(ICE, "components.chat.traffic.payload_kb", 7000,
        components={"chat": nested(IC, traffic=nested(TRAFFIC, payload_kb=7000))}),
    bad(ICE, "components.bad_name", "bad_name", components={"bad_name": IC}),
    bad(ICE, "max_instances", 1, max_instances=1, components={
        "chat": nested(IC, accelerators=3), "code": nested(IC, accelerators=3)}),
    bad(ICE, "kms_key", kms_key=EXISTING_KEY),
    bad(ICE, "model", model=MODEL),
    bad(ICE, "instance_count", instance_count=2),
    bad(ICE, "max_instance", max_instance=2),
    # InferenceComponent (add_component on an endpoint "Host" of one instance, one component).
    bad(ICO, "accelerators", accelerators=8),
    bad(ICO, "memory_mb", memory_mb=10**6),
    bad(ICO, "max_instances", 1, accelerators=4),
    bad(ICO, "min_copies", 2, min_copies=2, max_copies=1),
    bad(ICO, "construct_id", "chat", construct_id="chat"),
    bad(ICO, "name", "has_underscore", construct_id="has_underscore"),
    bad(ICO, "model.image_uri", "nginx:latest", model=nested(MODEL, image_uri="nginx:latest")),
    bad(ICO, "max_copy", max_copy=2),
    bad(ICO, "(positional)", ("positional",), construct_id=(ID, "positional")),
    bad(VA, "routing_strategy", routing_strategy="least"),
    bad(VA, "inference_ami_version", "al2023-ami-sagemaker-inference-gpu-4-1",
        inference_ami_version="al2023-ami-sagemaker-inference-gpu-4-1"),
    bad(VA, "model.containers[1].hostname", None, model={"containers": [
        nested(MODEL, hostname="a"), MODEL]}),
    bad(RT, "variants.0.name", token("x_{}"), variants=({"name": token("x_{}")},)),
]


def run(case: Case) -> tuple[Construct, Callable[[], Any]]:
    """Where the construct would go (the stack, or a variant's endpoint) and a thunk that
    builds the bad configuration there."""
    builder = BUILDERS[case.construct]
    stack = make_stack(case.context, region=case.region)
    if case.taken:
        Construct(stack, ID)
    props = {**builder.baseline}
    overrides = dict(case.overrides)
    host = (builder.host(stack, _resolve(overrides.pop("host", {}), stack)) if builder.host
            else None)
    for key, value in overrides.items():
        if value is DROP:
            props.pop(key, None)
            continue
        props[key] = _resolve(value, stack)
    tree = host or stack
    scope = tree if case.scope == "stack" else case.scope
    args = case.construct_id if isinstance(case.construct_id, tuple) else (case.construct_id,)
    return tree, lambda: builder.build(scope, *args, **props)


def _resolve(value: Any, stack: cdk.Stack) -> Any:
    if isinstance(value, Make):
        return value.make(stack)
    if isinstance(value, dict):
        return {k: _resolve(v, stack) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_resolve(v, stack) for v in value)
    return value


def test_the_table_is_large_enough():
    assert len(CASES) >= 40
    assert {c.construct for c in CASES} >= set(BUILDERS)
    for construct in BUILDERS:
        assert sum(c.construct == construct for c in CASES) >= 6, construct


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_configuration_error(case: Case):
    tree, build = run(case)  # the stack, or the endpoint a variant is added to
    children_before = len(tree.node.children)
    with pytest.raises(ConfigurationError) as caught:
        build()
    error = caught.value
    assert isinstance(error, ValueError)
    message = str(error)
    builder = BUILDERS[case.construct]
    expected_path = builder.path if case.scope == "stack" else str(case.construct_id)
    if case.construct_id not in (ID, (ID, "positional")):
        expected_path = f"{builder.path.rsplit('/', 1)[0]}/{case.construct_id}"
    assert error.path == expected_path and f"'{expected_path}'" in message
    if case.construct != "TrafficHint":
        assert error.kind == case.construct and case.construct in message
    named = [p for p in error.problems
             if p.field == case.field or p.field.startswith(case.field + ".")]
    assert named, f"no problem names {case.field!r}: {message}"
    shown = None if "<" in repr(case.value) else _short(case.value)
    assert any(f"{p.field}=" in message and p.allowed.strip() for p in named), message
    if shown is not None and case.value != "(missing)":
        assert any(_short(p.value) == shown or repr(case.value) in _short(p.value)
                   for p in named), (shown, message)
    # Nothing was added to the tree: no half-built construct.
    assert len(tree.node.children) == children_before
    if not case.taken:
        assert tree.node.try_find_child(ID) is None
