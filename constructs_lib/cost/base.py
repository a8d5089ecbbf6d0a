"""What every kind's cost model shares: where it is priced, the volume it is evaluated at, and
the one method that holds its arithmetic.

A cost model is built once from (its config, a traffic hint, a pricing context), computing what
does not depend on the volume. :meth:`CostModel.lines` is its arithmetic, written once: the
line items at a volume. The estimate (:meth:`CostModel.estimate`) is those lines at the hint's
own volume with the assumptions behind them; a break-even search evaluates
:meth:`CostModel.usd`, the sum of the same lines at other volumes. No CDK, no I/O.

Every built-in kind is a :class:`MeteredCost`: its lines are :class:`Meter` s fixed in
``__init__`` (item, unit, rate) read at a volume by :meth:`MeteredCost.quantities`, so
:meth:`CostModel.usd` can sum ``quantity × rate`` without building line items (a break-even
search evaluates it dozens of times per alternative).

The pricing context is the one place that turns the on-demand lines into what is billed: a
savings plan (:class:`PricingContext` ``savings_plan``) takes its share off the instance-hour
lines, in :meth:`CostModel.usd` and as a line of its own in :meth:`CostModel.estimate`. A rate
the book lacks is NaN (``pricing.rates.MissingRate``): the estimate is then unpriced, its
reason taken from the rate.
"""

from __future__ import annotations

import math
import operator
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, NamedTuple

from ..pricing.price_book import PriceBook
from ..pricing.rates import missing_reasons, rate_notes
from ..spec.instances import instance_facts, local_nvme
from ..spec.traffic import HOURS_PER_MONTH, TrafficHint
from .estimate import INSTANCE_HOUR, CostEstimate, EndpointKind, LineItem
from .savings_plan import SavingsPlan

__all__ = [
    "KB_PER_GB",
    "Capacity",
    "CostModel",
    "Load",
    "Meter",
    "MeteredCost",
    "MlVolume",
    "PricingContext",
    "data_processed_gb",
    "data_processed_lines",
    "data_processed_meters",
    "figure",
    "finite_or_none",
    "is_unpriced",
    "ml_volume",
    "share",
    "storage_meter",
]

KB_PER_GB = 1024.0 * 1024.0


@dataclass(frozen=True)
class PricingContext:
    """Where and with which book to price: the region, whether it was assumed, the month, and
    the savings plan (or negotiated share off instance usage) that applies."""

    book: PriceBook
    region: str
    region_assumed: bool = False
    hours_per_month: float = HOURS_PER_MONTH
    savings_plan: SavingsPlan | None = None

    def base_assumptions(self) -> list[str]:
        out = [f"{self.hours_per_month:g} hours per month"]
        if self.region_assumed:
            out.append(
                f"stack has no region (environment-agnostic): priced as {self.region}"
            )
        return out

    def strict(self) -> PricingContext:
        """This context with a book that raises ``PriceNotFoundError`` for a missing price
        (advice leaves out an alternative it cannot price rather than report it unpriced)."""
        book = self.book.strict_view()
        return self if book is self.book else replace(self, book=book)

    def billed_usd(self, on_demand_usd: float, instance_usd: float) -> float:
        """What is billed for ``on_demand_usd`` a month of which ``instance_usd`` is
        instance usage: the savings plan's discount taken off."""
        plan = self.savings_plan
        if plan is None:
            return on_demand_usd
        return on_demand_usd - plan.discount_usd(instance_usd, self.hours_per_month)

    def savings_line(self, instance_usd: float) -> LineItem | None:
        """The savings plan as a line (a negative amount) for ``instance_usd`` a month of
        on-demand instance usage; None without a plan or usage."""
        plan = self.savings_plan
        if plan is None or not instance_usd > 0:
            return None
        covered = plan.covered_usd(instance_usd, self.hours_per_month)
        return LineItem(f"{plan.name} ({plan.share:.0%} off instance usage)", covered,
                        "USD of on-demand instance usage", -plan.share)


class Load(NamedTuple):
    """The volume a cost model is evaluated at; the hint's other fields are held.

    ``requests_per_month`` for online endpoints; ``records_per_run`` for offline work (batch
    transform), whose runs a month come from the hint.
    """

    requests_per_month: float
    records_per_run: float | None = None


def data_processed_gb(requests_per_month: float, kb_per_request: float) -> float:
    """GB a month of request (or response) bodies of ``kb_per_request`` each."""
    return requests_per_month * kb_per_request / KB_PER_GB


