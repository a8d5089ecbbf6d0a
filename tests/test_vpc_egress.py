"""The security group a construct creates for a model in a VPC: all outbound traffic by default
(today's behaviour), or only the outbound rules given (issue 18)."""

from __future__ import annotations

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from constructs_lib import (
    ConfigurationError,
    EgressRule,
    ModelSpec,
    RealTimeEndpoint,
    TrafficHint,
)

from .conftest import IMAGE

MODEL = ModelSpec(image_uri=IMAGE, model_data_url="s3://models-bucket/fraud/v1/model.tar.gz")


def imported_vpc(stack):
    return ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0123456789abcdef0"])


def endpoint(stack, **vpc):
    return RealTimeEndpoint(stack, "Ep", model=MODEL, instance_type="ml.m5.large",
                            traffic=TrafficHint(requests_per_month=1e6),
                            vpc={"vpc": imported_vpc(stack), **vpc})


def group(stack) -> dict:
    [sg] = Template.from_stack(stack).find_resources("AWS::EC2::SecurityGroup").values()
    return sg["Properties"]  # type: ignore[no-any-return]


def test_by_default_the_group_allows_all_outbound_and_no_inbound(stack):
    endpoint(stack)
    props = group(stack)
    assert props["SecurityGroupEgress"] == [
        {"CidrIp": "0.0.0.0/0", "Description": "Allow all outbound traffic by default",
         "IpProtocol": "-1"}]
    assert "SecurityGroupIngress" not in props


def test_allow_all_outbound_false_with_rules_allows_only_those(stack):
    endpoint(stack, allow_all_outbound=False, egress=[
        EgressRule(prefix_list_id="pl-63a5400a", description="S3 gateway endpoint"),
        {"cidr": "10.0.0.0/16", "port": 443, "description": "interface endpoints"},
        {"cidr": "10.0.0.2/32", "port": 53, "protocol": "udp"},
    ])
    assert group(stack)["SecurityGroupEgress"] == [
        {"CidrIp": "10.0.0.0/16", "Description": "interface endpoints", "FromPort": 443,
         "IpProtocol": "tcp", "ToPort": 443},
        {"CidrIp": "10.0.0.2/32", "Description": "from 10.0.0.2/32:UDP 53-53", "FromPort": 53,
         "IpProtocol": "udp", "ToPort": 53},
    ]
    # CDK renders a prefix-list peer as a rule resource of its own.
    Template.from_stack(stack).has_resource_properties("AWS::EC2::SecurityGroupEgress", {
        "DestinationPrefixListId": "pl-63a5400a", "Description": "S3 gateway endpoint",
        "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
        "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("EpSecurityGroup"), "GroupId"]}})


def test_allow_all_outbound_false_without_rules_allows_nothing(stack):
    endpoint(stack, allow_all_outbound=False)
    # CDK's placeholder for an empty egress list: a rule no packet matches.
    [rule] = group(stack)["SecurityGroupEgress"]
    assert rule["CidrIp"] == "255.255.255.255/32" and rule["IpProtocol"] == "icmp"


def test_a_port_range(stack):
    endpoint(stack, allow_all_outbound=False,
             egress=[EgressRule(cidr="10.1.0.0/16", port=8000, to_port=8100)])
    [rule] = group(stack)["SecurityGroupEgress"]
    assert (rule["FromPort"], rule["ToPort"]) == (8000, 8100)


@pytest.mark.parametrize("vpc, field, allowed", [
    ({"egress": [{"cidr": "10.0.0.0/16"}]}, "egress", "allow_all_outbound=False"),
    ({"allow_all_outbound": False, "egress": [{"cidr": "10.0.0.300/16"}]}, "egress.0.cidr",
     "an IPv4 or IPv6 CIDR"),
    ({"allow_all_outbound": False, "egress": [{}]}, "egress.0.cidr", "either cidr or prefix"),
    ({"allow_all_outbound": False, "egress": [{"cidr": "::/0", "prefix_list_id": "pl-1234abcd"}]},
     "egress.0.cidr", "either cidr or prefix"),
    ({"allow_all_outbound": False, "egress": [{"cidr": "10.0.0.0/8", "port": 9, "to_port": 8}]},
     "egress.0.to_port", "must be >= port"),
])
def test_bad_egress_names_the_field(stack, vpc, field, allowed):
    with pytest.raises(ConfigurationError,
                       match=rf"RealTimeEndpoint at 'Test/Ep':[\s\S]*vpc\.{field}=.*{allowed}"):
        endpoint(stack, **vpc)
    assert stack.node.try_find_child("Ep") is None


def test_egress_rules_are_refused_with_security_groups_you_give(stack):
    given = ec2.SecurityGroup.from_security_group_id(stack, "Given", "sg-0123456789abcdef0")
    with pytest.raises(ConfigurationError,
                       match=r"vpc\.allow_all_outbound=False: only for the security group the "
                             r"construct creates"):
        endpoint(stack, security_groups=[given], allow_all_outbound=False)
