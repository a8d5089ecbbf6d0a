"""Context ``cost:max-price-age-days``: a stack whose region's prices are older gets one
warning (``constructs-lib:stale-prices``) naming their date and the command that refreshes
them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from aws_cdk.assertions import Annotations, Match

from constructs_lib import ConfigurationError, ModelSpec, RealTimeEndpoint, TrafficHint

from .conftest import ARTIFACT, IMAGE, make_stack


def book(tmp_path, published: date) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / f"book-{published}.json"
    path.write_text(json.dumps({
        "name": "negotiated", "date": "2026-01-01", "source": "a test book",
        "regions": {"eu-north-1": {"date": published.isoformat(),
                                   "hosting_usd_per_hour": {"ml.m5.large": 0.1},
                                   "data_processed_in_usd_per_gb": 0.01,
                                   "data_processed_out_usd_per_gb": 0.01,
                                   "storage_usd_per_gb_month": 0.1}}}))
    return str(path)


def endpoints(context: dict, count: int = 2) -> Annotations:  # type: ignore[type-arg]
    stack = make_stack(context, region="eu-north-1")
    for n in range(count):
        RealTimeEndpoint(stack, f"Ep{n}", model=ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT),
                         instance_type="ml.m5.large", traffic=TrafficHint())
    return Annotations.from_stack(stack)


def test_old_prices_warn_once_per_stack(tmp_path):
    today = datetime.now(UTC).date()
    found = endpoints({"cost:price-book": book(tmp_path, today - timedelta(days=400))})
    [warning] = found.find_warning("*", Match.string_like_regexp("days old"))
    text = warning.entry.data
    assert warning.id == "/Test"
    assert text.startswith("Prices for eu-north-1 in price book 'negotiated "
                           f"{today - timedelta(days=400)}' are 400 days old")
    assert "cost:max-price-age-days' (180)" in text
    assert "python -m constructs_lib.pricing fetch --region eu-north-1" in text
    assert text.endswith("[ack: constructs-lib:stale-prices]")


def test_the_age_limit_is_context(tmp_path):
    old = book(tmp_path, datetime.now(UTC).date() - timedelta(days=400))
    assert not endpoints({"cost:price-book": old, "cost:max-price-age-days": 500}).find_warning(
        "*", Match.string_like_regexp("days old"))
    limited = endpoints({"cost:price-book": old, "cost:max-price-age-days": "30"})
    assert limited.find_warning("/Test", Match.string_like_regexp(
        r"more than CDK context 'cost:max-price-age-days' \(30\)"))


def test_fresh_prices_do_not_warn(tmp_path):
    fresh = book(tmp_path, datetime.now(UTC).date())
    assert not endpoints({"cost:price-book": fresh}).find_warning("*", Match.any_value())


@pytest.mark.parametrize("value", [0, -5, "soon", True])
def test_a_bad_age_limit_fails_before_any_node(value):
    stack = make_stack({"cost:max-price-age-days": value})
    with pytest.raises(ConfigurationError, match=r"context\['cost:max-price-age-days'\].*> 0"):
        RealTimeEndpoint(stack, "Ep", model=ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT),
                         instance_type="ml.m5.large", traffic=TrafficHint())
    assert not stack.node.children
