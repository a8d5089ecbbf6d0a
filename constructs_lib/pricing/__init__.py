"""The price book: SageMaker prices as data (per region, with their source and date), the
context overrides that adjust them, and the command that refreshes them from AWS's Price List."""

from .price_book import PriceBook, PriceNotFoundError, RegionPrices, load_price_book

__all__ = [
    "PriceBook",
    "PriceNotFoundError",
    "RegionPrices",
    "load_price_book",
]
