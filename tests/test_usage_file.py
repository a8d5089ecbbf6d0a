"""Context ``cost:usage-file``: a usage file's fields replace each construct's hint field by
field for the estimate (not the template), validated like TrafficHint, with the drift (the hint
in code and the estimate under it) in the estimate."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from constructs_lib import (
    AutoscalingOptions,
    BatchTransform,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .conftest import ARTIFACT, IMAGE, has_note

MODEL = ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT)
GB_SECOND = 2e-05  # us-east-1 serverless, per GB-second (the packaged book)
HOSTING_C5 = 0.204  # us-east-1 ml.c5.xlarge, per hour
HOSTING_M5 = 0.23  # us-east-1 ml.m5.xlarge, per hour (batch priced at it: no Tsform: reading)
STORAGE = 0.14  # us-east-1 ML storage (Host:VolumeUsage.gp2), per GB-month


def usage_file(tmp_path: Path, usage: dict[str, Any], name: str = "usage.json", **extra: Any
               ) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"version": 1, "usage": usage, **extra}))
    return path


def app_with(path: Path | str | None) -> tuple[cdk.App, cdk.Stack]:
    app = cdk.App(context={} if path is None else {"cost:usage-file": str(path)})
    return app, cdk.Stack(app, "Test", env=cdk.Environment(region="us-east-1"))


def serverless(stack: cdk.Stack, name: str = "Tool") -> ServerlessEndpoint:
    return ServerlessEndpoint(stack, name, model=MODEL, memory_mb=3072, max_concurrency=5,
                              traffic=TrafficHint(requests_per_month=5000, avg_duration_ms=900,
                                                  payload_kb=0, response_kb=0,
                                                  busy_hours_per_day=9))


def test_entry_replaces_the_hint_field_by_field_for_the_estimate_only(tmp_path):
    path = usage_file(tmp_path, {"Test/Tool": {"requests_per_month": 10_000,
                                               "avg_duration_ms": 1200}})
    _, stack = app_with(path)
    ep = serverless(stack)
    estimate = ep.cost_estimate
    # 10,000 requests × 1.2 s × 3 GB = 36,000 GB-s at $0.00002: $0.72 (in code: 5,000 × 0.9 s
    # × 3 GB = 13,500 GB-s: $0.27).
    assert estimate.lines[0].quantity == pytest.approx(36_000)
    assert estimate.monthly_usd == round(36_000 * GB_SECOND, 2) == 0.72
    assert estimate.traffic["requests_per_month"] == 10_000
    assert estimate.traffic["avg_duration_ms"] == 1200
    assert estimate.traffic["busy_hours_per_day"] == 9  # not in the file: as in code
    assert estimate.usage == {
        "file": str(path), "fields": ["requests_per_month", "avg_duration_ms"],
        "traffic_in_code": {"requests_per_month": 5000, "avg_duration_ms": 900, "payload_kb": 0,
                            "response_kb": 0, "busy_hours_per_day": 9},
        "in_code_monthly_usd": round(13_500 * GB_SECOND, 2)}
    assert estimate.assumptions[-1] == (f"traffic from usage file {path}: requests_per_month, "
                                        "avg_duration_ms (the rest as in code)")
    assert ep.props.traffic.requests_per_month == 5000  # the construct's props are the code's
    [endpoint] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    assert endpoint["Metadata"]["CostEstimate"] == estimate.to_metadata()
    has_note(stack, "/Test/Tool", (
        r"^Estimated \$0\.72/month \(serverless, us-east-1\): Serverless inference .* \[traffic "
        r"from usage file .*usage\.json: requests_per_month, avg_duration_ms; \$0\.27/month with "
        r"the hint in code\]"))


def test_the_template_is_the_same_with_and_without_a_usage_file(tmp_path):
    path = usage_file(tmp_path, {"Test/Tool": {"requests_per_month": 10_000}})
    templates = []
    for given in (None, path):
        _, stack = app_with(given)
        serverless(stack)
        resources = Template.from_stack(stack).to_json()["Resources"]
        for resource in resources.values():
            resource.get("Metadata", {}).pop("CostEstimate", None)
        templates.append(resources)
    assert templates[0] == templates[1]


def test_yaml_and_a_path_relative_to_the_app_directory(tmp_path, monkeypatch):
    (tmp_path / "usage.yaml").write_text(
        "# written by hand\nversion: 1\nusage:\n  Test/Tool:\n    requests_per_month: 10000\n")
    monkeypatch.chdir(tmp_path)
    _, stack = app_with("usage.yaml")
    assert serverless(stack).cost_estimate.traffic["requests_per_month"] == 10_000


def test_null_unsets_a_stated_peak(tmp_path):
    path = usage_file(tmp_path, {"Test/Tool": {"peak_requests_per_second": None}})
    _, stack = app_with(path)
    ep = ServerlessEndpoint(stack, "Tool", model=MODEL,
                            traffic=TrafficHint(requests_per_month=5000,
                                                peak_requests_per_second=2))
    assert "peak_requests_per_second" not in ep.cost_estimate.traffic
    assert ep.cost_estimate.usage["fields"] == ["peak_requests_per_second"]


@pytest.mark.parametrize(("content", "message"), [
    ('{"version": 1, "usage": {"Test/Tool": {"requests_per_month": -5}}}',
     r"usage\['Test/Tool'\]\.requests_per_month=-5: Input should be greater than or equal to 0"),
    ('{"version": 1, "usage": {"Test/Tool": {"busy_hours_per_day": 30}}}',
     r"usage\['Test/Tool'\]\.busy_hours_per_day=30: Input should be less than or equal to 24"),
    ('{"version": 1, "usage": {"Test/Tool": {"requests_per_mnth": 5}}}',
     r"usage\['Test/Tool'\]\.requests_per_mnth=5: not a TrafficHint field; did you mean "
     r"'requests_per_month'\?"),
    ('{"version": 1, "usage": {"Test/Tool": {"requests_per_month": true}}}',
     r"usage\['Test/Tool'\]\.requests_per_month=True: must be a number, not a boolean"),
    ('{"version": 1, "usage": {"Test/Tool": 5000}}',
     r"usage\['Test/Tool'\]=5000: an object of TrafficHint fields"),
    ('{"version": 2, "usage": {}}', r"version=2: must be 1 \(the format this library reads\)"),
    ('{"usage": {}}', r"version='\(missing\)': must be 1"),
    ('{"version": 1, "usage": [], "extra": 1}', r"extra=1: not a key of a usage file; "
     r"allowed: version, usage, observed\n  - usage=\[\]: an object of construct path"),
    ('{"version": 1, "usage": {"Test/Tool": {}', r"\(file\)='line 1, column 41': not valid JSON"),
])
def test_a_bad_file_names_the_file_the_path_and_the_field(tmp_path, content, message):
    path = tmp_path / "usage.json"
    path.write_text(content)
    _, stack = app_with(path)
    where = re.escape(str(path))
    with pytest.raises(ConfigurationError, match=rf"usage file at '{where}':\n  - {message}"):
        serverless(stack)
    assert stack.node.try_find_child("Tool") is None  # nothing was built


def test_a_missing_file_or_bad_context_value_says_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, stack = app_with("nope.json")
    with pytest.raises(ConfigurationError, match=(
            rf"usage file at 'nope.json':\n  - \(file\)='nope.json': no such file: {tmp_path}/"
            rf"nope.json \(a relative path is read from the CDK app's working directory, "
            rf"{tmp_path}\)")):
        serverless(stack)
    app = cdk.App(context={"cost:usage-file": ""})
    with pytest.raises(ConfigurationError, match=r"at 'Test/Tool':\n  - context\['cost:usage-"
                       r"file'\]='': the path of a usage file"):
        serverless(cdk.Stack(app, "Test"))


def test_yaml_errors_name_the_line(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text("version: 1\nusage:\n  Test/Tool: {requests_per_month: 5\n")
    _, stack = app_with(path)
    with pytest.raises(ConfigurationError, match=r"\(file\)='line 4, column 1': not valid YAML"):
        serverless(stack)


def test_entries_no_construct_claims_are_one_warning(tmp_path):
    path = usage_file(tmp_path, {"Test/Tool": {"requests_per_month": 1}, "Other/Api": {},
                                 "Test/Tol": {}, "Gone/Api": {"requests_per_month": 2}})
    app, stack = app_with(path)
    serverless(stack)
    other = cdk.Stack(app, "Other", env=cdk.Environment(region="us-east-1"))
    serverless(other, "Api")
    assembly = app.synth()
    warnings = [m for s in ("Test", "Other") for m in assembly.get_stack_by_name(s).messages
                if "constructs-lib:usage-file" in str(m.entry.data)]
    assert len(warnings) == 1  # one for the app: both stacks' constructs claimed theirs
    assert str(warnings[0].entry.data) == (
        f"Usage file {path}: 2 entries match no priced construct of this app, so no estimate "
        "uses them: 'Gone/Api', 'Test/Tol' (did you mean 'Test/Tool'?). Fix the path (as the "
        "cost report prints it) or remove the entry (`observe` without --merge writes only "
        "the constructs it finds). [ack: constructs-lib:usage-file]")


def test_traffic_the_construct_cannot_serve_names_the_usage_file(tmp_path):
    path = usage_file(tmp_path, {"Test/Api": {"avg_duration_ms": 70_000}})
    _, stack = app_with(path)
    with pytest.raises(ConfigurationError, match=(
            r"RealTimeEndpoint at 'Test/Api':\n  - traffic\.avg_duration_ms \(from usage file "
            rf"{path}, usage\['Test/Api'\]\)=70000\.0: must be <= 60000")):
        RealTimeEndpoint(stack, "Api", model=MODEL, instance_type="ml.c5.xlarge",
                         traffic=TrafficHint(requests_per_month=1000))


def test_a_variant_added_later_is_priced_on_the_usage_traffic(tmp_path):
    path = usage_file(tmp_path, {"Test/Api": {"peak_requests_per_second": 250}})
    _, stack = app_with(path)
    api = RealTimeEndpoint(stack, "Api", model=MODEL, instance_type="ml.c5.xlarge",
                           traffic=TrafficHint(requests_per_month=1_000_000, payload_kb=0,
                                               response_kb=0, peak_requests_per_second=10),
                           autoscaling=AutoscalingOptions(min_instances=1, max_instances=8,
                                                          target_invocations_per_instance=3000))
    api.add_variant("Blue", weight=1.0, autoscaling=AutoscalingOptions(
        min_instances=1, max_instances=8, target_invocations_per_instance=3000))
    estimate = api.cost_estimate
    # Each variant gets half of 250 req/s: 125 req/s; the target (50 req/s per instance) holds
    # 3 instances, the requests in flight (125 × 0.1 s = 12.5, 4 at once on 4 vCPUs) need 4,
    # all month (busy 24 h): 2 × 4 × 730 instance-hours, each instance with its 4 GB volume.
    # In code (10 req/s): 2 × 1 × 730.
    hours = [line.quantity for line in estimate.lines if line.unit == "instance-hour"]
    assert hours == [4 * 730, 4 * 730]
    assert estimate.monthly_usd == round(2 * 4 * 730 * HOSTING_C5 + 2 * 4 * 4 * STORAGE, 2)
    assert estimate.usage["in_code_monthly_usd"] == round(
        2 * 1 * 730 * HOSTING_C5 + 2 * 4 * STORAGE, 2)


def test_a_batch_entry_sets_the_runs(tmp_path):
    path = usage_file(tmp_path, {"Test/Nightly": {"runs_per_month": 45}})
    _, stack = app_with(path)
    job = BatchTransform(stack, "Nightly", model=MODEL, instance_type="ml.m5.xlarge",
                         instance_count=2, max_concurrent_transforms=4,
                         input_s3_uri="s3://data/in/", output_s3_uri="s3://data/out/",
                         schedule="cron(0 2 * * ? *)",
                         traffic=TrafficHint(records_per_run=5_000_000, runs_per_month=30,
                                             avg_duration_ms=8))
    # A job: 5M records × 8 ms ÷ (2 instances × 4 transforms) + 300 s = 5,300 s on 2 instances.
    per_run_hours = 2 * (5_000_000 * 0.008 / 8 + 300) / 3600
    assert job.cost_estimate.lines[0].quantity == pytest.approx(45 * per_run_hours, abs=1e-4)
    # + the instances' 8 GB volumes while they run (GB-months: 8 × hours / 730).
    assert job.cost_estimate.monthly_usd == round(
        45 * per_run_hours * (HOSTING_M5 + 8 / 730 * STORAGE), 2)
    assert job.cost_estimate.usage["in_code_monthly_usd"] == round(
        30 * per_run_hours * (HOSTING_M5 + 8 / 730 * STORAGE), 2)
    assert job.cost_estimate.traffic["records_per_run"] == 5_000_000


def test_a_multi_model_entry_is_spread_over_the_models_in_the_code_shares(tmp_path):
    path = usage_file(tmp_path, {"Test/Mm": {"requests_per_month": 8_000_000,
                                             "peak_requests_per_second": 40,
                                             "avg_duration_ms": 30}})
    _, stack = app_with(path)
    hint = {"avg_duration_ms": 20, "payload_kb": 0, "response_kb": 0}
    props: dict[str, Any] = dict(
        image_uri=IMAGE, models_s3_prefix="s3://tenant-models/scoring/",
        instance_type="ml.c5.xlarge", autoscaling=AutoscalingOptions(
            min_instances=1, max_instances=6, target_invocations_per_instance=600))
    mm = MultiModelEndpoint(stack, "Mm", models={
        "a.tar.gz": TrafficHint(requests_per_month=1_000_000, **hint),
        "b.tar.gz": TrafficHint(requests_per_month=3_000_000, **hint)}, **props)
    models = mm.cost_estimate.traffic["models"]
    # a had 1/4 of the requests in code, b 3/4: the observed 8M and 40 req/s split so.
    assert (models["a.tar.gz"]["requests_per_month"], models["b.tar.gz"]["requests_per_month"]
            ) == (2_000_000, 6_000_000)
    assert (models["a.tar.gz"]["peak_requests_per_second"],
            models["b.tar.gz"]["peak_requests_per_second"]) == (10, 30)
    assert {m["avg_duration_ms"] for m in models.values()} == {30}
    # The fleet is priced as one hint of the observed figures would price it: 40 req/s at
    # 10 req/s per instance = 4 instances all month.
    fleet = MultiModelEndpoint(stack, "Fleet", traffic=TrafficHint(
        requests_per_month=8_000_000, peak_requests_per_second=40, **{**hint,
                                                                      "avg_duration_ms": 30}),
        **props)
    assert mm.cost_estimate.lines[0].quantity == fleet.cost_estimate.lines[0].quantity == 4 * 730
    assert mm.cost_estimate.monthly_usd == fleet.cost_estimate.monthly_usd
    assert "spread over the 2 models in the code's request shares" in (
        mm.cost_estimate.assumptions[-1])
