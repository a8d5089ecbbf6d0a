"""Where a construct is priced, and by which rules: its stack's region and environment, and the
cost settings of CDK context (``cdk.json`` ``context``, ``-c`` or ``App(context=...)``).

Context keys:

- ``cost:price-book``: the path of a price book JSON file (the packaged one's format).
- ``cost:hourly-overrides``: ``{"ml.g5.xlarge": 1.21}``, USD per hour per instance type.
- ``cost:hours-per-month``: hours in a month, default 730 (AWS's convention).
- ``cost:warn-saving-share``: the share of an estimate a feasible alternative must save for the
  annotation to become a warning, in (0, 1], default 0.30.
- ``cost:budget-usd``: a number (the app-wide budget) or ``{"StackName": 500, "*": 1000}``
  (per stack; ``*`` for every stack not named).
- ``cost:require-prices``: true makes an unpriced estimate (a region or instance type the price
  book lacks) an error annotation, failing ``cdk synth``; default false: a warning.
- ``cost:max-price-age-days``: prices older than this many days get a synth warning (default
  180).
- ``cost:savings-plan``: a share off on-demand instance usage (``0.3``), or
  ``{"share": 0.3, "commitment_usd_per_hour": 2.5, "name": "SageMaker Savings Plan 1y"}``;
  estimates show the on-demand figure beside the discounted one.
- ``cost:usage-file``: the path (relative to the CDK app's working directory) of a usage file
  (``cost/usage.py``: JSON or YAML, ``{"version": 1, "usage": {"<construct path>": {<TrafficHint
  fields>}}}``) whose fields override each construct's hint, field by field, for the estimate.
  Read and validated once per app; an entry no construct claims is one synth warning
  (``constructs-lib:usage-file``).

Every value is checked when a construct is created, so a malformed one fails before any node
is added, with the construct's path. A scope's context cannot change once it has a child
(``constructs`` refuses ``set_context`` then), so what is read here is kept per scope from the
first construct on.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
from constructs import Construct

from ..cost.advice import SAVING_WARN_SHARE
from ..cost.base import PricingContext
from ..cost.savings_plan import SavingsPlan
from ..cost.usage import UsageEntry, UsageFile, read_usage_file
from ..errors import ConfigurationError
from ..pricing.price_book import PriceNotFoundError, load_price_book
from ..spec.traffic import HOURS_PER_MONTH

__all__ = ["CTX_BUDGET", "CTX_MAX_PRICE_AGE", "CTX_REQUIRE_PRICES", "CTX_SAVINGS_PLAN",
           "CTX_USAGE_FILE", "CTX_WARN_SHARE", "DEFAULT_MAX_PRICE_AGE_DAYS", "DEFAULT_REGION",
           "AppUsage", "CostContext", "cost_context", "remember"]

DEFAULT_REGION = "us-east-1"
"""Where an environment-agnostic stack is priced (and the estimate says so)."""
CTX_PRICE_BOOK = "cost:price-book"
CTX_HOURLY_OVERRIDES = "cost:hourly-overrides"
CTX_HOURS_PER_MONTH = "cost:hours-per-month"
CTX_WARN_SHARE = "cost:warn-saving-share"
CTX_BUDGET = "cost:budget-usd"
CTX_REQUIRE_PRICES = "cost:require-prices"
CTX_MAX_PRICE_AGE = "cost:max-price-age-days"
CTX_SAVINGS_PLAN = "cost:savings-plan"
CTX_USAGE_FILE = "cost:usage-file"
DEFAULT_MAX_PRICE_AGE_DAYS = 180.0
"""Prices older than this (days) get a synth warning: AWS revises SageMaker prices a few times
a year, and a reviewer holding this month's bill should know when a figure is older."""
_PLAN_KEYS = {"share", "commitment_usd_per_hour", "name"}


