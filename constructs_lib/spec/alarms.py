"""The opt-in operational alarm set of an endpoint (``alarms=AlarmOptions(...)``), planned here
once: ``parts/alarms.py`` renders the plan as ``AWS::CloudWatch::Alarm`` resources and the
estimate prices the same plan (one standard-resolution alarm metric a month each).

Metrics: SageMaker developer guide "Monitor Amazon SageMaker AI with Amazon CloudWatch"
(``AWS/SageMaker``: ``Invocation5XXErrors`` 1 per 5XX answer and 0 otherwise, so its Average is
the 5XX rate; ``ModelLatency`` in microseconds; ``/aws/sagemaker/Endpoints``: CPU and GPU
utilization summed over the instance's vCPUs and GPUs, memory and disk 0-100%) and "Monitor
asynchronous endpoints" (``ApproximateAgeOfOldestRequest``, seconds, per ``EndpointName``).
Every alarm evaluates 60-second periods: a standard-resolution alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..errors import Problem
from .base import ITopicLike, StrictModel
from .instances import instance_facts

__all__ = ["ALARM_PERIOD_S", "AlarmKind", "AlarmOptions", "PlannedAlarm", "alarm_problems",
           "plan_alarms"]

AlarmKind = Literal["error_rate", "latency", "utilization", "backlog_age"]
ALARM_PERIOD_S = 60
"""Every alarm of the set evaluates one-minute periods (standard resolution)."""


class AlarmOptions(StrictModel):
    """CloudWatch alarms on the endpoint's own variant, each notifying ``topic`` [a new SNS
    topic, encrypted with ``alias/aws/sns``, TLS-only, retained]. Off unless given.

    ``include`` [every alarm the kind supports]: which of ``error_rate``, ``latency``,
    ``utilization``, ``backlog_age``. Thresholds (each breached for ``evaluation_periods`` [5]
    one-minute periods; missing data is not breaching, so an idle endpoint stays quiet):

    * ``error_rate``: ``Invocation5XXErrors`` Average above ``error_rate_percent`` [1]% of
      requests.
    * ``latency``: ``ModelLatency`` at ``latency_percentile`` [p99] above ``latency_ms``
      [3 × the hint's ``avg_duration_ms``, at least 100 ms].
    * ``utilization``: ``CPUUtilization`` above ``utilization_percent`` [80]% per vCPU (the
      metric sums over vCPUs: the threshold is × the instance's vCPUs), ``MemoryUtilization``
      and ``DiskUtilization`` above it, and ``GPUUtilization`` above it per GPU on GPU types
      (instance fleets: real-time, multi-model, async).
    * ``backlog_age``: ``ApproximateAgeOfOldestRequest`` Maximum above ``backlog_age_s``
      [900] seconds (asynchronous endpoints).

    Each alarm is a standard-resolution alarm metric, billed by CloudWatch: the estimate has a
    line for them. Variants added with ``add_variant`` get no alarms of this set.
    """

    include: tuple[AlarmKind, ...] | None = None
    topic: ITopicLike = None
    error_rate_percent: float = Field(1.0, gt=0, le=100)
    latency_percentile: Literal["p50", "p90", "p95", "p99", "p99.9"] = "p99"
    latency_ms: float | None = Field(None, gt=0)
    utilization_percent: float = Field(80.0, gt=0, le=100)
    backlog_age_s: float = Field(900.0, gt=0)
    evaluation_periods: int = Field(5, ge=1, le=1440)


@dataclass(frozen=True)
class PlannedAlarm:
    """One alarm of the set: its construct id and readable name suffix, the metric
    (``namespace``, ``metric``, ``statistic`` or a percentile), the threshold in the metric's
    unit, whether its dimensions include ``VariantName``, and a sentence for its description."""

    construct_id: str
    name: str
    namespace: str
    metric: str
    statistic: str
    threshold: float
    per_variant: bool
    description: str


def alarm_problems(options: AlarmOptions | None, supported: tuple[AlarmKind, ...],
                   instance_type: str | None) -> list[Problem]:
    """An ``include`` the kind does not support, and CPU or GPU utilization on a type whose vCPU
    count the instance data lacks (the threshold is multiplied by it)."""
    if options is None:
        return []
    problems = [Problem("alarms.include", kind, f"not for this endpoint kind: one of "
                        f"{', '.join(supported)}")
                for kind in options.include or () if kind not in supported]
    kinds = _kinds(options, supported)
    if "utilization" in kinds and instance_type is not None:
        facts = instance_facts(instance_type)
        if facts is None or not facts.vcpu:
            problems.append(Problem(
                "alarms.include", "utilization",
                f"the vCPU count of {instance_type} is not in the instance data "
                "(constructs_lib/spec/data/instance_types.json), and the CPU threshold is "
                "multiplied by it: leave utilization out of include"))
    return problems


def _kinds(options: AlarmOptions, supported: tuple[AlarmKind, ...]) -> tuple[AlarmKind, ...]:
    return supported if options.include is None else tuple(
        k for k in supported if k in options.include)


def plan_alarms(options: AlarmOptions | None, supported: tuple[AlarmKind, ...], *,
                instance_type: str | None, avg_duration_ms: float) -> tuple[PlannedAlarm, ...]:
    """The alarms ``options`` creates on an endpoint kind supporting ``supported`` (after
    :func:`alarm_problems` found none), in a stable order."""
    if options is None:
        return ()
    kinds = _kinds(options, supported)
    invocations, instance = "AWS/SageMaker", "/aws/sagemaker/Endpoints"
    periods = f"for {options.evaluation_periods} minute(s)"
    plan: list[PlannedAlarm] = []
    if "error_rate" in kinds:
        pct = options.error_rate_percent
        plan.append(PlannedAlarm(
            "ErrorRateAlarm", "5xx-rate", invocations, "Invocation5XXErrors", "Average",
            pct / 100.0, True, f"More than {pct:g}% of requests answered 5XX {periods}"))
    if "latency" in kinds:
        ms = options.latency_ms or max(3 * avg_duration_ms, 100.0)
        p = options.latency_percentile
        plan.append(PlannedAlarm(
            "LatencyAlarm", f"model-latency-{p}", invocations, "ModelLatency", p,
            ms * 1000.0, True, f"Model latency {p} above {ms:g} ms {periods}"))
    if "utilization" in kinds and instance_type is not None:
        facts = instance_facts(instance_type)
        assert facts is not None and facts.vcpu  # alarm_problems refused it otherwise
        pct = options.utilization_percent
        units = [("CPU", facts.vcpu, "vCPU")]
        if facts.gpu_count:
            units.append(("GPU", facts.gpu_count, "GPU"))
        for unit, count, per in units:
            plan.append(PlannedAlarm(
                f"{unit}UtilizationAlarm", f"{unit.lower()}-utilization", instance,
                f"{unit}Utilization", "Average", pct * count, True,
                f"{unit} utilization above {pct:g}% per {per} ({pct * count:g}% summed over "
                f"{count} {per}) {periods}"))
        for unit in ("Memory", "Disk"):
            plan.append(PlannedAlarm(
                f"{unit}UtilizationAlarm", f"{unit.lower()}-utilization", instance,
                f"{unit}Utilization", "Average", pct, True,
                f"{unit} utilization above {pct:g}% {periods}"))
    if "backlog_age" in kinds:
        age = options.backlog_age_s
        plan.append(PlannedAlarm(
            "BacklogAgeAlarm", "oldest-request-age", invocations,
            "ApproximateAgeOfOldestRequest", "Maximum", age, False,
            f"Oldest queued request older than {age:g} s {periods}"))
    return tuple(plan)
