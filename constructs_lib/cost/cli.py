"""``python -m constructs_lib.cost``: cost reports from a synthesized ``cdk.out``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .report import collect, render_json, render_markdown


def _report(args: argparse.Namespace) -> int:
    rows = collect(args.cdk_out)
    sys.stdout.write(render_json(rows) if args.json else render_markdown(rows))
    return 0


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
