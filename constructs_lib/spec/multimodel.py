"""MultiModelEndpointProps: one fleet serving every model artifact under an S3 prefix."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .base import IRoleLike
from .hosting import FleetProps
from .model import EnvironmentName, EnvironmentValue, ModelSpec
from .rules import hosting_problems
from .sources import ImageUri, S3Uri
from .traffic import TrafficHint, sum_traffic
from .uris import parse_s3
from .variant import fleet_problems

__all__ = ["MultiModelEndpointProps"]


class MultiModelEndpointProps(FleetProps):
    """Props of :class:`~constructs_lib.MultiModelEndpoint`.

    ``image_uri`` and ``models_s3_prefix`` (required: an image that supports multi-model
    serving, and the prefix, ending in '/', whose artifacts it loads; both take tokens, their
    literal parts checked, and the role reads only that prefix and pulls only the repository
    the URI names); ``models`` (each
    TargetModel's TrafficHint: the fleet serves their sum) or ``traffic`` (one hint for the
    whole fleet), one of them; ``model_cache`` [``Enabled``]; ``environment`` [none];
    ``execution_role`` [a role that reads only the prefix]; the fleet's options as in
    :class:`~constructs_lib.spec.hosting.FleetProps`. Variants must be multi-model too;
    shadow variants are refused (SageMaker refuses them on multi-model endpoints).
    """

    image_uri: ImageUri
    models_s3_prefix: S3Uri
    traffic: TrafficHint | None = None
    models: dict[str, TrafficHint] = Field(default_factory=dict)
    model_cache: Literal["Enabled", "Disabled"] = "Enabled"
    environment: dict[EnvironmentName, EnvironmentValue] = Field(default_factory=dict,
                                                                  max_length=100)
    execution_role: IRoleLike = None

    @field_validator("models", "environment", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> MultiModelEndpointProps:
        problems: list[Problem] = []
        if parse_s3(self.models_s3_prefix).is_prefix is False:
            problems.append(Problem("models_s3_prefix", self.models_s3_prefix,
                                    "an S3 prefix ending in '/', e.g. 's3://bucket/models/': "
                                    "SageMaker loads every artifact under it"))
        if (self.traffic is None) == (not self.models):
            problems.append(Problem(
                "models" if self.traffic is not None else "traffic", "(both)" if self.traffic
                else "(neither)", "give either models (name -> TrafficHint; the fleet serves "
                "their sum) or traffic (one hint for the whole fleet)"))
        for name in self.models:
            if not re.match(limits.TARGET_MODEL_PATTERN, name):
                problems.append(Problem(f"models[{name!r}]", name, "a TargetModel: the "
                                        "artifact's key under the prefix, printable ASCII, "
                                        "1-1024 characters, no leading space"))
        problems += hosting_problems(
            instance_type=self.instance_type, kms_key=self.kms_key, traffic=self.fleet_traffic,
            autoscaling=self.autoscaling, instance_count=self.instance_count, async_fits=False,
            volume_size_gb=self.volume_size_gb)
        problems += fleet_problems(primary_name=self.variant_name,
                                   primary_weight=self.variant_weight, variants=list(self.variants),
                                   multi_model=True, deployment=self.deployment,
                                   instance_type=self.instance_type)
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def fleet_traffic(self) -> TrafficHint:
        """The hint the whole fleet serves: ``traffic``, or the sum of the models' hints."""
        return self.traffic if self.traffic is not None else sum_traffic(self.models)

    @property
    def served_traffic(self) -> TrafficHint:
        return self.fleet_traffic

    @property
    def model(self) -> ModelSpec:
        """The container as a ModelSpec: the image, the prefix as its artifact."""
        return ModelSpec(image_uri=self.image_uri, model_data_url=self.models_s3_prefix,
                         environment=self.environment, execution_role=self.execution_role)
