"""CostEstimate: what an endpoint will cost a month, line by line, with its assumptions.

Plain frozen dataclasses (no CDK, no I/O): built in microseconds, serialised to the
``Metadata.CostEstimate`` contract by :meth:`CostEstimate.to_metadata`.

An estimate is *unpriced* when a rate it needs is not in the price book (a region or an
instance type the book lacks): its ``monthly_usd`` is None and ``unpriced`` says what is
missing and how to price it; its lines still carry their quantities (an unpriced line's
``unit_usd`` and ``monthly_usd`` are None in the metadata).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["INSTANCE_HOUR", "Alternative", "CostEstimate", "EndpointKind", "LineItem",
           "format_usd", "round_usd"]

EndpointKind = Literal["realtime", "serverless", "async", "batch", "multimodel",
                       "inference_components"]

INSTANCE_HOUR = "instance-hour"
"""The unit of instance usage (hosting, async, batch): what a savings plan discounts."""


def round_usd(value: float) -> float:
    """USD to the cent, as every ``monthly_usd`` is reported (-0.0 as 0.0)."""
    return round(value + 0.0, 2)


_usd = round_usd


def format_usd(value: float | None) -> str:
    """``$1,234.56``, or ``unpriced`` for a figure that has none (None or NaN)."""
    if value is None or math.isnan(value):
        return "unpriced"
    return f"${value:,.2f}"


@dataclass(frozen=True)
class LineItem:
    """One billed quantity: ``quantity`` × ``unit_usd`` = ``monthly_usd``."""

    item: str
    quantity: float
    unit: str
    unit_usd: float
    variant: str | None = None
    component: str | None = None
    """The inference component the line is that component's share of."""

    @property
    def monthly_usd(self) -> float:
        return self.quantity * self.unit_usd

    @property
    def priced(self) -> bool:
        return not math.isnan(self.unit_usd)

    def to_metadata(self) -> dict[str, Any]:
        """The line as the template holds it; an unpriced line has no ``unit_usd`` and no
        ``monthly_usd`` (CDK drops null values from metadata)."""
        out: dict[str, Any] = {"item": self.item, "quantity": round(self.quantity, 4),
                               "unit": self.unit}
        if self.priced:
            out["unit_usd"] = float(self.unit_usd)
            out["monthly_usd"] = _usd(self.monthly_usd)
        if self.variant is not None:
            out["variant"] = self.variant
        if self.component is not None:
            out["component"] = self.component
        return out


@dataclass(frozen=True)
class Alternative:
    """Another endpoint kind priced for the same traffic."""

    kind: EndpointKind
    monthly_usd: float
    note: str
    break_even_requests_per_month: float | None = None

    def to_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "monthly_usd": _usd(self.monthly_usd),
                               "note": self.note}
        if self.break_even_requests_per_month is not None:
            out["break_even_requests_per_month"] = round(self.break_even_requests_per_month)
        return out


