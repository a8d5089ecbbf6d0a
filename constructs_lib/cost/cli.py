"""``python -m constructs_lib.cost``: cost reports, pull-request diffs and break-even charts.

- ``report [CDK_OUT] [--json]``: every endpoint's estimate in a synthesized cloud assembly.
- ``diff BASE_CDK_OUT HEAD_CDK_OUT [--json] [--fail-above USD] [--fail-above-percent P]``:
  a Markdown pull-request comment (or JSON); exits 1 when the monthly increase is above a limit.
- ``plot --instance-type T --duration-ms MS ... [--output FILE ...]``: cost per month against
  requests per month for one model under every feasible kind, break-even points marked.
- ``observe CDK_OUT --out FILE [--days 30] [--region R] [--merge]``: the deployed constructs'
  traffic from CloudWatch, as a usage file (context ``cost:usage-file``); needs boto3 and
  credentials, exits 2 without them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .diff import diff_cdk_out, render_diff_json, render_diff_markdown
from .report import collect, render_json, render_markdown

EXIT_OVER_LIMIT = 1


def _report(args: argparse.Namespace) -> int:
    rows = collect(args.cdk_out)
    sys.stdout.write(render_json(rows) if args.json else render_markdown(rows))
    return 0


def _diff(args: argparse.Namespace) -> int:
    diff = diff_cdk_out(args.base, args.head, warn_share=args.warn_saving_share)
    sys.stdout.write(render_diff_json(diff) if args.json else render_diff_markdown(diff))
    failures = []
    if args.fail_above is not None and diff.delta > args.fail_above:
        failures.append(f"monthly cost increase ${diff.delta:,.2f} is above --fail-above "
                        f"${args.fail_above:,.2f}")
    if args.fail_above_percent is not None and diff.delta > 0 and (
        diff.delta_percent is None or diff.delta_percent > args.fail_above_percent
    ):
        pct = "∞" if diff.delta_percent is None else f"{diff.delta_percent:.1f}"
        failures.append(f"monthly cost increase {pct}% is above --fail-above-percent "
                        f"{args.fail_above_percent:g}%")
    if diff.unpriced and (args.fail_above is not None or args.fail_above_percent is not None):
        print(f"cost diff: {len(diff.unpriced)} endpoint(s) unpriced are not in the delta "
              "(gate on them with context cost:require-prices at synth)", file=sys.stderr)
    for failure in failures:
        print(f"cost diff: {failure}", file=sys.stderr)
    return EXIT_OVER_LIMIT if failures else 0


def _plot(args: argparse.Namespace) -> int:
    from ..pricing.price_book import PriceNotFoundError, load_price_book
    from .base import PricingContext
    from .plot import describe, draw, hint_for, model_curves
    from .workload import Workload

    if not 0 < args.min_requests < args.max_requests:
        raise SystemExit("plot: need 0 < --min-requests < --max-requests")
    overrides = dict(_override(o) for o in args.hourly_override)
    try:
        book = load_price_book(args.price_book, overrides)
        book.region(args.region)
    except PriceNotFoundError as error:
        raise SystemExit(f"plot: {error}") from None
    ctx = PricingContext(book=book, region=args.region, hours_per_month=args.hours_per_month)
    current = args.current if args.current is not None else args.min_requests
    hint = hint_for(current, duration_ms=args.duration_ms, payload_kb=args.payload_kb,
                    response_kb=args.response_kb, busy_hours_per_day=args.busy_hours_per_day,
                    peak_rps=args.peak_rps, max_latency_ms=args.max_latency_ms,
                    runs_per_month=args.runs_per_month)
    workload = Workload(hint, args.instance_type, args.memory_mb)
    memory = f", {args.memory_mb} MB" if args.memory_mb else ""
    title = (f"{args.instance_type}{memory}, {args.duration_ms:g} ms/request, "
             f"{args.payload_kb:g} KB in ({args.region})")
    curves = model_curves(workload, ctx, low=args.min_requests, high=args.max_requests,
                          points=args.points, title=title)
    if not curves.curve.costs:
        reasons = "; ".join(f"{k}: {', '.join(v)}" for k, v in curves.excluded.items())
        raise SystemExit(f"plot: no kind can be priced for this workload in {args.region} "
                         f"({reasons})")
    if args.json:
        c = curves.curve
        sys.stdout.write(json.dumps({
            "requests_per_month": [round(v, 2) for v in c.volumes],
            "monthly_usd": {k: [round(x, 2) for x in v] for k, v in c.costs.items()},
            "break_evens": [{"kinds": [a, b], "requests_per_month": round(v),
                             "monthly_usd": round(usd, 2)} for a, b, v, usd in c.break_evens],
            "served": {k: list(v) for k, v in c.served.items()},
            "not_feasible": curves.excluded,
        }, indent=2) + "\n")
    else:
        sys.stdout.write(describe(curves))
    outputs = args.output or ["cost-curve.png", "cost-curve.svg"]
    for path in draw(curves, outputs, current=args.current):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _observe(args: argparse.Namespace) -> int:
    from .observe import run  # boto3 only for this command

    return run(args)


def _override(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name, float(value)
    except ValueError:
        raise SystemExit(f"plot: --hourly-override wants TYPE=USD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_lib.cost",
        description="Monthly cost estimates of SageMaker endpoints in a cloud assembly.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="table of every endpoint's estimate in a cdk.out")
    report.add_argument("cdk_out", nargs="?", default="cdk.out", help="default: cdk.out")
    report.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    report.set_defaults(func=_report)

    diff = sub.add_parser("diff", help="cost change between two cdk.out folders (for a PR)")
    diff.add_argument("base", help="cdk.out of the base branch")
    diff.add_argument("head", help="cdk.out of the pull request")
    diff.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    diff.add_argument("--fail-above", type=float, metavar="USD",
                      help="exit 1 when the monthly increase is above USD")
    diff.add_argument("--fail-above-percent", type=float, metavar="P",
                      help="exit 1 when the monthly increase is above P percent of the base")
    diff.add_argument("--warn-saving-share", type=float, default=0.30, metavar="SHARE",
                      help="list alternatives saving at least this share (default 0.30)")
    diff.set_defaults(func=_diff)

    plot = sub.add_parser("plot", help="break-even chart of one model under every feasible kind")
    plot.add_argument("--instance-type", default="ml.m5.large",
                      help="instance the model runs on (real-time, async, batch); "
                           "default ml.m5.large")
    plot.add_argument("--memory-mb", type=int,
                      help="memory the model needs (serverless); default: the instance's, max 6144")
    plot.add_argument("--duration-ms", type=float, default=100.0, help="model time per request")
    plot.add_argument("--payload-kb", type=float, default=10.0, help="request size, KB")
    plot.add_argument("--response-kb", type=float, default=10.0, help="response size, KB")
    plot.add_argument("--busy-hours-per-day", type=float, default=24.0)
    plot.add_argument("--peak-rps", type=float, help="peak requests per second")
    plot.add_argument("--max-latency-ms", type=float,
                      help="how long callers can wait (makes async feasible when >= 10 min)")
    plot.add_argument("--runs-per-month", type=float,
                      help="offline work in this many runs a month (makes batch feasible)")
    plot.add_argument("--min-requests", type=float, default=1e3, help="x axis from (default 1k)")
    plot.add_argument("--max-requests", type=float, default=1e9, help="x axis to (default 1B)")
    plot.add_argument("--points", type=int, default=121, help="volumes evaluated per kind")
    plot.add_argument("--current", type=float, help="mark this monthly volume")
    plot.add_argument("--region", default="us-east-1")
    plot.add_argument("--price-book", help="a price book file (same format as the packaged one)")
    plot.add_argument("--hourly-override", action="append", default=[], metavar="TYPE=USD")
    plot.add_argument("--hours-per-month", type=float, default=730.0)
    plot.add_argument("--output", "-o", action="append", metavar="FILE",
                      help="chart file, .png or .svg (repeatable; default cost-curve.png and .svg)")
    plot.add_argument("--json", action="store_true", help="print the curve as JSON")
    plot.set_defaults(func=_plot)

    from .observe import add_arguments

    observe = sub.add_parser("observe", help="measure deployed traffic from CloudWatch into a "
                                             "usage file (context cost:usage-file)")
    add_arguments(observe)
    observe.set_defaults(func=_observe)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
