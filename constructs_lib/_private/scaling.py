"""Target-tracking autoscaling of one production variant (shared by endpoints and variants)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from ..config import AutoscalingOptions
from .emit import Emitter, Ref, join


class Autoscaled:
    """The handles of a variant's autoscaling (``_scaling``: its target and policy, or None)."""

    _scaling: tuple[Ref, Ref] | None = None

    @property
    def scalable_target(self) -> cdk.CfnResource | None:
        return self._scaling[0].cfn if self._scaling else None

    @property
    def scaling_policy(self) -> cdk.CfnResource | None:
        return self._scaling[1].cfn if self._scaling else None


def emit_autoscaling(emit: Emitter, options: AutoscalingOptions, *, endpoint_name: Any,
                     variant: str) -> tuple[Ref, Ref]:
    """A scalable target on the variant's instance count and a target-tracking policy on
    ``SageMakerVariantInvocationsPerInstance`` (``ScalableTarget`` and ``InvocationsScaling``
    of the emitter's construct), with the optional business-hours schedule."""
    target_props: dict[str, Any] = {
        "MaxCapacity": options.max_instances,
        "MinCapacity": options.min_instances,
        "ResourceId": join("endpoint/", endpoint_name, f"/variant/{variant}"),
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "ServiceNamespace": "sagemaker",
    }
    if options.schedule is not None:
        s = options.schedule
        days = "MON-FRI" if s.weekdays_only else "*"
        target_props["ScheduledActions"] = [
            {"ScalableTargetAction": {"MinCapacity": s.business_hours_min_instances},
             "Schedule": f"cron(0 {s.start_hour_utc} ? * {days} *)",
             "ScheduledActionName": "business-hours-up"},
            {"ScalableTargetAction": {"MinCapacity": s.off_hours_min_instances},
             "Schedule": f"cron(0 {s.end_hour_utc % 24} ? * {days} *)",
             "ScheduledActionName": "off-hours-down"},
        ]
    target = emit.resource("ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget",
                           target_props)
    policy = emit.resource("InvocationsScaling", "AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyName": "invocations-per-instance",
        "PolicyType": "TargetTrackingScaling",
        "ScalingTargetId": target.ref,
        "TargetTrackingScalingPolicyConfiguration": {
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleInCooldown": options.scale_in_cooldown_s,
            "ScaleOutCooldown": options.scale_out_cooldown_s,
            "TargetValue": options.target_invocations_per_instance,
        },
    })
    return target, policy
