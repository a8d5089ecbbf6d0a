"""Base for every config model: frozen, no extra keys, and errors raised as ConfigurationError."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigurationError

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Frozen pydantic model that rejects unknown keys, NaN and infinity.

    Built directly (``TrafficHint(...)``), a bad value raises ``ConfigurationError`` naming the
    model; given as a dict to a construct, the construct's path is named instead.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        arbitrary_types_allowed=True,
        validate_default=True,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise ConfigurationError.from_pydantic(type(self).__name__, error) from None


def validate_props(model: type[M], path: str, kind: str, data: dict[str, Any]) -> M:
    """Validate a construct's props, raising one error naming the construct path and kind."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError.from_pydantic(path, error, kind=kind) from None
    except ConfigurationError as error:
        raise ConfigurationError(path, error.problems, kind=kind) from None


_PATHS: WeakKeyDictionary[Any, str] = WeakKeyDictionary()
"""Node path of each scope seen: a path never changes, and reading it is two jsii calls."""
_ID_SEPARATORS = re.compile("[/\n]")


def scope_path(scope: Any) -> str:
    """``scope.node.path``, read once per scope."""
    path = _PATHS.get(scope)
    if path is None:
        path = _PATHS[scope] = scope.node.path
    return path


def child_path(scope: Any, construct_id: str) -> str:
    """The path a construct will have, known before it is created (so errors leave no node).

    The id is escaped as ``constructs`` does (a ``/`` or newline becomes ``--``).
    """
    parent = scope_path(scope)
    cid = _ID_SEPARATORS.sub("--", construct_id)
    return f"{parent}/{cid}" if parent else cid


def remember_path(construct: Any, path: str) -> None:
    """Record a construct's path computed by :func:`child_path` once it exists."""
    _PATHS[construct] = path
