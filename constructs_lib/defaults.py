"""Secure and cheap defaults in one place (the aws-solutions-constructs pattern).

Constructs build stateful resources through these helpers, so every bucket and topic the
library creates is encrypted, SSL-only, private and retained on stack deletion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import Construct

if TYPE_CHECKING:  # imported where used: most apps create no bucket, and it costs 0.06 s
    from aws_cdk import aws_s3 as s3

DEFAULT_VARIANT_NAME = "AllTraffic"
SCALE_IN_COOLDOWN_S = 300
SCALE_OUT_COOLDOWN_S = 60


def secure_bucket(scope: Construct, construct_id: str, *, encryption_key: Any = None) -> s3.Bucket:
    """A private, versioned, SSL-only bucket, KMS-encrypted with ``encryption_key`` when given
    (S3-managed keys otherwise), RETAINED when its stack is deleted."""
    from aws_cdk import aws_s3 as s3

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
