"""Budgets: a construct's own (``max_monthly_usd``), a stack's and the app's (context
``cost:budget-usd``). Pure functions of the estimates; the construct core turns what they
return into error annotations, which fail ``cdk synth``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .estimate import CostEstimate

__all__ = ["BUDGET_ERROR", "app_budget_error", "own_budget_error", "stack_budget_error"]

BUDGET_ERROR = "Over budget"

Priced = tuple[str, CostEstimate]
"""A priced construct as budgets see it: (its path, its estimate)."""


def _itemise(members: Sequence[Priced]) -> str:
    parts = sorted((-estimate.monthly_usd, path, estimate.kind) for path, estimate in members)
    return ", ".join(f"{path} ${-usd:,.2f} ({kind})" for usd, path, kind in parts)


def _over(label: str, members: Sequence[Priced], budget: float, source: str) -> str | None:
    total = round(sum(estimate.monthly_usd for _, estimate in members), 2)
    if total <= budget:
        return None
    return (f"{BUDGET_ERROR}: {label} estimated ${total:,.2f}/month exceeds {source} "
            f"${budget:,.2f}/month by ${total - budget:,.2f}: {_itemise(members)}")


def own_budget_error(path: str, estimate: CostEstimate, max_monthly_usd: float | None
                     ) -> str | None:
    """The error when a construct's estimate exceeds its ``max_monthly_usd``."""
    if max_monthly_usd is None or estimate.monthly_usd <= max_monthly_usd:
        return None
    return (f"{BUDGET_ERROR}: {path} estimated ${estimate.monthly_usd:,.2f}/month "
            f"({estimate.kind}: {estimate.main_driver}) exceeds max_monthly_usd "
            f"${max_monthly_usd:,.2f}/month")


def stack_budget_error(stack_name: str, members: Sequence[Priced],
                       budget: Mapping[str, float]) -> str | None:
    """Context ``cost:budget-usd`` as an object: the stack's own entry, or ``"*"``."""
    limit = budget.get(stack_name, budget.get("*"))
    if limit is None or not members:
        return None
    return _over(f"stack {stack_name}", members, float(limit),
                 f"cost:budget-usd[{stack_name!r}]")


def app_budget_error(members: Sequence[Priced], budget: float) -> str | None:
    """Context ``cost:budget-usd`` as a number: the sum of every estimate in the app."""
    return _over("the app", members, float(budget), "cost:budget-usd") if members else None
