"""Application Auto Scaling of a production variant's instance count: target tracking on
invocations (real-time fleets) or on the queue (asynchronous endpoints), and the step policy
that wakes an asynchronous endpoint scaled to zero."""

from __future__ import annotations

from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from ..spec.scaling import AutoscalingOptions

__all__ = ["WAKE_UP_COOLDOWN_S", "BacklogScaling", "invocation_scaling", "variant_target"]

WAKE_UP_COOLDOWN_S = 300
"""Cooldown of the step policy that adds the first instance when requests wait at zero."""

Target = appscaling.CfnScalableTarget
Policy = appscaling.CfnScalingPolicy


def variant_target(scope: Construct, *, endpoint_name: str, variant: str, min_capacity: int,
                   max_capacity: int,
                   scheduled_actions: list[Target.ScheduledActionProperty] | None = None
                   ) -> Target:
    """``ScalableTarget``: the variant's ``DesiredInstanceCount`` between the bounds."""
    return Target(scope, "ScalableTarget", max_capacity=max_capacity, min_capacity=min_capacity,
                  resource_id=f"endpoint/{endpoint_name}/variant/{variant}",
                  scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                  service_namespace="sagemaker", scheduled_actions=scheduled_actions)


def invocation_scaling(scope: Construct, options: AutoscalingOptions, *, endpoint_name: str,
                       variant: str) -> tuple[Target, Policy]:
    """``ScalableTarget`` and ``InvocationsScaling``: target tracking on
    ``SageMakerVariantInvocationsPerInstance``, with the optional business-hours schedule."""
    actions = None
    if options.schedule is not None:
        s = options.schedule
        days = "MON-FRI" if s.weekdays_only else "*"
        actions = [
            Target.ScheduledActionProperty(
                scalable_target_action=Target.ScalableTargetActionProperty(
                    min_capacity=s.business_hours_min_instances),
                schedule=f"cron(0 {s.start_hour_utc} ? * {days} *)",
                scheduled_action_name="business-hours-up"),
            Target.ScheduledActionProperty(
                scalable_target_action=Target.ScalableTargetActionProperty(
                    min_capacity=s.off_hours_min_instances),
                schedule=f"cron(0 {s.end_hour_utc % 24} ? * {days} *)",
                scheduled_action_name="off-hours-down"),
        ]
    target = variant_target(scope, endpoint_name=endpoint_name, variant=variant,
                            min_capacity=options.min_instances,
                            max_capacity=options.max_instances, scheduled_actions=actions)
    policy = Policy(
        scope, "InvocationsScaling", policy_name="invocations-per-instance",
        policy_type="TargetTrackingScaling", scaling_target_id=target.ref,
        target_tracking_scaling_policy_configuration=(
            Policy.TargetTrackingScalingPolicyConfigurationProperty(
                predefined_metric_specification=Policy.PredefinedMetricSpecificationProperty(
                    predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
                scale_in_cooldown=options.scale_in_cooldown_s,
                scale_out_cooldown=options.scale_out_cooldown_s,
                target_value=options.target_invocations_per_instance)))
    return target, policy


class BacklogScaling:
    """An asynchronous endpoint's scaling: ``ScalableTarget``, ``BacklogScaling`` (target
    tracking on ``ApproximateBacklogSizePerInstance``, Average, per ``EndpointName``) and, at a
    minimum of zero instances, ``WakeUpScaling`` (+1 instance, lower bound 0, cooldown 300 s)
    fired by the ``HasBacklogWithoutCapacity`` alarm (Average, 60 s, 2 of 2, >= 1): target
    tracking divides the backlog by the instance count, so at zero it never fires."""

    def __init__(self, scope: Construct, *, endpoint_name: str, variant: str,
                 min_instances: int, max_instances: int, target_backlog_per_instance: float,
                 scale_in_cooldown_s: int, scale_out_cooldown_s: int) -> None:
        dimensions = [Policy.MetricDimensionProperty(name="EndpointName", value=endpoint_name)]
        self.target = variant_target(scope, endpoint_name=endpoint_name, variant=variant,
                                     min_capacity=min_instances, max_capacity=max_instances)
        target_id: str = self.target.ref
        self.policy = Policy(
            scope, "BacklogScaling", policy_name="backlog-per-instance",
            policy_type="TargetTrackingScaling", scaling_target_id=target_id,
            target_tracking_scaling_policy_configuration=(
                Policy.TargetTrackingScalingPolicyConfigurationProperty(
                    customized_metric_specification=Policy.CustomizedMetricSpecificationProperty(
                        dimensions=dimensions, metric_name="ApproximateBacklogSizePerInstance",
                        namespace="AWS/SageMaker", statistic="Average"),
                    scale_in_cooldown=scale_in_cooldown_s,
                    scale_out_cooldown=scale_out_cooldown_s,
                    target_value=target_backlog_per_instance)))
        self.wake_up_policy: Policy | None = None
        self.wake_up_alarm: cloudwatch.CfnAlarm | None = None
        if min_instances > 0:
            return
        self.wake_up_policy = Policy(
            scope, "WakeUpScaling", policy_name="wake-up-from-zero", policy_type="StepScaling",
            scaling_target_id=target_id,
            step_scaling_policy_configuration=Policy.StepScalingPolicyConfigurationProperty(
                adjustment_type="ChangeInCapacity", cooldown=WAKE_UP_COOLDOWN_S,
                metric_aggregation_type="Average",
                step_adjustments=[Policy.StepAdjustmentProperty(
                    metric_interval_lower_bound=0, scaling_adjustment=1)]))
        self.wake_up_alarm = cloudwatch.CfnAlarm(
            scope, "HasBacklogWithoutCapacity", alarm_actions=[self.wake_up_policy.ref],
            alarm_description="Requests wait at zero instances: add one (scale from zero)",
            comparison_operator="GreaterThanOrEqualToThreshold", datapoints_to_alarm=2,
            dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name="EndpointName",
                                                              value=endpoint_name)],
            evaluation_periods=2, metric_name="HasBacklogWithoutCapacity",
            namespace="AWS/SageMaker", period=60, statistic="Average", threshold=1,
            treat_missing_data="missing")
