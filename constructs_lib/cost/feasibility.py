"""Can an endpoint kind serve this workload at all? SageMaker's limits decide, not taste.

Every number comes from ``constructs_lib.limits`` (cited there); each check returns the reasons
a kind cannot serve the workload, an empty list when it can. The one assumption that is not a
SageMaker limit, how long an asynchronous endpoint scaled to zero takes to answer its first
request, is :data:`ASYNC_COLD_START_MS` below, stated as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .. import limits
from ..pricing.instances import instance_facts
from ..traffic import TrafficHint
from .estimate import LoadCost

__all__ = [
    "ASYNC_COLD_START_MS",
    "BASELINE_CPU_INSTANCE",
    "Workload",
    "async_infeasibility",
    "batch_infeasibility",
    "realtime_infeasibility",
    "serverless_infeasibility",
]

BASELINE_CPU_INSTANCE = "ml.m5.large"
"""The instance an instance-billed alternative uses when the workload names none (2 vCPU, 8 GiB)."""

ASYNC_COLD_START_MS = 10 * 60 * 1000
"""Assumption: an async endpoint scaled to zero needs up to ~10 minutes to start an instance
(alarm on ``HasBacklogWithoutCapacity`` 2 × 60 s, then instance launch and model load). A caller
that cannot wait that long (``TrafficHint.max_latency_ms``) is not offered async."""


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

    @cached_property
    def _runs(self) -> float | None:
        """Offline work's runs a month, when there are any: a volume is divided among them."""
        runs = self.traffic.runs_per_month
        return runs if self.traffic.is_offline and runs else None

    def volume_cost(self, cost: LoadCost) -> Callable[[float], float]:
        """``cost`` (a cost model with this workload's traffic held) as a function of the
        volume: what it gives for :meth:`at_volume`'s traffic, without building that traffic."""
        runs, records = self._runs, self.traffic.records_per_run
        if runs:
            return lambda v: cost(v, v / runs)
        if records is None:
            return cost  # cost(v) is cost(v, None)
        return lambda v: cost(v, records)


def _peak_concurrency(t: TrafficHint) -> float:
    return t.effective_peak_rps * t.avg_duration_ms / 1000.0


def realtime_infeasibility(w: Workload) -> list[str]:
    """InvokeEndpoint: 6 MB request and response bodies, 60 s per request."""
    t, reasons = w.traffic, []
    if max(t.payload_kb, t.response_kb) > limits.REALTIME_MAX_PAYLOAD_KB:
        reasons.append("payload or response above real-time's 6 MB")
    if t.avg_duration_ms > limits.REALTIME_MAX_DURATION_MS:
        reasons.append("requests longer than real-time's 60 s")
    return reasons


def serverless_infeasibility(w: Workload) -> list[str]:
    """Serverless: no GPU or accelerator, <= 6144 MB, <= 200 concurrent, 4 MB, 60 s."""
    t, reasons = w.traffic, []
    if w.accelerator:
        reasons.append("serverless has no GPU or accelerator")
    if w.memory_mb is not None and w.memory_mb > limits.SERVERLESS_MAX_MEMORY_MB:
        reasons.append(f"model needs {w.memory_mb} MB, above serverless's 6144 MB")
    if t.payload_kb > limits.SERVERLESS_MAX_PAYLOAD_KB:
        reasons.append("payload above serverless's 4 MB")
    if t.avg_duration_ms > limits.SERVERLESS_MAX_DURATION_MS:
        reasons.append("requests longer than serverless's 60 s")
    concurrency = _peak_concurrency(t)
    if concurrency > limits.SERVERLESS_MAX_CONCURRENCY:
        reasons.append(f"peak concurrency {concurrency:.0f} above serverless's 200")
    return reasons


def async_infeasibility(w: Workload) -> list[str]:
    """Async: a caller that can wait (``max_latency_ms`` covers a start from zero, or the hint
    is offline work with no ``max_latency_ms``), 1 GB payloads, 3600 s per request."""
    t, reasons = w.traffic, []
    if t.max_latency_ms is None and not t.is_offline:
        reasons.append("caller waits on the request (no traffic.max_latency_ms)")
    elif t.max_latency_ms is not None and t.max_latency_ms < ASYNC_COLD_START_MS:
        reasons.append(f"caller waits at most {t.max_latency_ms:g} ms, less than a start "
                       "from zero")
    if t.payload_kb > limits.ASYNC_MAX_PAYLOAD_KB:
        reasons.append("payload above async's 1 GB")
    if t.avg_duration_ms > limits.ASYNC_MAX_DURATION_MS:
        reasons.append("requests longer than async's 3600 s")
    return reasons


def batch_infeasibility(w: Workload) -> list[str]:
    """Batch transform: offline work only (``records_per_run`` and ``runs_per_month``), records
    up to 100 MB."""
    t, reasons = w.traffic, []
    if not t.is_offline:
        reasons.append("not offline work (no traffic.records_per_run and runs_per_month)")
    if t.payload_kb > limits.BATCH_MAX_PAYLOAD_MB * 1024:
        reasons.append("record above batch transform's 100 MB")
    return reasons
