"""``python -m constructs_lib.pricing fetch`` against a local Price List (fixtures in the exact
bulk format, served on a loopback port): the book it writes, merging, progress, retries,
time-outs and a missing network. Nothing leaves the machine."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from aws_cdk.assertions import Annotations, Match

from constructs_lib import (
    AsyncEndpoint,
    ModelSpec,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
    load_price_book,
)
from constructs_lib.pricing.fetch import INDEX_PATH, FetchError, fetch_regions

from .conftest import ARTIFACT, IMAGE, ROOT, make_stack
from .price_list_server import (
    PRICE_LIST,
    ScriptedServer,
    StaticPriceList,
    closed_port,
    send_file,
)

US_WEST_2_PATH = "/offers/v1.0/aws/AmazonSageMaker/20261104120000/us-west-2/index.json"


@pytest.fixture(scope="module")
def price_list() -> Iterator[StaticPriceList]:
    server = StaticPriceList().start()
    try:
        yield server
    finally:
        server.stop()


def fetch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "constructs_lib.pricing", "fetch", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_fetch_writes_a_book_from_the_bulk_offer(price_list, tmp_path):
    out = tmp_path / "prices.json"
    result = fetch("--region", "us-west-2", "--base-url", price_list.base_url, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out} (us-west-2: 2 types, prices of 2026-11-04)" in result.stdout
    assert "cost:price-book" in result.stdout
    assert "[1/1] us-west-2: 100%" in result.stderr  # the progress bar, one line per quarter
    book = load_price_book(str(out))
    region = book.regions["us-west-2"]
    assert region.date == "2026-11-04" and region.version == "20261104120000"
    assert region.source == price_list.base_url + US_WEST_2_PATH
    assert book.hosting_usd_per_hour("us-west-2", "ml.g5.2xlarge") == 1.515
    assert book.async_usd_per_hour("us-west-2", "ml.m5.large") == 0.115
    assert book.batch_usd_per_hour("us-west-2", "ml.m5.large") == 0.115
    assert book.rate("us-west-2", "storage_usd_per_gb_month") == 0.14
    assert book.rate("us-west-2", "data_processed_in_usd_per_gb") == 0.016
    assert book.serverless_usd_per_gb_second("us-west-2", 6144) == pytest.approx(0.00002)
    assert book.name == "aws-price-list"


def test_fetch_merges_into_an_existing_book(price_list, tmp_path):
    out = tmp_path / "prices.json"
    packaged = json.loads((ROOT / "constructs_lib/pricing/data/sagemaker_prices.json").read_text())
    out.write_text(json.dumps(packaged))
    result = fetch("--region", "us-west-2", "--base-url", price_list.base_url, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"merged into {out}" in result.stdout
    merged = json.loads(out.read_text())
    assert merged["name"] == packaged["name"] and merged["readings"] == packaged["readings"]
    assert set(merged["regions"]) == set(packaged["regions"]) | {"us-west-2"}
    assert merged["regions"]["us-east-1"] == packaged["regions"]["us-east-1"]


def test_an_unknown_region_lists_the_regions_the_price_list_has(price_list, tmp_path):
    out = tmp_path / "prices.json"
    result = fetch("--region", "ap-south-2", "--base-url", price_list.base_url, "--out", str(out))
    assert result.returncode == 1
    assert ("no AmazonSageMaker offer for ap-south-2; it has: eu-central-1, us-west-2"
            in result.stderr)
    assert not out.exists() and "Traceback" not in result.stderr


def test_a_missing_offer_fails_with_the_url_and_writes_nothing(price_list, tmp_path):
    out = tmp_path / "prices.json"
    result = fetch("--all-regions", "--base-url", price_list.base_url, "--out", str(out))
    assert result.returncode == 1
    assert "eu-central-1/index.json: HTTP 404" in result.stderr
    assert "Check --base-url" in result.stderr
    assert not out.exists() and "Traceback" not in result.stderr


def test_without_network_fetch_says_so_in_one_line(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}"
    result = fetch("--region", "us-west-2", "--base-url", base, "--out", str(tmp_path / "p.json"),
                   "--retries", "1", "--retry-wait", "0")
    assert result.returncode == 1
    assert f"cannot fetch {base}{INDEX_PATH}" in result.stderr
    assert "2 attempt(s)" in result.stderr and "retrying in 0 s (1 of 1)" in result.stderr
    assert "Check the network" in result.stderr and "pricing refresh" in result.stderr
    assert "Traceback" not in result.stderr


def test_fetch_needs_a_region(tmp_path):
    result = fetch("--out", str(tmp_path / "p.json"))
    assert result.returncode == 2 and "--region" in result.stderr


def _serve_fixtures(failures: dict[str, int], truncate: set[str] | None = None):
    """Answer from tests/data/price_list; the first ``failures[path]`` requests of a path get a
    503; a path in ``truncate`` announces more bytes than it sends, once."""
    seen: dict[str, int] = {}

    def respond(handler, _n):  # type: ignore[no-untyped-def]
        path = handler.path
        seen[path] = seen.get(path, 0) + 1
        if seen[path] <= failures.get(path, 0):
            handler.send_error(503, "Slow Down")
            return
        file = PRICE_LIST / path.lstrip("/")
        if truncate and path in truncate and seen[path] == 1:
            send_file(handler, file, length=file.stat().st_size + 1000)
            handler.close_connection = True
            return
        send_file(handler, file)

    return respond


def test_a_server_error_is_retried_then_the_fetch_succeeds():
    server = ScriptedServer(_serve_fixtures({INDEX_PATH: 2})).start()
    log = io.StringIO()
    try:
        entries, warnings = fetch_regions(["us-west-2"], base_url=server.base_url, wait_s=0,
                                          retries=3, log=log)
    finally:
        server.stop()
    assert entries["us-west-2"]["hosting_usd_per_hour"]["ml.m5.large"] == 0.115
    assert server.requests == [INDEX_PATH, INDEX_PATH, INDEX_PATH, US_WEST_2_PATH]
    assert log.getvalue().count("HTTP 503 Slow Down; retrying") == 2
    assert warnings == []


def test_a_download_cut_short_is_fetched_again():
    server = ScriptedServer(_serve_fixtures({}, truncate={US_WEST_2_PATH})).start()
    log = io.StringIO()
    try:
        entries, _ = fetch_regions(["us-west-2"], base_url=server.base_url, wait_s=0, log=log)
    finally:
        server.stop()
    assert server.requests.count(US_WEST_2_PATH) == 2
    assert "retrying" in log.getvalue()
    assert entries["us-west-2"]["storage_usd_per_gb_month"] == 0.14


def test_a_server_that_does_not_answer_times_out():
    def stall(handler, _n):  # type: ignore[no-untyped-def]
        time.sleep(3)

    server = ScriptedServer(stall).start()
    try:
        with pytest.raises(FetchError, match=r"cannot fetch .*region_index\.json \(.*timed out"):
            fetch_regions(["us-west-2"], base_url=server.base_url, timeout=0.5, retries=0,
                          log=io.StringIO())
    finally:
        server.stop()


def test_an_answer_that_is_not_a_region_index_says_so():
    def not_json(handler, _n):  # type: ignore[no-untyped-def]
        body = b"<html>captive portal</html>"
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server = ScriptedServer(not_json).start()
    try:
        with pytest.raises(FetchError, match=r"is not JSON .*is --base-url a Price List"):
            fetch_regions(["us-west-2"], base_url=server.base_url, retries=0, log=io.StringIO())
    finally:
        server.stop()


def test_a_fetched_book_prices_a_us_west_2_stack_exactly(price_list, tmp_path):
    out = tmp_path / "prices.json"
    assert fetch("--region", "us-west-2", "--base-url", price_list.base_url,
                 "--out", str(out)).returncode == 0
    stack = make_stack({"cost:price-book": str(out)}, region="us-west-2")
    model = ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)
    # 1,048,576 requests of 1 KB each way: 1 GB in and 1 GB out a month.
    hint = TrafficHint(requests_per_month=1_048_576, avg_duration_ms=50, payload_kb=1,
                       response_kb=1)
    realtime = RealTimeEndpoint(stack, "Scorer", model=model, instance_type="ml.g5.2xlarge",
                                traffic=hint).cost_estimate
    # Host:ml.g5.2xlarge 730 h × 1.515 + (1 + 1) GB × 0.016 = 1,105.982
    assert realtime.monthly_usd == 1105.98
    assert realtime.price_book == "aws-price-list 2026-11-04"
    assert realtime.price_date == "2026-11-04" and realtime.unpriced is None
    serverless = ServerlessEndpoint(stack, "Tool", model=model, memory_mb=6144,
                                    traffic=hint).cost_estimate
    # ServerlessInf:Mem-6GB 0.00012/s: 1,048,576 × 0.05 s × 0.00012 + 0.032 = 6.323
    assert serverless.monthly_usd == round(1_048_576 * 0.05 * 0.00012 + 0.032, 2) == 6.32
    docs = AsyncEndpoint(stack, "Docs", model=model, instance_type="ml.m5.large",
                         min_instances=1, traffic=hint).cost_estimate
    # AsyncInf:ml.m5.large, its own meter: 730 h × 0.115 + its 4 GB ML storage volume at the
    # offer's USW2-Host:VolumeUsage.gp2 (0.14 per GB-month) + 0.032 (one instance covers the work)
    assert docs.lines[0].unit_usd == 0.115
    assert docs.monthly_usd == round(730 * 0.115 + 4 * 0.14 + 0.032, 2)
    assert not any("hosting rate" in a for a in docs.assumptions)
    Annotations.from_stack(stack).has_no_warning("/Test/Scorer", Match.string_like_regexp(
        "Unpriced"))
