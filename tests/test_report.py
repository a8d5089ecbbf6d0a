"""The cost report, built from a real cloud assembly of the example app."""

import json
import subprocess
import sys

import aws_cdk as cdk
import pytest

from constructs_lib.cost.report import collect, render_markdown
from stacks import build_app

from .conftest import ROOT


@pytest.fixture(scope="module")
def cdk_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(out))
    build_app(app)
    app.synth()
    return out


def test_report_has_every_example_endpoint_with_template_figures(cdk_out):
    rows = collect(cdk_out)
    assert [(r.stack, r.path, r.kind) for r in rows] == [
        ("CanaryRollout", "CanaryRollout/Churn", "realtime"),
        ("DocumentProcessing", "DocumentProcessing/Extractor", "async"),
        ("FraudCheckApi", "FraudCheckApi/Scorer", "realtime"),
        ("InternalTool", "InternalTool/Summariser", "serverless"),
        ("NightlyScoring", "NightlyScoring/ChurnScoring", "batch"),
        ("PerCustomerModels", "PerCustomerModels/CustomerScoring", "multimodel"),
        ("ReviewSentiment", "ReviewSentiment/Scorer", "realtime"),
        ("SharedLlmFleet", "SharedLlmFleet/LlmFleet", "inference_components"),
        ("WrongKindDemo", "WrongKindDemo/DocumentTagger", "realtime"),
    ]
    template = json.loads((cdk_out / "FraudCheckApi.template.json").read_text())
    endpoint = next(r for r in template["Resources"].values()
                    if r["Type"] == "AWS::SageMaker::Endpoint")
    assert rows[2].estimate == endpoint["Metadata"]["CostEstimate"]
    template = json.loads((cdk_out / "NightlyScoring.template.json").read_text())
    machine = next(r for r in template["Resources"].values()
                   if r["Type"] == "AWS::StepFunctions::StateMachine")
    assert rows[4].estimate == machine["Metadata"]["CostEstimate"]


def test_report_shows_each_component_and_quotes_scaled_to_zero_and_always_on(cdk_out):
    [row] = [r for r in collect(cdk_out) if r.kind == "inference_components"]
    shares: dict[str, float] = {}
    for line in row.estimate["lines"]:
        shares[line["component"]] = shares.get(line["component"], 0.0) + line["monthly_usd"]
    [always] = [a for a in row.estimate["alternatives"] if a["kind"] == "inference_components"]
    md = render_markdown(collect(cdk_out))
    notes = md.split("Components of `SharedLlmFleet/LlmFleet`:", 1)[1]
    assert f"- chat: ${shares['chat']:,.2f}/month (ml.g5.12xlarge hosting: " in notes
    assert f"- summarise: ${shares['summarise']:,.2f}/month (ml.g5.12xlarge hosting: " in notes
    saving = always["monthly_usd"] - row.monthly_usd
    assert (f"Scale to zero: `SharedLlmFleet/LlmFleet` costs ${row.monthly_usd:,.2f}/month "
            f"scaled to zero; always on it would cost ${always['monthly_usd']:,.2f}/month: "
            f"saves ${saving:,.2f}/month") in notes
    assert row.monthly_usd < 0.5 * always["monthly_usd"]


def test_markdown_report_snapshot(cdk_out, snapshot):
    assert render_markdown(collect(cdk_out)) == snapshot


def test_report_cli_markdown_and_json(cdk_out):
    md = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(cdk_out)],
                        capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert md.startswith("| Construct | Kind | Region | $/month |")
    assert "`FraudCheckApi/Scorer` | realtime | us-east-1 |" in md
    raw = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(cdk_out),
                          "--json"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    data = json.loads(raw)
    assert data["total_monthly_usd"] == round(sum(e["monthly_usd"] for e in data["endpoints"]), 2)
    assert {e["kind"] for e in data["endpoints"]} == {"realtime", "serverless", "async", "batch",
                                                      "multimodel", "inference_components"}


def test_report_on_missing_dir_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report",
                             str(tmp_path / "nope")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "run `cdk synth` first" in result.stderr
