"""One aspect per stack surfaces every priced construct of the stack at synth, after mutating
aspects (so changes made after construction, an added variant say, are counted), checks the
stack's and the app's budgets, and warns once per stack when its region's prices are older than
``cost:max-price-age-days`` (``constructs-lib:stale-prices``).

The aspect is added to one leaf of the stack (the main resource of its first priced
construct): an aspect visits every node below the one it is added to, and each visit of a
Python aspect is a round trip to the JavaScript engine, so one visit per stack rather than one
per node. The constructs it surfaces are kept here, per stack, as they register.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ..cost.budget import (
    app_budget_error,
    app_budget_unknown,
    stack_budget_error,
    stack_budget_unknown,
)
from .protocol import Priced

__all__ = ["BUDGET_UNKNOWN_ID", "STALE_PRICES_ID", "CostAspect", "register"]

STALE_PRICES_ID = "constructs-lib:stale-prices"
"""Id of the stack's warning that its region's prices are older than
``cost:max-price-age-days``."""
BUDGET_UNKNOWN_ID = "constructs-lib:budget-unknown"
"""Id of the warning on a budget an unpriced estimate leaves unchecked."""


class _StackCosts:
    """The priced constructs of one stack, and of its app (app-wide budgets sum them)."""

    def __init__(self, stack: cdk.Stack, app: list[_StackCosts]) -> None:
        self.stack = stack
        self.members: list[Priced] = []
        self.pending: list[Priced] = []
        """Not surfaced yet. Empty: no aspect is waiting, and the next member brings one (the
        app may be synthesized again after more constructs were added)."""
        self.app = app
        self.budget: float | dict[str, float] | None = None
        self.stale: str | None = None
        """The stale-prices warning, given once (then None)."""
        app.append(self)


@jsii.implements(cdk.IAspect)
class CostAspect:
    def __init__(self, costs: _StackCosts) -> None:
        self._costs = costs

    def visit(self, node: IConstruct) -> None:
        pending, self._costs.pending = self._costs.pending, []
        for member in pending:
            member.surface_cost()
        if pending:
            _enforce_shared_budgets(self._costs)
        stale, self._costs.stale = self._costs.stale, None
        if stale:
            cdk.Annotations.of(self._costs.stack).add_warning_v2(STALE_PRICES_ID, stale)


def _enforce_shared_budgets(costs: _StackCosts) -> None:
    """Context ``cost:budget-usd``: an object bounds this stack's sum; a number bounds the
    app's, reported on the stack of the app's first priced construct (by path)."""
    budget = costs.budget
    if budget is None or not costs.members:
        return
    if isinstance(budget, dict):
        members = [(m.construct_path, m.cost_estimate) for m in costs.members]
        message = stack_budget_error(costs.stack.stack_name, members, budget)
        unknown = stack_budget_unknown(costs.stack.stack_name, members, budget)
    else:
        everyone = sorted((m for s in costs.app for m in s.members),
                          key=lambda m: m.construct_path)
        first = min(costs.members, key=lambda m: m.construct_path)
        if everyone[0] is not first:
            return
        members = [(m.construct_path, m.cost_estimate) for m in everyone]
        message = app_budget_error(members, budget)
        unknown = app_budget_unknown(members, budget)
    if message:
        cdk.Annotations.of(costs.stack).add_error(message)
    if unknown:
        cdk.Annotations.of(costs.stack).add_warning_v2(BUDGET_UNKNOWN_ID, unknown)


@cache
def _readonly_priority() -> float:
    """``cdk.AspectPriority.READONLY``, read once per process."""
    return cdk.AspectPriority.READONLY


_STACK_COSTS: WeakKeyDictionary[Any, _StackCosts] = WeakKeyDictionary()
_APPS: WeakKeyDictionary[Any, list[_StackCosts]] = WeakKeyDictionary()


def register(member: Priced, stack: cdk.Stack, leaf: IConstruct,
             budget: float | dict[str, float] | None, stale: str | None = None) -> None:
    """Surface ``member`` (in ``stack``, with the context's ``budget`` and stale-prices
    warning) at synth; the first member of a stack (and the first added after a synth) adds the
    stack's aspect to ``leaf``, one of its own resources."""
    costs = _STACK_COSTS.get(stack)
    if costs is None:
        costs = _STACK_COSTS[stack] = _StackCosts(stack, _APPS.setdefault(stack.node.root, []))
        costs.stale = stale
    if costs.budget is None:
        costs.budget = budget
    if not costs.pending:
        cdk.Aspects.of(leaf).add(CostAspect(costs), priority=_readonly_priority())
    costs.members.append(member)
    costs.pending.append(member)
