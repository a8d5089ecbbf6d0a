"""Default alarms that roll a deployment back: 5XX errors and model latency of one variant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct


def default_rollback_alarms(scope: Construct, *, endpoint_name: str, variant: str,
                            error_threshold: int, latency_threshold_ms: float,
                            topic: sns.ITopic) -> list[cloudwatch.Alarm]:
    """``Invocation5XXErrors`` Sum >= ``error_threshold`` in 2 consecutive minutes and
    ``ModelLatency`` Average above ``latency_threshold_ms`` for 3 minutes (missing data is not
    breaching: an idle variant must not roll back), each notifying ``topic``."""
    dims = {"EndpointName": endpoint_name, "VariantName": variant}

    def metric(name: str, statistic: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(namespace="AWS/SageMaker", metric_name=name,
                                 dimensions_map=dims, statistic=statistic,
                                 period=cdk.Duration.minutes(1))

    errors = cloudwatch.Alarm(
        scope, "Invocation5XXAlarm",
        alarm_description=f"5XX errors on variant {variant}: rolls a deployment back",
        metric=metric("Invocation5XXErrors", "Sum"),
        threshold=error_threshold, evaluation_periods=2,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    latency = cloudwatch.Alarm(
        scope, "ModelLatencyAlarm",
        alarm_description=f"Model latency above {latency_threshold_ms:g} ms on variant {variant}",
        metric=metric("ModelLatency", "Average"),
        threshold=latency_threshold_ms * 1000.0,  # ModelLatency is in microseconds
        evaluation_periods=3,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    for alarm in (errors, latency):
        alarm.add_alarm_action(cw_actions.SnsAction(topic))
    return [errors, latency]
