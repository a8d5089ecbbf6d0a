"""The price refresh command reads the AWS Price List offer-file format into a loadable book."""

import json
import subprocess
import sys

import pytest

from constructs_lib import load_price_book
from constructs_lib.pricing.refresh import book_from_offers

from .conftest import ROOT

SAMPLE = ROOT / "tests" / "data" / "offer_sample.json"


def test_offer_sample_becomes_a_price_book():
    book, warnings = book_from_offers([json.loads(SAMPLE.read_text())], name="t", date="2026-11-01",
                                      source="sample")
    r = book["regions"]["us-east-1"]
    assert r["hosting_usd_per_hour"] == {"ml.g5.xlarge": 1.408, "ml.m5.large": 0.115}
    assert r["batch_transform_usd_per_hour"] == {}  # equal to hosting: the book falls back
    assert r["serverless_usd_per_gb_second"] == pytest.approx(0.00002)  # 0.00004/s at 2 GB
    assert r["serverless_provisioned_concurrency_usd_per_gb_second"] == pytest.approx(0.000005)
    assert r["serverless_provisioned_inference_usd_per_gb_second"] == pytest.approx(0.00001165)
    assert r["data_processed_in_usd_per_gb"] == 0.016
    assert warnings == []


def test_refresh_cli_writes_a_book_the_loader_reads(tmp_path):
    out = tmp_path / "book.json"
    result = subprocess.run(
        [sys.executable, "-m", "constructs_lib.pricing", "refresh", str(SAMPLE), "--out", str(out),
         "--date", "2026-11-01"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "us-east-1: 2 types" in result.stdout
    book = load_price_book(str(out))
    assert book.date == "2026-11-01"
    assert book.batch_usd_per_hour("us-east-1", "ml.m5.large") == 0.115
