"""What the per-stack aspect knows of a priced construct."""

from __future__ import annotations

from typing import Protocol

from ..cost.estimate import CostEstimate

__all__ = ["Priced"]


class Priced(Protocol):
    """A construct that carries a monthly cost estimate."""

    @property
    def construct_path(self) -> str:
        """Its path in the construct tree (what reports and budgets name it by)."""
        ...

    @property
    def cost_estimate(self) -> CostEstimate:
        """Its estimate as the construct stands now."""
        ...

    def surface_cost(self) -> CostEstimate:
        """At synth: write the estimate into the template and the synth output, check the
        construct's own budget; returns the estimate."""
        ...
