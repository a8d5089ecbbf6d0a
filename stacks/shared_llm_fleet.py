"""Two LLMs on one GPU fleet that scales to zero at night: inference components.

An internal assistant (``chat``: 150,000 requests a month, 2.5 s each, 10 busy hours a day) and
a document summariser (``summarise``: 30,000 a month, 6 s each, 8 busy hours) each need two of
the four A10G GPUs of an ml.g5.12xlarge. On dedicated real-time endpoints each would keep an
ml.g5.12xlarge running all month; as inference components they share one, which SageMaker
starts in the morning when the first request fails and wakes a copy, and stops after the last
copy scaled in at night. Callers retry for the minutes a start from zero takes (the office's
first request of the day waits). The estimate gives each model its share and quotes the
always-on figure.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import (
    InferenceComponentEndpoint,
    InferenceComponentOptions,
    ModelSpec,
    TrafficHint,
)

LMI_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124"
)
"""AWS's Large Model Inference container (DJL Serving with vLLM), which serves weights from
an uncompressed S3 prefix."""
STARTUP_TIMEOUT_S = 1200
"""An 8B model's download and load can take minutes; SageMaker's default is shorter."""


def llm(prefix: str) -> ModelSpec:
    """An LLM served by the LMI container from uncompressed weights under ``prefix``, across
    the two GPUs its component reserves."""
    return ModelSpec(image_uri=LMI_IMAGE, model_data_url=f"s3://llm-weights/{prefix}/",
                     environment={"OPTION_TENSOR_PARALLEL_DEGREE": "2",
                                  "OPTION_ROLLING_BATCH": "vllm"})


class SharedLlmFleetStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id,
                         description="Two LLMs as inference components on one ml.g5.12xlarge "
                                     "fleet that scales to zero at night",
                         **kwargs)
        self.fleet = InferenceComponentEndpoint(
            self, "LlmFleet",
            instance_type="ml.g5.12xlarge",
            min_instances=0,
            max_instances=2,
            components={
                "chat": InferenceComponentOptions(
                    model=llm("assistant-8b-instruct"),
                    traffic=TrafficHint(requests_per_month=150_000, avg_duration_ms=2_500,
                                        payload_kb=4, response_kb=8,
                                        peak_requests_per_second=1.5, busy_hours_per_day=10),
                    accelerators=2, memory_mb=48 * 1024, cpu_cores=8,
                    max_copies=2, target_concurrent_requests_per_copy=4,
                    model_data_download_timeout_s=STARTUP_TIMEOUT_S,
                    container_startup_health_check_timeout_s=STARTUP_TIMEOUT_S),
                "summarise": InferenceComponentOptions(
                    model=llm("summariser-7b"),
                    traffic=TrafficHint(requests_per_month=30_000, avg_duration_ms=6_000,
                                        payload_kb=32, response_kb=4,
                                        peak_requests_per_second=0.5, busy_hours_per_day=8),
                    accelerators=2, memory_mb=32 * 1024, cpu_cores=8,
                    max_copies=2, target_concurrent_requests_per_copy=4,
                    model_data_download_timeout_s=STARTUP_TIMEOUT_S,
                    container_startup_health_check_timeout_s=STARTUP_TIMEOUT_S),
            },
        )
        cdk.CfnOutput(self, "EndpointName", value=self.fleet.endpoint_name)
        for component in self.fleet.components:
            cdk.CfnOutput(self, f"{component.name.title()}ComponentName",
                          value=component.inference_component_name)
