"""Shared by the hardening tests: every example template synthesized once, with cdk-nag on.

``synthesized()`` builds the example app (``stacks.build_app``: whatever stacks it returns,
so stacks colleagues add are covered without edits here) plus one ``HardeningFeatures`` stack
that switches on the options the examples leave off (data capture with a rotated KMS key, VPC,
schedule, NVMe instance type, provisioned concurrency; image and model-data sources, token URIs,
multi-container models and the LLM variant options), runs the AwsSolutions and HIPAA Security
packs of cdk-nag 3.x as CDK validation plugins, and returns every template and the report.
"""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs_lib import (
    AlarmOptions,
    AsyncEndpoint,
    AutoscalingOptions,
    BatchTransform,
    ConcurrencyScaling,
    ContainerImage,
    ContainerSpec,
    DataCaptureOptions,
    InferenceComponentEndpoint,
    InferenceComponentOptions,
    ModelData,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    RequestsPerSecondScaling,
    ScheduledScaling,
    ServerlessEndpoint,
    TrafficHint,
    UtilizationScaling,
    VpcOptions,
)
from stacks import build_app

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
FEATURES = "HardeningFeatures"


@dataclass(frozen=True)
class Synthesized:
    templates: dict[str, dict[str, Any]]
    """Stack name -> CloudFormation template (every stack of the app)."""
    report: dict[str, Any] | None
    """``validation-report.json`` when a plugin reported a violation, else None."""
    error: str | None
    app: cdk.App

    def violations(self) -> list[str]:
        """One line per unacknowledged finding: ``rule at path``."""
        found = []
        for plugin in (self.report or {}).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                for where in violation.get("violatingConstructs", []):
                    found.append(f"{violation['ruleName']} at {where['constructPath']}")
        return sorted(found)


def features_stack(app: cdk.App) -> cdk.Stack:
    """The options the example stacks leave off, so their resources are checked too."""
    stack = cdk.Stack(app, FEATURES, env=cdk.Environment(region="us-east-1",
                                                         account="123456789012"))
    key = kms.Key(stack, "CaptureKey", enable_key_rotation=True,
                  removal_policy=cdk.RemovalPolicy.RETAIN,
                  description="data capture (test)")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0123456789abcdef0"])
    traffic = TrafficHint(requests_per_month=3_000_000, avg_duration_ms=40,
                          peak_requests_per_second=10, busy_hours_per_day=12)
    RealTimeEndpoint(
        stack, "Everything",
        model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/"),
        instance_type="ml.m5.xlarge", traffic=traffic, kms_key=key,
        autoscaling=AutoscalingOptions(
            min_instances=1, max_instances=4, target_invocations_per_instance=None,
            requests_per_second=RequestsPerSecondScaling(max_requests_per_second=20),
            utilization=UtilizationScaling(target_percent=60),
            schedule=ScheduledScaling(business_hours_min_instances=2)),
        alarms=AlarmOptions(),
        vpc=VpcOptions(vpc=vpc, subnet_ids=("subnet-0123456789abcdef0",)),
        network_isolation=True,
        data_capture=DataCaptureOptions(sampling_percentage=5),
    )
    RealTimeEndpoint(
        stack, "Nvme",
        model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/llm/model.tar.gz"),
        instance_type="ml.g5.xlarge", traffic=traffic,
        data_capture=DataCaptureOptions(),
    )
    ServerlessEndpoint(
        stack, "Warm",
        model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/small/model.tar.gz"),
        traffic=TrafficHint(requests_per_month=50_000), memory_mb=1024, max_concurrency=20,
        provisioned_concurrency=2, alarms=AlarmOptions(),
    )
    # The newer constructs with their options on: a customer key everywhere, an NVMe type,
    # a variant with its own model and role, a multi-model fleet with a key and two variants.
    AsyncEndpoint(
        stack, "AsyncNvme",
        model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/docs/model.tar.gz"),
        instance_type="ml.g5.xlarge", kms_key=key, min_instances=0, max_instances=2,
        traffic=TrafficHint(requests_per_month=2_000, avg_duration_ms=20_000, payload_kb=8192),
        alarms=AlarmOptions(),
    )
    BatchTransform(
        stack, "BatchEncrypted",
        model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/churn/model.tar.gz"),
        instance_type="ml.m5.xlarge", kms_key=key, schedule="rate(1 day)",
        input_s3_uri="s3://data-bucket/in/", output_s3_uri="s3://data-bucket/out/",
        traffic=TrafficHint(records_per_run=100_000, runs_per_month=30, avg_duration_ms=5),
    )
    fleet = MultiModelEndpoint(
        stack, "FleetEncrypted",
        image_uri=IMAGE, models_s3_prefix="s3://models-bucket/tenants/",
        instance_type="ml.m5.xlarge", kms_key=key, traffic=traffic,
        autoscaling=AutoscalingOptions(
            min_instances=1, max_instances=3,
            concurrency=ConcurrencyScaling(target_concurrent_requests=4)),
        alarms=AlarmOptions(include=("error_rate", "latency")),
    )
    fleet.add_variant("Next", model=ModelSpec(
        image_uri=IMAGE, model_data_url="s3://models-bucket/tenants-v2/"), weight=0.2)
    # Inference components on an EBS-backed Neuron type with a customer key: one held at a
    # copy (no wake-up alarm), one CPU-only model beside it.
    InferenceComponentEndpoint(
        stack, "ComponentsEncrypted", instance_type="ml.inf2.xlarge", kms_key=key,
        min_instances=1, max_instances=2, components={
            "neuron": InferenceComponentOptions(
                model=ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/neuron/"),
                traffic=traffic, accelerators=1, memory_mb=8192, min_copies=1, max_copies=2),
            "cpu": InferenceComponentOptions(
                model=ModelSpec(image_uri=IMAGE,
                                model_data_url="s3://models-bucket/cpu/model.tar.gz"),
                traffic=TrafficHint(requests_per_month=10_000), memory_mb=2048, cpu_cores=1),
        })
    sources_and_pipelines(stack)
    return stack


