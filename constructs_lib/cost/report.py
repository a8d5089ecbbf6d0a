"""Read cost estimates back out of a synthesized cloud assembly (``cdk.out``) and render them.

Works on any ``cdk.out``: it reads ``manifest.json``, each stack's template, and the
``Metadata.CostEstimate`` of its resources; construct paths come from the manifest's
logical-id entries, so path metadata need not be enabled. An unpriced estimate
(``monthly_usd`` null) is a row marked unpriced, its reason below the table, and the total
says how many it leaves out.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ReportRow", "StackArtifact", "collect", "format_value", "priced_total",
           "render_json", "render_markdown", "stack_artifacts", "usage_drift",
           "usage_drift_markdown"]


@dataclass(frozen=True)
class StackArtifact:
    """A stack of a cloud assembly: its display name (what reports group by), the name
    CloudFormation deploys it under, its environment (``aws://account/region``), its template
    file and the manifest's metadata for it."""

    name: str
    stack_name: str
    environment: str
    template_file: Path
    metadata: dict[str, Any]

    @property
    def region(self) -> str | None:
        """The stack's region; None for an environment-agnostic stack."""
        region = self.environment.rsplit("/", 1)[-1]
        return None if not region or region.startswith("unknown-") else region


@dataclass(frozen=True)
class ReportRow:
    stack: str
    path: str
    logical_id: str
    estimate: dict[str, Any]
    artifact: StackArtifact | None = field(default=None, compare=False, repr=False)
    """The stack it belongs to (where ``observe`` finds it deployed)."""

    @property
    def monthly_usd(self) -> float | None:
        """USD a month; None when the estimate is unpriced."""
        usd = self.estimate.get("monthly_usd")
        return None if usd is None else float(usd)

    @property
    def unpriced(self) -> str | None:
        """Why the estimate is unpriced (None: it is priced)."""
        if self.monthly_usd is not None:
            return None
        return str(self.estimate.get("unpriced") or "no monthly_usd in the estimate")

    @property
    def kind(self) -> str:
        return str(self.estimate["kind"])

    @property
    def main_driver(self) -> str:
        lines = self.estimate.get("lines") or []
        if not lines:
            return "nothing billed"
        top = max(lines, key=lambda line: math.inf if line.get("monthly_usd") is None
                  else line["monthly_usd"])
        owner = top.get("variant") or top.get("component")
        who = f"{owner}: " if owner else ""
        qty = top["quantity"]
        qty_text = f"{qty:,.0f}" if qty >= 100 or float(qty).is_integer() else f"{qty:,.2f}"
        unpriced = ", unpriced" if top.get("monthly_usd") is None else ""
        return f"{who}{top['item']} ({qty_text} {top['unit']}{unpriced})"

    @property
    def cheapest_alternative(self) -> dict[str, Any] | None:
        own = self.monthly_usd
        if own is None:
            return None
        cheaper = [a for a in self.estimate.get("alternatives", []) if a["monthly_usd"] < own]
        return min(cheaper, key=lambda a: a["monthly_usd"]) if cheaper else None


def priced_total(rows: list[ReportRow]) -> float:
    """The sum of the priced rows, to the cent."""
    return round(sum(usd for r in rows if (usd := r.monthly_usd) is not None), 2)


SOURCE_KEY = "ConstructsLib"


def stack_artifacts(cdk_out: str | Path) -> list[StackArtifact]:
    """The stacks of a cloud assembly (nested assemblies, i.e. stages, included)."""
    cdk_out = Path(cdk_out)
    manifest_file = cdk_out / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"{manifest_file} not found: run `cdk synth` first") from None
    out: list[StackArtifact] = []
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "aws:cloudformation:stack":
            out.append(StackArtifact(
                artifact.get("displayName", name), props.get("stackName", name),
                artifact.get("environment", ""), cdk_out / props["templateFile"],
                artifact.get("metadata", {})))
        elif kind == "cdk:cloud-assembly":
            out.extend(stack_artifacts(cdk_out / props["directoryName"]))
    return out


