"""Emit a construct's CloudFormation resources with one jsii call each.

Every jsii call crosses a process boundary (about 0.15 ms of CPU on a small machine, more than
the Node-side work of most calls). The constructs therefore build each resource's properties as
plain Python values (CloudFormation JSON: PascalCase keys, intrinsic functions as dicts) and
create it with one ``cdk.CfnResource(type=..., properties=...)`` call, as a hand-written
template would. References between the resources of one construct are written as
``{"Ref": id}`` / ``{"Fn::GetAtt": [id, attr]}`` with the logical ID CDK will allocate, computed
here with CDK's own algorithm (``makeUniqueId`` of the path below the stack): the same template,
without a round trip per reference.

That is only sound while CDK allocates IDs the default way. A stack class that overrides
``_allocate_logical_id`` (``allocateLogicalId``) makes :class:`Emitter` fall back to reference
tokens (one jsii call each, the same template), and a resource's ``override_logical_id`` raises
a clear error instead of leaving references dangling (``Resource``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import aws_cdk as cdk
from constructs import Construct

from ..errors import ConfigurationError
from .models import scope_path
from .typed import typed_class, typed_props

__all__ = [
    "ACCOUNT",
    "PARTITION",
    "REGION",
    "Emitter",
    "Ref",
    "Resource",
    "join",
    "statement",
    "unique_id",
]

PARTITION: dict[str, str] = {"Ref": "AWS::Partition"}
REGION: dict[str, str] = {"Ref": "AWS::Region"}
ACCOUNT: dict[str, str] = {"Ref": "AWS::AccountId"}

_HIDDEN_ID = "Default"
_HIDDEN_FROM_HUMAN_ID = "Resource"
_MAX_HUMAN_LEN = 240
_MAX_ID_LEN = 255
_NON_ALNUM = re.compile("[^A-Za-z0-9]")


def unique_id(components: Sequence[str]) -> str:
    """CDK's ``makeUniqueId``: the logical ID of the element at ``components`` (the path below
    its stack). A human part (the components, ``Resource`` and any part its predecessor ends
    with dropped, non-alphanumerics removed) and the first 8 hex digits of the MD5 of the path."""
    parts = [c for c in components if c != _HIDDEN_ID]
    if not parts:
        raise ValueError("unable to calculate a unique id for an empty set of components")
    if len(parts) == 1:
        candidate = _NON_ALNUM.sub("", parts[0])
        if len(candidate) <= _MAX_ID_LEN:
            return candidate
    digest = hashlib.md5("/".join(parts).encode()).hexdigest()[:8].upper()
    human: list[str] = []
    for part in parts:  # CDK's removeDupes: a part its predecessor ends with is dropped
        if human and human[-1].endswith(part):
            continue
        human.append(part)
    text = "".join(_NON_ALNUM.sub("", p) for p in human if p != _HIDDEN_FROM_HUMAN_ID)
    return text[:_MAX_HUMAN_LEN] + digest


def join(*parts: Any) -> Any:
    """``Fn::Join`` with an empty delimiter, as CDK renders a string that embeds references:
    adjacent literals merged, a plain string when nothing is a reference."""
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    if len(merged) == 1:
        return merged[0]
    return {"Fn::Join": ["", merged]}


def _one_or_many(values: Sequence[Any]) -> Any:
    """IAM's normal form as CDK writes it: a single value unwrapped, duplicates dropped."""
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return unique[0] if len(unique) == 1 else unique


def statement(actions: Sequence[str], resources: Sequence[Any], *, sid: str | None = None,
              conditions: Mapping[str, Any] | None = None,
              principal: Mapping[str, Any] | str | None = None, effect: str = "Allow"
              ) -> dict[str, Any]:
    """One IAM policy statement in the form ``iam.PolicyStatement`` renders."""
    out: dict[str, Any] = {"Action": _one_or_many(actions)}
    if conditions:
        out["Condition"] = dict(conditions)
    out["Effect"] = effect
    if isinstance(principal, str):
        out["Principal"] = principal
    elif principal is not None:
        out["Principal"] = {k: _one_or_many(v) if isinstance(v, list) else v
                            for k, v in principal.items()}
    if resources:
        out["Resource"] = _one_or_many(resources)
    if sid is not None:
        out["Sid"] = sid
    return out


