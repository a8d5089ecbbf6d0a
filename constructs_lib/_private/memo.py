"""One estimate per construct: priced at construction (``check_priceable``), reused at synth.

A construct's own estimate is a pure function of its props (frozen), its pricing context
(frozen) and, for a multi-model endpoint, its variants' specs (frozen): computing it again at
synth, with every alternative and break-even volume, would give the same figures. No CDK here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

from ..cost.estimate import CostEstimate

_MEMO: dict[int, tuple[weakref.ref[Any], dict[Any, tuple[Any, CostEstimate]]]] = {}
"""id(props) -> (a weak reference to props, {(id(pricing), key): (pricing, estimate)}): by
identity, since props hold unhashable values; an entry goes when its props do."""


def price_once(props: Any, pricing: Any, compute: Callable[[], CostEstimate],
               key: Hashable = None) -> CostEstimate:
    """``compute()``, a pure function of ``props``, ``pricing`` and ``key``, computed once for
    as long as ``props`` lives."""
    ident = id(props)
    entry = _MEMO.get(ident)
    if entry is None or entry[0]() is not props:
        entry = _MEMO[ident] = (weakref.ref(props, lambda _: _MEMO.pop(ident, None)), {})
    memo = entry[1]
    slot = (id(pricing), key)
    try:
        hit = memo.get(slot)
    except TypeError:  # an unhashable key: nothing to reuse
        return compute()
    if hit is not None and hit[0] is pricing:
        return hit[1]
    estimate = compute()
    memo[slot] = (pricing, estimate)
    return estimate
