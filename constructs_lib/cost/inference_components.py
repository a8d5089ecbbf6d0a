"""Inference components: an instance fleet billed while any copy runs, copies packed onto its
instances by their compute, each component's share of the bill; and the alternative advice
offers a real-time endpoint ("real-time, scaled to zero with inference components").

Each day, busy windows start together (the shorter nested in the longer), so the day splits
into segments: in each, a busy component holds the copies its peak concurrency needs at its
target per copy (within min..max copies), an idle one its ``min_copies``; the copies are packed
(:func:`~constructs_lib.spec.inference_components.pack`) onto at least ``min_instances`` and at
most ``max_instances`` instances. An instance started bills its warm-up, one released the idle
tail (copies scale in after target tracking's 15-minute alarm, then SageMaker stops an empty
instance 10 minutes later): at ``min_instances`` 0, like async at zero, each wake-up bills the
scale-out time and the tail, and an idle endpoint bills nothing. A component whose requests
are further apart than one request plus the tail wakes for each request. Instance-seconds are
attributed to the copies on them by dominant share. No CDK, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..pricing.price_book import PriceNotFoundError
from ..spec.inference_components import (
    Capacity,
    CopyDemand,
    instance_capacity,
    instance_problems,
    pack,
)
from ..spec.scaling import SCALE_IN_COOLDOWN_S
from ..spec.traffic import TrafficHint
from .async_endpoint import (
    ASYNC_ADVICE_MAX_INSTANCES,
    ASYNC_COLD_START_MS,
    ASYNC_WARM_UP_S,
    SCALE_IN_ALARM_S,
)
from .base import Capacity as FleetCapacity
from .base import (
    Load,
    Meter,
    MeteredCost,
    PricingContext,
    data_processed_gb,
    data_processed_meters,
    ml_volume,
    storage_meter,
)
from .estimate import LineItem
from .realtime import realtime_infeasibility
from .workload import KindOption, Workload

__all__ = [
    "IC_COLD_START_MS",
    "IC_OPTION",
    "INSTANCE_RELEASE_S",
    "ComponentSpec",
    "FleetTime",
    "InferenceComponentsCost",
    "ic_infeasibility",
]

INSTANCE_RELEASE_S = 600.0
"""Seconds an instance whose copies are gone keeps running before SageMaker stops it: "after 10
additional minutes of inactivity, SageMaker automatically stops all underlying instances of the
endpoint" (AWS blog "Unlock cost savings with the new scale down to zero feature in SageMaker
Inference", 2024-12-03)."""
IC_COLD_START_MS = ASYNC_COLD_START_MS
"""A start from zero is async's (an alarm of a minute or two, an instance launch, the model
load: up to ~10 minutes), and requests fail (``NoCapacityInvocationFailures``) meanwhile: a
caller that cannot retry for that long (``TrafficHint.max_latency_ms``) is not offered it."""
IC_ADVICE_TARGET_CONCURRENCY = 1.0
"""The alternative's copies serve one request at a time (conservative: a real-time endpoint's
hint does not say how many its model serves at once)."""


@dataclass(frozen=True)
class ComponentSpec:
    """What the cost model needs of one component: its hint, what a copy reserves, its copy
    bounds and the concurrent requests per copy its scaling holds."""

    name: str
    traffic: TrafficHint
    demand: CopyDemand
    min_copies: int = 0
    max_copies: int = 1
    target_concurrency: float = 5.0

    def busy_copies(self, requests_per_month: float) -> tuple[int, float]:
        """Copies while busy at ``requests_per_month`` (within max(min, 1)..max), and the peak
        concurrency behind them; ``min_copies`` without requests."""
        if requests_per_month <= 0:
            return self.min_copies, 0.0
        concurrency = (self.traffic.peak_rps_at(requests_per_month)
                       * self.traffic.avg_duration_ms / 1000.0)
        needed = max(1, math.ceil(concurrency / self.target_concurrency - 1e-9))
        return min(max(needed, self.min_copies), self.max_copies), concurrency


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of every day: its hours, the copies placed of each component, the instances."""

    hours: float
    copies: tuple[int, ...]
    instances: int
    short: bool
    """Copies wanted did not fit ``max_instances`` instances."""


@dataclass(frozen=True, slots=True)
class FleetTime:
    """Billed instance-seconds a month, each component's share of them, and how."""

    instance_seconds: float
    by_component: tuple[float, ...]
    segments: tuple[Segment, ...]
    wake_ups: int
    """Instances started each day (at the start of the busy hours, or when copies grow)."""
    per_request: tuple[bool, ...]
    """Components whose every request wakes a copy (requests sparser than one plus the tail)."""
    busy: tuple[tuple[int, float], ...]
    """Each component's (copies while busy, peak concurrency)."""


