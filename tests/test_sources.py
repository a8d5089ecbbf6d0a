"""Where images and model data come from, and what the execution role may do with each: one
wiring case per test, its Template and the statements it grants (evaluated, where they hold
intrinsics, as CloudFormation would at deploy time: tests/cfn_eval.py).

| case | the role may |
|---|---|
| literal ECR URI | pull from that repository |
| `repository_uri_for_tag` (token) | pull from that repository (the URI's own tokens) |
| `ContainerImage.from_repository` | pull from `repository_arn` |
| `DockerImageAsset.image_uri`, a parameter (bare tokens) | pull from the repository the URI |
| | names, derived at deploy time |
| `ContainerImage.from_asset(dir)` | pull from the asset repository |
| `ContainerImage.from_dlc` | pull from the region's DLC repository |
| `s3_url_for_object` of another stack | get that object (the bucket imported) |
| `ModelData.from_bucket` (+ KMS bucket) | get that object (+ decrypt with that key) |
| `ModelData.from_bucket(..., uncompressed=True)` | get under the prefix, list only it |
| `ModelData.from_asset` (file, directory, asset) | get that object |
| a parameter as model data URL | get the object it names, derived at deploy time |
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk.assertions import Template

from constructs_lib import (
    ConfigurationError,
    ContainerImage,
    ModelData,
    ModelSpec,
    RealTimeEndpoint,
    TrafficHint,
)

from .cfn_eval import evaluate
from .conftest import IMAGE, ROOT

TRAFFIC = TrafficHint(requests_per_month=1e6)
ACCOUNT = "123456789012"
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def env_stack(region: str = "us-east-1", context: dict[str, Any] | None = None) -> cdk.Stack:
    return cdk.Stack(cdk.App(context=context), "Test",
                     env=cdk.Environment(account=ACCOUNT, region=region))


@pytest.fixture
def priced_everywhere(tmp_path: Path) -> dict[str, Any]:
    """CDK context with a price book that prices more regions (us-east-1's rates): the tests
    that use it are about registries, not prices."""
    book = json.loads((ROOT / "constructs_lib/pricing/data/sagemaker_prices.json").read_text())
    for region in ("eu-south-1", "cn-north-1", "us-iso-east-1"):
        book["regions"][region] = book["regions"]["us-east-1"]
    path = tmp_path / "book.json"
    path.write_text(json.dumps(book))
    return {"cost:price-book": str(path)}


def endpoint(stack: cdk.Stack, model: ModelSpec, construct_id: str = "Ep") -> RealTimeEndpoint:
    return RealTimeEndpoint(stack, construct_id, model=model, instance_type="ml.m5.large",
                            traffic=TRAFFIC)


def statements(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Sid -> statement of the (one) execution role policy of the template."""
    [policy] = [r for r in template["Resources"].values()
                if r["Type"] == "AWS::IAM::ManagedPolicy"
                and "SageMaker execution role" in r["Properties"]["Description"]]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]
            if "Sid" in s}


def model_props(template: dict[str, Any]) -> dict[str, Any]:
    [model] = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    return model["Properties"]


def logical_id(template: dict[str, Any], rtype: str) -> str:
    [found] = [k for k, r in template["Resources"].items() if r["Type"] == rtype]
    return found


# --- images ---------------------------------------------------------------------------------

