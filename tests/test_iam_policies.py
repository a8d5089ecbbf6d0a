"""Every IAM policy in every example template: no ``Action: *``, no ``svc:*``, no
``Resource: *`` except for the actions AWS offers no resource-level permissions for."""

from typing import Any

import pytest

from .hardening import resources, synthesized

RESOURCE_STAR_ALLOWED: dict[str, str] = {
    "ecr:GetAuthorizationToken": "no resource-level permissions: AWS requires Resource '*'",
    "cloudwatch:PutMetricData": "no resource-level permissions; scoped by a "
                                "cloudwatch:namespace condition instead",
    # VPC attachment (RealTimeEndpoint vpc=...): SageMaker creates the interfaces itself.
    **{f"ec2:{a}": "EC2 grants no resource-level permissions for it to SageMaker's "
                   "VPC attachment" for a in (
        "CreateNetworkInterface", "CreateNetworkInterfacePermission", "DeleteNetworkInterface",
        "DeleteNetworkInterfacePermission", "DescribeDhcpOptions", "DescribeNetworkInterfaces",
        "DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcs")},
    # BatchTransform's state machine logs to CloudWatch Logs through vended log delivery.
    **{f"logs:{a}": "CloudWatch Logs vended-delivery action Step Functions logging needs; no "
                    "resource-level permissions (AWS documents it with Resource '*')" for a in (
        "CreateLogDelivery", "GetLogDelivery", "UpdateLogDelivery", "DeleteLogDelivery",
        "ListLogDeliveries", "PutResourcePolicy", "DescribeResourcePolicies",
        "DescribeLogGroups")},
}
"""Action -> why it may have Resource '*'. Nothing may ever have Action '*' or 'svc:*'."""


def policy_documents(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, document) for inline role/user/group policies, AWS::IAM::Policy, managed ones."""
    docs = []
    for name, res in resources(template, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for policy in res.get("Properties", {}).get("Policies", []):
            docs.append((f"{name}/{policy.get('PolicyName')}", policy["PolicyDocument"]))
    for name, res in resources(template, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        docs.append((name, res["Properties"]["PolicyDocument"]))
    return docs


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def wildcard_problems(where: str, document: dict[str, Any]) -> list[str]:
    problems = []
    for i, st in enumerate(as_list(document.get("Statement", []))):
        if st.get("Effect") != "Allow":
            continue
        at = f"{where} statement {st.get('Sid', i)}"
        if "NotAction" in st or "NotResource" in st:
            problems.append(f"{at}: NotAction/NotResource")
        actions = [a for a in as_list(st.get("Action", [])) if isinstance(a, str)]
        for action in actions:
            if action == "*" or action.endswith(":*"):
                problems.append(f"{at}: Action {action!r}")
        if "*" in as_list(st.get("Resource", [])):
            for action in actions:
                if action not in RESOURCE_STAR_ALLOWED:
                    problems.append(f"{at}: Resource '*' for {action}")
    return problems


@pytest.fixture(scope="module")
def templates():
    return synthesized().templates


def test_every_policy_is_free_of_unlisted_wildcards(templates):
    walked = 0
    problems = []
    for stack, template in templates.items():
        for where, doc in policy_documents(template):
            walked += 1
            problems += wildcard_problems(f"{stack}/{where}", doc)
    assert walked >= 3
    assert problems == []


def test_every_allowed_wildcard_has_a_reason():
    assert all(len(reason) > 20 for reason in RESOURCE_STAR_ALLOWED.values())


@pytest.mark.parametrize("statement, found", [
    ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}, "Action '*'"),
    ({"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"}, "Action 's3:*'"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, "Resource '*' for s3"),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}, "NotAction"),
])
def test_the_walker_catches_wildcards(statement, found):
    template = {"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "PolicyDocument": {"Statement": [statement]}}}}}
    (where, doc), = policy_documents(template)
    assert any(found in p for p in wildcard_problems(where, doc))
