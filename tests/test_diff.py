"""The pull-request cost diff, on real cloud assemblies synthesized here (base and head)."""

import json
import subprocess
import sys

import aws_cdk as cdk
import pytest

from constructs_lib import (
    AutoscalingOptions,
    ModelSpec,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)
from constructs_lib.cost.diff import COMMENT_MARKER, diff_cdk_out, render_diff_markdown
from constructs_lib.cost.report import collect
from stacks import build_app

from .conftest import IMAGE, ROOT

STEADY = TrafficHint(requests_per_month=50_000_000, avg_duration_ms=25, payload_kb=2,
                     response_kb=0.5, peak_requests_per_second=60)


def payments_app(outdir, version):
    """A small app in two versions: head changes an instance type, a count, traffic and a kind,
    removes one endpoint and adds a (wrong-kind) GPU one."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Payments", env=cdk.Environment(region="us-east-1"))
    model = ModelSpec(image_uri=IMAGE)
    head = version == "head"
    RealTimeEndpoint(stack, "Scorer", model=model, traffic=STEADY,
                     instance_type="ml.c5.2xlarge" if head else "ml.c5.xlarge",
                     autoscaling=AutoscalingOptions(min_instances=2, max_instances=6))
    RealTimeEndpoint(stack, "Ranker", model=model, instance_type="ml.m5.large",
                     traffic=STEADY, instance_count=3 if head else 1)
    ServerlessEndpoint(stack, "Summariser", model=model, memory_mb=3072, traffic=TrafficHint(
        requests_per_month=50_000 if head else 5_000, avg_duration_ms=900))
    if head:
        ServerlessEndpoint(stack, "Search", model=model, memory_mb=2048,
                           traffic=TrafficHint(requests_per_month=20_000))
        RealTimeEndpoint(stack, "Tagger", model=model, instance_type="ml.g5.xlarge",
                         traffic=TrafficHint(requests_per_month=3000, avg_duration_ms=2000,
                                             records_per_run=100, runs_per_month=30))
    else:
        RealTimeEndpoint(stack, "Search", model=model, instance_type="ml.m5.large",
                         traffic=TrafficHint(requests_per_month=20_000))
        RealTimeEndpoint(stack, "Legacy", model=model, instance_type="ml.m5.xlarge",
                         traffic=TrafficHint(requests_per_month=1000))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    return payments_app(root / "base", "base"), payments_app(root / "head", "head")


def test_diff_rows_and_drivers(pair):
    diff = diff_cdk_out(*pair)
    by_path = {c.path: c for c in diff.changes}
    assert {p: c.change for p, c in by_path.items()} == {
        "Payments/Legacy": "removed", "Payments/Ranker": "changed", "Payments/Scorer": "changed",
        "Payments/Search": "changed", "Payments/Summariser": "changed", "Payments/Tagger": "added",
    }
    assert by_path["Payments/Scorer"].drivers[0] == "instance type ml.c5.xlarge → ml.c5.2xlarge"
    # 1 → 3 always-on ml.m5.large: 730 → 2,190 instance-hours, +2 × 83.95 = +167.90, and two
    # more 4 GB storage volumes: +2 × 0.56 → +169.02 (the rounded estimates' difference)
    assert by_path["Payments/Ranker"].drivers == ("instance-hours 730 → 2,190 (count or scaling)",)
    assert by_path["Payments/Ranker"].delta_usd == 169.02
    assert by_path["Payments/Summariser"].drivers == (
        "traffic requests_per_month 5,000 → 50,000",)
    assert by_path["Payments/Search"].drivers[:2] == (
        "kind realtime → serverless", "instance type ml.m5.large → -")
    assert diff.delta == round(diff.after_total - diff.before_total, 2)
    assert any("`Payments/Tagger`" in w and "batch would cost" in w for w in diff.warnings)


def test_diff_markdown_snapshot(pair, snapshot):
    text = render_diff_markdown(diff_cdk_out(*pair))
    assert text.startswith(COMMENT_MARKER + "\n")
    assert text == snapshot


def run_diff(*args):
    return subprocess.run([sys.executable, "-m", "constructs_lib.cost", "diff", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_diff_cli_json_and_fail_thresholds(pair):
    result = run_diff(*pair, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["delta_monthly_usd"] == round(
        data["after_total_monthly_usd"] - data["before_total_monthly_usd"], 2)
    assert {c["change"] for c in data["changes"]} == {"added", "removed", "changed"}
    delta = data["delta_monthly_usd"]
    assert delta > 0
    over = run_diff(*pair, "--fail-above", delta - 1)
    assert over.returncode == 1 and over.stdout.startswith(COMMENT_MARKER)
    assert "is above --fail-above" in over.stderr
    assert run_diff(*pair, "--fail-above", delta + 1).returncode == 0
    pct = data["delta_percent"]
    assert run_diff(*pair, "--fail-above-percent", pct - 0.5).returncode == 1
    assert run_diff(*pair, "--fail-above-percent", pct + 0.5).returncode == 0
    # a decrease never fails: head → base
    assert run_diff(pair[1], pair[0], "--fail-above", 0, "--fail-above-percent", 0).returncode == 0


@pytest.fixture(scope="module")
def example_apps(tmp_path_factory):
    """The example app twice: as is, and with a negotiated ml.c5.xlarge rate."""
    root = tmp_path_factory.mktemp("examples")
    head = {"cost:hourly-overrides": {"ml.c5.xlarge": 0.15}}
    for name, context in (("base", {}), ("head", head)):
        app = cdk.App(outdir=str(root / name), context=context)
        build_app(app)
        app.synth()
    return root / "base", root / "head"


def test_diff_of_example_app_names_the_price_book_and_keeps_the_demo_warning(
    example_apps, snapshot
):
    diff = diff_cdk_out(*example_apps)
    # The override reprices every ml.c5.xlarge endpoint, and only those.
    changed = {c.path: c for c in diff.changes}
    c5 = {r.path for r in collect(example_apps[0])
          if any(line["item"].startswith("ml.c5.xlarge") for line in r.estimate["lines"])}
    assert set(changed) == c5 and "FraudCheckApi/Scorer" in c5
    change = changed["FraudCheckApi/Scorer"]
    # 1,460 instance-hours × (0.15 - 0.204) = -78.84
    assert change.delta_usd == -78.84
    assert change.drivers[0].startswith("price book aws-sagemaker-on-demand")
    # every other example endpoint: same cost, and a new price-book label alone is no change
    assert diff.unchanged == len(collect(example_apps[1])) - len(c5)
    assert render_diff_markdown(diff) == snapshot
    same = run_diff(example_apps[0], example_apps[0]).stdout
    assert same.count("Monthly cost will not change") == 1


def test_workflow_runs_the_tested_command_and_finds_its_comment_by_the_marker():
    import yaml

    text = (ROOT / ".github" / "workflows" / "cost.yml").read_text()
    workflow = yaml.safe_load(text)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["cost-diff"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "dev.sh cdk synth" in runs and "-m constructs_lib.cost diff" in runs
    script = next(s for s in steps if s.get("uses", "").startswith("actions/github-script"))
    assert COMMENT_MARKER in script["with"]["script"]
    assert "updateComment" in script["with"]["script"]
