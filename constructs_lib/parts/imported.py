"""Endpoints defined elsewhere (another team's stack, the console, another CDK app), imported by
name or ARN: the same grants and metrics as the library's own endpoints, and no cost.

An imported endpoint is not priced: it carries no ``Metadata.CostEstimate`` and is in no report
or budget (its owner's stack prices it; this app does not know its fleet or traffic).
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from ..core.paths import construct_path
from ..errors import ConfigurationError, Problem
from ..spec import limits
from ..spec.hosting import DEFAULT_VARIANT_NAME
from .handles import AsyncMetrics

__all__ = ["ENDPOINT_ARN", "Importable", "ImportedEndpoint"]

ENDPOINT_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:endpoint/[A-Za-z0-9-]+$")
"""A SageMaker endpoint ARN (``arn:<partition>:sagemaker:<region>:<account>:endpoint/<name>``)."""


class ImportedEndpoint(AsyncMetrics, cdk.Resource):
    """An existing SageMaker endpoint: ``endpoint_name``, ``endpoint_arn``, ``grant_invoke``,
    ``grant_invoke_async`` and the metric helpers of the library's endpoints (per
    ``variant_name``, default ``AllTraffic``; the queue helpers apply when it is asynchronous).

    Not priced: an imported endpoint carries no cost metadata and is in no estimate, report or
    budget of this app. Create one with ``RealTimeEndpoint.from_endpoint_name(...)`` (or
    ``from_endpoint_arn``, on any endpoint construct)."""

    def __init__(self, scope: Construct, construct_id: str, *, endpoint_name: str,
                 endpoint_arn: str, variant_name: str = DEFAULT_VARIANT_NAME) -> None:
        super().__init__(scope, construct_id, environment_from_arn=endpoint_arn)
        self._name = endpoint_name
        self._arn = endpoint_arn
        self._variant_names = [variant_name]

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name (from an ARN: SageMaker writes ARNs in lower case, so the name is
        the lower-case one; metrics need the exact name, so import by name when it has
        capitals)."""
        return self._name

    @property
    def endpoint_arn(self) -> str:
        return self._arn

    @property
    def variant_name(self) -> str:
        """The variant the metric helpers default to."""
        return self._variant_names[0]


class Importable:
    """``from_endpoint_name`` and ``from_endpoint_arn`` for the endpoint constructs (written
    once): both return an :class:`ImportedEndpoint`, which is not priced."""

    @classmethod
    def from_endpoint_name(cls, scope: Construct, construct_id: str, endpoint_name: str, *,
                           variant_name: str = DEFAULT_VARIANT_NAME) -> ImportedEndpoint:
        """An existing endpoint named ``endpoint_name`` in ``scope``'s stack account and region
        (a token is allowed). Its ARN is the stack's ``format_arn`` with the name in lower case,
        as SageMaker writes endpoint ARNs (IAM matches them exactly), or the token as given.
        ``variant_name`` [``AllTraffic``]: the variant the metric helpers default to.
        Not priced: see :class:`ImportedEndpoint`."""
        problems = _check(endpoint_name, "endpoint_name", limits.ENDPOINT_NAME_PATTERN,
                          "an endpoint name: 1-63 alphanumerics and '-' (a token is allowed)")
        _raise(cls, scope, construct_id, problems + _variant(variant_name))
        name_in_arn = (endpoint_name if cdk.Token.is_unresolved(endpoint_name)
                       else endpoint_name.lower())
        arn = cdk.Stack.of(scope).format_arn(service="sagemaker", resource="endpoint",
                                             resource_name=name_in_arn)
        return ImportedEndpoint(scope, construct_id, endpoint_name=endpoint_name,
                                endpoint_arn=arn, variant_name=variant_name)

    @classmethod
    def from_endpoint_arn(cls, scope: Construct, construct_id: str, endpoint_arn: str, *,
                          variant_name: str = DEFAULT_VARIANT_NAME) -> ImportedEndpoint:
        """An existing endpoint by ARN (a token is allowed: the name is then parsed at deploy
        time, ``Fn::Select`` over ``Fn::Split``). Its account and region are the ARN's.
        ``variant_name`` [``AllTraffic``]. Not priced: see :class:`ImportedEndpoint`."""
        problems = _check(endpoint_arn, "endpoint_arn", ENDPOINT_ARN.pattern,
                          "arn:<partition>:sagemaker:<region>:<account>:endpoint/<name> "
                          "(a token is allowed)")
        _raise(cls, scope, construct_id, problems + _variant(variant_name))
        name = cdk.Arn.split(endpoint_arn, cdk.ArnFormat.SLASH_RESOURCE_NAME).resource_name
        assert name is not None
        return ImportedEndpoint(scope, construct_id, endpoint_name=name,
                                endpoint_arn=endpoint_arn, variant_name=variant_name)


def _check(value: Any, field: str, pattern: str, allowed: str) -> list[Problem]:
    if isinstance(value, str) and (cdk.Token.is_unresolved(value) or re.match(pattern, value)):
        return []
    return [Problem(field, value, allowed)]


def _variant(name: Any) -> list[Problem]:
    return _check(name, "variant_name", limits.ENDPOINT_NAME_PATTERN,
                  "a variant name: 1-63 alphanumerics and '-'")


def _raise(cls: type, scope: Construct, construct_id: str, problems: list[Problem]) -> None:
    if problems:
        kind = cls.__name__
        raise ConfigurationError(construct_path(scope, construct_id, kind), problems, kind=kind)
