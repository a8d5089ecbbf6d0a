"""Scaling policies as real-time sizing sees them: how many instances each holds at a peak.

One implementation per policy the constructs create (``parts/scaling.py`` renders the same
``AutoscalingOptions``): target tracking on invocations per instance (given, or from a
requests-per-second capacity and a safety factor), on CPU or GPU utilization, and on concurrent
requests per model; several at once hold the largest of their counts, as Application Auto
Scaling scales to the policy that asks for the most capacity. Pure Python, no CDK.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..spec.scaling import AutoscalingOptions

__all__ = [
    "ConcurrencyTarget",
    "InvocationsTarget",
    "LargestOf",
    "SizingPolicy",
    "UtilizationTarget",
    "instances_for",
    "sizing_policy",
]


def instances_for(units: float) -> int:
    """Whole instances for ``units`` instances' worth of load (0 for none; a hair over a whole
    number, from float error, does not add one)."""
    return max(1, math.ceil(units - 1e-9)) if units > 0 else 0


class SizingPolicy(Protocol):
    """A scaling policy as the sizing sees it. ``instances_for(peak_rps, in_flight)``: the
    instances it holds at a peak of ``peak_rps`` requests a second with ``in_flight`` requests
    in flight; ``describe()``: the policy in a few words (with any assumption it rests on);
    ``remedy(concurrency, duration_s)``: how to make it hold what ``concurrency`` requests per
    instance of ``duration_s`` need. Plugs into ``RealTimeCost(policy=...)``."""

    def instances_for(self, peak_rps: float, in_flight: float) -> int: ...

    def describe(self) -> str: ...

    def remedy(self, concurrency: int, duration_s: float) -> str: ...


@dataclass(frozen=True, slots=True)
class InvocationsTarget:
    """Target tracking on ``SageMakerVariantInvocationsPerInstance``: ``per_minute`` invocations
    per instance per minute, so it holds peak rate × 60 ÷ target instances. ``basis``: where the
    target came from (a requests-per-second capacity and safety factor), for the notes."""

    per_minute: float
    basis: str = ""

    def instances_for(self, peak_rps: float, in_flight: float) -> int:
        return instances_for(peak_rps * 60.0 / self.per_minute)

    def describe(self) -> str:
        text = f"target tracking at {self.per_minute:g} invocations/instance/minute"
        return f"{text} ({self.basis})" if self.basis else text

    def remedy(self, concurrency: int, duration_s: float) -> str:
        if duration_s <= 0:
            return "raise max_concurrent_requests_per_instance"
        if self.basis:
            return (f"set requests_per_second so that safety_factor × max_requests_per_second "
                    f"<= {concurrency / duration_s:.4g} so that it scales to them")
        return (f"set target_invocations_per_instance <= {60.0 * concurrency / duration_s:.4g} "
                "so that it scales to them")


@dataclass(frozen=True, slots=True)
class UtilizationTarget:
    """Target tracking on ``metric`` (CPU or GPU utilization) at ``percent`` per vCPU or GPU.
    Load meets utilization through an assumption, stated in :meth:`describe`: an instance is
    ``percent``% busy when it serves ``percent``% of the ``concurrency`` requests it serves at
    once, so the policy holds in flight ÷ (concurrency × percent ÷ 100) instances."""

    percent: float
    metric: str
    concurrency: int

    def instances_for(self, peak_rps: float, in_flight: float) -> int:
        return instances_for(in_flight / (self.concurrency * self.percent / 100.0))

    def describe(self) -> str:
        unit = "GPU" if self.metric == "GPUUtilization" else "vCPU"
        return (f"target tracking at {self.percent:g}% {self.metric} per {unit} (utilization "
                f"assumed proportional to requests in flight: 100% at {self.concurrency} at "
                "once per instance)")

    def remedy(self, concurrency: int, duration_s: float) -> str:
        return "raise max_concurrent_requests_per_instance or lower utilization.target_percent"


@dataclass(frozen=True, slots=True)
class ConcurrencyTarget:
    """Target tracking on ``SageMakerVariantConcurrentRequestsPerModelHighResolution`` at
    ``per_instance`` requests per model container (one per instance): by Little's law the peak
    keeps peak rate × duration in flight, so it holds in flight ÷ target instances."""

    per_instance: float

    def instances_for(self, peak_rps: float, in_flight: float) -> int:
        return instances_for(in_flight / self.per_instance)

    def describe(self) -> str:
        return (f"target tracking at {self.per_instance:g} concurrent requests per model "
                "(high resolution, 10 s)")

    def remedy(self, concurrency: int, duration_s: float) -> str:
        return f"set concurrency.target_concurrent_requests <= {concurrency}"


@dataclass(frozen=True, slots=True)
class LargestOf:
    """Several policies on one variant: the fleet holds what the most demanding one asks for."""

    policies: Sequence[SizingPolicy]

    def instances_for(self, peak_rps: float, in_flight: float) -> int:
        return max(p.instances_for(peak_rps, in_flight) for p in self.policies)

    def describe(self) -> str:
        return " and ".join(p.describe() for p in self.policies)

    def remedy(self, concurrency: int, duration_s: float) -> str:
        return "; or ".join(p.remedy(concurrency, duration_s) for p in self.policies)


def sizing_policy(autoscaling: AutoscalingOptions, concurrency: int) -> SizingPolicy:
    """The policies ``autoscaling`` creates (``parts.scaling.variant_scaling``), for a fleet
    serving ``concurrency`` requests per instance at once."""
    found: list[SizingPolicy] = []
    per_minute = autoscaling.invocations_per_minute
    if per_minute is not None:
        rps = autoscaling.requests_per_second
        found.append(InvocationsTarget(per_minute, "" if rps is None else (
            f"safety factor {rps.safety_factor:g} × {rps.max_requests_per_second:g} req/s "
            "× 60")))
    if autoscaling.utilization is not None:
        found.append(UtilizationTarget(autoscaling.utilization.target_percent,
                                       autoscaling.utilization.metric, concurrency))
    if autoscaling.concurrency is not None:
        found.append(ConcurrencyTarget(autoscaling.concurrency.target_concurrent_requests))
    return found[0] if len(found) == 1 else LargestOf(tuple(found))
