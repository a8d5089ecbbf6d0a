"""Compute each construct's estimate when the app synthesizes, and surface it three ways."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ..cost.estimate import Alternative, CostEstimate
from . import policy

if TYPE_CHECKING:
    from .base import PricedConstruct

WARNING_ID = "constructs-lib:cheaper-alternative"
SOURCE_KEY = "ConstructsLib"
"""Metadata key beside ``CostEstimate``: the construct path and class that produced it."""


INFO = "aws:cdk:info"
"""The metadata type of an info annotation (``cdk.Annotations.add_info``)."""


class StackCosts:
    """The priced constructs of one stack, surfaced together by one aspect at synth."""

    def __init__(self, stack: cdk.Stack, app: list[StackCosts]) -> None:
        self.stack = stack
        self.members: list[PricedConstruct] = []
        self.pending: list[PricedConstruct] = []
        """Members not surfaced yet: when it is empty, no aspect is waiting, and the next
        member brings its own (the app may be synthesized again after more constructs)."""
        self.app = app
        """Every StackCosts of the same app (app-wide budgets sum them)."""
        app.append(self)


@jsii.implements(cdk.IAspect)
class CostAspect:
    """Surfaces every priced construct of a stack, once, after mutating aspects (so later
    changes are counted), and checks the stack's and the app's budgets.

    Added to one leaf of the stack (its first priced construct's main resource): an aspect
    visits every node below the one it is added to, and each visit of a Python aspect is a jsii
    callback, so one callback per stack rather than one per construct.
    """

    def __init__(self, costs: StackCosts) -> None:
        self._costs = costs

    def visit(self, node: IConstruct) -> None:
        pending, self._costs.pending = self._costs.pending, []
        for member in pending:
            member._surface_cost()
        if pending:
            policy.enforce_shared_budgets(self._costs)


@cache
def _readonly_priority() -> float:
    """``cdk.AspectPriority.READONLY``, read over jsii once per process."""
    return cdk.AspectPriority.READONLY


_STACK_COSTS: WeakKeyDictionary[Any, StackCosts] = WeakKeyDictionary()
_APPS: WeakKeyDictionary[Any, list[StackCosts]] = WeakKeyDictionary()


def register(owner: PricedConstruct, main: IConstruct) -> None:
    """Surface ``owner``'s cost at synth; the first priced construct of a stack (and the first
    added after a synth) carries the stack's aspect on its main resource (two jsii calls)."""
    stack = owner._stack
    costs = _STACK_COSTS.get(stack)
    if costs is None:
        root = stack.node.root
        app = _APPS.setdefault(root, [])
        costs = _STACK_COSTS[stack] = StackCosts(stack, app)
    if not costs.pending:
        cdk.Aspects.of(main).add(CostAspect(costs), priority=_readonly_priority())
    costs.members.append(owner)
    costs.pending.append(owner)


def warning_text(estimate: CostEstimate, alt: Alternative) -> str:
    """The cheaper-alternative warning: the alternative, the saving and the break-even volume."""
    saving = estimate.monthly_usd - alt.monthly_usd
    text = (f"{estimate.summary()} (saves ${saving:,.2f}/month, "
            f"{saving / estimate.monthly_usd:.0%})")
    volume = estimate.traffic.get("requests_per_month", 0)
    if alt.break_even_requests_per_month is not None:
        text += (f"; break-even at {alt.break_even_requests_per_month:,.0f} requests/month "
                 f"(now {volume:,.0f})")
    return f"{text}. {alt.note}."
