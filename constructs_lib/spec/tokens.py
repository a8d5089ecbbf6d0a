"""CDK tokens in string props, recognised without importing CDK.

A CDK app is made of tokens: ``bucket.bucket_name``, ``repository.repository_uri_for_tag(...)``,
``asset.image_uri``, ``Fn.import_value(...)``, a ``CfnParameter``'s value. In Python each is a
string holding one or more encoded markers, ``${Token[<name>.<number>]}``, which CDK resolves at
synth (to ``Ref``, ``Fn::GetAtt``, ``Fn::Join``..., or to a literal for a lazy value). This
module is how the spec layer tells them apart (by that marker: CDK's string-token encoding) and
checks what can be known of them before synth:

- a **literal** is validated as before (pattern, length);
- a **token string** (markers inside literal text, e.g. ``s3://${Token[..]}/model.tar.gz``) has
  its literal parts checked: each marker stands for one valid character (:func:`sample`), so a
  literal part that could never be valid (``nginx:${Token[..]}`` for an ECR image, a '_' in an
  endpoint name) is refused, and everything a token may supply is left to it;
- a **bare token** (nothing but markers) cannot be checked before synth.

When a token resolves to a literal at synth (``Lazy.string``), the construct validates that
literal again and fails ``cdk synth`` with the same message (``core/tokens.py``). Values the
library computes with (instance types, which are priced; enumerated choices, on which
SageMaker's rules branch; environment variable names, which CloudFormation map keys cannot
resolve) take literals only, and say so.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import (
    BeforeValidator,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

__all__ = [
    "FIRST_PLACEHOLDER",
    "PLACEHOLDER",
    "TOKENS",
    "TOKEN_MARKER",
    "bare_token",
    "from_placeholders",
    "is_token",
    "literal_only",
    "sample",
    "to_placeholders",
]

TOKEN_MARKER = re.compile(r"\$\{Token\[[^\]]*\]\}")
"""CDK's encoding of a string token (``Token.asString``): ``${Token[AWS.Region.5]}``."""
FIRST_PLACEHOLDER = 0xE000
PLACEHOLDER = "[\ue000-\uf8ff]"
"""A regex class matching the placeholder of any token (Unicode private-use characters)."""


def is_token(value: Any) -> bool:
    """Whether ``value`` is a string holding at least one CDK token marker."""
    return isinstance(value, str) and TOKEN_MARKER.search(value) is not None


def bare_token(value: str) -> bool:
    """Whether ``value`` is nothing but token markers (no literal text to check)."""
    return is_token(value) and not TOKEN_MARKER.sub("", value)


def sample(value: str, char: str = "a") -> str:
    """``value`` with every token replaced by ``char``: the shortest literal it could be, for
    checking its literal parts against a pattern that ``char`` satisfies anywhere."""
    return TOKEN_MARKER.sub(char, value)


def to_placeholders(value: str) -> tuple[str, list[str]]:
    """``value`` with its i-th token replaced by the character U+E000+i, and the markers."""
    markers: list[str] = []

    def one(match: re.Match[str]) -> str:
        markers.append(match.group(0))
        return chr(FIRST_PLACEHOLDER + len(markers) - 1)

    return TOKEN_MARKER.sub(one, value), markers


def from_placeholders(text: str, markers: list[str]) -> str:
    """``text`` (a part of :func:`to_placeholders`' result) with its tokens put back."""
    return "".join(markers[ord(c) - FIRST_PLACEHOLDER]
                   if FIRST_PLACEHOLDER <= ord(c) < FIRST_PLACEHOLDER + len(markers) else c
                   for c in text)


def _token_aware(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate a literal as the field says; a token string by its sample (each token one
    valid character, see :func:`sample`); a bare token not at all (it is checked at synth when
    it resolves to a literal)."""
    if not is_token(value):
        return handler(value)
    if not bare_token(value):
        try:
            handler(sample(value))
        except ValidationError as error:
            reasons = "; ".join(e["msg"] for e in error.errors(include_url=False))
            raise ValueError(f"{reasons} (checked on its literal parts: each CDK token stands "
                             "for any valid text)") from None
    return value


TOKENS = WrapValidator(_token_aware)
"""Put after a string type's constraints (``Annotated[str, Field(pattern=...), TOKENS]``) to
accept CDK tokens there: literals get the constraints' own messages, token strings the same
messages for their literal parts."""


def literal_only(why: str) -> BeforeValidator:
    """A validator refusing tokens where the library computes with the value (``why``)."""

    def check(value: Any) -> Any:
        if is_token(value):
            raise ValueError(f"a literal, not a CDK token: {why}")
        return value

    return BeforeValidator(check)
