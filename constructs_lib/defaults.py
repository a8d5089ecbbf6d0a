"""Secure and cheap defaults in one place (the aws-solutions-constructs pattern).

Constructs build stateful resources through these helpers, so every bucket and topic the
library creates is encrypted, SSL-only, private and retained on stack deletion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import Construct

from ._private import nag
from ._private.emit import PARTITION, Emitter, Ref, join, policy_document, statement

if TYPE_CHECKING:  # imported where used: most apps create no bucket or topic (0.06 s each)
    pass

DEFAULT_VARIANT_NAME = "AllTraffic"
SCALE_IN_COOLDOWN_S = 300
SCALE_OUT_COOLDOWN_S = 60


SNS_MANAGED_KEY_ALIAS = "alias/aws/sns"


def stable_endpoint_name(scope: Construct, deployment: Any) -> str | None:
    """A deterministic endpoint name from the construct path, only when rollback alarms must
    watch the endpoint (its generated name would make the alarms and the endpoint depend on each
    other). None otherwise: CloudFormation names it. The name never changes between updates."""
    if deployment is None or deployment.rollback is None or not deployment.rollback.default_alarms:
        return None
    return cdk.Names.unique_resource_name(scope, max_length=63, separator="-",
                                          allowed_special_characters="-")


# --- L1 emission (one jsii call per resource) -----------------------------------------------

def _ssl_only_bucket_statement(bucket: Ref) -> dict[str, Any]:
    arn = bucket.att("Arn")
    return statement(["s3:*"], [arn, join(arn, "/*")], effect="Deny",
                     principal={"AWS": "*"},
                     conditions={"Bool": {"aws:SecureTransport": "false"}})


def _bucket_properties(encryption_key_arn: Any) -> dict[str, Any]:
    if encryption_key_arn is None:
        sse: dict[str, Any] = {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    else:
        sse = {"BucketKeyEnabled": True,
               "ServerSideEncryptionByDefault": {"KMSMasterKeyID": encryption_key_arn,
                                                 "SSEAlgorithm": "aws:kms"}}
    return {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [sse]},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True,
                                           "RestrictPublicBuckets": True},
        "VersioningConfiguration": {"Status": "Enabled"},
    }


def emit_secure_bucket(emit: Emitter, construct_id: str, *, account: Any,
                       encryption_key_arn: Any = None) -> Ref:
    """A private, versioned, SSL-only bucket ``<id>``, KMS-encrypted with ``encryption_key_arn``
    when given (SSE-S3 otherwise), with server access logs to a companion ``<id>AccessLogs``
    bucket (private, SSL-only, SSE-S3: what S3 log delivery requires), both RETAINED when their
    stack is deleted; as L1 resources at the paths ``s3.Bucket`` would give them.

    The cdk-nag findings a construct library cannot settle for its user are acknowledged with
    their reasons (replication, and SSE-S3 where no key was given or where log delivery
    requires it). ``account`` is ``ACCOUNT`` (the log delivery's ``aws:SourceAccount``)."""
    logs = emit.resource(f"{construct_id}AccessLogs/Resource", "AWS::S3::Bucket",
                         _bucket_properties(None))
    logs.cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    props = _bucket_properties(encryption_key_arn)
    props["LoggingConfiguration"] = {"DestinationBucketName": logs.ref,
                                     "LogFilePrefix": "access-logs/"}
    bucket = emit.resource(f"{construct_id}/Resource", "AWS::S3::Bucket", props)
    bucket.cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    emit.resource(f"{construct_id}AccessLogs/Policy/Resource", "AWS::S3::BucketPolicy", {
        "Bucket": logs.ref,
        "PolicyDocument": policy_document([
            _ssl_only_bucket_statement(logs),
            statement(["s3:PutObject"], [join(logs.att("Arn"), "/access-logs/*")],
                      sid="S3ServerAccessLogs",
                      principal={"Service": "logging.s3.amazonaws.com"},
                      conditions={"ArnLike": {"aws:SourceArn": bucket.att("Arn")},
                                  "StringEquals": {"aws:SourceAccount": account}}),
        ]),
    })
    emit.resource(f"{construct_id}/Policy/Resource", "AWS::S3::BucketPolicy", {
        "Bucket": bucket.ref,
        "PolicyDocument": policy_document([_ssl_only_bucket_statement(bucket)]),
    })
    # Acknowledged on the owning construct (inherited by both buckets): every reason names
    # which bucket it is about.
    for rule in nag.S3_ACCESS_LOGS:
        emit.acknowledge(rule, f"{construct_id}AccessLogs is the server-access-log bucket of "
                               f"{construct_id}; logging it into itself would loop")
    emit.acknowledge(nag.S3_REPLICATION,
                     "cross-region replication needs a destination bucket in a second region, a "
                     "disaster-recovery choice of the application; versioning is on so it can be "
                     "added")
    emit.acknowledge(nag.S3_KMS_DEFAULT, (
        "S3 server access log delivery supports only SSE-S3 on the target bucket"
        + ("" if encryption_key_arn is not None else
           "; no kms_key was passed: the bucket uses SSE-S3 (AES-256); pass kms_key for a "
           "customer-managed key")))
    return bucket


def emit_secure_topic(emit: Emitter, construct_id: str, *, region: Any, account: Any,
                      encryption_key_arn: Any = None, display_name: str | None = None) -> Ref:
    """An SNS topic encrypted with ``encryption_key_arn`` (the free AWS-managed ``alias/aws/sns``
    key otherwise) whose policy denies publishing without TLS, RETAINED on stack deletion
    (subscribers may depend on it); as L1 resources at the paths ``sns.Topic`` would give."""
    key = encryption_key_arn if encryption_key_arn is not None else join(
        "arn:", PARTITION, ":kms:", region, ":", account, f":{SNS_MANAGED_KEY_ALIAS}")
    props: dict[str, Any] = {"KmsMasterKeyId": key}
    if display_name is not None:
        props["DisplayName"] = display_name
    topic = emit.resource(f"{construct_id}/Resource", "AWS::SNS::Topic", props)
    topic.cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)  # subscribers may depend on it
    emit.resource(f"{construct_id}/Policy/Resource", "AWS::SNS::TopicPolicy", {
        "PolicyDocument": policy_document([
            statement(["sns:Publish"], [topic.ref], effect="Deny", principal="*",
                      sid="AllowPublishThroughSSLOnly",
                      conditions={"Bool": {"aws:SecureTransport": "false"}})]),
        "Topics": [topic.ref],
    })
    return topic
