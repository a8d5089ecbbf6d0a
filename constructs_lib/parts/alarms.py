"""CloudWatch alarms: the default ones that roll a deployment back (5XX errors and model
latency of one variant), and the opt-in operational set (``OperationalAlarms``)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from ..spec.alarms import ALARM_PERIOD_S, AlarmOptions, PlannedAlarm
from ..spec.hosting import EndpointProps
from .storage import SecureTopic

__all__ = ["OperationalAlarms", "operational_alarms", "rollback_alarms"]


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


class OperationalAlarms:
    """The opt-in alarm set (``alarms=AlarmOptions(...)``): one ``CfnAlarm`` per alarm of the
    props' plan (``spec.alarms.plan_alarms``, which the estimate prices too), children of
    ``scope`` under the plan's ids, named ``<endpoint>-<variant>-<what>`` so a reviewer reads
    them in the console, each notifying ``options.topic`` or a created :class:`SecureTopic`
    ``OpsAlarmTopic`` (encrypted, TLS-only, retained)."""

    def __init__(self, scope: Construct, plan: Sequence[PlannedAlarm], options: AlarmOptions, *,
                 endpoint_name: str, variant: str, region: str, account: str) -> None:
        self.topic: SecureTopic | None = None
        if options.topic is None:
            self.topic = SecureTopic(scope, "OpsAlarmTopic", region=region, account=account,
                                     display_name="SageMaker endpoint alarms")
            self.topic_arn: str = self.topic.arn
        else:
            self.topic_arn = options.topic.topic_arn
        self.alarms: dict[str, cloudwatch.CfnAlarm] = {}
        """Each alarm by its short name (``5xx-rate``, ``model-latency-p99``, ...)."""
        for planned in plan:
            dimensions = [cloudwatch.CfnAlarm.DimensionProperty(name="EndpointName",
                                                                value=endpoint_name)]
            if planned.per_variant:
                dimensions.append(cloudwatch.CfnAlarm.DimensionProperty(name="VariantName",
                                                                        value=variant))
            percentile = planned.statistic.startswith("p")
            self.alarms[planned.name] = cloudwatch.CfnAlarm(
                scope, planned.construct_id,
                alarm_name=f"{endpoint_name}-{variant}-{planned.name}",
                alarm_description=f"{planned.description} on variant {variant}",
                alarm_actions=[self.topic_arn], comparison_operator="GreaterThanThreshold",
                dimensions=dimensions, evaluation_periods=options.evaluation_periods,
                metric_name=planned.metric, namespace=planned.namespace, period=ALARM_PERIOD_S,
                statistic=None if percentile else planned.statistic,
                extended_statistic=planned.statistic if percentile else None,
                threshold=planned.threshold, treat_missing_data="notBreaching")


def operational_alarms(scope: Construct, props: EndpointProps, *, endpoint_name: str,
                       region: str, account: str) -> OperationalAlarms | None:
    """The alarm set ``props.alarms`` asks for on the endpoint's own variant (None: off). A
    named endpoint's alarms carry its name as given; otherwise ``endpoint_name`` (a token)."""
    if props.alarms is None:
        return None
    return OperationalAlarms(scope, props.alarm_plan, props.alarms,
                             endpoint_name=props.endpoint_name or endpoint_name,
                             variant=props.variant_name, region=region, account=account)
