"""A savings plan (or any negotiated share off on-demand instance usage): what part of an
estimate's instance usage it covers and what it takes off.

With a Savings Plan "you commit to a consistent amount of usage per hour ... and receive a lower
price for that usage" (AWS CLI reference, ``aws savingsplans``): eligible usage is billed at the
plan's rate (on-demand minus ``share``) up to the hourly commitment and on-demand beyond it, and
commitment no usage consumes is billed anyway (Cost Explorer's ``SavingsPlansUtilization
.UnusedCommitment``). Here eligible usage is what an estimate bills per
instance-hour (real-time and multi-model hosting, async, batch transform); ML storage, data
processed and serverless inference stay on-demand. The commitment is compared with the
month's average hour (the estimate has no hour-by-hour profile) and is assumed to be this
construct's alone; commitment left unused is billed to the account, not to the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SavingsPlan"]


@dataclass(frozen=True)
class SavingsPlan:
    """``share`` off on-demand instance usage in [0, 1) (0.3: 30% off), up to
    ``commitment_usd_per_hour`` (USD of discounted usage per hour; None: no limit), named
    ``name`` in estimates."""

    share: float
    commitment_usd_per_hour: float | None = None
    name: str = "savings plan"

    def covered_usd(self, eligible_usd: float, hours_per_month: float) -> float:
        """The on-demand USD a month of ``eligible_usd`` the plan covers: all of it, or what
        the commitment buys at the plan's rate."""
        if self.commitment_usd_per_hour is None:
            return eligible_usd
        limit = self.commitment_usd_per_hour * hours_per_month / (1.0 - self.share)
        return min(eligible_usd, limit)

    def discount_usd(self, eligible_usd: float, hours_per_month: float) -> float:
        """USD a month the plan takes off ``eligible_usd`` of on-demand instance usage."""
        return self.covered_usd(eligible_usd, hours_per_month) * self.share

    def describe(self) -> str:
        """The plan as an estimate's assumptions state it."""
        text = f"{self.name}: {self.share:.0%} off on-demand instance usage (hosting, async, batch)"
        if self.commitment_usd_per_hour is not None:
            text += (f" up to its commitment of ${self.commitment_usd_per_hour:,.2f}/hour, "
                     "compared with the month's average hour and assumed to be this "
                     "construct's alone; usage beyond it at on-demand")
        return text + "; storage, data processed and serverless at on-demand"
