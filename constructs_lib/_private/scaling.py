"""Target-tracking autoscaling of one production variant (shared by endpoints and variants)."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_applicationautoscaling as appscaling
from constructs import Construct

from ..config import AutoscalingOptions
from .emit import Emitter, Ref, join


def autoscale_variant(scope: Construct, options: AutoscalingOptions, *, endpoint_name: str,
                      variant: str
                      ) -> tuple[appscaling.CfnScalableTarget, appscaling.CfnScalingPolicy]:
    """A scalable target on the variant's instance count and a target-tracking policy on
    ``SageMakerVariantInvocationsPerInstance`` (children ``ScalableTarget`` and
    ``InvocationsScaling`` of ``scope``), with the optional business-hours schedule."""
    scheduled = None
    if options.schedule is not None:
        s = options.schedule
        days = "MON-FRI" if s.weekdays_only else "*"
        scheduled = [
            {"scheduledActionName": "business-hours-up",
             "schedule": f"cron(0 {s.start_hour_utc} ? * {days} *)",
             "scalableTargetAction": {"minCapacity": s.business_hours_min_instances}},
            {"scheduledActionName": "off-hours-down",
             "schedule": f"cron(0 {s.end_hour_utc % 24} ? * {days} *)",
             "scalableTargetAction": {"minCapacity": s.off_hours_min_instances}},
        ]
    target = appscaling.CfnScalableTarget(
        scope, "ScalableTarget",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id=f"endpoint/{endpoint_name}/variant/{variant}",
        min_capacity=options.min_instances,
        max_capacity=options.max_instances,
        scheduled_actions=scheduled,
    )
    policy = appscaling.CfnScalingPolicy(
        scope, "InvocationsScaling",
        policy_name="invocations-per-instance",
        policy_type="TargetTrackingScaling",
        scaling_target_id=target.ref,
        target_tracking_scaling_policy_configuration={
            "targetValue": options.target_invocations_per_instance,
            "predefinedMetricSpecification": {
                "predefinedMetricType": "SageMakerVariantInvocationsPerInstance",
            },
            "scaleInCooldown": options.scale_in_cooldown_s,
            "scaleOutCooldown": options.scale_out_cooldown_s,
        },
    )
    return target, policy


def emit_autoscaling(emit: Emitter, options: AutoscalingOptions, *, endpoint_name: Any,
                     variant: str) -> tuple[Ref, Ref]:
    """:func:`autoscale_variant` as L1 resources (one jsii call each, same template)."""
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
