"""Where a container's image and its model data come from: first-class sources, as
aws-sagemaker-alpha's ``ContainerImage`` and ``ModelData`` have them, in this library's style
(frozen props models; the CDK objects they carry are duck-typed, never imported here).

Images: :meth:`ContainerImage.from_uri` (an ECR URI, literal or a token),
:meth:`ContainerImage.from_repository` (an ``ecr.IRepository`` and a tag or digest),
:meth:`ContainerImage.from_asset` (a local directory with a Dockerfile, built and pushed by
``cdk deploy`` as a ``DockerImageAsset``, or such an asset), :meth:`ContainerImage.from_dlc`
(an AWS Deep Learning Container by framework and version, for the stack's region).

Model data: :meth:`ModelData.from_uri` and :meth:`ModelData.from_bucket` (a ``model.tar.gz``
object, or with ``uncompressed=True`` a prefix of uncompressed files: ``ModelDataSource`` with
``S3DataType: S3Prefix``, ``CompressionType: None``, how large LLM weights are served), and
:meth:`ModelData.from_asset` (a local ``.tar.gz`` file, or a directory packed into one at
synth, or an ``s3_assets.Asset``, uploaded by ``cdk deploy``).

The execution role the construct creates gets exactly what each source needs (``parts/``).
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from ..errors import FieldProblem
from .base import IBucketLike, StrictModel, jsii_object
from .dlc import dlc_image
from .tokens import TOKENS, literal_only
from .uris import ecr_image_uri, key_is_prefix, parse_s3, s3_uri

__all__ = [
    "ContainerImage",
    "ImageFromAsset",
    "ImageFromDlc",
    "ImageFromRepository",
    "ImageFromUri",
    "ImageSource",
    "ModelData",
    "ModelDataFromAsset",
    "ModelDataFromS3",
    "ModelDataSource",
]

IRepositoryLike = Annotated[Any, jsii_object("repository_arn", "an aws_ecr.IRepository")]
IDockerImageAssetLike = Annotated[Any, jsii_object("image_tag",
                                                   "an aws_ecr_assets.DockerImageAsset")]
IS3AssetLike = Annotated[Any, jsii_object("s3_object_key", "an aws_s3_assets.Asset")]
ImageUri = Annotated[str, AfterValidator(ecr_image_uri)]
"""An ECR image URI. A token is accepted; its literal parts are checked (``nginx:${Token}`` is
refused; ``${Token}.dkr.ecr.${Token}.${Token}/${Token}:v1`` is one)."""
S3Uri = Annotated[str, AfterValidator(s3_uri)]
"""An ``s3://bucket/key`` URI. A token is accepted; its literal parts are checked."""
ImageReference = Annotated[str, Field(
    pattern=r"^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[0-9a-f]{64})$"), TOKENS]
"""An image tag (1-128 of letters, digits, '_', '.', '-'; not starting with '.' or '-') or a
digest ``sha256:<64 hex>``. A token is accepted (its literal parts are checked)."""
ObjectKey = Annotated[str, Field(max_length=1024), TOKENS]
"""An S3 object key or prefix (at most 1024 characters). A token is accepted."""
LocalPath = Annotated[str, literal_only("a local path is read at synth"), Field(min_length=1),
                      AfterValidator(os.path.abspath)]
"""A local path, made absolute against this Python process's working directory (jsii's
JavaScript process, which reads it for CDK, has its own: a relative path would mean another
place there)."""


class ImageFromUri(StrictModel):
    """An image by its URI (literal, or a token such as a ``CfnParameter``'s value): the role
    pulls from the repository the URI names (see :class:`~constructs_lib.ModelSpec`)."""

    kind: Literal["uri"] = "uri"
    uri: ImageUri


class ImageFromRepository(StrictModel):
    """An image in an ``ecr.IRepository`` (of this stack, another stack, or imported): the role
    pulls from exactly that repository (``repository.repository_arn``)."""

    kind: Literal["repository"] = "repository"
    repository: IRepositoryLike
    tag: ImageReference = "latest"

    @model_validator(mode="after")
    def _given(self) -> ImageFromRepository:
        if self.repository is None:
            raise FieldProblem("repository", None, "an aws_ecr.IRepository is required")
        return self


