"""CostEstimate: what an endpoint will cost a month, line by line, with its assumptions.

Plain frozen dataclasses (no CDK, no I/O): built in microseconds, serialised to the
``Metadata.CostEstimate`` contract by :meth:`CostEstimate.to_metadata`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["Alternative", "CostEstimate", "EndpointKind", "LineItem", "round_usd"]

EndpointKind = Literal["realtime", "serverless", "async", "batch", "multimodel"]


def round_usd(value: float) -> float:
    """USD to the cent, as every ``monthly_usd`` is reported (-0.0 as 0.0)."""
    return round(value + 0.0, 2)


_usd = round_usd


@dataclass(frozen=True)
class LineItem:
    """One billed quantity: ``quantity`` × ``unit_usd`` = ``monthly_usd``."""

    item: str
    quantity: float
    unit: str
    unit_usd: float
    variant: str | None = None

    @property
    def monthly_usd(self) -> float:
        return self.quantity * self.unit_usd

    def to_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "item": self.item,
            "quantity": round(self.quantity, 4),
            "unit": self.unit,
            "unit_usd": self.unit_usd,
            "monthly_usd": _usd(self.monthly_usd),
        }
        if self.variant is not None:
            out["variant"] = self.variant
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
    """A monthly estimate for one construct; ``to_metadata()`` is the template contract."""

    kind: EndpointKind
    region: str
    lines: tuple[LineItem, ...]
    assumptions: tuple[str, ...]
    price_book: str
    traffic: Mapping[str, Any]
    alternatives: tuple[Alternative, ...] = ()
    currency: str = "USD"
    budget_usd: float | None = field(default=None, compare=False)

    @property
    def monthly_usd(self) -> float:
        return _usd(sum(line.monthly_usd for line in self.lines))

    @property
    def main_driver(self) -> str:
        """The line that costs the most, as a short phrase for reports."""
        if not self.lines:
            return "nothing billed"
        top = max(self.lines, key=lambda line: line.monthly_usd)
        who = f"{top.variant}: " if top.variant else ""
        return f"{who}{top.item} ({_fmt_qty(top.quantity)} {top.unit})"

    @property
    def cheapest_alternative(self) -> Alternative | None:
        cheaper = [a for a in self.alternatives if a.monthly_usd < self.monthly_usd]
        return min(cheaper, key=lambda a: a.monthly_usd) if cheaper else None

    def with_alternatives(self, alternatives: Sequence[Alternative]) -> CostEstimate:
        return replace(self, alternatives=tuple(alternatives))

    def to_metadata(self) -> dict[str, Any]:
        return {
            "monthly_usd": self.monthly_usd,
            "currency": self.currency,
            "region": self.region,
            "kind": self.kind,
            "lines": [line.to_metadata() for line in self.lines],
            "assumptions": list(self.assumptions),
            "alternatives": [alt.to_metadata() for alt in self.alternatives],
            "price_book": self.price_book,
            "traffic": dict(self.traffic),
        }

    def summary(self) -> str:
        """One line for ``cdk synth`` output."""
        text = (f"Estimated ${self.monthly_usd:,.2f}/month ({self.kind}, {self.region}): "
                f"{self.main_driver}")
        alt = self.cheapest_alternative
        if alt is not None:
            text += f"; {alt.kind} would cost ${alt.monthly_usd:,.2f}/month"
        return text


def _fmt_qty(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"