class AppUsage:
    """An app's usage file and the constructs that claimed its entries (one per app: every
    stack's constructs share it)."""

    def __init__(self, file: UsageFile) -> None:
        self.file = file
        self.claimed: set[str] = set()
        self._warned = False

    def claim(self, path: str) -> UsageEntry | None:
        """The entry of the construct at ``path`` (None: the file has none), noted as used."""
        self.claimed.add(path)
        return self.file.entries.get(path)

    def unmatched_once(self) -> str | None:
        """The warning for entries no construct claimed, the first time it is asked (at synth,
        when every construct exists); None otherwise."""
        if self._warned:
            return None
        self._warned = True
        unmatched = sorted(set(self.file.entries) - self.claimed)
        if not unmatched:
            return None
        named = []
        for path in unmatched:
            close = difflib.get_close_matches(path, sorted(self.claimed), n=1)
            named.append(f"'{path}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return (f"Usage file {self.file.name}: {len(unmatched)} entr"
                f"{'y matches' if len(unmatched) == 1 else 'ies match'} no priced construct of "
                f"this app, so no estimate uses {'it' if len(unmatched) == 1 else 'them'}: "
                f"{', '.join(named)}. Fix the path (as the cost report prints it) or remove the "
                "entry (`observe` without --merge writes only the constructs it finds).")


@dataclass(frozen=True)
class CostContext:
    """What constructs in one scope share: their stack, its environment, the pricing context
    and the cost policy."""

    stack: cdk.Stack
    partition: str
    region: str
    """The stack's region: a literal, or a token in an environment-agnostic stack."""
    account: str
    pricing: PricingContext
    warn_saving_share: float
    budget: float | dict[str, float] | None
    require_prices: bool = False
    """Context ``cost:require-prices``: an unpriced estimate is an error, not a warning."""
    stale_prices: str | None = None
    """Why the region's prices are older than ``cost:max-price-age-days`` (None: they are
    not, or the book lacks the region)."""
    usage: AppUsage | None = None
    """Context ``cost:usage-file``: the app's usage file (None: none)."""


_CONTEXTS: WeakKeyDictionary[Any, CostContext] = WeakKeyDictionary()
_USAGE: WeakKeyDictionary[Any, tuple[str, AppUsage]] = WeakKeyDictionary()


def remember(scope: Construct, context: CostContext) -> None:
    """Keep ``context`` for ``scope``'s later children (call once ``scope`` has a child)."""
    _CONTEXTS[scope] = context


