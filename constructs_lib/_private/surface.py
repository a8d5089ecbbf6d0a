"""Compute each construct's estimate when the app synthesizes, and surface it three ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from constructs import IConstruct

if TYPE_CHECKING:
    from .base import PricedConstruct

WARNING_ID = "constructs-lib:cheaper-alternative"
SOURCE_KEY = "ConstructsLib"
"""Metadata key beside ``CostEstimate``: the construct path and class that produced it."""


@jsii.implements(cdk.IAspect)
class CostAspect:
    """Runs once per priced construct, after mutating aspects, so later changes are counted."""

    def __init__(self, owner: PricedConstruct) -> None:
        self._owner = owner
        self._done = False

    def visit(self, node: IConstruct) -> None:
        if self._done:
            return
        self._done = True
        self._owner._surface_cost()


def register(owner: PricedConstruct) -> None:
    cdk.Aspects.of(owner).add(CostAspect(owner), priority=cdk.AspectPriority.READONLY)
