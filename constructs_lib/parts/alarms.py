"""Default alarms that roll a deployment back: 5XX errors and model latency of one variant."""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

__all__ = ["rollback_alarms"]


def rollback_alarms(scope: Construct, *, endpoint_name: str, variant: str, error_threshold: int,
                    latency_threshold_ms: float, topic_arn: str) -> list[cloudwatch.CfnAlarm]:
    """``Invocation5XXAlarm``: ``Invocation5XXErrors`` Sum >= ``error_threshold`` in 2
    consecutive minutes; ``ModelLatencyAlarm``: ``ModelLatency`` Average above
    ``latency_threshold_ms`` for 3 minutes. Missing data is not breaching (an idle variant must
    not roll back); both notify ``topic_arn``."""
    dimensions = [cloudwatch.CfnAlarm.DimensionProperty(name="EndpointName", value=endpoint_name),
                  cloudwatch.CfnAlarm.DimensionProperty(name="VariantName", value=variant)]

    def alarm(construct_id: str, description: str, metric: str, statistic: str,
              comparison: str, threshold: float, periods: int) -> cloudwatch.CfnAlarm:
        return cloudwatch.CfnAlarm(
            scope, construct_id, alarm_actions=[topic_arn], alarm_description=description,
            comparison_operator=comparison, dimensions=dimensions, evaluation_periods=periods,
            metric_name=metric, namespace="AWS/SageMaker", period=60, statistic=statistic,
            threshold=threshold, treat_missing_data="notBreaching")

    return [
        alarm("Invocation5XXAlarm", f"5XX errors on variant {variant}: rolls a deployment back",
              "Invocation5XXErrors", "Sum", "GreaterThanOrEqualToThreshold", error_threshold, 2),
        alarm("ModelLatencyAlarm",
              f"Model latency above {latency_threshold_ms:g} ms on variant {variant}",
              "ModelLatency", "Average", "GreaterThanThreshold",
              latency_threshold_ms * 1000.0, 3),  # ModelLatency is in microseconds
    ]
