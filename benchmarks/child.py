"""One measured synth in a fresh process: ``python -m benchmarks.child WAY N [options]``.

Run by :mod:`benchmarks.synth` (never in the same process twice, so jsii's Node process, its
object table and Python's import caches start cold every time). Prints one JSON line:
seconds for imports, build (constructs created) and synth (``app.synth()``), and peak memory
of this Python process (``ru_maxrss``) and of the jsii Node process (``VmHWM`` from
``/proc``, read just before exit: Node is a child we never wait for, so the parent's
``RUSAGE_CHILDREN`` would not count it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

T_START = time.perf_counter()

ENDPOINTS_PER_STACK = 40
"""Below CloudFormation's 500-resource limit for every way (alpha adds a policy per role)."""
REGION = "us-east-1"
WAYS = ("ours", "floor", "l1", "alpha", "ours-l1", "ours-alpha", "example")
"""``ours-l1`` / ``ours-alpha``: this library over only the kinds ``l1`` / ``alpha`` cover, the
baseline of those ratios (``ours`` and ``floor`` cover every kind)."""


def _children(pid: str | None = None) -> list[str]:
    """Pids of every descendant of this process: jsii's Node launcher and the Node process it
    starts for the kernel."""
    pids: list[str] = []
    for task in Path(f"/proc/{pid or os.getpid()}/task").iterdir():
        try:
            direct = (task / "children").read_text().split()
        except OSError:
            continue
        for child in direct:
            pids += [child, *_children(child)]
    return pids


def _node_peak_kb() -> int:
    """Peak resident set (VmHWM, KB) of the child processes of this one."""
    peak = 0
    for pid in _children():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return peak


def _cpu_s() -> tuple[float, float]:
    """CPU seconds (user + system) used so far by this process, and by its descendants (Node).

    Less sensitive than wall time to other load on a shared machine: reported beside it.
    """
    node = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _children():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        node += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return time.process_time(), node


def _stacks(app: Any, n: int) -> list[Any]:
    import aws_cdk as cdk

    env = cdk.Environment(region=REGION)
    count = max(1, -(-n // ENDPOINTS_PER_STACK))
    return [cdk.Stack(app, f"Bench{s}", env=env) for s in range(count)]


def load_templates(template_dir: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.name.split(".")[0], json.loads(p.read_text()))
            for p in sorted(Path(template_dir).glob("*.template.json"))]


def build(way: str, n: int, outdir: str, templates: list[tuple[str, dict[str, Any]]]) -> Any:
    import aws_cdk as cdk

    from .kinds import covering, mix

    app = cdk.App(outdir=outdir)
    if way == "example":
        from stacks import build_app

        build_app(app)
        return app
    if way == "floor":
        _floor(app, templates)
        return app
    base, _, subset = way.partition("-")
    kinds = covering(subset or base) if (subset or base != "ours") else None
    stacks = _stacks(app, n)
    for i, kind in enumerate(mix(n, kinds)):
        getattr(kind, base)(stacks[i // ENDPOINTS_PER_STACK], f"Ep{i}", i)
    return app


def _floor(app: Any, templates: list[tuple[str, dict[str, Any]]]) -> None:
    """Every resource of the given templates as ``cdk.CfnResource(type=..., properties=...)``."""
    import aws_cdk as cdk

    env = cdk.Environment(region=REGION)
    for name, template in templates:
        stack = cdk.Stack(app, name, env=env)
        for logical_id, res in template["Resources"].items():
            r = cdk.CfnResource(stack, logical_id, type=res["Type"],
                                properties=res.get("Properties"))
            if "Metadata" in res:
                r.cfn_options.metadata = res["Metadata"]
            for key in ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition"):
                if key in res:
                    r.add_override(key, res[key])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("way", choices=WAYS)
    parser.add_argument("n", type=int)
    parser.add_argument("--outdir", required=True, help="cloud assembly directory")
    parser.add_argument("--templates", help="floor: directory of the 'ours' templates")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import aws_cdk

    if args.way.startswith("ours") or args.way == "example":
        import constructs_lib  # noqa: F401
        from constructs_lib import (  # noqa: F401
            AsyncEndpoint,
            BatchTransform,
            MultiModelEndpoint,
            RealTimeEndpoint,
            ServerlessEndpoint,
        )
    if args.way == "l1":  # every way imports its modules before the clock
        from aws_cdk import (  # noqa: F401
            aws_applicationautoscaling,
            aws_cloudwatch,
            aws_iam,
            aws_logs,
            aws_s3,
            aws_sagemaker,
            aws_scheduler,
            aws_sns,
            aws_stepfunctions,
        )
    if args.way == "alpha":
        import aws_cdk.aws_sagemaker_alpha  # noqa: F401
        from aws_cdk import aws_ecr, aws_s3  # noqa: F401
    if args.way == "floor":  # reading the JSON is not the floor's work: done before the clock
        assert args.templates, "floor re-emits the templates of an 'ours' run: --templates DIR"
        templates = load_templates(args.templates)
    else:
        templates = []
    c1 = _cpu_s()
    t1 = time.perf_counter()
    app = build(args.way, args.n, args.outdir, templates)
    t2 = time.perf_counter()
    app.synth()
    t3 = time.perf_counter()
    c3 = _cpu_s()
    result: dict[str, Any] = {
        "way": args.way, "n": args.n,
        "startup_s": t0 - T_START, "import_s": t1 - t0,
        "build_s": t2 - t1, "synth_s": t3 - t2, "build_synth_s": t3 - t1,
        "build_synth_cpu_s": sum(c3) - sum(c1),
        "py_cpu_s": c3[0] - c1[0], "node_cpu_s": c3[1] - c1[1],
        "py_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "node_hwm_kb": _node_peak_kb(),
        "node": os.environ.get("JSII_NODE", "node (PATH)"),
    }
    if args.way.startswith("ours") or args.way == "example":
        from constructs_lib.pricing.price_book import _load_file

        result["price_book_parses"] = _load_file.cache_info().misses
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
