"""Review sentiment: a team's own inference container and model, both from this repository.

The container is built from ``assets/review_sentiment/container`` (a Dockerfile: SageMaker's
hosting contract in a standard-library server) and pushed by ``cdk deploy`` to the bootstrap
assets repository; the model directory ``assets/review_sentiment/model`` is packed at synth into
a reproducible ``model.tar.gz`` and uploaded to the bootstrap assets bucket. The execution role
pulls only from that repository and reads only that object.

120 million reviews and comments a month (about 46 a second), 20 ms each, peaks of 120 a second:
two ml.m5.large instances (about 100 a second each), least-outstanding-requests routing (uneven
text lengths), and a health check that waits for the model to load. Steady, busy traffic:
real-time is the cheapest kind here (serverless would cost more).

Deploying needs Docker (to build the image); the local deploy test builds nothing: it checks the
asset manifest and deploys the template as CloudFormation gets it (tests/test_deploy_local.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import ContainerImage, ModelData, ModelSpec, RealTimeEndpoint, TrafficHint

ASSETS = Path(__file__).resolve().parent / "assets" / "review_sentiment"


class ReviewSentimentStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Review sentiment: own container and model, as CDK assets",
                         **kwargs)
        self.scorer = RealTimeEndpoint(
            self, "Scorer",
            model=ModelSpec(
                image=ContainerImage.from_asset(ASSETS / "container"),
                model_data=ModelData.from_asset(ASSETS / "model"),
            ),
            instance_type="ml.m5.large",
            instance_count=2,
            traffic=TrafficHint(
                requests_per_month=120_000_000,
                avg_duration_ms=20,
                payload_kb=2,
                response_kb=0.1,
                peak_requests_per_second=120,
                busy_hours_per_day=24,
            ),
            routing_strategy="LEAST_OUTSTANDING_REQUESTS",
            container_startup_health_check_timeout_s=300,
        )
        cdk.CfnOutput(self, "EndpointName", value=self.scorer.endpoint_name)
