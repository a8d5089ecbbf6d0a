"""Images and model data bound into a container definition, each with exactly the statements
the model's execution role needs for it (written once, for every kind and every container).

| source | in the container | the role may |
|---|---|---|
| ECR URI, literal or token | ``Image`` | pull from the repository the URI names (``arns.py``) |
| ``ecr.IRepository`` + tag | ``repository_uri_for_tag`` | pull from ``repository_arn`` |
| local directory / ``DockerImageAsset`` | ``asset.image_uri`` | pull from the asset's repository |
| Deep Learning Container | the region's registry URI | pull from that registry's repository |
| ``model.tar.gz`` URI / bucket key | ``ModelDataUrl`` | ``s3:GetObject`` on that object |
| prefix ending '/' (multi-model) | ``ModelDataUrl`` | get under the prefix, list only it |
| uncompressed prefix | ``ModelDataSource`` S3Prefix/None | get under the prefix, list only it |
| local file or directory / ``s3_assets.Asset`` | the asset's URL | get that object |

A bucket encrypted with a KMS key the app knows (``bucket.encryption_key``) adds
``kms:Decrypt`` on that key. ``ecr:GetAuthorizationToken`` (no resource-level permissions) is
added once by ``iam.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..spec.dlc import DLC_REGISTRY
from ..spec.model import ContainerSpec
from ..spec.sources import (
    ImageFromAsset,
    ImageFromDlc,
    ImageFromRepository,
    ImageFromUri,
    ImageSource,
    ModelDataFromAsset,
    ModelDataFromS3,
    ModelDataSource,
)
from ..spec.uris import key_is_prefix
from .arns import ecr_repository_arn, s3_bucket_arn, s3_key, s3_object_arn
from .packing import model_archive_asset

__all__ = ["Access", "Container", "bind_container"]

Container = sagemaker.CfnModel.ContainerDefinitionProperty
DLC_MAPPING_ID = "ConstructsLibDlcRegistry"


@dataclass
class Access:
    """What the containers of one model need: repositories to pull from, objects and prefixes
    to read, prefixes to list (bucket ARN, key prefix or None), KMS keys to decrypt with."""

    repositories: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    listings: list[tuple[str, str | None]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def bind_container(scope: Construct, spec: ContainerSpec, access: Access, *, name: str,
                   partition: str, region: str, multi_model_cache: str | None = None
                   ) -> Container:
    """``spec`` as a container definition; its images and data assets are children of
    ``scope`` named ``<name>Image`` and ``<name>Data``; what the role needs goes to
    ``access``. ``multi_model_cache`` (``Enabled``/``Disabled``) makes it a ``MultiModel``
    container serving every artifact under its model data prefix."""
    image = _image(scope, spec.image_source, access, name=name, partition=partition,
                   region=region)
    data = spec.data_source
    url, source = (None, None) if data is None else _data(
        scope, data, access, name=name, partition=partition,
        prefix=multi_model_cache is not None)
    return Container(
        image=image, model_data_url=url, model_data_source=source,
        environment=dict(spec.environment) or None, container_hostname=spec.hostname,
        mode=None if multi_model_cache is None else "MultiModel",
        multi_model_config=None if multi_model_cache is None else
        sagemaker.CfnModel.MultiModelConfigProperty(model_cache_setting=multi_model_cache))


def _image(scope: Construct, source: ImageSource, access: Access, *, name: str,
           partition: str, region: str) -> str:
    if isinstance(source, ImageFromUri):
        access.repositories.append(ecr_repository_arn(source.uri, partition))
        return source.uri
    if isinstance(source, ImageFromRepository):
        access.repositories.append(source.repository.repository_arn)
        if source.tag.startswith("sha256:"):
            return str(source.repository.repository_uri_for_digest(source.tag))
        return str(source.repository.repository_uri_for_tag(source.tag))
    if isinstance(source, ImageFromAsset):
        asset = source.asset if source.asset is not None else ecr_assets.DockerImageAsset(
            scope, f"{name}Image", directory=str(source.directory), file=source.file,
            build_args=dict(source.build_args) or None, target=source.target,
            platform=ecr_assets.Platform.custom(source.platform))
        access.repositories.append(asset.repository.repository_arn)
        return str(asset.image_uri)
    assert isinstance(source, ImageFromDlc)
    account, suffix = _dlc_registry(scope, region)
    access.repositories.append(
        f"arn:{partition}:ecr:{region}:{account}:repository/{source.repository}")
    return f"{account}.dkr.ecr.{region}.{suffix}/{source.repository}:{source.tag}"


def _dlc_registry(scope: Construct, region: str) -> tuple[str, str]:
    """The Deep Learning Containers registry account and URL suffix for ``region``: literals for
    a literal region (the construct checked it is in the table), else a ``CfnMapping`` of the
    table in the stack (one, shared) looked up by ``AWS::Region``."""
    if not cdk.Token.is_unresolved(region):
        return DLC_REGISTRY[region], ("amazonaws.com.cn" if region.startswith("cn-")
                                      else "amazonaws.com")
    stack = cdk.Stack.of(scope)
    mapping = stack.node.try_find_child(DLC_MAPPING_ID)
    if mapping is None:
        mapping = cdk.CfnMapping(stack, DLC_MAPPING_ID, mapping={
            r: {"account": a} for r, a in DLC_REGISTRY.items()})
    assert isinstance(mapping, cdk.CfnMapping)
    return mapping.find_in_map(cdk.Aws.REGION, "account"), cdk.Aws.URL_SUFFIX


def _data(scope: Construct, source: ModelDataSource, access: Access, *, name: str,
          partition: str, prefix: bool) -> tuple[str | None, Any]:
    """(``ModelDataUrl``, ``ModelDataSource``): one of them. ``prefix``: a multi-model
    container's prefix of artifacts, whatever its URL ends with."""
    if isinstance(source, ModelDataFromAsset):
        asset: Any = source.asset
        if asset is None:
            path = str(source.path)
            asset = (model_archive_asset(scope, f"{name}Data", path) if os.path.isdir(path)
                     else s3_assets.Asset(scope, f"{name}Data", path=path))
        access.objects.append(asset.bucket.arn_for_objects(asset.s3_object_key))
        return str(asset.s3_object_url), None
    assert isinstance(source, ModelDataFromS3)
    key_prefix: str | None
    is_prefix: bool | None
    if source.bucket is not None:
        key = source.key or ""
        url = f"s3://{source.bucket.bucket_name}/{key}"
        objects = source.bucket.arn_for_objects(key)
        bucket_arn, key_prefix = source.bucket.bucket_arn, key
        is_prefix = key_is_prefix(key)
        if source.bucket.encryption_key is not None:
            access.keys.append(source.bucket.encryption_key.key_arn)
    else:
        url = str(source.url)
        objects, bucket_arn = s3_object_arn(url, partition), s3_bucket_arn(url, partition)
        key_prefix, is_prefix = s3_key(url), source.is_prefix
    if source.uncompressed or is_prefix or prefix:
        access.prefixes.append(f"{objects}*")
        access.listings.append((bucket_arn, key_prefix))
    else:
        access.objects.append(objects)
    if not source.uncompressed:
        return url, None
    return None, sagemaker.CfnModel.ModelDataSourceProperty(
        s3_data_source=sagemaker.CfnModel.S3DataSourceProperty(
            s3_uri=url, s3_data_type="S3Prefix", compression_type="None"))
