"""Multi-container models (serial inference pipelines and direct invocation) and the instance
options of a variant (startup health check and download timeouts, routing, inference AMI, SSM
access): what the template holds, what the role may do, what the estimate says."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Match, Template

from constructs_lib import (
    AsyncEndpoint,
    BatchTransform,
    ConfigurationError,
    ContainerImage,
    ContainerSpec,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .cfn_eval import evaluate
from .conftest import ARTIFACT, IMAGE

ENV = cdk.Environment(account="123456789012", region="us-east-1")
TRAFFIC = TrafficHint(requests_per_month=1e6)
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
PREPROCESS = ContainerSpec(image_uri=SKLEARN,
                           model_data_url="s3://models-bucket/features/v3/model.tar.gz")
SCORE = ContainerSpec(image_uri=IMAGE, model_data_url=ARTIFACT)


def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Test", env=ENV)


def pipeline(*containers: ContainerSpec, mode: str = "Serial") -> ModelSpec:
    return ModelSpec(containers=containers or (PREPROCESS, SCORE),
                     inference_execution_mode=mode)


def the(template: dict[str, Any], rtype: str) -> dict[str, Any]:
    [found] = [r for r in template["Resources"].values() if r["Type"] == rtype]
    return found["Properties"]


def sids(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in the(template, "AWS::IAM::ManagedPolicy")["PolicyDocument"][
        "Statement"] if "Sid" in s}


def test_a_serial_pipeline_lists_its_containers_and_the_role_pulls_and_reads_each():
    s = stack()
    single = RealTimeEndpoint(s, "Single", model=ModelSpec(image_uri=IMAGE,
                                                           model_data_url=ARTIFACT),
                              instance_type="ml.m5.large", traffic=TRAFFIC)
    s2 = stack()
    ep = RealTimeEndpoint(s2, "Ep", model=pipeline(), instance_type="ml.m5.large",
                          traffic=TRAFFIC)
    t = Template.from_stack(s2).to_json()
    model = the(t, "AWS::SageMaker::Model")
    assert "PrimaryContainer" not in model
    assert [c["Image"] for c in model["Containers"]] == [SKLEARN, IMAGE]
    assert model["InferenceExecutionConfig"] == {"Mode": "Serial"}
    found = sids(t)
    assert [evaluate(r) for r in found["PullModelImage"]["Resource"]] == [
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"]
    assert [evaluate(r) for r in found["ReadModelArtifact"]["Resource"]] == [
        "arn:aws:s3:::models-bucket/features/v3/model.tar.gz",
        "arn:aws:s3:::models-bucket/fraud/v1/model.tar.gz"]
    # One fleet: the containers share the instances, so the price is the single model's.
    assert ep.cost_estimate.monthly_usd == single.cost_estimate.monthly_usd
    assert "2 containers (Serial) share each instance: priced as one fleet" in (
        ep.cost_estimate.assumptions)


def test_direct_invocation_names_every_container():
    s = stack()
    repo = ecr.Repository(s, "Repo")
    RealTimeEndpoint(s, "Ep", instance_type="ml.m5.large", traffic=TRAFFIC, model=pipeline(
        ContainerSpec(image=ContainerImage.from_repository(repo, "tf"), hostname="tensorflow"),
        ContainerSpec(image_uri=IMAGE, model_data_url=ARTIFACT, hostname="xgboost",
                      environment={"SAGEMAKER_PROGRAM": "score.py"}),
        mode="Direct"))
    t = Template.from_stack(s).to_json()
    model = the(t, "AWS::SageMaker::Model")
    assert [c["ContainerHostname"] for c in model["Containers"]] == ["tensorflow", "xgboost"]
    assert model["Containers"][1]["Environment"] == {"SAGEMAKER_PROGRAM": "score.py"}
    assert model["InferenceExecutionConfig"] == {"Mode": "Direct"}
    rid = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::ECR::Repository")
    assert sids(t)["PullModelImage"]["Resource"][0] == {"Fn::GetAtt": [rid, "Arn"]}


def test_async_and_batch_run_pipelines_serially():
    s = stack()
    AsyncEndpoint(s, "Docs", model=pipeline(), instance_type="ml.m5.xlarge", traffic=TRAFFIC)
    BatchTransform(s, "Nightly", model=pipeline(), instance_type="ml.m5.xlarge",
                   traffic=TrafficHint(records_per_run=1e5, runs_per_month=30),
                   input_s3_uri="s3://data-bucket/in/", output_s3_uri="s3://data-bucket/out/",
                   schedule="rate(1 day)")
    models = Template.from_stack(s).find_resources("AWS::SageMaker::Model")
    assert [m["Properties"]["InferenceExecutionConfig"] for m in models.values()] == [
        {"Mode": "Serial"}] * 2
    assert all(len(m["Properties"]["Containers"]) == 2 for m in models.values())


@pytest.mark.parametrize("build, field, allowed", [
    (lambda s: AsyncEndpoint(s, "Ep", model=pipeline(
        PREPROCESS.model_copy(update={"hostname": "a"}), SCORE.model_copy(update={"hostname": "b"}),
        mode="Direct"), instance_type="ml.m5.xlarge", traffic=TRAFFIC),
     "model.inference_execution_mode", "InvokeEndpointAsync cannot name a target container"),
    (lambda s: BatchTransform(s, "Ep", model=pipeline(
        PREPROCESS.model_copy(update={"hostname": "a"}), SCORE.model_copy(update={"hostname": "b"}),
        mode="Direct"), instance_type="ml.m5.xlarge",
        traffic=TrafficHint(records_per_run=1, runs_per_month=1),
        input_s3_uri="s3://data-bucket/in/", output_s3_uri="s3://data-bucket/out/",
        schedule="rate(1 day)"),
     "model.inference_execution_mode", "CreateTransformJob cannot name a target container"),
    (lambda s: ServerlessEndpoint(s, "Ep", model=pipeline(), traffic=TRAFFIC),
     "model.containers", "Serverless Inference does not host multi-container models"),
    (lambda s: MultiModelEndpoint(s, "Ep", image_uri=IMAGE, models_s3_prefix="s3://m-1/p/",
                                  instance_type="ml.c5.xlarge", traffic=TRAFFIC,
                                  variants=[{"name": "B", "model": pipeline()}]),
     "variants[0].model.containers", "SageMaker refuses mixing multi-model"),
])
def test_where_sagemaker_refuses_a_pipeline_the_error_says_why(build, field, allowed):
    s = stack()
    with pytest.raises(ConfigurationError) as caught:
        build(s)
    assert any(p.field == field and allowed in p.allowed for p in caught.value.problems), (
        str(caught.value))
    assert s.node.try_find_child("Ep") is None


@pytest.mark.parametrize("props, field, allowed", [
    ({"containers": [PREPROCESS]}, "containers", "2-15 containers"),
    ({"containers": [SCORE] * 16}, "containers", "at most 15"),
    ({"containers": [PREPROCESS, SCORE], "inference_execution_mode": "Direct"},
     "containers[0].hostname", "required on every container with Direct invocation"),
    ({"containers": [PREPROCESS.model_copy(update={"hostname": "a"}), SCORE]},
     "containers[1].hostname", "on every container of the pipeline, or on none"),
    ({"containers": [PREPROCESS.model_copy(update={"hostname": "a"}),
                     SCORE.model_copy(update={"hostname": "a"})]},
     "containers[1].hostname", "unique"),
    ({"containers": [PREPROCESS, SCORE], "image_uri": IMAGE}, "image_uri", "not with containers"),
    ({"image_uri": IMAGE, "inference_execution_mode": "Direct"}, "inference_execution_mode",
     "Direct needs containers"),
    ({"image_uri": IMAGE, "hostname": "solo"}, "hostname", "SageMaker ignores it"),
    ({}, "image_uri", "give image_uri or image"),
])
def test_bad_pipelines_are_refused(props, field, allowed):
    with pytest.raises(ConfigurationError) as caught:
        ModelSpec(**props)
    assert any(p.field == field and allowed in p.allowed for p in caught.value.problems), (
        str(caught.value))


# --- instance options ------------------------------------------------------------------------

LLM_OPTIONS = {"container_startup_health_check_timeout_s": 1800,
               "model_data_download_timeout_s": 2400,
               "routing_strategy": "LEAST_OUTSTANDING_REQUESTS",
               "inference_ami_version": "al2-ami-sagemaker-inference-gpu-3-1",
               "enable_ssm_access": True}
RENDERED = {"ContainerStartupHealthCheckTimeoutInSeconds": 1800,
            "ModelDataDownloadTimeoutInSeconds": 2400,
            "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            "InferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-3-1",
            "EnableSSMAccess": True}
MODEL = ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)


def test_the_llm_options_reach_the_variant_and_an_added_variant_inherits_them():
    s = stack()
    plain = RealTimeEndpoint(stack(), "Ep", model=MODEL, instance_type="ml.g5.xlarge",
                             traffic=TRAFFIC)
    ep = RealTimeEndpoint(s, "Ep", model=MODEL, instance_type="ml.g5.xlarge", traffic=TRAFFIC,
                          **LLM_OPTIONS)
    ep.add_variant("Next", weight=0.1, routing_strategy="RANDOM",
                   container_startup_health_check_timeout_s=600)
    variants = the(Template.from_stack(s).to_json(),
                   "AWS::SageMaker::EndpointConfig")["ProductionVariants"]
    assert {k: variants[0][k] for k in RENDERED} == RENDERED
    assert {k: variants[1].get(k) for k in RENDERED} == {
        **RENDERED, "ContainerStartupHealthCheckTimeoutInSeconds": 600,
        "RoutingConfig": {"RoutingStrategy": "RANDOM"}}
    # Not billed: the options change nothing in the estimate.
    single = ep.cost_estimate.lines[0]
    assert single.unit_usd == plain.cost_estimate.lines[0].unit_usd


def test_unset_options_leave_sagemakers_defaults():
    s = stack()
    RealTimeEndpoint(s, "Ep", model=MODEL, instance_type="ml.m5.large", traffic=TRAFFIC)
    [variant] = the(Template.from_stack(s).to_json(),
                    "AWS::SageMaker::EndpointConfig")["ProductionVariants"]
    assert not set(variant) & set(RENDERED)


def test_async_and_multi_model_variants_take_the_options():
    s = stack()
    AsyncEndpoint(s, "Docs", model=MODEL, instance_type="ml.g5.xlarge", traffic=TRAFFIC,
                  **LLM_OPTIONS)
    MultiModelEndpoint(s, "Fleet", image_uri=IMAGE, models_s3_prefix="s3://m-1/p/",
                       instance_type="ml.c5.xlarge", traffic=TRAFFIC,
                       model_data_download_timeout_s=900)
    configs = Template.from_stack(s).find_resources("AWS::SageMaker::EndpointConfig")
    variants = {name: c["Properties"]["ProductionVariants"][0] for name, c in configs.items()}
    docs = next(v for n, v in variants.items() if n.startswith("Docs"))
    fleet = next(v for n, v in variants.items() if n.startswith("Fleet"))
    assert {k: docs[k] for k in RENDERED} == RENDERED
    assert fleet["ModelDataDownloadTimeoutInSeconds"] == 900


@pytest.mark.parametrize("options, instance_type, field, allowed", [
    ({"container_startup_health_check_timeout_s": 59}, "ml.m5.large",
     "container_startup_health_check_timeout_s", "greater than or equal to 60"),
    ({"model_data_download_timeout_s": 3601}, "ml.m5.large", "model_data_download_timeout_s",
     "less than or equal to 3600"),
    ({"routing_strategy": "PREFIX_AWARE"}, "ml.m5.large", "routing_strategy",
     "LEAST_OUTSTANDING_REQUESTS"),
    ({"inference_ami_version": "al2-ami-sagemaker-inference-gpu-3-1"}, "ml.c5.xlarge",
     "inference_ami_version", "an NVIDIA GPU image, for GPU instance types"),
    ({"inference_ami_version": "al2-ami-sagemaker-inference-neuron-2"}, "ml.g5.xlarge",
     "inference_ami_version", "a Neuron image, for Inferentia2 or Trainium"),
    ({"inference_ami_version": "al2-ami-sagemaker-inference-gpu-9"}, "ml.g5.xlarge",
     "inference_ami_version", "al2023-ami-sagemaker-inference-gpu-4-1"),
    ({"enable_ssm_access": "yes"}, "ml.m5.large", "enable_ssm_access", "True or False"),
])
def test_bad_options_are_refused(options, instance_type, field, allowed):
    s = stack()
    with pytest.raises(ConfigurationError) as caught:
        RealTimeEndpoint(s, "Ep", model=MODEL, instance_type=instance_type, traffic=TRAFFIC,
                         **options)
    assert any(p.field == field and allowed in p.allowed for p in caught.value.problems), (
        str(caught.value))


def test_a_neuron_ami_fits_inferentia2_and_an_added_variant_is_checked_on_its_own_type():
    s = stack()
    ep = RealTimeEndpoint(s, "Ep", model=MODEL, instance_type="ml.inf2.xlarge", traffic=TRAFFIC,
                          inference_ami_version="al2-ami-sagemaker-inference-neuron-2")
    with pytest.raises(ConfigurationError, match=r"Variant at 'Test/Ep/Gpu'[\s\S]*"
                                                 r"inference_ami_version='al2-ami-sagemaker-"
                                                 r"inference-neuron-2': a Neuron image"):
        ep.add_variant("Gpu", instance_type="ml.g5.xlarge")
    Template.from_stack(s).has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [Match.object_like(
            {"InferenceAmiVersion": "al2-ami-sagemaker-inference-neuron-2"})]})
