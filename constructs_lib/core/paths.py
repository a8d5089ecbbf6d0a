"""Where a construct will be, known before it exists, so that bad input leaves no node behind."""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import BaseModel

from ..errors import ConfigurationError, Problem

__all__ = ["check_same_app", "construct_path"]

_ID_SEPARATORS = re.compile("[/\n]")
_SCOPES: WeakKeyDictionary[Any, tuple[Any, str]] = WeakKeyDictionary()
"""A scope's node and path, read once (each read is a round trip to the JavaScript engine, and
neither can change: a construct's id and parent are fixed when it is created)."""


def construct_path(scope: Any, construct_id: Any, kind: str) -> str:
    """The path a construct ``construct_id`` under ``scope`` will have.

    Checks what CDK would otherwise refuse with a JavaScript error: a scope that is not a
    construct, an id that is not a non-empty string, an id already taken in ``scope``. The id is
    escaped as ``constructs`` stores it (a ``/`` or newline becomes ``--``).
    """
    node, parent = _node_and_path(scope)
    if node is None or not isinstance(parent, str):
        raise ConfigurationError.single(
            str(construct_id), "scope", scope, "a construct (a Stack or a construct in one)",
            kind=kind)
    if not isinstance(construct_id, str) or not construct_id:
        raise ConfigurationError.single(_join(parent, str(construct_id)), "construct_id",
                                        construct_id, "a non-empty string", kind=kind)
    escaped = _ID_SEPARATORS.sub("--", construct_id)
    path = _join(parent, escaped)
    if node.try_find_child(escaped) is not None:
        raise ConfigurationError.single(
            path, "construct_id", construct_id,
            f"unique within '{parent or 'App'}': a construct with this id already exists",
            kind=kind)
    return path


def _node_and_path(scope: Any) -> tuple[Any, Any]:
    """``scope.node`` and its path (kept per scope once both are found)."""
    try:
        return _SCOPES[scope]
    except (KeyError, TypeError):  # not seen yet; or not a construct (unhashable, no weakref)
        pass
    node = getattr(scope, "node", None)
    parent = getattr(node, "path", None)
    if node is not None and isinstance(parent, str):
        with suppress(TypeError):  # a construct-like object that cannot be a weak key
            _SCOPES[scope] = (node, parent)
    return node, parent


def _join(parent: str, construct_id: str) -> str:
    return f"{parent}/{construct_id}" if parent else construct_id


def check_same_app(scope: Any, path: str, kind: str, props: BaseModel) -> None:
    """Refuse CDK objects (a key, a role, a bucket, a VPC) built in another CDK app: CDK would
    only fail at synth, with a JavaScript error ("Cannot reference across apps")."""
    objects = _cdk_objects(props, "")
    if not objects:  # nothing to compare: no jsii round trip for the root
        return
    root = scope.node.root
    problems = [
        Problem(name, value, "a CDK object from the same app as this construct (it was "
                             "created in another cdk.App)")
        for name, value in objects
        if getattr(getattr(value, "node", None), "root", root) is not root
    ]
    if problems:
        raise ConfigurationError(path, problems, kind=kind)


def _cdk_objects(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        return [found for name in type(value).model_fields
                for found in _cdk_objects(getattr(value, name),
                                          f"{prefix}.{name}" if prefix else name)]
    if isinstance(value, tuple):
        return [found for i, item in enumerate(value)
                for found in _cdk_objects(item, f"{prefix}.{i}")]
    return [(prefix, value)] if hasattr(value, "node") else []
