"""Real deploys of the example app to a local AWS (moto's server, tests/local_aws.py) with the
pinned CDK CLI: bootstrap, deploy every stack build_app returns, update one in place, destroy.

What moto creates is checked with boto3 per resource type (tests/deployed.py: endpoints, endpoint
configs and their variants / serverless / async / data-capture settings, models, roles, buckets,
topics, state machines, rules). What moto accepts without creating (Application Auto Scaling
targets and policies, alarms, bucket and topic policies, ...) is checked in the template instead.
moto's endpoint-config check knows only older instance types; the server accepts every type in
botocore's SageMaker model instead (see ``accept_sagemaker_instance_types``), so the examples
deploy exactly as they are.

moto has no SageMaker inference components. With the SharedLlmFleet stack it creates the
roles, the two models, the endpoint config (its variant names no model: moto would fail the
whole change set on that, so the server accepts it as botocore's model does, see
``accept_variants_without_model``) and the endpoint, all checked with boto3 below; it accepts
the two ``AWS::SageMaker::InferenceComponent`` resources (and their scaling targets, policies
and wake-up alarms) without creating them, so those are checked in the template
(``TEMPLATE_ONLY`` in tests/deployed.py) and against the CloudFormation schema by cfn-lint
(tests/test_cfn_lint.py).

A stack that builds a container image (a ``DockerImageAsset``: ReviewSentiment) cannot be
deployed with ``cdk deploy`` here: there is no Docker daemon to build the image, and nothing to
push it with. What this test does instead, and checks: the asset manifest (the image's build
directory holds its Dockerfile; its destination is the bootstrap repository, which exists, at
the tag the model's ``Image`` names; the image was not pushed), then the file assets published
to the bootstrap bucket as ``cdk deploy`` publishes them and the template created with
CloudFormation as it is (moto does not pull images), and every resource checked as for the
other stacks: the model names the asset image and reads the uploaded ``model.tar.gz``.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from stacks import build_app
from stacks.canary_rollout import CTX_SHADOW_WEIGHT
from stacks.fraud_check import CTX_DATA_CAPTURE, CTX_INSTANCE_TYPE, DEFAULT_INSTANCE_TYPE

from .deployed import CREATED, TEMPLATE_ONLY, Ctx, moto_creates
from .local_aws import (
    REGION,
    LocalAws,
    assembly,
    assert_loopback,
    deploy_without_building_images,
    needs_docker,
)

pytestmark = pytest.mark.deploy

MOTO_ACCOUNT = "123456789012"
UPDATED_INSTANCE_TYPE = "ml.m5.xlarge"
MARKER_KEY = "deploy-test/marker.txt"
DEPLOY = ("deploy", "--require-approval", "never")
# Updates go through UpdateStack, not a change set, with the bootstrap-version parameter given:
# moto 5.2.5 keys change sets by name across stacks (waiting for FraudCheckApi's
# `cdk-deploy-change-set` to be deleted, the CLI keeps finding InternalTool's), and its
# UpdateStack fails (KeyError, HTTP 500) on the UsePreviousValue the CLI sends for it.
UPDATE = (*DEPLOY, "--method=direct", "--parameters",
          "BootstrapVersion=/cdk-bootstrap/hnb659fds/version")


class Seen:
    """Every resource deployed in any phase.

    (stack, logical id) -> (type, physical id, retained).
    """

    def __init__(self) -> None:
        self.resources: dict[tuple[str, str], tuple[str, str, bool]] = {}
        self.marked_buckets: set[str] = set()


def template_of(out: Path, stack: str) -> dict[str, Any]:
    return json.loads((out / f"{stack}.template.json").read_text())


def check_stack(aws: LocalAws, stack: str, template: dict[str, Any], seen: Seen) -> dict[str, str]:
    """Check every template resource against what was deployed; logical id -> physical id."""
    cfn = aws.client("cloudformation")
    status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    assert status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), (stack, status)
    summaries = {r["LogicalResourceId"]: r for r in
                 cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
                 if r.get("ResourceType")}  # moto lists types it does not create untyped
    physical = {lid: s["PhysicalResourceId"] for lid, s in summaries.items()}
    ctx = Ctx(aws, MOTO_ACCOUNT, REGION, physical)
    resources = template["Resources"]
    for lid, resource in resources.items():
        rtype, props = resource["Type"], resource.get("Properties", {})
        if not moto_creates(rtype):
            assert rtype in TEMPLATE_ONLY, (
                f"{stack}/{lid}: moto does not create {rtype}; add a template check and the "
                "reason to TEMPLATE_ONLY in tests/deployed.py")
            TEMPLATE_ONLY[rtype][1](resources, props)
            continue
        if lid not in summaries and status == "UPDATE_COMPLETE" and rtype in MOTO_UPDATE_GAPS:
            # moto gap, not ours: see MOTO_UPDATE_GAPS. The template still has to hold it.
            assert props.get("PolicyDocument", {}).get("Statement"), (stack, lid)
            continue
        assert lid in summaries, f"{stack}/{lid} ({rtype}) was not deployed"
        assert summaries[lid]["ResourceStatus"].endswith("_COMPLETE"), summaries[lid]
        if rtype in CREATED:  # other types: deployed and complete is what is checked
            CREATED[rtype].check(ctx, physical[lid], props)
        retained = resource.get("DeletionPolicy") == "Retain"
        seen.resources[(stack, lid)] = (rtype, physical[lid], retained)
        if rtype == "AWS::S3::Bucket" and retained and physical[lid] not in seen.marked_buckets:
            aws.client("s3").put_object(Bucket=physical[lid], Key=MARKER_KEY, Body=b"kept")
            seen.marked_buckets.add(physical[lid])
    return physical


MOTO_UPDATE_GAPS = {
    "AWS::IAM::ManagedPolicy": "moto 5.2.5's CloudFormation cannot update a managed policy in "
    "place: when its document changes (data capture adds s3:PutObject) moto drops it from the "
    "stack's resources; AWS updates it in place",
}


def endpoints_of(template: dict[str, Any], physical: dict[str, str]) -> dict[str, str]:
    return {lid: physical[lid] for lid, r in template["Resources"].items()
            if r["Type"] == "AWS::SageMaker::Endpoint"}


def test_bootstrap_deploy_update_destroy(local_aws: LocalAws, tmp_path: Path) -> None:
    aws, seen = local_aws, Seen()
    assert_loopback(aws.env()["AWS_ENDPOINT_URL"])
    assert aws.account() == MOTO_ACCOUNT  # the CLI will see moto's account, not a real one
    sm, s3 = aws.client("sagemaker"), aws.client("s3")
    stacks = [s.stack_name for s in build_app(cdk.App())]

    aws.cdk("bootstrap", f"aws://{MOTO_ACCOUNT}/{REGION}", output=tmp_path / "bootstrap")
    assert aws.client("ssm").get_parameter(Name="/cdk-bootstrap/hnb659fds/version")

    # 1. Every example stack, as the README's synth builds it: with cdk deploy, except those that
    # build a container image (no Docker here; see the module docstring and check_image_stack).
    out = tmp_path / "deploy"
    aws.cdk("synth", "--quiet", output=out)
    synthesized = assembly(out)
    assert set(synthesized) == set(stacks)
    images = [name for name, stack in synthesized.items() if needs_docker(stack)]
    assert images == ["ReviewSentiment"]
    aws.cdk(*DEPLOY, *[s for s in stacks if s not in images], output=out)
    for name in images:
        deploy_without_building_images(aws, name, synthesized[name], out)
    deployed = {s["StackName"] for s in aws.client("cloudformation").describe_stacks()["Stacks"]}
    assert deployed == {"CDKToolkit", *stacks}
    physical = {stack: check_stack(aws, stack, template_of(out, stack), seen) for stack in stacks}
    assert len(sm.list_endpoints()["Endpoints"]) == sum(
        len(endpoints_of(template_of(out, s), physical[s])) for s in stacks)
    for name in images:
        check_image_stack(aws, synthesized[name], out, physical[name])

    # 2. Updates of the fraud-check API in place: data capture on (a new retained bucket and a
    # new endpoint config), then another instance type (another endpoint config).
    fraud = "FraudCheckApi"
    before = endpoints_of(template_of(out, fraud), physical[fraud])
    assert len(before) == 1
    config_id = next(lid for lid, r in template_of(out, fraud)["Resources"].items()
                     if r["Type"] == "AWS::SageMaker::EndpointConfig")
    old_config = physical[fraud][config_id]
    for step, context in enumerate([
        {CTX_DATA_CAPTURE: "true"},
        {CTX_DATA_CAPTURE: "true", CTX_INSTANCE_TYPE: UPDATED_INSTANCE_TYPE},
    ]):
        out = tmp_path / f"update-{step}"
        aws.cdk(*UPDATE, fraud, context=context, output=out)
        template = template_of(out, fraud)
        now = check_stack(aws, fraud, template, seen)
        # Same logical id, same physical id: updated in place, not replaced. The endpoint names
        # its config through GetAtt, and EndpointConfigName is an update-in-place property.
        assert endpoints_of(template, now) == before, "the endpoint was replaced, not updated"
        assert template["Resources"][next(iter(before))]["Properties"]["EndpointConfigName"] == \
            {"Fn::GetAtt": [config_id, "EndpointConfigName"]}
        (arn,) = before.values()
        assert sm.describe_endpoint(EndpointName=arn.split("/")[-1])["EndpointArn"] == arn
        new_config = now[config_id]
        assert new_config != old_config
        names = {c["EndpointConfigArn"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
        assert new_config in names and old_config not in names, "old config kept"
        config = sm.describe_endpoint_config(EndpointConfigName=new_config.split("/")[-1])
        expected_type = context.get(CTX_INSTANCE_TYPE, DEFAULT_INSTANCE_TYPE)
        assert [v["InstanceType"] for v in config["ProductionVariants"]] == [expected_type]
        old_config = new_config
    retained_buckets = {lid: p for (stack, lid), (t, p, retained) in seen.resources.items()
                        if stack == fraud and t == "AWS::S3::Bucket" and retained}
    # data capture adds its bucket and that bucket's server-access-log bucket, both retained
    assert len(retained_buckets) == 2, retained_buckets
    capture = [p for lid, p in retained_buckets.items() if "AccessLogs" not in lid]
    assert len(capture) == 1
    assert config["DataCaptureConfig"]["DestinationS3Uri"].startswith(f"s3://{capture[0]}/")
    for bucket in seen.marked_buckets:  # written before the updates, still there
        assert s3.get_object(Bucket=bucket, Key=MARKER_KEY)["Body"].read() == b"kept"

    # 2b. A variant weight changed on purpose: the canary's shadow weight 0.5 -> 1.0. The
    # endpoint stays (same logical and physical id), a new config carries the new weight, the
    # old config is gone, and the update resets the retained weights (DesiredWeight).
    canary = "CanaryRollout"
    before = endpoints_of(template_of(tmp_path / "deploy", canary), physical[canary])
    config_id = next(lid for lid, r in template_of(tmp_path / "deploy", canary)["Resources"].items()
                     if r["Type"] == "AWS::SageMaker::EndpointConfig")
    old_config = physical[canary][config_id]
    out = tmp_path / "update-canary"
    aws.cdk(*UPDATE, canary, context={CTX_SHADOW_WEIGHT: "1.0"}, output=out)
    template = template_of(out, canary)
    now = check_stack(aws, canary, template, seen)
    assert endpoints_of(template, now) == before, "the endpoint was replaced, not updated"
    endpoint_props = template["Resources"][next(iter(before))]["Properties"]
    assert endpoint_props["RetainAllVariantProperties"] is True
    assert endpoint_props["ExcludeRetainedVariantProperties"] == [
        {"VariantPropertyType": "DesiredWeight"}]
    assert now[config_id] != old_config
    names = {c["EndpointConfigArn"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
    assert now[config_id] in names and old_config not in names, "old config kept"
    config = sm.describe_endpoint_config(EndpointConfigName=now[config_id].split("/")[-1])
    assert [v["VariantName"] for v in config["ProductionVariants"]] == ["v7"]
    shadow = template["Resources"][config_id]["Properties"]["ShadowProductionVariants"]
    assert [v["InitialVariantWeight"] for v in shadow] == [1.0]
    # moto 5.2.5 does not keep shadow variants on the endpoint config; SageMaker does.
    if "ShadowProductionVariants" in config:
        assert [v["InitialVariantWeight"] for v in config["ShadowProductionVariants"]] == [1.0]

    # 3. Destroy: everything goes but what the templates retain (buckets, and their objects).
    aws.cdk("destroy", "--all", "--force", output=tmp_path / "destroy")
    left = {s["StackName"] for s in aws.client("cloudformation").describe_stacks()["Stacks"]
            if s["StackStatus"] != "DELETE_COMPLETE"}
    assert left == {"CDKToolkit"}
    for (stack, lid), (rtype, phys, retained) in seen.resources.items():
        if rtype in CREATED:
            gone = CREATED[rtype].gone(aws, phys)
            assert gone != retained, f"{stack}/{lid} ({rtype}) {'gone' if gone else 'kept'}"
    assert not sm.list_endpoints()["Endpoints"]
    assert not sm.list_endpoint_configs()["EndpointConfigs"]
    assert not sm.list_models()["Models"]
    for bucket in seen.marked_buckets:
        assert s3.get_object(Bucket=bucket, Key=MARKER_KEY)["Body"].read() == b"kept"


def check_image_stack(aws: LocalAws, stack: dict[str, Any], out: Path,
                      physical: dict[str, str]) -> None:
    """A stack with a container image asset, deployed without building it: its asset manifest,
    and the deployed model's image and model data against it."""
    template = json.loads(stack["template"].read_text())
    [model_id] = [lid for lid, r in template["Resources"].items()
                  if r["Type"] == "AWS::SageMaker::Model"]
    model = aws.client("sagemaker").describe_model(ModelName=physical[model_id].split("/")[-1])
    container = model["PrimaryContainer"]
    [image] = stack["assets"]["dockerImages"].values()
    build = out / image["source"]["directory"]
    assert (build / image["source"].get("dockerFile", "Dockerfile")).is_file()
    [destination] = image["destinations"].values()
    repository = destination["repositoryName"].replace("${AWS::AccountId}", MOTO_ACCOUNT) \
        .replace("${AWS::Region}", REGION)
    assert container["Image"] == (f"{MOTO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repository}:"
                                  f"{destination['imageTag']}")
    ecr = aws.client("ecr")
    assert ecr.describe_repositories(repositoryNames=[repository])["repositories"]  # bootstrap's
    # Not pushed: building it needs the Docker daemon this machine does not have.
    assert not ecr.list_images(repositoryName=repository)["imageIds"]
    bucket, key = container["ModelDataUrl"].removeprefix("s3://").split("/", 1)
    artifact = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(artifact), mode="r:gz") as tar:
        assert "weights.json" in tar.getnames()


