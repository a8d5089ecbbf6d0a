"""Smoke test of the synth benchmark (BENCHMARKS.md): it runs, and its ways build the same
templates. No timing is asserted here: timings are for `bash dev.sh bench`."""

import subprocess
import sys

from .conftest import ROOT


def test_benchmark_runs_once_with_every_kind():
    proc = subprocess.run(  # 5 endpoints: one of each kind in benchmarks/kinds.py
        [sys.executable, "-m", "benchmarks.synth", "--sizes", "5", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "| 5 | 1 | build+synth wall s |" in out
    assert "ours/floor" in out and "ours/l1" in out and "ours/alpha" in out
    assert "N=5: floor yes l1 yes" in out  # the floor and the L1 rebuild ours exactly
    assert "Price book parses per 'ours' process: [1]" in out
    assert "price book parsed 1 time(s)" in out
