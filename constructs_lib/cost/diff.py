"""Compare the cost estimates of two cloud assemblies (base and head of a pull request).

Endpoints are matched by stack and construct path. Each added or removed endpoint, and each
whose monthly cost or kind changed, gets
its before, after and delta, and the drivers of the change read from the two metadata entries:
kind, instance type, instance-hours (count and scaling), traffic fields, region, price book.
An unpriced side has no figure: its delta is unknown, the totals leave it out and say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .report import ReportRow, collect, priced_total, usage_drift, usage_drift_markdown

__all__ = ["COMMENT_MARKER", "CostDiff", "EndpointChange", "diff_cdk_out", "drivers",
           "render_diff_json", "render_diff_markdown"]

COMMENT_MARKER = "<!-- constructs-lib:cost-diff -->"
"""Hidden first line of the Markdown, so CI finds and updates its one comment."""

_INSTANCE = re.compile(r"\bml\.[a-z0-9-]+\.[a-z0-9]+\b")


@dataclass(frozen=True)
class EndpointChange:
    stack: str
    path: str
    change: str  # "added" | "removed" | "changed"
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    drivers: tuple[str, ...] = ()

    @property
    def before_usd(self) -> float | None:
        """USD a month before (0 when added; None when unpriced)."""
        return _side_usd(self.before)

    @property
    def after_usd(self) -> float | None:
        """USD a month after (0 when removed; None when unpriced)."""
        return _side_usd(self.after)

    @property
    def delta_usd(self) -> float | None:
        """The change, USD a month; None when either side is unpriced."""
        before, after = self.before_usd, self.after_usd
        return None if before is None or after is None else round(after - before, 2)


def _side_usd(estimate: dict[str, Any] | None) -> float | None:
    if estimate is None:
        return 0.0
    usd = estimate.get("monthly_usd")
    return None if usd is None else float(usd)


@dataclass(frozen=True)
class CostDiff:
    changes: tuple[EndpointChange, ...]
    before_total: float
    after_total: float
    warnings: tuple[str, ...] = field(default=())
    unchanged: int = 0
    unpriced: tuple[str, ...] = field(default=())
    """Paths of this PR's endpoints whose estimate is unpriced (left out of the totals)."""
    capacity: tuple[str, ...] = field(default=())
    """The head's capacity warnings (a fleet that cannot serve its traffic hint), by path."""
    head_rows: tuple[ReportRow, ...] = field(default=(), compare=False, repr=False)
    """This PR's estimates (the usage-file drift is read from them)."""

    @property
    def delta(self) -> float:
        return round(self.after_total - self.before_total, 2)

    @property
    def delta_percent(self) -> float | None:
        """Change relative to the base total; None when the base costs nothing."""
        if self.before_total == 0:
            return None if self.delta else 0.0
        return 100.0 * self.delta / self.before_total


def _fmt(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:g}"
    return str(value)


def _instances(estimate: dict[str, Any]) -> set[str]:
    return {m for line in estimate.get("lines", []) for m in _INSTANCE.findall(line["item"])}


def _instance_hours(estimate: dict[str, Any]) -> float:
    return sum(float(line["quantity"]) for line in estimate.get("lines", [])
               if line.get("unit") == "instance-hour")


