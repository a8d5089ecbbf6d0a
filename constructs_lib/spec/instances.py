"""Facts about hosting instance types (GPU, local NVMe storage) that SageMaker's rules depend on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["InstanceFacts", "instance_facts", "local_nvme"]


@dataclass(frozen=True)
class InstanceFacts:
    instance_type: str
    vcpu: int | None
    memory_gib: float | None
    gpu_count: int
    accelerator: str | None
    local_nvme_storage: bool

    @property
    def has_accelerator(self) -> bool:
        return self.gpu_count > 0 or self.accelerator is not None


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
        )
        for name, f in raw.items()
    }


def instance_facts(instance_type: str) -> InstanceFacts | None:
    """Facts for a type, or None when the data file does not list it."""
    return _all().get(instance_type)


def local_nvme(instance_type: str) -> bool:
    """Whether the type has local NVMe instance storage (SageMaker then refuses a KMS key)."""
    facts = instance_facts(instance_type)
    return facts is not None and facts.local_nvme_storage
