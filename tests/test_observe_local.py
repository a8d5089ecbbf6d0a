"""The usage-file round trip on the local AWS (moto's server, tests/local_aws.py): create the
example stacks from their synthesized templates, publish CloudWatch datapoints for their
endpoints (and run the batch transform's state machine), run ``observe``, synthesize the
example app with ``-c cost:usage-file=...`` through the pinned CLI, and check the estimates'
traffic and figures by hand.

What moto emulates, and what is checked otherwise:
- CloudFormation creates the stacks from the templates (``CreateStack``), and
  ``DescribeStackResource`` names each construct's physical ID (moto fails it with HTTP 500
  when a type it does not create comes first in the stack; the server is patched:
  ``describe_stack_resource_past_unsupported_types`` in tests/local_aws.py).
- CloudWatch keeps what ``PutMetricData`` sends and aggregates it in ``GetMetricData`` (Sum,
  SampleCount, Maximum per period). It does not publish SageMaker's own metrics: the test
  publishes them under ``AWS/SageMaker`` with SageMaker's names, units and dimensions. Its
  periods start at the query's start time (CloudWatch's align to the minute), and it accepts
  datapoints in the future: the window ends two days after the stacks were created and the
  datapoints sit in it, as if two days had passed.
- Step Functions records executions without running them, and SageMaker's transform jobs
  complete at once (``TransformStartTime`` = ``TransformEndTime``): the test starts the
  executions and creates their jobs (``<prefix>-<execution name>``) itself; the jobs' billed
  hours are therefore 0 here, checked only in the notes' wording.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib.cost.report import collect
from stacks import (
    DocumentProcessingStack,
    FraudCheckApiStack,
    InternalToolStack,
    NightlyScoringStack,
)

from .local_aws import REGION, LocalAws

pytestmark = pytest.mark.deploy

STACKS = {"FraudCheckApi": FraudCheckApiStack, "InternalTool": InternalToolStack,
          "DocumentProcessing": DocumentProcessingStack, "NightlyScoring": NightlyScoringStack}
BOOTSTRAP_VERSION = "/cdk-bootstrap/hnb659fds/version"
NS = "AWS/SageMaker"
HOSTING_C5, HOSTING_M5 = 0.204, 0.23  # us-east-1, per instance-hour (the packaged book)
DATA_GB = 0.016  # us-east-1 data processed in and out, per GB
GB_SECOND = 2e-05  # us-east-1 serverless, per GB-second
STORAGE = 0.14  # us-east-1 ML storage volume (Host:VolumeUsage.gp2), per GB-month
"""Each instance's volume bills GB × its instance-hours ÷ 730 (c5.xlarge 4 GB, m5.xlarge 8 GB)."""
KB_PER_GB = 1024 * 1024


def synth_deployed(out: Path) -> Path:
    """The four example stacks, as they were deployed (no usage file)."""
    app = cdk.App(outdir=str(out))
    for name, stack in STACKS.items():
        stack(app, name, env=cdk.Environment(region=REGION))
    app.synth()
    return out


