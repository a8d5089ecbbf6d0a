"""Secure by default, in one place: every bucket and topic the library creates is encrypted,
TLS-only, private and retained when its stack is deleted (they hold results, captures and
subscriptions a stack update must not lose)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..core.pseudo import account_id, partition
from . import compliance as nag
from .compliance import Compliance
from .iam import policy_document, statement

__all__ = ["SNS_MANAGED_KEY_ALIAS", "SecureBucket", "SecureTopic"]

SNS_MANAGED_KEY_ALIAS = "alias/aws/sns"


def _ssl_only(arn: str) -> dict[str, Any]:
    """Deny every S3 action without TLS on the bucket ``arn`` and its objects."""
    return statement(["s3:*"], [arn, f"{arn}/*"], effect="Deny", principal={"AWS": "*"},
                     conditions={"Bool": {"aws:SecureTransport": "false"}})


def _bucket(scope: Construct, construct_id: str, key_arn: str | None,
            logging: s3.CfnBucket.LoggingConfigurationProperty | None) -> s3.CfnBucket:
    if key_arn is None:
        rule = s3.CfnBucket.ServerSideEncryptionRuleProperty(
            server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
                sse_algorithm="AES256"))
    else:
        rule = s3.CfnBucket.ServerSideEncryptionRuleProperty(
            bucket_key_enabled=True,
            server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
                kms_master_key_id=key_arn, sse_algorithm="aws:kms"))
    bucket = s3.CfnBucket(
        scope, construct_id,
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[rule]),
        logging_configuration=logging,
        ownership_controls=s3.CfnBucket.OwnershipControlsProperty(rules=[
            s3.CfnBucket.OwnershipControlsRuleProperty(object_ownership="BucketOwnerEnforced")]),
        public_access_block_configuration=s3.CfnBucket.PublicAccessBlockConfigurationProperty(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
            restrict_public_buckets=True),
        versioning_configuration=s3.CfnBucket.VersioningConfigurationProperty(status="Enabled"))
    bucket.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    return bucket


class SecureBucket:
    """A private, versioned, TLS-only bucket ``<id>``, KMS-encrypted with ``key_arn`` when given
    (SSE-S3 otherwise), with server access logs to a companion ``<id>AccessLogs`` bucket
    (private, TLS-only, SSE-S3: what S3 log delivery requires), both retained.

    The findings a construct library cannot settle for its user are acknowledged with their
    reasons (replication, and SSE-S3 where no key was given or where log delivery requires it).
    """

    def __init__(self, scope: Construct, construct_id: str, *, compliance: Compliance,
                 key: Any = None) -> None:
        self._scope = scope
        self._id = construct_id
        self._key = key
        key_arn: str | None = None if key is None else key.key_arn
        logs = _bucket(scope, f"{construct_id}AccessLogs", None, None)
        logs_name: str = logs.ref
        logs_arn: str = logs.attr_arn
        self.bucket = _bucket(scope, construct_id, key_arn,
                              s3.CfnBucket.LoggingConfigurationProperty(
                                  destination_bucket_name=logs_name,
                                  log_file_prefix="access-logs/"))
        self.name: str = self.bucket.ref
        self.arn: str = self.bucket.attr_arn
        s3.CfnBucketPolicy(scope, f"{construct_id}AccessLogsPolicy", bucket=logs_name,
                           policy_document=policy_document([
                               _ssl_only(logs_arn),
                               statement(["s3:PutObject"], [f"{logs_arn}/access-logs/*"],
                                         sid="S3ServerAccessLogs",
                                         principal={"Service": "logging.s3.amazonaws.com"},
                                         conditions={
                                             "ArnLike": {"aws:SourceArn": self.arn},
                                             "StringEquals": {
                                                 "aws:SourceAccount": account_id()}}),
                           ]))
        s3.CfnBucketPolicy(scope, f"{construct_id}Policy", bucket=self.name,
                           policy_document=policy_document([_ssl_only(self.arn)]))
        compliance.skip_checkov(logs, nag.CHECKOV_BUCKET_LOGGING, nag.REASON_ACCESS_LOG_BUCKET)
        for rule in nag.S3_ACCESS_LOGS:
            compliance.acknowledge(rule, f"{construct_id}AccessLogs is the server-access-log "
                                         f"bucket of {construct_id}; logging it into itself "
                                         "would loop")
        compliance.acknowledge(nag.S3_REPLICATION, nag.REASON_REPLICATION)
        compliance.acknowledge(nag.S3_KMS_DEFAULT, (
            "S3 server access log delivery supports only SSE-S3 on the target bucket"
            + ("" if key_arn is not None else
               "; no kms_key was passed: the bucket uses SSE-S3 (AES-256); pass kms_key for a "
               "customer-managed key")))
        self._imported: s3.IBucket | None = None

    @property
    def imported(self) -> s3.IBucket:
        """The bucket as an ``s3.IBucket`` for CDK APIs (created on first use)."""
        if self._imported is None:
            self._imported = s3.Bucket.from_bucket_attributes(
                self._scope, f"{self._id}Ref", bucket_name=self.name, bucket_arn=self.arn,
                encryption_key=self._key)
        return self._imported


class SecureTopic:
    """An SNS topic encrypted with ``key_arn`` (the free AWS-managed ``alias/aws/sns`` key
    otherwise) whose policy denies publishing without TLS, retained (subscribers may depend on
    it)."""

    def __init__(self, scope: Construct, construct_id: str, *, region: str, account: str,
                 key: Any = None, display_name: str | None = None) -> None:
        self._scope = scope
        self._id = construct_id
        self.key_arn: str | None = None if key is None else key.key_arn
        self.topic = sns.CfnTopic(
            scope, construct_id, display_name=display_name,
            kms_master_key_id=self.key_arn if self.key_arn is not None else (
                f"arn:{partition()}:kms:{region}:{account}:{SNS_MANAGED_KEY_ALIAS}"))
        self.topic.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.arn: str = self.topic.ref
        sns.CfnTopicPolicy(scope, f"{construct_id}Policy", topics=[self.arn],
                           policy_document=policy_document([statement(
                               ["sns:Publish"], [self.arn], effect="Deny", principal="*",
                               sid="AllowPublishThroughSSLOnly",
                               conditions={"Bool": {"aws:SecureTransport": "false"}})]))
        self._imported: sns.ITopic | None = None

    @property
    def imported(self) -> sns.ITopic:
        """The topic as an ``sns.ITopic`` for CDK APIs (created on first use)."""
        if self._imported is None:
            self._imported = sns.Topic.from_topic_attributes(
                self._scope, f"{self._id}Ref", topic_arn=self.arn,
                key_arn=self.key_arn)
        return self._imported
