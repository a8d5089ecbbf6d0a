"""Read cost estimates back out of a synthesized cloud assembly (``cdk.out``) and render them.

Works on any ``cdk.out``: it reads ``manifest.json``, each stack's template, and the
``Metadata.CostEstimate`` of its resources; construct paths come from the manifest's
logical-id entries, so path metadata need not be enabled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ReportRow", "collect", "render_json", "render_markdown"]


@dataclass(frozen=True)
class ReportRow:
    stack: str
    path: str
    logical_id: str
    estimate: dict[str, Any]

    @property
    def monthly_usd(self) -> float:
        return float(self.estimate["monthly_usd"])

    @property
    def kind(self) -> str:
        return str(self.estimate["kind"])

    @property
    def main_driver(self) -> str:
        lines = self.estimate.get("lines") or []
        if not lines:
            return "nothing billed"
        top = max(lines, key=lambda line: line["monthly_usd"])
        who = f"{top['variant']}: " if top.get("variant") else ""
        qty = top["quantity"]
        qty_text = f"{qty:,.0f}" if qty >= 100 or float(qty).is_integer() else f"{qty:,.2f}"
        return f"{who}{top['item']} ({qty_text} {top['unit']})"

    @property
    def cheapest_alternative(self) -> dict[str, Any] | None:
        cheaper = [a for a in self.estimate.get("alternatives", [])
                   if a["monthly_usd"] < self.monthly_usd]
        return min(cheaper, key=lambda a: a["monthly_usd"]) if cheaper else None


SOURCE_KEY = "ConstructsLib"


def _stack_artifacts(cdk_out: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    manifest_file = cdk_out / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"{manifest_file} not found: run `cdk synth` first") from None
    out: list[tuple[str, Path, dict[str, Any]]] = []
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "aws:cloudformation:stack":
            out.append((artifact.get("displayName", name), cdk_out / props["templateFile"],
                        artifact.get("metadata", {})))
        elif kind == "cdk:cloud-assembly":
            out.extend(_stack_artifacts(cdk_out / props["directoryName"]))
    return out


def collect(cdk_out: str | Path) -> list[ReportRow]:
    """Every resource carrying ``Metadata.CostEstimate``, sorted by stack and path."""
    rows = []
    for stack, template_file, metadata in _stack_artifacts(Path(cdk_out)):
        paths = {
            entry["data"]: path
            for path, entries in metadata.items()
            for entry in entries
            if entry.get("type") == "aws:cdk:logicalId"
        }
        template = json.loads(template_file.read_text("utf-8"))
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
            rows.append(ReportRow(stack, construct_path, logical_id, estimate))
    return sorted(rows, key=lambda r: (r.stack, r.path))


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def render_markdown(rows: list[ReportRow]) -> str:
    """A Markdown table for a pull request: one row per endpoint, then the total."""
    if not rows:
        return "No cost estimates found (no constructs_lib endpoints in this cloud assembly).\n"
    out = [
        "| Construct | Kind | Region | $/month | Main driver | Cheaper alternative |",
        "|---|---|---|---:|---|---|",
    ]
    for row in rows:
        alt = row.cheapest_alternative
        alt_text = (
            f"{alt['kind']} {_usd(alt['monthly_usd'])} "
            f"(saves {_usd(row.monthly_usd - alt['monthly_usd'])})" if alt else "-"
        )
        out.append(
            f"| `{row.path}` | {row.kind} | {row.estimate.get('region', '?')} | "
            f"{_usd(row.monthly_usd)} | {row.main_driver} | {alt_text} |"
        )
    total = sum(r.monthly_usd for r in rows)
    out.append(f"| **Total** | | | **{_usd(total)}** | | |")
    out += _consolidation_notes(rows)
    books = sorted({str(r.estimate.get("price_book")) for r in rows})
    out.append("")
    out.append(f"Prices: {'; '.join(books)}. Estimates from traffic hints, not bills.")
    return "\n".join(out) + "\n"


def _consolidation_notes(rows: list[ReportRow]) -> list[str]:
    """Multi-model endpoints: what one dedicated real-time endpoint per model would cost."""
    notes = []
    for row in rows:
        if row.kind != "multimodel":
            continue
        for alt in row.estimate.get("alternatives", []):
            if alt["kind"] == "realtime" and "dedicated" in alt["note"]:
                saving = alt["monthly_usd"] - row.monthly_usd
                share = saving / alt["monthly_usd"] if alt["monthly_usd"] > 0 else 0.0
                notes.append(
                    f"\nConsolidation: `{row.path}` costs {_usd(row.monthly_usd)}; "
                    f"{alt['note']} would cost {_usd(alt['monthly_usd'])}: saves "
                    f"{_usd(saving)}/month ({share:.0%}).")
    return notes


def render_json(rows: list[ReportRow]) -> str:
    payload = {
        "currency": "USD",
        "total_monthly_usd": round(sum(r.monthly_usd for r in rows), 2),
        "endpoints": [
            {"stack": r.stack, "path": r.path, "logical_id": r.logical_id, **r.estimate}
            for r in rows
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"
