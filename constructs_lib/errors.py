"""The library's one error type for bad input, raised at construction before anything is built."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

__all__ = ["ConfigurationError", "FieldProblem", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One invalid field: where it is, what was given, and what is allowed."""

    field: str
    value: Any
    allowed: str

    def render(self) -> str:
        return f"{self.field}={_short(self.value)}: {self.allowed}"


class FieldProblem(ValueError):
    """Raised inside a config model's validator to name the field it is about.

    Cross-field rules run on the whole model; this keeps the error pointing at one field.
    """

    def __init__(self, field: str = "", value: Any = None, allowed: str = "", *,
                 problems: Iterable[Problem] = ()) -> None:
        self.problems = tuple(problems) or (Problem(field, value, allowed),)
        super().__init__("; ".join(p.render() for p in self.problems))

    @staticmethod
    def raise_if_any(problems: list[Problem]) -> None:
        """Raise every problem a cross-field check found at once."""
        if problems:
            raise FieldProblem(problems=problems)


class ConfigurationError(ValueError):
    """Invalid props for a construct (or a config model), listing every problem at once.

    The message names the construct path (or the model when there is no construct yet), each
    field, the value given and what is allowed. ``problems`` holds the same as data.
    """

    def __init__(self, path: str, problems: Iterable[Problem], *, kind: str | None = None) -> None:
        self.path = path
        self.kind = kind
        self.problems: tuple[Problem, ...] = tuple(problems)
        what = f"{kind} at '{path}'" if kind else f"'{path}'"
        lines = "\n".join(f"  - {p.render()}" for p in self.problems)
        super().__init__(f"Invalid configuration for {what}:\n{lines}")

    @classmethod
    def single(
        cls, path: str, field: str, value: Any, allowed: str, *, kind: str | None = None
    ) -> ConfigurationError:
        return cls(path, [Problem(field, value, allowed)], kind=kind)

    @classmethod
    def from_pydantic(
        cls, path: str, error: ValidationError, *, kind: str | None = None, prefix: str = ""
    ) -> ConfigurationError:
        """Wrap a pydantic error: one ``Problem`` per failed field, with pydantic's own wording."""
        problems: list[Problem] = []
        for item in error.errors(include_url=False):
            field = _join(prefix, ".".join(
                str(part) for part in item["loc"] if not _is_union_tag(part)))
            ctx_error = (item.get("ctx") or {}).get("error")
            if isinstance(ctx_error, (ConfigurationError, FieldProblem)):
                problems.extend(Problem(_join(field, p.field), p.value, p.allowed)
                                for p in ctx_error.problems)
            else:
                message = str(ctx_error) if ctx_error is not None else item["msg"]
                value = item.get("input") if item["type"] != "missing" else "(missing)"
                problems.append(Problem(field, value, message))
        return cls(path, problems, kind=kind)


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p and p != "(props)") or "(props)"


def _is_union_tag(part: object) -> bool:
    # pydantic adds the class name of a union member to the location; users never typed it.
    return (
        isinstance(part, str)
        and part[:1].isupper()
        and part.isidentifier()
        and "_" not in part
        and any(c.islower() for c in part)
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
