"""Secure and cheap defaults in one place (the aws-solutions-constructs pattern).

Constructs build stateful resources through these helpers, so every bucket and topic the
library creates is encrypted, SSL-only, private and retained on stack deletion.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

DEFAULT_VARIANT_NAME = "AllTraffic"
SCALE_IN_COOLDOWN_S = 300
SCALE_OUT_COOLDOWN_S = 60


def secure_bucket(scope: Construct, construct_id: str, *, encryption_key: Any = None) -> s3.Bucket:
    """A private, versioned, SSL-only bucket, KMS-encrypted with ``encryption_key`` when given
    (S3-managed keys otherwise), RETAINED when its stack is deleted."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS if encryption_key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=encryption_key,
        bucket_key_enabled=True if encryption_key else None,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


SNS_MANAGED_KEY_ALIAS = "alias/aws/sns"


def secure_topic(scope: Construct, construct_id: str, *, encryption_key: Any = None,
                 display_name: str | None = None) -> sns.Topic:
    """An SNS topic encrypted with ``encryption_key`` (the free AWS-managed ``alias/aws/sns`` key
    otherwise) whose policy denies publishing without TLS, RETAINED on stack deletion."""
    key = encryption_key or kms.Alias.from_alias_name(
        scope, f"{construct_id}ManagedKey", SNS_MANAGED_KEY_ALIAS)
    topic = sns.Topic(scope, construct_id, master_key=key, enforce_ssl=True,
                      display_name=display_name)
    topic.apply_removal_policy(cdk.RemovalPolicy.RETAIN)  # subscribers may depend on it
    return topic


def stable_endpoint_name(scope: Construct, deployment: Any) -> str | None:
    """A deterministic endpoint name from the construct path, only when rollback alarms must
    watch the endpoint (its generated name would make the alarms and the endpoint depend on each
    other). None otherwise: CloudFormation names it. The name never changes between updates."""
    if deployment is None or deployment.rollback is None or not deployment.rollback.default_alarms:
        return None
    return cdk.Names.unique_resource_name(scope, max_length=63, separator="-",
                                          allowed_special_characters="-")
