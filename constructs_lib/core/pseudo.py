"""CDK's process-wide tokens, read once per process: each read of a static property
(``cdk.Aws.PARTITION``...) is a round trip to the JavaScript engine, and the value is the same
token every time (it resolves in whichever stack it is used)."""

from __future__ import annotations

from functools import cache
from typing import Any

import aws_cdk as cdk

__all__ = ["account_id", "json_null", "partition"]


@cache
def partition() -> str:
    """``cdk.Aws.PARTITION`` (``{"Ref": "AWS::Partition"}``)."""
    return cdk.Aws.PARTITION


@cache
def account_id() -> str:
    """``cdk.Aws.ACCOUNT_ID`` (``{"Ref": "AWS::AccountId"}``)."""
    return cdk.Aws.ACCOUNT_ID


@cache
def json_null() -> Any:
    """``cdk.JsonNull.INSTANCE``: a JSON ``null`` CDK keeps (a Python None reaches JavaScript as
    undefined and is dropped)."""
    return cdk.JsonNull.INSTANCE
