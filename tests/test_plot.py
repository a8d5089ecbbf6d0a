"""Break-even curves for one model, and the chart the plot command draws (PNG and SVG)."""

import json
import subprocess
import sys

import pytest

from constructs_lib import TrafficHint
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.plot import draw, model_curves
from constructs_lib.cost.workload import Workload
from constructs_lib.pricing import load_price_book

from .conftest import ROOT

CTX = PricingContext(book=load_price_book(), region="us-east-1")


def test_cpu_model_curves_realtime_vs_serverless_only_for_an_interactive_caller():
    hint = TrafficHint(requests_per_month=1000, avg_duration_ms=100, payload_kb=0, response_kb=0)
    curves = model_curves(Workload(hint, "ml.m5.large", 2048), CTX, low=1e3, high=1e9, points=61)
    assert list(curves.curve.costs) == ["realtime", "serverless"]
    assert set(curves.excluded) == {"async", "batch"}
    # serverless: v × 0.1 s × 2 GB × 0.00002 = v × 4e-6 $. Real-time alternative: ml.m5.large,
    # autoscaling 1-4 at 100 invocations/instance/minute (1.67 req/s): 4 instances from
    # 4 × 1.67 × 2,628,000 s ≈ 17.5M requests, 4 × 83.95 = 335.80 $ → equal at 83,950,000.
    (first,) = curves.curve.break_evens
    assert first[:2] == ("realtime", "serverless")
    assert first[2] == pytest.approx(4 * 83.95 / 4e-6, rel=1e-5)


def test_gpu_model_curves_exclude_serverless_and_include_async_and_batch(tmp_path):
    hint = TrafficHint(avg_duration_ms=500, max_latency_ms=3_600_000, runs_per_month=30,
                       records_per_run=10)
    curves = model_curves(Workload(hint, "ml.g5.xlarge"), CTX, low=100, high=1e8, points=41)
    assert list(curves.curve.costs) == ["realtime", "async", "batch"]
    assert curves.excluded == {"serverless": ["serverless has no GPU or accelerator"]}
    png, svg = draw(curves, [tmp_path / "c.png", tmp_path / "c.svg"], current=3000)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert "<svg" in text and "<dc:date>" not in text  # no timestamp: the same chart, same file


def test_plot_cli_writes_png_and_svg_and_prints_break_evens(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "constructs_lib.cost", "plot", "--instance-type", "ml.c5.xlarge",
         "--memory-mb", "4096", "--duration-ms", "100", "--min-requests", "1e3",
         "--max-requests", "1e9", "--points", "41", "--json",
         "-o", str(tmp_path / "curve.png"), "-o", str(tmp_path / "curve.svg")],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["monthly_usd"]) == {"realtime", "serverless"}
    assert data["break_evens"][0]["kinds"] == ["realtime", "serverless"]
    assert (tmp_path / "curve.png").stat().st_size > 10_000
    assert (tmp_path / "curve.svg").exists()


def test_plot_cli_rejects_a_bad_range(tmp_path):
    result = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "plot",
                             "--min-requests", "10", "--max-requests", "5",
                             "-o", str(tmp_path / "x.png")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "--min-requests" in result.stderr


def test_a_kind_the_book_cannot_price_is_left_out_with_the_reason():
    # eu-west-1 has hosting from a bill but no serverless price.
    ctx = PricingContext(book=load_price_book(), region="eu-west-1")
    hint = TrafficHint(requests_per_month=1000, avg_duration_ms=100, payload_kb=0, response_kb=0)
    curves = model_curves(Workload(hint, "ml.m5.xlarge", 2048), ctx, low=1e3, high=1e9, points=21)
    assert list(curves.curve.costs) == ["realtime"]
    [reason] = curves.excluded["serverless"]
    assert reason.startswith("not priced: ") and "no ServerlessInf:Mem-2GB price" in reason


def test_plot_cli_says_when_nothing_can_be_priced(tmp_path):
    result = subprocess.run([sys.executable, "-m", "constructs_lib.cost", "plot", "--region",
                             "us-east-2", "--instance-type", "ml.g6.xlarge",
                             "-o", str(tmp_path / "x.png")], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "plot: no kind can be priced for this workload in us-east-2" in result.stderr
    assert "data_processed_in_usd_per_gb" in result.stderr and "fetch --region us-east-2" in (
        result.stderr)
