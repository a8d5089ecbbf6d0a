"""Break-even curves for one model: monthly cost of each feasible kind vs monthly requests.

:func:`model_curves` is pure (no plotting library): it prices the model under every registered
kind over a range of volumes, notes where each kind's fleet can no longer do the work, and
finds where each pair crosses among the volumes both serve. :func:`draw` renders that as a PNG
or SVG with matplotlib's Agg backend (no display needed): a kind's curve is faded beyond its
capacity, and break-evens are numbered on the chart and listed beside it, so no two labels
overlap. matplotlib is an optional dependency (the ``plot`` extra), imported only here and only
when drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..pricing.price_book import PriceNotFoundError
from ..spec.traffic import TrafficHint
from .base import PricingContext
from .breakeven import CostCurve, CostOfVolume, cost_curves, log_volumes
from .kinds import KINDS
from .workload import Workload

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["KIND_STYLE", "ModelCurves", "draw", "figure", "model_curves"]

KIND_STYLE = {
    "realtime": ("#1f77b4", "-"),
    "serverless": ("#2ca02c", "--"),
    "async": ("#ff7f0e", "-."),
    "batch": ("#9467bd", ":"),
    "multimodel": ("#8c564b", (0, (5, 1, 1, 1))),
    "inference_components": ("#d62728", (0, (3, 1, 1, 1, 1, 1))),
}
"""Colour and line style per kind (colour-blind-safe tab10 colours, distinct dashes)."""

FLOOR_USD = 0.001
"""Costs below this are drawn at it (a log axis cannot show $0)."""

KIND_LABEL = {
    "realtime": "real-time (autoscaling 1-4 instances)",
    "serverless": "serverless (per GB-second)",
    "async": "async (scaled to zero)",
    "batch": "batch transform (per run)",
    "inference_components": "real-time, scaled to zero (inference components)",
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
    served: dict[str, Callable[[float], bool]] = {}
    excluded = {}
    strict = ctx.strict()
    for kind, option in KINDS.items():
        reasons = option.infeasibility(workload)
        if reasons:
            excluded[kind] = reasons
            continue
        try:
            model = option.model(workload, strict)
            kinds[kind] = workload.volume_cost(model)
            served[kind] = workload.via_load(model.served)
        except PriceNotFoundError as error:
            excluded[kind] = [f"not priced: {error}"]
    curve = cost_curves(kinds, log_volumes(low, high, points), served)
    return ModelCurves(curve, excluded, title)


def _human(value: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


def _segments(volumes: Sequence[float], costs: Sequence[float], served: Sequence[bool]
              ) -> list[tuple[bool, list[float], list[float]]]:
    """The curve cut where ``served`` changes: (served, volumes, costs) runs that share their
    end points, so the drawn line is unbroken."""
    runs: list[tuple[bool, list[float], list[float]]] = []
    for i, (v, c, ok) in enumerate(zip(volumes, costs, served, strict=True)):
        if not runs or runs[-1][0] != ok:
            if runs:  # start the new run where the last one ended
                runs.append((ok, [volumes[i - 1]], [costs[i - 1]]))
            else:
                runs.append((ok, [], []))
        runs[-1][1].append(v)
        runs[-1][2].append(c)
    return runs


Crossing = tuple[str, str, float, float]


def _grouped(points: Sequence[Crossing]) -> list[list[Crossing]]:
    """Crossings of the same pair less than a factor of 4 apart (in volume order within the
    pair) share one number and one entry: two step functions that cross at every scaling step
    cost the same there. Groups are numbered by their first volume."""
    groups: list[list[Crossing]] = []
    for point in sorted(points, key=lambda p: (p[0], p[1], p[2])):
        last = groups[-1][-1] if groups else None
        if last is not None and last[:2] == point[:2] and point[2] <= last[2] * 4:
            groups[-1].append(point)
        else:
            groups.append([point])
    return sorted(groups, key=lambda g: g[0][2])


def _entry(n: int, group: Sequence[Crossing]) -> str:
    """One numbered entry of the break-even list (two lines, short enough for the margin)."""
    a, b, first, usd = group[0]
    if len(group) == 1:
        return f"{n}. {a} = {b}\n   {_human(first)} req/mo, ${usd:,.0f}/mo"
    last, top = group[-1][2], group[-1][3]
    return (f"{n}. {a} = {b}, {len(group)} times\n   {_human(first)}-{_human(last)} req/mo,\n"
            f"   ${usd:,.0f}-${top:,.0f}/mo (each step)")


def figure(curves: ModelCurves, *, current: float | None = None) -> Figure:
    """The chart as a matplotlib figure (Agg backend); close it with ``pyplot.close``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter

    curve = curves.curve
    fig, ax = plt.subplots(figsize=(11, 6.5), dpi=110)
    try:
        beyond = False
        for kind, costs in curve.costs.items():
            colour, style = KIND_STYLE.get(kind, ("#333333", "-"))
            served = curve.served.get(kind, (True,) * len(costs))
            label: str | None = KIND_LABEL.get(kind, kind)
            for ok, xs, ys in _segments(curve.volumes, [max(c, FLOOR_USD) for c in costs],
                                        served):
                beyond = beyond or not ok
                ax.plot(xs, ys, color=colour, linestyle=style, linewidth=2.2 if ok else 1.6,
                        alpha=1.0 if ok else 0.4, label=label if ok else None)
                if ok:
                    label = None
                elif len(xs) > 1:  # where the fleet stops keeping up
                    ax.plot([xs[1]], [ys[1]], "x", color=colour, markersize=8, zorder=5)
        listed = []
        for n, group in enumerate(_grouped(curve.break_evens), start=1):
            for _, _, volume, usd in group:
                ax.plot([volume], [max(usd, FLOOR_USD)], "o", color="black", markersize=5,
                        zorder=5)
            # A number beside the group's first point (alternating above and below); the
            # text is in the list in the margin, so no label covers another.
            volume, usd = group[0][2], max(group[0][3], FLOOR_USD)
            ax.annotate(str(n), (volume, usd), textcoords="offset points",
                        xytext=(-8, 8 if n % 2 else -16), ha="center", fontsize=9,
                        fontweight="bold", zorder=6)
            listed.append(_entry(n, group))
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
        ax.legend(title="Endpoint kind", loc="upper left", fontsize=8)
        side = ["Break-evens"] + (listed or ["none in this range"])
        if beyond:
            side += ["", "Faded, from x: beyond the\nfleet's capacity (it cannot"
                         "\ndo the work there)"]
        # "$" escaped: two of them on a line would start matplotlib's mathtext.
        fig.text(0.765, 0.92, "\n".join(side).replace("$", r"\$"), fontsize=8, va="top",
                 family="monospace", linespacing=1.3)
        if curves.excluded:
            note = "; ".join(f"{k}: {', '.join(r)}" for k, r in curves.excluded.items())
            fig.text(0.01, 0.01, f"Not feasible — {note}", fontsize=7, color="dimgrey",
                     wrap=True)
        fig.tight_layout(rect=(0, 0.04 if curves.excluded else 0, 0.75, 1))
    except Exception:
        plt.close(fig)
        raise
    return fig


def draw(curves: ModelCurves, outputs: Sequence[str | Path], *,
         current: float | None = None) -> list[Path]:
    """Write the chart to each output (format from the extension: .png, .svg, .pdf)."""
    from matplotlib import pyplot as plt

    fig = figure(curves, current=current)
    try:
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
    for kind, served in curves.curve.served.items():
        beyond = [v for v, ok in zip(curves.curve.volumes, served, strict=True) if not ok]
        if beyond:
            lines.append(f"Beyond capacity: {kind} from about {beyond[0]:,.0f} requests/month "
                         "(its fleet cannot do the work there)")
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