def create_stacks(aws: LocalAws, out: Path) -> None:
    cfn, ssm = aws.client("cloudformation"), aws.client("ssm")
    if not ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Values": [BOOTSTRAP_VERSION]}])["Parameters"]:
        ssm.put_parameter(Name=BOOTSTRAP_VERSION, Value="30", Type="String")  # as bootstrap does
    live = {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}
    for name in STACKS:
        if name in live:  # left by an interrupted run of another deploy test
            cfn.delete_stack(StackName=name)
        cfn.create_stack(StackName=name, TemplateBody=(out / f"{name}.template.json").read_text(),
                         Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
        assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == \
            "CREATE_COMPLETE"


def physical(aws: LocalAws, stack: str, resource_type: str) -> str:
    resources = aws.client("cloudformation").list_stack_resources(StackName=stack)
    [found] = [r["PhysicalResourceId"] for r in resources["StackResourceSummaries"]
               if r.get("ResourceType") == resource_type]
    return str(found)


def endpoint(aws: LocalAws, stack: str) -> tuple[str, datetime]:
    """(EndpointName, CreationTime) of the stack's endpoint."""
    arn = physical(aws, stack, "AWS::SageMaker::Endpoint")
    described = aws.client("sagemaker").describe_endpoint(EndpointName=arn.split("/")[-1])
    return described["EndpointName"], described["CreationTime"]


class Metrics:
    """Datapoints as SageMaker publishes them, for one endpoint and its AllTraffic variant."""

    def __init__(self, name: str, start: datetime) -> None:
        self.name, self.start, self.data = name, start, []

    def at(self, hour: int, minute: int) -> datetime:
        return self.start + timedelta(hours=hour, minutes=minute)

    def count(self, metric: str, hour: int, minute: int, value: float,
              variant: str | None = "AllTraffic") -> None:
        dims = [{"Name": "EndpointName", "Value": self.name}]
        if variant:
            dims.append({"Name": "VariantName", "Value": variant})
        self.data.append({"MetricName": metric, "Dimensions": dims, "Unit": "None" if variant
                          else "Count", "Timestamp": self.at(hour, minute), "Value": value})

    def latency(self, hour: int, minute: int, requests: float, each_us: float) -> None:
        self.data.append({
            "MetricName": "ModelLatency", "Unit": "Microseconds",
            "Dimensions": [{"Name": "EndpointName", "Value": self.name},
                           {"Name": "VariantName", "Value": "AllTraffic"}],
            "Timestamp": self.at(hour, minute), "StatisticValues": {
                "SampleCount": requests, "Sum": requests * each_us, "Minimum": each_us,
                "Maximum": each_us}})

    def put(self, aws: LocalAws) -> None:
        cw = aws.client("cloudwatch")
        for i in range(0, len(self.data), 200):
            cw.put_metric_data(Namespace=NS, MetricData=self.data[i:i + 200])


def fraud_traffic(m: Metrics) -> None:
    """Two days, quiet 00-04 each day; 4 × 30,000 requests an hour (one minute of 36,000 on
    the second day); 20 ms per request the first day, 24 ms the second."""
    for hour in range(48):
        if hour % 24 < 4:
            continue
        counts = [30_000, 30_000, 36_000 if hour == 30 else 30_000, 30_000]
        for minute, count in zip((5, 20, 35, 50), counts, strict=True):
            m.count("Invocations", hour, minute, count)
        m.latency(hour, 5, sum(counts), 20_000 if hour < 24 else 24_000)


def summariser_traffic(m: Metrics) -> None:
    """Office hours 09-18: 2 × 15 requests an hour, 850 ms each."""
    for hour in range(48):
        if 9 <= hour % 24 < 18:
            m.count("Invocations", hour, 10, 15)
            m.count("Invocations", hour, 40, 15)
            m.latency(hour, 10, 30, 850_000)


def extractor_traffic(m: Metrics) -> None:
    """Uploads 09-17 (2 × 25 processed an hour, 18 s each); a backlog through 17:00 (then it
    drains); an empty queue at night."""
    for hour in range(48):
        if 9 <= hour % 24 < 17:
            m.count("InvocationsProcesssed", hour, 10, 25)
            m.count("InvocationsProcesssed", hour, 40, 25)
            m.latency(hour, 10, 50, 18_000_000)
        if 9 <= hour % 24 <= 17:
            m.count("ApproximateBacklogSize", hour, 15, 6 if hour % 24 < 17 else 3, None)
        if hour % 24 == 2:
            m.count("ApproximateBacklogSize", hour, 15, 0, None)


def run_batch(aws: LocalAws) -> datetime:
    """Four executions of the nightly scoring's state machine; three ran their job (the job
    name is <prefix>-<execution name>). Returns the state machine's creation time."""
    machine = physical(aws, "NightlyScoring", "AWS::StepFunctions::StateMachine")
    model = physical(aws, "NightlyScoring", "AWS::SageMaker::Model").split("/")[-1]
    sfn, sm = aws.client("stepfunctions"), aws.client("sagemaker")
    for run in range(1, 5):
        sfn.start_execution(stateMachineArn=machine, name=f"run-{run}", input="{}")
        if run < 4:
            sm.create_transform_job(
                TransformJobName=f"ChurnScoring-run-{run}", ModelName=model,
                TransformInput={"DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri": "s3://crm-analytics-exports/churn/in/"}}},
                TransformOutput={"S3OutputPath": "s3://crm-analytics-exports/churn/scores/"},
                TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 2})
    created: datetime = sfn.describe_state_machine(stateMachineArn=machine)["creationDate"]
    return created


