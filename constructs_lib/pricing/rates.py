"""Rates as a price book answers them: a ``float`` (USD per unit), and what an estimate built
from it must say.

A cost model multiplies rates by quantities and never looks at where a rate came from; the
estimate does, once, from its line items (``cost.base.CostModel.estimate``):

- a :class:`Rate` with a ``note`` was looked up with a stated fallback (an async endpoint priced
  at the hosting rate because the book has no ``AsyncInf:`` rate for its type), and the note
  goes into the estimate's assumptions;
- a :class:`MissingRate` is a price the book lacks: NaN, so every sum it enters is NaN and the
  estimate is unpriced, with the rate's ``reason`` (what is missing and the command or context
  override that prices it).

Both are floats, so the arithmetic that consumes them is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["MissingRate", "Rate", "missing_reasons", "rate_notes"]


class Rate(float):
    """A rate (USD per unit) with a note for the estimate's assumptions."""

    __slots__ = ("note",)
    note: str | None

    def __new__(cls, value: float, note: str | None = None) -> Rate:
        rate = super().__new__(cls, value)
        rate.note = note
        return rate


class MissingRate(Rate):
    """A rate the book lacks: NaN, carrying why and how to price it."""

    __slots__ = ("reason",)
    reason: str

    def __new__(cls, reason: str) -> MissingRate:
        rate = float.__new__(cls, math.nan)
        rate.note = None
        rate.reason = reason
        return rate


def _unique(texts: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            seen.setdefault(text, None)
    return list(seen)


def rate_notes(rates: Iterable[float]) -> list[str]:
    """The notes of the priced rates among ``rates``, once each, in order."""
    return _unique(r.note for r in rates if isinstance(r, Rate) and not isinstance(r, MissingRate))


def missing_reasons(rates: Iterable[float]) -> list[str]:
    """Why each missing rate among ``rates`` is missing, once each, in order."""
    return _unique(r.reason for r in rates if isinstance(r, MissingRate))
