"""Serverless inference: GB-seconds of inference; provisioned concurrency billed per GB-second
held. Rates are the book's for the endpoint's memory size (AWS prices each of the six sizes).

No per-request fee (that is Lambda's, not SageMaker's). Requests served by provisioned
concurrency are billed at its lower inference rate; the share they take is
min(1, provisioned / peak concurrency), peak concurrency = peak rate × duration (Little's law).
The endpoint runs at most ``max_concurrency`` requests at once and throttles the rest, so the
GB-seconds billed never exceed ``max_concurrency`` × memory through the busy hours; a peak above
it is a capacity shortfall (the estimate's warnings). Also here: what SageMaker's serverless
limits rule out, and the serverless alternative advice offers.
"""

from __future__ import annotations

from ..pricing.price_book import PriceNotFoundError
from ..spec import limits
from ..spec.traffic import TrafficHint, peak_rps
from .base import (
    Capacity,
    Load,
    Meter,
    MeteredCost,
    PricingContext,
    data_processed_gb,
    data_processed_meters,
    figure,
    share,
)
from .workload import KindOption, Workload

__all__ = ["SERVERLESS_OPTION", "ServerlessCost", "serverless_infeasibility"]

_GB_SECOND = "GB-second"


class ServerlessCost(MeteredCost):
    """A serverless endpoint of ``memory_mb`` running at most ``max_concurrency`` requests at
    once (None: SageMaker's maximum, 200), with ``provisioned_concurrency`` held all month when
    given.

    With provisioned concurrency the on-demand rate is needed only at volumes whose peak
    exceeds it: a book without that rate fails (``PriceNotFoundError``) only there.
    """

    kind = "serverless"

    def __init__(self, traffic: TrafficHint, ctx: PricingContext, *, memory_mb: int,
                 provisioned_concurrency: int | None = None,
                 max_concurrency: int | None = None) -> None:
        super().__init__(traffic, ctx)
        self.memory_mb = memory_mb
        self.provisioned_concurrency = provisioned_concurrency
        self.max_concurrency = max_concurrency or limits.SERVERLESS_MAX_CONCURRENCY
        self._gb = memory_mb / 1024.0
        self._duration_s = traffic.avg_duration_ms / 1000.0
        self._busy_seconds = traffic.busy_seconds_per_month
        # Requests beyond max_concurrency at once are throttled, not billed.
        self._most_s = self.max_concurrency * min(traffic.busy_seconds_per_month,
                                                  ctx.hours_per_month * 3600.0)
        book, region = ctx.book, ctx.region
        self._on_demand_missing: PriceNotFoundError | None = None
        if provisioned_concurrency:
            self._held_gb_s = provisioned_concurrency * self._gb * ctx.hours_per_month * 3600.0
            held = book.serverless_usd_per_gb_second(region, memory_mb, "provisioned_concurrency")
            served = book.serverless_usd_per_gb_second(region, memory_mb, "provisioned_inference")
            try:
                on_demand = book.serverless_usd_per_gb_second(region, memory_mb)
            except PriceNotFoundError as missing:
                on_demand, self._on_demand_missing = 0.0, missing
            meters: tuple[Meter, ...] = (
                Meter(f"Provisioned concurrency ({provisioned_concurrency} × {memory_mb} MB)",
                      _GB_SECOND, held),
                Meter("Inference on provisioned concurrency", _GB_SECOND, served),
                Meter("Serverless inference (on demand)", _GB_SECOND, on_demand),
            )
        else:
            self._held_gb_s = 0.0
            meters = (Meter("Serverless inference", _GB_SECOND,
                            book.serverless_usd_per_gb_second(region, memory_mb)),)
        self.meters = (*meters, *data_processed_meters(ctx))

    def gb_seconds(self, requests_per_month: float) -> tuple[float, float, float]:
        """GB-seconds of inference a month at ``requests_per_month``, the share of requests
        provisioned concurrency serves (1.0 without it) and the peak concurrency behind that
        share (0.0 without it)."""
        compute_gb_s = min(requests_per_month * self._duration_s, self._most_s) * self._gb
        provisioned = self.provisioned_concurrency
        if not provisioned:
            return compute_gb_s, 1.0, 0.0
        peak = peak_rps(requests_per_month, self._busy_seconds,
                        self.traffic.peak_requests_per_second)
        peak_concurrency = peak * self._duration_s
        share = 1.0 if peak_concurrency <= provisioned else provisioned / peak_concurrency
        return compute_gb_s, share, peak_concurrency

    def quantities(self, load: Load) -> tuple[float | None, ...]:
        requests = load.requests_per_month
        compute_gb_s, share, _ = self.gb_seconds(requests)
        gb_in = data_processed_gb(requests, self.traffic.payload_kb)
        gb_out = data_processed_gb(requests, self.traffic.response_kb)
        if not self.provisioned_concurrency:
            return compute_gb_s, gb_in, gb_out
        on_demand = None
        if share < 1.0:
            if self._on_demand_missing is not None:
                raise self._on_demand_missing
            on_demand = compute_gb_s * (1 - share)
        return self._held_gb_s, compute_gb_s * share, on_demand, gb_in, gb_out

    def served(self, load: Load) -> bool:
        peak = peak_rps(load.requests_per_month, self._busy_seconds,
                        self.traffic.peak_requests_per_second)
        return peak * self._duration_s <= self.max_concurrency

    def capacity(self, load: Load) -> Capacity:
        requests = load.requests_per_month
        peak = peak_rps(requests, self._busy_seconds, self.traffic.peak_requests_per_second)
        in_flight, top = peak * self._duration_s, self.max_concurrency
        assumed = {
            "memory_mb": self.memory_mb,
            "max_concurrency": top,
            "provisioned_concurrency": self.provisioned_concurrency or 0,
            "peak_requests_per_second": round(peak, 4),
            "peak_concurrency": round(in_flight, 4),
            "max_gb_seconds": top * self._gb * self.ctx.hours_per_month * 3600.0,
        }
        if in_flight <= top:
            return Capacity(assumed)
        return Capacity(assumed, (
            f"serverless max_concurrency {top} cannot serve the peak: {figure(peak)} req/s × "
            f"{self._duration_s:g} s keeps {figure(in_flight)} requests in flight (Little's "
            f"law); the other {figure(in_flight - top)} ({share(in_flight - top, in_flight)} of "
            "the peak) are throttled. Raise max_concurrency (at most 200) or use an instance "
            "endpoint",))

    def notes(self, load: Load) -> list[str]:
        notes = [
            f"{self.memory_mb} MB memory = {self._gb:g} GB; {self.traffic.avg_duration_ms:g} ms "
            "per request billed",
            "no per-request fee; cold starts are not billed",
            f"at most {self.max_concurrency} requests at once (max_concurrency); GB-seconds "
            "beyond that through the busy hours are throttled, not billed",
        ]
        if self.provisioned_concurrency:
            _, share, peak_concurrency = self.gb_seconds(load.requests_per_month)
            notes.append(
                f"provisioned concurrency held all month; it serves {share:.0%} of requests "
                f"(peak concurrency {peak_concurrency:.2f})"
            )
        return notes


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
    concurrency = t.effective_peak_rps * t.avg_duration_ms / 1000.0
    if concurrency > limits.SERVERLESS_MAX_CONCURRENCY:
        reasons.append(f"peak concurrency {concurrency:.0f} above serverless's 200")
    return reasons


def _serverless_alternative(w: Workload, ctx: PricingContext) -> ServerlessCost:
    return ServerlessCost(w.traffic, ctx, memory_mb=w.serverless_memory_mb)


def _serverless_note(w: Workload) -> str:
    assumed = "" if w.memory_mb is not None else " (assumes the model fits)"
    return f"ServerlessEndpoint at {w.serverless_memory_mb} MB{assumed}; cold starts on idle"


SERVERLESS_OPTION = KindOption("serverless", serverless_infeasibility, _serverless_alternative,
                               _serverless_note)
