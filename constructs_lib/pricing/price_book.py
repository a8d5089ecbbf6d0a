"""Load the SageMaker price book once per process and answer price look-ups.

The book is a JSON file (``data/sagemaker_prices.json``) naming its source and date, with per
region the date of its prices. Users replace it with their own file (CDK context
``cost:price-book``: one written by ``python -m constructs_lib.pricing fetch``, a negotiated
price sheet) or override a few hourly rates (``cost:hourly-overrides``, USD per instance-hour,
applied to hosting, async and batch alike).

A price the book lacks raises :class:`PriceNotFoundError` saying how to price it; the
constructs read a *lenient* view of the book (:meth:`PriceBook.lenient_view`), where it is a
:class:`~.rates.MissingRate` instead, so the construct still synthesizes, unpriced.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date as Date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from .rates import MissingRate, Rate

__all__ = [
    "MemoryMeter",
    "PriceBook",
    "PriceNotFoundError",
    "RegionPrices",
    "how_to_price",
    "load_price_book",
    "parse_book",
    "parse_region",
    "usd_rate",
]

DEFAULT_BOOK = "sagemaker_prices.json"
FORMAT = "the format of constructs_lib/pricing/data/sagemaker_prices.json"
_EMPTY: Mapping[Any, float] = MappingProxyType({})


def _none() -> Mapping[Any, float]:
    return _EMPTY


def usd_rate(value: float) -> str:
    """A per-unit price as AWS prints it: ``$0.23``, ``$0.00002`` (no exponent)."""
    return "$" + (f"{value:.10f}".rstrip("0").rstrip(".") or "0")


def how_to_price(region: str, instance_type: str | None = None) -> str:
    """What prices a missing region (or instance type): the command, and the context key."""
    fetch = (f"fetch the region's prices: `python -m constructs_lib.pricing fetch --region "
             f"{region} --out prices.json`, then CDK context 'cost:price-book' = prices.json")
    if instance_type is None:
        return fetch
    return (f"set CDK context 'cost:hourly-overrides' = {{\"{instance_type}\": <USD per hour>}} "
            f"(cdk.json or `cdk synth -c`), or {fetch}")


class PriceNotFoundError(ValueError):
    """A region, instance type or rate the price book does not know; the message says how to
    add it. ``field`` and ``value`` name what could not be priced ("region" or
    "instance_type")."""

    def __init__(self, message: str, *, field: str = "region", value: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.value = value


MemoryMeter = Literal["inference", "provisioned_concurrency", "provisioned_inference"]
_MEMORY_METERS: dict[str, tuple[str, str, str]] = {
    # meter: (per-memory table, per-GB-second scalar, the Price List usage type)
    "inference": ("serverless_usd_per_second", "serverless_usd_per_gb_second",
                  "ServerlessInf:Mem-{gb}GB"),
    "provisioned_concurrency": ("provisioned_concurrency_usd_per_second",
                                "serverless_provisioned_concurrency_usd_per_gb_second",
                                "ProvisionedConcurrency:Usage-{gb}GB"),
    "provisioned_inference": ("provisioned_inference_usd_per_second",
                              "serverless_provisioned_inference_usd_per_gb_second",
                              "ProvisionedConcurrency:Mem-{gb}GB"),
}
_TABLE_OF = {scalar: table for table, scalar, _ in _MEMORY_METERS.values()}


@dataclass(frozen=True)
class RegionPrices:
    """One region's prices, USD: per instance-hour by instance type (``Host:``, ``AsyncInf:``,
    ``Tsform:`` meters), per second by serverless memory size in MB (``ServerlessInf:Mem-<n>GB``,
    ``ProvisionedConcurrency:Usage-<n>GB`` held, ``ProvisionedConcurrency:Mem-<n>GB`` served),
    per GB-second where a book states one rate for every size, per GB of data processed, per
    GB-month of ML storage volume (``Host:VolumeUsage.gp2``); and when they were published."""

    region: str
    hosting_usd_per_hour: Mapping[str, float] = field(default_factory=_none)
    async_usd_per_hour: Mapping[str, float] = field(default_factory=_none)
    batch_transform_usd_per_hour: Mapping[str, float] = field(default_factory=_none)
    serverless_usd_per_second: Mapping[int, float] = field(default_factory=_none)
    provisioned_concurrency_usd_per_second: Mapping[int, float] = field(default_factory=_none)
    provisioned_inference_usd_per_second: Mapping[int, float] = field(default_factory=_none)
    serverless_usd_per_gb_second: float | None = None
    serverless_provisioned_concurrency_usd_per_gb_second: float | None = None
    serverless_provisioned_inference_usd_per_gb_second: float | None = None
    data_processed_in_usd_per_gb: float | None = None
    data_processed_out_usd_per_gb: float | None = None
    storage_usd_per_gb_month: float | None = None
    date: str | None = None
    """When these prices were published (the offer's ``publicationDate``) or, for a book of
    readings, the oldest reading of the region: ``YYYY-MM-DD``."""
    source: str | None = None
    version: str | None = None
    cloudwatch_alarm_usd_per_month: float | None = None
    """A standard-resolution CloudWatch alarm metric, USD per month (the opt-in alarm set)."""

    def scalar(self, name: str) -> float | None:
        """A per-unit rate by field name; a serverless per-GB-second rate the book does not
        state is the per-memory table's, when every size it lists agrees (else the highest)."""
        value = getattr(self, name)
        if value is not None or name not in _TABLE_OF:
            return None if value is None else float(value)
        table: Mapping[int, float] = getattr(self, _TABLE_OF[name])
        per_gb = [usd / (mb / 1024.0) for mb, usd in table.items()]
        return max(per_gb) if per_gb else None


@dataclass(frozen=True)
class PriceBook:
    """An immutable price book, with optional hourly overrides layered on top; ``lenient``
    answers a missing price with a :class:`~.rates.MissingRate` instead of raising."""

    name: str
    date: str
    source: str
    path: str
    regions: Mapping[str, RegionPrices]
    hourly_overrides: Mapping[str, float] = field(default_factory=dict)
    lenient: bool = False

    @property
    def label(self) -> str:
        """The book's name and date, e.g. ``aws-sagemaker-on-demand 2026-11-01 + 1 hourly
        override (ml.m5.large)``."""
        return f"{self.name} {self.date}{self._overrides_suffix()}"

    def label_for(self, region: str) -> str:
        """How an estimate in ``region`` names the book: its name and the date of that region's
        prices (the book's own date when the region states none)."""
        return f"{self.name} {self.price_date(region) or self.date}{self._overrides_suffix()}"

    def _overrides_suffix(self) -> str:
        n = len(self.hourly_overrides)
        if not n:
            return ""
        names = ", ".join(sorted(self.hourly_overrides))
        return f" + {n} hourly override{'s' if n > 1 else ''} ({names})"

    def price_date(self, region: str) -> str | None:
        """The date of ``region``'s prices (``YYYY-MM-DD``); None when the book lacks it."""
        prices = self.regions.get(region)
        return None if prices is None else (prices.date or self.date)

    def price_age_days(self, region: str, today: Date) -> int | None:
        """Days from the date of ``region``'s prices to ``today`` (None: no region, no date)."""
        published = self.price_date(region)
        try:
            return None if published is None else (today - Date.fromisoformat(published[:10])).days
        except ValueError:
            return None

    def staleness(self, region: str, max_age_days: float, today: Date) -> str | None:
        """Why ``region``'s prices are too old to trust (older than ``max_age_days`` on
        ``today``), and how to refresh them; None when they are not."""
        age = self.price_age_days(region, today)
        if age is None or age <= max_age_days:
            return None
        return (f"Prices for {region} in price book '{self.label_for(region)}' are {age} days "
                f"old (dated {self.price_date(region)}), more than CDK context "
                f"'cost:max-price-age-days' ({max_age_days:g}): AWS may have changed them. "
                f"Refresh them: {how_to_price(region)}.")

    def region(self, region: str) -> RegionPrices:
        """The region's prices, or :class:`PriceNotFoundError` (whatever ``lenient`` says)."""
        try:
            return self.regions[region]
        except KeyError:
            known = sorted(self.regions)
            listed = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12
                                              else "")
            raise PriceNotFoundError(
                f"Region '{region}' is not in price book '{self.label}' ({self.path}); "
                f"known regions: {listed or 'none'}. To price it, {how_to_price(region)}.",
                field="region", value=region,
            ) from None

    def rate(self, region: str, name: str) -> float:
        """A per-unit rate (a :class:`RegionPrices` field name, e.g. ``storage_usd_per_gb_month``,
        ``data_processed_in_usd_per_gb``) for a region."""
        return self._answer(lambda: self._rate(region, name))

    def hosting_usd_per_hour(self, region: str, instance_type: str) -> float:
        """Real-time hosting (``Host:``), USD per instance-hour."""
        return self._answer(lambda: self._instance(region, instance_type, "hosting"))

    def async_usd_per_hour(self, region: str, instance_type: str) -> float:
        """Asynchronous hosting (``AsyncInf:``), USD per instance-hour; the hosting rate, with a
        note saying so, where the book lists no async rate for the type."""
        return self._answer(lambda: self._instance(region, instance_type, "async"))

    def batch_usd_per_hour(self, region: str, instance_type: str) -> float:
        """Batch transform (``Tsform:``), USD per instance-hour; the hosting rate, with a note
        saying so, where the book lists no batch rate for the type."""
        return self._answer(lambda: self._instance(region, instance_type, "batch"))

    def serverless_usd_per_gb_second(self, region: str, memory_mb: int,
                                     meter: MemoryMeter = "inference") -> float:
        """Serverless inference (or provisioned concurrency held, or inference on it) at
        ``memory_mb``, USD per GB-second: the region's price for that memory size, or its stated
        per-GB rate (with a note) where the size has no price of its own."""
        return self._answer(lambda: self._per_memory(region, memory_mb, meter))

    def has_instance_type(self, region: str, instance_type: str) -> bool:
        if instance_type in self.hourly_overrides:
            return True
        prices = self.regions.get(region)
        return prices is not None and instance_type in prices.hosting_usd_per_hour

    def known_instance_types(self, region: str) -> list[str]:
        prices = self.regions.get(region)
        known = set(self.hourly_overrides) | set(prices.hosting_usd_per_hour if prices else ())
        return sorted(known)

    def with_hourly_overrides(self, overrides: Mapping[str, float]) -> PriceBook:
        if not overrides:
            return self
        return replace(self, hourly_overrides=MappingProxyType(
            {**self.hourly_overrides, **overrides}))

    def lenient_view(self) -> PriceBook:
        """This book answering a missing price with a :class:`~.rates.MissingRate`."""
        return self if self.lenient else replace(self, lenient=True)

    def strict_view(self) -> PriceBook:
        """This book raising :class:`PriceNotFoundError` for a missing price."""
        return replace(self, lenient=False) if self.lenient else self

    # --- look-ups (raising) ----------------------------------------------------------------

    def _answer(self, lookup: Callable[[], float]) -> float:
        try:
            return lookup()
        except PriceNotFoundError as error:
            if self.lenient:
                return MissingRate(str(error))
            raise

    def _rate(self, region: str, name: str) -> float:
        value = self.region(region).scalar(name)
        if value is None:
            raise PriceNotFoundError(
                f"Price book '{self.label}' has no '{name}' for {region}. To price it, "
                f"{how_to_price(region)} (or add it to your own price file, {FORMAT}).",
                field="region", value=region)
        return value

    def _instance(self, region: str, instance_type: str, kind: str) -> float:
        if instance_type in self.hourly_overrides:
            return self.hourly_overrides[instance_type]
        prices = self.region(region)
        if kind != "hosting":
            own, meter = ((prices.async_usd_per_hour, "AsyncInf") if kind == "async"
                          else (prices.batch_transform_usd_per_hour, "Tsform"))
            if instance_type in own:
                return own[instance_type]
            hosting = self._instance(region, instance_type, "hosting")
            return Rate(hosting, f"{instance_type} {kind} priced at its hosting rate "
                                 f"({usd_rate(hosting)}/h, Host:): price book '{self.name}' "
                                 f"has no {meter}: rate for it in {region}")
        try:
            return prices.hosting_usd_per_hour[instance_type]
        except KeyError:
            raise self._unknown_type(region, instance_type,
                                     prices.hosting_usd_per_hour) from None

    def _per_memory(self, region: str, memory_mb: int, meter: str) -> float:
        table_name, scalar_name, usage = _MEMORY_METERS[meter]
        prices = self.region(region)
        gb = memory_mb / 1024.0
        per_second = getattr(prices, table_name).get(memory_mb)
        if per_second is not None:
            return float(per_second) / gb
        usage_type = usage.format(gb=f"{gb:g}")
        stated = getattr(prices, scalar_name)
        if stated is None:
            raise PriceNotFoundError(
                f"Price book '{self.label}' has no {usage_type} price ('{table_name}' at "
                f"{memory_mb} MB, or '{scalar_name}') for {region}. To price it, "
                f"{how_to_price(region)}.", field="region", value=region)
        return Rate(stated, f"no {usage_type} price in {region}: priced at the book's per-GB "
                            f"rate ({usd_rate(stated)} per GB-second)")

    def _unknown_type(self, region: str, instance_type: str,
                      known: Mapping[str, float]) -> PriceNotFoundError:
        family = instance_type.rsplit(".", 1)[0] + "."
        same_family = sorted(t for t in known if t.startswith(family))
        hint = f" Known {family}* types: {', '.join(same_family)}." if same_family else ""
        return PriceNotFoundError(
            f"No hosting price for '{instance_type}' in {region} in price book "
            f"'{self.label_for(region)}'.{hint} If SageMaker sells it there, "
            f"{how_to_price(region, instance_type)}.",
            field="instance_type", value=instance_type)