def test_a_literal_uri_pulls_from_its_repository_only():
    stack = env_stack()
    endpoint(stack, ModelSpec(image_uri=IMAGE))
    t = Template.from_stack(stack).to_json()
    pull = statements(t)["PullModelImage"]
    assert pull["Action"] == PULL
    assert evaluate(pull["Resource"]) == (
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost")
    assert model_props(t)["PrimaryContainer"]["Image"] == IMAGE


def test_repository_uri_for_tag_pulls_from_that_repository():
    stack = env_stack()
    repo = ecr.Repository(stack, "Repo")
    endpoint(stack, ModelSpec(image_uri=repo.repository_uri_for_tag("v1")))
    t = Template.from_stack(stack).to_json()
    rid = logical_id(t, "AWS::ECR::Repository")
    refs = {rid: "fraud-model", f"{rid}.Arn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/"
                                             "fraud-model"}
    assert evaluate(statements(t)["PullModelImage"]["Resource"], refs) == refs[f"{rid}.Arn"]
    assert evaluate(model_props(t)["PrimaryContainer"]["Image"], refs) == (
        f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/fraud-model:v1")


def test_from_repository_pulls_from_repository_arn_by_tag_or_digest():
    stack = env_stack()
    repo = ecr.Repository(stack, "Repo")
    digest = "sha256:" + "a" * 64
    endpoint(stack, ModelSpec(image=ContainerImage.from_repository(repo, "v2")))
    endpoint(stack, ModelSpec(image=ContainerImage.from_repository(repo, digest)), "ByDigest")
    t = Template.from_stack(stack).to_json()
    rid = logical_id(t, "AWS::ECR::Repository")
    policies = [r for r in t["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    assert len(policies) == 2
    for policy in policies:
        [pull] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                  if s.get("Sid") == "PullModelImage"]
        assert pull["Resource"] == {"Fn::GetAtt": [rid, "Arn"]}
    refs = {rid: "r", f"{rid}.Arn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/r"}
    images = [evaluate(r["Properties"]["PrimaryContainer"]["Image"], refs)
              for r in t["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    assert sorted(images) == sorted([f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/r:v2",
                                     f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/r@{digest}"])


def test_an_imported_namespaced_repository_is_pulled_by_its_full_name():
    stack = env_stack()
    repo = ecr.Repository.from_repository_name(stack, "Team", "team/scorer")
    endpoint(stack, ModelSpec(image_uri=repo.repository_uri_for_tag("v3")))
    t = Template.from_stack(stack).to_json()
    assert evaluate(statements(t)["PullModelImage"]["Resource"]) == (
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/scorer")


@pytest.fixture
def docker_dir(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM public.ecr.aws/docker/library/python:3.12-slim\n")
    return tmp_path


def test_a_docker_image_assets_uri_bare_token_pulls_from_the_asset_repository(docker_dir):
    stack = env_stack()
    asset = ecr_assets.DockerImageAsset(stack, "Img", directory=str(docker_dir))
    endpoint(stack, ModelSpec(image_uri=asset.image_uri))
    t = Template.from_stack(stack).to_json()
    resource = statements(t)["PullModelImage"]["Resource"]
    assert "Fn::Select" in json.dumps(resource)  # derived from the URI at deploy time
    assert evaluate(resource) == evaluate(stack.resolve(asset.repository.repository_arn)) == (
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/cdk-hnb659fds-container-assets-"
        f"{ACCOUNT}-us-east-1")


@pytest.mark.parametrize("uri, repository", [
    (f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team/llm:v1", "team/llm"),
    (f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/llm@sha256:{'b' * 64}", "llm"),
    (f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/llm:2024.1", "llm"),
])
def test_a_parameter_uri_pulls_from_the_repository_it_names_at_deploy_time(uri, repository):
    stack = env_stack()
    image = cdk.CfnParameter(stack, "ImageUri").value_as_string
    endpoint(stack, ModelSpec(image_uri=image))
    t = Template.from_stack(stack).to_json()
    refs = {"ImageUri": uri}
    assert evaluate(statements(t)["PullModelImage"]["Resource"], refs) == (
        f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/{repository}")
    assert model_props(t)["PrimaryContainer"]["Image"] == {"Ref": "ImageUri"}


def test_from_asset_builds_the_directory_and_pulls_from_the_asset_repository(docker_dir):
    app = cdk.App()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    ep = endpoint(stack, ModelSpec(image=ContainerImage.from_asset(
        str(docker_dir), build_args={"MODEL": "small"}, platform="linux/arm64")))
    assembly = app.synth()
    t = assembly.get_stack_by_name("Test").template
    assert evaluate(statements(t)["PullModelImage"]["Resource"]) == (
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/cdk-hnb659fds-container-assets-"
        f"{ACCOUNT}-us-east-1")
    asset = ep.node.find_child("ModelImage")
    assert isinstance(asset, ecr_assets.DockerImageAsset)
    image = evaluate(model_props(t)["PrimaryContainer"]["Image"])
    assert image.endswith(f":{asset.image_tag}")
    manifest = json.loads(Path(assembly.directory, "Test.assets.json").read_text())
    [(_, docker)] = manifest["dockerImages"].items()
    assert docker["source"]["dockerBuildArgs"] == {"MODEL": "small"}
    assert docker["source"]["platform"] == "linux/arm64"
    [destination] = docker["destinations"].values()
    assert image == (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/"
                     f"{destination['repositoryName']}:{destination['imageTag']}")


def test_a_directory_without_its_dockerfile_is_refused_before_anything_is_built(tmp_path):
    stack = env_stack()
    with pytest.raises(ConfigurationError, match=r"model\.image\.directory=.*a directory "
                                                 r"containing 'Dockerfile'"):
        endpoint(stack, {"image": {"kind": "asset", "directory": str(tmp_path)}})
    assert stack.node.try_find_child("Ep") is None


@pytest.mark.parametrize("region, account", [("us-east-1", "763104351884"),
                                             ("eu-south-1", "692866216735"),
                                             ("cn-north-1", "727897471807")])
def test_a_deep_learning_container_comes_from_the_regions_registry(region, account,
                                                                    priced_everywhere):
    stack = env_stack(region, priced_everywhere)
    endpoint(stack, ModelSpec(image=ContainerImage.from_dlc("huggingface-llm", "3.3.6")))
    t = Template.from_stack(stack).to_json()
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    assert model_props(t)["PrimaryContainer"]["Image"] == (
        f"{account}.dkr.ecr.{region}.{suffix}/huggingface-pytorch-tgi-inference:"
        "2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04")
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    assert evaluate(statements(t)["PullModelImage"]["Resource"],
                    {"AWS::Partition": partition}) == (
        f"arn:{partition}:ecr:{region}:{account}:repository/huggingface-pytorch-tgi-inference")


def test_an_environment_agnostic_stack_looks_the_registry_up_in_a_mapping():
    stack = cdk.Stack(cdk.App(), "Agnostic")
    endpoint(stack, ModelSpec(image=ContainerImage.from_dlc("pytorch", "2.6.0",
                                                            processor="cpu")))
    endpoint(stack, ModelSpec(image=ContainerImage.from_dlc("djl-lmi", "0.36.0")), "Llm")
    t = Template.from_stack(stack).to_json()
    [mapping] = t["Mappings"].values()  # one mapping, shared
    assert mapping["eu-south-1"] == {"account": "692866216735"}
    images = sorted(evaluate(r["Properties"]["PrimaryContainer"]["Image"],
                             {"AWS::Region": "eu-south-1"}, t["Mappings"])
                    for r in t["Resources"].values() if r["Type"] == "AWS::SageMaker::Model")
    assert images == [
        "692866216735.dkr.ecr.eu-south-1.amazonaws.com/djl-inference:0.36.0-lmi27.0.0-cu130",
        "692866216735.dkr.ecr.eu-south-1.amazonaws.com/pytorch-inference:2.6.0-cpu-py312"]


def test_a_deep_learning_container_in_a_region_without_a_registry_is_refused(priced_everywhere):
    stack = env_stack("us-iso-east-1", priced_everywhere)
    with pytest.raises(ConfigurationError, match=r"model\.image='us-iso-east-1': a region with "
                                                 r"a Deep Learning Containers registry"):
        endpoint(stack, ModelSpec(image=ContainerImage.from_dlc("pytorch", "2.6.0")))
    assert stack.node.try_find_child("Ep") is None


# --- model data -------------------------------------------------------------------------------

def test_an_object_url_of_a_bucket_in_another_stack_reads_that_object_through_an_import():
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    storage = cdk.Stack(app, "Storage", env=env)
    serving = cdk.Stack(app, "Serving", env=env)
    bucket = s3.Bucket(storage, "Models")
    endpoint(serving, ModelSpec(image_uri=IMAGE,
                                model_data_url=bucket.s3_url_for_object("fraud/model.tar.gz")))
    assembly = app.synth()
    t = assembly.get_stack_by_name("Serving").template
    read = statements(t)["ReadModelArtifact"]
    assert read["Action"] == "s3:GetObject"
    [export] = [o["Export"]["Name"] for o in
                assembly.get_stack_by_name("Storage").template["Outputs"].values()]
    imports = {f"Import:{export}": "models-bucket-1"}
    assert evaluate(read["Resource"], imports) == "arn:aws:s3:::models-bucket-1/fraud/model.tar.gz"
    assert evaluate(model_props(t)["PrimaryContainer"]["ModelDataUrl"], imports) == (
        "s3://models-bucket-1/fraud/model.tar.gz")
    assert "ListModelPrefix" not in statements(t)  # an object: nothing is listed


def test_from_bucket_reads_that_object_and_decrypts_with_the_buckets_key():
    stack = env_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    bucket = s3.Bucket(stack, "Models", encryption_key=key)
    endpoint(stack, ModelSpec(image_uri=IMAGE,
                              model_data=ModelData.from_bucket(bucket, "v1/model.tar.gz")))
    t = Template.from_stack(stack).to_json()
    bid, kid = logical_id(t, "AWS::S3::Bucket"), logical_id(t, "AWS::KMS::Key")
    found = statements(t)
    assert evaluate(found["ReadModelArtifact"]["Resource"],
                    {f"{bid}.Arn": "arn:aws:s3:::models"}) == "arn:aws:s3:::models/v1/model.tar.gz"
    assert found["DecryptModelArtifact"] == {
        "Action": "kms:Decrypt", "Effect": "Allow", "Resource": {"Fn::GetAtt": [kid, "Arn"]},
        "Sid": "DecryptModelArtifact"}
    assert evaluate(model_props(t)["PrimaryContainer"]["ModelDataUrl"], {bid: "models"}) == (
        "s3://models/v1/model.tar.gz")


def test_uncompressed_model_data_is_an_s3_prefix_read_and_listed_only_there():
    stack = env_stack()
    bucket = s3.Bucket(stack, "Weights")
    endpoint(stack, ModelSpec(image_uri=IMAGE, model_data=ModelData.from_bucket(
        bucket, "llama/8b/", uncompressed=True)))
    t = Template.from_stack(stack).to_json()
    bid = logical_id(t, "AWS::S3::Bucket")
    container = model_props(t)["PrimaryContainer"]
    assert "ModelDataUrl" not in container
    source = container["ModelDataSource"]["S3DataSource"]
    assert (source["S3DataType"], source["CompressionType"]) == ("S3Prefix", "None")
    assert evaluate(source["S3Uri"], {bid: "weights"}) == "s3://weights/llama/8b/"
    found = statements(t)
    refs = {f"{bid}.Arn": "arn:aws:s3:::weights"}
    assert evaluate(found["ReadModelArtifact"]["Resource"], refs) == (
        "arn:aws:s3:::weights/llama/8b/*")
    assert evaluate(found["ListModelPrefix"]["Resource"], refs) == "arn:aws:s3:::weights"
    assert found["ListModelPrefix"]["Condition"] == {
        "StringLike": {"s3:prefix": ["llama/8b/*"]}}


def test_uncompressed_from_a_uri_must_be_a_prefix():
    with pytest.raises(ConfigurationError, match=r"url='s3://weights/llama/8b': uncompressed "
                                                 r"model data is a prefix: end it with '/'"):
        ModelData.from_uri("s3://weights/llama/8b", uncompressed=True)


def test_from_asset_file_reads_exactly_the_uploaded_object(tmp_path):
    artifact = tmp_path / "model.tar.gz"
    artifact.write_bytes(gzip.compress(b"weights"))
    stack = env_stack()
    ep = endpoint(stack, ModelSpec(image_uri=IMAGE, model_data=ModelData.from_asset(artifact)))
    t = Template.from_stack(stack).to_json()
    asset = ep.node.find_child("ModelData")
    assert isinstance(asset, s3_assets.Asset)
    bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-us-east-1"
    assert evaluate(statements(t)["ReadModelArtifact"]["Resource"]) == (
        f"arn:aws:s3:::{bucket}/{asset.s3_object_key}")
    assert model_props(t)["PrimaryContainer"]["ModelDataUrl"] == (
        f"s3://{bucket}/{asset.s3_object_key}")


def test_from_asset_directory_is_packed_into_a_reproducible_model_tar_gz(tmp_path):
    model_dir = tmp_path / "model"
    (model_dir / "code").mkdir(parents=True)
    (model_dir / "weights.bin").write_bytes(b"\x00" * 16)
    (model_dir / "code" / "inference.py").write_text("def model_fn(d): ...\n")
    keys = []
    for _ in range(2):
        app = cdk.App()
        stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
        ep = endpoint(stack, ModelSpec(image_uri=IMAGE, model_data=ModelData.from_asset(
            str(model_dir))))
        assembly = app.synth()
        asset = ep.node.find_child("ModelData")
        keys.append(asset.s3_object_key)
        manifest = json.loads(Path(assembly.directory, "Test.assets.json").read_text())
        entry = manifest["files"][asset.asset_hash]
        assert entry["source"]["packaging"] == "file"
        staged = Path(assembly.directory, entry["source"]["path"])
        with tarfile.open(fileobj=io.BytesIO(staged.read_bytes()), mode="r:gz") as tar:
            assert sorted(tar.getnames()) == ["code/inference.py", "weights.bin"]
            assert {m.mtime for m in tar.getmembers()} == {0}
        t = assembly.get_stack_by_name("Test").template
        assert evaluate(statements(t)["ReadModelArtifact"]["Resource"]).endswith(
            f"/{asset.s3_object_key}")
    assert keys[0] == keys[1] and keys[0].endswith(".gz")


def test_a_users_s3_asset_is_read_exactly(tmp_path):
    artifact = tmp_path / "model.tar.gz"
    artifact.write_bytes(gzip.compress(b"w"))
    stack = env_stack()
    asset = s3_assets.Asset(stack, "Artifact", path=str(artifact))
    endpoint(stack, ModelSpec(image_uri=IMAGE, model_data=ModelData.from_asset(asset)))
    t = Template.from_stack(stack).to_json()
    assert evaluate(statements(t)["ReadModelArtifact"]["Resource"]) == evaluate(
        stack.resolve(asset.bucket.arn_for_objects(asset.s3_object_key)))


def test_a_zipped_directory_asset_is_refused(tmp_path):
    stack = env_stack()
    (tmp_path / "w.bin").write_bytes(b"w")
    asset = s3_assets.Asset(stack, "Zipped", path=str(tmp_path))
    with pytest.raises(ConfigurationError, match=r"asset='\(a directory asset, zipped by CDK\)'"
                                                 r": an asset of a \.tar\.gz file"):
        ModelData.from_asset(asset)


def test_a_parameter_model_data_url_reads_the_object_it_names_at_deploy_time():
    stack = env_stack()
    url = cdk.CfnParameter(stack, "ModelUrl").value_as_string
    endpoint(stack, ModelSpec(image_uri=IMAGE, model_data_url=url))
    t = Template.from_stack(stack).to_json()
    assert evaluate(statements(t)["ReadModelArtifact"]["Resource"],
                    {"ModelUrl": "s3://ml-artifacts/fraud/v9/model.tar.gz"}) == (
        "arn:aws:s3:::ml-artifacts/fraud/v9/model.tar.gz")


def test_a_relative_path_is_this_processs_not_the_javascript_processs(tmp_path, monkeypatch):
    # jsii's Node process keeps the working directory it started in: the library resolves a
    # relative path where Python is, the place it checked.
    (tmp_path / "container").mkdir()
    (tmp_path / "container" / "Dockerfile").write_text("FROM scratch\n")
    monkeypatch.chdir(tmp_path)
    stack = env_stack()
    ep = endpoint(stack, ModelSpec(image=ContainerImage.from_asset("container")))
    assert ep.props.model.image.directory == str(tmp_path / "container")
    assert isinstance(ep.node.find_child("ModelImage"), ecr_assets.DockerImageAsset)
