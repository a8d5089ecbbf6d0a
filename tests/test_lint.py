"""The library is mypy strict and ruff clean (ARCHITECTURE.md), with the repo's pyproject.toml.

mypy keeps its cache in .mypy_cache: the first run of a fresh checkout parses aws-cdk-lib's
stubs (~45 s on 2 cores), later runs take a few seconds.
"""

import subprocess
import sys

from .conftest import ROOT

RUFF_PATHS = ["constructs_lib", "stacks", "app.py", "benchmarks", "tests"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_ruff_is_clean():
    result = run("ruff", "check", "--no-cache", *RUFF_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean():
    result = run("mypy")  # packages, strict and the pydantic plugin: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