def cost_context(scope: Construct, path: str, kind: str) -> CostContext:
    """The cost context of a construct about to be created under ``scope`` at ``path``; a bad
    context value raises ``ConfigurationError`` naming the key and the construct."""
    known = _CONTEXTS.get(scope)
    if known is not None:
        return known
    values = scope.node.get_all_context() or {}

    def fail(key: str, value: Any, allowed: str) -> ConfigurationError:
        return ConfigurationError.single(path, f"context[{key!r}]", value, allowed, kind=kind)

    def json_value(key: str) -> Any:
        value = values.get(key)
        if isinstance(value, str) and key != CTX_PRICE_BOOK:
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                if key in (CTX_HOURLY_OVERRIDES, CTX_HOURS_PER_MONTH):
                    raise fail(key, value, "must be JSON") from None
        return value

    overrides = json_value(CTX_HOURLY_OVERRIDES)
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict) or not all(
        isinstance(k, str) and _is_number(v) and v >= 0 for k, v in overrides.items()
    ):
        raise fail(CTX_HOURLY_OVERRIDES, overrides,
                   'a JSON object of instance type to USD per hour, e.g. {"ml.g5.xlarge": 1.21}')
    hours = json_value(CTX_HOURS_PER_MONTH)
    if hours is None:
        hours = HOURS_PER_MONTH
    if not _is_number(hours) or not 0 < hours <= 744:
        raise fail(CTX_HOURS_PER_MONTH, hours, "a number of hours in (0, 744]")
    book_path = values.get(CTX_PRICE_BOOK)
    if book_path is not None and (not isinstance(book_path, str) or not book_path):
        raise fail(CTX_PRICE_BOOK, book_path,
                   "the path of a price book JSON file (same format as the packaged one)")
    try:
        book = load_price_book(book_path, overrides)
    except PriceNotFoundError as error:
        raise fail(CTX_PRICE_BOOK, book_path, str(error)) from None
    share = json_value(CTX_WARN_SHARE)
    if share is None:
        share = SAVING_WARN_SHARE
    if not _is_number(share) or not 0 < share <= 1:
        raise fail(CTX_WARN_SHARE, share, "a share in (0, 1], e.g. 0.3 for 30%")
    budget = json_value(CTX_BUDGET)
    if not (budget is None or (_is_number(budget) and budget >= 0) or (
        isinstance(budget, dict)
        and all(isinstance(k, str) and _is_number(v) and v >= 0 for k, v in budget.items())
    )):
        raise fail(CTX_BUDGET, budget, 'USD per month: a number (app-wide) or '
                   '{"StackName": 500, "*": 1000} (per stack)')

    require = json_value(CTX_REQUIRE_PRICES)
    if require is None:
        require = False
    if not isinstance(require, bool):
        raise fail(CTX_REQUIRE_PRICES, require, "true or false")
    max_age = json_value(CTX_MAX_PRICE_AGE)
    if max_age is None:
        max_age = DEFAULT_MAX_PRICE_AGE_DAYS
    if not _is_number(max_age) or not max_age > 0:
        raise fail(CTX_MAX_PRICE_AGE, max_age, "a number of days > 0, e.g. 180")
    plan = _savings_plan(json_value(CTX_SAVINGS_PLAN), lambda value, allowed: fail(
        CTX_SAVINGS_PLAN, value, allowed))
    usage = _usage(scope, values.get(CTX_USAGE_FILE), fail)

    stack = cdk.Stack.of(scope)
    region = stack.region
    assumed = cdk.Token.is_unresolved(region)
    priced_region = DEFAULT_REGION if assumed else region
    today = datetime.now(UTC).date()
    return CostContext(
        stack=stack, partition=stack.partition, region=region, account=stack.account,
        pricing=PricingContext(book=book.lenient_view(), region=priced_region,
                               region_assumed=assumed, hours_per_month=float(hours),
                               savings_plan=plan),
        warn_saving_share=float(share), budget=budget, require_prices=require,
        stale_prices=book.staleness(priced_region, float(max_age), today), usage=usage)


def _usage(scope: Construct, value: Any, fail: Any) -> AppUsage | None:
    """Context ``cost:usage-file``, read once per app (every stack shares the file's
    entries); a bad file is a ``ConfigurationError`` naming the file, the path and the field."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(CTX_USAGE_FILE, value, "the path of a usage file (.json, .yaml or .yml), "
                   "relative to the CDK app's working directory")
    root = scope.node.root
    known = _USAGE.get(root)
    if known is not None and known[0] == value:
        return known[1]
    usage = AppUsage(read_usage_file(value))
    _USAGE[root] = (value, usage)
    return usage


def _savings_plan(value: Any, fail: Any) -> SavingsPlan | None:
    """Context ``cost:savings-plan``: a share, or ``{"share", "commitment_usd_per_hour",
    "name"}``; ``fail(value, allowed)`` builds the error."""
    allowed = ('a share off on-demand instance usage in [0, 1), e.g. 0.3, or {"share": 0.3, '
               '"commitment_usd_per_hour": 2.5, "name": "SageMaker Savings Plan 1y"}')
    if value is None:
        return None
    raw = {"share": value} if _is_number(value) else value
    if not isinstance(raw, dict) or set(raw) - _PLAN_KEYS or "share" not in raw:
        raise fail(value, allowed)
    share, commitment = raw["share"], raw.get("commitment_usd_per_hour")
    name = raw.get("name", "savings plan")
    if (not _is_number(share) or not 0 <= share < 1
            or (commitment is not None and (not _is_number(commitment) or commitment < 0))
            or not isinstance(name, str) or not name.strip()):
        raise fail(value, allowed)
    return SavingsPlan(share=float(share), name=name.strip(), commitment_usd_per_hour=(
        None if commitment is None else float(commitment)))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
