import json

import pytest

from constructs_lib import PriceNotFoundError, load_price_book
from constructs_lib.spec.instances import instance_facts


def test_packaged_book_names_source_and_date():
    book = load_price_book()
    assert book.name and book.source
    assert book.date.count("-") == 2
    assert "us-east-1" in book.regions


def test_design_checked_prices():
    book = load_price_book()
    expected = {"ml.m5.large": 0.115, "ml.m5.xlarge": 0.23, "ml.m5.2xlarge": 0.461,
                "ml.c5.xlarge": 0.204, "ml.g4dn.xlarge": 0.7364, "ml.g5.xlarge": 1.408,
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
