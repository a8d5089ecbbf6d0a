"""Example stacks that read like the scenarios platform teams have; ``build_app`` assembles them."""

from __future__ import annotations

import aws_cdk as cdk

from .canary_rollout import CanaryRolloutStack
from .fraud_check import FraudCheckApiStack
from .internal_tool import InternalToolStack
from .per_customer_models import PerCustomerModelsStack

__all__ = ["CanaryRolloutStack", "FraudCheckApiStack", "InternalToolStack",
           "PerCustomerModelsStack", "build_app"]

DEFAULT_REGION = "us-east-1"


def build_app(app: cdk.App) -> list[cdk.Stack]:
    """Add every example stack to ``app`` (region from context ``region``, default us-east-1)."""
    region = app.node.try_get_context("region") or DEFAULT_REGION
    account = app.node.try_get_context("account")
    env = cdk.Environment(region=region, account=account)
    return [
        FraudCheckApiStack(app, "FraudCheckApi", env=env),
        InternalToolStack(app, "InternalTool", env=env),
        PerCustomerModelsStack(app, "PerCustomerModels", env=env),
        CanaryRolloutStack(app, "CanaryRollout", env=env),
    ]