def drivers(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Why an estimate changed, most structural first."""
    out = []
    if before.get("kind") != after.get("kind"):
        out.append(f"kind {before.get('kind')} → {after.get('kind')}")
    old_types, new_types = _instances(before), _instances(after)
    if old_types != new_types:
        out.append(f"instance type {', '.join(sorted(old_types)) or '-'} → "
                   f"{', '.join(sorted(new_types)) or '-'}")
    old_hours, new_hours = _instance_hours(before), _instance_hours(after)
    if old_hours and new_hours and abs(old_hours - new_hours) > 1e-6 and old_types == new_types:
        out.append(f"instance-hours {_fmt(old_hours)} → {_fmt(new_hours)} (count or scaling)")
    old_t, new_t = before.get("traffic", {}), after.get("traffic", {})
    observed = set((after.get("usage") or {}).get("fields", [])) | set(
        (before.get("usage") or {}).get("fields", []))
    for key in sorted(set(old_t) | set(new_t)):
        if old_t.get(key) != new_t.get(key):
            source = " (usage file)" if key in observed else ""
            out.append(f"traffic {key} {_fmt(old_t.get(key, '-'))} → "
                       f"{_fmt(new_t.get(key, '-'))}{source}")
    for key in ("region", "price_book"):
        if before.get(key) != after.get(key):
            out.append(f"{key.replace('_', ' ')} {before.get(key)} → {after.get(key)}")
    if not out:
        old_lines = {line["item"]: line for line in before.get("lines", [])}
        for line in after.get("lines", []):
            was = old_lines.get(line["item"])
            if was is None or was.get("monthly_usd") != line.get("monthly_usd"):
                out.append(f"{line['item']} {_fmt(was['quantity']) if was else '-'} → "
                           f"{_fmt(line['quantity'])} {line['unit']}")
    return out or ["estimate details (assumptions or alternatives)"]


def _warnings(rows: list[ReportRow], share: float) -> list[str]:
    out = []
    for row in rows:
        alt, own = row.cheapest_alternative, row.monthly_usd
        if alt is None or own is None or own <= 0:
            continue
        saving = own - alt["monthly_usd"]
        if saving < share * own:
            continue
        text = (f"`{row.path}` ({row.kind}, ${own:,.2f}/month): {alt['kind']} would "
                f"cost ${alt['monthly_usd']:,.2f}/month, saving ${saving:,.2f} "
                f"({saving / own:.0%})")
        if alt.get("break_even_requests_per_month") is not None:
            text += f"; break-even at {alt['break_even_requests_per_month']:,.0f} requests/month"
        out.append(f"{text}. {alt['note']}.")
    return out


def diff_cdk_out(base: str | Path, head: str | Path, *, warn_share: float = 0.30) -> CostDiff:
    """The cost difference between two synthesized cloud assemblies."""
    old = {(r.stack, r.path): r for r in collect(base)}
    new_rows = collect(head)
    new = {(r.stack, r.path): r for r in new_rows}
    changes, unchanged = [], 0
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            changes.append(EndpointChange(*key, "added", None, b.estimate,
                                          (f"new {b.kind} endpoint: {b.main_driver}",)))
        elif b is None and a is not None:
            changes.append(EndpointChange(*key, "removed", a.estimate, None,
                                          (f"removed {a.kind} endpoint",)))
        elif a is not None and b is not None:
            if (a.monthly_usd == b.monthly_usd and a.kind == b.kind
                    and a.unpriced == b.unpriced):
                unchanged += 1  # same cost and kind: details (labels, notes) are not news
                continue
            changes.append(EndpointChange(*key, "changed", a.estimate, b.estimate,
                                          tuple(drivers(a.estimate, b.estimate))))
    return CostDiff(
        changes=tuple(changes),
        before_total=priced_total(list(old.values())),
        after_total=priced_total(new_rows),
        warnings=tuple(_warnings(new_rows, warn_share)),
        unchanged=unchanged,
        unpriced=tuple(r.path for r in new_rows if r.unpriced),
        capacity=tuple(f"`{r.path}`: {w}" for r in new_rows
                       for w in r.estimate.get("warnings", [])),
        head_rows=tuple(new_rows),
    )


def _usd(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "unpriced" if not signed else "unknown"
    negative = "-" if value < 0 else ""
    sign = ("+" if value > 0 else negative or "±") if signed else negative
    return f"{sign}${abs(value):,.2f}"


def _percent(value: float | None) -> str:
    return "n/a (base is $0)" if value is None else f"{value:+.1f}%"


def render_diff_markdown(diff: CostDiff) -> str:
    """A pull-request comment: headline, totals, one row per changed endpoint, warnings."""
    if diff.delta > 0:
        headline = (f"Monthly cost will increase by **{_usd(diff.delta)}** "
                    f"({_percent(diff.delta_percent)}) 📈")
    elif diff.delta < 0:
        headline = (f"Monthly cost will decrease by **{_usd(-diff.delta)}** "
                    f"({_percent(diff.delta_percent)}) 📉")
    else:
        headline = "Monthly cost will not change."
    out = [
        COMMENT_MARKER,
        "### 💰 SageMaker endpoint cost estimate",
        "",
        headline,
        "",
        "| | Monthly cost |",
        "|---|---:|",
        f"| Before (base) | {_usd(diff.before_total)} |",
        f"| After (this PR) | {_usd(diff.after_total)} |",
        f"| **Delta** | **{_usd(diff.delta, True)}** ({_percent(diff.delta_percent)}) |",
        "",
    ]
    if diff.unpriced:
        out += [f"⚠️ {len(diff.unpriced)} endpoint(s) unpriced in this PR, left out of the "
                f"totals: {', '.join(f'`{p}`' for p in diff.unpriced)} (the cost report says "
                "what prices them).", ""]
    if diff.changes:
        out += ["| Endpoint | Change | Before | After | Delta | Why |",
                "|---|---|---:|---:|---:|---|"]
        for c in diff.changes:
            before = _usd(c.before_usd) if c.before else "-"
            after = _usd(c.after_usd) if c.after else "-"
            why = list(c.drivers) + [f"unpriced: {e['unpriced']}" for e in (c.after,)
                                     if e is not None and e.get("monthly_usd") is None]
            out.append(f"| `{c.path}` | {c.change} | {before} | {after} | "
                       f"{_usd(c.delta_usd, True)} | {'; '.join(why)} |")
        out.append("")
    else:
        out += ["No endpoint's estimate changed.", ""]
    if diff.unchanged:
        out += [f"{diff.unchanged} endpoint(s) unchanged.", ""]
    if diff.warnings:
        out += ["**⚠️ Cheaper alternatives** (in this PR's version)", ""]
        out += [f"- {w}" for w in diff.warnings]
        out.append("")
    if diff.capacity:
        out += ["**⚠️ Capacity**: fleets that cannot serve their traffic hint (in this PR's "
                "version)", ""]
        out += [f"- {w}" for w in diff.capacity]
        out.append("")
    drift = usage_drift_markdown(list(diff.head_rows))
    if drift:
        out += [*drift[1:], ""]
    out.append("<sub>Estimates from each endpoint's traffic hint and the price book "
               "(`python -m constructs_lib.cost diff`), not bills.</sub>")
    return "\n".join(out) + "\n"


def render_diff_json(diff: CostDiff) -> str:
    payload = {
        "currency": "USD",
        "before_total_monthly_usd": diff.before_total,
        "after_total_monthly_usd": diff.after_total,
        "delta_monthly_usd": diff.delta,
        "delta_percent": None if diff.delta_percent is None else round(diff.delta_percent, 2),
        "unchanged": diff.unchanged,
        "unpriced": list(diff.unpriced),
        "changes": [
            {"stack": c.stack, "path": c.path, "change": c.change,
             "before_monthly_usd": c.before_usd if c.before else None,
             "after_monthly_usd": c.after_usd if c.after else None,
             "delta_monthly_usd": c.delta_usd, "drivers": list(c.drivers),
             "kind_before": c.before.get("kind") if c.before else None,
             "kind_after": c.after.get("kind") if c.after else None}
            for c in diff.changes
        ],
        "warnings": list(diff.warnings),
        "capacity": list(diff.capacity),
        "usage_drift": usage_drift(list(diff.head_rows)),
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"
