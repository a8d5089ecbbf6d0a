"""Nightly churn scoring: every customer scored once a night, results ready by morning.

5 million customers a night, 8 ms per record on one instance, 30 nights a month. A batch
transform on two ml.m5.xlarge instances with four concurrent transforms each: nothing runs (or
bills) between jobs, and each job takes about an hour and a half.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import BatchTransform, ModelSpec, TrafficHint

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


class NightlyScoringStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Nightly churn scoring with a scheduled SageMaker "
                                     "batch transform",
                         **kwargs)
        self.churn = BatchTransform(
            self, "ChurnScoring",
            model=ModelSpec(
                image_uri=XGBOOST_IMAGE,
                model_data_url="s3://crm-ml-artifacts/churn/v5/model.tar.gz",
            ),
            instance_type="ml.m5.xlarge",
            instance_count=2,
            max_concurrent_transforms=4,
            max_payload_mb=6,
            input_s3_uri="s3://crm-analytics-exports/churn/customers/",
            output_s3_uri="s3://crm-analytics-exports/churn/scores/",
            content_type="text/csv",
            schedule="cron(0 2 * * ? *)",
            schedule_time_zone="America/New_York",
            traffic=TrafficHint(records_per_run=5_000_000, runs_per_month=30,
                                avg_duration_ms=8, payload_kb=0, response_kb=0),
        )
        cdk.CfnOutput(self, "StateMachineArn", value=self.churn.state_machine.state_machine_arn)
        cdk.CfnOutput(self, "ErrorTopic", value=self.churn.error_topic.topic_arn)
