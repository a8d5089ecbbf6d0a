"""Example stacks that read like the scenarios platform teams have; ``build_app`` assembles them."""

from __future__ import annotations

import aws_cdk as cdk

from .canary_rollout import CanaryRolloutStack
from .document_processing import DocumentProcessingStack
from .fraud_check import FraudCheckApiStack
from .internal_tool import InternalToolStack
from .nightly_scoring import NightlyScoringStack
from .per_customer_models import PerCustomerModelsStack
from .review_sentiment import ReviewSentimentStack
from .shared_llm_fleet import SharedLlmFleetStack
from .wrong_kind_demo import WrongKindDemoStack

__all__ = [
    "CanaryRolloutStack",
    "DocumentProcessingStack",
    "FraudCheckApiStack",
    "InternalToolStack",
    "NightlyScoringStack",
    "PerCustomerModelsStack",
    "ReviewSentimentStack",
    "SharedLlmFleetStack",
    "WrongKindDemoStack",
    "build_app",
]

DEFAULT_REGION = "us-east-1"


def build_app(app: cdk.App) -> list[cdk.Stack]:
    """Add every example stack to ``app`` (region from context ``region``, default us-east-1)."""
    region = app.node.try_get_context("region") or DEFAULT_REGION
    account = app.node.try_get_context("account")
    env = cdk.Environment(region=region, account=account)
    return [
        FraudCheckApiStack(app, "FraudCheckApi", env=env),
        InternalToolStack(app, "InternalTool", env=env),
        DocumentProcessingStack(app, "DocumentProcessing", env=env),
        NightlyScoringStack(app, "NightlyScoring", env=env),
        PerCustomerModelsStack(app, "PerCustomerModels", env=env),
        CanaryRolloutStack(app, "CanaryRollout", env=env),
        ReviewSentimentStack(app, "ReviewSentiment", env=env),
        WrongKindDemoStack(app, "WrongKindDemo", env=env),  # deliberately wrong kind: a demo
        SharedLlmFleetStack(app, "SharedLlmFleet", env=env),
    ]
