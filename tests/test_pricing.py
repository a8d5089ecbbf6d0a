import json
import math
from datetime import date

import pytest

from constructs_lib import PriceNotFoundError, load_price_book
from constructs_lib.pricing.rates import MissingRate, Rate
from constructs_lib.spec.instances import instance_facts

from .conftest import ROOT


def test_packaged_book_names_source_and_date():
    book = load_price_book()
    assert book.name and book.source
    assert book.date.count("-") == 2
    assert "us-east-1" in book.regions


def test_design_checked_prices():
    book = load_price_book()
    expected = {"ml.m5.large": 0.115, "ml.m5.xlarge": 0.23, "ml.m5.2xlarge": 0.461,
                "ml.c5.xlarge": 0.204, "ml.g4dn.xlarge": 0.7364, "ml.g5.xlarge": 1.4084,
                "ml.g5.2xlarge": 1.515, "ml.g5.12xlarge": 7.09, "ml.p4d.24xlarge": 37.688,
                "ml.p5.48xlarge": 113.068}
    for itype, price in expected.items():
        assert book.hosting_usd_per_hour("us-east-1", itype) == price
    assert book.rate("us-east-1", "serverless_usd_per_gb_second") == 0.00002
    assert book.rate("us-east-1", "data_processed_in_usd_per_gb") == 0.016


def test_no_t3_hosting_types():
    book = load_price_book()
    for region in book.regions.values():
        assert not [t for t in region.hosting_usd_per_hour if t.startswith("ml.t3.")]


def test_batch_falls_back_to_hosting_rate():
    book = load_price_book()
    assert book.batch_usd_per_hour("us-east-1", "ml.m5.xlarge") == 0.23


def test_unknown_instance_type_says_how_to_add_it():
    with pytest.raises(PriceNotFoundError, match=r"ml\.m5\.99xlarge.*cost:hourly-overrides"):
        load_price_book().hosting_usd_per_hour("us-east-1", "ml.m5.99xlarge")


def test_unknown_region_lists_known_ones():
    with pytest.raises(PriceNotFoundError, match=r"mars-north-1.*known regions: .*us-east-1"):
        load_price_book().region("mars-north-1")


def test_overrides_apply_to_hosting_and_batch_and_are_named():
    book = load_price_book(hourly_overrides={"ml.g5.xlarge": 1.21})
    assert book.hosting_usd_per_hour("us-east-1", "ml.g5.xlarge") == 1.21
    assert book.batch_usd_per_hour("us-east-1", "ml.g5.xlarge") == 1.21
    assert "ml.g5.xlarge" in book.label


def test_override_file_replaces_the_book(tmp_path):
    raw = {"name": "negotiated", "date": "2026-10-01", "source": "our contract",
           "regions": {"eu-north-1": {"hosting_usd_per_hour": {"ml.m5.large": 0.1},
                                      "data_processed_in_usd_per_gb": 0.01,
                                      "data_processed_out_usd_per_gb": 0.01}}}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(raw))
    book = load_price_book(str(path))
    assert book.label == "negotiated 2026-10-01"
    assert book.hosting_usd_per_hour("eu-north-1", "ml.m5.large") == 0.1
    with pytest.raises(PriceNotFoundError,
                       match="no 'serverless_usd_per_gb_second' for eu-north-1"):
        book.rate("eu-north-1", "serverless_usd_per_gb_second")


def test_malformed_book_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x"}')
    with pytest.raises(PriceNotFoundError, match="not in the expected format"):
        load_price_book(str(path))


def test_instance_facts_know_nvme_and_gpus():
    assert instance_facts("ml.g5.xlarge").local_nvme_storage
    assert instance_facts("ml.g5.xlarge").has_accelerator
    assert not instance_facts("ml.m5.large").local_nvme_storage
    assert not instance_facts("ml.m5.large").has_accelerator


def test_every_priced_type_has_facts():
    book = load_price_book()
    for region in book.regions.values():
        for itype in region.hosting_usd_per_hour:
            assert instance_facts(itype) is not None, itype


# --- the packaged book: every number a reading with a source and a date ---------------------

PACKAGED = ROOT / "constructs_lib" / "pricing" / "data" / "sagemaker_prices.json"


def _numbers(region: dict) -> dict[tuple[str, str | None], float]:
    out: dict[tuple[str, str | None], float] = {}
    for field, value in region.items():
        if isinstance(value, dict):
            out.update({(field, key): usd for key, usd in value.items()})
        elif isinstance(value, (int, float)):
            out[(field, None)] = value
    return out