def collect(cdk_out: str | Path) -> list[ReportRow]:
    """Every resource carrying ``Metadata.CostEstimate``, sorted by stack and path."""
    rows = []
    for artifact in stack_artifacts(cdk_out):
        stack, metadata = artifact.name, artifact.metadata
        paths = {
            entry["data"]: path
            for path, entries in metadata.items()
            for entry in entries
            if entry.get("type") == "aws:cdk:logicalId"
        }
        template = json.loads(artifact.template_file.read_text("utf-8"))
        for logical_id, resource in template.get("Resources", {}).items():
            estimate = (resource.get("Metadata") or {}).get("CostEstimate")
            if not estimate:
                continue
            source = (resource.get("Metadata") or {}).get(SOURCE_KEY) or {}
            if "path" in source:
                construct_path = str(source["path"]).strip("/")
            else:  # a resource path ends in the construct's child id: drop it
                path = paths.get(logical_id, f"{stack}/{logical_id}/Resource").strip("/")
                construct_path = path.rsplit("/", 1)[0]
            rows.append(ReportRow(stack, construct_path, logical_id, estimate, artifact))
    return sorted(rows, key=lambda r: (r.stack, r.path))


def _usd(value: float | None) -> str:
    return "unpriced" if value is None else f"${value:,.2f}"


def _cost_cell(row: ReportRow) -> str:
    if row.monthly_usd is None:
        return "**unpriced**"
    on_demand = row.estimate.get("on_demand_monthly_usd")
    return _usd(row.monthly_usd) + (f" (on-demand {_usd(on_demand)})" if on_demand is not None
                                   else "")


def render_markdown(rows: list[ReportRow]) -> str:
    """A Markdown table for a pull request: one row per endpoint, then the total."""
    if not rows:
        return "No cost estimates found (no constructs_lib endpoints in this cloud assembly).\n"
    out = [
        "| Construct | Kind | Region | $/month | Main driver | Cheaper alternative |",
        "|---|---|---|---:|---|---|",
    ]
    for row in rows:
        alt, own = row.cheapest_alternative, row.monthly_usd
        alt_text = (
            f"{alt['kind']} {_usd(alt['monthly_usd'])} "
            f"(saves {_usd(own - alt['monthly_usd'])})" if alt and own is not None else "-"
        )
        out.append(
            f"| `{row.path}` | {row.kind} | {row.estimate.get('region', '?')} | "
            f"{_cost_cell(row)} | {row.main_driver} | {alt_text} |"
        )
    unpriced = [r for r in rows if r.unpriced]
    more = f" + {len(unpriced)} unpriced" if unpriced else ""
    out.append(f"| **Total** | | | **{_usd(priced_total(rows))}**{more} | | |")
    out += _consolidation_notes(rows)
    if unpriced:
        out += ["", "**Unpriced** (the total leaves them out):", ""]
        reasons: dict[str, list[str]] = {}
        for r in unpriced:
            reasons.setdefault(str(r.unpriced), []).append(f"`{r.path}`")
        out += [f"- {', '.join(paths)}: {reason}" for reason, paths in reasons.items()]
    out += usage_drift_markdown(rows)
    plans = sorted({str(r.estimate["savings_plan"]) for r in rows
                    if r.estimate.get("savings_plan")})
    if plans:
        out += ["", f"Discounted by: {'; '.join(plans)} (on-demand figures beside them)."]
    out += capacity_notes(rows)
    out += _scale_to_zero_notes(rows)
    books = sorted({str(r.estimate.get("price_book")) for r in rows})
    out.append("")
    source = "traffic hints and usage files" if usage_drift(rows) else "traffic hints"
    out.append(f"Prices: {'; '.join(books)}. Estimates from {source}, not bills.")
    return "\n".join(out) + "\n"


def _saving(own_usd: float, other_usd: float) -> tuple[float, float]:
    """What ``own_usd`` saves against ``other_usd`` a month, and as a share of it."""
    saving = other_usd - own_usd
    return saving, saving / other_usd if other_usd > 0 else 0.0


def _consolidation_notes(rows: list[ReportRow]) -> list[str]:
    """Multi-model endpoints: what one dedicated real-time endpoint per model would cost."""
    notes = []
    for row in rows:
        if row.kind != "multimodel" or row.monthly_usd is None:
            continue
        for alt in row.estimate.get("alternatives", []):
            if alt["kind"] == "realtime" and "dedicated" in alt["note"]:
                saving, share = _saving(row.monthly_usd, alt["monthly_usd"])
                notes.append(
                    f"\nConsolidation: `{row.path}` costs {_usd(row.monthly_usd)}; "
                    f"{alt['note']} would cost {_usd(alt['monthly_usd'])}: saves "
                    f"{_usd(saving)}/month ({share:.0%}).")
    return notes


def capacity_notes(rows: list[ReportRow]) -> list[str]:
    """Each estimate's capacity warnings: where a fleet cannot serve its traffic hint."""
    found = [f"- `{row.path}`: {w}" for row in rows for w in row.estimate.get("warnings", [])]
    return ["", "**Capacity**: where a fleet cannot serve its traffic hint", "", *found] if (
        found) else []


