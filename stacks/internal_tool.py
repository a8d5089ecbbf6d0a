"""A bursty internal tool: analysts summarise tickets a few thousand times a month.

5,000 requests a month, 900 ms each, in office hours only. Serverless at 3 GB: nothing is
billed while nobody is using it, and cold starts are acceptable for an internal page.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import ModelSpec, ServerlessEndpoint, TrafficHint

SKLEARN_IMAGE = (
    "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
)


class InternalToolStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id,
            description="Internal ticket summariser on a serverless SageMaker endpoint",
            **kwargs,
        )
        self.summariser = ServerlessEndpoint(
            self, "Summariser",
            model=ModelSpec(
                image_uri=SKLEARN_IMAGE,
                model_data_url="s3://support-ml-artifacts/ticket-summary/v3/model.tar.gz",
            ),
            memory_mb=3072,
            max_concurrency=5,
            traffic=TrafficHint(
                requests_per_month=5_000,
                avg_duration_ms=900,
                payload_kb=8,
                response_kb=2,
                peak_requests_per_second=2,
                busy_hours_per_day=9,
            ),
        )
        cdk.CfnOutput(self, "EndpointName", value=self.summariser.endpoint_name)
