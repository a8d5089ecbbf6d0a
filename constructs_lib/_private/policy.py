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

from ..cost.advice import SAVING_WARN_SHARE
from ..cost.estimate import CostEstimate
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from .base import PricedConstruct
    from .surface import StackCosts

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


def _itemise(members: Sequence[PricedConstruct]) -> str:
    parts = sorted((-c.cost_estimate.monthly_usd, c._construct_path, c.cost_estimate.kind)
                   for c in members)
    return ", ".join(f"{path} ${-usd:,.2f} ({kind})" for usd, path, kind in parts)


def _over(scope_label: str, members: Sequence[PricedConstruct], budget: float,
          source: str) -> str | None:
    total = round(sum(c.cost_estimate.monthly_usd for c in members), 2)
    if total <= budget:
        return None
    return (f"{BUDGET_ERROR}: {scope_label} estimated ${total:,.2f}/month exceeds {source} "
            f"${budget:,.2f}/month by ${total - budget:,.2f}: {_itemise(members)}")


def enforce_own_budget(owner: PricedConstruct, estimate: CostEstimate) -> None:
    """An error annotation (which fails ``cdk synth``) when ``owner`` exceeds its
    ``max_monthly_usd``."""
    if owner.max_monthly_usd is not None and estimate.monthly_usd > owner.max_monthly_usd:
        cdk.Annotations.of(owner).add_error(
            f"{BUDGET_ERROR}: {owner._construct_path} estimated "
            f"${estimate.monthly_usd:,.2f}/month ({estimate.kind}: {estimate.main_driver}) "
            f"exceeds max_monthly_usd ${owner.max_monthly_usd:,.2f}/month"
        )


def enforce_shared_budgets(costs: StackCosts) -> None:
    """Context ``cost:budget-usd``, checked once per stack at synth: an object of stack names
    bounds this stack's sum; a number bounds the app's sum, reported on the stack of the app's
    first priced construct (by path). Error annotations on the stack fail ``cdk synth``."""
    members = sorted(costs.members, key=lambda c: c._construct_path)
    if not members:
        return
    from .context import all_context

    value = _context(all_context(members[0]), CTX_BUDGET)
    if value is None:
        return
    if isinstance(value, dict):
        name = costs.stack.stack_name
        budget = value.get(name, value.get("*"))
        if budget is not None:
            message = _over(f"stack {name}", members, float(budget),
                            f"cost:budget-usd[{name!r}]")
            if message:
                cdk.Annotations.of(costs.stack).add_error(message)
        return
    everyone = sorted((c for s in costs.app for c in s.members),
                      key=lambda c: c._construct_path)
    if everyone[0] is members[0]:
        message = _over("the app", everyone, float(value), "cost:budget-usd")
        if message:
            cdk.Annotations.of(costs.stack).add_error(message)
