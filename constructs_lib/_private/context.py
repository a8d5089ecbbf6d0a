"""Where a construct is priced: its stack's region and the price book chosen in CDK context."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from ..cost.estimate import CostEstimate
from ..cost.model import PricingContext
from ..errors import ConfigurationError
from ..pricing.price_book import PriceNotFoundError, load_price_book
from ..traffic import HOURS_PER_MONTH
from . import policy

DEFAULT_REGION = "us-east-1"
CTX_PRICE_BOOK = "cost:price-book"
CTX_HOURLY_OVERRIDES = "cost:hourly-overrides"
CTX_HOURS_PER_MONTH = "cost:hours-per-month"


def _json_context(scope: Construct, key: str, path: str, kind: str | None) -> Any:
    value = scope.node.try_get_context(key)
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
    overrides = _json_context(scope, CTX_HOURLY_OVERRIDES, path, kind)
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
    hours = _json_context(scope, CTX_HOURS_PER_MONTH, path, kind)
    if hours is None:
        hours = HOURS_PER_MONTH
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not 0 < hours <= 744:
        raise ConfigurationError.single(
            path, f"context[{CTX_HOURS_PER_MONTH!r}]", hours, "a number of hours in (0, 744]",
            kind=kind)
    book_path = scope.node.try_get_context(CTX_PRICE_BOOK)
    if book_path is not None and (not isinstance(book_path, str) or not book_path):
        raise ConfigurationError.single(
            path, f"context[{CTX_PRICE_BOOK!r}]", book_path,
            "the path of a price book JSON file (same format as the packaged one)", kind=kind)
    try:
        book = load_price_book(book_path, overrides)
    except PriceNotFoundError as error:
        raise ConfigurationError.single(path, f"context[{CTX_PRICE_BOOK!r}]",
                                        scope.node.try_get_context(CTX_PRICE_BOOK),
                                        str(error), kind=kind) from None
    policy.warn_saving_share(scope, path)
    policy.check_budget_context(scope, path)
    region = cdk.Stack.of(scope).region
    assumed = cdk.Token.is_unresolved(region)
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