class Meter(NamedTuple):
    """One billed line with everything but its quantity: what is billed, in which unit, at
    ``unit_usd`` USD per unit, and for which variant of a fleet (None: the endpoint's own)."""

    item: str
    unit: str
    unit_usd: float
    variant: str | None = None

    def line(self, quantity: float) -> LineItem:
        return LineItem(self.item, quantity, self.unit, self.unit_usd, self.variant)


def data_processed_meters(ctx: PricingContext) -> tuple[Meter, Meter]:
    """SageMaker's data-processed charge, in then out (the rates looked up in that order)."""
    rate_in = ctx.book.rate(ctx.region, "data_processed_in_usd_per_gb")
    rate_out = ctx.book.rate(ctx.region, "data_processed_out_usd_per_gb")
    return Meter("Data processed in", "GB", rate_in), Meter("Data processed out", "GB", rate_out)


def data_processed_lines(requests_per_month: float, traffic: TrafficHint,
                         ctx: PricingContext) -> list[LineItem]:
    """SageMaker's data-processed charge: request bodies in, response bodies out."""
    meter_in, meter_out = data_processed_meters(ctx)
    return [meter_in.line(data_processed_gb(requests_per_month, traffic.payload_kb)),
            meter_out.line(data_processed_gb(requests_per_month, traffic.response_kb))]


def figure(value: float) -> str:
    """A count for a sentence: whole thousands, else 4 significant figures (1.001, 20, 0.25)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def share(part: float, whole: float) -> str:
    """``part`` of ``whole`` as a percentage for a sentence ("<1%" rather than "0%")."""
    ratio = part / whole if whole else 0.0
    return "<1%" if 0 < ratio < 0.005 else f"{ratio:.0%}"


def finite_or_none(value: float, digits: int | None = 4) -> float | None:
    """``value`` rounded for the metadata (JSON has no infinity: None for a limit that is
    unbounded, as a zero-length request makes it)."""
    if not math.isfinite(value):
        return None
    return round(value, digits) if digits is not None else float(round(value))


@dataclass(frozen=True)
class Capacity:
    """What a fleet can do at a load, as the estimate assumed it: ``assumed`` (JSON-ready
    figures: instances, concurrency, the work against the most the fleet can do) and
    ``shortfalls`` (one sentence each where it cannot serve the hint; empty when it can)."""

    assumed: Mapping[str, Any]
    shortfalls: tuple[str, ...] = ()


@dataclass(frozen=True)
class MlVolume:
    """The ML storage volume one instance carries: ``gb`` (None: no EBS volume is billed) and
    why, for the estimate's assumptions."""

    gb: float | None
    why: str


def ml_volume(instance_type: str, volume_size_gb: int | None = None, *,
              multi_model: bool = False) -> MlVolume:
    """The EBS volume SageMaker attaches to each instance of ``instance_type``: the configured
    ``VolumeSizeInGB``, else the documented default (single-model or MultiModel container);
    none on types with local NVMe storage, and unpriced (said) where no default is known."""
    if volume_size_gb is not None:
        return MlVolume(float(volume_size_gb), f"{volume_size_gb} GB ML storage volume per "
                                               "instance (volume_size_gb)")
    if local_nvme(instance_type):
        return MlVolume(None, f"{instance_type} has local NVMe instance storage: SageMaker "
                              "attaches no EBS volume, no storage billed")
    facts = instance_facts(instance_type)
    gb = None if facts is None else facts.volume_gb(multi_model=multi_model)
    if gb is None:
        return MlVolume(None, f"no documented default ML storage volume for {instance_type}: "
                              "storage not priced (set volume_size_gb to price it)")
    mode = "MultiModel " if multi_model else ""
    return MlVolume(float(gb), f"{gb:g} GB ML storage volume per instance (SageMaker's default "
                               f"for {mode}{instance_type}; gp2, Host:VolumeUsage.gp2)")


def storage_meter(ctx: PricingContext, instance_type: str, volume: MlVolume) -> Meter | None:
    """The storage line of ``volume`` (None when none is billed); its quantity is GB-months:
    GB per instance × instance-hours ÷ hours per month. The rate is looked up only when a
    volume is billed."""
    if volume.gb is None:
        return None
    rate = ctx.book.rate(ctx.region, "storage_usd_per_gb_month")
    return Meter(f"{instance_type} ML storage ({volume.gb:g} GB per instance)", "GB-month", rate)


