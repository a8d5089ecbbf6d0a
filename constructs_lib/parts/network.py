"""A model attached to a VPC: its private subnets (chosen before any node exists) and its
security groups (the given ones, or a new one with no inbound rules and the outbound rules of
``VpcOptions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..errors import ConfigurationError
from ..spec.network import EgressRule, VpcOptions

if TYPE_CHECKING:  # aws_ec2 is imported only for a VPC: it is 0.2 s and 24 MB of Python
    from aws_cdk import aws_ec2 as ec2

__all__ = ["security_groups", "subnet_ids", "vpc_config"]


def subnet_ids(options: VpcOptions, path: str, kind: str) -> list[str]:
    """The subnets to run in: a VPC without private subnets is a configuration error here,
    before any node exists, rather than a JavaScript error half-way through."""
    if options.subnet_ids:
        return list(options.subnet_ids)
    from aws_cdk import aws_ec2 as ec2

    try:
        subnets = options.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids
    except RuntimeError as error:  # jsii: CDK refused the selection
        subnets, reason = [], str(error).split("\n")[0]
    else:
        reason = "the VPC has no private subnets with egress"
    if not subnets:
        raise ConfigurationError.single(
            path, "vpc.subnet_ids", (), f"give subnet_ids, or a VPC with PRIVATE_WITH_EGRESS "
            f"subnets ({reason})", kind=kind)
    return list(subnets)


def security_groups(scope: Construct, options: VpcOptions) -> list[ec2.ISecurityGroup]:
    """The given security groups, or a new ``SecurityGroup``: no inbound rules; all outbound
    traffic, or only ``options.egress`` (CDK's own ``allow_all_outbound=False`` group, whose
    placeholder rule allows nothing when there are none)."""
    if options.security_groups:
        return list(options.security_groups)
    from aws_cdk import aws_ec2 as ec2

    group = ec2.SecurityGroup(scope, "SecurityGroup", vpc=options.vpc,
                              allow_all_outbound=options.allow_all_outbound,
                              description="SageMaker model containers (no inbound)")
    for rule in options.egress:
        group.add_egress_rule(_peer(rule), _port(rule), rule.description)
    return [group]


def _peer(rule: EgressRule) -> ec2.IPeer:
    from aws_cdk import aws_ec2 as ec2

    if rule.prefix_list_id is not None:
        return ec2.Peer.prefix_list(rule.prefix_list_id)
    assert rule.cidr is not None
    return ec2.Peer.ipv6(rule.cidr) if ":" in rule.cidr else ec2.Peer.ipv4(rule.cidr)


def _port(rule: EgressRule) -> ec2.Port:
    from aws_cdk import aws_ec2 as ec2

    high = rule.to_port if rule.to_port is not None else rule.port
    if rule.protocol == "udp":
        return ec2.Port.udp_range(rule.port, high)
    return ec2.Port.tcp_range(rule.port, high)


def vpc_config(groups: list[ec2.ISecurityGroup], subnets: list[str]
               ) -> sagemaker.CfnModel.VpcConfigProperty:
    return sagemaker.CfnModel.VpcConfigProperty(
        security_group_ids=[g.security_group_id for g in groups], subnets=subnets)
