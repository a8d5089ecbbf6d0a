"""Application Auto Scaling: a production variant's instance count (target tracking on
invocations, utilization or concurrency for real-time fleets, on the queue for asynchronous
endpoints), an inference component's copy count (target tracking on concurrent requests per
copy), and the step policy that wakes either from zero."""

from __future__ import annotations

from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from ..spec.rules import utilization_units
from ..spec.scaling import AutoscalingOptions
from .handles import INSTANCE_NAMESPACE

__all__ = [
    "WAKE_UP_COOLDOWN_S",
    "BacklogScaling",
    "CopyScaling",
    "variant_scaling",
    "variant_target",
    "wake_up_from_zero",
]

WAKE_UP_COOLDOWN_S = 300
"""Cooldown of the step policy that adds the first instance (or copy) when requests wait or
fail at zero: long enough for it to start before another is added."""

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


def variant_scaling(scope: Construct, options: AutoscalingOptions, *, endpoint_name: str,
                    variant: str, instance_type: str) -> tuple[Target, list[Policy]]:
    """``ScalableTarget`` (with the optional business-hours schedule) and one target tracking
    policy per metric of ``options``: ``InvocationsScaling``
    (``SageMakerVariantInvocationsPerInstance``), ``UtilizationScaling`` (a customized CPU or GPU
    utilization metric of ``/aws/sagemaker/Endpoints``, Average, its target × the instance's
    vCPUs or GPUs, which the metric sums over) and ``ConcurrencyScaling``
    (``SageMakerVariantConcurrentRequestsPerModelHighResolution``), each with the cooldowns."""
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

    def policy(construct_id: str, name: str, value: float,
               predefined: str | None = None,
               customized: Policy.CustomizedMetricSpecificationProperty | None = None) -> Policy:
        return Policy(
            scope, construct_id, policy_name=name, policy_type="TargetTrackingScaling",
            scaling_target_id=target.ref,
            target_tracking_scaling_policy_configuration=(
                Policy.TargetTrackingScalingPolicyConfigurationProperty(
                    predefined_metric_specification=None if predefined is None else
                    Policy.PredefinedMetricSpecificationProperty(predefined_metric_type=predefined),
                    customized_metric_specification=customized,
                    scale_in_cooldown=options.scale_in_cooldown_s,
                    scale_out_cooldown=options.scale_out_cooldown_s, target_value=value)))

    policies = []
    if options.invocations_per_minute is not None:
        policies.append(policy("InvocationsScaling", "invocations-per-instance",
                               options.invocations_per_minute,
                               predefined="SageMakerVariantInvocationsPerInstance"))
    if options.utilization is not None:
        metric = options.utilization.metric
        units, _ = utilization_units(instance_type, metric)
        assert units is not None  # spec.rules.scaling_problems refused the type otherwise
        policies.append(policy(
            "UtilizationScaling", metric.removesuffix("Utilization").lower() + "-utilization",
            options.utilization.target_percent * units,
            customized=Policy.CustomizedMetricSpecificationProperty(
                metric_name=metric, namespace=INSTANCE_NAMESPACE, statistic="Average",
                unit="Percent", dimensions=[
                    Policy.MetricDimensionProperty(name="EndpointName", value=endpoint_name),
                    Policy.MetricDimensionProperty(name="VariantName", value=variant)])))
    if options.concurrency is not None:
        policies.append(policy(
            "ConcurrencyScaling", "concurrent-requests-per-model",
            options.concurrency.target_concurrent_requests,
            predefined="SageMakerVariantConcurrentRequestsPerModelHighResolution"))
    return target, policies


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
        self.wake_up_policy, self.wake_up_alarm = wake_up_from_zero(
            scope, target_id, alarm_id="HasBacklogWithoutCapacity",
            description="Requests wait at zero instances: add one (scale from zero)",
            dimension=("EndpointName", endpoint_name), statistic="Average", period_s=60,
            periods=2, treat_missing_data="missing")


