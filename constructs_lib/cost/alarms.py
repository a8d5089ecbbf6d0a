"""The opt-in alarm set's line: one standard-resolution CloudWatch alarm metric a month per
alarm the props plan (``spec.alarms.plan_alarms``, the same plan ``parts/alarms.py`` renders),
at the price book's ``cloudwatch_alarm_usd_per_month`` (Amazon CloudWatch pricing: $0.10 per
standard-resolution alarm metric a month in us-east-1). A region whose book has no alarm rate
keeps its estimate: the line is left out and a warning says so, never a failed synth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..pricing.price_book import PriceNotFoundError
from ..spec.alarms import PlannedAlarm
from .base import PricingContext
from .estimate import CostEstimate, LineItem

__all__ = ["ALARM_RATE", "with_alarms"]

ALARM_RATE = "cloudwatch_alarm_usd_per_month"


def with_alarms(estimate: CostEstimate, plan: Sequence[PlannedAlarm],
                ctx: PricingContext) -> CostEstimate:
    """``estimate`` with a line for the ``plan``'s alarms (none: unchanged). The alternatives
    are not charged for them (their kinds' alarm sets differ), which the assumption states."""
    if not plan:
        return estimate
    count = len(plan)
    names = ", ".join(alarm.name for alarm in plan)
    try:
        # The strict book raises where the lenient one would make the whole estimate unpriced
        # for want of a $0.10 line: the alarms alone are left out, with a warning.
        rate = ctx.strict().book.rate(ctx.region, ALARM_RATE)
    except PriceNotFoundError:
        return replace(estimate, warnings=(*estimate.warnings, (
            f"{count} CloudWatch alarm(s) ({names}) not priced: price book '{ctx.book.label}' "
            f"has no '{ALARM_RATE}' for {ctx.region}; add it to your own price file (CDK "
            "context 'cost:price-book') to price them")))
    line = LineItem(f"CloudWatch alarms (standard resolution: {names})", float(count),
                    "alarm-month", rate)
    note = (f"{count} standard-resolution CloudWatch alarm(s) at ${rate:g} per alarm metric a "
            "month, all month (the account's free tier of 10 alarm metrics not subtracted); "
            "alternatives priced without them")
    return replace(estimate, lines=(*estimate.lines, line),
                   assumptions=(*estimate.assumptions, note))
