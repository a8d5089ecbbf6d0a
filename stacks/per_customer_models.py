"""One model per customer: 40 small XGBoost models, one per tenant, on one multi-model fleet.

Each customer sends 1-2.5 million requests a month (40 ms each) during a 14-hour business day:
light load per model, but 40 models. Dedicated endpoints would keep at least one instance per
customer running all month; one multi-model fleet of ml.c5.xlarge (autoscaling 2-6) loads each
customer's artifact on demand from ``s3://tenant-models/scoring/`` and caches it. The endpoint's
annotation states the saving against dedicated endpoints. (The serverless alternative in the
estimate is priced at the instance's memory, 6 GB; a model that fits in 1-2 GB and tolerates
cold starts per customer could be cheaper on serverless.)
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import AutoscalingOptions, MultiModelEndpoint, TrafficHint

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
CUSTOMERS = 40


def customer_traffic(index: int) -> TrafficHint:
    """Four tiers of customers (1, 1.5, 2 and 2.5 million requests a month), deterministic."""
    return TrafficHint(
        requests_per_month=1_000_000 + 500_000 * (index % 4),
        avg_duration_ms=40,
        payload_kb=4,
        response_kb=1,
        busy_hours_per_day=14,
    )


class PerCustomerModelsStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="One scoring model per customer on a multi-model endpoint",
                         **kwargs)
        self.fleet = MultiModelEndpoint(
            self, "CustomerScoring",
            image_uri=XGBOOST_IMAGE,
            models_s3_prefix="s3://tenant-models/scoring/",
            instance_type="ml.c5.xlarge",
            models={f"customer-{i:03d}.tar.gz": customer_traffic(i) for i in range(CUSTOMERS)},
            autoscaling=AutoscalingOptions(min_instances=2, max_instances=6,
                                           target_invocations_per_instance=3000),
        )
        cdk.CfnOutput(self, "EndpointName", value=self.fleet.endpoint_name)
