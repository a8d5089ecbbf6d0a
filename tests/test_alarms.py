"""The opt-in operational alarm set (issue 18): off by default; 5XX rate, model latency at a
percentile, utilization and async backlog age, each with its stated default threshold, named
for a reviewer, notifying a topic you give or an encrypted one created; and a line in the
estimate at CloudWatch's $0.10 per standard-resolution alarm metric a month (us-east-1), left
out with a warning where the price book has no alarm rate."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from constructs_lib import (
    AlarmOptions,
    AsyncEndpoint,
    BlueGreenDeployment,
    ConfigurationError,
    ModelSpec,
    MultiModelEndpoint,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .conftest import IMAGE, make_stack

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
TRAFFIC = TrafficHint(requests_per_month=1_000_000, avg_duration_ms=50)
ALARM_USD = 0.10  # CloudWatch, standard-resolution alarm metric a month, us-east-1 (price book)


def realtime(stack: cdk.Stack, alarms: Any = None, **more: Any) -> RealTimeEndpoint:
    more.setdefault("instance_type", "ml.c5.xlarge")
    return RealTimeEndpoint(stack, "Ep", model=MODEL, traffic=TRAFFIC, alarms=alarms, **more)


def alarms_of(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    """Every alarm's properties by the last part of its name (``<endpoint>-<variant>-<what>``)."""
    found = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")
    out = {}
    for resource in found.values():
        props = resource["Properties"]
        name = props["AlarmName"]["Fn::Join"][1][-1]
        out[name.removeprefix("-AllTraffic-")] = props
    return out


def alarm_line(estimate: Any) -> Any:
    [line] = [x for x in estimate.lines if x.item.startswith("CloudWatch alarms")]
    return line


def test_no_alarms_unless_asked(stack):
    ep = realtime(stack)
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 0)
    Template.from_stack(stack).resource_count_is("AWS::SNS::Topic", 0)
    assert not [x for x in ep.cost_estimate.lines if x.item.startswith("CloudWatch")]
    assert ep.alarm_set is None


def test_the_default_set_on_a_real_time_endpoint(stack):
    ep = realtime(stack, AlarmOptions())
    alarms = alarms_of(stack)
    assert set(alarms) == {"5xx-rate", "model-latency-p99", "cpu-utilization",
                           "memory-utilization", "disk-utilization"}
    rate = alarms["5xx-rate"]
    assert (rate["MetricName"], rate["Namespace"], rate["Statistic"], rate["Threshold"]) == (
        "Invocation5XXErrors", "AWS/SageMaker", "Average", 0.01)  # 1% of requests
    assert (rate["Period"], rate["EvaluationPeriods"], rate["TreatMissingData"],
            rate["ComparisonOperator"]) == (60, 5, "notBreaching", "GreaterThanThreshold")
    assert rate["Dimensions"][1] == {"Name": "VariantName", "Value": "AllTraffic"}
    endpoint_dimension = rate["Dimensions"][0]
    assert endpoint_dimension["Name"] == "EndpointName"
    assert endpoint_dimension["Value"] == {"Fn::GetAtt": [
        stack.resolve(ep.endpoint.logical_id), "EndpointName"]}
    latency = alarms["model-latency-p99"]
    # 3 × 50 ms = 150 ms, in microseconds; a percentile is an ExtendedStatistic.
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p99", 150_000)
    assert "Statistic" not in latency
    cpu = alarms["cpu-utilization"]
    # 80% per vCPU × ml.c5.xlarge's 4 vCPUs, in the instance namespace.
    assert (cpu["Namespace"], cpu["MetricName"], cpu["Threshold"]) == (
        "/aws/sagemaker/Endpoints", "CPUUtilization", 320)
    assert alarms["memory-utilization"]["Threshold"] == 80
    assert alarms["disk-utilization"]["Threshold"] == 80
    assert rate["AlarmDescription"] == (
        "More than 1% of requests answered 5XX for 5 minute(s) on variant AllTraffic")
    # Every alarm notifies the created topic, encrypted with the AWS-managed SNS key.
    [(topic_id, topic)] = Template.from_stack(stack).find_resources("AWS::SNS::Topic").items()
    assert topic_id.startswith("EpOpsAlarmTopic")
    assert "alias/aws/sns" in str(topic["Properties"]["KmsMasterKeyId"])
    assert all(a["AlarmActions"] == [{"Ref": topic_id}] for a in alarms.values())
    assert set(ep.alarm_set.alarms) == set(alarms)