def usage_drift(rows: list[ReportRow]) -> list[dict[str, Any]]:
    """Per construct whose traffic came from a usage file: the file, the fields it set, each
    field in code and in effect, and the monthly estimate under each (``drift_usd`` is the
    difference; None when either is unpriced)."""
    out = []
    for row in rows:
        usage = row.estimate.get("usage")
        if not usage:
            continue
        in_code, traffic = usage.get("traffic_in_code") or {}, row.estimate.get("traffic") or {}
        before, after = usage.get("in_code_monthly_usd"), row.monthly_usd
        out.append({
            "stack": row.stack, "path": row.path, "file": usage.get("file"),
            "observed": usage.get("observed"),
            "fields": {name: {"in_code": in_code.get(name), "in_effect": traffic.get(name)}
                       for name in usage.get("fields", [])},
            "in_code_monthly_usd": before, "monthly_usd": after,
            "drift_usd": None if before is None or after is None else round(after - before, 2),
        })
    return out


def usage_drift_markdown(rows: list[ReportRow]) -> list[str]:
    """The drift table (report and diff): the hint in code, the usage file's, the estimate
    under each; empty without a usage file."""
    drift = usage_drift(rows)
    if not drift:
        return []
    out = ["", "**Traffic from a usage file** (the estimates above use it):", "",
           "| Construct | Traffic: in code → usage file | $/month, hint in code | "
           "$/month, usage file | Drift |", "|---|---|---:|---:|---:|"]
    for d in drift:
        fields = "; ".join(f"{name} {format_value(v['in_code'])} → {format_value(v['in_effect'])}"
                           for name, v in d["fields"].items())
        delta = d["drift_usd"]
        sign = "unknown" if delta is None else ("+" if delta > 0 else "-" if delta < 0 else "±")
        out.append(f"| `{d['path']}` | {fields} | {_usd(d['in_code_monthly_usd'])} | "
                   f"{_usd(d['monthly_usd'])} | "
                   f"{sign if delta is None else f'{sign}${abs(delta):,.2f}'} |")
    for file in sorted({str(d["file"]) for d in drift}):
        windows = [d["observed"] for d in drift if d["file"] == file and d.get("observed")]
        seen = (f": observed by `observe` from {min(w['start'] for w in windows)} to "
                f"{max(w['end'] for w in windows)}" if windows else "")
        out.append(f"\nUsage file `{file}`{seen}; fields it does not set are as in code.")
    return out


def format_value(value: Any) -> str:
    """A traffic figure as the report prints it (``-`` for none)."""
    if value is None:
        return "-"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:g}"
    return str(value)


def _scale_to_zero_notes(rows: list[ReportRow]) -> list[str]:
    """Inference-component endpoints: each component's share, then what the same endpoint
    would cost always on."""
    notes = []
    for row in rows:
        if row.kind != "inference_components" or row.unpriced or row.monthly_usd is None:
            continue
        by_component: dict[str, list[dict[str, Any]]] = {}
        for line in row.estimate.get("lines", []):
            if line.get("component"):
                by_component.setdefault(line["component"], []).append(line)
        notes.append(f"\nComponents of `{row.path}`:")
        for name, lines in by_component.items():
            top = max(lines, key=lambda line: line["monthly_usd"])
            notes.append(f"- {name}: {_usd(sum(line['monthly_usd'] for line in lines))}/month "
                         f"({top['item']}: {top['quantity']:,.1f} {top['unit']})")
        for alt in row.estimate.get("alternatives", []):
            if alt["kind"] == "inference_components":
                saving, share = _saving(row.monthly_usd, alt["monthly_usd"])
                notes.append(
                    f"\nScale to zero: `{row.path}` costs {_usd(row.monthly_usd)}/month scaled "
                    f"to zero; always on it would cost {_usd(alt['monthly_usd'])}/month: saves "
                    f"{_usd(saving)}/month ({share:.0%}).")
    return notes


def render_json(rows: list[ReportRow]) -> str:
    payload = {
        "currency": "USD",
        "total_monthly_usd": priced_total(rows),
        "unpriced": [{"stack": r.stack, "path": r.path, "reason": r.unpriced}
                     for r in rows if r.unpriced],
        "usage_drift": usage_drift(rows),
        "endpoints": [
            {"stack": r.stack, "path": r.path, "logical_id": r.logical_id, **r.estimate}
            for r in rows
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"
