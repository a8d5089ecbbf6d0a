"""``observe`` without AWS: the arithmetic from datapoints to hint fields (cost/measured.py), its
errors (exit code 2, one line saying what to do), and what moto cannot show: CloudWatch's
pagination and SageMaker's lower-case ARNs. The round trip on the local AWS is in
tests/test_observe_local.py."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.cost.cli import main
from constructs_lib.cost.measured import Runs, Window, batch_fields, online_fields
from constructs_lib.cost.observe import observe
from constructs_lib.cost.report import collect
from constructs_lib.cost.usage import dump_usage, merge_usage, read_usage_file

START = datetime(2026, 11, 1, tzinfo=UTC)


def hour(n: int, minute: int = 0) -> datetime:
    return START + timedelta(hours=n, minutes=minute)


def test_requests_latency_peak_and_busy_hours_from_two_variants():
    window = Window(START, START + timedelta(days=10))  # 240 h
    measured = online_fields(
        window,
        requests_hourly={"Blue": {hour(1): 3_000, hour(2): 1_000},
                         "Green": {hour(2): 1_000, hour(30): 5_000}},
        requests_minutely={"Blue": {hour(2, 7): 600}, "Green": {hour(2, 7): 300,
                                                                 hour(30, 1): 840}},
        latency_sum_us=[{hour(1): 3_000 * 10_000}, {hour(30): 5_000 * 40_000}],
        latency_samples=[{hour(1): 3_000}, {hour(30): 5_000}])
    # 10,000 requests in 240 h → × 730 / 240; ModelLatency (3,000 × 10 ms + 5,000 × 40 ms) /
    # 8,000; the busiest minute sums both variants' (600 + 300 = 900 → 15 req/s); 3 hours with
    # requests in 10 days.
    assert measured.fields == {"requests_per_month": round(10_000 * 730 / 240),
                               "avg_duration_ms": 28.75, "peak_requests_per_second": 15.0,
                               "busy_hours_per_day": 0.3}
    assert measured.notes[0] == ("Invocations (Sum) per production variant: 10,000 in 240.00 h "
                                 "(Blue 4,000, Green 6,000) × 730 / 240.00 → 30,417 "
                                 "requests/month")
    assert measured.notes[-1] == ("left as in code: payload_kb, response_kb: CloudWatch has no "
                                  "request or response sizes")


def test_an_async_endpoint_counts_backlog_hours_as_busy_and_states_no_peak():
    window = Window(START, START + timedelta(days=1))
    measured = online_fields(
        window, metric="InvocationsProcesssed",
        requests_hourly={"AllTraffic": {hour(9): 10, hour(10): 10}}, requests_minutely={},
        latency_sum_us=[{hour(9): 20 * 2_000_000}], latency_samples=[{hour(9): 20}],
        backlog_hourly={hour(9): 4, hour(11): 2, hour(3): 0})
    assert measured.fields == {"requests_per_month": round(20 * 730 / 24),
                               "avg_duration_ms": 2000.0, "busy_hours_per_day": 3.0}
    assert "1 hour(s) with a backlog only; at most 4 queued" in measured.notes[2]
    assert measured.notes[3].startswith("peak_requests_per_second left as in code")


def test_no_traffic_is_zero_requests_and_leaves_what_it_cannot_tell():
    measured = online_fields(Window(START, START + timedelta(days=7)),
                             requests_hourly={"AllTraffic": {}},
                             requests_minutely={"AllTraffic": {}}, latency_sum_us=[{}],
                             latency_samples=[{}])
    assert measured.fields == {"requests_per_month": 0, "peak_requests_per_second": 0.0}
    assert "avg_duration_ms: no ModelLatency samples in the window, left as in code" in (
        measured.notes)
    assert "busy_hours_per_day: no traffic in the window, left as in code" in measured.notes


def test_busy_hours_never_pass_24_and_minute_data_is_the_last_15_days():
    window = Window(START + timedelta(minutes=30), START + timedelta(days=30))
    assert window.minute_start == START + timedelta(days=15)
    every = {hour(n): 1.0 for n in range(30 * 24)}  # a bucket more than the window holds
    measured = online_fields(window, requests_hourly={"AllTraffic": every},
                             requests_minutely={}, latency_sum_us=[], latency_samples=[])
    assert measured.fields["busy_hours_per_day"] == 24.0
    assert "over the last 15.0 days: CloudWatch keeps 1-minute data 15 days" in measured.notes[2]


def test_batch_runs_are_the_executions_that_ran_a_job():
    window = Window(START, START + timedelta(days=30))  # 720 h
    measured = batch_fields(window, Runs(executions=31, job_hours=[1.5] * 30, prefix="Churn"))
    assert measured.fields == {"runs_per_month": round(30 * 730 / 720, 2)}
    assert measured.notes[0].startswith("31 execution(s) of the state machine, 30 of them ran a "
                                        "transform job (Churn-<execution name>)")
    assert "1.500 instance-h on average" in measured.notes[1]
    unknown = batch_fields(window, Runs(executions=31, job_hours=[], prefix=None))
    assert unknown.fields == {"runs_per_month": round(31 * 730 / 720, 2)}


def assembly(tmp_path: Path, environment: str = "aws://123456789012/us-east-1") -> Path:
    """A cloud assembly as `cdk synth` writes it, with one priced real-time endpoint."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": {"Api": {
        "type": "aws:cloudformation:stack", "environment": environment, "displayName": "Api",
        "properties": {"templateFile": "Api.template.json", "stackName": "Api"}}}}))
    (out / "Api.template.json").write_text(json.dumps({"Resources": {"ScorerEndpoint1": {
        "Type": "AWS::SageMaker::Endpoint", "Metadata": {
            "CostEstimate": {"kind": "realtime", "monthly_usd": 10.0, "region": "us-east-1",
                             "lines": [], "traffic": {"requests_per_month": 1}},
            "ConstructsLib": {"path": "Api/Scorer", "construct": "RealTimeEndpoint"}}}}}))
    return out


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere boto3 looks, and nothing AWS can be reached at."""
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:9")  # discard: never AWS


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["observe", *args])
    return code, capsys.readouterr().err.strip()


def test_without_credentials_it_says_how_to_provide_them(no_aws, tmp_path, capsys):
    code, err = run([str(assembly(tmp_path)), "--out", str(tmp_path / "u.json")], capsys)
    assert code == 2
    assert err.startswith("observe: no AWS credentials found. observe reads the deployed "
                          "stacks' CloudFormation resources and CloudWatch metrics")
    assert "cloudwatch:GetMetricData" in err and "then run again" in err
    assert not (tmp_path / "u.json").exists()


def test_an_environment_agnostic_stack_needs_a_region(no_aws, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    out = assembly(tmp_path, "aws://unknown-account/unknown-region")
    code, err = run([str(out), "--out", str(tmp_path / "u.json")], capsys)
    assert (code, err) == (2, "observe: stack Api is environment-agnostic and no region is "
                              "set: pass --region R (or set AWS_REGION)")


@pytest.mark.parametrize(("args", "message"), [
    (["--days", "0"], "observe: --days 0: give a number of days in (0, 455]"),
    (["--end", "yesterday"], "observe: --end 'yesterday': give an ISO 8601 time"),
    (["--stack", "Other"], "observe: no priced construct in {out} for --stack Other: "
                           "synthesize the app that is deployed (`cdk synth`) first"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = assembly(tmp_path)
    code, err = run([str(out), "--out", str(tmp_path / "u.json"), *args], capsys)
    assert code == 2 and err.startswith(message.format(out=out))


def test_a_missing_assembly_says_to_synthesize(tmp_path, capsys):
    code, err = run([str(tmp_path / "nope"), "--out", str(tmp_path / "u.json")], capsys)
    assert (code, err) == (2, f"observe: {tmp_path / 'nope' / 'manifest.json'} not found: run "
                              "`cdk synth` first")


def test_merge_refuses_an_invalid_existing_file(tmp_path, capsys):
    usage = tmp_path / "u.json"
    usage.write_text('{"version": 1, "usage": {"Api/Scorer": {"avg_duration_ms": -1}}}')
    code, err = run([str(assembly(tmp_path)), "--out", str(usage), "--merge"], capsys)
    assert code == 2
    assert f"usage file at '{usage}':\n  - usage['Api/Scorer'].avg_duration_ms=-1" in err
    assert err.endswith("Fix the file, or run without --merge to replace it")


def test_without_boto3_it_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` raises ImportError
    code, err = run([str(assembly(tmp_path)), "--out", str(tmp_path / "u.json")], capsys)
    assert (code, err) == (2, "observe: observe needs boto3: pip install "
                              "'sagemaker-endpoint-constructs[observe]'")


class Pages:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages

    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        return self.pages


class FakeAws:
    """What AWS answers and moto cannot: an ARN in lower case (SageMaker's), a name in mixed
    case (what CloudWatch's EndpointName dimension takes), results over two pages."""

    region_name = "us-east-1"
    NAME = "Api-ScorerEndpoint1-AbCdEf"

    def __init__(self) -> None:
        self.queried: list[list[dict[str, Any]]] = []

    def client(self, service: str, region_name: str) -> FakeAws:
        return self

    def describe_stack_resource(self, **kwargs: Any) -> dict[str, Any]:
        return {"StackResourceDetail": {"PhysicalResourceId": "arn:aws:sagemaker:us-east-1:"
                                        "123456789012:endpoint/api-scorerendpoint1-abcdef"}}

    def get_paginator(self, name: str) -> Pages:
        if name == "list_endpoints":
            return Pages([{"Endpoints": [{"EndpointName": "Other", "EndpointArn": "x"}]},
                          {"Endpoints": [{"EndpointName": self.NAME, "EndpointArn": (
                              "arn:aws:sagemaker:us-east-1:123456789012:endpoint/"
                              "api-scorerendpoint1-abcdef")}]}])
        return self.metric_pages()

    def metric_pages(self) -> Pages:
        series = {"r0": [(hour(1), 100.0), (hour(2), 50.0)], "m0": [(hour(1, 3), 60.0)]}
        pages: list[dict[str, Any]] = [{"MetricDataResults": []}, {"MetricDataResults": []}]
        for qid, points in series.items():
            for page, (stamp, value) in zip(pages, points, strict=False):
                page["MetricDataResults"].append(
                    {"Id": qid, "Timestamps": [stamp], "Values": [value]})
        return Pages(pages)

    def describe_endpoint(self, EndpointName: str) -> dict[str, Any]:
        assert EndpointName == self.NAME
        return {"EndpointName": EndpointName, "CreationTime": START,
                "ProductionVariants": [{"VariantName": "AllTraffic"}]}


def test_endpoint_named_by_its_arn_in_any_case_and_every_page_read(tmp_path):
    log = io.StringIO()
    usage, observed = observe(collect(assembly(tmp_path)), session=FakeAws(), days=1,
                              end=START + timedelta(days=1), region=None, log=log)
    # 150 requests over two pages in 24 h; the busiest minute (60) on the second page.
    assert usage == {"Api/Scorer": {"requests_per_month": round(150 * 730 / 24),
                                    "peak_requests_per_second": 1.0,
                                    "busy_hours_per_day": 2.0}}
    assert observed["Api/Scorer"]["resource"] == FakeAws.NAME
    assert log.getvalue().startswith(f"observe [####################] 1/1 Api/Scorer "
                                     f"(realtime, {FakeAws.NAME}): requests_per_month 4,562")


@pytest.mark.parametrize("name", ["cost-usage.json", "cost-usage.yaml"])
def test_merge_keeps_other_entries_and_fields_it_did_not_measure(tmp_path, name):
    existing = {"version": 1, "usage": {
        "Old/Endpoint": {"requests_per_month": 5},
        "Api/Scorer": {"payload_kb": 3, "requests_per_month": 1}}}
    content = merge_usage(existing, {"Api/Scorer": {"requests_per_month": 900.0,
                                                    "avg_duration_ms": 12.5}},
                          {"Api/Scorer": {"window": {"start": "a", "end": "b"}}})
    path = tmp_path / name
    path.write_text(dump_usage(content, path))
    usage = read_usage_file(path)
    assert dict(usage.entries["Api/Scorer"].fields) == {
        "requests_per_month": 900.0, "avg_duration_ms": 12.5, "payload_kb": 3.0}
    assert dict(usage.entries["Old/Endpoint"].fields) == {"requests_per_month": 5.0}
    assert usage.entries["Api/Scorer"].observed == {"window": {"start": "a", "end": "b"}}
    assert merge_usage(None, {"Api/Scorer": {"requests_per_month": 1.0}}, {})["usage"] == {
        "Api/Scorer": {"requests_per_month": 1.0}}