def policy_document(statements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Statement": list(statements), "Version": "2012-10-17"}


def _refuse_override(self: cdk.CfnResource, new_logical_id: str) -> None:
    """``override_logical_id`` of the library's resources: refused, with the reason."""
    raise ConfigurationError.single(
        scope_path(self), "override_logical_id", new_logical_id,
        "not supported on resources created by constructs_lib: other resources of the "
        "construct refer to this one by the logical ID CDK derives from its path. Choose "
        "the construct's id (or stack) to choose the IDs")


class Resource(cdk.CfnResource):
    """A generic ``cdk.CfnResource`` (a type with no typed class in ``typed.TYPED``) that other
    resources of this library name by its logical ID: ``override_logical_id`` would leave those
    references dangling, so it is refused with an explanation (a construct's resources keep
    the IDs CDK derives from their paths; choose the construct's id to choose them)."""

    override_logical_id = _refuse_override


class Ref:
    """A resource created by an :class:`Emitter`: its CDK object and how to refer to it."""

    __slots__ = ("_literal", "cfn", "logical_id")

    def __init__(self, cfn: cdk.CfnResource, logical_id: str, literal: bool) -> None:
        self.cfn = cfn
        """The CloudFormation resource: its typed L1 class (``sagemaker.CfnEndpoint``...) or a
        ``cdk.CfnResource`` (escape hatch: ``add_property_override`` and friends)."""
        self.logical_id = logical_id
        self._literal = literal

    @property
    def ref(self) -> Any:
        """``{"Ref": logical id}`` (a reference token where IDs are not CDK's default)."""
        return {"Ref": self.logical_id} if self._literal else self.cfn.ref

    def att(self, attribute: str) -> Any:
        """``{"Fn::GetAtt": [logical id, attribute]}`` (or its token)."""
        if self._literal:
            return {"Fn::GetAtt": [self.logical_id, attribute]}
        return self.token(attribute)

    def token(self, attribute: str | None = None) -> str:
        """A string token for CDK APIs that take strings (one jsii call; not cached)."""
        if attribute is None:
            return self.cfn.ref
        return self.cfn.get_att(attribute).to_string()


_STACK_PREFIX: WeakKeyDictionary[Any, tuple[str, bool]] = WeakKeyDictionary()


@cache
def _default_allocation(stack_class: type) -> bool:
    """True when ``stack_class`` allocates logical IDs as CDK's ``Stack`` does."""
    return getattr(stack_class, "_allocate_logical_id", None) is cdk.Stack._allocate_logical_id


def _stack_prefix(stack: cdk.Stack) -> tuple[str, bool]:
    """(the stack's path, whether it allocates logical IDs the default way), once per stack."""
    got = _STACK_PREFIX.get(stack)
    if got is None:
        got = _STACK_PREFIX[stack] = (scope_path(stack), _default_allocation(type(stack)))
    return got


class Emitter:
    """Creates the resources of one construct (``owner``, at ``path``, in ``stack``).

    ``resource("ExecutionRole/Resource", ...)`` creates the intermediate construct
    ``ExecutionRole`` once (so paths, and thus logical IDs, are those an L2 construct would
    have had) and the resource ``Resource`` under it.
    """

    def __init__(self, owner: Construct, path: str, stack: cdk.Stack) -> None:
        stack_path, literal = _stack_prefix(stack)
        below = path[len(stack_path) + 1:] if stack_path else path
        self.owner = owner
        self.components = below.split("/")
        self.literal = literal
        self._scopes: dict[str, Construct] = {"": owner}
        self._acks: dict[str, str] = {}

    def scope(self, sub_path: str) -> Construct:
        """The construct at ``sub_path`` below the owner, created (plain) when missing."""
        found = self._scopes.get(sub_path)
        if found is None:
            parent, _, name = sub_path.rpartition("/")
            found = self._scopes[sub_path] = Construct(self.scope(parent), name)
        return found

    def logical_id(self, sub_path: str) -> str:
        return unique_id(self.components + sub_path.split("/"))

    def resource(self, sub_path: str, cfn_type: str, properties: Mapping[str, Any] | None,
                 ) -> Ref:
        """Create the resource at ``sub_path`` from its CloudFormation ``properties``: as its
        typed L1 class where there is one (``typed.py``), else a ``cdk.CfnResource``. One jsii
        call, plus one per new intermediate construct and per new token a typed class needs."""
        parent, _, name = sub_path.rpartition("/")
        scope = self.scope(parent)
        typed = typed_class(cfn_type, _refuse_override)
        if typed is not None:
            cfn = typed(scope, name, typed_props(typed, properties or {}))
        else:
            cfn = Resource(scope, name, type=cfn_type,
                           properties=dict(properties) if properties else None)
        return Ref(cfn, self.logical_id(sub_path), self.literal)

    def acknowledge(self, rule_id: str, reason: str) -> None:
        """Acknowledge a compliance rule (cdk-nag) for this construct and everything below it;
        recorded once, by :meth:`flush`, as CDK's ``Validations.acknowledge`` records it. The
        same rule acknowledged twice (two resources of the construct) keeps both reasons."""
        key = _qualified(rule_id)
        known = self._acks.get(key)
        if known is None:
            self._acks[key] = reason
        elif reason not in known:
            self._acks[key] = f"{known}; {reason}"

    def flush(self, node: Any) -> None:
        """Write the acknowledgements (one metadata entry on the owner's ``node``)."""
        if self._acks:
            node.add_metadata(ACKNOWLEDGED_RULES, dict(self._acks))
            self._acks.clear()


ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
"""``cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY``: CDK's validation report (and the
cdk-nag 3 plugin through it) reads acknowledgements from this construct metadata."""


def _qualified(rule_id: str) -> str:
    """CDK's ``normalizeValidationIdForAnnotations``: ``Annotation::<rule>`` unless the id
    names its plugin (``Plugin::Rule``), spaces as dashes."""
    depth = 0
    for i, char in enumerate(rule_id):
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        elif char == ":" and rule_id[i + 1:i + 2] == ":" and depth == 0:
            namespace = rule_id[:i].replace(" ", "-")
            if namespace in ("annotation", "Construct-Annotations"):
                namespace = "Annotation"
            return f"{namespace}::{rule_id[i + 2:].replace(' ', '-')}"
    return f"Annotation::{rule_id.replace(' ', '-')}"
