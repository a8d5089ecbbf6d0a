"""Read an AWS Price List bulk offer file for ``AmazonSageMaker`` into price-book regions: the
one reader behind ``fetch`` (downloaded offers) and ``refresh`` (offer files on disk).

The offer file (JSON) holds ``products`` keyed by SKU (``attributes.usagetype``,
``attributes.regionCode``, ``attributes.operation``) and ``terms.OnDemand[sku][term]
.priceDimensions[..]`` (``unit``, ``pricePerUnit.USD``), plus ``publicationDate`` and
``version``. A region's file is tens of megabytes, so it is read as a stream: products and
on-demand terms one SKU at a time, keeping only the SKUs whose usage type a book holds:

- ``<P>-Host:ml.<type>`` (real-time hosting), ``<P>-AsyncInf:ml.<type>`` (asynchronous),
  ``<P>-Tsform:ml.<type>`` (batch transform): USD per instance-hour, each kept as published;
- ``<P>-ServerlessInf:Mem-<n>GB`` (serverless inference), ``<P>-ProvisionedConcurrency:Usage-
  <n>GB`` (provisioned concurrency held), ``<P>-ProvisionedConcurrency:Mem-<n>GB`` (inference on
  it): USD per second at n GB, kept per memory size (n × 1024 MB);
- ``<P>-Data-Bytes-In`` / ``-Out`` (operation ``Invoke-Endpoint``): USD per GB;
- ``<P>-Host:VolumeUsage.gp2``: the endpoint's ML storage volume, USD per GB-month.

``<P>`` is AWS's usage-type prefix for the region (``USE1``, ``EU``, ``APN1``...); the region
itself is read from ``regionCode``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["OfferReading", "read_offer", "read_offer_file", "region_entries"]

_INSTANCE = re.compile(r"(?:^|-)(Host|AsyncInf|Tsform):(ml\.[a-z0-9-]+\.[a-z0-9]+)$")
_PER_MEMORY = re.compile(r"(?:^|-)(ServerlessInf|ProvisionedConcurrency):(Mem|Usage)-(\d+)GB$")
_DATA = re.compile(r"(?:^|-)Data-Bytes-(In|Out)$", re.IGNORECASE)
_STORAGE = re.compile(r"(?:^|-)Host:VolumeUsage\.gp2$")
_HOURLY_KEY = {"Host": "hosting_usd_per_hour", "AsyncInf": "async_usd_per_hour",
               "Tsform": "batch_transform_usd_per_hour"}
_MEMORY_KEY = {("ServerlessInf", "Mem"): "serverless_usd_per_second",
               ("ProvisionedConcurrency", "Usage"): "provisioned_concurrency_usd_per_second",
               ("ProvisionedConcurrency", "Mem"): "provisioned_inference_usd_per_second"}
_CHUNK = 1 << 20
_MAX_VALUE = 64 << 20


def _classify(attributes: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """Where a product's price goes in a book region: (key, sub-key), or None."""
    usage = str(attributes.get("usagetype") or "")
    if m := _INSTANCE.search(usage):
        return _HOURLY_KEY[m.group(1)], m.group(2)
    if m := _PER_MEMORY.search(usage):
        key = _MEMORY_KEY.get((m.group(1), m.group(2)))
        return None if key is None else (key, str(int(m.group(3)) * 1024))
    if m := _DATA.search(usage):
        operation = attributes.get("operation")
        if operation not in (None, "", "Invoke-Endpoint"):
            return None
        return f"data_processed_{m.group(1).lower()}_usd_per_gb", None
    if _STORAGE.search(usage):
        return "storage_usd_per_gb_month", None
    return None


def _on_demand_usd(terms: Mapping[str, Any]) -> float | None:
    """The on-demand USD price of one SKU's terms: its first tier (``beginRange`` 0)."""
    prices = []
    for term in terms.values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is None:
                continue
            first = str(dim.get("beginRange", "0")) in ("0", "0.0")
            prices.append((not first, float(usd)))
    return min(prices)[1] if prices else None


