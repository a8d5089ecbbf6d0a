"""SageMaker's rules for instance-hosted endpoints behind InvokeEndpoint (RealTimeEndpoint,
MultiModelEndpoint and their variants), shared by their props models. No CDK here."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from . import limits
from .instances import burstable, instance_facts, local_nvme
from .scaling import AutoscalingOptions
from .traffic import TrafficHint

__all__ = ["count_in_range", "hosting_problems", "scaling_problems", "utilization_units",
           "volume_problems"]


def scaling_problems(instance_type: str, autoscaling: AutoscalingOptions | None,
                     field: str = "autoscaling") -> list[Problem]:
    """SageMaker's rules on scaling a variant of ``instance_type``: none on burstable types
    (``instances.burstable``), and a utilization policy needs the vCPU or GPU count it sums over
    (``utilization_units``)."""
    if autoscaling is None:
        return []
    if burstable(instance_type):
        given = f"{autoscaling.min_instances}-{autoscaling.max_instances} instances"
        return [Problem(field, given, f"refused for {instance_type}: SageMaker does not "
                        "scale burstable instances (ml.t2, ml.t3...), they already burst under "
                        "load; use a fixed instance_count or a non-burstable type (e.g. "
                        "ml.m5, ml.c5)")]
    if autoscaling.utilization is not None:
        metric = autoscaling.utilization.metric
        units, why = utilization_units(instance_type, metric)
        if units is None:
            return [Problem(f"{field}.utilization.metric", metric, why)]
    return []


def utilization_units(instance_type: str, metric: str) -> tuple[int | None, str]:
    """How many vCPUs (``CPUUtilization``) or GPUs (``GPUUtilization``) the metric sums over on
    ``instance_type`` (CloudWatch reports 0-100% per unit, summed), or None and why not."""
    facts = instance_facts(instance_type)
    if facts is None:
        return None, (f"{instance_type} is not in the instance data "
                      "(constructs_lib/spec/data/instance_types.json): its vCPU and GPU counts, "
                      "which the target is multiplied by, are unknown")
    if metric == "GPUUtilization":
        if not facts.gpu_count:
            return None, f"{instance_type} has no GPU: use CPUUtilization"
        return facts.gpu_count, f"{facts.gpu_count} GPU"
    if not facts.vcpu:
        return None, f"the vCPU count of {instance_type} is not in the instance data"
    return facts.vcpu, f"{facts.vcpu} vCPU"


def count_in_range(autoscaling: AutoscalingOptions | None, instance_count: int | None
                   ) -> list[Problem]:
    """An initial instance count inside the autoscaling range."""
    if autoscaling is not None and instance_count is not None and not (
        autoscaling.min_instances <= instance_count <= autoscaling.max_instances
    ):
        return [Problem(
            "instance_count", instance_count,
            "must be within autoscaling min_instances..max_instances "
            f"({autoscaling.min_instances}..{autoscaling.max_instances})",
        )]
    return []


def volume_problems(instance_type: str, volume_size_gb: int | None,
                    field: str = "volume_size_gb") -> list[Problem]:
    """A volume size on an instance type with local NVMe storage: SageMaker attaches no EBS
    volume there and refuses ``VolumeSizeInGB`` (aws/sagemaker-python-sdk
    ``utils.volume_size_supported``: such families "do not support attaching an EBS volume")."""
    if volume_size_gb is None or not local_nvme(instance_type):
        return []
    return [Problem(field, volume_size_gb,
                    f"refused by SageMaker for {instance_type}: instance types with local NVMe "
                    "storage have no EBS volume to size (VolumeSizeInGB); remove it or choose "
                    "an EBS-backed type (e.g. ml.m5, ml.c5)")]


def hosting_problems(*, instance_type: str, kms_key: Any, traffic: TrafficHint,
                     autoscaling: AutoscalingOptions | None, instance_count: int | None,
                     async_fits: bool, volume_size_gb: int | None = None) -> list[Problem]:
    """KMS on NVMe types, InvokeEndpoint's 6 MB and 60 s, scaling (``scaling_problems``) and an
    initial count within the autoscaling range. ``async_fits``: point users at AsyncEndpoint
    for bigger or longer work (not for multi-model, which asynchronous inference does not
    host)."""
    problems: list[Problem] = []
    if kms_key is not None and local_nvme(instance_type):
        problems.append(Problem(
            "kms_key", kms_key,
            f"refused by SageMaker for {instance_type}: instance types with local NVMe storage "
            "encrypt it with a hardware key and reject KmsKeyId; remove kms_key or choose an "
            "EBS-backed type (e.g. ml.m5, ml.c5)",
        ))
    for name in ("payload_kb", "response_kb"):
        if getattr(traffic, name) > limits.REALTIME_MAX_PAYLOAD_KB:
            problems.append(Problem(
                f"traffic.{name}", getattr(traffic, name),
                "must be <= 6144 (InvokeEndpoint's 6 MB limit)"
                + ("; use AsyncEndpoint for larger payloads" if async_fits else ""),
            ))
    if traffic.avg_duration_ms > limits.REALTIME_MAX_DURATION_MS:
        problems.append(Problem(
            "traffic.avg_duration_ms", traffic.avg_duration_ms,
            "must be <= 60000 (InvokeEndpoint times out at 60 s)"
            + ("; use AsyncEndpoint for longer inferences" if async_fits else ""),
        ))
    return (problems + volume_problems(instance_type, volume_size_gb)
            + scaling_problems(instance_type, autoscaling)
            + count_in_range(autoscaling, instance_count))