class InferenceComponentsCost(MeteredCost):
    """An InferenceComponentEndpoint on ``instance_type``, ``min_instances``..``max_instances``
    instances, hosting ``components`` (see the module docstring). ``traffic``: the whole
    endpoint's (the sum of the components' hints)."""

    kind = "inference_components"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, instance_type: str,
                 min_instances: int = 0, max_instances: int = 1,
                 components: Sequence[ComponentSpec] = (),
                 scale_in_cooldown_s: float = SCALE_IN_COOLDOWN_S) -> None:
        super().__init__(traffic, ctx)
        capacity = instance_capacity(instance_type)
        if capacity is None:
            raise PriceNotFoundError(f"{instance_type}: {instance_problems(instance_type)}",
                                     field="instance_type", value=instance_type)
        self.instance: Capacity = capacity
        """What one instance offers to copies."""
        self.instance_type = instance_type
        self.min_instances, self.max_instances = min_instances, max_instances
        self.components = tuple(components)
        rate = ctx.book.hosting_usd_per_hour(ctx.region, instance_type)
        hosting = Meter(f"{instance_type} hosting", "instance-hour", rate)
        self.volume = ml_volume(instance_type)
        storage = storage_meter(ctx, instance_type, self.volume)
        own = (hosting, *((storage,) if storage else ()))
        data_in, data_out = data_processed_meters(ctx)
        self.meters = tuple(m for _ in self.components for m in (*own, data_in, data_out)) \
            or own
        per = len(own) + 2
        self._names = tuple(c.name for c in self.components for _ in range(per)) or (
            (None,) * len(own))
        self._gb_per_hour = (self.volume.gb or 0.0) / ctx.hours_per_month
        total = sum(c.traffic.requests_per_month for c in self.components)
        count = len(self.components)
        self.shares = tuple(c.traffic.requests_per_month / total if total > 0 else 1.0 / count
                            for c in self.components)
        self.days = ctx.hours_per_month / 24.0
        self.warm_up_s = ASYNC_WARM_UP_S
        self.tail_s = max(scale_in_cooldown_s, SCALE_IN_ALARM_S) + INSTANCE_RELEASE_S
        self._weights = tuple(capacity.share(c.demand) for c in self.components)

    def at(self, requests_per_month: float) -> FleetTime:
        """The fleet's instance-seconds a month when the components serve
        ``requests_per_month`` between them (each its share of the hint's requests).

        Components whose requests are further apart than one request plus the idle tail wake a
        copy for each; when holding them through their busy hours costs less (the wake-ups'
        warm-ups add up), they are held instead: requests that cluster keep a copy up, and the
        cost never falls as requests grow (a break-even search needs that)."""
        comps, days = self.components, self.days
        requests = [requests_per_month * share for share in self.shares]
        busy = tuple(c.busy_copies(r) for c, r in zip(comps, requests, strict=True))
        # Seconds between a component's requests while it is busy, against one request + tail.
        sparse = tuple(
            c.min_copies == 0 and r > 0 and c.traffic.busy_hours_per_day * 3600.0 * days / r
            > c.traffic.avg_duration_ms / 1000.0 + self.tail_s
            for c, r in zip(comps, requests, strict=True))
        fleet = self._fleet(requests, busy, sparse)
        if any(sparse):
            held = self._fleet(requests, busy, tuple(False for _ in comps))
            if held.instance_seconds < fleet.instance_seconds:
                return held
        return fleet

    def _fleet(self, requests: Sequence[float], busy: tuple[tuple[int, float], ...],
               per_request: tuple[bool, ...]) -> FleetTime:
        """:meth:`at` with the ``per_request`` components woken per request, the others held
        through their busy hours."""
        comps, days = self.components, self.days
        daily = [r > 0 and not woken for r, woken in zip(requests, per_request, strict=True)]
        ends = sorted({c.traffic.busy_hours_per_day for c, d in zip(comps, daily, strict=True)
                       if d} | {24.0})
        segments, start = [], 0.0
        for end in ends:
            wanted = [b[0] if d and c.traffic.busy_hours_per_day >= end else c.min_copies
                      for c, b, d in zip(comps, busy, daily, strict=True)]
            used, placed = pack(self.instance, [(c.demand, n) for c, n in
                                                zip(comps, wanted, strict=True)],
                                self.max_instances)
            segments.append(Segment(end - start, placed, max(self.min_instances, used),
                                    list(placed) != wanted))
            start = end
        seconds = [0.0] * len(comps)
        total = 0.0
        for seg in segments:
            total += self._attribute(seconds, seg, days * seg.instances * seg.hours * 3600.0)
        wake_ups = 0
        for k, seg in enumerate(segments if len(segments) > 1 else ()):
            before = segments[k - 1]
            rise, drop = seg.instances - before.instances, before.instances - seg.instances
            if rise > 0:
                wake_ups += rise
                total += self._attribute(seconds, seg, days * rise * self.warm_up_s)
            elif drop > 0:
                total += self._attribute(seconds, before, days * drop * self.tail_s)
        for i, (c, r) in enumerate(zip(comps, requests, strict=True)):
            if per_request[i] and not self._room_at_floor(i):
                extra = r * (self.warm_up_s + c.traffic.avg_duration_ms / 1000.0 + self.tail_s)
                seconds[i] += extra
                total += extra
        return FleetTime(total, tuple(seconds), tuple(segments), wake_ups, per_request, busy)

    def _attribute(self, seconds: list[float], seg: Segment, amount: float) -> float:
        """Split ``amount`` instance-seconds among the copies of ``seg`` by dominant share
        (equally when it holds none); returns ``amount``."""
        weights = [n * w for n, w in zip(seg.copies, self._weights, strict=True)]
        total = sum(weights)
        for i in range(len(seconds)):
            seconds[i] += amount * (weights[i] / total if total > 0 else 1.0 / len(seconds))
        return amount

    def _room_at_floor(self, i: int) -> bool:
        """The ``min_instances`` instances hold every minimum copy and one more copy of
        component ``i``: its wake-ups start no instance."""
        wanted = [(c.demand, c.min_copies) for c in self.components] + [
            (self.components[i].demand, 1)]
        return bool(self.min_instances) and pack(self.instance, wanted,
                                                 self.min_instances)[1][-1] == 1

    def quantities(self, load: Load) -> list[float]:
        fleet = self.at(load.requests_per_month)
        billed_gb = self.volume.gb is not None

        def own(hours: float) -> list[float]:  # instance-hours, and GB-months of their volumes
            return [hours, hours * self._gb_per_hour] if billed_gb else [hours]

        if not self.components:
            return own(fleet.instance_seconds / 3600.0)
        out: list[float] = []
        for c, share, seconds in zip(self.components, self.shares, fleet.by_component,
                                     strict=True):
            requests = load.requests_per_month * share
            out += [*own(seconds / 3600.0), data_processed_gb(requests, c.traffic.payload_kb),
                    data_processed_gb(requests, c.traffic.response_kb)]
        return out

    def capacity(self, load: Load) -> FleetCapacity:
        """The fleet at its busiest segment of the day, each component's busy copies, and a
        shortfall where the copies wanted do not fit ``max_instances``."""
        fleet = self.at(load.requests_per_month)
        assumed = {
            "instance_type": self.instance_type,
            "min_instances": self.min_instances,
            "max_instances": self.max_instances,
            "instances_while_busy": max((seg.instances for seg in fleet.segments), default=0),
            "busy_copies": {c.name: copies for c, (copies, _) in
                            zip(self.components, fleet.busy, strict=True)},
        }
        short = [seg for seg in fleet.segments if seg.short]
        if not short:
            return FleetCapacity(assumed)
        return FleetCapacity(assumed, (
            f"the copies the components need at their peak do not fit {self.instance_type} × "
            f"max_instances {self.max_instances} for {sum(seg.hours for seg in short):g} h a "
            "day: requests above what the placed copies serve fail. Raise max_instances or "
            "lower the copies' compute",))

    def lines(self, load: Load) -> list[LineItem]:
        return [LineItem(m.item, q, m.unit, m.unit_usd, component=name)
                for m, q, name in zip(self.meters, self.quantities(load), self._names,
                                      strict=True)]

    def notes(self, load: Load) -> list[str]:
        fleet, cap = self.at(load.requests_per_month), self.instance
        notes = [f"one {self.instance_type} offers {cap.accelerators} accelerator device(s), "
                 f"{cap.memory_mb:,} MB and {cap.cpu_cores:g} vCPUs to copies (all assumed "
                 "allocatable); copies fill an instance before another starts"]
        for c, share, (copies, concurrency), sparse in zip(
                self.components, self.shares, fleet.busy, fleet.per_request, strict=True):
            d = c.demand
            text = (f"component {c.name}: a copy reserves {d.accelerators} accelerator(s), "
                    f"{d.memory_mb:,} MB, {d.cpu_cores:g} cores; ")
            if sparse:
                text += ("requests further apart than one request plus the idle tail: each "
                         "wakes a copy (warm-up + request + tail billed)")
            else:
                text += (f"busy {c.traffic.busy_hours_per_day:g} h/day at peak concurrency "
                         f"{concurrency:.2f} ({c.target_concurrency:g} per copy): {copies} "
                         f"cop{'y' if copies == 1 else 'ies'} (min {c.min_copies}, max "
                         f"{c.max_copies}), {c.min_copies} otherwise")
            notes.append(text + f"; {share:.0%} of requests")
        notes.append("busy windows start together each day; busy peaks coincide")
        for seg in fleet.segments:
            held = ", ".join(f"{c.name} {n}" for c, n in zip(self.components, seg.copies,
                                                              strict=True) if n)
            notes.append(f"{seg.hours:g} h/day: {seg.instances} instance(s)"
                         + (f" ({held})" if held else " (no copies)")
                         + (": copies wanted do not fit max_instances, requests above "
                            "capacity fail" if seg.short else ""))
        notes.append(
            f"each instance started bills {self.warm_up_s:g} s warm-up (launch and model load, "
            f"as async's) and each released {self.tail_s:g} s idle (copies scale in after "
            f"target tracking's {SCALE_IN_ALARM_S:g} s scale-in alarm, then SageMaker stops an "
            f"instance without copies after {INSTANCE_RELEASE_S:g} s); {fleet.wake_ups} "
            "instance start(s) a day")
        if self.min_instances == 0:
            notes.append("min_instances 0: nothing billed while no copy runs; a request at zero "
                         "fails (NoCapacityInvocationFailures) and wakes the component, which "
                         f"takes up to ~{IC_COLD_START_MS / 60000:g} minutes: callers retry")
        notes.append(self.volume.why if self.volume.gb is None else
                     f"{self.volume.why}; billed with the instances (none while no instance "
                     "runs)")
        return notes