@pytest.mark.parametrize("url", ["https://sagemaker.us-east-1.amazonaws.com",
                                 "http://10.0.0.1:5000", "http://localhost", ""])
def test_anything_but_a_loopback_endpoint_is_refused(url: str) -> None:
    with pytest.raises(RuntimeError, match="only a local AWS"):
        assert_loopback(url)


def test_cli_environment_drops_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIAREAL",
                       "AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com",
                       "AWS_WEB_IDENTITY_TOKEN_FILE": "/token", "CDK_DEFAULT_ACCOUNT": "1"}.items():
        monkeypatch.setenv(key, value)
    aws = LocalAws(port=4999)
    env = aws.env()
    aws.stop()
    assert {k for k in env if k.startswith(("AWS_", "CDK_DEFAULT"))} == {
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED"}
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4999"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"


def test_readme_offers_deploy_local_as_a_third_command_after_quick_start() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b.strip() for b in quick_start.split("```bash\n")[1:]]
    assert blocks[0].startswith("bash dev.sh synth\nbash dev.sh test\n```")
    assert blocks[1].startswith("bash dev.sh deploy-local\n```")
    dev_sh = (Path(__file__).resolve().parent.parent / "dev.sh").read_text()
    assert "  deploy-local)\n    python tests/local_aws.py deploy" in dev_sh


