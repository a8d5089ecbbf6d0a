"""Cost policy from CDK context: when advice becomes a warning, and budgets that fail synth.

Context keys (``cdk.json`` ``context``, ``-c`` on the command line, or ``App(context=...)``):

- ``cost:warn-saving-share``: share of an endpoint's monthly cost a feasible alternative must
  save for the annotation to become a warning; a number in (0, 1], default 0.30.
- ``cost:budget-usd``: a number, the app-wide budget (the sum of every estimate in the app);
  or an object of stack name to USD per month, each a stack-wide budget (the sum of that
  stack's estimates), where the key ``"*"`` applies to every stack not named.

Both are checked when a construct is created, so a malformed value fails before any node is
added; budgets are enforced at synth, when every estimate is final.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import IConstruct

from ..cost.advice import SAVING_WARN_SHARE
from ..cost.estimate import CostEstimate
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from .base import PricedConstruct

CTX_WARN_SHARE = "cost:warn-saving-share"
CTX_BUDGET = "cost:budget-usd"
BUDGET_ERROR = "Over budget"


def _context(context: Mapping[str, Any], key: str) -> Any:
    """A value of ``context`` (a node's ``get_all_context()``), JSON-decoded when a string."""
    value = context.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def warn_saving_share(context: Mapping[str, Any], path: str) -> float:
    value = _context(context, CTX_WARN_SHARE)
    if value is None:
        return SAVING_WARN_SHARE
    if not _is_number(value) or not 0 < value <= 1:
        raise ConfigurationError.single(path, f"context[{CTX_WARN_SHARE!r}]", value,
                                        "a share in (0, 1], e.g. 0.3 for 30%")
    return float(value)


def check_budget_context(context: Mapping[str, Any], path: str) -> None:
    value = _context(context, CTX_BUDGET)
    ok = value is None or (_is_number(value) and value >= 0) or (
        isinstance(value, dict)
        and all(isinstance(k, str) and _is_number(v) and v >= 0 for k, v in value.items())
    )
    if not ok:
        raise ConfigurationError.single(
            path, f"context[{CTX_BUDGET!r}]", value,
            'USD per month: a number (app-wide) or {"StackName": 500, "*": 1000} (per stack)',
        )


def _priced(root: IConstruct) -> list[PricedConstruct]:
    from .base import PricedConstruct

    return sorted((c for c in root.node.find_all() if isinstance(c, PricedConstruct)),
                  key=lambda c: c.node.path)


def _itemise(members: Sequence[PricedConstruct]) -> str:
    parts = sorted((-c.cost_estimate.monthly_usd, c.node.path, c.cost_estimate.kind)
                   for c in members)
    return ", ".join(f"{path} ${-usd:,.2f} ({kind})" for usd, path, kind in parts)


def _over(scope_label: str, members: Sequence[PricedConstruct], budget: float,
          source: str) -> str | None:
    total = round(sum(c.cost_estimate.monthly_usd for c in members), 2)
    if total <= budget:
        return None
    return (f"{BUDGET_ERROR}: {scope_label} estimated ${total:,.2f}/month exceeds {source} "
            f"${budget:,.2f}/month by ${total - budget:,.2f}: {_itemise(members)}")


def enforce_budgets(owner: PricedConstruct, context: Mapping[str, Any],
                    estimate: CostEstimate) -> None:
    """Add an error annotation (which fails ``cdk synth``) for every budget exceeded.

    The construct's own ``max_monthly_usd`` is checked by each construct; the stack-wide and
    app-wide budgets by the first priced construct (by path) of the stack or app, once.
    """
    if owner.max_monthly_usd is not None and estimate.monthly_usd > owner.max_monthly_usd:
        cdk.Annotations.of(owner).add_error(
            f"{BUDGET_ERROR}: {owner.node.path} estimated ${estimate.monthly_usd:,.2f}/month "
            f"({estimate.kind}: {estimate.main_driver}) exceeds max_monthly_usd "
            f"${owner.max_monthly_usd:,.2f}/month"
        )
    value = _context(context, CTX_BUDGET)
    if value is None:
        return
    stack = cdk.Stack.of(owner)
    if isinstance(value, dict):
        budget = value.get(stack.stack_name, value.get("*"))
        members = [c for c in _priced(stack) if cdk.Stack.of(c).node.path == stack.node.path]
        if budget is not None and members and members[0].node.path == owner.node.path:
            message = _over(f"stack {stack.stack_name}", members, float(budget),
                            f"cost:budget-usd[{stack.stack_name!r}]")
            if message:
                cdk.Annotations.of(stack).add_error(message)
        return
    everyone = _priced(owner.node.root)
    if everyone and everyone[0].node.path == owner.node.path:
        message = _over("the app", everyone, float(value), "cost:budget-usd")
        if message:
            cdk.Annotations.of(stack).add_error(message)