@dataclass
class OfferReading:
    """What one offer file prices, per region, in the book's keys; and its provenance."""

    publication_date: str | None = None
    version: str | None = None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def region_entries(products: Iterable[tuple[str, Mapping[str, Any]]],
                   on_demand: Iterable[tuple[str, Mapping[str, Any]]],
                   ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Book regions from an offer's (SKU, product) and (SKU, on-demand terms) pairs, in
    either order; and warnings (a usage type priced differently by two SKUs keeps the
    higher price)."""
    wanted: dict[str, tuple[str, str, str | None, str]] = {}
    for sku, product in products:
        attributes = product.get("attributes") or {}
        place = _classify(attributes)
        region = attributes.get("regionCode")
        if place is not None and region:
            wanted[sku] = (str(region), *place, str(attributes.get("usagetype")))
    prices = {sku: usd for sku, terms in on_demand
              if (usd := _on_demand_usd(terms)) is not None}
    entries: dict[str, dict[str, Any]] = defaultdict(dict)
    seen: dict[tuple[str, str, str | None], float] = {}
    warnings: list[str] = []
    for sku, (region, key, sub, usage) in sorted(wanted.items()):
        usd = prices.get(sku)
        if usd is None or usd <= 0:
            continue
        where = (region, key, sub)
        if where in seen and seen[where] != usd:
            low, high = sorted((seen[where], usd))
            warnings.append(f"{region} {usage}: SKUs priced {low:g} and {high:g}; "
                            "kept the higher")
            usd = high
        seen[where] = usd
        if sub is None:
            entries[region][key] = usd
        else:
            entries[region].setdefault(key, {})[sub] = usd
    out = {}
    for region in sorted(entries):
        entry = entries[region]
        out[region] = {k: (dict(sorted(v.items(), key=_sort_key)) if isinstance(v, dict) else v)
                       for k, v in sorted(entry.items())}
    return out, warnings


def _sort_key(item: tuple[str, float]) -> tuple[int, str]:
    key = item[0]
    return (int(key), "") if key.isdigit() else (0, key)


class _Stream:
    """A JSON text read incrementally: the two outer levels of the offer walked key by key,
    every value below them decoded on its own (products and terms one SKU at a time)."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._file.read(_CHUNK)
        self._buf = self._buf[self._pos:] + data
        self._pos = 0
        self._eof = not data
        return bool(data)

    def peek(self) -> str:
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at offset {self._pos} of the offer file")
        self._pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError:
                if len(self._buf) - self._pos > _MAX_VALUE or not self._fill():
                    raise
                continue
            if end == len(self._buf) and self._fill():
                continue  # a number may go on past the end of the buffer
            self._pos = end
            return value

    def members(self) -> Iterator[str]:
        """The keys of the object at the cursor; the caller reads (or skips) each value."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise ValueError("an object key in the offer file is not a string")
            self.expect(":")
            yield key
            char = self.peek()
            self._pos += 1
            if char == "}":
                return
            if char != ",":
                raise ValueError(f"expected ',' or '}}' at offset {self._pos - 1}")

    def skip(self) -> None:
        if self.peek() == "{":
            for _ in self.members():
                self.skip()
        else:
            self.value()

    def pairs(self) -> Iterator[tuple[str, Any]]:
        for key in self.members():
            yield key, self.value()


def read_offer(file: IO[str]) -> OfferReading:
    """Stream one offer file (text) into book regions."""
    stream, reading = _Stream(file), OfferReading()
    products: dict[str, Mapping[str, Any]] | None = None
    on_demand: list[tuple[str, Mapping[str, Any]]] = []
    for key in stream.members():
        if key == "products":
            products = {sku: p for sku, p in stream.pairs()
                        if _classify(p.get("attributes") or {}) is not None}
        elif key == "terms":
            for term_type in stream.members():
                if term_type != "OnDemand":
                    stream.skip()
                elif products is None:  # terms before products: keep them all
                    on_demand.extend(stream.pairs())
                else:
                    on_demand.extend((sku, t) for sku, t in stream.pairs() if sku in products)
        elif key in ("publicationDate", "version"):
            value = stream.value()
            if key == "version":
                reading.version = str(value)
            else:
                reading.publication_date = str(value)
        else:
            stream.skip()
    reading.entries, reading.warnings = region_entries((products or {}).items(), on_demand)
    return reading


def read_offer_file(path: str | Path) -> OfferReading:
    """:func:`read_offer` of the file at ``path`` (UTF-8)."""
    with open(path, encoding="utf-8") as file:
        return read_offer(file)
