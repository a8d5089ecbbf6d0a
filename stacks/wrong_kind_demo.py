"""DELIBERATELY WRONG KIND (a demo of the cost warning, not a pattern to copy).

Nightly document tagging: 3,000 scanned documents a month arrive as one drop a night (100 a
night, 30 nights), each tagged in about 2 s by a GPU vision model; nobody waits on a result
before morning. Someone deployed it as an always-on real-time endpoint on ml.g5.xlarge: about
$1,000 a month for work an instance does in under two hours. `cdk synth` warns (id
``constructs-lib:cheaper-alternative``) that a batch transform per night, or an async endpoint
scaled to zero, costs a small fraction, and at what volume real-time would break even.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constructs_lib import ModelSpec, RealTimeEndpoint, TrafficHint

PYTORCH_GPU_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-gpu-py310"
)


class WrongKindDemoStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id,
            description="DELIBERATELY WRONG KIND (demo): always-on GPU real-time endpoint for "
                        "3,000 offline documents a month; cdk synth warns and names the cheaper "
                        "kind",
            **kwargs,
        )
        self.tagger = RealTimeEndpoint(
            self, "DocumentTagger",
            model=ModelSpec(
                image_uri=PYTORCH_GPU_IMAGE,
                model_data_url="s3://docs-ml-artifacts/tagger/v2/model.tar.gz",
            ),
            instance_type="ml.g5.xlarge",
            traffic=TrafficHint(
                requests_per_month=3_000,
                avg_duration_ms=2_000,
                payload_kb=400,
                response_kb=2,
                busy_hours_per_day=2,
                records_per_run=100,
                runs_per_month=30,
                max_latency_ms=8 * 3_600_000,
            ),
        )
        cdk.CfnOutput(self, "EndpointName", value=self.tagger.endpoint_name)
