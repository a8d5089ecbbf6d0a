"""A canary rollout: churn model v7 serves, v8 is shadow-tested, and updates shift traffic safely.

The production variant serves v7 on ml.c5.xlarge; v8 runs as a shadow variant on its own
instance and receives a copy of half the requests (its answers are logged, never returned).
When v8 is promoted (by changing the production model), SageMaker's blue/green deployment sends
10% of capacity first, bakes 10 minutes, then the rest; default alarms on 5XX errors and model
latency roll it back and notify an encrypted SNS topic. Live instance counts are kept across
updates so an update does not fight the autoscaler.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import (
    AutoscalingOptions,
    BlueGreenDeployment,
    Canary,
    ModelSpec,
    RealTimeEndpoint,
    TrafficHint,
)

CTX_SHADOW_WEIGHT = "canary-shadow-weight"
"""Context knob: the shadow variant's weight (default 0.5). Changing it is a weight change made
on purpose, so the update resets the retained weights (``reset_on_update=("DesiredWeight",)``)."""
DEFAULT_SHADOW_WEIGHT = 0.5

SKLEARN_IMAGE = (
    "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
)


class CanaryRolloutStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Churn model: production v7, shadow v8, canary deployments",
                         **kwargs)
        shadow_weight = float(self.node.try_get_context(CTX_SHADOW_WEIGHT) or DEFAULT_SHADOW_WEIGHT)
        weights_changed = shadow_weight != DEFAULT_SHADOW_WEIGHT
        self.churn = RealTimeEndpoint(
            self, "Churn",
            model=ModelSpec(image_uri=SKLEARN_IMAGE,
                            model_data_url="s3://crm-ml-artifacts/churn/v7/model.tar.gz"),
            instance_type="ml.c5.xlarge",
            traffic=TrafficHint(requests_per_month=30_000_000, avg_duration_ms=40,
                                payload_kb=3, response_kb=1, peak_requests_per_second=40,
                                busy_hours_per_day=16),
            autoscaling=AutoscalingOptions(min_instances=1, max_instances=4,
                                           target_invocations_per_instance=2400),
            variant_name="v7",
            deployment=BlueGreenDeployment(traffic_shift=Canary(size_percent=10, wait_s=600),
                                           termination_wait_s=300),
            reset_on_update=("DesiredWeight",) if weights_changed else (),
        )
        self.candidate = self.churn.add_variant(
            "v8",
            model=ModelSpec(image_uri=SKLEARN_IMAGE,
                            model_data_url="s3://crm-ml-artifacts/churn/v8/model.tar.gz"),
            instance_type="ml.c5.xlarge",
            weight=shadow_weight,
            shadow=True,
        )
        cdk.CfnOutput(self, "EndpointName", value=self.churn.endpoint_name)
