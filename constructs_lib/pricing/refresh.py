"""``python -m constructs_lib.pricing refresh OFFER.json ... --out FILE``: a price book from AWS
Price List offer files already on disk (downloaded elsewhere, or archived), read by the same
reader as ``fetch`` (``offer.py``) and merged into ``--out`` when it exists."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .book_file import DEFAULT_NAME, merge_regions, read_book, summary, write_book
from .offer import read_offer_file, region_entries

__all__ = ["book_from_offers", "main"]


def book_from_offers(
    offers: Iterable[Mapping[str, Any]], *, name: str, date: str, source: str
) -> tuple[dict[str, Any], list[str]]:
    """A price book from offers already parsed as JSON (the packaged file's format), and
    warnings."""
    regions: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for offer in offers:
        entries, found = region_entries(
            dict(offer.get("products") or {}).items(),
            dict((offer.get("terms") or {}).get("OnDemand") or {}).items())
        published = str(offer.get("publicationDate") or "")[:10] or None
        for region, entry in entries.items():
            regions[region] = {"date": published, "version": offer.get("version"), **entry}
        warnings += found
    book = merge_regions(None, regions, today=date, source=source, name=name)
    return book, warnings


def main(argv: Sequence[str] | None = None, *, out_stream: IO[str] = sys.stdout,
         log: IO[str] = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_lib.pricing refresh",
        description="Build (or merge into) a price book from AWS Price List offer files "
                    "(AmazonSageMaker) on disk.")
    parser.add_argument("offers", nargs="+", type=Path, help="offer JSON files, one per region")
    parser.add_argument("--out", type=Path, required=True, help="price book to write or merge")
    parser.add_argument("--date", help="the book's date (default: today)")
    parser.add_argument("--name", default=DEFAULT_NAME, help="the book's name (a new book)")
    args = parser.parse_args(argv)
    regions: dict[str, dict[str, Any]] = {}
    try:
        existing = read_book(args.out)
        for path in args.offers:
            reading = read_offer_file(path)
            for warning in reading.warnings:
                log.write(f"warning: {path}: {warning}\n")
            for region, entry in reading.entries.items():
                regions[region] = {"date": (reading.publication_date or "")[:10] or None,
                                   "version": reading.version, "source": str(path), **entry}
    except (OSError, ValueError, UnicodeDecodeError) as error:
        log.write(f"refresh: {error}\n")
        return 1
    today = args.date or datetime.now(UTC).date().isoformat()
    book = merge_regions(existing, regions, today=today, name=args.name, source=(
        "AWS Price List bulk offer files for AmazonSageMaker: "
        + ", ".join(str(p) for p in args.offers)))
    write_book(args.out, book)
    out_stream.write(f"wrote {args.out} ({summary(regions)})\n")
    return 0
