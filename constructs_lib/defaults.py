"""Secure and cheap defaults in one place (the aws-solutions-constructs pattern).

Constructs build stateful resources through these helpers, so every bucket and topic the
library creates is encrypted, SSL-only, private and retained on stack deletion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ._private import nag
from ._private.emit import PARTITION, Emitter, Ref, join, policy_document, statement

if TYPE_CHECKING:  # imported where used: most apps create no bucket or topic (0.06 s each)
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns

DEFAULT_VARIANT_NAME = "AllTraffic"
SCALE_IN_COOLDOWN_S = 300
SCALE_OUT_COOLDOWN_S = 60


def secure_bucket(scope: Construct, construct_id: str, *, encryption_key: Any = None) -> s3.Bucket:
    """A private, versioned, SSL-only bucket, KMS-encrypted with ``encryption_key`` when given
    (S3-managed keys otherwise), RETAINED when its stack is deleted, with server access logs
    to a companion ``<id>AccessLogs`` bucket (private, SSL-only, SSE-S3, retained).

    Findings of cdk-nag's AwsSolutions and HIPAA Security packs that a construct library cannot
    settle for its user are acknowledged here with their reasons (replication, and SSE-S3
    where no key was given or where S3 log delivery requires it).
    """
    from aws_cdk import aws_s3 as s3

    logs = _bucket(scope, f"{construct_id}AccessLogs", encryption_key=None)
    nag.acknowledge_all(logs, nag.S3_ACCESS_LOGS,
                        "this is the server-access-log bucket of "
                        f"{construct_id}; logging it into itself would loop")
    nag.acknowledge(logs, nag.S3_KMS_DEFAULT,
                    "S3 server access log delivery supports only SSE-S3 on the target bucket")
    bucket = _bucket(scope, construct_id, encryption_key=encryption_key)
    # Wired at L1 with a bucket policy for the S3 logging service: the L2 option would put an
    # ACL on the log bucket (unless the user's app sets a feature flag), which
    # BUCKET_OWNER_ENFORCED forbids.
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3.CfnBucket)
    cfn.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=logs.bucket_name, log_file_prefix="access-logs/")
    logs.add_to_resource_policy(iam.PolicyStatement(
        sid="S3ServerAccessLogs",
        principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
        actions=["s3:PutObject"],
        resources=[logs.arn_for_objects("access-logs/*")],
        conditions={"ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
    ))
    if encryption_key is None:
        nag.acknowledge(bucket, nag.S3_KMS_DEFAULT,
                        "no kms_key was passed: the bucket uses SSE-S3 (AES-256); pass kms_key "
                        "for a customer-managed key")
    return bucket


def _bucket(scope: Construct, construct_id: str, *, encryption_key: Any,
            **kwargs: Any) -> s3.Bucket:
    from aws_cdk import aws_s3 as s3

    bucket = s3.Bucket(
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
        **kwargs,
    )
    nag.acknowledge(bucket, nag.S3_REPLICATION,
                    "cross-region replication needs a destination bucket in a second region, a "
                    "disaster-recovery choice of the application; versioning is on so it can be "
                    "added")
    return bucket


SNS_MANAGED_KEY_ALIAS = "alias/aws/sns"


def secure_topic(scope: Construct, construct_id: str, *, encryption_key: Any = None,
                 display_name: str | None = None) -> sns.Topic:
    """An SNS topic encrypted with ``encryption_key`` (the free AWS-managed ``alias/aws/sns`` key
    otherwise) whose policy denies publishing without TLS, RETAINED on stack deletion."""
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_sns as sns

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
    """:func:`secure_bucket` as L1 resources (same paths, same template): ``<id>AccessLogs``
    and its policy, ``<id>`` and its policy, both buckets retained."""
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
    """:func:`secure_topic` as L1 resources (same paths, same template): the topic (retained)
    and its TLS-only policy."""
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
