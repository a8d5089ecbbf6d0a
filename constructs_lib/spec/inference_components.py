"""InferenceComponentEndpointProps: one instance fleet hosting several models as inference
components, each with its own compute, copies and traffic; and how copies pack onto instances.

SageMaker places a component's copies on the endpoint's instances by their compute
requirements (accelerator devices, memory, CPU cores) and starts instances as copies need them
(managed instance scaling, between ``min_instances`` and ``max_instances``). The rules here are
SageMaker's (``limits``: the botocore model and the ``AWS::SageMaker::InferenceComponent``
schema); :func:`pack` is the placement both validation and the cost model use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .alarms import AlarmKind
from .base import IKeyLike, StrictModel
from .hosting import EndpointProps
from .instances import instance_facts
from .model import InstanceType, ModelSpec
from .rules import hosting_problems
from .traffic import TrafficHint

__all__ = [
    "Capacity",
    "ComponentName",
    "CopyDemand",
    "InferenceComponentEndpointProps",
    "InferenceComponentOptions",
    "component_problems",
    "instance_capacity",
    "instance_problems",
    "pack",
    "placement_problems",
]

ComponentName = Annotated[str, Field(pattern=limits.ENDPOINT_NAME_PATTERN)]
"""A component's name (also its construct id): 63 characters, alphanumerics and '-'."""
StartupTimeout = Field(None, ge=limits.IC_STARTUP_TIMEOUT_S[0], le=limits.IC_STARTUP_TIMEOUT_S[1])


@dataclass(frozen=True, slots=True)
class CopyDemand:
    """What one copy reserves on an instance: accelerator devices, MB of memory, CPU cores (0
    when the component states none)."""

    accelerators: int
    memory_mb: int
    cpu_cores: float


@dataclass(frozen=True, slots=True)
class Capacity:
    """What one instance offers its copies (all of it is assumed allocatable)."""

    instance_type: str
    accelerators: int
    memory_mb: int
    cpu_cores: float

    def fits(self, demand: CopyDemand) -> int:
        """How many copies of ``demand`` one empty instance holds."""
        return _fits(self.accelerators, self.memory_mb, self.cpu_cores, demand)

    def share(self, demand: CopyDemand) -> float:
        """The share of an instance one copy takes on its scarcest resource (its dominant
        share): how the instance's cost is attributed among the copies on it."""
        return max(demand.accelerators / self.accelerators if self.accelerators else 0.0,
                   demand.memory_mb / self.memory_mb,
                   demand.cpu_cores / self.cpu_cores if self.cpu_cores else 0.0)


