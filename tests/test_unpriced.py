"""A region or instance type the price book lacks: the construct synthesizes, its estimate is
unpriced (in the template, the annotation, the report, the diff and the budgets), and context
``cost:require-prices`` turns that into an error."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import (
    AsyncEndpoint,
    BatchTransform,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)
from constructs_lib.cost.diff import diff_cdk_out, render_diff_markdown
from constructs_lib.cost.report import collect, render_json, render_markdown

from .conftest import ARTIFACT, IMAGE, has_note, make_stack

MODEL = ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)
HINT = TrafficHint(requests_per_month=1_048_576, avg_duration_ms=50, payload_kb=1, response_kb=1)
FETCH = "python -m constructs_lib.pricing fetch --region ap-south-2 --out prices.json"


def realtime(stack: cdk.Stack, name: str = "Ep", **props: object) -> RealTimeEndpoint:
    return RealTimeEndpoint(stack, name, **{"model": MODEL, "instance_type": "ml.c5.xlarge",
                                            "traffic": HINT, **props})


def cost_metadata(stack: cdk.Stack, resource: str = "AWS::SageMaker::Endpoint") -> dict:
    [res] = Template.from_stack(stack).find_resources(resource).values()
    return dict(res["Metadata"]["CostEstimate"])


def test_a_region_the_book_lacks_synthesizes_unpriced_with_a_warning():
    stack = make_stack(region="ap-south-2")
    ep = realtime(stack)
    meta = cost_metadata(stack)
    assert "monthly_usd" not in meta  # null: CDK drops null values from metadata
    assert "Region 'ap-south-2' is not in price book" in meta["unpriced"]
    assert FETCH in meta["unpriced"] and "cost:price-book" in meta["unpriced"]
    # The quantities are still there: 730 instance-hours, its 4 GB storage volume all month and
    # 1 GB each way, unpriced.
    assert meta["lines"] == [
        {"item": "ml.c5.xlarge hosting", "quantity": 730, "unit": "instance-hour"},
        {"item": "ml.c5.xlarge ML storage (4 GB per instance)", "quantity": 4,
         "unit": "GB-month"},
        {"item": "Data processed in", "quantity": 1, "unit": "GB"},
        {"item": "Data processed out", "quantity": 1, "unit": "GB"}]
    assert meta["alternatives"] == []  # nothing to compare them with
    assert ep.cost_estimate.to_metadata() == meta
    Annotations.from_stack(stack).has_warning("/Test/Ep", Match.string_like_regexp(
        r"^Unpriced \(realtime, ap-south-2\): ml\.c5\.xlarge hosting \(730 instance-hour, "
        r"unpriced\)\. Region 'ap-south-2'.*fetch --region ap-south-2.*"
        r"\[ack: constructs-lib:unpriced\]$"))
    Annotations.from_stack(stack).has_no_error("*", Match.any_value())


def test_require_prices_makes_an_unpriced_estimate_an_error():
    stack = make_stack({"cost:require-prices": True}, region="ap-south-2")
    realtime(stack)
    Annotations.from_stack(stack).has_error("/Test/Ep", Match.string_like_regexp(
        r"^Unpriced \(realtime, ap-south-2\).*context 'cost:require-prices' is true"))


def test_require_prices_from_the_cli_and_a_priced_stack_passes():
    priced = make_stack({"cost:require-prices": "true"})  # `cdk synth -c` passes a string
    realtime(priced)
    Annotations.from_stack(priced).has_no_error("*", Match.any_value())


def test_require_prices_must_be_a_boolean():
    stack = make_stack({"cost:require-prices": "yes"})
    with pytest.raises(ConfigurationError,
                       match=r"context\['cost:require-prices'\]='yes'.*true or false"):
        realtime(stack)
    assert not stack.node.children


def test_an_instance_type_the_book_lacks_names_it_and_the_override():
    stack = make_stack()
    realtime(stack, instance_type="ml.r5.large")
    meta = cost_metadata(stack)
    assert "monthly_usd" not in meta
    assert "No hosting price for 'ml.r5.large' in us-east-1" in meta["unpriced"]
    assert '\'cost:hourly-overrides\' = {"ml.r5.large": <USD per hour>}' in meta["unpriced"]
    # Only the hosting line lacks a price; the data processed is priced.
    assert [line.get("monthly_usd") for line in meta["lines"]] == [None, 0.02, 0.02]


def test_the_override_prices_it():
    stack = make_stack({"cost:hourly-overrides": {"ml.r5.large": 0.151}}, region="us-east-1")
    ep = realtime(stack, instance_type="ml.r5.large")
    assert ep.cost_estimate.monthly_usd == round(0.151 * 730 + 2 * 0.016, 2)


@pytest.mark.parametrize("build", [
    lambda s: ServerlessEndpoint(s, "Ep", model=MODEL, traffic=HINT),
    lambda s: AsyncEndpoint(s, "Ep", model=MODEL, instance_type="ml.m5.xlarge",
                            traffic=TrafficHint(requests_per_month=1000, max_latency_ms=3.6e6)),
    lambda s: MultiModelEndpoint(s, "Ep", image_uri=IMAGE,
                                 models_s3_prefix="s3://models-bucket/customers/",
                                 instance_type="ml.c5.xlarge",
                                 models={"a.tar.gz": HINT, "b.tar.gz": HINT}),
    lambda s: realtime(s, variants=[{"name": "Canary", "weight": 0.1}]),
], ids=["serverless", "async", "multimodel", "variants"])
def test_every_endpoint_kind_synthesizes_unpriced(build):
    stack = make_stack(region="ap-south-2")
    construct = build(stack)
    meta = cost_metadata(stack)
    assert "monthly_usd" not in meta and "ap-south-2" in meta["unpriced"]
    assert construct.cost_estimate.monthly_usd is None
    Annotations.from_stack(stack).has_warning("/Test/Ep", Match.string_like_regexp("Unpriced"))


def test_a_variant_on_a_type_the_book_lacks_leaves_the_endpoint_unpriced():
    stack = make_stack()
    ep = realtime(stack)
    ep.add_variant("Gpu", instance_type="ml.zz9.huge", weight=0.5)
    estimate = ep.cost_estimate
    assert estimate.monthly_usd is None and "'ml.zz9.huge'" in (estimate.unpriced or "")
    assert [line.variant for line in estimate.lines if not line.priced] == ["Gpu"]
    Annotations.from_stack(stack).has_warning("/Test/Ep", Match.string_like_regexp(
        r"^Unpriced \(realtime, us-east-1\): Gpu: ml\.zz9\.huge hosting"))
    has_note(stack, "/Test/Ep/Gpu", (
        r"^Variant Gpu \(weight 0\.5, 33% of requests\): unpriced/month"))


def test_a_rate_the_region_lacks_names_the_meter():
    stack = make_stack(region="eu-west-1")  # hosting from a bill; no serverless price
    ServerlessEndpoint(stack, "Ep", model=MODEL, traffic=HINT)
    assert "no ServerlessInf:Mem-2GB price" in cost_metadata(stack)["unpriced"]


def test_a_batch_transform_synthesizes_unpriced():
    stack = make_stack(region="ap-south-2")
    BatchTransform(stack, "Job", model=MODEL, instance_type="ml.m5.xlarge",
                   input_s3_uri="s3://models-bucket/in/", output_s3_uri="s3://models-bucket/out/",
                   schedule="rate(1 day)",
                   traffic=TrafficHint(records_per_run=1000, runs_per_month=30,
                                       avg_duration_ms=100))
    meta = cost_metadata(stack, "AWS::StepFunctions::StateMachine")
    assert "monthly_usd" not in meta and meta["kind"] == "batch"
    assert "ap-south-2" in meta["unpriced"]


# --- budgets: unknown, said so -----------------------------------------------------------------


def test_an_unpriced_constructs_own_budget_is_unknown_and_said_so():
    stack = make_stack(region="ap-south-2")
    realtime(stack, max_monthly_usd=100)
    found = Annotations.from_stack(stack)
    found.has_warning("/Test/Ep", Match.string_like_regexp(
        r"^Budget unknown: Test/Ep has max_monthly_usd \$100\.00/month but its estimate is "
        r"unpriced.*\[ack: constructs-lib:budget-unknown\]$"))
    found.has_no_error("*", Match.any_value())


def test_a_stack_budget_with_an_unpriced_member_is_unknown_unless_already_over():
    under = make_stack({"cost:budget-usd": {"Test": 10_000}})
    realtime(under, "Priced")
    realtime(under, "Unknown", instance_type="ml.r5.large")
    Annotations.from_stack(under).has_warning("/Test", Match.string_like_regexp(
        r"^Budget unknown: stack Test cannot be checked against cost:budget-usd\['Test'\] "
        r"\$10,000\.00/month: 1 construct\(s\) unpriced \(Test/Unknown\); the priced ones "
        r"total \$149\.51/month"))
    over = make_stack({"cost:budget-usd": {"Test": 100}})
    realtime(over, "Priced")
    realtime(over, "Unknown", instance_type="ml.r5.large")
    Annotations.from_stack(over).has_error("/Test", Match.string_like_regexp(
        r"^Over budget: stack Test estimated at least \$149\.51/month exceeds .*"
        r"unpriced: Test/Unknown"))


# --- the report and the diff -------------------------------------------------------------------


def _assembly(tmp_path, name, region, **props):  # type: ignore[no-untyped-def]
    app = cdk.App(outdir=str(tmp_path / name))
    for stack_name, where in (("Mumbai", region), ("Virginia", "us-east-1")):
        stack = cdk.Stack(app, stack_name, env=cdk.Environment(region=where))
        realtime(stack, "Api", **props)
    app.synth()
    return tmp_path / name


def test_the_report_shows_an_unpriced_row_and_leaves_it_out_of_the_total(tmp_path):
    out = _assembly(tmp_path, "head", "ap-south-2")
    rows = collect(out)
    text = render_markdown(rows)
    assert "| `Mumbai/Api` | realtime | ap-south-2 | **unpriced** | ml.c5.xlarge hosting " \
           "(730 instance-hour, unpriced) | - |" in text
    virginia = next(r for r in rows if r.stack == "Virginia").monthly_usd
    assert f"| **Total** | | | **${virginia:,.2f}** + 1 unpriced | | |" in text
    assert "**Unpriced** (the total leaves them out):" in text
    assert "- `Mumbai/Api`: Region 'ap-south-2' is not in price book" in text and FETCH in text
    payload = json.loads(render_json(rows))
    assert payload["total_monthly_usd"] == virginia
    [unpriced] = payload["unpriced"]
    assert unpriced["path"] == "Mumbai/Api" and "ap-south-2" in unpriced["reason"]


def test_the_diff_marks_an_unpriced_change_and_its_delta_unknown(tmp_path):
    base = _assembly(tmp_path, "base", "us-east-1")
    head = _assembly(tmp_path, "head", "ap-south-2")
    diff = diff_cdk_out(base, head)
    [change] = diff.changes
    assert change.path == "Mumbai/Api" and change.stack == "Mumbai"
    assert change.after_usd is None and change.delta_usd is None
    assert diff.unpriced == ("Mumbai/Api",)
    text = render_diff_markdown(diff)
    assert "| `Mumbai/Api` | changed | $149.51 | unpriced | unknown | " in text
    assert "region us-east-1 → ap-south-2" in text and "unpriced: Region 'ap-south-2'" in text
    assert "⚠️ 1 endpoint(s) unpriced in this PR, left out of the totals: `Mumbai/Api`" in text