def observe(aws: LocalAws, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "constructs_lib.cost", "observe", *args],
                          cwd=Path(__file__).resolve().parent.parent, env=aws.env(),
                          capture_output=True, text=True, timeout=300)


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


def test_observe_writes_the_usage_file_and_synth_prices_from_it(local_aws: LocalAws,
                                                                tmp_path: Path) -> None:
    aws = local_aws
    deployed = synth_deployed(tmp_path / "deployed")
    create_stacks(aws, deployed)
    try:
        check_round_trip(aws, deployed, tmp_path)
    finally:
        for name in STACKS:
            aws.client("cloudformation").delete_stack(StackName=name)


def check_round_trip(aws: LocalAws, deployed: Path, tmp_path: Path) -> None:
    created: dict[str, datetime] = {}
    for stack, make in (("FraudCheckApi", fraud_traffic), ("InternalTool", summariser_traffic),
                        ("DocumentProcessing", extractor_traffic)):
        name, created[stack] = endpoint(aws, stack)
        metrics = Metrics(name, created[stack])
        make(metrics)
        metrics.put(aws)
    created["NightlyScoring"] = run_batch(aws)
    end = (max(created.values()) + timedelta(days=2, minutes=2)).replace(second=0,
                                                                        microsecond=0)
    hours = {stack: hours_between(at, end) for stack, at in created.items()}

    # A usage file from an earlier week: an entry for a construct since removed, and a payload
    # size a reviewer wrote by hand. --merge keeps both.
    usage = tmp_path / "cost-usage.json"
    usage.write_text(json.dumps({"version": 1, "usage": {
        "Legacy/Endpoint": {"requests_per_month": 5}, "FraudCheckApi/Scorer": {"payload_kb": 3}}}))
    result = observe(aws, str(deployed), "--out", str(usage), "--days", "3", "--end",
                     end.isoformat(), "--merge")
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("observe [")]
    assert [line.split("] ")[1].split(" (")[0] for line in progress] == [
        "1/4 DocumentProcessing/Extractor", "2/4 FraudCheckApi/Scorer",
        "3/4 InternalTool/Summariser", "4/4 NightlyScoring/ChurnScoring"]
    assert f"wrote {usage}: 4 construct(s) observed, 1 other entry kept" in result.stderr
    written = json.loads(usage.read_text())
    assert written["version"] == 1
    assert written["usage"]["Legacy/Endpoint"] == {"requests_per_month": 5}

    # By hand. Fraud: 40 busy hours of 120,000 requests, plus 6,000 in the busiest minute
    # (36,000: 600 req/s); 2,400,000 requests at 20 ms, 2,406,000 at 24 ms.
    fraud_requests = 40 * 120_000 + 6_000
    fraud = written["usage"]["FraudCheckApi/Scorer"]
    assert fraud == {
        "requests_per_month": round(fraud_requests * 730 / hours["FraudCheckApi"]),
        "avg_duration_ms": round((2_400_000 * 20 + 2_406_000 * 24) / fraud_requests, 3),
        "payload_kb": 3,  # kept: CloudWatch has no payload sizes
        "peak_requests_per_second": 600.0,
        "busy_hours_per_day": round(40 / (hours["FraudCheckApi"] / 24), 2)}
    assert fraud["avg_duration_ms"] == 22.002  # 105,744,000 ms over 4,806,000 requests
    assert 19.9 < fraud["busy_hours_per_day"] <= 20.0  # 40 hours in a window of just over 2 days
    tool = written["usage"]["InternalTool/Summariser"]
    assert tool == {"requests_per_month": round(18 * 30 * 730 / hours["InternalTool"]),
                    "avg_duration_ms": 850.0, "peak_requests_per_second": 0.25,
                    "busy_hours_per_day": round(18 / (hours["InternalTool"] / 24), 2)}
    # Async: InvocationsProcesssed; 16 hours processing plus 2 with a backlog only are busy;
    # no peak (the queue absorbs it).
    docs = written["usage"]["DocumentProcessing/Extractor"]
    assert docs == {"requests_per_month": round(16 * 50 * 730 / hours["DocumentProcessing"]),
                    "avg_duration_ms": 18_000.0,
                    "busy_hours_per_day": round(18 / (hours["DocumentProcessing"] / 24), 2)}
    # Batch: 4 executions, 3 ran a job.
    churn = written["usage"]["NightlyScoring/ChurnScoring"]
    assert churn == {"runs_per_month": round(3 * 730 / hours["NightlyScoring"], 2)}
    notes = written["observed"]["NightlyScoring/ChurnScoring"]["notes"]
    assert notes[0].startswith("4 execution(s) of the state machine, 3 of them ran a transform "
                               "job (ChurnScoring-<execution name>)")
    assert "0.000 instance-h on average" in notes[1]  # moto's jobs end as they start
    source = written["observed"]["FraudCheckApi/Scorer"]
    assert source["stack"] == "FraudCheckApi" and source["region"] == REGION
    assert source["window"]["end"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert source["resource"] == endpoint(aws, "FraudCheckApi")[0]

    # The example app, synthesized with the usage file by the pinned CLI.
    out = tmp_path / "observed"
    synth = aws.cdk("synth", "--quiet", context={"cost:usage-file": str(usage)}, output=out,
                    timeout=300)
    text = synth.stdout + synth.stderr
    assert f"Usage file {usage}: 1 entry matches no priced construct of this app" in text
    assert "'Legacy/Endpoint'" in text
    rows = {r.path: r for r in collect(out)}
    check_fraud(rows["FraudCheckApi/Scorer"].estimate, fraud)
    check_summariser(rows["InternalTool/Summariser"].estimate, tool)
    check_extractor(rows["DocumentProcessing/Extractor"].estimate, docs)
    check_churn(rows["NightlyScoring/ChurnScoring"].estimate, churn)
    assert "usage" not in rows["CanaryRollout/Churn"].estimate  # not in the file: as in code

    report = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(out)],
                            capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent).stdout
    drift = report.split("**Traffic from a usage file**")[1]
    for path in ("FraudCheckApi/Scorer", "InternalTool/Summariser",
                 "DocumentProcessing/Extractor", "NightlyScoring/ChurnScoring"):
        assert f"| `{path}` |" in drift
    assert ("| `FraudCheckApi/Scorer` | requests_per_month 200,000,000 → "
            f"{fraud['requests_per_month']:,.0f}; avg_duration_ms 25 → 22.002;") in drift


