"""The offer reader (the AWS Price List bulk format, streamed) and the refresh command, which
builds a loadable book from offer files on disk."""

import io
import json
import subprocess
import sys

import pytest

from constructs_lib import load_price_book
from constructs_lib.pricing import offer as offer_module
from constructs_lib.pricing.offer import read_offer, read_offer_file
from constructs_lib.pricing.price_book import parse_book
from constructs_lib.pricing.refresh import book_from_offers

from .conftest import ROOT
from .price_list_server import PRICE_LIST

SAMPLE = ROOT / "tests" / "data" / "offer_sample.json"
US_WEST_2 = (PRICE_LIST / "offers/v1.0/aws/AmazonSageMaker/20261104120000/us-west-2/"
             "index.json")


def test_offer_sample_becomes_a_price_book():
    book, warnings = book_from_offers([json.loads(SAMPLE.read_text())], name="t", date="2026-11-01",
                                      source="sample")
    r = book["regions"]["us-east-1"]
    assert r["hosting_usd_per_hour"] == {"ml.g5.xlarge": 1.408, "ml.m5.large": 0.115}
    # Async and batch kept as published, even where they equal hosting.
    assert r["async_usd_per_hour"] == {"ml.m5.large": 0.115}
    assert r["batch_transform_usd_per_hour"] == {"ml.m5.large": 0.115}
    # Serverless per memory size, USD per second (n GB -> n x 1024 MB).
    assert r["serverless_usd_per_second"] == {"2048": 0.00004, "6144": 0.00012}
    assert r["provisioned_concurrency_usd_per_second"] == {"2048": 0.00001}
    assert r["provisioned_inference_usd_per_second"] == {"2048": 0.0000233}
    assert r["data_processed_in_usd_per_gb"] == 0.016
    assert r["date"] == "2026-11-01"  # the offer's publicationDate
    assert warnings == []
    loaded = parse_book(book, "sample")
    assert loaded.serverless_usd_per_gb_second("us-east-1", 2048) == pytest.approx(0.00002)
    assert loaded.serverless_usd_per_gb_second("us-east-1", 2048, "provisioned_concurrency") == (
        pytest.approx(0.000005))
    assert loaded.rate("us-east-1", "serverless_usd_per_gb_second") == pytest.approx(0.00002)


def test_the_fixture_offer_reads_only_what_an_endpoint_is_billed():
    reading = read_offer_file(US_WEST_2)
    assert reading.publication_date == "2026-11-04T12:00:00Z"
    assert reading.version == "20261104120000"
    assert list(reading.entries) == ["us-west-2"]
    r = reading.entries["us-west-2"]
    assert r["hosting_usd_per_hour"] == {"ml.g5.2xlarge": 1.515, "ml.m5.large": 0.115}
    # Training (Train:), notebooks (Notebk:), reserved terms, a free tier and the training
    # job's data-in (operation CreateTrainingJob) are not an endpoint's.
    assert r["data_processed_in_usd_per_gb"] == 0.016
    assert r["storage_usd_per_gb_month"] == 0.14  # Host:VolumeUsage.gp2
    assert r["serverless_usd_per_second"] == {"1024": 0.00002, "2048": 0.00004, "6144": 0.00012}
    assert not any("Notebk" in str(k) or "t3" in str(k) for v in r.values()
                   if isinstance(v, dict) for k in v)


@pytest.mark.parametrize("indent", [None, 4])
def test_the_stream_reader_does_not_depend_on_layout_or_chunking(monkeypatch, indent):
    raw = json.loads(US_WEST_2.read_text())
    whole = read_offer_file(US_WEST_2)
    monkeypatch.setattr(offer_module, "_CHUNK", 3)  # values and numbers split across reads
    text = json.dumps(raw, indent=indent, separators=None if indent else (",", ":"))
    streamed = read_offer(io.StringIO(text))
    assert streamed.entries == whole.entries
    assert (streamed.version, streamed.publication_date) == (whole.version,
                                                             whole.publication_date)


def test_terms_before_products_are_joined_all_the_same():
    raw = json.loads(US_WEST_2.read_text())
    reordered = {"terms": raw["terms"], "products": raw["products"], "version": raw["version"]}
    assert read_offer(io.StringIO(json.dumps(reordered))).entries == read_offer_file(
        US_WEST_2).entries


def test_a_usage_type_priced_twice_keeps_the_higher_price_and_says_so():
    raw = json.loads(US_WEST_2.read_text())
    twin = dict(raw["products"]["USW2HOSTM5L0001"], sku="TWIN")
    raw["products"]["TWIN"] = twin
    terms = json.loads(json.dumps(raw["terms"]["OnDemand"]["USW2HOSTM5L0001"]).replace(
        "0.1150000000", "0.1250000000"))
    raw["terms"]["OnDemand"]["TWIN"] = terms
    reading = read_offer(io.StringIO(json.dumps(raw)))
    assert reading.entries["us-west-2"]["hosting_usd_per_hour"]["ml.m5.large"] == 0.125
    assert reading.warnings == ["us-west-2 USW2-Host:ml.m5.large: SKUs priced 0.115 and 0.125; "
                                "kept the higher"]


def test_a_file_that_is_not_an_offer_is_an_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"products": [1, 2')
    with pytest.raises(ValueError):
        read_offer_file(bad)


def test_refresh_cli_writes_a_book_the_loader_reads(tmp_path):
    out = tmp_path / "book.json"
    result = subprocess.run(
        [sys.executable, "-m", "constructs_lib.pricing", "refresh", str(SAMPLE), "--out", str(out),
         "--date", "2026-11-01"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "us-east-1: 2 types, prices of 2026-11-01" in result.stdout
    book = load_price_book(str(out))
    assert book.date == "2026-11-01"
    assert book.batch_usd_per_hour("us-east-1", "ml.m5.large") == 0.115
    assert book.regions["us-east-1"].source == str(SAMPLE)


def test_refresh_merges_into_an_existing_book(tmp_path):
    out = tmp_path / "book.json"
    out.write_text((ROOT / "constructs_lib/pricing/data/sagemaker_prices.json").read_text())
    subprocess.run([sys.executable, "-m", "constructs_lib.pricing", "refresh", str(US_WEST_2),
                    "--out", str(out)], capture_output=True, text=True, cwd=ROOT, check=True)
    book = load_price_book(str(out))
    assert book.name == "aws-sagemaker-on-demand"  # the existing book's
    assert book.hosting_usd_per_hour("us-west-2", "ml.g5.2xlarge") == 1.515
    assert book.hosting_usd_per_hour("us-east-1", "ml.m5.large") == 0.115  # kept


def test_refresh_without_a_file_says_which():
    result = subprocess.run(
        [sys.executable, "-m", "constructs_lib.pricing", "refresh", "missing.json", "--out",
         "x.json"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "missing.json" in result.stderr and "Traceback" not in result.stderr
