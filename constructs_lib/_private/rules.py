"""SageMaker's rules for instance-hosted real-time endpoints, shared by the constructs that
serve through InvokeEndpoint (RealTimeEndpoint, MultiModelEndpoint). No CDK here."""

from __future__ import annotations

from typing import Any

from .. import limits
from ..config import AutoscalingOptions
from ..errors import Problem
from ..pricing.instances import instance_facts
from ..traffic import TrafficHint


def local_nvme(instance_type: str) -> bool:
    """Whether the type has local NVMe instance storage (SageMaker then refuses a KMS key)."""
    facts = instance_facts(instance_type)
    return facts is not None and facts.local_nvme_storage


def hosting_problems(*, instance_type: str, kms_key: Any, traffic: TrafficHint,
                     autoscaling: AutoscalingOptions | None, instance_count: int | None,
                     async_fits: bool) -> list[Problem]:
    """KMS on NVMe types, InvokeEndpoint's 6 MB and 60 s, and an initial count within the
    autoscaling range. ``async_fits``: point users at AsyncEndpoint for bigger or longer work
    (not for multi-model, which asynchronous inference does not host)."""
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
    if autoscaling is not None and instance_count is not None and not (
        autoscaling.min_instances <= instance_count <= autoscaling.max_instances
    ):
        problems.append(Problem(
            "instance_count", instance_count,
            "must be within autoscaling min_instances..max_instances "
            f"({autoscaling.min_instances}..{autoscaling.max_instances})",
        ))
    return problems


def no_kms_reason(instance_type: str) -> str:
    """Why an endpoint config of ``instance_type`` carries no KMS key (the acknowledgement of
    the HIPAA endpoint-config KMS rule)."""
    if local_nvme(instance_type):
        return (f"{instance_type} has local NVMe storage, encrypted by a hardware module on the "
                "instance; SageMaker refuses KmsKeyId for it, so this construct sets no KMS key")
    return ("no kms_key was passed: SageMaker encrypts the ML storage volume with an AWS managed "
            "key; pass kms_key (a customer-managed key with rotation) where a customer key is "
            "required")
