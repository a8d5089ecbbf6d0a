"""Write price books: regions read from AWS Price List offers (``offer.py``) into a new book, or
merged into an existing one (regions read replace the book's; the others are kept).

Each region records where its prices come from (the offer's URL or file), the offer's
``version`` and its ``publicationDate`` (the region's ``date``: what staleness is measured
from); the book's own ``date`` is the day it was last written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .price_book import PriceNotFoundError, parse_book

__all__ = ["DEFAULT_NAME", "merge_regions", "read_book", "summary", "write_book"]

DEFAULT_NAME = "aws-price-list"
"""The name of a book ``fetch`` or ``refresh`` creates (estimates show it with the date)."""


def read_book(path: Path) -> dict[str, Any] | None:
    """The book at ``path`` to merge into, checked with the loader's own parser; None when
    there is no file. A file that is not a price book is a ``ValueError`` saying so."""
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text("utf-8"))
        parse_book(raw, str(path))
    except (OSError, json.JSONDecodeError, PriceNotFoundError) as error:
        raise ValueError(f"--out {path} exists but is not a price book ({error}); choose another "
                         "file or remove it") from None
    return dict(raw)


def merge_regions(existing: Mapping[str, Any] | None, regions: Mapping[str, Mapping[str, Any]],
                  *, today: str, source: str, name: str | None = None) -> dict[str, Any]:
    """``existing`` (or a new book) with ``regions`` replacing its entries of the same name."""
    book: dict[str, Any] = dict(existing) if existing else {
        "name": name or DEFAULT_NAME, "currency": "USD", "source": source, "regions": {}}
    known: Mapping[str, Any] = book.get("regions") or {}
    merged = {**known, **{k: dict(v) for k, v in regions.items()}}
    book["date"] = today
    book["regions"] = {k: merged[k] for k in sorted(merged)}
    return book


def write_book(path: Path, book: Mapping[str, Any]) -> None:
    """Write ``book`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(book, file, indent=2)
            file.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary(regions: Mapping[str, Mapping[str, Any]]) -> str:
    """One phrase per region: hosting types priced and the date of its prices."""
    parts = []
    for region, entry in regions.items():
        types = len(entry.get("hosting_usd_per_hour") or {})
        when = f", prices of {entry['date']}" if entry.get("date") else ""
        parts.append(f"{region}: {types} types{when}")
    return ", ".join(parts) or "no regions"
