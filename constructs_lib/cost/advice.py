"""Cheaper-alternative advice: the same traffic priced under every other feasible endpoint kind.

For each kind in the registry (``kinds.KINDS``) other than the endpoint's own: skip it when
SageMaker's limits rule it out (each kind's ``infeasibility``) or when its fleet cannot do the
work at the endpoint's volume (its ``served``), else build its cost model and find the
break-even volume against the endpoint's own cost model by bisection (``breakeven``), among the
volumes both fleets can serve. A kind the price book cannot price in the region (no serverless
rates yet, say) is left out rather than failing the endpoint's own estimate (alternatives are
priced with the strict book); an unpriced estimate has no alternatives (there is nothing to
compare them with), and a break-even point is left out where the endpoint's own cost is
unpriced.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection

from ..pricing.price_book import PriceNotFoundError
from .base import CostModel, PricingContext, is_unpriced
from .breakeven import DEFAULT_RANGE, break_even, served_up_to
from .estimate import Alternative, CostEstimate, round_usd
from .kinds import KINDS
from .workload import Workload

__all__ = [
    "SAVING_WARN_SHARE",
    "advise",
    "alternatives",
    "exact_usd",
    "infeasible_kinds",
    "should_warn",
]

SAVING_WARN_SHARE = 0.30
"""Default share of the monthly cost an alternative must save to turn the annotation into a
warning (CDK context ``cost:warn-saving-share`` overrides it)."""


def exact_usd(estimate: CostEstimate) -> float:
    """The monthly total without the 2-decimal rounding of ``monthly_usd`` (for bisection);
    NaN when unpriced."""
    return sum(line.monthly_usd for line in estimate.lines)


_DIGITS = 4


def _significant(value: float | None, digits: int = _DIGITS) -> float | None:
    """Break-even volumes to 4 significant figures: the inputs are estimates, and stable
    figures keep template snapshots from changing with the bisection's last step."""
    if value is None or value <= 0:
        return value
    if not math.isfinite(value):  # a near-free request: no finite volume makes them equal
        return None
    return float(f"{value:.{digits}g}")


def infeasible_kinds(workload: Workload) -> dict[str, list[str]]:
    """Why each registered kind cannot serve the workload (kinds that can are absent)."""
    out = {}
    for kind, option in KINDS.items():
        reasons = option.infeasibility(workload)
        if reasons:
            out[kind] = reasons
    return out


def alternatives(kind: str, own: CostModel, workload: Workload, ctx: PricingContext, *,
                 kinds: Collection[str] | None = None) -> list[Alternative]:
    """Every other feasible, priceable kind for this workload (of ``kinds`` when given), with
    its break-even volume against ``own``.

    Offline work (records per run × runs) is priced under online kinds as one request per
    record, so every kind sees the same monthly volume; every cost model is evaluated at
    :meth:`Workload.load_at` of a volume.
    """
    workload = workload.at_own_volume()
    volume = workload.volume
    # The own cost at a volume is computed once, not once per kind (they scan the same grid).
    own_usd = functools.cache(workload.volume_cost(own))
    if is_unpriced(own_usd(volume)):
        return []
    strict = ctx.strict()
    low, high = DEFAULT_RANGE
    if own.served(workload.load_at(volume)):  # else its own warnings say so; search it all
        high = served_up_to(workload.via_load(own.served), DEFAULT_RANGE) or high
    out = []
    for option in KINDS.values():
        if option.kind == kind or (kinds is not None and option.kind not in kinds):
            continue
        if option.infeasibility(workload):
            continue
        try:
            model = option.model(workload, strict)
            here = workload.load_at(volume)
            if not model.served(here):
                continue  # its fleet cannot do this work: not an alternative
            monthly_usd = round_usd(model.usd(here))
        except PriceNotFoundError:
            continue
        top = served_up_to(workload.via_load(model.served), (low, high))
        try:
            point = None if top is None or top <= low else break_even(
                _priced(own_usd), workload.volume_cost(model), near=volume,
                volume_range=(low, top), digits=_DIGITS)
        except PriceNotFoundError:
            point = None
        out.append(Alternative(kind=option.kind, monthly_usd=monthly_usd,
                               note=option.note(workload),
                               break_even_requests_per_month=_significant(point)))
    return out


def _priced(cost: Callable[[float], float]) -> Callable[[float], float]:
    """``cost``, raising ``PriceNotFoundError`` at a volume it cannot price."""

    def priced(volume: float) -> float:
        usd = cost(volume)
        if is_unpriced(usd):
            raise PriceNotFoundError(f"unpriced at {volume:g} a month")
        return usd

    return priced


def advise(own: CostModel, workload: Workload) -> CostEstimate:
    """``own``'s estimate with its ``alternatives`` filled (priced in ``own``'s context)."""
    return own.estimate().with_alternatives(alternatives(own.kind, own, workload, own.ctx))


def should_warn(estimate: CostEstimate, share: float = SAVING_WARN_SHARE) -> Alternative | None:
    """The cheapest alternative when it saves at least ``share`` of the estimate, else None."""
    alt, own = estimate.cheapest_alternative, estimate.monthly_usd
    if alt is None or own is None or own <= 0:
        return None
    saving = own - alt.monthly_usd
    return alt if saving >= share * own else None
