"""Base for every config model: frozen, no extra keys, and errors raised as ConfigurationError."""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigurationError, FieldProblem, Problem

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

    @model_validator(mode="before")
    @classmethod
    def _no_surprising_coercion(cls, data: Any) -> Any:
        """Refuse True as a count and "yes" as a flag: pydantic's lax mode would accept both."""
        if not isinstance(data, dict):
            return data
        problems: list[Problem] = []
        numbers, flags = _scalar_fields(cls)
        for name in numbers:
            value = data.get(name)
            if isinstance(value, bool):
                problems.append(Problem(name, value, "must be a number, not a boolean"))
        for name in flags:
            value = data.get(name)
            if value is not None and not isinstance(value, bool):
                problems.append(Problem(name, value, "must be True or False"))
        if problems:
            # In field order, as pydantic reports the rest.
            order = list(cls.model_fields)
            problems.sort(key=lambda p: order.index(p.field))
        FieldProblem.raise_if_any(problems)
        return data


@functools.cache
def _scalar_fields(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields that take numbers only, fields that take booleans only) of ``model``: read from
    the annotations once per class, not at every validation."""
    numbers, flags = [], []
    for name, field in model.model_fields.items():
        kinds = _scalar_kinds(field.annotation)
        if kinds and kinds <= {int, float}:
            numbers.append(name)
        elif kinds == {bool}:
            flags.append(name)
    return tuple(numbers), tuple(flags)


def _scalar_kinds(annotation: Any) -> set[type]:
    """The scalar types an annotation allows (None dropped), or an empty set when not scalar."""
    kinds: set[type] = set()
    for arg in _flatten(annotation):
        if arg is type(None):
            continue
        if arg in (int, float, bool):
            kinds.add(arg)
        else:
            return set()
    return kinds


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _flatten(arg)]
    return [annotation]


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


_NODES: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def _node(scope: Any) -> Any:
    """``scope.node``, read once per scope (a construct's node never changes)."""
    node = _NODES.get(scope)
    if node is None:
        node = _NODES[scope] = scope.node
    return node


def escape_id(construct_id: str) -> str:
    """The id as ``constructs`` stores it: a ``/`` or newline becomes ``--``."""
    return _ID_SEPARATORS.sub("--", construct_id)


def join_path(parent: str, construct_id: str) -> str:
    """The path of child ``construct_id`` (escaped) of a node at ``parent``."""
    cid = escape_id(construct_id)
    return f"{parent}/{cid}" if parent else cid


def remember_path(construct: Any, path: str) -> None:
    """Record a construct's path computed by :func:`child_path` once it exists."""
    _PATHS[construct] = path


def child_path(scope: Any, construct_id: Any, kind: str | None = None, *,
               check_taken: bool = True) -> str:
    """The path a construct will have, known before it is created (so errors leave no node).

    Also checks what CDK would otherwise refuse with a JavaScript error: a scope that is not a
    construct, an id that is not a non-empty string, an id already taken in ``scope``. The id
    is escaped as ``constructs`` does (a ``/`` or newline becomes ``--``). With
    ``check_taken=False`` the caller creates its node with :func:`create_node`, which turns
    CDK's refusal of a taken id into the same error (one jsii call less).
    """
    try:
        parent = _PATHS.get(scope)
    except TypeError:  # not weakly referenceable: certainly not a construct
        parent = None
    if parent is None:
        node = getattr(scope, "node", None)
        parent = getattr(node, "path", None)
        if node is None or not isinstance(parent, str):
            raise ConfigurationError.single(
                str(construct_id), "scope", scope, "a construct (a Stack or a construct in one)",
                kind=kind)
        _PATHS[scope] = parent
    if not isinstance(construct_id, str) or not construct_id:
        raise ConfigurationError.single(join_path(parent, str(construct_id)), "construct_id",
                                        construct_id, "a non-empty string", kind=kind)
    path = join_path(parent, construct_id)
    if check_taken and _node(scope).try_find_child(escape_id(construct_id)) is not None:
        raise _taken(path, parent, construct_id, kind)
    return path


def _taken(path: str, parent: str, construct_id: str, kind: str | None) -> ConfigurationError:
    return ConfigurationError.single(
        path, "construct_id", construct_id,
        f"unique within '{parent or 'App'}': a construct with this id already exists",
        kind=kind)


def create_node(init: Callable[[], None], scope: Any, construct_id: str,
                kind: str | None) -> None:
    """Run a construct's ``Construct.__init__`` (``init``); a taken id, which CDK refuses
    before adding the node, is the error :func:`child_path` would have raised."""
    try:
        init()
    except RuntimeError as error:
        if "There is already a Construct with name" not in str(error):
            raise
        parent = scope_path(scope)
        raise _taken(join_path(parent, construct_id), parent, construct_id, kind) from None


F = TypeVar("F", bound=Callable[..., None])


def checked_init(kind: str) -> Callable[[F], F]:
    """Turn a construct's wrong call shape (an unknown or misspelt prop, a missing one, props
    passed by position) into ``ConfigurationError`` instead of Python's ``TypeError``."""

    def decorate(init: F) -> F:
        signature = inspect.signature(init)
        props = [p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
        names = [p.name for p in props]

        @functools.wraps(init)
        def wrapper(self: Any, scope: Any = None, construct_id: Any = None, *args: Any,
                    **kwargs: Any) -> None:
            problems: list[Problem] = []
            if args:
                problems.append(Problem("(positional)", args,
                                        f"props are keyword-only: {', '.join(names)}"))
            for name in kwargs:
                if name not in names:
                    close = difflib.get_close_matches(name, names, n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    problems.append(Problem(name, kwargs[name], f"not a prop of {kind}; {hint}"
                                            f"allowed: {', '.join(names)}"))
            for p in props:
                if p.default is p.empty and p.name not in kwargs:
                    problems.append(Problem(p.name, "(missing)", "required"))
            if problems:
                raise ConfigurationError(child_path(scope, construct_id, kind), problems,
                                         kind=kind)
            init(self, scope, construct_id, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


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


MAX_MONTHLY_USD: Any = Field(
    None, gt=0, description="Budget for this construct, USD per month: synth fails above it."
)
"""The field a priced construct's props declare as ``max_monthly_usd: float | None =
MAX_MONTHLY_USD`` and pass to ``PricedConstruct.__init__`` (see ``_private/policy.py``)."""
