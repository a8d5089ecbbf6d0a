"""Compute each construct's estimate when the app synthesizes, and surface it three ways."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ..cost.estimate import Alternative, CostEstimate

if TYPE_CHECKING:
    from .base import PricedConstruct

WARNING_ID = "constructs-lib:cheaper-alternative"
SOURCE_KEY = "ConstructsLib"
"""Metadata key beside ``CostEstimate``: the construct path and class that produced it."""


@jsii.implements(cdk.IAspect)
class CostAspect:
    """Runs once per priced construct, after mutating aspects, so later changes are counted.

    Added to a leaf (the construct's main resource) where possible: an aspect visits every node
    below the one it is added to, and each visit of a Python aspect is a jsii callback. (One
    aspect per construct costs no more than a shared one: jsii creates a new JS proxy each
    time a Python-implemented interface is passed.)
    """

    def __init__(self, owner: PricedConstruct) -> None:
        self._owner = owner
        self._done = False

    def visit(self, node: IConstruct) -> None:
        if self._done:
            return
        self._done = True
        self._owner._surface_cost()


@cache
def _readonly_priority() -> float:
    """``cdk.AspectPriority.READONLY``, read over jsii once per process."""
    return cdk.AspectPriority.READONLY


def register(owner: PricedConstruct, on: IConstruct) -> None:
    """Surface ``owner``'s cost when synthesis reaches ``on`` (the owner or its main resource)."""
    cdk.Aspects.of(on).add(CostAspect(owner), priority=_readonly_priority())


def warning_text(estimate: CostEstimate, alt: Alternative) -> str:
    """The cheaper-alternative warning: the alternative, the saving and the break-even volume."""
    saving = estimate.monthly_usd - alt.monthly_usd
    text = (f"{estimate.summary()} (saves ${saving:,.2f}/month, "
            f"{saving / estimate.monthly_usd:.0%})")
    volume = estimate.traffic.get("requests_per_month", 0)
    if alt.break_even_requests_per_month is not None:
        text += (f"; break-even at {alt.break_even_requests_per_month:,.0f} requests/month "
                 f"(now {volume:,.0f})")
    return f"{text}. {alt.note}."