def wake_up_from_zero(scope: Construct, target_id: str, *, alarm_id: str, description: str,
                      dimension: tuple[str, str], statistic: str, period_s: int, periods: int,
                      treat_missing_data: str) -> tuple[Policy, cloudwatch.CfnAlarm]:
    """``WakeUpScaling`` (+1 on the scalable target ``target_id``, lower bound 0, cooldown
    :data:`WAKE_UP_COOLDOWN_S`) and the alarm ``alarm_id`` that fires it: metric ``alarm_id``
    in ``AWS/SageMaker`` for ``dimension`` (name, value), ``statistic`` >= 1 in ``periods`` of
    ``periods`` ``period_s``-second periods. Target tracking divides by the capacity, so at
    zero only this brings the first unit back."""
    policy = Policy(
        scope, "WakeUpScaling", policy_name="wake-up-from-zero", policy_type="StepScaling",
        scaling_target_id=target_id,
        step_scaling_policy_configuration=Policy.StepScalingPolicyConfigurationProperty(
            adjustment_type="ChangeInCapacity", cooldown=WAKE_UP_COOLDOWN_S,
            metric_aggregation_type=statistic,
            step_adjustments=[Policy.StepAdjustmentProperty(
                metric_interval_lower_bound=0, scaling_adjustment=1)]))
    alarm = cloudwatch.CfnAlarm(
        scope, alarm_id, alarm_actions=[policy.ref], alarm_description=description,
        comparison_operator="GreaterThanOrEqualToThreshold", datapoints_to_alarm=periods,
        dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name=dimension[0],
                                                          value=dimension[1])],
        evaluation_periods=periods, metric_name=alarm_id, namespace="AWS/SageMaker",
        period=period_s, statistic=statistic, threshold=1, treat_missing_data=treat_missing_data)
    return policy, alarm


class CopyScaling:
    """An inference component's copies: ``ScalableTarget`` (``inference-component/<name>``,
    ``sagemaker:inference-component:DesiredCopyCount``, ``min_copies``..``max_copies``),
    ``CopyScaling`` (target tracking on
    ``SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution``: its scale-in alarm
    takes the copies to ``min_copies`` after 15 idle minutes) and, at ``min_copies`` 0,
    ``WakeUpScaling`` fired by the ``NoCapacityInvocationFailures`` alarm (Maximum >= 1 in one
    30-second period; no data, no failed request: not breaching), without which a component at
    zero never wakes. ``component_name`` is a token that resolves after the component exists, so
    the target is registered after it (Application Auto Scaling refuses an unknown resource).

    The alarm follows AWS's scale-to-zero blog (2024-12-03: Maximum, 30 s, 1 of 1, >= 1; the
    developer guide's ``GreaterThanThreshold`` 1 would need two failures a minute); its missing
    data is not breaching (the blog: missing) and the cooldown is :data:`WAKE_UP_COOLDOWN_S`
    (AWS: 60 s) so that requests failing through a start of several minutes add one copy, not
    one a minute."""

    def __init__(self, scope: Construct, *, component_name: str, min_copies: int,
                 max_copies: int, target_concurrency: float, scale_in_cooldown_s: int,
                 scale_out_cooldown_s: int) -> None:
        self.target = Target(
            scope, "ScalableTarget", max_capacity=max_copies, min_capacity=min_copies,
            resource_id=f"inference-component/{component_name}",
            scalable_dimension="sagemaker:inference-component:DesiredCopyCount",
            service_namespace="sagemaker")
        self.policy = Policy(
            scope, "CopyScaling", policy_name="concurrent-requests-per-copy",
            policy_type="TargetTrackingScaling", scaling_target_id=self.target.ref,
            target_tracking_scaling_policy_configuration=(
                Policy.TargetTrackingScalingPolicyConfigurationProperty(
                    predefined_metric_specification=Policy.PredefinedMetricSpecificationProperty(
                        predefined_metric_type=(
                            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution")),
                    scale_in_cooldown=scale_in_cooldown_s,
                    scale_out_cooldown=scale_out_cooldown_s, target_value=target_concurrency)))
        self.wake_up_policy: Policy | None = None
        self.wake_up_alarm: cloudwatch.CfnAlarm | None = None
        if min_copies == 0:
            self.wake_up_policy, self.wake_up_alarm = wake_up_from_zero(
                scope, self.target.ref, alarm_id="NoCapacityInvocationFailures",
                description="A request found no copy of this inference component (scaled to "
                            "zero): add one",
                dimension=("InferenceComponentName", component_name), statistic="Maximum",
                period_s=30, periods=1, treat_missing_data="notBreaching")
