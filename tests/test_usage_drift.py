"""The report and the diff show the drift a usage file brings: per construct, the hint in code,
the usage file's, and the estimate under each (read from the cloud assembly, as CI does)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from constructs_lib import ModelSpec, ServerlessEndpoint, TrafficHint
from constructs_lib.cost.diff import diff_cdk_out, render_diff_json, render_diff_markdown
from constructs_lib.cost.report import collect, render_json, render_markdown, usage_drift

from .conftest import ARTIFACT, IMAGE, ROOT

GB_SECOND = 2e-05  # us-east-1 serverless, per GB-second (the packaged book)


def synth(out: Path, usage: Path | None) -> Path:
    app = cdk.App(outdir=str(out), context={} if usage is None else {
        "cost:usage-file": str(usage)})
    for name in ("Tools", "Reports"):
        stack = cdk.Stack(app, name, env=cdk.Environment(region="us-east-1"))
        ServerlessEndpoint(stack, "Ep", model=ModelSpec(image_uri=IMAGE, model_data_url=ARTIFACT),
                           memory_mb=2048, traffic=TrafficHint(
                               requests_per_month=100_000, avg_duration_ms=500, payload_kb=0,
                               response_kb=0))
    app.synth()
    return out


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("drift")
    usage = root / "usage.json"
    usage.write_text(json.dumps({"version": 1, "usage": {
        "Tools/Ep": {"requests_per_month": 250_000, "avg_duration_ms": 400}},
        "observed": {"Tools/Ep": {"window": {"start": "2026-11-01T00:00:00Z",
                                             "end": "2026-12-01T00:00:00Z", "days": 30}}}}))
    return synth(root / "base", None), synth(root / "head", usage)


def test_report_shows_the_hint_in_code_the_usage_file_and_each_estimate(assemblies):
    _, head = assemblies
    rows = collect(head)
    # In code 100,000 × 0.5 s × 2 GB = 100,000 GB-s ($2.00); observed 250,000 × 0.4 s × 2 GB =
    # 200,000 GB-s ($4.00). Reports has no entry: as in code, no drift row.
    assert [r.monthly_usd for r in rows] == [round(100_000 * GB_SECOND, 2),
                                             round(200_000 * GB_SECOND, 2)]
    [drift] = usage_drift(rows)
    assert drift["path"] == "Tools/Ep"
    assert drift["fields"] == {"requests_per_month": {"in_code": 100_000, "in_effect": 250_000},
                               "avg_duration_ms": {"in_code": 500, "in_effect": 400}}
    assert (drift["in_code_monthly_usd"], drift["monthly_usd"], drift["drift_usd"]) == (
        2.0, 4.0, 2.0)
    text = render_markdown(rows)
    assert ("| `Tools/Ep` | requests_per_month 100,000 → 250,000; avg_duration_ms 500 → 400 | "
            "$2.00 | $4.00 | +$2.00 |") in text
    assert ("Usage file `" + str(head.parent / "usage.json") + "`: observed by `observe` from "
            "2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z") in text
    assert "`Reports/Ep`" not in text.split("**Traffic from a usage file**")[1]
    assert "Estimates from traffic hints and usage files, not bills." in text
    payload = json.loads(render_json(rows))
    assert payload["usage_drift"] == [drift]
    [tools] = [e for e in payload["endpoints"] if e["path"] == "Tools/Ep"]
    assert tools["usage"]["traffic_in_code"]["requests_per_month"] == 100_000


def test_a_report_without_a_usage_file_has_no_drift_section(assemblies):
    base, _ = assemblies
    text = render_markdown(collect(base))
    assert "usage file" not in text.lower()
    assert json.loads(render_json(collect(base)))["usage_drift"] == []


def test_diff_says_which_traffic_came_from_the_usage_file_and_shows_the_drift(assemblies):
    base, head = assemblies
    diff = diff_cdk_out(base, head)
    [change] = diff.changes
    assert change.path == "Tools/Ep" and change.delta_usd == 2.0
    assert list(change.drivers) == [
        "traffic avg_duration_ms 500 → 400 (usage file)",
        "traffic requests_per_month 100,000 → 250,000 (usage file)"]
    text = render_diff_markdown(diff)
    assert "**Traffic from a usage file** (the estimates above use it):" in text
    assert "| `Tools/Ep` | requests_per_month 100,000 → 250,000; avg_duration_ms 500 → 400 | " \
           "$2.00 | $4.00 | +$2.00 |" in text
    assert json.loads(render_diff_json(diff))["usage_drift"][0]["drift_usd"] == 2.0


def test_report_cli_prints_the_drift(assemblies):
    _, head = assemblies
    out = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(head)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "| `Tools/Ep` | requests_per_month 100,000 → 250,000" in out
