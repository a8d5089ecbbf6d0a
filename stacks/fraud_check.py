"""A steady fraud-check API: card payments scored in milliseconds, around the clock.

200 million requests a month (about 76 a second), 25 ms each on a CPU XGBoost model, peaks of
150 a second. Real-time on ml.c5.xlarge with autoscaling (about 100 requests/s per 4-vCPU
instance): steady, busy capacity is where always-on instances beat serverless.

Two CDK context values change it without touching the code (defaults keep the snapshot):
``fraud-instance-type`` (default ml.c5.xlarge), and ``fraud-data-capture=true`` to capture
requests and responses (10%) to a retained bucket for model monitoring. The local deploy test
uses both to update a deployed endpoint in place.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import (
    AutoscalingOptions,
    DataCaptureOptions,
    ModelSpec,
    RealTimeEndpoint,
    TrafficHint,
)

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
DEFAULT_INSTANCE_TYPE = "ml.c5.xlarge"
CTX_INSTANCE_TYPE = "fraud-instance-type"
CTX_DATA_CAPTURE = "fraud-data-capture"


class FraudCheckApiStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Fraud-check API on a real-time SageMaker endpoint",
                         **kwargs)
        capture = str(self.node.try_get_context(CTX_DATA_CAPTURE)).lower() == "true"
        self.scorer = RealTimeEndpoint(
            self, "Scorer",
            model=ModelSpec(
                image_uri=XGBOOST_IMAGE,
                model_data_url="s3://payments-ml-artifacts/fraud/v12/model.tar.gz",
                environment={"SAGEMAKER_PROGRAM": "inference.py"},
            ),
            instance_type=self.node.try_get_context(CTX_INSTANCE_TYPE) or DEFAULT_INSTANCE_TYPE,
            traffic=TrafficHint(
                requests_per_month=200_000_000,
                avg_duration_ms=25,
                payload_kb=2,
                response_kb=0.5,
                peak_requests_per_second=150,
                busy_hours_per_day=24,
            ),
            autoscaling=AutoscalingOptions(
                min_instances=2, max_instances=8, target_invocations_per_instance=6000,
            ),
            data_capture=DataCaptureOptions(sampling_percentage=10) if capture else None,
        )
        cdk.CfnOutput(self, "EndpointName", value=self.scorer.endpoint_name)
