"""What every config model shares: frozen pydantic models whose errors name the field, the value
and what is allowed, and the CDK objects they carry (duck-typed: no CDK import here)."""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigurationError, FieldProblem, Problem

__all__ = [
    "MAX_MONTHLY_USD",
    "IAlarmLike",
    "IBucketLike",
    "IKeyLike",
    "IRoleLike",
    "ISecurityGroupLike",
    "ITopicLike",
    "IVpcLike",
    "StrictModel",
    "jsii_object",
    "validate_keywords",
    "validate_props",
]

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Frozen pydantic model that rejects unknown keys, NaN and infinity.

    Built directly (``TrafficHint(...)``), a bad value raises ``ConfigurationError`` naming the
    model; given to a construct (as keywords or a dict), the construct's path is named instead.
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


def validate_props(model: type[M], path: str, kind: str, data: Mapping[str, Any]) -> M:
    """Validate a construct's props, raising one error naming the construct path and kind."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise ConfigurationError.from_pydantic(path, error, kind=kind) from None
    except ConfigurationError as error:
        raise ConfigurationError(path, error.problems, kind=kind) from None


def validate_keywords(model: type[M], path: str, kind: str, args: tuple[Any, ...],
                      kwargs: Mapping[str, Any]) -> M:
    """A construct's keyword arguments as its props model (the model is the signature): a
    positional prop, an unknown or misspelt keyword (with a did-you-mean) or a missing required
    one is reported as every other bad value is, before pydantic checks the values. A model's
    ``NOT_HERE`` (keyword -> why, and what to use instead) explains props of another kind."""
    names = list(model.model_fields)
    problems: list[Problem] = []
    if args:
        problems.append(Problem("(positional)", args,
                                f"props are keyword-only: {', '.join(names)}"))
    pointers: Mapping[str, str] = getattr(model, "NOT_HERE", {})
    for name in kwargs:
        if name in pointers:
            problems.append(Problem(name, kwargs[name], pointers[name]))
        elif name not in model.model_fields:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(name, kwargs[name], f"not a prop of {kind}; {hint}"
                                    f"allowed: {', '.join(names)}"))
    for name, field in model.model_fields.items():
        if field.is_required() and name not in kwargs:
            problems.append(Problem(name, "(missing)", "required"))
    if problems:
        raise ConfigurationError(path, problems, kind=kind)
    return validate_props(model, path, kind, kwargs)


def _is_jsii_object(value: Any, attribute: str) -> bool:
    """A CDK (jsii) object with ``attribute``: a class from aws-cdk-lib, or a Python class
    implementing the interface with ``@jsii.implements``. Duck-typed look-alikes are refused:
    they fail later inside CDK with a JavaScript error."""
    kind = type(value)
    return hasattr(value, attribute) and (
        hasattr(kind, "__jsii_type__") or hasattr(kind, "__jsii_ifaces__")
        or hasattr(value, "__jsii_ref__"))  # an imported resource: a jsii interface proxy


def jsii_object(attribute: str, what: str) -> AfterValidator:
    """A validator for a field holding a CDK object of interface ``what`` (``attribute`` is one
    of its members), or None."""
    def check(value: Any) -> Any:
        if value is not None and not _is_jsii_object(value, attribute):
            raise ValueError(
                f"expected {what} (a CDK object with '{attribute}'), got {type(value).__name__}")
        return value

    return AfterValidator(check)


IRoleLike = Annotated[Any, jsii_object("role_arn", "an aws_iam.IRole")]
IKeyLike = Annotated[Any, jsii_object("key_arn", "an aws_kms.IKey")]
IBucketLike = Annotated[Any, jsii_object("bucket_name", "an aws_s3.IBucket")]
ITopicLike = Annotated[Any, jsii_object("topic_arn", "an aws_sns.ITopic")]
IAlarmLike = Annotated[Any, jsii_object("alarm_name", "an aws_cloudwatch.IAlarm")]
IVpcLike = Annotated[Any, jsii_object("vpc_id", "an aws_ec2.IVpc")]
ISecurityGroupLike = Annotated[Any, jsii_object("security_group_id",
                                                "an aws_ec2.ISecurityGroup")]

MAX_MONTHLY_USD: Any = Field(
    None, gt=0, description="Budget for this construct, USD per month: synth fails above it."
)
"""The field a priced construct's props declare as ``max_monthly_usd: float | None =
MAX_MONTHLY_USD``: an estimate above it fails ``cdk synth``."""