def test_local_server_accepts_the_instance_types_sagemaker_accepts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.sagemaker.models import FakeEndpointConfig

    from .local_aws import accept_sagemaker_instance_types

    check = FakeEndpointConfig.validate_instance_type
    monkeypatch.setattr(FakeEndpointConfig, "validate_instance_type", check)  # undone after
    with pytest.raises(Exception, match="instanceType"):
        check(None, "ml.g5.xlarge")  # moto's own list stops at g4dn
    accept_sagemaker_instance_types()
    for accepted in ("ml.g5.xlarge", "ml.g6e.xlarge", "ml.inf2.xlarge", "ml.p5.48xlarge",
                     "ml.c5.xlarge"):
        FakeEndpointConfig.validate_instance_type(None, accepted)
    with pytest.raises(Exception, match="instanceType"):
        FakeEndpointConfig.validate_instance_type(None, "ml.t3.medium")  # not a hosting type


def test_local_server_accepts_a_variant_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    from .local_aws import accept_variants_without_model

    check = SageMakerModelBackend.validate_production_variants
    monkeypatch.setattr(SageMakerModelBackend, "validate_production_variants", check)
    backend = SageMakerModelBackend.__new__(SageMakerModelBackend)
    backend._models, backend.account_id, backend.region_name = {}, MOTO_ACCOUNT, REGION
    managed = {"VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge"}
    with pytest.raises(KeyError, match="ModelName"):
        check(backend, [managed])  # moto's own check: the HTTP 500 that failed the change set
    accept_variants_without_model()
    SageMakerModelBackend.validate_production_variants(backend, [managed])
    with pytest.raises(ValidationError, match="Could not find model"):  # still checked
        SageMakerModelBackend.validate_production_variants(
            backend, [managed, {"VariantName": "B", "ModelName": "missing"}])
