"""What can be known of a construct's tokens: checked at construction where the stack's
environment tells (a Deep Learning Container for the stack's region), and again at synth for
every token that resolves to a literal then (``cdk.Lazy.string`` and the like).

At construction a token string is checked by its literal parts (``spec/tokens.py``). At synth,
when the construct is surfaced, each token in its props is resolved; if any resolved to a
literal, the props are validated again with those literals, and a problem becomes an error
annotation on the construct (``cdk synth`` fails with the library's message: the path, the
field, the value and what is allowed), never a half-made template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
from constructs import Construct
from pydantic import BaseModel

from ..errors import ConfigurationError, Problem
from ..spec.base import validate_props
from ..spec.dlc import DLC_REGISTRY
from ..spec.sources import ImageFromDlc
from ..spec.tokens import is_token

__all__ = ["dlc_region_problems", "has_tokens", "resolved_check"]


def has_tokens(value: Any) -> bool:
    """Whether a props model (or anything in it) holds a token string."""
    if isinstance(value, BaseModel):
        return any(has_tokens(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, dict):
        return any(has_tokens(k) or has_tokens(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_tokens(v) for v in value)
    return is_token(value)


def resolved_check(owner: Construct, props: BaseModel, path: str, kind: str
                   ) -> Callable[[], None]:
    """A synth-time check of ``props`` with every token that resolves to a literal replaced by
    that literal (an error annotation on ``owner`` when they are then invalid)."""

    def check() -> None:
        stack = cdk.Stack.of(owner)
        found: list[bool] = []

        def literal(value: Any) -> Any:
            if isinstance(value, dict):
                return {literal(k): literal(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(literal(v) for v in value)
            if is_token(value):
                resolved = stack.resolve(value)
                if isinstance(resolved, str) and not is_token(resolved):
                    found.append(True)
                    return resolved
            return value

        data = literal(props.model_dump())
        if not found:
            return
        try:
            validate_props(type(props), path, kind, data)
        except ConfigurationError as error:
            cdk.Annotations.of(owner).add_error(
                f"{error} (after resolving the CDK tokens that are literals at synth)")

    return check


def dlc_region_problems(value: Any, region: str, field: str = "") -> list[Problem]:
    """Every Deep Learning Container image in ``value`` (props) that the stack's literal
    ``region`` has no registry for (an environment-agnostic stack's region is looked up at
    deploy time, in a mapping of the same table). Pure Python: the region token is found by
    its marker, not by a round trip to CDK per field."""
    if is_token(region):
        return []
    if isinstance(value, ImageFromDlc):
        return [] if region in DLC_REGISTRY else [Problem(
            field, region, f"a region with a Deep Learning Containers registry for "
                           f"{value.framework} {value.version} (the stack is in {region}; "
                           f"known: {', '.join(sorted(DLC_REGISTRY))})")]
    if isinstance(value, BaseModel):
        return [p for name in type(value).model_fields for p in dlc_region_problems(
            getattr(value, name), region, f"{field}.{name}" if field else name)]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value)
                for p in dlc_region_problems(v, region, f"{field}[{i}]")]
    return []
