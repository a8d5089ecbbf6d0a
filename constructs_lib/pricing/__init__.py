"""The price book: SageMaker prices as data (per region, with their source and date), the
context overrides that adjust them, and the commands that build books from AWS's Price List
(``fetch`` downloads it, ``refresh`` reads offer files on disk)."""

from .price_book import PriceBook, PriceNotFoundError, RegionPrices, load_price_book
from .rates import MissingRate, Rate

__all__ = [
    "MissingRate",
    "PriceBook",
    "PriceNotFoundError",
    "Rate",
    "RegionPrices",
    "load_price_book",
]
