"""Load the SageMaker price book once per process and answer price look-ups.

The book is a JSON file (``data/sagemaker_prices.json``) naming its source and date. Users
replace it with their own file (CDK context ``cost:price-book``) or override a few hourly
rates (``cost:hourly-overrides``, USD per instance-hour, applied to hosting and batch alike).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["PriceBook", "PriceNotFoundError", "RegionPrices", "load_price_book"]

DEFAULT_BOOK = "sagemaker_prices.json"
HOW_TO_ADD = (
    "add it through CDK context: 'cost:hourly-overrides' = {{\"{itype}\": <USD per hour>}} "
    "(cdk.json or `cdk synth -c`), or point 'cost:price-book' at your own price file "
    "(same format as constructs_lib/pricing/data/sagemaker_prices.json)"
)


class PriceNotFoundError(ValueError):
    """A region or instance type the price book does not know; the message says how to add it.

    ``field`` and ``value`` name what could not be priced ("region" or "instance_type").
    """

    def __init__(self, message: str, *, field: str = "region", value: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.value = value


@dataclass(frozen=True)
class RegionPrices:
    """Prices for one region, USD."""

    region: str
    hosting_usd_per_hour: Mapping[str, float]
    batch_transform_usd_per_hour: Mapping[str, float]
    serverless_usd_per_gb_second: float | None
    serverless_provisioned_concurrency_usd_per_gb_second: float | None
    serverless_provisioned_inference_usd_per_gb_second: float | None
    data_processed_in_usd_per_gb: float | None
    data_processed_out_usd_per_gb: float | None
    date: str | None = None

    def rate(self, name: str, book: str) -> float:
        """A per-unit rate by field name; a clear error when this region's book lacks it."""
        value = getattr(self, name)
        if value is None:
            raise PriceNotFoundError(
                f"Price book '{book}' has no '{name}' for {self.region}. Add it to your own price "
                "file (CDK context 'cost:price-book'; format of "
                "constructs_lib/pricing/data/sagemaker_prices.json) or refresh the book from the "
                "AWS Price List offer file with `python -m constructs_lib.pricing refresh`.",
                field="region", value=self.region,
            )
        return float(value)