@dataclass(frozen=True)
class CostEstimate:
    """A monthly estimate for one construct; ``to_metadata()`` is the template contract.

    ``unpriced``: why the estimate has no total (a rate the book lacks, and how to price it).
    ``price_date``: the date of the region's prices in the book. With a savings plan,
    ``savings_plan`` names it and ``on_demand_usd`` is the total before it (its discount is
    one of the lines). ``usage``: when a usage file (context ``cost:usage-file``) set some of
    the traffic, the file, those fields, the hint in code and the estimate under it
    (``cost.usage.with_drift``).
    """

    kind: EndpointKind
    region: str
    lines: tuple[LineItem, ...]
    assumptions: tuple[str, ...]
    price_book: str
    traffic: Mapping[str, Any]
    alternatives: tuple[Alternative, ...] = ()
    currency: str = "USD"
    budget_usd: float | None = field(default=None, compare=False)
    unpriced: str | None = None
    price_date: str | None = None
    savings_plan: str | None = None
    on_demand_usd: float | None = None
    capacity: Mapping[str, Any] = field(default_factory=dict)
    """What the fleet (or serverless endpoint) was assumed able to do: instances, concurrency,
    the work the hint needs against the most the fleet can do (JSON-ready numbers)."""
    warnings: tuple[str, ...] = ()
    """Where the fleet cannot serve the hint, one sentence each naming the shortfall (the
    construct surfaces them as ``constructs-lib:capacity`` synth warnings)."""
    usage: Mapping[str, Any] | None = None

    @property
    def monthly_usd(self) -> float | None:
        """USD a month, to the cent; None when unpriced."""
        total = sum(line.monthly_usd for line in self.lines)
        return None if self.unpriced or math.isnan(total) else _usd(total)

    @property
    def on_demand_monthly_usd(self) -> float | None:
        """The total before the savings plan, to the cent (None without one, or unpriced)."""
        if self.on_demand_usd is None or self.monthly_usd is None:
            return None
        return _usd(self.on_demand_usd)

    @property
    def main_driver(self) -> str:
        """The line that costs the most (an unpriced line first), as a short phrase."""
        if not self.lines:
            return "nothing billed"
        top = max(self.lines, key=lambda line: line.monthly_usd if line.priced else math.inf)
        owner = top.variant or top.component
        who = f"{owner}: " if owner else ""
        unpriced = "" if top.priced else ", unpriced"
        return f"{who}{top.item} ({_fmt_qty(top.quantity)} {top.unit}{unpriced})"

    @property
    def cheapest_alternative(self) -> Alternative | None:
        own = self.monthly_usd
        if own is None:
            return None
        cheaper = [a for a in self.alternatives if a.monthly_usd < own]
        return min(cheaper, key=lambda a: a.monthly_usd) if cheaper else None

    def with_alternatives(self, alternatives: Sequence[Alternative]) -> CostEstimate:
        """This estimate with ``alternatives``; one the book could not price (a NaN figure, from
        the lenient book) is left out: an alternative is a figure to compare, or nothing."""
        return replace(self, alternatives=tuple(a for a in alternatives
                                                if math.isfinite(a.monthly_usd)))

    def to_metadata(self) -> dict[str, Any]:
        """The ``Metadata.CostEstimate`` contract (ARCHITECTURE.md). An unpriced estimate has
        ``unpriced`` (the reason) and no ``monthly_usd``: CDK drops null values from metadata,
        so readers take a missing figure as null."""
        out: dict[str, Any] = {"monthly_usd": self.monthly_usd, "currency": self.currency,
                               "region": self.region, "kind": self.kind}
        if self.monthly_usd is None:
            del out["monthly_usd"]
            out["unpriced"] = self.unpriced or "a rate of this estimate is not in the price book"
        if self.savings_plan is not None and self.on_demand_monthly_usd is not None:
            out["savings_plan"] = self.savings_plan
            out["on_demand_monthly_usd"] = self.on_demand_monthly_usd
        out.update({
            "lines": [line.to_metadata() for line in self.lines],
            "assumptions": list(self.assumptions),
            "alternatives": [alt.to_metadata() for alt in self.alternatives],
            "price_book": self.price_book,
        })
        if self.price_date is not None:
            out["price_date"] = self.price_date
        out["traffic"] = dict(self.traffic)
        out["capacity"] = dict(self.capacity)
        out["warnings"] = list(self.warnings)
        if self.usage is not None:
            out["usage"] = dict(self.usage)
        return out

    def summary(self) -> str:
        """One line for ``cdk synth`` output."""
        if self.monthly_usd is None:
            return (f"Unpriced ({self.kind}, {self.region}): {self.main_driver}. "
                    f"{self.unpriced or 'A rate is not in the price book.'}")
        text = f"Estimated ${self.monthly_usd:,.2f}/month"
        if self.savings_plan is not None and self.on_demand_monthly_usd is not None:
            text += (f" with {self.savings_plan} (on-demand "
                     f"${self.on_demand_monthly_usd:,.2f}/month)")
        text += f" ({self.kind}, {self.region}): {self.main_driver}"
        if self.usage is not None:
            in_code = self.usage.get("in_code_monthly_usd")
            text += (f" [traffic from usage file {self.usage['file']}: "
                     f"{', '.join(self.usage['fields'])}; {format_usd(in_code)}/month with the "
                     "hint in code]")
        alt = self.cheapest_alternative
        if alt is not None:
            text += f"; {alt.kind} would cost ${alt.monthly_usd:,.2f}/month"
        return text


def _fmt_qty(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"
