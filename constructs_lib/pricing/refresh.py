"""Build a price book from the AWS Price List bulk offer file for ``AmazonSageMaker``.

The offer file (one per region, JSON: ``products`` keyed by SKU with ``attributes.usagetype`` and
``attributes.regionCode``; ``terms.OnDemand[sku][term].priceDimensions[..].pricePerUnit.USD``) is
the machine-readable form of AWS's published prices. Usage types read here:

- ``<P>-Host:ml.<type>``: real-time hosting, USD per instance-hour
- ``<P>-AsyncInf:ml.<type>``: asynchronous hosting (checked equal to Host; kept out of the book)
- ``<P>-Tsform:ml.<type>``: batch transform, USD per instance-hour
- ``<P>-ServerlessInf:Mem-<n>GB``: serverless inference, USD per second at n GB
- ``<P>-ProvisionedConcurrency:Usage-<n>GB``: provisioned concurrency held, USD per second at n GB
- ``<P>-ProvisionedConcurrency:Mem-<n>GB``: inference on provisioned concurrency, per second at n GB
- ``<P>-Data-Bytes-In`` / ``<P>-Data-Bytes-Out`` (operation Invoke-Endpoint): USD per GB

Serverless rates are stored per GB-second (the per-second price at n GB divided by n); where the
six memory sizes disagree the highest per-GB rate is kept and the disagreement is reported.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["book_from_offers", "read_offer_prices"]

_INSTANCE = re.compile(r"-(Host|AsyncInf|Tsform):(ml\.[a-z0-9]+\.[a-z0-9]+)$")
_PER_GB = re.compile(r"-(ServerlessInf|ProvisionedConcurrency):(Mem|Usage)-(\d+)GB$")
_DATA = re.compile(r"-Data-Bytes-(In|Out)$", re.IGNORECASE)


def read_offer_prices(offer: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """(regionCode, usagetype, USD per unit) for every on-demand SageMaker price in an offer."""
    on_demand = offer.get("terms", {}).get("OnDemand", {})
    out = []
    for sku, product in offer.get("products", {}).items():
        attrs = product.get("attributes", {})
        usagetype, region = attrs.get("usagetype"), attrs.get("regionCode")
        if not usagetype or not region:
            continue
        for term in on_demand.get(sku, {}).values():
            for dim in term.get("priceDimensions", {}).values():
                usd = dim.get("pricePerUnit", {}).get("USD")
                if usd is not None and float(usd) > 0:
                    out.append((region, usagetype, float(usd)))
    return out


def book_from_offers(
    offers: Iterable[Mapping[str, Any]], *, name: str, date: str, source: str
) -> tuple[dict[str, Any], list[str]]:
    """A price book (the packaged file's format) and a list of warnings."""
    regions: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "hosting_usd_per_hour": {}, "batch_transform_usd_per_hour": {}})
    per_gb: dict[tuple[str, str], set[float]] = defaultdict(set)
    warnings: list[str] = []
    for offer in offers:
        for region, usagetype, usd in read_offer_prices(offer):
            r = regions[region]
            if m := _INSTANCE.search(usagetype):
                kind, itype = m.groups()
                if kind == "Host":
                    r["hosting_usd_per_hour"][itype] = usd
                elif kind == "Tsform":
                    r["batch_transform_usd_per_hour"][itype] = usd
            elif m := _PER_GB.search(usagetype):
                meter, sub, gb = m.groups()
                field = {
                    ("ServerlessInf", "Mem"): "serverless_usd_per_gb_second",
                    ("ProvisionedConcurrency", "Usage"):
                        "serverless_provisioned_concurrency_usd_per_gb_second",
                    ("ProvisionedConcurrency", "Mem"):
                        "serverless_provisioned_inference_usd_per_gb_second",
                }.get((meter, sub))
                if field:
                    per_gb[(region, field)].add(round(usd / int(gb), 12))
            elif m := _DATA.search(usagetype):
                key = "in" if m.group(1).lower() == "in" else "out"
                r[f"data_processed_{key}_usd_per_gb"] = usd
    for (region, field), rates in sorted(per_gb.items()):
        if len(rates) > 1:
            warnings.append(f"{region} {field}: per-GB rates differ by memory size "
                            f"{sorted(rates)}; kept the highest")
        regions[region][field] = max(rates)
    for r in regions.values():
        for itype, rate in list(r["batch_transform_usd_per_hour"].items()):
            if r["hosting_usd_per_hour"].get(itype) == rate:
                del r["batch_transform_usd_per_hour"][itype]  # the book falls back to hosting
        r["hosting_usd_per_hour"] = dict(sorted(r["hosting_usd_per_hour"].items()))
        r["batch_transform_usd_per_hour"] = dict(sorted(r["batch_transform_usd_per_hour"].items()))
    book = {"name": name, "date": date, "currency": "USD", "source": source,
            "regions": {k: regions[k] for k in sorted(regions)}}
    return book, warnings


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m constructs_lib.pricing refresh",
        description="Build a price book from AWS Price List offer files (AmazonSageMaker).")
    parser.add_argument("offers", nargs="+", type=Path, help="offer JSON files, one per region")
    parser.add_argument("--out", type=Path, required=True, help="price book to write")
    parser.add_argument("--date", required=True, help="the offer files' publication date")
    parser.add_argument("--name", default="aws-sagemaker-on-demand")
    args = parser.parse_args(argv)
    offers = [json.loads(p.read_text("utf-8")) for p in args.offers]
    source = ("AWS Price List bulk offer file AmazonSageMaker ("
              + ", ".join(sorted({str(o.get('publicationDate', '?')) for o in offers})) + ")")
    book, warnings = book_from_offers(offers, name=args.name, date=args.date, source=source)
    args.out.write_text(json.dumps(book, indent=2) + "\n", "utf-8")
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    counts = ", ".join(f"{r}: {len(v['hosting_usd_per_hour'])} types"
                       for r, v in book["regions"].items())
    print(f"wrote {args.out} ({counts})")
    return 0
