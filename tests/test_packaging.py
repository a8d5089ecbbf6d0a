"""The package as users get it: `python -m build` makes a wheel and an sdist carrying the data
files and py.typed; the wheel, installed into a fresh virtual environment outside the
repository, runs a three-line CDK app through the pinned CLI, with the aws-cdk-lib of
constraints.txt and with the lowest one pyproject.toml allows.

Installs reuse pip's cache (PIP_CACHE_DIR or its default), so the locked versions come from the
cache dev.sh's own install filled. The lowest aws-cdk-lib is downloaded once per machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from .conftest import ROOT
from .test_cli_synth import CDK, cli_env

PACKAGE_DATA = sorted(
    str(p.relative_to(ROOT))
    for p in [ROOT / "constructs_lib" / "py.typed",
              *ROOT.glob("constructs_lib/pricing/data/*.json"),
              *ROOT.glob("constructs_lib/spec/data/*.json")])

APP = """\
import aws_cdk as cdk, constructs_lib as sm
app = cdk.App(); stack = cdk.Stack(app, "Wheel", env=cdk.Environment(region="us-east-1"))
sm.ServerlessEndpoint(stack, "Tool", model=sm.ModelSpec(image_uri="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", model_data_url="s3://my-models/tool/model.tar.gz"), traffic=sm.TrafficHint(requests_per_month=20_000)); app.synth()
"""  # noqa: E501


def run(*cmd: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m build` of the repository: {"wheel": ..., "sdist": ...}."""
    pytest.importorskip("build", reason="the dev extra installs build: run `bash dev.sh test`")
    # From a copy: a build writes build/ and *.egg-info into its source tree, and each xdist
    # worker builds its own.
    source = tmp_path_factory.mktemp("source") / "src"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "node_modules", "cdk.out*", "build", "dist", "*.egg-info",
        "__pycache__", ".*_cache", ".hypothesis", ".benchmarks"))
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, source, cwd=source, timeout=600)
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_wheel_carries_the_data_files_the_license_and_py_typed(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    assert PACKAGE_DATA and set(PACKAGE_DATA) <= names, sorted(set(PACKAGE_DATA) - names)
    assert not any(n.startswith(("tests/", "stacks/", "benchmarks/")) for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(dist["wheel"]).read(meta).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"Version: {project['version']}" in text
    assert "Requires-Python: >=3.11" in text
    for dep in project["dependencies"]:
        name = Requirement(dep).name
        assert any(line.startswith(f"Requires-Dist: {name}") for line in text.splitlines()), dep


def test_sdist_carries_the_data_files_the_license_and_py_typed(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert set(PACKAGE_DATA) <= names, sorted(set(PACKAGE_DATA) - names)
    assert {"LICENSE", "pyproject.toml", "README.md"} <= names


def lowest_pins() -> list[str]:
    """The lower bound of every runtime dependency, as pins (`aws-cdk-lib==2.269.0`)."""
    pins = []
    for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        req = Requirement(dep)
        low = [s.version for s in req.specifier if s.operator == ">="]
        assert len(low) == 1, f"{dep}: declare a lower bound"
        pins.append(f"{req.name}=={low[0]}")
    return pins


def synth_installed_wheel(wheel: Path, home: Path, constraints: Path) -> str:
    """A fresh venv in `home` (outside the repository) with the wheel, its dependencies held
    to `constraints`, then `cdk synth` of a three-line app there. Returns the aws-cdk-lib
    version installed."""
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = cli_env()
    env["PATH"] = os.pathsep.join([str(env_dir / "bin"), env["PATH"]])
    env.pop("PYTHONPATH", None)
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "-c", constraints, wheel, cwd=home, env=env, timeout=900)
    versions = run(python, "-c", "import importlib.metadata as m, constructs_lib; "
                   "print(m.version('aws-cdk-lib'), constructs_lib.__file__)",
                   cwd=home, env=env).stdout
    where = Path(versions.split()[1])
    assert env_dir in where.parents, where  # the installed wheel, not the repository
    (home / "app.py").write_text(APP)
    result = run(CDK, "synth", "--app", f"{python} app.py", "--quiet", "--output", "cdk.out",
                 cwd=home, env=env, timeout=600)
    template = json.loads((home / "cdk.out" / "Wheel.template.json").read_text())
    costs = [r["Metadata"]["CostEstimate"] for r in template["Resources"].values()
             if "CostEstimate" in r.get("Metadata", {})]
    assert [c["kind"] for c in costs] == ["serverless"]
    text = result.stdout + result.stderr
    assert "INFO Estimated $" in text and "   Wheel/Tool" in text, text
    assert "info-annotation" not in text, text  # plain information without cdk init's flags too
    return versions.split()[0]


def test_installed_wheel_synthesizes_with_the_locked_aws_cdk_lib(dist, tmp_path):
    version = synth_installed_wheel(dist["wheel"], tmp_path, ROOT / "constraints.txt")
    assert f"aws-cdk-lib=={version}" in (ROOT / "constraints.txt").read_text().splitlines()


@pytest.mark.lowest
def test_installed_wheel_synthesizes_with_the_lowest_supported_aws_cdk_lib(dist, tmp_path):
    pins = lowest_pins()
    (tmp_path / "lowest.txt").write_text("\n".join(pins) + "\n")
    version = synth_installed_wheel(dist["wheel"], tmp_path, tmp_path / "lowest.txt")
    assert f"aws-cdk-lib=={version}" in pins
