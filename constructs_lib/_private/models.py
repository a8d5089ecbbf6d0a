"""Base for every config model: frozen, no extra keys, and errors raised as ConfigurationError."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


def child_path(scope: Any, construct_id: str) -> str:
    """The path a construct will have, known before it is created (so errors leave no node)."""
    parent = scope.node.path
    return f"{parent}/{construct_id}" if parent else construct_id


MAX_MONTHLY_USD: Any = Field(
    None, gt=0, description="Budget for this construct, USD per month: synth fails above it."
)
"""The field a priced construct's props declare as ``max_monthly_usd: float | None =
MAX_MONTHLY_USD`` and pass to ``PricedConstruct.__init__`` (see ``_private/policy.py``)."""
