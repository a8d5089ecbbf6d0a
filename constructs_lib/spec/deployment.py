"""How an endpoint update rolls out: blue/green traffic shifting or a rolling update, with
auto-rollback on CloudWatch alarms (SageMaker "deployment guardrails").

Config models only (no CDK here); the endpoint turns them into the
``DeploymentConfig`` of its ``AWS::SageMaker::Endpoint`` and creates the default alarms.
Limits from the CloudFormation schema of ``AWS::SageMaker::Endpoint`` (see ``limits``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..errors import Problem
from . import limits
from .base import IAlarmLike, ITopicLike, StrictModel

__all__ = [
    "AllAtOnce",
    "BlueGreenDeployment",
    "Canary",
    "Deployment",
    "Linear",
    "RollbackOptions",
    "RollingDeployment",
]

WaitSeconds = Annotated[int, Field(ge=0, le=limits.DEPLOYMENT_WAIT_MAX_S)]


class RollbackOptions(StrictModel):
    """Alarms that roll an update back while it bakes, and who hears about them.

    Defaults: two alarms per production variant, created by the endpoint: any 5XX error
    (``Invocation5XXErrors`` Sum >= ``error_threshold`` in 2 consecutive minutes) and slow
    answers (``ModelLatency`` Average above ``latency_threshold_ms`` for 3 minutes; default 3×
    the hint's average duration, at least 100 ms). Their actions notify ``topic`` (default: a new
    KMS-encrypted, SSL-only, retained SNS topic). ``alarms`` are your own, monitored as well.
    """

    default_alarms: bool = True
    alarms: tuple[IAlarmLike, ...] = ()
    topic: ITopicLike = None
    error_threshold: int = Field(1, ge=1)
    latency_threshold_ms: float | None = Field(None, gt=0)


class AllAtOnce(StrictModel):
    """Shift all traffic to the new fleet at once, then bake ``wait_s`` seconds (default 300)."""

    type: Literal["ALL_AT_ONCE"] = "ALL_AT_ONCE"
    wait_s: WaitSeconds = 300


class Canary(StrictModel):
    """Send ``size_percent`` of capacity first (default 10, at most 50), bake ``wait_s``, then
    the rest."""

    type: Literal["CANARY"] = "CANARY"
    size_percent: int = Field(10, ge=1, le=limits.CANARY_MAX_PERCENT)
    wait_s: WaitSeconds = 600


class Linear(StrictModel):
    """Shift ``step_percent`` of capacity per step (10-50, default 20), baking ``wait_s`` each."""

    type: Literal["LINEAR"] = "LINEAR"
    step_percent: int = Field(20, ge=limits.LINEAR_STEP_PERCENT[0],
                              le=limits.LINEAR_STEP_PERCENT[1])
    wait_s: WaitSeconds = 300


class BlueGreenDeployment(StrictModel):
    """A new fleet beside the old one, traffic shifted by ``traffic_shift`` (default canary
    10% then the rest after 600 s), the old fleet kept ``termination_wait_s`` (default 0) for a
    fast rollback, and auto-rollback on ``rollback`` alarms."""

    kind: Literal["blue_green"] = "blue_green"
    traffic_shift: AllAtOnce | Canary | Linear = Field(default_factory=Canary,
                                                      discriminator="type")
    termination_wait_s: WaitSeconds = 0
    max_execution_timeout_s: int | None = Field(None, ge=limits.BLUE_GREEN_TIMEOUT_S[0],
                                                le=limits.BLUE_GREEN_TIMEOUT_S[1])
    rollback: RollbackOptions | None = Field(default_factory=RollbackOptions)


class RollingDeployment(StrictModel):
    """Replace instances in batches of ``batch_percent`` of capacity (default 25), baking
    ``wait_s`` each; rolls back ``rollback_batch_percent`` at a time (default: all at once).
    SageMaker refuses rolling updates on serverless and multi-variant endpoints."""

    kind: Literal["rolling"] = "rolling"
    batch_percent: int = Field(25, ge=5, le=50)
    wait_s: WaitSeconds = 300
    max_execution_timeout_s: int | None = Field(None, ge=limits.ROLLING_TIMEOUT_S[0],
                                                le=limits.ROLLING_TIMEOUT_S[1])
    rollback_batch_percent: int | None = Field(None, ge=1, le=100)
    rollback: RollbackOptions | None = Field(default_factory=RollbackOptions)


Deployment = Annotated[BlueGreenDeployment | RollingDeployment, Field(discriminator="kind")]


def alarm_problems(deployment: BlueGreenDeployment | RollingDeployment | None,
                   production_variants: int) -> list[Problem]:
    """The rollback alarms must number 1-10 in all (default ones plus the user's)."""
    if deployment is None or deployment.rollback is None:
        return []
    rollback = deployment.rollback
    count = len(rollback.alarms) + (2 * production_variants if rollback.default_alarms else 0)
    low, high = limits.ROLLBACK_ALARMS
    if low <= count <= high:
        return []
    return [Problem(
        "deployment.rollback", count,
        f"{low}-{high} rollback alarms in all (2 default alarms per production variant plus "
        "your own); pass rollback=None for no auto-rollback",
    )]
