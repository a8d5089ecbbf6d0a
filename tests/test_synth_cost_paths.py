"""What the synth-time optimisations (BENCHMARKS.md) must not change: where the cost aspect
sits, which context each construct is priced with, and the path it reports."""

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from constructs_lib import (
    ConfigurationError,
    ModelSpec,
    RealTimeEndpoint,
    ServerlessEndpoint,
    TrafficHint,
)
from constructs_lib.core.surface import CostAspect

from .conftest import IMAGE, has_note, make_stack, notes

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")
TRAFFIC = TrafficHint(requests_per_month=1e6, payload_kb=0, response_kb=0)


def realtime(scope, cid, **kw):
    return RealTimeEndpoint(scope, cid, model=MODEL, instance_type="ml.m5.large",
                            traffic=TRAFFIC, **kw)


def _metadata(stack):
    return {r["Metadata"]["ConstructsLib"]["path"]: r["Metadata"]
            for r in Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()}


def test_one_cost_aspect_per_stack_on_a_leaf_and_every_construct_surfaced(stack):
    first, second = realtime(stack, "Ep"), realtime(stack, "Ep2")
    assert [type(a) for a in cdk.Aspects.of(first.endpoint).all] == [CostAspect]
    assert not cdk.Aspects.of(second.endpoint).all  # the stack's aspect surfaces both
    assert not any(isinstance(a, CostAspect) for a in cdk.Aspects.of(first).all)
    assert not first.endpoint.node.children  # a leaf: visited once at synth
    meta = _metadata(stack)
    assert meta["Test/Ep"]["CostEstimate"]["kind"] == "realtime"
    assert meta["Test/Ep2"]["CostEstimate"] == meta["Test/Ep"]["CostEstimate"]


def test_a_construct_added_after_annotations_were_read_is_surfaced_too(stack):
    def cost_messages(path):
        found = Annotations.from_stack(stack)
        return ([n for n in notes(stack).get(path, []) if n.startswith("Estimated")]
                + found.find_warning(path, Match.string_like_regexp("^Estimated")))

    realtime(stack, "Ep")
    assert len(cost_messages("/Test/Ep")) == 1
    later = realtime(stack, "Later")
    assert [type(a) for a in cdk.Aspects.of(later.endpoint).all] == [CostAspect]
    assert len(cost_messages("/Test/Later")) == 1
    assert len(cost_messages("/Test/Ep")) == 1  # not surfaced twice


@pytest.mark.parametrize("build", ["async", "batch", "multimodel", "serverless"])
def test_every_priced_construct_puts_its_cost_on_its_main_resource(stack, build):
    from . import test_async_endpoint, test_batch_transform, test_multimodel

    construct = {
        "async": test_async_endpoint.endpoint, "batch": test_batch_transform.batch,
        "multimodel": test_multimodel.fleet,
        "serverless": lambda s: ServerlessEndpoint(s, "Sl", model=MODEL, traffic=TRAFFIC),
    }[build](stack)
    main = construct.main_resource
    assert [type(a) for a in cdk.Aspects.of(main).all] == [CostAspect]
    assert not any(isinstance(a, CostAspect) for a in cdk.Aspects.of(construct).all)
    priced = [r for r in Template.from_stack(stack).to_json()["Resources"].values()
              if "CostEstimate" in r.get("Metadata", {})]
    assert [r["Metadata"]["ConstructsLib"]["path"] for r in priced] == [construct.node.path]
    assert priced[0]["Type"] == main.cfn_resource_type


def test_a_user_aspect_and_the_cost_aspect_both_run(stack):
    @jsii.implements(cdk.IAspect)
    class Tagger:
        def visit(self, node):
            if isinstance(node, cdk.CfnResource) and node.cfn_resource_type.endswith("Endpoint"):
                node.add_metadata("Team", "fraud")

    realtime(stack, "Ep")
    cdk.Aspects.of(stack).add(Tagger())
    meta = _metadata(stack)["Test/Ep"]
    assert meta["Team"] == "fraud" and meta["CostEstimate"]["kind"] == "realtime"


def test_siblings_share_one_pricing_context_but_each_scope_reads_its_own():
    stack = make_stack(context={"cost:hourly-overrides": {"ml.m5.large": 0.1}})
    a, b = realtime(stack, "A"), realtime(stack, "B")
    assert a.cost_context.pricing is b.cost_context.pricing
    team = Construct(stack, "Team")
    team.node.set_context("cost:hourly-overrides", {"ml.m5.large": 0.2})  # before any child
    c = realtime(team, "C")
    # 730 h × 0.1 / 0.2, + ml.m5.large's 4 GB volume (4 × 0.14 = 0.56)
    assert (a.cost_estimate.monthly_usd, c.cost_estimate.monthly_usd) == (73.56, 146.56)


def test_failed_construct_does_not_freeze_its_scope_pricing():
    stack = make_stack()
    team = Construct(stack, "Team")
    with pytest.raises(ConfigurationError, match=r"instance_count=0"):
        RealTimeEndpoint(team, "Bad", model=MODEL, instance_type="ml.m5.large", instance_count=0,
                         traffic=TRAFFIC)
    assert not team.node.children  # so its context may still be set, and must be read
    team.node.set_context("cost:hourly-overrides", {"ml.m5.large": 0.2})
    assert realtime(team, "Ok").cost_estimate.monthly_usd == 146.56


def test_reported_path_is_the_node_path_even_for_escaped_ids(stack):
    ep = realtime(stack, "Fraud/Scorer")
    sl = ServerlessEndpoint(Construct(stack, "Nested"), "Tool", model=MODEL, traffic=TRAFFIC)
    meta = _metadata(stack)
    assert set(meta) == {ep.node.path, sl.node.path} == {"Test/Fraud--Scorer", "Test/Nested/Tool"}
    has_note(stack, "/Test/Nested/Tool", r"^Estimated \$\d+\.\d\d/month \(serverless")