def test_the_estimate_carries_a_line_per_alarm_metric_month(stack):
    plain = realtime(make_stack()).cost_estimate
    ep = realtime(stack, AlarmOptions())
    line = alarm_line(ep.cost_estimate)
    assert (line.quantity, line.unit, line.unit_usd) == (5, "alarm-month", ALARM_USD)
    assert line.item == ("CloudWatch alarms (standard resolution: 5xx-rate, model-latency-p99, "
                         "cpu-utilization, memory-utilization, disk-utilization)")
    assert ep.cost_estimate.monthly_usd == round(plain.monthly_usd + 5 * ALARM_USD, 2)
    assert any("5 standard-resolution CloudWatch alarm(s) at $0.1 per alarm metric" in a
               for a in ep.cost_estimate.assumptions)
    # The template's metadata carries the same line, and one alarm per alarm-month billed.
    [endpoint] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    lines = endpoint["Metadata"]["CostEstimate"]["lines"]
    assert {"item": line.item, "quantity": 5, "unit": "alarm-month", "unit_usd": 0.1,
            "monthly_usd": 0.5} in lines
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 5)


def test_the_line_survives_pricing_again_after_a_variant_is_added(stack):
    ep = realtime(stack, AlarmOptions(include=("error_rate",)))
    ep.add_variant("Challenger", model=MODEL, weight=0.1)
    assert alarm_line(ep.cost_estimate).quantity == 1


def test_a_gpu_type_adds_gpu_utilization_per_gpu(stack):
    realtime(stack, AlarmOptions(utilization_percent=90), instance_type="ml.g5.12xlarge")
    alarms = alarms_of(stack)
    assert alarms["gpu-utilization"]["Threshold"] == 360  # 90% × 4 GPUs
    assert alarms["cpu-utilization"]["Threshold"] == 4320  # 90% × 48 vCPUs


def test_chosen_alarms_and_thresholds(stack):
    ep = realtime(stack, AlarmOptions(include=("latency",), latency_percentile="p90",
                                      latency_ms=250, evaluation_periods=3))
    [(name, alarm)] = alarms_of(stack).items()
    assert name == "model-latency-p90"
    assert (alarm["ExtendedStatistic"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "p90", 250_000, 3)
    assert alarm_line(ep.cost_estimate).quantity == 1


def test_the_latency_default_is_at_least_100_ms(stack):
    RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.c5.xlarge",
                     traffic=TrafficHint(requests_per_month=1000, avg_duration_ms=10),
                     alarms={"include": ["latency"]})
    assert alarms_of(stack)["model-latency-p99"]["Threshold"] == 100_000


def test_a_given_topic_is_notified_and_none_is_created(stack):
    topic = sns.Topic.from_topic_arn(stack, "Ops", "arn:aws:sns:us-east-1:111122223333:ops")
    ep = realtime(stack, AlarmOptions(topic=topic))
    Template.from_stack(stack).resource_count_is("AWS::SNS::Topic", 0)
    assert all(a["AlarmActions"] == ["arn:aws:sns:us-east-1:111122223333:ops"]
               for a in alarms_of(stack).values())
    assert ep.alarm_set is not None and ep.alarm_set.topic is None


def test_a_named_endpoint_names_its_alarms_plainly(stack):
    realtime(stack, AlarmOptions(include=("error_rate",)), endpoint_name="fraud-scorer")
    [alarm] = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm").values()
    assert alarm["Properties"]["AlarmName"] == "fraud-scorer-AllTraffic-5xx-rate"


