"""checkov over every synthesized example template (and the hardening features stack): every
failed check is fixed, or skipped in the template with checkov's metadata convention
(``Metadata.checkov.skip: [{id, comment}]``) and a specific reason.

checkov runs from its own virtual environment (``.venv-checkov``, made by ``dev.sh``; its pins
conflict with pytest's), through its command line: ``CHECKOV`` names the executable."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .hardening import synthesized

CHECKOV = os.environ.get("CHECKOV", str(ROOT / ".venv-checkov" / "bin" / "checkov"))


def checkov(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """checkov's JSON report over ``templates`` (stack name -> template)."""
    if not Path(CHECKOV).exists():
        pytest.fail(f"checkov not found at {CHECKOV}: run `bash dev.sh test` (it installs it)")
    with tempfile.TemporaryDirectory(prefix="checkov-") as folder:
        for name, template in templates.items():
            Path(folder, f"{name}.template.json").write_text(json.dumps(template))
        run = subprocess.run(
            [CHECKOV, "-d", folder, "--framework", "cloudformation", "-o", "json", "--quiet",
             "--compact", "--skip-download"],
            capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(run.stdout)
    return report[0] if isinstance(report, list) else report


def test_every_template_passes_or_skips_with_a_reason():
    templates = synthesized().templates
    report = checkov(templates)
    failed = [f"{f['check_id']} {f['resource']} ({f['file_path']})"
              for f in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 100
    skips = [s for t in templates.values() for r in t["Resources"].values()
             for s in r.get("Metadata", {}).get("checkov", {}).get("skip", [])]
    assert skips, "the templates carry their skips"
    assert all(len(s["comment"]) > 40 for s in skips), skips


def test_checkov_does_report_a_failure():
    bare = {"Resources": {"Bare": {"Type": "AWS::S3::Bucket", "Properties": {}}}}
    report = checkov({"Bare": bare})
    assert {f["check_id"] for f in report["results"]["failed_checks"]} >= {"CKV_AWS_18"}