def test_every_packaged_number_is_a_dated_reading_with_a_source():
    raw = json.loads(PACKAGED.read_text())
    readings = {(r["region"], r["field"], r["key"]): r for r in raw["readings"]}
    assert len(readings) == len(raw["readings"])  # one reading per number
    in_book = {(name, field, key): usd for name, region in raw["regions"].items()
               for (field, key), usd in _numbers(region).items()}
    assert set(in_book) == set(readings)
    for where, usd in in_book.items():
        reading = readings[where]
        assert reading["usd"] == usd, where
        assert len(reading["source"]) > 40 and reading["usage_type"], where
        date.fromisoformat(reading["date"])


def test_a_regions_date_is_its_oldest_reading():
    raw = json.loads(PACKAGED.read_text())
    for name, region in raw["regions"].items():
        dates = [r["date"] for r in raw["readings"] if r["region"] == name]
        assert region["date"] == min(dates), name


def test_readings_quoted_in_the_issue_are_in_the_book():
    book = load_price_book()
    assert book.hosting_usd_per_hour("us-east-2", "ml.g6.xlarge") == 1.1267
    assert book.hosting_usd_per_hour("eu-west-3", "ml.g4dn.xlarge") == 0.861
    assert book.hosting_usd_per_hour("eu-west-3", "ml.g6.xlarge") == 1.4302
    assert book.async_usd_per_hour("eu-west-3", "ml.g6.xlarge") == 1.4302
    assert book.hosting_usd_per_hour("us-east-1", "ml.c7i.xlarge") == 0.214
    assert book.hosting_usd_per_hour("us-east-1", "ml.trn1.32xlarge") == 28.497
    assert book.rate("eu-west-1", "storage_usd_per_gb_month") == 0.154


# --- look-ups: strict, lenient, fallbacks ------------------------------------------------------


def test_a_lenient_book_answers_a_missing_price_with_its_reason():
    book = load_price_book().lenient_view()
    rate = book.hosting_usd_per_hour("ap-south-2", "ml.m5.large")
    assert isinstance(rate, MissingRate) and math.isnan(rate)
    assert "Region 'ap-south-2' is not in price book" in rate.reason
    assert "pricing fetch --region ap-south-2 --out prices.json" in rate.reason
    typed = book.hosting_usd_per_hour("us-east-1", "ml.r5.large")
    assert "'ml.r5.large'" in typed.reason and "cost:hourly-overrides" in typed.reason
    assert book.strict_view().lenient is False and book.lenient_view() is book


def test_async_and_batch_use_their_own_meter_or_say_they_fell_back_to_hosting():
    book = load_price_book()
    own = book.async_usd_per_hour("us-east-1", "ml.g6e.2xlarge")
    assert own == 2.8026 and not isinstance(own, Rate)
    fallback = book.async_usd_per_hour("us-east-1", "ml.m5.xlarge")
    assert fallback == 0.23 and "no AsyncInf: rate" in fallback.note
    batch = book.batch_usd_per_hour("eu-west-1", "ml.m5.xlarge")
    assert batch == 0.257 and not isinstance(batch, Rate)  # the bill's BatchTransform line
    assert "no Tsform: rate" in book.batch_usd_per_hour("eu-west-1", "ml.g5.12xlarge").note


def test_serverless_rates_by_memory_size_or_the_stated_per_gb_rate():
    book = load_price_book()
    assert book.serverless_usd_per_gb_second("us-east-1", 2048) == pytest.approx(0.00002)
    six = book.serverless_usd_per_gb_second("us-east-1", 6144)
    assert six == 0.00002 and "no ServerlessInf:Mem-6GB price" in six.note
    with pytest.raises(PriceNotFoundError, match="no ServerlessInf:Mem-2GB price"):
        book.serverless_usd_per_gb_second("eu-west-1", 2048)


def test_a_regions_price_date_and_age():
    book = load_price_book()
    assert book.price_date("eu-west-1") == "2023-12-31"
    assert book.label_for("us-east-1") == "aws-sagemaker-on-demand 2025-01-26"
    assert book.price_age_days("eu-west-1", date(2024, 1, 30)) == 30
    assert book.price_date("ap-south-2") is None
    assert book.staleness("eu-west-1", 180, date(2024, 1, 30)) is None
    stale = book.staleness("eu-west-1", 180, date(2024, 12, 31))
    assert stale is not None and "366 days old" in stale and "cost:max-price-age-days" in stale
    assert "fetch --region eu-west-1" in stale
