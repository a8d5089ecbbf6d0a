"""Budgets: a construct's own (``max_monthly_usd``), a stack's and the app's (context
``cost:budget-usd``). Pure functions of the estimates; the construct core turns what they
return into error annotations, which fail ``cdk synth``.

An unpriced estimate has no figure to compare: its own budget is unknown (a warning saying so,
:func:`own_budget_unknown`); a stack's or the app's total is then a lower bound: over budget
already (an error, as usual) or unknown (:func:`stack_budget_unknown`, :func:`app_budget_unknown`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .estimate import CostEstimate

__all__ = [
    "BUDGET_ERROR",
    "BUDGET_UNKNOWN",
    "app_budget_error",
    "app_budget_unknown",
    "own_budget_error",
    "own_budget_unknown",
    "stack_budget_error",
    "stack_budget_unknown",
]

BUDGET_ERROR = "Over budget"
BUDGET_UNKNOWN = "Budget unknown"

Priced = tuple[str, CostEstimate]
"""A priced construct as budgets see it: (its path, its estimate)."""


def _itemise(members: Sequence[Priced]) -> str:
    priced = sorted((-usd, path, e.kind) for path, e in members if (usd := e.monthly_usd)
                    is not None)
    text = ", ".join(f"{path} ${-usd:,.2f} ({kind})" for usd, path, kind in priced)
    unpriced = sorted(path for path, e in members if e.monthly_usd is None)
    if unpriced:
        text += ("; " if text else "") + "unpriced: " + ", ".join(unpriced)
    return text


def _priced_total(members: Sequence[Priced]) -> float:
    return round(sum(usd for _, e in members if (usd := e.monthly_usd) is not None), 2)


def _unpriced(members: Sequence[Priced]) -> list[str]:
    return sorted(path for path, e in members if e.monthly_usd is None)


def _over(label: str, members: Sequence[Priced], budget: float, source: str) -> str | None:
    total = _priced_total(members)
    if total <= budget:
        return None
    at_least = "at least " if _unpriced(members) else ""
    return (f"{BUDGET_ERROR}: {label} estimated {at_least}${total:,.2f}/month exceeds {source} "
            f"${budget:,.2f}/month by ${total - budget:,.2f}: {_itemise(members)}")


def _unknown(label: str, members: Sequence[Priced], budget: float, source: str) -> str | None:
    unpriced = _unpriced(members)
    if not unpriced or _priced_total(members) > budget:
        return None
    return (f"{BUDGET_UNKNOWN}: {label} cannot be checked against {source} ${budget:,.2f}/month: "
            f"{len(unpriced)} construct(s) unpriced ({', '.join(unpriced)}); the priced ones "
            f"total ${_priced_total(members):,.2f}/month. Price them (see each construct's "
            "unpriced warning) to check the budget.")


def own_budget_error(path: str, estimate: CostEstimate, max_monthly_usd: float | None
                     ) -> str | None:
    """The error when a construct's estimate exceeds its ``max_monthly_usd``."""
    usd = estimate.monthly_usd
    if max_monthly_usd is None or usd is None or usd <= max_monthly_usd:
        return None
    return (f"{BUDGET_ERROR}: {path} estimated ${usd:,.2f}/month "
            f"({estimate.kind}: {estimate.main_driver}) exceeds max_monthly_usd "
            f"${max_monthly_usd:,.2f}/month")


def own_budget_unknown(path: str, estimate: CostEstimate, max_monthly_usd: float | None
                       ) -> str | None:
    """The warning when a construct with ``max_monthly_usd`` has an unpriced estimate."""
    if max_monthly_usd is None or estimate.monthly_usd is not None:
        return None
    return (f"{BUDGET_UNKNOWN}: {path} has max_monthly_usd ${max_monthly_usd:,.2f}/month but "
            f"its estimate is unpriced ({estimate.unpriced}); the budget cannot be checked "
            "until it is priced")


def _stack_limit(stack_name: str, budget: Mapping[str, float]) -> float | None:
    limit = budget.get(stack_name, budget.get("*"))
    return None if limit is None else float(limit)


def stack_budget_error(stack_name: str, members: Sequence[Priced],
                       budget: Mapping[str, float]) -> str | None:
    """Context ``cost:budget-usd`` as an object: the stack's own entry, or ``"*"``."""
    limit = _stack_limit(stack_name, budget)
    if limit is None or not members:
        return None
    return _over(f"stack {stack_name}", members, limit, f"cost:budget-usd[{stack_name!r}]")


def stack_budget_unknown(stack_name: str, members: Sequence[Priced],
                         budget: Mapping[str, float]) -> str | None:
    """The stack's budget when unpriced members leave it undecided."""
    limit = _stack_limit(stack_name, budget)
    if limit is None or not members:
        return None
    return _unknown(f"stack {stack_name}", members, limit, f"cost:budget-usd[{stack_name!r}]")


def app_budget_error(members: Sequence[Priced], budget: float) -> str | None:
    """Context ``cost:budget-usd`` as a number: the sum of every estimate in the app."""
    return _over("the app", members, float(budget), "cost:budget-usd") if members else None


def app_budget_unknown(members: Sequence[Priced], budget: float) -> str | None:
    """The app's budget when unpriced members leave it undecided."""
    return _unknown("the app", members, float(budget), "cost:budget-usd") if members else None
