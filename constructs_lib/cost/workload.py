"""What advice prices every endpoint kind from, and how advice treats one kind.

A :class:`Workload` is the traffic and what the model needs to run; :meth:`Workload.load_at`
maps a monthly volume to the :class:`~.base.Load` a cost model is evaluated at. A
:class:`KindOption` is one kind's entry in the registry (``kinds.KINDS``): defined by the
kind's own module beside its cost model, listed by ``kinds``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from ..spec import limits
from ..spec.instances import instance_facts
from ..spec.traffic import TrafficHint
from .base import CostModel, Load, PricingContext
from .estimate import EndpointKind

__all__ = ["BASELINE_CPU_INSTANCE", "KindOption", "Workload"]

T = TypeVar("T")

BASELINE_CPU_INSTANCE = "ml.m5.large"
"""The instance an instance-billed alternative uses when the workload names none (2 vCPU, 8 GiB)."""


@dataclass(frozen=True)
class Workload:
    """What every kind is priced from: the traffic and what the model needs to run.

    ``instance_type``: the instance the model is deployed on (None for a serverless endpoint,
    whose instance-billed alternatives use :data:`BASELINE_CPU_INSTANCE`). ``memory_mb``: the
    memory the model needs when known (a serverless endpoint's own setting); otherwise
    serverless is priced at the instance's memory clamped to 6144 MB, and says so.
    """

    traffic: TrafficHint
    instance_type: str | None = None
    memory_mb: int | None = None

    @cached_property
    def accelerator(self) -> bool:
        facts = instance_facts(self.instance_type) if self.instance_type else None
        return bool(facts and facts.has_accelerator)

    @property
    def host_instance(self) -> str:
        return self.instance_type or BASELINE_CPU_INSTANCE

    @property
    def serverless_memory_mb(self) -> int:
        """The serverless memory size to price: the model's need, or the instance's, in 1 GB
        steps within 1024..6144 MB."""
        if self.memory_mb is not None:
            mb = self.memory_mb
        else:
            facts = instance_facts(self.instance_type) if self.instance_type else None
            gib = facts.memory_gib if facts and facts.memory_gib else 6.0
            mb = math.ceil(gib) * 1024
        low, high = limits.SERVERLESS_MEMORY_MB[0], limits.SERVERLESS_MAX_MEMORY_MB
        return min(max(math.ceil(mb / 1024) * 1024, low), high)

    @property
    def volume(self) -> float:
        """Requests (or, for offline work, records) per month."""
        t = self.traffic
        if t.is_offline:
            return float(t.records_per_run or 0) * float(t.runs_per_month or 0)
        return t.requests_per_month

    def at_volume(self, requests_per_month: float) -> Workload:
        """The same workload at another monthly volume (offline: more records per run)."""
        update: dict[str, float] = {"requests_per_month": requests_per_month}
        if self._runs:
            update["records_per_run"] = requests_per_month / self._runs
        return Workload(self.traffic.model_copy(update=update), self.instance_type,
                        self.memory_mb)

    def at_own_volume(self) -> Workload:
        """``at_volume(volume)``: what every kind is priced from. Online work is itself (its
        volume is its requests, so the copy would hold the same values)."""
        return self.at_volume(self.volume) if self.traffic.is_offline else self

    def load_at(self, volume: float) -> Load:
        """The load :meth:`at_volume` describes, without copying the traffic."""
        return self.via_load(_same)(volume)

    def volume_cost(self, model: CostModel) -> Callable[[float], float]:
        """``model``'s unrounded USD a month as a function of this workload's volume."""
        return self.via_load(model.usd)

    def via_load(self, of_load: Callable[[Load], T]) -> Callable[[float], T]:
        """``of_load`` as a function of the volume: offline work divides the volume among its
        runs; online work takes it as requests, records held. One call per volume (a
        break-even search evaluates it dozens of times)."""
        runs, records = self._runs, self.traffic.records_per_run
        new = tuple.__new__  # Load(...) without NamedTuple's Python-level __new__
        if runs:
            return lambda v: of_load(new(Load, (v, v / runs)))
        return lambda v: of_load(new(Load, (v, records)))

    @cached_property
    def _runs(self) -> float | None:
        """Offline work's runs a month, when there are any: a volume is divided among them."""
        runs = self.traffic.runs_per_month
        return runs if self.traffic.is_offline and runs else None


def _same(load: Load) -> Load:
    return load


@dataclass(frozen=True)
class KindOption:
    """How advice treats one kind: why it cannot serve a workload, its cost model for the
    workload (the one its construct uses; may raise ``PriceNotFoundError``), and a short note
    for reviewers (what the alternative is and its trade-off)."""

    kind: EndpointKind
    infeasibility: Callable[[Workload], list[str]]
    model: Callable[[Workload, PricingContext], CostModel]
    note: Callable[[Workload], str]
