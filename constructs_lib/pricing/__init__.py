"""Price book (data, not code) and instance facts used to validate and price endpoints."""

from .instances import InstanceFacts, instance_facts
from .price_book import PriceBook, PriceNotFoundError, RegionPrices, load_price_book

__all__ = [
    "InstanceFacts",
    "PriceBook",
    "PriceNotFoundError",
    "RegionPrices",
    "instance_facts",
    "load_price_book",
]
