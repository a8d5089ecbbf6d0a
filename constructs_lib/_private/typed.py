"""Typed L1 resources (``s3.CfnBucket``, ``sagemaker.CfnEndpoint``...) from CloudFormation JSON,
one jsii call each.

The constructs describe each resource as CloudFormation JSON (see ``emit.py``). A generic
``cdk.CfnResource`` would render it as is, but CDK's ecosystem works on the typed classes:
``cdk.Tags.of(scope).add(...)`` tags only resources that carry a ``TagManager`` (the typed ones),
cdk-nag's rules inspect ``CfnBucket``, ``CfnRole``, ``CfnEndpointConfig``... by class, and users
expect ``endpoint.endpoint_config`` to be a ``CfnEndpointConfig``. So every resource type that
can carry tags or that compliance rules inspect is created as its typed class.

The JSON is turned into the typed class's props here, using the schema jsii ships in the Python
bindings (each struct's ``__jsii_name_mapping__`` and type hints, read once per struct): keys
become the jsii names (``MemorySizeInMB`` -> ``memorySizeInMb``; maps and JSON documents keep
theirs), and an intrinsic (``{"Ref": ...}``) where the typed class validates a string becomes a
token (``cdk.Token.as_string``: one jsii call, shared by every use of the same intrinsic).
The object is then created with ``jsii.create`` directly: the generated ``__init__`` would only
re-check in Python what CDK validates again at synth.
"""

from __future__ import annotations

import functools
import importlib
import json
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
import jsii

__all__ = ["TYPED", "typed_class", "typed_props"]

TYPED: dict[str, tuple[str, str]] = {
    "AWS::CloudWatch::Alarm": ("aws_cdk.aws_cloudwatch", "CfnAlarm"),
    "AWS::IAM::ManagedPolicy": ("aws_cdk.aws_iam", "CfnManagedPolicy"),
    "AWS::IAM::Role": ("aws_cdk.aws_iam", "CfnRole"),
    "AWS::Logs::LogGroup": ("aws_cdk.aws_logs", "CfnLogGroup"),
    "AWS::S3::Bucket": ("aws_cdk.aws_s3", "CfnBucket"),
    "AWS::S3::BucketPolicy": ("aws_cdk.aws_s3", "CfnBucketPolicy"),
    "AWS::SNS::Topic": ("aws_cdk.aws_sns", "CfnTopic"),
    "AWS::SNS::TopicPolicy": ("aws_cdk.aws_sns", "CfnTopicPolicy"),
    "AWS::SageMaker::Endpoint": ("aws_cdk.aws_sagemaker", "CfnEndpoint"),
    "AWS::SageMaker::EndpointConfig": ("aws_cdk.aws_sagemaker", "CfnEndpointConfig"),
    "AWS::SageMaker::Model": ("aws_cdk.aws_sagemaker", "CfnModel"),
    "AWS::StepFunctions::StateMachine": ("aws_cdk.aws_stepfunctions", "CfnStateMachine"),
}
"""Resource types created as their typed L1 class: every type the library emits that takes
``Tags`` or that cdk-nag's AwsSolutions / HIPAA rules inspect. The others (Application Auto
Scaling targets and policies, EventBridge Scheduler schedules: no tags, no rules) stay generic
``cdk.CfnResource``, whose properties take intrinsics without a token."""


class _Plan(typing.NamedTuple):
    """What a type hint accepts, as far as converting a value for it goes."""

    string: bool
    struct: type | None
    items: Any
    """Element hint of a sequence, else None."""
    values: Any
    """Value hint of a mapping (keys kept), else None."""


_NO_PLAN = _Plan(False, None, None, None)


@functools.cache
def _plan(hint: Any) -> _Plan:
    string, struct, items, values = False, None, None, None
    pending = [hint]
    while pending:
        h = pending.pop()
        origin = typing.get_origin(h)
        if origin is typing.Union:
            pending += typing.get_args(h)
        elif h is str:
            string = True
        elif isinstance(h, type) and hasattr(h, "__jsii_name_mapping__"):
            struct = h
        elif origin in (list, Sequence, typing.Sequence):
            items = typing.get_args(h)[0]
        elif origin in (dict, Mapping, typing.Mapping) and struct is None:
            value = typing.get_args(h)[1]
            if value is not Any:  # Dict[str, Any] is a struct's dict form, not a map
                values = value
    return _Plan(string, struct, items, values)


@functools.cache
def _schema(struct: type) -> dict[str, tuple[str, Any]]:
    """CloudFormation key (lower case) -> (jsii name, type hint) of a jsii struct."""
    hints = typing.get_type_hints(struct.__init__)  # type: ignore[misc]
    mapping: dict[str, str] = struct.__jsii_name_mapping__  # type: ignore[attr-defined]
    return {jsii_name.lower(): (jsii_name, hints[py]) for py, jsii_name in mapping.items()}


_TOKENS: dict[str, str] = {}


def _token(intrinsic: dict[str, Any]) -> str:
    """A string token that renders as ``intrinsic`` (one jsii call per distinct intrinsic)."""
    key = json.dumps(intrinsic, sort_keys=True)
    token = _TOKENS.get(key)
    if token is None:
        token = _TOKENS[key] = cdk.Token.as_string(intrinsic)
    return token


def _intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))


def _convert(value: Any, hint: Any, where: str) -> Any:
    if isinstance(value, dict):
        plan = _plan(hint)
        if _intrinsic(value):
            return _token(value) if plan.string else value
        if plan.struct is not None:
            schema = _schema(plan.struct)
            out = {}
            for key, item in value.items():
                try:
                    name, item_hint = schema[key.lower()]
                except KeyError:
                    raise KeyError(f"{where}.{key}: not a property of "
                                   f"{plan.struct.__name__}") from None
                out[name] = _convert(item, item_hint, f"{where}.{key}")
            return out
        if plan.values is not None:
            return {k: _convert(v, plan.values, f"{where}.{k}") for k, v in value.items()}
        return value  # a JSON document (a policy, say): rendered as given
    if isinstance(value, list):
        items = _plan(hint).items
        if items is not None:
            return [_convert(v, items, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


@functools.cache
def _props_struct(cls: type) -> type:
    base = next(c for c in cls.__mro__ if c.__module__.startswith("aws_cdk"))
    module = importlib.import_module(base.__module__)
    return getattr(module, f"{base.__name__}Props")  # type: ignore[no-any-return]


def typed_props(cls: type, properties: Mapping[str, Any]) -> dict[str, Any]:
    """``properties`` (CloudFormation JSON) as the props of typed L1 class ``cls``."""
    return _convert(dict(properties), _props_struct(cls), cls.__name__)  # type: ignore[no-any-return]


@functools.cache
def typed_class(cfn_type: str, guard: Any) -> type | None:
    """The typed L1 class for ``cfn_type`` (None: use ``cdk.CfnResource``), subclassed to create
    itself from props in one call and to refuse ``override_logical_id`` with ``guard``."""
    found = TYPED.get(cfn_type)
    if found is None:
        return None
    module, name = found
    base = getattr(importlib.import_module(module), name)

    def __init__(self: Any, scope: Any, construct_id: str, props: dict[str, Any]) -> None:
        jsii.create(self.__class__, self, [scope, construct_id, props])

    return type(name, (base,), {"__init__": __init__, "override_logical_id": guard,
                                "__module__": __name__, "__qualname__": name,
                                "__doc__": base.__doc__})