def data_usd(requests: float, payload_kb: float, response_kb: float) -> float:
    return requests * (payload_kb + response_kb) / KB_PER_GB * DATA_GB


def check_fraud(estimate: dict[str, Any], hint: dict[str, float]) -> None:
    """Real-time, autoscaling 2-8 at 6,000 invocations/instance/minute (100 req/s): 600 req/s
    needs 6 instances through the busy hours, 2 (the minimum) the rest."""
    assert {k: estimate["traffic"][k] for k in hint} == hint
    assert estimate["traffic"]["response_kb"] == 0.5  # as in code
    busy = hint["busy_hours_per_day"] * 730 / 24
    instance_hours = 6 * busy + 2 * (730 - busy)
    [hosting] = [line for line in estimate["lines"] if line["unit"] == "instance-hour"]
    assert hosting["quantity"] == pytest.approx(instance_hours, abs=1e-4)
    expected = (instance_hours * (HOSTING_C5 + 4 / 730 * STORAGE)
                + data_usd(hint["requests_per_month"], 3, 0.5))
    assert estimate["monthly_usd"] == pytest.approx(expected, abs=0.005)
    # The hint in code: 150 req/s needs 2 instances all month; 200M requests of 2 + 0.5 KB.
    in_code = 2 * 730 * (HOSTING_C5 + 4 / 730 * STORAGE) + data_usd(200_000_000, 2, 0.5)
    assert estimate["usage"]["in_code_monthly_usd"] == round(in_code, 2) == 306.59
    assert estimate["usage"]["fields"] == list(hint)
    assert estimate["usage"]["traffic_in_code"]["peak_requests_per_second"] == 150