@dataclass(frozen=True)
class PriceBook:
    """An immutable price book, with optional hourly overrides layered on top."""

    name: str
    date: str
    source: str
    path: str
    regions: Mapping[str, RegionPrices]
    hourly_overrides: Mapping[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How estimates name this book.

        E.g. ``aws-sagemaker-on-demand 2026-11-01 + 1 hourly override (ml.m5.large)``.
        """
        base = f"{self.name} {self.date}"
        n = len(self.hourly_overrides)
        if n:
            names = ", ".join(sorted(self.hourly_overrides))
            base += f" + {n} hourly override{'s' if n > 1 else ''} ({names})"
        return base

    def region(self, region: str) -> RegionPrices:
        try:
            return self.regions[region]
        except KeyError:
            raise PriceNotFoundError(
                f"Region '{region}' is not in price book '{self.name} {self.date}' ({self.path}); "
                f"known regions: {', '.join(sorted(self.regions))}. To price it, point CDK context "
                "'cost:price-book' at a price file that has this region (copy "
                "constructs_lib/pricing/data/sagemaker_prices.json and add it).",
                field="region", value=region,
            ) from None

    def rate(self, region: str, name: str) -> float:
        """A per-unit rate (a ``RegionPrices`` field name) for a region, or a clear error."""
        return self.region(region).rate(name, f"{self.name} {self.date}")

    def hosting_usd_per_hour(self, region: str, instance_type: str) -> float:
        """Real-time and async hosting rate for one instance."""
        if instance_type in self.hourly_overrides:
            return self.hourly_overrides[instance_type]
        prices = self.region(region)
        try:
            return prices.hosting_usd_per_hour[instance_type]
        except KeyError:
            raise self._unknown_type(region, instance_type, prices.hosting_usd_per_hour) from None

    def batch_usd_per_hour(self, region: str, instance_type: str) -> float:
        """Batch transform rate; AWS bills the hosting rate where no separate one is listed."""
        if instance_type in self.hourly_overrides:
            return self.hourly_overrides[instance_type]
        prices = self.region(region)
        rate = prices.batch_transform_usd_per_hour.get(instance_type)
        return rate if rate is not None else self.hosting_usd_per_hour(region, instance_type)

    def has_instance_type(self, region: str, instance_type: str) -> bool:
        if instance_type in self.hourly_overrides:
            return True
        prices = self.regions.get(region)
        return prices is not None and instance_type in prices.hosting_usd_per_hour

    def known_instance_types(self, region: str) -> list[str]:
        prices = self.regions.get(region)
        known = set(self.hourly_overrides) | set(prices.hosting_usd_per_hour if prices else ())
        return sorted(known)

    def _unknown_type(
        self, region: str, instance_type: str, known: Mapping[str, float]
    ) -> PriceNotFoundError:
        family = instance_type.rsplit(".", 1)[0] + "."
        same_family = sorted(t for t in known if t.startswith(family))
        hint = f" Known {family}* types: {', '.join(same_family)}." if same_family else ""
        return PriceNotFoundError(
            f"No hosting price for '{instance_type}' in {region} in price book "
            f"'{self.name} {self.date}'.{hint} If SageMaker sells it there, "
            + HOW_TO_ADD.format(itype=instance_type)
            + ".",
            field="instance_type", value=instance_type,
        )

    def with_hourly_overrides(self, overrides: Mapping[str, float]) -> PriceBook:
        if not overrides:
            return self
        merged = {**self.hourly_overrides, **overrides}
        return PriceBook(
            name=self.name,
            date=self.date,
            source=self.source,
            path=self.path,
            regions=self.regions,
            hourly_overrides=MappingProxyType(merged),
        )


_RATE_FIELDS = (
    "serverless_usd_per_gb_second",
    "serverless_provisioned_concurrency_usd_per_gb_second",
    "serverless_provisioned_inference_usd_per_gb_second",
    "data_processed_in_usd_per_gb",
    "data_processed_out_usd_per_gb",
)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _parse(raw: Mapping[str, Any], path: str) -> PriceBook:
    try:
        regions = {}
        for name, r in raw["regions"].items():
            regions[name] = RegionPrices(
                region=name,
                hosting_usd_per_hour=MappingProxyType(
                    {k: float(v) for k, v in r["hosting_usd_per_hour"].items()}
                ),
                batch_transform_usd_per_hour=MappingProxyType(
                    {k: float(v) for k, v in r.get("batch_transform_usd_per_hour", {}).items()}
                ),
                date=r.get("date"),
                **{key: _optional_float(r.get(key)) for key in _RATE_FIELDS},
            )
        return PriceBook(
            name=str(raw["name"]),
            date=str(raw["date"]),
            source=str(raw["source"]),
            path=path,
            regions=MappingProxyType(regions),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PriceNotFoundError(
            f"Price book {path} is not in the expected format ({type(error).__name__}: {error}); "
            "see constructs_lib/pricing/data/sagemaker_prices.json for the format."
        ) from None


@lru_cache(maxsize=8)
def _load_file(path: str | None) -> PriceBook:
    if path is None:
        text = resources.files(__package__).joinpath("data", DEFAULT_BOOK).read_text("utf-8")
        return _parse(json.loads(text), f"constructs_lib/pricing/data/{DEFAULT_BOOK}")
    file = Path(path)
    try:
        raw = json.loads(file.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PriceNotFoundError(
            f"Cannot read price book '{path}' (CDK context 'cost:price-book'): {error}"
        ) from None
    return _parse(raw, str(path))


def load_price_book(
    path: str | None = None, hourly_overrides: Mapping[str, float] | None = None
) -> PriceBook:
    """The packaged price book (or the file at ``path``), parsed once per process and path."""
    book = _load_file(str(Path(path).resolve()) if path else None)
    return book.with_hourly_overrides(dict(hourly_overrides or {}))