# --- the file format ------------------------------------------------------------------------

_HOURLY = ("hosting_usd_per_hour", "async_usd_per_hour", "batch_transform_usd_per_hour")
_PER_MEMORY = tuple(table for table, _, _ in _MEMORY_METERS.values())
_SCALARS = (
    "serverless_usd_per_gb_second",
    "serverless_provisioned_concurrency_usd_per_gb_second",
    "serverless_provisioned_inference_usd_per_gb_second",
    "data_processed_in_usd_per_gb",
    "data_processed_out_usd_per_gb",
    "storage_usd_per_gb_month",
    "cloudwatch_alarm_usd_per_month",
)
_TEXTS = ("date", "source", "version")


def _rate_value(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{where} is {value!r}, not a number")
    rate = float(value)
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"{where} is {value!r}, not a rate >= 0")
    return rate


def parse_region(name: str, raw: Mapping[str, Any]) -> RegionPrices:
    """One region of a book file (a ``ValueError`` naming the field when malformed)."""
    values: dict[str, Any] = {}
    for key in _HOURLY:
        values[key] = MappingProxyType({str(k): _rate_value(v, f"{name}.{key}.{k}")
                                        for k, v in dict(raw.get(key) or {}).items()})
    for key in _PER_MEMORY:
        values[key] = MappingProxyType({int(k): _rate_value(v, f"{name}.{key}.{k}")
                                        for k, v in dict(raw.get(key) or {}).items()})
    for key in _SCALARS:
        value = raw.get(key)
        values[key] = None if value is None else _rate_value(value, f"{name}.{key}")
    for key in _TEXTS:
        value = raw.get(key)
        values[key] = None if value is None else str(value)
    return RegionPrices(region=name, **values)


