"""Break-even curves for one model: monthly cost of each feasible kind vs monthly requests.

:func:`model_curves` is pure (no plotting library): it prices the model under every registered
kind over a range of volumes and finds where each pair crosses. :func:`draw` renders that as a
PNG or SVG with matplotlib's Agg backend (no display needed); matplotlib is an optional
dependency (the ``plot`` extra), imported only here and only when drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..pricing.price_book import PriceNotFoundError
from ..spec.traffic import TrafficHint
from .base import PricingContext
from .breakeven import CostCurve, CostOfVolume, cost_curves, log_volumes
from .kinds import KINDS
from .workload import Workload

__all__ = ["KIND_STYLE", "ModelCurves", "draw", "model_curves"]

KIND_STYLE = {
    "realtime": ("#1f77b4", "-"),
    "serverless": ("#2ca02c", "--"),
    "async": ("#ff7f0e", "-."),
    "batch": ("#9467bd", ":"),
    "multimodel": ("#8c564b", (0, (5, 1, 1, 1))),
}
"""Colour and line style per kind (colour-blind-safe tab10 colours, distinct dashes)."""

FLOOR_USD = 0.001
"""Costs below this are drawn at it (a log axis cannot show $0)."""

KIND_LABEL = {
    "realtime": "real-time (autoscaling 1-4 instances)",
    "serverless": "serverless (per GB-second)",
    "async": "async (scaled to zero)",
    "batch": "batch transform (per run)",
}


class ModelCurves:
    """The curve, plus which kinds were left out and why (shown under the chart)."""

    def __init__(self, curve: CostCurve, excluded: dict[str, list[str]], title: str) -> None:
        self.curve = curve
        self.excluded = excluded
        self.title = title


def model_curves(workload: Workload, ctx: PricingContext, *, low: float, high: float,
                 points: int = 121, title: str = "") -> ModelCurves:
    """Cost per month of every feasible kind for ``workload`` at volumes ``low``..``high``: each
    kind's cost model for the workload, evaluated at every volume's load. A kind the book cannot
    price (``ctx``'s book is strict) is left out with the reason, as advice leaves it out."""
    kinds: dict[str, CostOfVolume] = {}
    excluded = {}
    strict = ctx.strict()
    for kind, option in KINDS.items():
        reasons = option.infeasibility(workload)
        if reasons:
            excluded[kind] = reasons
            continue
        try:
            kinds[kind] = workload.volume_cost(option.model(workload, strict))
        except PriceNotFoundError as error:
            excluded[kind] = [f"not priced: {error}"]
    curve = cost_curves(kinds, log_volumes(low, high, points))
    return ModelCurves(curve, excluded, title)


def _grouped(points: Sequence[tuple[str, str, float, float]]
             ) -> list[list[tuple[str, str, float, float]]]:
    """Break-evens within 20% of each other's volume share one marker and one label."""
    groups: list[list[tuple[str, str, float, float]]] = []
    for point in points:
        if groups and point[2] <= groups[-1][0][2] * 1.2:
            groups[-1].append(point)
        else:
            groups.append([point])
    return groups


def _human(value: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


def draw(curves: ModelCurves, outputs: Sequence[str | Path], *,
         current: float | None = None) -> list[Path]:
    """Write the chart to each output (format from the extension: .png, .svg, .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter

    curve = curves.curve
    fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
    try:
        for kind, costs in curve.costs.items():
            colour, style = KIND_STYLE.get(kind, ("#333333", "-"))
            ax.plot(curve.volumes, [max(c, FLOOR_USD) for c in costs], color=colour,
                    linestyle=style, linewidth=2.2, label=KIND_LABEL.get(kind, kind))
        for i, group in enumerate(_grouped(curve.break_evens)):
            volume, usd = group[0][2], max(group[0][3], FLOOR_USD)
            ax.plot([volume], [usd], "o", color="black", markersize=6, zorder=5)
            label = "\n".join(f"{a} = {b}: {_human(v)} req/mo, ${u:,.0f}"
                              for a, b, v, u in group)
            right_edge = volume > curve.volumes[0] * (curve.volumes[-1] / curve.volumes[0]) ** 0.7
            below = i % 2 == 0 and not right_edge
            ax.annotate(label, (volume, usd), textcoords="offset points",
                        xytext=(10, -14 - 10 * len(group)) if below else (-10, 12),
                        ha="left" if below else "right", fontsize=8,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                              "alpha": 0.85})
        if current is not None:
            ax.axvline(current, color="grey", linewidth=1, linestyle=":")
            ax.text(current, 0.02, " current volume", transform=ax.get_xaxis_transform(),
                    fontsize=8, color="grey", rotation=90, va="bottom")
        ax.set_xscale("log")
        ax.set_yscale("log")
        money = FuncFormatter(lambda v, _: f"${v:,.0f}" if v >= 1 else f"${v:g}")
        ax.yaxis.set_major_formatter(money)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _human(v)))
        ax.set_xlabel("Requests per month")
        ax.set_ylabel("Cost per month (USD, log scale)")
        ax.set_title(curves.title or "Monthly cost by endpoint kind")
        ax.grid(True, which="major", alpha=0.35)
        ax.legend(title="Endpoint kind", loc="upper left")
        if curves.excluded:
            note = "; ".join(f"{k}: {', '.join(r)}" for k, r in curves.excluded.items())
            fig.text(0.01, 0.01, f"Not feasible — {note}", fontsize=7, color="dimgrey",
                     wrap=True)
        fig.tight_layout(rect=(0, 0.04 if curves.excluded else 0, 1, 1))
        written = []
        for output in outputs:
            path = Path(output)
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
            written.append(path)
        return written
    finally:
        plt.close(fig)


def describe(curves: ModelCurves) -> str:
    """The break-even points as text, for the CLI."""
    lines = [f"Kinds priced: {', '.join(curves.curve.costs) or 'none'}"]
    for kind, reasons in curves.excluded.items():
        lines.append(f"Not feasible: {kind} ({'; '.join(reasons)})")
    if not curves.curve.break_evens:
        lines.append("No break-even in this range.")
    for a, b, volume, usd in curves.curve.break_evens:
        lines.append(f"Break-even {a} = {b}: {volume:,.0f} requests/month at ${usd:,.2f}/month")
    return "\n".join(lines) + "\n"


def hint_for(requests: float, *, duration_ms: float, payload_kb: float, response_kb: float,
             busy_hours_per_day: float, peak_rps: float | None, max_latency_ms: float | None,
             runs_per_month: float | None) -> TrafficHint:
    """The traffic hint the plot prices (volume varied along the x axis)."""
    return TrafficHint(
        requests_per_month=requests, avg_duration_ms=duration_ms, payload_kb=payload_kb,
        response_kb=response_kb, busy_hours_per_day=busy_hours_per_day,
        peak_requests_per_second=peak_rps, max_latency_ms=max_latency_ms,
        runs_per_month=runs_per_month,
        records_per_run=requests / runs_per_month if runs_per_month else None,
    )
