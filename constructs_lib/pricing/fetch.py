"""``python -m constructs_lib.pricing fetch``: download AWS's public Price List bulk offer for
``AmazonSageMaker`` and write (or merge into) a price book that CDK context
``cost:price-book`` takes.

No credentials: the Price List bulk API is public HTTPS. The region index
``<base>/offers/v1.0/aws/AmazonSageMaker/current/region_index.json`` names each region's
offer (``regions.<code>.currentVersionUrl``); each offer (tens of MB) is streamed to a
temporary file with a progress bar, then read SKU by SKU (``offer.py``). Requests time out,
transient failures are retried with a growing wait, and a missing network is one clear line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from .book_file import merge_regions, read_book, summary, write_book
from .offer import read_offer_file

__all__ = ["DEFAULT_BASE_URL", "INDEX_PATH", "FetchError", "fetch_regions", "main"]

DEFAULT_BASE_URL = "https://pricing.us-east-1.amazonaws.com"
"""AWS's public Price List bulk API endpoint (AWS docs, "Fetching price list files manually":
``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json``)."""
INDEX_PATH = "/offers/v1.0/aws/AmazonSageMaker/current/region_index.json"
TIMEOUT_S = 60.0
RETRIES = 3
RETRY_WAIT_S = 2.0
_CHUNK = 1 << 20
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_OFFLINE_HINT = (
    "Check the network (and HTTPS_PROXY if you need a proxy), or pass --base-url to a mirror "
    "of the Price List; without network, download the offer files elsewhere and build the book "
    "with `python -m constructs_lib.pricing refresh OFFER.json ... --out FILE`.")


class FetchError(Exception):
    """A fetch that cannot complete; the message says what to do next."""


class Progress:
    """A progress bar on ``stream``: redrawn in place on a terminal, a line per quarter
    otherwise (CI logs)."""

    def __init__(self, label: str, total: int | None, stream: IO[str]) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done = 0
        self._tty = stream.isatty()
        self._quarter = -1

    def advance(self, count: int) -> None:
        self.done += count
        self._draw(final=False)

    def finish(self) -> None:
        self._draw(final=True)

    def _draw(self, *, final: bool) -> None:
        size = _size(self.done) + (f" of {_size(self.total)}" if self.total else "")
        share = min(self.done / self.total, 1.0) if self.total else (1.0 if final else 0.0)
        if self._tty:
            bar = "#" * int(share * 30)
            end = "\n" if final else ""
            self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {size}{end}")
        else:
            quarter = 4 if final else int(share * 4)
            if quarter == self._quarter or (quarter == 4 and not final):
                return
            self._quarter = quarter
            self.stream.write(f"{self.label}: {share:.0%} ({size})\n")
        self.stream.flush()


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB" if count >= 1e6 else f"{count / 1e3:,.1f} kB"


def _opener(url: str) -> urllib.request.OpenerDirector:
    """The default opener (proxies from the environment), but never a proxy for loopback."""
    if urlparse(url).hostname in _LOOPBACK:
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _with_retries(url: str, action: Callable[[], Any], *, retries: int, wait_s: float,
                  log: IO[str]) -> Any:
    """``action()``; a connection failure, a timeout or an HTTP 5xx/429 is tried again after
    ``wait_s``, 2 × ``wait_s``... up to ``retries`` more times."""
    for attempt in range(retries + 1):
        try:
            return action()
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code != 429:
                raise FetchError(f"{url}: HTTP {error.code} {error.reason}. Check --base-url "
                                 "(the Price List serves AmazonSageMaker there).") from None
            problem = f"HTTP {error.code} {error.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException,
                OSError) as error:
            reason = getattr(error, "reason", None) or error
            problem = f"{type(reason).__name__}: {reason}" if str(reason) else type(
                reason).__name__
        if attempt < retries:
            delay = wait_s * 2 ** attempt
            log.write(f"{url}: {problem}; retrying in {delay:g} s "
                      f"({attempt + 1} of {retries})\n")
            time.sleep(delay)
    raise FetchError(f"cannot fetch {url} ({problem}, {retries + 1} attempt(s)). "
                     f"{_OFFLINE_HINT}")


def _get_json(url: str, *, timeout: float, retries: int, wait_s: float, log: IO[str]) -> Any:
    def get() -> Any:
        with _opener(url).open(url, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    try:
        return _with_retries(url, get, retries=retries, wait_s=wait_s, log=log)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FetchError(f"{url} is not JSON ({error}): is --base-url a Price List?") from None


def _download(url: str, dest: Path, label: str, *, timeout: float, retries: int,
              wait_s: float, log: IO[str]) -> None:
    """Stream ``url`` into ``dest`` (started again from the beginning on a retry)."""

    def get() -> None:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
        with _opener(url).open(request, timeout=timeout) as response, dest.open("wb") as out:
            length = response.headers.get("Content-Length")
            bar = Progress(label, int(length) if length and length.isdigit() else None, log)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                bar.advance(len(chunk))
            if bar.total is not None and bar.done < bar.total:
                raise ConnectionError(f"connection closed after {bar.done} of {bar.total} "
                                      "bytes")
            bar.finish()

    _with_retries(url, get, retries=retries, wait_s=wait_s, log=log)


def fetch_regions(regions: Sequence[str], *, all_regions: bool = False,
                  base_url: str = DEFAULT_BASE_URL, timeout: float = TIMEOUT_S,
                  retries: int = RETRIES, wait_s: float = RETRY_WAIT_S,
                  log: IO[str] = sys.stderr) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Book entries for ``regions`` (every region in the index with ``all_regions``) read
    from the Price List at ``base_url``, and warnings."""
    base = base_url.rstrip("/")
    index_url = base + INDEX_PATH
    index = _get_json(index_url, timeout=timeout, retries=retries, wait_s=wait_s, log=log)
    offers = index.get("regions") if isinstance(index, dict) else None
    if not isinstance(offers, dict):
        raise FetchError(f"{index_url} has no 'regions': not a Price List region index")
    wanted = sorted(offers) if all_regions else list(dict.fromkeys(regions))
    unknown = [r for r in wanted if r not in offers]
    if unknown:
        raise FetchError(f"the Price List has no AmazonSageMaker offer for {', '.join(unknown)}; "
                         f"it has: {', '.join(sorted(offers))}")
    entries: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="sagemaker-offers-"))
    try:
        for n, region in enumerate(wanted, 1):
            path = str((offers[region] or {}).get("currentVersionUrl") or "")
            if not path:
                raise FetchError(f"{index_url}: region {region} has no currentVersionUrl")
            url = path if path.startswith(("http://", "https://")) else base + path
            file = workdir / f"{region}.json"
            _download(url, file, f"[{n}/{len(wanted)}] {region}", timeout=timeout,
                      retries=retries, wait_s=wait_s, log=log)
            try:
                reading = read_offer_file(file)
            except (ValueError, UnicodeDecodeError) as error:
                raise FetchError(f"{url} is not a Price List offer file ({error})") from None
            file.unlink()
            warnings += reading.warnings
            entry = reading.entries.get(region)
            if entry is None:
                warnings.append(f"{region}: the offer prices nothing a price book holds")
                continue
            published = reading.publication_date or str(index.get("publicationDate") or "")
            entries[region] = {"date": published[:10] or None, "version": reading.version,
                               "source": url, **entry}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return entries, warnings