class ImageFromAsset(StrictModel):
    """An image built from ``directory`` (its ``file``, default ``Dockerfile``) by
    ``cdk deploy`` and pushed to the bootstrap assets repository, as a ``DockerImageAsset``
    (or one given as ``asset``). The role pulls from that repository: ECR has no per-image
    permission, so this is the narrowest grant (CDK's own ``grant_pull`` grants the same)."""

    kind: Literal["asset"] = "asset"
    directory: LocalPath | None = None
    asset: IDockerImageAssetLike = None
    file: Annotated[str, literal_only("a local path is read at synth")] = "Dockerfile"
    build_args: dict[str, Annotated[str, literal_only(
        "the image is built before deployment, when no token has a value")]] = Field(
        default_factory=dict)
    platform: Literal["linux/amd64", "linux/arm64"] = "linux/amd64"
    target: Annotated[str, literal_only("a Docker build stage name")] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ImageFromAsset:
        if (self.directory is None) == (self.asset is None):
            raise FieldProblem("directory", self.directory,
                               "give a directory with a Dockerfile, or a DockerImageAsset")
        if self.directory is not None:
            dockerfile = os.path.join(self.directory, self.file)
            if not os.path.isfile(dockerfile):
                raise FieldProblem("directory", self.directory,
                                   f"a directory containing {self.file!r} (no file at "
                                   f"{os.path.abspath(dockerfile)!r})")
        return self


class ImageFromDlc(StrictModel):
    """An AWS Deep Learning Container for inference, in the registry of the stack's region (a
    literal region is checked against the table; an environment-agnostic stack looks its
    registry up in a ``CfnMapping``). Supported: ``spec/dlc.py`` (cited)."""

    kind: Literal["dlc"] = "dlc"
    framework: Annotated[str, literal_only("looked up in the table of supported images")]
    version: Annotated[str, literal_only("looked up in the table of supported images")]
    processor: Literal["cpu", "gpu"] = "gpu"

    @model_validator(mode="after")
    def _supported(self) -> ImageFromDlc:
        try:
            dlc_image(self.framework, self.version, self.processor)
        except ValueError as error:
            field = "framework" if "one of" in str(error) else "version"
            raise FieldProblem(field, getattr(self, field), str(error)) from None
        return self

    @property
    def repository(self) -> str:
        return dlc_image(self.framework, self.version, self.processor).repository

    @property
    def tag(self) -> str:
        return dlc_image(self.framework, self.version, self.processor).tag


def _kind(classes: dict[str, type[StrictModel]]) -> Any:
    """A discriminator by ``kind`` whose tags are the class names (so errors name the field as
    users wrote it: ``model.image.directory``; class names are dropped from error paths)."""
    names = {kind: cls.__name__ for kind, cls in classes.items()}

    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            return names.get(value.get("kind", ""))
        return type(value).__name__ if type(value) in classes.values() else None

    return Discriminator(tag, custom_error_type="kind",
                         custom_error_message=f"a source: one of {', '.join(names.values())} "
                                              "(ContainerImage.from_... / ModelData.from_...)")


ImageSource = Annotated[
    Annotated[ImageFromUri, Tag("ImageFromUri")]
    | Annotated[ImageFromRepository, Tag("ImageFromRepository")]
    | Annotated[ImageFromAsset, Tag("ImageFromAsset")]
    | Annotated[ImageFromDlc, Tag("ImageFromDlc")],
    _kind({"uri": ImageFromUri, "repository": ImageFromRepository, "asset": ImageFromAsset,
           "dlc": ImageFromDlc})]


class ContainerImage:
    """Constructors of an image source (``ModelSpec(image=...)``, ``ContainerSpec(image=...)``)."""

    @staticmethod
    def from_uri(uri: str) -> ImageFromUri:
        return ImageFromUri(uri=uri)

    @staticmethod
    def from_repository(repository: Any, tag: str = "latest") -> ImageFromRepository:
        """``repository`` (an ``ecr.IRepository``) at ``tag`` (or ``sha256:<digest>``)."""
        return ImageFromRepository(repository=repository, tag=tag)

    @staticmethod
    def from_asset(directory_or_asset: Any, **options: Any) -> ImageFromAsset:
        """A local directory with a Dockerfile (``file``, ``build_args``, ``platform``,
        ``target`` as ``DockerImageAsset`` takes them), or a ``DockerImageAsset``."""
        if isinstance(directory_or_asset, (str, os.PathLike)):
            return ImageFromAsset(directory=os.fspath(directory_or_asset), **options)
        return ImageFromAsset(asset=directory_or_asset, **options)

    @staticmethod
    def from_dlc(framework: str, version: str, *, processor: str = "gpu") -> ImageFromDlc:
        """An AWS Deep Learning Container, e.g. ``from_dlc("huggingface-llm", "3.3.6")``."""
        return ImageFromDlc(framework=framework, version=version, processor=processor)


