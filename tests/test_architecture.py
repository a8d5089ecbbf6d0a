"""The package's shape (ARCHITECTURE.md): layers that depend one way, with no import cycle
(imports inside functions and under TYPE_CHECKING count), no private name borrowed across
modules, and no module over ~400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "constructs_lib"
CDK = {"aws_cdk", "constructs", "jsii"}
LAYERS = {
    # layer -> what its modules may import from the package (besides themselves)
    "errors": set(),
    "spec": {"errors"},
    "pricing": {"errors", "spec"},
    "cost": {"errors", "spec", "pricing"},
    "core": {"errors", "spec", "pricing", "cost"},
    "parts": {"errors", "spec", "pricing", "cost", "core"},
    "constructs": {"errors", "spec", "pricing", "cost", "core", "parts"},
}
NO_CDK = {"errors", "spec", "pricing", "cost"}
CHILD_CONSTRUCTS = {"constructs_lib.variant", "constructs_lib.inference_component"}
"""Construct modules an endpoint module may import: the child constructs it hosts (variants,
inference components)."""


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "init"
    if parts[1] in LAYERS:
        return parts[1]
    return "constructs"


def imports(module: str, path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, imported names) for every import in ``path``, anywhere in it."""
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, [a.name for a in node.names]))
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        for target, names in imports(module, path):
            for candidate in [target] + [f"{target}.{n}" for n in names]:
                if candidate in mods and candidate != module:
                    edges[module].add(candidate)
    return edges


def test_no_import_cycle_not_even_through_a_package_init():
    edges = graph()
    seen: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in seen:
                visit(nxt, stack)
        stack.pop()
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node, [])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_layers_depend_one_way(module):
    mine = layer(module)
    if mine == "init":
        return  # the public API re-exports every layer
    allowed = LAYERS[mine] | {mine}
    bad = []
    for target, _ in imports(module, modules()[module]):
        top = target.split(".")[0]
        if mine in NO_CDK and top in CDK:
            bad.append(target)
        if top != "constructs_lib" or target == "constructs_lib":
            if target == "constructs_lib":
                bad.append(target)
            continue
        if target in CHILD_CONSTRUCTS and mine == "constructs":
            continue
        theirs = layer(target)
        if theirs == "constructs" and mine == "constructs" and target != module:
            bad.append(target)  # one construct never imports another's module
        elif theirs not in allowed and theirs != "init":
            bad.append(target)
    assert bad == [], f"{module} ({mine}) may import only {sorted(allowed)}"


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_private_name_is_borrowed_from_another_module(module):
    borrowed = [f"{target}.{name}" for target, names in imports(module, modules()[module])
                if target.startswith("constructs_lib") for name in names
                if name.startswith("_") and not name.startswith("__")]
    assert borrowed == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_small(module):
    assert modules()[module].read_text(encoding="utf-8").count("\n") <= 400
