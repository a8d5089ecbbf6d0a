"""Break-even curves for one model, and the chart the plot command draws (PNG and SVG)."""

import json
import subprocess
import sys

import pytest

from constructs_lib import TrafficHint
from constructs_lib.cost.base import PricingContext
from constructs_lib.cost.breakeven import cost_curves, log_volumes
from constructs_lib.cost.plot import draw, figure, hint_for, model_curves
from constructs_lib.cost.workload import Workload
from constructs_lib.pricing import load_price_book

from .conftest import ROOT

CTX = PricingContext(book=load_price_book(), region="us-east-1")


def test_cpu_model_curves_realtime_vs_serverless_only_for_an_interactive_caller():
    hint = TrafficHint(requests_per_month=1000, avg_duration_ms=100, payload_kb=0, response_kb=0)
    curves = model_curves(Workload(hint, "ml.m5.large", 2048), CTX, low=1e3, high=1e9, points=61)
    assert list(curves.curve.costs) == ["realtime", "serverless"]
    assert set(curves.excluded) == {"async", "batch", "inference_components"}
    # serverless: v × 0.1 s × 2 GB × 0.00002 = v × 4e-6 $. Real-time alternative: ml.m5.large,
    # autoscaling 1-4 at 100 invocations/instance/minute (1.67 req/s): 4 instances from
    # 4 × 1.67 × 2,628,000 s ≈ 17.5M requests, 4 × (83.95 + 4 GB × 0.14) = 338.04 $ → equal
    # at 84,510,000 (4 instances of 2 vCPU hold 80 req/s of 0.1 s: 32 req/s fit).
    (first,) = curves.curve.break_evens
    assert first[:2] == ("realtime", "serverless")
    assert first[2] == pytest.approx(4 * (83.95 + 0.56) / 4e-6, rel=1e-5)


def test_gpu_model_curves_exclude_serverless_and_include_async_and_batch(tmp_path):
    hint = TrafficHint(avg_duration_ms=500, max_latency_ms=3_600_000, runs_per_month=30,
                       records_per_run=10)
    curves = model_curves(Workload(hint, "ml.g5.xlarge"), CTX, low=100, high=1e8, points=41)
    # a caller that waits an hour: async, and real-time scaled to zero (it retries meanwhile)
    assert list(curves.curve.costs) == ["realtime", "async", "batch", "inference_components"]
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


ISSUE_CHART = {"duration_ms": 500, "payload_kb": 50, "response_kb": 10, "busy_hours_per_day": 24,
               "peak_rps": None, "max_latency_ms": 3_600_000, "runs_per_month": 30}
"""The chart of issue 16: ml.g5.xlarge, 500 ms, 50 KB, results within the hour, 30 runs."""


def issue_curves(points: int = 121):
    hint = hint_for(3000, **ISSUE_CHART)
    return model_curves(Workload(hint, "ml.g5.xlarge"), CTX, low=100, high=1e8, points=points)


def test_issue_chart_async_stays_within_its_fleet_and_under_real_time_near_3000():
    curves = issue_curves()
    c = curves.curve
    at = dict(zip(c.volumes, range(len(c.volumes)), strict=True))
    top = c.volumes[-1]
    # 4 × ml.g5.xlarge all month = 4 × 730 × 1.4084 = 4,112.53 $, + data processed at 100M
    # requests (50 KB in, 10 KB out at 0.016 $/GB); before: above $20,000.
    data = top * (50 + 10) / 1024**2 * 0.016
    assert c.costs["async"][at[top]] == pytest.approx(4 * 730 * 1.4084 + data)
    # No spike: around the current volume async never costs more than the one real-time
    # instance by more than its monthly warm-up and idle tail (1,200 s × 1.4084 $/h = $0.47).
    near = [i for i, v in enumerate(c.volumes) if 1e3 <= v <= 1e5]
    assert max(c.costs["async"][i] - c.costs["realtime"][i] for i in near) < 0.5
    # Both fleets stop keeping up near 8 req/s (4 instances × 1 GPU ÷ 0.5 s): faded there.
    assert c.served["async"][at[top]] is False and c.served["realtime"][at[top]] is False
    assert all(c.served["batch"])  # batch adds instances to finish each run
    # Every crossing is where both fleets can do the work.
    limit = 4 * 2 * 730 * 3600
    assert all(v <= limit for one, other, v, _ in c.break_evens
               if {one, other} <= {"realtime", "async"})


def test_break_even_labels_never_overlap(tmp_path):
    from matplotlib import pyplot as plt

    fig = figure(issue_curves(), current=3000)
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        (ax,) = fig.axes
        numbers = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().isdigit()]
        # real-time/async: the low crossing and the steps near 4-16M; more with the inference
        # components' curve (feasible: the caller waits up to an hour)
        assert len(numbers) >= 2
        assert not any(a.overlaps(b) for i, a in enumerate(numbers) for b in numbers[i + 1:])
        side = [t for t in fig.texts if t.get_text().startswith("Break-evens")]
        assert len(side) == 1
        assert not side[0].get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
        assert "realtime = async, 5 times" in side[0].get_text()
    finally:
        plt.close(fig)


def test_curves_cross_only_where_both_serve():
    curve = cost_curves({"flat": lambda v: 100.0, "linear": lambda v: 0.01 * v},
                        log_volumes(1, 1e6, 13), {"flat": lambda v: v < 1e3})
    assert curve.break_evens == ()  # they cross at 1e4, where "flat" cannot do the work
    assert curve.served["flat"][:3] == (True, True, True) and curve.served["flat"][-1] is False
