"""Budgets: per construct (max_monthly_usd) and from context (cost:budget-usd), as errors."""

import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from constructs_lib import (
    ConfigurationError,
    ModelSpec,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)

from .conftest import IMAGE, ROOT, make_stack
from .test_cli_synth import CDK, cli_env

HINT = TrafficHint(requests_per_month=1000, payload_kb=0, response_kb=0)


def realtime(scope, cid="Api", **kw):
    # ml.m5.large always on: 0.115 × 730 = 83.95 + its 4 GB volume 0.56 = 84.51 $/month
    return RealTimeEndpoint(scope, cid, model=ModelSpec(image_uri=IMAGE),
                            instance_type="ml.m5.large", traffic=HINT, **kw)


def serverless(scope, cid="Fn", traffic=HINT, **kw):
    return ServerlessEndpoint(scope, cid, model=ModelSpec(image_uri=IMAGE), traffic=traffic, **kw)


def test_construct_over_its_budget_is_an_error_naming_it_estimate_and_budget():
    stack = make_stack()
    realtime(stack, max_monthly_usd=50)
    Annotations.from_stack(stack).has_error("/Test/Api", Match.string_like_regexp(
        r"^Over budget: Test/Api estimated \$84\.51/month \(realtime: ml\.m5\.large hosting "
        r"\(730 instance-hour\)\) exceeds max_monthly_usd \$50\.00/month"))


def test_within_budget_no_error_and_serverless_takes_a_budget_too():
    stack = make_stack()
    realtime(stack, max_monthly_usd=100)
    serverless(stack, max_monthly_usd=0.01)  # 1,000 × 0.1 s × 2 GB × 0.00002 = 0.004 $
    Annotations.from_stack(stack).has_no_error("*", Match.any_value())
    stack2 = make_stack()
    # 1,000,000 × 0.1 s × 2 GB × 0.00002 = 4.00 $
    serverless(stack2, max_monthly_usd=1,
               traffic=HINT.model_copy(update={"requests_per_month": 1e6}))
    Annotations.from_stack(stack2).has_error("/Test/Fn", Match.string_like_regexp(
        r"estimated \$4\.00/month \(serverless: .*\) exceeds max_monthly_usd \$1\.00/month"))


def test_bad_budget_fails_before_any_node():
    stack = make_stack()
    with pytest.raises(ConfigurationError, match=r"RealTimeEndpoint at 'Test/Api'[\s\S]*"
                       r"max_monthly_usd=-1"):
        realtime(stack, max_monthly_usd=-1)
    assert stack.node.try_find_child("Api") is None
    bad = make_stack({"cost:budget-usd": {"Test": "lots"}})
    with pytest.raises(ConfigurationError, match=r"context\['cost:budget-usd'\]"):
        realtime(bad)
    assert bad.node.try_find_child("Api") is None


def two_stacks(context):
    app = cdk.App(context=context)
    env = cdk.Environment(region="us-east-1")
    a, b = cdk.Stack(app, "A", env=env), cdk.Stack(app, "B", env=env)
    realtime(a)
    realtime(b)
    realtime(b, "Api2")
    return a, b


def test_app_wide_budget_sums_every_stack():
    # 3 × 84.51 = 253.53 > 200
    a, b = two_stacks({"cost:budget-usd": 200})
    Annotations.from_stack(a).has_error("/A", Match.string_like_regexp(
        r"Over budget: the app estimated \$253\.53/month exceeds cost:budget-usd \$200\.00/month "
        r"by \$53\.53: A/Api \$84\.51 \(realtime\), B/Api \$84\.51 \(realtime\), B/Api2"))
    Annotations.from_stack(b).has_no_error("*", Match.any_value())
    a, b = two_stacks({"cost:budget-usd": "300"})
    Annotations.from_stack(a).has_no_error("*", Match.any_value())


def test_stack_wide_budgets_by_name_with_a_default():
    a, b = two_stacks({"cost:budget-usd": {"A": 50, "*": 100}})
    Annotations.from_stack(a).has_error("/A", Match.string_like_regexp(
        r"stack A estimated \$84\.51/month exceeds cost:budget-usd\['A'\] \$50\.00/month"))
    Annotations.from_stack(b).has_error("/B", Match.string_like_regexp(
        r"stack B estimated \$169\.02/month exceeds cost:budget-usd\['B'\] \$100\.00/month"))
    a, b = two_stacks({"cost:budget-usd": {"B": 500}})
    Annotations.from_stack(a).has_no_error("*", Match.any_value())
    Annotations.from_stack(b).has_no_error("*", Match.any_value())


def test_cdk_synth_fails_over_budget(tmp_path):
    result = subprocess.run(
        [str(CDK), "synth", "--quiet", "--output", str(tmp_path / "cdk.out"),
         "-c", 'cost:budget-usd={"FraudCheckApi": 100}'],
        cwd=ROOT, capture_output=True, text=True, env=cli_env(), timeout=300)
    text = result.stdout + result.stderr
    assert result.returncode != 0, text
    assert ("Over budget: stack FraudCheckApi estimated $306.59/month exceeds "
            "cost:budget-usd['FraudCheckApi'] $100.00/month by $206.59: "
            "FraudCheckApi/Scorer $306.59 (realtime)") in text