def _fits(accelerators: float, memory_mb: float, cpu_cores: float, demand: CopyDemand) -> int:
    counts = [memory_mb // demand.memory_mb]
    if demand.accelerators:
        counts.append(accelerators // demand.accelerators)
    if demand.cpu_cores:
        counts.append(math.floor(cpu_cores / demand.cpu_cores + 1e-9))
    return max(int(min(counts)), 0)


def instance_capacity(instance_type: str) -> Capacity | None:
    """The instance's accelerator devices, memory (MB) and vCPUs, from ``instance_types.json``;
    None when the file does not list it."""
    facts = instance_facts(instance_type)
    if facts is None or facts.vcpu is None or facts.memory_gib is None:
        return None
    return Capacity(instance_type, facts.accelerator_devices, int(facts.memory_gib * 1024),
                    float(facts.vcpu))


def pack(capacity: Capacity, wanted: Sequence[tuple[CopyDemand, int]],
         limit: int) -> tuple[int, tuple[int, ...]]:
    """Place ``wanted`` copies (demand, count) on at most ``limit`` identical instances, as
    SageMaker fills instances before starting new ones: each new instance takes as many copies
    as fit, the largest (by dominant share) first. Returns (instances used, copies placed of
    each entry); copies beyond ``limit`` instances are not placed."""
    order = sorted(range(len(wanted)), key=lambda i: -capacity.share(wanted[i][0]))
    left = [count for _, count in wanted]
    instances = 0
    while instances < limit and any(left):
        accel, memory, cores = (float(capacity.accelerators), float(capacity.memory_mb),
                                capacity.cpu_cores)
        placed = False
        for i in order:
            demand = wanted[i][0]
            n = min(left[i], _fits(accel, memory, cores, demand))
            if n:
                left[i] -= n
                accel -= n * demand.accelerators
                memory -= n * demand.memory_mb
                cores -= n * demand.cpu_cores
                placed = True
        if not placed:
            break
        instances += 1
    return instances, tuple(count - rest for (_, count), rest in zip(wanted, left, strict=True))


class InferenceComponentOptions(StrictModel):
    """One model hosted as an inference component.

    ``model`` and ``traffic`` (required); ``memory_mb`` (required, at least 128: the MB one
    copy reserves, ``MinMemoryRequiredInMb``); ``accelerators`` [0: a CPU-only model; else the
    GPUs or Neuron devices one copy reserves]; ``cpu_cores`` [none reserved; at least 0.25];
    ``min_copies`` [0: the component scales to zero copies when idle]; ``max_copies`` [1];
    ``target_concurrent_requests_per_copy`` [5, AWS's example value for
    ``SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution``: tune it by load
    testing]; ``model_data_download_timeout_s`` and ``container_startup_health_check_timeout_s``
    [SageMaker's defaults; 60-3600 s: an LLM's download and load can need the upper end].
    """

    model: ModelSpec
    traffic: TrafficHint
    memory_mb: int = Field(ge=limits.IC_MIN_MEMORY_MB)
    accelerators: int = Field(0, ge=0)
    cpu_cores: float | None = Field(None, ge=limits.IC_MIN_CPU_CORES)
    min_copies: int = Field(0, ge=0)
    max_copies: int = Field(1, ge=1, le=1000)
    target_concurrent_requests_per_copy: float = Field(5.0, gt=0)
    model_data_download_timeout_s: int | None = StartupTimeout
    container_startup_health_check_timeout_s: int | None = StartupTimeout

    @model_validator(mode="after")
    def _copies(self) -> InferenceComponentOptions:
        if self.min_copies > self.max_copies:
            raise FieldProblem("min_copies", self.min_copies,
                               f"must be <= max_copies ({self.max_copies})")
        return self

    @property
    def demand(self) -> CopyDemand:
        return CopyDemand(self.accelerators, self.memory_mb, self.cpu_cores or 0.0)

    @property
    def initial_copies(self) -> int:
        """The copies the component is created with (SageMaker needs at least one)."""
        return max(self.min_copies, limits.IC_MIN_CREATE_COPIES)


def _instance_problems(instance_type: str) -> tuple[Capacity | None, list[Problem]]:
    if instance_type.startswith(tuple(f + "." for f in limits.IC_BURSTABLE_FAMILIES)):
        return None, [Problem("instance_type", instance_type,
                              "burstable instances (ml.t2, ml.t3) do not auto scale, so copies "
                              "cannot scale nor the endpoint scale to zero; choose e.g. "
                              "ml.g5, ml.g6 or ml.inf2")]
    capacity = instance_capacity(instance_type)
    if capacity is None:
        return None, [Problem("instance_type", instance_type,
                              "an instance type whose accelerators, memory and vCPUs the library "
                              "knows (constructs_lib/spec/data/instance_types.json), so copies "
                              "can be checked and packed")]
    return capacity, []


def component_problems(capacity: Capacity, options: InferenceComponentOptions,
                       prefix: str = "") -> list[Problem]:
    """One component against its instance type and InvokeEndpoint's limits: one copy must fit
    an empty instance (accelerators, memory, CPU cores). Fields are ``prefix`` + the option."""
    t, problems = capacity.instance_type, []
    if options.accelerators > capacity.accelerators:
        problems.append(Problem(
            prefix + "accelerators", options.accelerators,
            f"must be <= {capacity.accelerators}, the accelerator devices of one {t}"
            + ("" if capacity.accelerators else " (it has none: use 0 for a CPU-only model)")))
    if options.memory_mb > capacity.memory_mb:
        problems.append(Problem(prefix + "memory_mb", options.memory_mb,
                                f"must be <= {capacity.memory_mb}, the memory (MB) of one {t}"))
    if options.cpu_cores is not None and options.cpu_cores > capacity.cpu_cores:
        problems.append(Problem(prefix + "cpu_cores", options.cpu_cores,
                                f"must be <= {capacity.cpu_cores:g}, the vCPUs of one {t}"))
    problems += [Problem(prefix + p.field, p.value, p.allowed) for p in hosting_problems(
        instance_type=t, kms_key=None, traffic=options.traffic, autoscaling=None,
        instance_count=None, async_fits=True)]
    return problems


def placement_problems(capacity: Capacity, components: Mapping[str, InferenceComponentOptions],
                       max_instances: int, field: str = "max_instances") -> list[Problem]:
    """Every component is created with :attr:`~InferenceComponentOptions.initial_copies`
    copies: together they must pack onto ``max_instances`` instances."""
    wanted = [(c.demand, c.initial_copies) for c in components.values()]
    _, placed = pack(capacity, wanted, max_instances)
    if placed == tuple(n for _, n in wanted):
        return []
    needed, _ = pack(capacity, wanted, 10**6)
    copies = ", ".join(f"{name} {c.initial_copies}" for name, c in components.items())
    return [Problem(field, max_instances,
                    f"the components are created with {copies} copies, which need {needed} "
                    f"{capacity.instance_type} instances: raise max_instances to {needed} or "
                    "lower min_copies")]


class InferenceComponentEndpointProps(EndpointProps):
    """Props of :class:`~constructs_lib.InferenceComponentEndpoint`.

    ``instance_type`` (required); ``min_instances`` [0: the endpoint scales to zero instances
    when no copy runs; ``ManagedInstanceScaling.MinInstanceCount`` >= 0]; ``max_instances``
    [1]; ``components`` [none: add them with ``add_component``]: name ->
    :class:`InferenceComponentOptions`; ``kms_key`` [none: SageMaker's AWS-managed key for the
    ML storage volume; refused on instance types with local NVMe storage]; ``endpoint_name``,
    ``variant_name`` and ``max_monthly_usd`` as every endpoint.
    """

    SUPPORTED_ALARMS: ClassVar[tuple[AlarmKind, ...]] = ()
    """The opt-in alarm set (``alarms``) is not offered here yet: each component's metrics
    are per ``InferenceComponentName``, which its alarms do not name."""

    NOT_HERE: ClassVar[dict[str, str]] = {
        "model": "each model is a component: components={name: InferenceComponentOptions("
                 "model=..., traffic=..., memory_mb=...)} or add_component(name, ...)",
        "traffic": "each component has its own traffic hint (InferenceComponentOptions.traffic)",
        "instance_count": "instances follow the copies (managed instance scaling): set "
                          "min_instances and max_instances",
        "autoscaling": "each component scales its copies: min_copies, max_copies and "
                       "target_concurrent_requests_per_copy",
    }

    instance_type: InstanceType
    min_instances: int = Field(0, ge=0, le=1000)
    max_instances: int = Field(1, ge=1, le=1000)
    components: dict[ComponentName, InferenceComponentOptions] = Field(default_factory=dict)
    kms_key: IKeyLike = None

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> InferenceComponentEndpointProps:
        problems: list[Problem] = []
        if self.min_instances > self.max_instances:
            problems.append(Problem("min_instances", self.min_instances,
                                    f"must be <= max_instances ({self.max_instances})"))
        problems += hosting_problems(instance_type=self.instance_type, kms_key=self.kms_key,
                                     traffic=TrafficHint(), autoscaling=None,
                                     instance_count=None, async_fits=False)
        capacity, found = _instance_problems(self.instance_type)
        problems += found
        if capacity is not None:
            for name, options in self.components.items():
                problems += component_problems(capacity, options, f"components.{name}.")
            if not any(p.field.startswith("components.") for p in problems):
                problems += placement_problems(capacity, self.components, self.max_instances)
        FieldProblem.raise_if_any(problems)
        return self

    @property
    def capacity(self) -> Capacity:
        """What one instance offers (the rules above made sure the library knows it)."""
        capacity = instance_capacity(self.instance_type)
        assert capacity is not None
        return capacity


def instance_problems(instance_type: str) -> list[Problem]:
    """Why ``instance_type`` cannot host inference components (empty when it can)."""
    return _instance_problems(instance_type)[1]