def sources_and_pipelines(stack: cdk.Stack) -> None:
    """Issue 17's options: a Deep Learning Container serving uncompressed weights with the LLM
    variant options, token URIs (parameters: bare tokens) and repositories in a pipeline."""
    weights = s3.Bucket.from_bucket_name(stack, "Weights", "llm-weights-bucket")
    RealTimeEndpoint(
        stack, "Llm", instance_type="ml.g5.2xlarge",
        traffic=TrafficHint(requests_per_month=500_000, avg_duration_ms=2_000),
        model=ModelSpec(image=ContainerImage.from_dlc("huggingface-llm", "3.3.6"),
                        model_data=ModelData.from_bucket(weights, "llama-3-8b/",
                                                         uncompressed=True),
                        environment={"HF_MODEL_ID": "/opt/ml/model"}),
        container_startup_health_check_timeout_s=1800, model_data_download_timeout_s=1800,
        routing_strategy="LEAST_OUTSTANDING_REQUESTS",
        inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1")
    image = cdk.CfnParameter(stack, "FeatureImage", description="preprocessing image URI")
    artifact = cdk.CfnParameter(stack, "FeatureArtifact", description="its model.tar.gz URL")
    scorer = ecr.Repository.from_repository_name(stack, "Scorer", "team/scorer")
    AsyncEndpoint(
        stack, "Pipeline", instance_type="ml.m5.xlarge", max_instances=2,
        traffic=TrafficHint(requests_per_month=2_000, avg_duration_ms=20_000),
        model=ModelSpec(containers=(
            ContainerSpec(image_uri=image.value_as_string,
                          model_data_url=artifact.value_as_string),
            ContainerSpec(image=ContainerImage.from_repository(scorer, "v4"),
                          model_data=ModelData.from_bucket(weights, "scorer/model.tar.gz")))))
    RealTimeEndpoint(
        stack, "Direct", instance_type="ml.m5.xlarge", traffic=TrafficHint(requests_per_month=1e6),
        model=ModelSpec(inference_execution_mode="Direct", containers=(
            ContainerSpec(image=ContainerImage.from_dlc("pytorch", "2.6.0", processor="cpu"),
                          hostname="pytorch",
                          model_data_url="s3://models-bucket/torch/model.tar.gz"),
            ContainerSpec(image_uri=IMAGE, hostname="xgboost",
                          model_data_url="s3://models-bucket/fraud/v1/model.tar.gz"))))


def synth_with_nag(app: cdk.App, outdir: str) -> Synthesized:
    # cdk-nag is a dev dependency: imported here, never by the library.
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks

    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app))
    error = None
    try:
        assembly = app.synth()
        stacks = assembly.stacks
        templates = {s.stack_name: s.template for s in stacks}
    except RuntimeError as exc:  # ValidationFailed: the report says which findings
        error = str(exc)
        templates = {}
        for path in Path(outdir).glob("*.template.json"):
            templates[path.name.removesuffix(".template.json")] = json.loads(path.read_text())
    report_path = Path(outdir) / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else None
    return Synthesized(templates, report, error, app)


@functools.cache
def synthesized() -> Synthesized:
    """The example app and the features stack, synthesized once per test session."""
    outdir = tempfile.mkdtemp(prefix="hardening-")
    app = cdk.App(outdir=outdir)
    build_app(app)
    features_stack(app)
    return synth_with_nag(app, outdir)


def resources(template: dict[str, Any], *types: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, res) for name, res in template.get("Resources", {}).items()
            if not types or res.get("Type") in types]


def acknowledgements(app: cdk.App) -> list[tuple[str, str, str]]:
    """Every acknowledged rule in ``app``: (construct path, rule id, reason)."""
    key = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found = []
    for node in app.node.find_all():
        for entry in node.node.metadata:
            if entry.type == key:
                for rule_id, reason in (entry.data or {}).items():
                    # core stores ids without a well-known prefix as "Annotation::<id>";
                    # cdk-nag strips that prefix when it matches findings.
                    found.append((node.node.path, rule_id.removeprefix("Annotation::"), reason))
    return found


LINT_IGNORED: dict[str, str] = {}
"""cfn-lint rules ignored over the library's templates, with the reason each is (none today)."""


@functools.cache
def _lint_rules():  # type: ignore[no-untyped-def]
    from cfnlint.core import get_rules

    return get_rules([], list(LINT_IGNORED), [])


def cfn_lint(template: dict[str, Any], region: str = "us-east-1") -> list[str]:
    """cfn-lint in-process (rules loaded once): one ``RULE message (path)`` per error or warning."""
    from cfnlint.api import lint

    matches = lint(json.dumps(template), rules=_lint_rules(), regions=[region])
    return [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches
            if m.rule.id[0] in "EW"]
