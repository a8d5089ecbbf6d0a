"""The registry of endpoint kinds advice compares: kind -> (feasibility check, cost model, note).

Each kind's option lives beside its cost model (``realtime``, ``serverless``, ``async_endpoint``,
``batch_transform``, ``inference_components``), so an alternative's figure is what that kind's
construct would report; this module only lists them. Adding a kind is one
:func:`register_kind` call.
"""

from __future__ import annotations

from .async_endpoint import ASYNC_OPTION
from .batch_transform import BATCH_OPTION
from .inference_components import IC_OPTION
from .realtime import REALTIME_OPTION
from .serverless import SERVERLESS_OPTION
from .workload import KindOption

__all__ = ["KINDS", "register_kind"]

KINDS: dict[str, KindOption] = {}
"""Every kind advice compares, in registration order (the order alternatives are listed)."""


def register_kind(option: KindOption) -> KindOption:
    """Add or replace a kind (e.g. ``multimodel`` once its cost model is registered)."""
    KINDS[option.kind] = option
    return option


for _option in (REALTIME_OPTION, SERVERLESS_OPTION, ASYNC_OPTION, BATCH_OPTION, IC_OPTION):
    register_kind(_option)