class ModelDataFromS3(StrictModel):
    """Model data in S3: ``url`` (literal or a token), or ``bucket`` (an ``s3.IBucket``) and
    ``key``. Compressed (default): one ``model.tar.gz`` object (``ModelDataUrl``); the role
    reads that object. ``uncompressed=True``: every object under a prefix ending in '/'
    (``ModelDataSource``, ``S3Prefix``, ``CompressionType: None``); the role reads and lists
    that prefix only. A bucket encrypted with a KMS key of the app gets ``kms:Decrypt``."""

    kind: Literal["s3"] = "s3"
    url: S3Uri | None = None
    bucket: IBucketLike = None
    key: ObjectKey | None = None
    uncompressed: bool = False

    @model_validator(mode="after")
    def _location(self) -> ModelDataFromS3:
        if (self.url is None) == (self.bucket is None):
            raise FieldProblem("url", self.url, "give url, or bucket and key")
        if self.bucket is not None and self.key is None:
            raise FieldProblem("key", None, "the object key (or prefix) in the bucket")
        if self.url is not None and self.key is not None:
            raise FieldProblem("key", self.key, "only with bucket (the url holds its key)")
        prefix = self.is_prefix
        if self.uncompressed and prefix is False:
            raise FieldProblem("url" if self.url else "key", self.url or self.key,
                               "uncompressed model data is a prefix: end it with '/'")
        if not self.uncompressed and prefix is True:
            raise FieldProblem(
                "url" if self.url else "key", self.url or self.key,
                "a model.tar.gz object (a prefix ending in '/' needs uncompressed=True)")
        return self

    @property
    def is_prefix(self) -> bool | None:
        """Whether the location is a prefix (None: a token decides at deploy time)."""
        if self.url is not None:
            return parse_s3(self.url).is_prefix
        return key_is_prefix(self.key or "")


class ModelDataFromAsset(StrictModel):
    """Model data uploaded by ``cdk deploy``: ``path`` (a local ``.tar.gz`` file, or a
    directory packed at synth into a deterministic ``model.tar.gz``), or an ``s3_assets.Asset``
    of a ``.tar.gz`` file. The role reads exactly that object."""

    kind: Literal["asset"] = "asset"
    path: LocalPath | None = None
    asset: IS3AssetLike = None

    @model_validator(mode="after")
    def _one_source(self) -> ModelDataFromAsset:
        if (self.path is None) == (self.asset is None):
            raise FieldProblem("path", self.path,
                               "give a local .tar.gz file or directory, or an s3_assets.Asset")
        if self.path is not None:
            if not os.path.exists(self.path):
                raise FieldProblem("path", self.path, "an existing .tar.gz file or directory "
                                   f"(nothing at {os.path.abspath(self.path)!r})")
            if os.path.isfile(self.path) and not self.path.endswith(".tar.gz"):
                raise FieldProblem("path", self.path, "a .tar.gz file (SageMaker untars the "
                                   "artifact), or a directory (packed into model.tar.gz)")
        elif not self.asset.is_file:
            raise FieldProblem("asset", "(a directory asset, zipped by CDK)",
                               "an asset of a .tar.gz file: SageMaker cannot read a zip; pass "
                               "the directory's path instead (packed into model.tar.gz)")
        return self


ModelDataSource = Annotated[
    Annotated[ModelDataFromS3, Tag("ModelDataFromS3")]
    | Annotated[ModelDataFromAsset, Tag("ModelDataFromAsset")],
    _kind({"s3": ModelDataFromS3, "asset": ModelDataFromAsset})]


class ModelData:
    """Constructors of a model data source (``ModelSpec(model_data=...)``)."""

    @staticmethod
    def from_uri(url: str, *, uncompressed: bool = False) -> ModelDataFromS3:
        return ModelDataFromS3(url=url, uncompressed=uncompressed)

    @staticmethod
    def from_bucket(bucket: Any, key: str, *, uncompressed: bool = False) -> ModelDataFromS3:
        """``key`` (or, uncompressed, the prefix ``key`` ending in '/') in ``bucket``."""
        return ModelDataFromS3(bucket=bucket, key=key, uncompressed=uncompressed)

    @staticmethod
    def from_asset(path_or_asset: Any) -> ModelDataFromAsset:
        if isinstance(path_or_asset, (str, os.PathLike)):
            return ModelDataFromAsset(path=os.fspath(path_or_asset))
        return ModelDataFromAsset(asset=path_or_asset)