def main(argv: Sequence[str] | None = None, *, out_stream: IO[str] = sys.stdout,
         log: IO[str] = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_lib.pricing fetch",
        description="Download AWS's public Price List offer for AmazonSageMaker and write a "
                    "price book for CDK context cost:price-book (merged into --out if it "
                    "exists). No credentials needed.")
    parser.add_argument("--region", action="append", default=[], metavar="REGION",
                        help="a region to fetch (repeatable), e.g. us-west-2")
    parser.add_argument("--all-regions", action="store_true", help="every region in the index")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL,
                        help=f"Price List endpoint (default {DEFAULT_BASE_URL})")
    parser.add_argument("--out", type=Path, required=True, help="price book to write or merge")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S,
                        help=f"seconds without data before a request fails (default {TIMEOUT_S:g})")
    parser.add_argument("--retries", type=int, default=RETRIES,
                        help=f"attempts after a failure (default {RETRIES})")
    parser.add_argument("--retry-wait", type=float, default=RETRY_WAIT_S,
                        help=f"seconds before the first retry, doubling (default {RETRY_WAIT_S:g})")
    args = parser.parse_args(argv)
    if not args.region and not args.all_regions:
        parser.error("give --region REGION (repeatable) or --all-regions")
    try:
        existing = read_book(args.out)
        entries, warnings = fetch_regions(
            args.region, all_regions=args.all_regions, base_url=args.base_url,
            timeout=args.timeout, retries=max(args.retries, 0), wait_s=args.retry_wait, log=log)
    except (FetchError, ValueError) as error:
        log.write(f"fetch: {error}\n")
        return 1
    for warning in warnings:
        log.write(f"warning: {warning}\n")
    if not entries:
        log.write("fetch: nothing to write\n")
        return 1
    today = datetime.now(UTC).date().isoformat()
    book = merge_regions(existing, entries, today=today, source=(
        f"AWS Price List bulk offers for AmazonSageMaker ({args.base_url}); per region: its "
        "offer URL ('source'), 'version' and publication date ('date')"))
    write_book(args.out, book)
    action = "merged into" if existing else "wrote"
    out_stream.write(f"{action} {args.out} ({summary(entries)}); use it with "
                     f"`cdk synth -c cost:price-book={args.out}`\n")
    return 0
