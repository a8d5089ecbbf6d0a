"""A small evaluator of CloudFormation intrinsics, for asserting what a policy resource becomes
at deploy time (``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::Sub``, ``Ref``,
``Fn::GetAtt``, ``Fn::FindInMap``, ``Fn::ImportValue``), given the values of references (an
import by ``Import:<export name>``) and pseudo parameters."""

from __future__ import annotations

import re
from typing import Any

PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
          "AWS::URLSuffix": "amazonaws.com"}


def evaluate(value: Any, refs: dict[str, Any] | None = None,
             mappings: dict[str, Any] | None = None) -> Any:
    """``value`` with every intrinsic evaluated; ``refs`` maps a logical ID (or ``id.Attr``) to
    its value; unknown references raise ``KeyError`` (a test must name what it assumes)."""
    known = {**PSEUDO, **(refs or {})}

    def ev(node: Any) -> Any:
        if isinstance(node, list):
            return [ev(n) for n in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: ev(v) for k, v in node.items()}
        (fn, arg), = node.items()
        if fn == "Ref":
            return known[arg]
        if fn == "Fn::GetAtt":
            return known[".".join(arg)]
        if fn == "Fn::Join":
            return str(arg[0]).join(str(ev(a)) for a in ev_list(arg[1]))
        if fn == "Fn::Split":
            return str(ev(arg[1])).split(arg[0])
        if fn == "Fn::Select":
            return ev_list(arg[1])[int(arg[0])]
        if fn == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(known[m.group(1)]), arg)
        if fn == "Fn::ImportValue":
            return known[f"Import:{ev(arg)}"]
        if fn == "Fn::FindInMap":
            name, top, second = (ev(a) for a in arg)
            return (mappings or {})[name][top][second]
        return {fn: ev(arg)}

    def ev_list(node: Any) -> list[Any]:
        result = ev(node)
        assert isinstance(result, list), result
        return result

    return ev(value)