def ic_infeasibility(w: Workload) -> list[str]:
    """Inference components: InvokeEndpoint's limits, an instance type that hosts them, a
    caller that retries for as long as a start from zero takes, a model that fits."""
    t = w.traffic
    reasons = realtime_infeasibility(w)
    reasons += [p.allowed for p in instance_problems(w.host_instance)]
    if t.max_latency_ms is None:
        reasons.append("caller waits on the request (no traffic.max_latency_ms); a start from "
                       "zero fails requests for minutes")
    elif t.max_latency_ms < IC_COLD_START_MS:
        reasons.append(f"caller waits at most {t.max_latency_ms:g} ms, less than a start from "
                       "zero")
    capacity = instance_capacity(w.host_instance)
    if capacity is not None and w.memory_mb is not None and w.memory_mb > capacity.memory_mb:
        reasons.append(f"model needs {w.memory_mb} MB, more than one {w.host_instance}")
    return reasons


def _scaled_to_zero(w: Workload, ctx: PricingContext) -> InferenceComponentsCost:
    """The alternative: the model as one component taking a whole instance (as on a real-time
    endpoint), 0..:data:`ASYNC_ADVICE_MAX_INSTANCES` instances, one request at a time per
    copy."""
    capacity = instance_capacity(w.host_instance)
    assert capacity is not None  # ic_infeasibility refused the type otherwise
    demand = CopyDemand(capacity.accelerators, w.memory_mb or capacity.memory_mb, 0.0)
    component = ComponentSpec("model", w.traffic, demand, 0, ASYNC_ADVICE_MAX_INSTANCES,
                              IC_ADVICE_TARGET_CONCURRENCY)
    return InferenceComponentsCost(w.traffic, ctx, instance_type=w.host_instance,
                                   max_instances=ASYNC_ADVICE_MAX_INSTANCES,
                                   components=[component])


IC_OPTION = KindOption(
    "inference_components", ic_infeasibility, _scaled_to_zero,
    lambda w: f"real-time, scaled to zero with inference components (InferenceComponentEndpoint "
              f"on {w.host_instance}, 0-{ASYNC_ADVICE_MAX_INSTANCES} instances, one request at "
              "a time per copy); requests fail while it wakes (up to ~10 minutes): callers retry",
)