class CostModel(ABC):
    """One endpoint kind's monthly cost for one config, traffic hint and pricing context.

    Subclasses compute what does not depend on the volume in ``__init__`` (rates are looked up
    there, so a missing price raises ``PriceNotFoundError`` when the model is built), and
    implement :meth:`lines` (the arithmetic) and :meth:`notes` (the assumptions behind the lines,
    read from the same helpers the lines use).
    """

    kind: EndpointKind

    def __init__(self, traffic: TrafficHint, ctx: PricingContext) -> None:
        self.traffic = traffic
        self.ctx = ctx

    @property
    def own_load(self) -> Load:
        """The hint's own volume."""
        return Load(self.traffic.requests_per_month, self.traffic.records_per_run)

    @abstractmethod
    def lines(self, load: Load) -> list[LineItem]:
        """The billed line items at ``load``."""

    def notes(self, load: Load) -> list[str]:
        """The assumptions behind :meth:`lines` at ``load`` (beyond the pricing context's)."""
        return []

    @abstractmethod
    def capacity(self, load: Load) -> Capacity:
        """What the fleet was assumed able to do at ``load``, and where it falls short."""

    def served(self, load: Load) -> bool:
        """Whether the fleet can serve ``load`` (no shortfall). Shortfalls grow with volume,
        so the volumes served are an interval from zero (advice and the plot search it)."""
        return not self.capacity(load).shortfalls

    def usd(self, load: Load) -> float:
        """USD a month at ``load``, unrounded: the sum of the lines, in line order, less the
        savings plan's discount (NaN when a rate is missing)."""
        lines = self.lines(load)
        total: float = sum(line.monthly_usd for line in lines)
        if self.ctx.savings_plan is None:
            return total
        return self.ctx.billed_usd(total, _instance_usd(lines))

    def estimate(self) -> CostEstimate:
        """The estimate at the hint's own volume (no alternatives: see ``advice.advise``): its
        lines, the savings plan's line, the assumptions (the context's, the model's, the
        rates'), unpriced with the missing rates' reasons when the book lacks one."""
        load, ctx = self.own_load, self.ctx
        capacity = self.capacity(load)
        lines = self.lines(load)
        rates = [line.unit_usd for line in lines]
        notes = ctx.base_assumptions() + self.notes(load) + rate_notes(rates)
        missing = missing_reasons(rates)
        plan_name, on_demand = None, None
        total: float = sum(line.monthly_usd for line in lines)
        discount = None if missing else ctx.savings_line(_instance_usd(lines))
        if discount is not None and ctx.savings_plan is not None:
            plan_name, on_demand = ctx.savings_plan.name, total
            lines = [*lines, discount]
            notes.append(ctx.savings_plan.describe())
        return CostEstimate(
            kind=self.kind,
            region=ctx.region,
            lines=tuple(lines),
            assumptions=tuple(notes),
            price_book=ctx.book.label_for(ctx.region),
            traffic=self.traffic.as_metadata(),
            unpriced="; ".join(missing) or None,
            price_date=ctx.book.price_date(ctx.region),
            savings_plan=plan_name,
            on_demand_usd=on_demand,
            capacity=capacity.assumed,
            warnings=capacity.shortfalls,
        )


def _instance_usd(lines: Sequence[LineItem]) -> float:
    """USD a month of instance usage (what a savings plan discounts) among ``lines``."""
    return sum(line.monthly_usd for line in lines if line.unit == INSTANCE_HOUR)


class MeteredCost(CostModel):
    """A cost model whose lines are :attr:`meters` fixed in ``__init__``, read at a volume by
    :meth:`quantities` (its arithmetic, written once)."""

    meters: tuple[Meter, ...]

    @abstractmethod
    def quantities(self, load: Load) -> Sequence[float | None]:
        """Each meter's quantity at ``load``, in meter order; None where that line is not
        billed at this load."""

    def lines(self, load: Load) -> list[LineItem]:
        return [meter.line(quantity)
                for meter, quantity in zip(self.meters, self.quantities(load), strict=True)
                if quantity is not None]

    def usd(self, load: Load) -> float:
        """The sum of :meth:`lines`' ``monthly_usd`` (``quantity × unit_usd``, in line order)
        to the last bit, without building the lines; less the savings plan's discount."""
        quantities = self.quantities(load)
        if None in quantities:
            total: float = sum(quantity * meter.unit_usd
                               for meter, quantity in zip(self.meters, quantities, strict=True)
                               if quantity is not None)
        else:
            total = sum(map(operator.mul, quantities, self._unit_usd))
        if self.ctx.savings_plan is None:
            return total
        instance: float = sum(quantity * meter.unit_usd
                              for meter, quantity in zip(self.meters, quantities, strict=True)
                              if quantity is not None and meter.unit == INSTANCE_HOUR)
        return self.ctx.billed_usd(total, instance)

    @cached_property
    def _unit_usd(self) -> tuple[float, ...]:
        return tuple(meter.unit_usd for meter in self.meters)


def is_unpriced(usd: float) -> bool:
    """Whether a figure from :meth:`CostModel.usd` lacks a rate (NaN)."""
    return math.isnan(usd)
