"""ServerlessEndpointProps: billed per GB-second of inference, nothing while idle."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ..errors import FieldProblem, Problem
from . import limits
from .alarms import AlarmKind
from .hosting import EndpointProps
from .model import ModelSpec
from .traffic import TrafficHint

__all__ = ["MemoryMb", "ServerlessEndpointProps"]

MemoryMb = Literal[1024, 2048, 3072, 4096, 5120, 6144]
"""ProductionVariantServerlessConfig.MemorySizeInMB: 1024-6144 in 1 GB steps."""


class ServerlessEndpointProps(EndpointProps):
    """Props of :class:`~constructs_lib.ServerlessEndpoint`.

    ``model`` and ``traffic`` (required); ``memory_mb`` [2048; 1024-6144 in 1 GB steps];
    ``max_concurrency`` [10; 1-200]; ``provisioned_concurrency`` [none; at most
    ``max_concurrency``]. Payloads over 4 MB and requests over 60 s are refused with a pointer
    to the kind that fits.
    """

    model: ModelSpec
    traffic: TrafficHint
    memory_mb: MemoryMb = 2048
    max_concurrency: int = Field(10, ge=1, le=limits.SERVERLESS_MAX_CONCURRENCY)
    provisioned_concurrency: int | None = Field(None, ge=1, le=limits.SERVERLESS_MAX_CONCURRENCY)

    SUPPORTED_ALARMS: ClassVar[tuple[AlarmKind, ...]] = ("error_rate", "latency")

    @property
    def served_traffic(self) -> TrafficHint:
        return self.traffic

    @model_validator(mode="after")
    def _sagemaker_rules(self) -> ServerlessEndpointProps:
        problems: list[Problem] = []
        if self.provisioned_concurrency is not None and (
            self.provisioned_concurrency > self.max_concurrency
        ):
            problems.append(Problem("provisioned_concurrency", self.provisioned_concurrency,
                                    f"must be <= max_concurrency ({self.max_concurrency})"))
        if self.model.multi_container:
            problems.append(Problem(
                "model.containers", len(self.model.containers),
                "one container: Serverless Inference does not host multi-container models or "
                "inference pipelines; use RealTimeEndpoint or AsyncEndpoint"))
        if self.traffic.payload_kb > limits.SERVERLESS_MAX_PAYLOAD_KB:
            problems.append(Problem(
                "traffic.payload_kb", self.traffic.payload_kb,
                "must be <= 4096 (serverless payloads are at most 4 MB); use RealTimeEndpoint "
                "(6 MB) or AsyncEndpoint (1 GB)",
            ))
        if self.traffic.avg_duration_ms > limits.SERVERLESS_MAX_DURATION_MS:
            problems.append(Problem(
                "traffic.avg_duration_ms", self.traffic.avg_duration_ms,
                "must be <= 60000 (serverless requests time out at 60 s); use AsyncEndpoint "
                "for longer inferences",
            ))
        FieldProblem.raise_if_any(problems)
        return self
