"""ModelSpec: the model to serve (one container, or a pipeline of up to 15), its execution
role; ContainerSpec: one container (image, model data, environment, hostname)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .base import IRoleLike, StrictModel
from .sources import (
    ImageFromUri,
    ImageSource,
    ImageUri,
    ModelDataFromS3,
    ModelDataSource,
    S3Uri,
)
from .tokens import TOKENS, literal_only
from .uris import ECR_IMAGE, S3_URI, parse_s3_uri, s3_uri

__all__ = ["ECR_IMAGE", "S3_URI", "ConcurrentRequests", "ContainerSpec", "InstanceType",
           "ModelSpec", "S3Uri", "VolumeSizeGb", "parse_s3_uri", "s3_uri"]

InstanceType = Annotated[
    str,
    literal_only("the estimate is priced from the instance type at synth"),
    Field(pattern=r"^ml\.[a-z0-9]+\.[a-z0-9]+$",
          description="A SageMaker hosting instance type, e.g. 'ml.m5.large'."),
]
"""A SageMaker hosting instance type, literal only: the estimate is priced from it."""
EnvironmentName = Annotated[
    str, literal_only("environment variable names are CloudFormation map keys, which "
                      "cannot be resolved"), Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$")]
EnvironmentValue = Annotated[str, Field(max_length=1024), TOKENS]
"""A value of at most 1024 characters; a token is accepted (its literal parts are counted)."""
ContainerHostname = Annotated[str, Field(pattern=limits.CONTAINER_HOSTNAME_PATTERN), TOKENS]
"""ContainerDefinition.ContainerHostname: 63 alphanumerics and '-'; a token is accepted."""


VolumeSizeGb = Annotated[
    int,
    Field(
        ge=limits.ML_VOLUME_SIZE_GB[0], le=limits.ML_VOLUME_SIZE_GB[1],
        description="GB of the ML storage volume (gp2) attached to each instance: "
        "VolumeSizeInGB, 1-512; refused on instance types with local NVMe storage.",
    ),
]
ConcurrentRequests = Annotated[
    int,
    Field(
        ge=1, le=limits.CONCURRENT_REQUESTS_MAX,
        description="Requests one instance serves at once, for the estimate's sizing "
        "(Little's law); default: one per vCPU, or per GPU on GPU types.",
    ),
]


class ContainerSpec(StrictModel):
    """One container: ``image_uri`` (an ECR URI, literal or a token) or ``image`` (a source:
    :class:`~constructs_lib.ContainerImage`), required, one of them; ``model_data_url`` (an
    ``s3://`` URI of a ``model.tar.gz``, literal or a token) or ``model_data`` (a source:
    :class:`~constructs_lib.ModelData`), optional, at most one; ``environment`` [none: at most
    100 variables; names literal, values up to 1024 characters and may be tokens];
    ``hostname`` [none; required on every container of a ``Direct`` pipeline, else on all or
    none: how SageMaker names the container in logs, metrics and ``TargetContainerHostname``].
    """

    image_uri: ImageUri | None = None
    image: ImageSource | None = None
    model_data_url: S3Uri | None = None
    model_data: ModelDataSource | None = None
    environment: dict[EnvironmentName, EnvironmentValue] = Field(default_factory=dict,
                                                                  max_length=100)
    hostname: ContainerHostname | None = None

    @model_validator(mode="after")
    def _image_given(self) -> ContainerSpec:
        FieldProblem.raise_if_any(self._source_problems())
        return self

    def _source_problems(self) -> list[Problem]:
        problems = []
        if (self.image_uri is None) == (self.image is None):
            problems.append(Problem("image_uri", self.image_uri if self.image is None else
                                    "(both)", "give image_uri or image (one of them)"))
        if self.model_data_url is not None and self.model_data is not None:
            problems.append(Problem("model_data_url", self.model_data_url,
                                    "give model_data_url or model_data, not both"))
        return problems

    @property
    def image_source(self) -> ImageSource:
        """The image as a source (``image_uri`` as :class:`ImageFromUri`)."""
        if self.image is not None:
            return self.image
        assert self.image_uri is not None
        return ImageFromUri(uri=self.image_uri)

    @property
    def data_source(self) -> ModelDataSource | None:
        """The model data as a source (``model_data_url`` as a compressed S3 object)."""
        if self.model_data is not None:
            return self.model_data
        if self.model_data_url is None:
            return None
        # Already validated as an S3 URI; a compressed URL ending in '/' is a multi-model
        # prefix, which only the multi-model container takes (no object/prefix rule here).
        return ModelDataFromS3.model_construct(kind="s3", url=self.model_data_url, bucket=None,
                                               key=None, uncompressed=False)


class ModelSpec(ContainerSpec):
    """The model to serve: one container (the fields of :class:`ContainerSpec`), or
    ``containers`` (2-15 :class:`ContainerSpec`, none of the single-container fields then) run
    as ``inference_execution_mode`` [``Serial``: an inference pipeline, each container's output
    the next one's input; ``Direct``: callers pick one with ``TargetContainerHostname``,
    real-time endpoints only]. Every container shares the same instances: the fleet is priced
    once.

    ``execution_role`` [none]: when None the construct creates a least-privilege role that pulls
    only each image's repository (for a token URI, the repository the URI names, derived at
    deploy time when the string does not show it), reads only each artifact (the object, or the
    prefix), writes its own logs and metrics. A role given is used as it is.
    """

    execution_role: IRoleLike = None
    containers: tuple[ContainerSpec, ...] = Field((), max_length=limits.MAX_CONTAINERS)
    inference_execution_mode: Literal["Serial", "Direct"] = "Serial"

    @model_validator(mode="after")
    def _image_given(self) -> ModelSpec:
        if not self.containers:
            problems = self._source_problems()
            if self.hostname is not None:
                problems.append(Problem("hostname", self.hostname,
                                        "only for the containers of a multi-container model "
                                        "(SageMaker ignores it on a single container)"))
            if self.inference_execution_mode != "Serial":
                problems.append(Problem("inference_execution_mode",
                                        self.inference_execution_mode,
                                        "Direct needs containers (2-15)"))
            FieldProblem.raise_if_any(problems)
            return self
        FieldProblem.raise_if_any(self._pipeline_problems())
        return self

    def _pipeline_problems(self) -> list[Problem]:
        problems = [Problem(name, getattr(self, name), "not with containers: give it on each "
                            "ContainerSpec")
                    for name in ("image_uri", "image", "model_data_url", "model_data",
                                 "hostname") if getattr(self, name) is not None]
        if self.environment:
            problems.append(Problem("environment", self.environment,
                                    "not with containers: give it on each ContainerSpec"))
        if len(self.containers) < 2:
            problems.append(Problem("containers", len(self.containers),
                                    "2-15 containers (one container: give its fields directly)"))
        names = [c.hostname for c in self.containers]
        named = [n for n in names if n is not None]
        if self.inference_execution_mode == "Direct" and len(named) < len(names):
            missing = names.index(None)
            problems.append(Problem(f"containers[{missing}].hostname", None,
                                    "required on every container with Direct invocation "
                                    "(callers name it in TargetContainerHostname)"))
        elif 0 < len(named) < len(names):
            missing = names.index(None)
            problems.append(Problem(f"containers[{missing}].hostname", None,
                                    "on every container of the pipeline, or on none"))
        for i, name in enumerate(names):
            if name is not None and names.index(name) != i:
                problems.append(Problem(f"containers[{i}].hostname", name,
                                        "unique among the model's containers"))
        return problems

    @property
    def container_specs(self) -> tuple[ContainerSpec, ...]:
        """The containers in order (the model itself when it has one)."""
        return self.containers or (self,)

    @property
    def multi_container(self) -> bool:
        return bool(self.containers)