def test_beside_the_rollback_alarms(stack):
    realtime(stack, AlarmOptions(include=("error_rate",)),
             deployment=BlueGreenDeployment())  # default rollback alarms
    ids = set(Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm"))
    assert any(i.startswith("EpInvocation5XXAlarm") for i in ids)
    assert any(i.startswith("EpErrorRateAlarm") for i in ids)
    Template.from_stack(stack).resource_count_is("AWS::SNS::Topic", 2)


def test_serverless_has_error_rate_and_latency(stack):
    ep = ServerlessEndpoint(stack, "Sl", model=MODEL, traffic=TRAFFIC, alarms=AlarmOptions())
    found = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")
    names = sorted(a["Properties"]["AlarmName"]["Fn::Join"][1][-1] for a in found.values())
    assert names == ["-AllTraffic-5xx-rate", "-AllTraffic-model-latency-p99"]
    assert alarm_line(ep.cost_estimate).monthly_usd == pytest.approx(2 * ALARM_USD)


def test_serverless_refuses_utilization_alarms(stack):
    with pytest.raises(ConfigurationError, match=r"ServerlessEndpoint at 'Test/Sl'[\s\S]*"
                       r"alarms\.include='utilization': not for this endpoint kind: one of "
                       r"error_rate, latency"):
        ServerlessEndpoint(stack, "Sl", model=MODEL, traffic=TRAFFIC,
                           alarms={"include": ["utilization"]})
    assert stack.node.try_find_child("Sl") is None


def test_async_watches_the_oldest_queued_request(stack):
    ep = AsyncEndpoint(stack, "As", model=MODEL, instance_type="ml.m5.xlarge",
                       traffic=TrafficHint(requests_per_month=1000, avg_duration_ms=20_000,
                                           max_latency_ms=3_600_000),
                       alarms=AlarmOptions(backlog_age_s=600))
    found = Template.from_stack(stack).find_resources(
        "AWS::CloudWatch::Alarm", {"Properties": {"MetricName": "ApproximateAgeOfOldestRequest"}})
    [age] = [a["Properties"] for a in found.values()]
    assert (age["Statistic"], age["Threshold"], len(age["Dimensions"])) == ("Maximum", 600, 1)
    assert age["Dimensions"][0]["Name"] == "EndpointName"
    assert alarm_line(ep.cost_estimate).item == (
        "CloudWatch alarms (standard resolution: 5xx-rate, model-latency-p99, cpu-utilization, "
        "memory-utilization, disk-utilization, oldest-request-age)")


def test_a_backlog_age_alarm_is_refused_where_there_is_no_queue(stack):
    with pytest.raises(ConfigurationError, match=r"RealTimeEndpoint at 'Test/Ep'[\s\S]*"
                       r"alarms\.include='backlog_age': not for this endpoint kind: one of "
                       r"error_rate, latency, utilization"):
        realtime(stack, {"include": ["backlog_age"]})


def test_a_multi_model_endpoint_gets_the_set(stack):
    ep = MultiModelEndpoint(stack, "Mm", image_uri=IMAGE, models_s3_prefix="s3://models-bucket/m/",
                            instance_type="ml.c5.xlarge", traffic=TRAFFIC,
                            alarms=AlarmOptions(include=("error_rate", "utilization")))
    assert alarm_line(ep.cost_estimate).quantity == 4
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 4)


def test_a_region_without_an_alarm_rate_keeps_its_estimate_and_says_so():
    stack = make_stack(region="eu-west-1")
    ep = realtime(stack, AlarmOptions(include=("error_rate",)), instance_type="ml.m5.xlarge")
    assert not [x for x in ep.cost_estimate.lines if x.item.startswith("CloudWatch")]
    [warning] = ep.cost_estimate.warnings
    assert warning.startswith("1 CloudWatch alarm(s) (5xx-rate) not priced: price book")
    assert "no 'cloudwatch_alarm_usd_per_month' for eu-west-1" in warning
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 1)


def test_utilization_on_a_type_without_instance_data_is_refused():
    stack = make_stack({"cost:hourly-overrides": {"ml.r7i.large": 0.2}})
    with pytest.raises(ConfigurationError, match=r"alarms\.include='utilization': the vCPU "
                       r"count of ml\.r7i\.large is not in the instance data"):
        realtime(stack, AlarmOptions(), instance_type="ml.r7i.large")
    realtime(stack, AlarmOptions(include=("error_rate", "latency")),
             instance_type="ml.r7i.large")  # the rest is fine


@pytest.mark.parametrize(("field", "value", "allowed"), [
    ("error_rate_percent", 0, "greater than 0"),
    ("error_rate_percent", 101, "less than or equal to 100"),
    ("utilization_percent", 0, "greater than 0"),
    ("latency_percentile", "p42", "'p50', 'p90', 'p95', 'p99' or 'p99.9'"),
    ("evaluation_periods", 0, "greater than or equal to 1"),
    ("backlog_age_s", -1, "greater than 0"),
    ("include", ["uptime"], "'error_rate', 'latency', 'utilization' or 'backlog_age'"),
])
def test_bad_alarm_options_are_refused(stack, field, value, allowed):
    with pytest.raises(ConfigurationError, match=rf"at 'Test/Ep'[\s\S]*alarms\.{field}"
                       rf"[\s\S]*{allowed.replace('.', '[.]')}"):
        realtime(stack, {field: value})


def test_the_alarm_rate_is_data_with_its_source_and_date():
    import json

    from constructs_lib.pricing.price_book import load_price_book

    from .conftest import ROOT

    raw = json.loads((ROOT / "constructs_lib/pricing/data/sagemaker_prices.json").read_text())
    [reading] = [r for r in raw["readings"] if r["field"] == "cloudwatch_alarm_usd_per_month"]
    assert reading["region"] == "us-east-1" and reading["usd"] == ALARM_USD
    assert "https://aws.amazon.com/cloudwatch/pricing/" in reading["source"]
    assert reading["date"] == "2026-09-29"
    assert load_price_book().rate("us-east-1", "cloudwatch_alarm_usd_per_month") == ALARM_USD
    assert "cloudwatch_alarm_usd_per_month" not in raw["regions"]["eu-west-1"]
