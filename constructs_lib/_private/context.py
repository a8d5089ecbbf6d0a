"""Where a construct is priced: its stack's region and the price book chosen in CDK context.

Every answer here costs jsii round trips, so each is read once and kept beside the scope it
describes (weakly): a node's path, stack and stack environment never change, and a scope's
context is frozen once it has a child (``constructs`` refuses ``set_context`` then), so the
pricing context (and the cost-policy context ``_private/policy.py`` reads) is reused from the
second construct in the same scope on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
from constructs import Construct

from ..cost.estimate import CostEstimate
from ..cost.model import PricingContext
from ..errors import ConfigurationError
from ..pricing.price_book import PriceNotFoundError, load_price_book
from ..traffic import HOURS_PER_MONTH
from . import policy
from .emit import ACCOUNT, REGION
from .models import remember_path

DEFAULT_REGION = "us-east-1"
CTX_PRICE_BOOK = "cost:price-book"
CTX_HOURLY_OVERRIDES = "cost:hourly-overrides"
CTX_HOURS_PER_MONTH = "cost:hours-per-month"


_PRICING: WeakKeyDictionary[Any, PricingContext] = WeakKeyDictionary()
_CONTEXT: WeakKeyDictionary[Any, dict[str, Any]] = WeakKeyDictionary()
_STACKS: WeakKeyDictionary[Any, cdk.Stack] = WeakKeyDictionary()
_ENVS: WeakKeyDictionary[Any, tuple[str, str, str, bool]] = WeakKeyDictionary()


def stack_of(scope: Construct) -> cdk.Stack:
    """``cdk.Stack.of(scope)``, looked up once per scope."""
    stack = _STACKS.get(scope)
    if stack is None:
        stack = _STACKS[scope] = cdk.Stack.of(scope)
    return stack


def stack_env(scope: Construct) -> tuple[str, str, str]:
    """The partition, region and account of ``scope``'s stack (tokens when not concrete)."""
    return _env(stack_of(scope))[:3]


_ENV_JSON: WeakKeyDictionary[Any, tuple[Any, Any]] = WeakKeyDictionary()


def stack_env_json(stack: cdk.Stack) -> tuple[Any, Any]:
    """The region and account of ``stack`` as CloudFormation JSON: the literal when the stack's
    environment names it, else ``{"Ref": "AWS::Region"}`` / ``{"Ref": "AWS::AccountId"}`` (what
    CDK renders for the unresolved tokens). Read once per stack."""
    got = _ENV_JSON.get(stack)
    if got is None:
        _, region, account, region_unresolved = _env(stack)
        got = _ENV_JSON[stack] = (
            REGION if region_unresolved else region,
            ACCOUNT if cdk.Token.is_unresolved(account) else account,
        )
    return got


def _env(stack: cdk.Stack) -> tuple[str, str, str, bool]:
    env = _ENVS.get(stack)
    if env is None:
        region = stack.region
        env = _ENVS[stack] = (stack.partition, region, stack.account,
                              cdk.Token.is_unresolved(region))
    return env


def all_context(scope: Construct) -> dict[str, Any]:
    """``scope.node.get_all_context()`` (its own and its ancestors'), one round trip per scope
    once ``scope`` has a child."""
    context = _CONTEXT.get(scope)
    if context is None:
        context = scope.node.get_all_context() or {}
    return context


def remember(scope: Construct, construct: Construct, path: str,
             pricing: PricingContext) -> None:
    """Keep what ``construct``, just added under ``scope``, shares with its later siblings."""
    _PRICING[scope] = pricing  # scope has a child now: its context can no longer change
    _CONTEXT[construct] = _CONTEXT[scope] = all_context(scope)
    _STACKS[construct] = stack_of(scope)
    remember_path(construct, path)


def _json_context(context: dict[str, Any], key: str, path: str, kind: str | None) -> Any:
    value = context.get(key)
    if isinstance(value, str) and key != CTX_PRICE_BOOK:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ConfigurationError.single(
                path, f"context[{key!r}]", value, "must be JSON", kind=kind
            ) from None
    return value


def pricing_context(scope: Construct, path: str, kind: str | None = None) -> PricingContext:
    """Price book, overrides and region for a construct (``kind``) about to be created at
    ``path``; a bad context value raises ``ConfigurationError`` naming both."""
    cached = _PRICING.get(scope)
    if cached is not None:
        return cached
    context = all_context(scope)
    overrides = _json_context(context, CTX_HOURLY_OVERRIDES, path, kind)
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
        for k, v in overrides.items()
    ):
        raise ConfigurationError.single(
            path, f"context[{CTX_HOURLY_OVERRIDES!r}]", overrides,
            'a JSON object of instance type to USD per hour, e.g. {"ml.g5.xlarge": 1.21}',
            kind=kind)
    hours = _json_context(context, CTX_HOURS_PER_MONTH, path, kind)
    if hours is None:
        hours = HOURS_PER_MONTH
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not 0 < hours <= 744:
        raise ConfigurationError.single(
            path, f"context[{CTX_HOURS_PER_MONTH!r}]", hours, "a number of hours in (0, 744]",
            kind=kind)
    book_path = context.get(CTX_PRICE_BOOK)
    if book_path is not None and (not isinstance(book_path, str) or not book_path):
        raise ConfigurationError.single(
            path, f"context[{CTX_PRICE_BOOK!r}]", book_path,
            "the path of a price book JSON file (same format as the packaged one)", kind=kind)
    try:
        book = load_price_book(book_path, overrides)
    except PriceNotFoundError as error:
        raise ConfigurationError.single(path, f"context[{CTX_PRICE_BOOK!r}]", book_path,
                                        str(error), kind=kind) from None
    policy.warn_saving_share(context, path)
    policy.check_budget_context(context, path)
    _, region, _, assumed = _env(stack_of(scope))
    if assumed:
        region = DEFAULT_REGION
    try:
        book.region(region)
    except PriceNotFoundError as error:
        raise ConfigurationError.single(path, "region", region, str(error), kind=kind) from None
    return PricingContext(book=book, region=region, region_assumed=assumed,
                          hours_per_month=float(hours))


def check_priceable(price: Callable[[], CostEstimate], path: str, kind: str) -> None:
    """Price the construct once before building it: an unpriceable config fails here, with the
    construct path, and never half-way through synthesis."""
    try:
        price()
    except PriceNotFoundError as error:
        raise ConfigurationError.single(path, error.field, error.value, str(error),
                                        kind=kind) from None
