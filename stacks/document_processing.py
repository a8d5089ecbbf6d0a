"""Document processing: scanned contracts and invoices turned into structured fields.

20,000 documents a month, 12 MB each (over a real-time request's 6 MB and serverless's 4 MB),
20 s of model time each (two at a time per instance), uploaded in bursts during office
hours and never at night. Async on ml.m5.xlarge with min 0: requests queue in S3, results
land in S3 and on SNS, and the endpoint sleeps (and bills nothing) overnight and at weekends.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib import AsyncEndpoint, ModelSpec, TrafficHint

PYTORCH_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310"
)


class DocumentProcessingStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Document extraction on an async SageMaker endpoint "
                                     "that scales to zero",
                         **kwargs)
        self.extractor = AsyncEndpoint(
            self, "Extractor",
            model=ModelSpec(
                image_uri=PYTORCH_IMAGE,
                model_data_url="s3://docs-ml-artifacts/extractor/v7/model.tar.gz",
                environment={"SAGEMAKER_PROGRAM": "inference.py"},
            ),
            instance_type="ml.m5.xlarge",
            traffic=TrafficHint(
                requests_per_month=20_000,
                avg_duration_ms=20_000,
                payload_kb=12 * 1024,
                response_kb=50,
                peak_requests_per_second=3,
                busy_hours_per_day=10,
            ),
            min_instances=0,
            max_instances=4,
            max_concurrent_invocations_per_instance=2,
            invocation_timeout_s=300,
        )
        # The upload service submits documents and reads the extracted fields back. Its grants
        # go into a customer-managed policy (not the role's inline DefaultPolicy).
        self.uploader_policy = iam.ManagedPolicy(
            self, "UploaderPolicy", description="Submit and collect async document extractions")
        self.uploader = iam.Role(
            self, "UploaderRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Document upload service: submits and collects async extractions",
            managed_policies=[self.uploader_policy])
        self.extractor.grant_invoke(self.uploader_policy)
        self.extractor.grant_read_results(self.uploader_policy)
        cdk.CfnOutput(self, "EndpointName", value=self.extractor.endpoint_name)
        cdk.CfnOutput(self, "InputLocation", value=self.extractor.s3_uri("input/"))
        cdk.CfnOutput(self, "SuccessTopic", value=self.extractor.success_topic.topic_arn)
