"""VariantOptions: one more production (or shadow) variant of an endpoint, and SageMaker's rules
on an endpoint's whole set of variants (CreateEndpointConfig, CreateEndpoint)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .deployment import BlueGreenDeployment, RollingDeployment, alarm_problems
from .instance_options import InstanceOptions
from .model import ConcurrentRequests, InstanceType, ModelSpec, VolumeSizeGb
from .rules import count_in_range, scaling_problems, volume_problems
from .scaling import AutoscalingOptions
from .tokens import TOKENS

__all__ = ["VariantOptions", "fleet_problems", "initial_instance_count", "multi_model_problems"]

MIXED = ("SageMaker refuses mixing multi-model and single-model (or multi-container) variants "
         "on one endpoint")


def initial_instance_count(instance_count: int | None,
                           autoscaling: AutoscalingOptions | None) -> int:
    """The count a fleet starts with: as given, else the autoscaling minimum, else 1."""
    if instance_count is not None:
        return instance_count
    return autoscaling.min_instances if autoscaling else 1


class VariantOptions(InstanceOptions):
    """One more variant. Defaults: the endpoint's model and instance type, instance count 1
    (or the autoscaling minimum), weight 1, no autoscaling, a production (not shadow) variant,
    SageMaker's ML storage volume for the type (``volume_size_gb``: 1-512 GB, refused on types
    with local NVMe storage), and the family's requests per instance at once for the estimate
    (``max_concurrent_requests_per_instance``: one per vCPU, or per GPU on GPU types).
    The endpoint's instance options (:class:`~constructs_lib.spec.instance_options.
    InstanceOptions`) for each one left unset. A shadow variant's weight over the production
    weight is the share of requests it copies. ``name`` takes a token (its literal parts are
    checked)."""

    name: Annotated[str, Field(pattern=limits.ENDPOINT_NAME_PATTERN), TOKENS]
    model: ModelSpec | None = None
    instance_type: InstanceType | None = None
    instance_count: int | None = Field(None, ge=1, le=1000)
    weight: float = Field(1.0, ge=0)
    autoscaling: AutoscalingOptions | None = None
    shadow: bool = False
    volume_size_gb: VolumeSizeGb | None = None
    max_concurrent_requests_per_instance: ConcurrentRequests | None = None

    @model_validator(mode="after")
    def _count_in_range(self) -> VariantOptions:
        FieldProblem.raise_if_any(count_in_range(self.autoscaling, self.instance_count))
        return self

    @property
    def initial_instance_count(self) -> int:
        return initial_instance_count(self.instance_count, self.autoscaling)


def multi_model_problems(model: ModelSpec, field: str) -> list[Problem]:
    """A model a multi-model fleet can serve: one container whose model data is a prefix of
    compressed artifacts (``model_data_url``, or S3 model data, ending in '/'; a token that
    may is accepted)."""
    if model.multi_container:
        return [Problem(f"{field}.containers", len(model.containers), f"one container: {MIXED}")]
    source = model.data_source
    prefix = getattr(source, "is_prefix", False) if source is not None else False
    if prefix is False or getattr(source, "uncompressed", False):
        shown = model.model_data_url if model.model_data is None else "(model_data)"
        name = "model_data_url" if model.model_data is None else "model_data"
        return [Problem(f"{field}.{name}", shown, f"a prefix ending in '/' of compressed model "
                                                  f"artifacts: {MIXED}")]
    return []


def fleet_problems(*, primary_name: str, primary_weight: float,
                   variants: list[VariantOptions], multi_model: bool,
                   deployment: BlueGreenDeployment | RollingDeployment | None,
                   new: int | None = None, instance_type: str | None = None) -> list[Problem]:
    """Every SageMaker rule on the whole set of variants: at most 10, unique names, weights
    >= 0 and not all zero, a shadow variant only beside exactly one production variant and
    never on a multi-model endpoint, no rolling update on a multi-variant endpoint, no volume
    size on a type with local NVMe storage and no autoscaling on a burstable type (a variant's
    own type, else the endpoint's ``instance_type``). Fields name ``variants[i]``, or the
    variant's own field when ``new`` is the index of the variant being added."""

    def f(i: int, attr: str) -> str:
        return attr if i == new else f"variants[{i}].{attr}"

    problems: list[Problem] = []
    total = 1 + len(variants)
    if total > limits.MAX_PRODUCTION_VARIANTS:
        problems.append(Problem("variants", total, "at most 10 variants per endpoint "
                                "(the endpoint's own variant included)"))
    seen = {primary_name}
    for i, v in enumerate(variants):
        if v.name in seen:
            problems.append(Problem(f(i, "name"), v.name,
                                    "must be unique among the endpoint's variants"))
        seen.add(v.name)
        itype = v.instance_type or instance_type
        if itype is not None:
            problems += volume_problems(itype, v.volume_size_gb, f(i, "volume_size_gb"))
            problems += scaling_problems(itype, v.autoscaling, f(i, "autoscaling"))
        if multi_model and v.model is not None:
            problems += multi_model_problems(v.model, f(i, "model"))
    shadows = [i for i, v in enumerate(variants) if v.shadow]
    production = [v for v in variants if not v.shadow]
    if primary_weight + sum(v.weight for v in production) <= 0:
        problems.append(Problem("variant_weight" if new is None else "weight", 0,
                                "production variant weights must not all be zero"))
    for i in shadows:
        if multi_model:
            problems.append(Problem(f(i, "shadow"), True,
                                    "SageMaker refuses shadow variants on multi-model endpoints"))
        elif production or len(shadows) > 1:
            problems.append(Problem(
                f(i, "shadow"), True,
                f"a shadow variant ({variants[i].name}) only beside exactly one production "
                f"variant and no other shadow; this endpoint would have {1 + len(production)} "
                f"production and {len(shadows)} shadow variants"))
    if isinstance(deployment, RollingDeployment) and total > 1:
        problems.append(Problem("deployment", "rolling",
                                "SageMaker refuses rolling updates on multi-variant endpoints; "
                                "use BlueGreenDeployment"))
    problems += alarm_problems(deployment, 1 + len(production))
    return problems
