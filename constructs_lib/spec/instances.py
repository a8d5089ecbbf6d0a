"""Facts about hosting instance types that SageMaker's rules and the cost models depend on: GPU
and accelerator counts, local NVMe storage, the ML storage volume SageMaker attaches, and how
many requests one instance serves at once by default. Sources: ``data/instance_types.json``
(``source``, ``storage_volume_source``, ``concurrency_source``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["InstanceFacts", "burstable", "instance_facts", "instance_types", "local_nvme"]

BURSTABLE = re.compile(r"^ml\.t\d+[a-z]*\.")
"""Burstable performance families (ml.t2, ml.t3, ml.t3a, ml.t4g...): EC2's T classes, the
prefixes aws-sagemaker-alpha refuses autoscaling on."""


@dataclass(frozen=True)
class InstanceFacts:
    """One instance type. ``storage_volume_gb``/``multi_model_storage_volume_gb``: GB of the
    EBS (gp2) volume SageMaker attaches per instance for a single-model or a MultiModel
    container; None where it attaches none (local NVMe) or the table read does not list the
    type."""

    instance_type: str
    vcpu: int | None
    memory_gib: float | None
    gpu_count: int
    accelerator: str | None
    local_nvme_storage: bool
    accelerator_count: int = 0
    storage_volume_gb: int | None = None
    multi_model_storage_volume_gb: int | None = None
    accelerator_devices: int = 0
    """GPUs, or AWS Neuron devices (Inferentia chips): what an inference component's
    ``NumberOfAcceleratorDevicesRequired`` counts."""

    @property
    def has_accelerator(self) -> bool:
        return self.gpu_count > 0 or self.accelerator is not None

    @property
    def default_concurrency(self) -> tuple[int, str]:
        """Requests one instance serves at once when the user states none, and why: one per
        GPU on GPU types, one per accelerator device on Inferentia types, one per vCPU
        otherwise (the model servers' default worker counts; ``concurrency_source`` in the data
        file)."""
        if self.gpu_count:
            return self.gpu_count, f"{self.gpu_count} GPU (one request per GPU)"
        if self.accelerator is not None:
            count = max(self.accelerator_count, 1)
            return count, f"{count} {self.accelerator} device(s) (one request per device)"
        vcpu = self.vcpu or 1
        return vcpu, f"{vcpu} vCPU (one request per vCPU)"

    def volume_gb(self, *, multi_model: bool = False) -> int | None:
        """The default ML storage volume per instance, GB (None: none attached or unknown)."""
        return self.multi_model_storage_volume_gb if multi_model else self.storage_volume_gb


@lru_cache(maxsize=1)
def _all() -> dict[str, InstanceFacts]:
    text = resources.files(__package__).joinpath("data", "instance_types.json").read_text("utf-8")
    raw = json.loads(text)["instance_types"]
    return {
        name: InstanceFacts(
            instance_type=name,
            vcpu=f.get("vcpu"),
            memory_gib=f.get("memory_gib"),
            gpu_count=int(f.get("gpu_count") or 0),
            accelerator=f.get("accelerator"),
            local_nvme_storage=bool(f.get("local_nvme_storage")),
            accelerator_count=int(f.get("accelerator_count") or 0),
            storage_volume_gb=f.get("storage_volume_gb"),
            multi_model_storage_volume_gb=f.get("multi_model_storage_volume_gb"),
            accelerator_devices=int(f.get("accelerator_count") or f.get("gpu_count") or 0),
        )
        for name, f in raw.items()
    }


def instance_facts(instance_type: str) -> InstanceFacts | None:
    """Facts for a type, or None when the data file does not list it."""
    return _all().get(instance_type)


def instance_types() -> list[str]:
    """Every instance type the data file lists, sorted."""
    return sorted(_all())


def local_nvme(instance_type: str) -> bool:
    """Whether the type has local NVMe instance storage (SageMaker then refuses a KMS key and a
    volume size, and attaches no EBS volume)."""
    facts = instance_facts(instance_type)
    return facts is not None and facts.local_nvme_storage


def burstable(instance_type: str) -> bool:
    """Whether the type is a burstable performance instance (ml.t2, ml.t3...), which SageMaker
    does not scale: "Amazon SageMaker automatic scaling doesn't support automatic scaling for
    burstable instances" (SageMaker developer guide, "Configure automatic scaling for a
    variant"; Application Auto Scaling refuses registering such a variant)."""
    return bool(BURSTABLE.match(instance_type))