def parse_book(raw: Mapping[str, Any], path: str) -> PriceBook:
    """A book file's JSON as a :class:`PriceBook` (``path`` names it in errors)."""
    try:
        regions = {name: parse_region(name, r) for name, r in dict(raw["regions"]).items()}
        return PriceBook(name=str(raw["name"]), date=str(raw["date"]), source=str(raw["source"]),
                         path=path, regions=MappingProxyType(regions))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PriceNotFoundError(
            f"Price book {path} is not in the expected format ({type(error).__name__}: {error}); "
            f"see {FORMAT}.") from None


@lru_cache(maxsize=8)
def _load_file(path: str | None) -> PriceBook:
    if path is None:
        text = resources.files(__package__).joinpath("data", DEFAULT_BOOK).read_text("utf-8")
        return parse_book(json.loads(text), f"constructs_lib/pricing/data/{DEFAULT_BOOK}")
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PriceNotFoundError(
            f"Cannot read price book '{path}' (CDK context 'cost:price-book'): {error}"
        ) from None
    return parse_book(raw, str(path))


def load_price_book(
    path: str | None = None, hourly_overrides: Mapping[str, float] | None = None
) -> PriceBook:
    """The packaged price book (or the file at ``path``), parsed once per process and path."""
    book = _load_file(str(Path(path).resolve()) if path else None)
    return book.with_hourly_overrides(dict(hourly_overrides or {}))