def check_summariser(estimate: dict[str, Any], hint: dict[str, float]) -> None:
    """Serverless at 3 GB: requests × 0.85 s × 3 GB-seconds, plus 8 KB in and 2 KB out."""
    assert {k: estimate["traffic"][k] for k in hint} == hint
    gb_seconds = hint["requests_per_month"] * 0.85 * 3
    assert estimate["lines"][0]["quantity"] == pytest.approx(gb_seconds, abs=1e-4)
    expected = gb_seconds * GB_SECOND + data_usd(hint["requests_per_month"], 8, 2)
    assert estimate["monthly_usd"] == pytest.approx(expected, abs=0.005)
    assert estimate["usage"]["in_code_monthly_usd"] == round(
        5_000 * 0.9 * 3 * GB_SECOND + data_usd(5_000, 8, 2), 2)


def check_extractor(estimate: dict[str, Any], hint: dict[str, float]) -> None:
    """Async at min 0, 2 concurrent per instance: about 400 requests a day × 18 s ÷ 2 = 1 h of
    work, in 9 busy hours: one instance through the busy hours each day, plus 300 s warm-up
    and 900 s idle tail, at the hosting rate (the book has no AsyncInf: m5 reading); plus
    12 MB in and 50 KB out per request."""
    assert {k: estimate["traffic"][k] for k in hint} == hint
    assert estimate["traffic"]["peak_requests_per_second"] == 3  # as in code
    days = 730 / 24
    per_day = hint["requests_per_month"] / days
    window_s = hint["busy_hours_per_day"] * 3600
    assert math.ceil(per_day * 18 / 2 / window_s) == 1 and window_s / per_day < 18 + 900
    instance_hours = days * (window_s + 300 + 900) / 3600
    [hosting] = [line for line in estimate["lines"] if line["unit"] == "instance-hour"]
    assert hosting["quantity"] == pytest.approx(instance_hours, abs=1e-4)
    expected = (instance_hours * (HOSTING_M5 + 8 / 730 * STORAGE)
                + data_usd(hint["requests_per_month"], 12 * 1024, 50))
    assert estimate["monthly_usd"] == pytest.approx(expected, abs=0.005)


def check_churn(estimate: dict[str, Any], hint: dict[str, float]) -> None:
    """Batch: 5M records × 8 ms ÷ (2 instances × 4 transforms) + 300 s = 5,300 s a job on 2
    instances, runs_per_month times."""
    assert estimate["traffic"]["runs_per_month"] == hint["runs_per_month"]
    assert estimate["traffic"]["records_per_run"] == 5_000_000  # as in code
    per_run = 2 * 5_300 / 3600
    assert estimate["lines"][0]["quantity"] == pytest.approx(
        per_run * hint["runs_per_month"], abs=1e-4)
    assert estimate["monthly_usd"] == pytest.approx(
        per_run * hint["runs_per_month"] * (HOSTING_M5 + 8 / 730 * STORAGE), abs=0.005)
    assert estimate["usage"]["in_code_monthly_usd"] == round(
        per_run * 30 * (HOSTING_M5 + 8 / 730 * STORAGE), 2)


def test_a_stack_that_is_not_deployed_is_exit_2_saying_what_to_do(local_aws: LocalAws,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(out))
    InternalToolStack(app, "NeverDeployed", env=cdk.Environment(region=REGION))
    app.synth()
    result = observe(local_aws, str(out), "--out", str(tmp_path / "u.json"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"observe: stack NeverDeployed is not deployed in {REGION}: deploy it (`cdk deploy "
        "NeverDeployed`), leave it out with --stack, or check the region and account of your "
        "credentials")
    assert not (tmp_path / "u.json").exists()
