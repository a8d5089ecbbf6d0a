"""Cheaper-alternative advice: the same traffic priced under every other feasible endpoint kind.

For each kind in the registry (``kinds.KINDS``) other than the endpoint's own: skip it when
SageMaker's limits rule it out (``feasibility``), else price it and find the break-even volume
against the endpoint's own cost function by bisection (``breakeven``). A kind the price book
cannot price in the region (no serverless rates yet, say) is left out rather than failing the
endpoint's own estimate.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from ..pricing.price_book import PriceNotFoundError
from ..traffic import TrafficHint
from .breakeven import break_even
from .estimate import Alternative, CostEstimate, round_usd
from .feasibility import Workload
from .kinds import KINDS, KindOption
from .model import PricingContext

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

OwnCost = Callable[[TrafficHint], CostEstimate]
"""The endpoint's own cost model, as a function of the traffic (its config held fixed)."""


def exact_usd(estimate: CostEstimate) -> float:
    """The monthly total without the 2-decimal rounding of ``monthly_usd`` (for bisection)."""
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


def _volume_cost(own: OwnCost, workload: Workload) -> Callable[[float], float]:
    """The own cost (unrounded USD) as a function of the volume: the cost model its estimate
    records (:attr:`CostEstimate.cost_model`) when there is one and it gives the estimate's
    own figure at the workload's volume, else ``own``'s full estimate at every volume."""
    probe = own(workload.traffic)
    model = probe.cost_model
    if model is not None:
        fast = workload.volume_cost(model(workload.traffic))
        if fast(workload.volume) == exact_usd(probe):
            return fast
    at = functools.cache(workload.at_volume)
    return lambda v: exact_usd(own(at(v).traffic))


def _option_cost(option: KindOption, workload: Workload,
                 ctx: PricingContext) -> tuple[float, Callable[[float], float]]:
    """An alternative's monthly USD (rounded as its estimate rounds it) and its unrounded cost
    as a function of the volume; PriceNotFoundError when the book cannot price it."""
    if option.cost is not None:
        usd = workload.volume_cost(option.cost(workload, ctx))
        return round_usd(usd(workload.volume)), usd
    priced = option.price(workload, ctx)
    at = functools.cache(workload.at_volume)
    return priced.monthly_usd, lambda v: exact_usd(option.price(at(v), ctx))


def alternatives(kind: str, own: OwnCost, workload: Workload,
                 ctx: PricingContext) -> list[Alternative]:
    """Every other feasible, priceable kind for this workload, with its break-even volume.

    Offline work (records per run × runs) is priced under online kinds as one request per
    record, so every kind sees the same monthly volume. Break-even searches evaluate each
    cost model's USD alone (``CostEstimate.cost_model``, ``KindOption.cost``: the arithmetic of
    the line items without building them), to the same figures as the full estimates.
    """
    workload = workload.at_own_volume()
    # The own cost at a volume is computed once, not once per kind (they scan the same grid);
    # its cost model is looked up at the first alternative that needs it.
    own_usd: Callable[[float], float] | None = None
    out = []
    for option in KINDS.values():
        if option.kind == kind or option.infeasibility(workload):
            continue
        try:
            monthly_usd, other_usd = _option_cost(option, workload, ctx)
        except PriceNotFoundError:
            continue
        if own_usd is None:
            own_usd = functools.cache(_volume_cost(own, workload))
        point = break_even(own_usd, other_usd, near=workload.volume, digits=_DIGITS)
        out.append(Alternative(kind=option.kind, monthly_usd=monthly_usd,
                               note=option.note(workload),
                               break_even_requests_per_month=_significant(point)))
    return out


def advise(estimate: CostEstimate, own: OwnCost, workload: Workload,
           ctx: PricingContext) -> CostEstimate:
    """``estimate`` with its ``alternatives`` filled."""
    return estimate.with_alternatives(alternatives(estimate.kind, own, workload, ctx))


def should_warn(estimate: CostEstimate, share: float = SAVING_WARN_SHARE) -> Alternative | None:
    """The cheapest alternative when it saves at least ``share`` of the estimate, else None."""
    alt = estimate.cheapest_alternative
    if alt is None or estimate.monthly_usd <= 0:
        return None
    saving = estimate.monthly_usd - alt.monthly_usd
    return alt if saving >= share * estimate.monthly_usd else None
